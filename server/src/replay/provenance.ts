import type { ProvenanceEntry } from './types';

type TableRecords = Record<string, { self?: ProvenanceEntry; items: Record<string, ProvenanceEntry> }>;
type EnumRecords = Record<string, { self?: ProvenanceEntry; values: Record<string, ProvenanceEntry> }>;

/** The per-table (and per-enum) record as one flat record keyed as entryOf reads it. */
export function flattenProvenance(tables: TableRecords, enums: EnumRecords = {}): Record<string, ProvenanceEntry> {
  const flat: Record<string, ProvenanceEntry> = {};
  for (const [key, sources] of Object.entries(tables)) {
    if (sources.self) flat[key] = sources.self;
    for (const [item, entry] of Object.entries(sources.items)) flat[key + item] = entry;
  }
  for (const [key, sources] of Object.entries(enums)) {
    if (sources.self) flat[key] = sources.self;
    for (const [value, entry] of Object.entries(sources.values)) flat[`${key}.${value}`] = entry;
  }
  return flat;
}

/**
 * A key of provenance() found in the per-table record: the table key, or the
 * table key followed by `.column` / `#name`, or an enum key and `.value`. A
 * table key may itself contain a dot (`schema.table`), so each split point is tried.
 */
export function entryOf(
  key: string,
  tables: TableRecords,
  enums: EnumRecords = {},
): ProvenanceEntry | undefined {
  const whole = enums[key]?.self ?? tables[key]?.self;
  if (whole) return whole;
  for (let i = key.length - 1; i > 0; i--) {
    const mark = key[i];
    if (mark !== '.' && mark !== '#') continue;
    const prefix = key.slice(0, i);
    const item = key.slice(i);
    if (mark === '.' && Object.hasOwn(enums, prefix)) {
      const value = enums[prefix].values[item.slice(1)];
      if (value) return value;
    }
    const entry = Object.hasOwn(tables, prefix) ? tables[prefix].items[item] : undefined;
    if (entry) return entry;
  }
  return undefined;
}
