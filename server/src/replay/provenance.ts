import type { ProvenanceEntry } from './types';

/**
 * A key of provenance() found in the per-table record: the table key, or the
 * table key followed by `.column` / `#name`, or an enum key and `.value`. A
 * table key may itself contain a dot (`schema.table`), so each split point is tried.
 */
export function entryOf(
  key: string,
  tables: Record<string, { self?: ProvenanceEntry; items: Record<string, ProvenanceEntry> }>,
  enums: Record<string, { self?: ProvenanceEntry; values: Record<string, ProvenanceEntry> }> = {},
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
