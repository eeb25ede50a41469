import {
  type ColumnType,
  type DbColumn,
  type DbDefault,
  type DbForeignKey,
  type DbIndex,
  type DbState,
  type DbTable,
  canonicalType,
  formatType,
  managedSchema,
  sameDefault,
} from '../core/dbState';
import type { SchemaSources, SourceRef } from '../core/source';
import { canonicalPredicate } from '../replay/statements';
import type { Change } from './changes';

export interface DiffInput {
  /** The database the deployed migrations produce. */
  baseline: DbState;
  /** The database the edited schema describes. */
  expected: DbState;
  /** Where each expected object comes from in the schema. */
  sources: SchemaSources;
  /** `tableKey.column` → Prisma-level default (`uuid()`, `cuid()`, `@updatedAt`), which the database does not see. */
  prismaDefaults?: Record<string, string>;
}

/**
 * Tables their owner promises never to modify again (the language server's
 * mapped tables, which are reused while their model is unchanged, and
 * replayed states): for a pair of those, a comparison that found nothing is
 * remembered, so re-analysing after a keystroke compares only the tables the
 * keystroke touched.
 */
const stableTables = new WeakSet<DbTable>();
/** after table → before table → table key, for pairs that compared equal. */
const unchangedPairs = new WeakMap<DbTable, WeakMap<DbTable, string>>();

export function markStable(state: DbState): void {
  for (const key in state.tables) stableTables.add(state.tables[key]);
}

function knownUnchanged(key: string, before: DbTable, after: DbTable): boolean {
  return unchangedPairs.get(after)?.get(before) === key;
}

function rememberUnchanged(key: string, before: DbTable, after: DbTable): void {
  if (!stableTables.has(before) || !stableTables.has(after)) return;
  let pairs = unchangedPairs.get(after);
  if (!pairs) {
    pairs = new WeakMap();
    unchangedPairs.set(after, pairs);
  }
  pairs.set(before, key);
}

/**
 * Pure: two states in, the list of changes out, ordered by table then by kind
 * so output is stable. Likely renames (a dropped and an added column or table
 * of the same shape) are reported as one rename, not as a drop and an add.
 */
export function diffStates(input: DiffInput): Change[] {
  const { baseline, expected, sources } = input;
  const changes: Change[] = [];
  // Tables in schemas Prisma does not manage are not Prisma's, and a model over a view the migrations create is that view.
  const baselineKeys = Object.keys(baseline.tables).filter((key) => managedSchema(expected, baseline.tables[key].schema));
  const expectedKeys = Object.keys(expected.tables).filter((key) => !overView(baseline, key));
  const addedTables = expectedKeys.filter((key) => !(key in baseline.tables));
  // A table made from a query has columns the replay does not know: never reported as dropped.
  const droppedTables = baselineKeys.filter((key) => !(key in expected.tables) && !baseline.tables[key].fromQuery);

  const renamedTables = pairTableRenames(baseline, expected, droppedTables, addedTables);
  for (const [fromKey, toKey] of renamedTables) {
    const model = sources.tables[toKey];
    changes.push({
      kind: 'renameTable',
      table: expected.tables[toKey].name,
      tableKey: toKey,
      from: baseline.tables[fromKey].name,
      before: baseline.tables[fromKey],
      after: expected.tables[toKey],
      modelName: model?.modelName ?? expected.tables[toKey].name,
      source: modelRef(sources, toKey),
      ...m2mFlag(sources, toKey),
    });
  }
  const renamedFrom = new Set(renamedTables.map(([from]) => from));
  const renamedTo = new Set(renamedTables.map(([, to]) => to));

  for (const key of addedTables) {
    if (renamedTo.has(key)) continue;
    changes.push({
      kind: 'addTable',
      table: expected.tables[key].name,
      tableKey: key,
      after: expected.tables[key],
      source: modelRef(sources, key),
      ...m2mFlag(sources, key),
    });
  }
  for (const key of droppedTables) {
    if (renamedFrom.has(key)) continue;
    changes.push({
      kind: 'dropTable',
      table: baseline.tables[key].name,
      tableKey: key,
      before: baseline.tables[key],
      source: sources.fallback,
      implicitManyToMany: looksLikeImplicitJoinTable(baseline.tables[key]) || undefined,
    });
  }
  for (const key of expectedKeys) {
    const before = baseline.tables[key];
    if (before === undefined) continue;
    const after = expected.tables[key];
    if (before.fromQuery || !managedSchema(expected, before.schema)) continue;
    // Whether index predicates count is part of the comparison: a table equal without them may differ with them.
    const compared = expected.partialIndexes ? `${key}\u0000partial` : key;
    if (knownUnchanged(compared, before, after)) continue;
    const count = changes.length;
    diffTable(key, before, after, input, changes);
    if (changes.length === count) rememberUnchanged(compared, before, after);
  }
  // A renamed table is compared column by column too, so a column change inside it is not lost.
  for (const [fromKey, toKey] of renamedTables) {
    diffTable(toKey, baseline.tables[fromKey], expected.tables[toKey], input, changes);
  }
  diffEnums(input, changes);
  diffViews(input, changes);
  for (const change of changes) attachSchemaNames(change, sources);
  return changes;
}

/** A table key that the migrations made a view or materialized view, not a table. */
function overView(baseline: DbState, key: string): boolean {
  return !(key in baseline.tables) && baseline.objects?.[`relation:${key}`] !== undefined;
}

/**
 * `view` blocks (views preview feature) against the views migrations create, by
 * name. Views the schema does not declare count only when it declares some:
 * without the preview feature a schema cannot declare any.
 */
function diffViews(input: DiffInput, changes: Change[]): void {
  const { baseline, expected, sources } = input;
  const declared = Object.entries(expected.objects ?? {}).filter(([, o]) => o.kind === 'view');
  if (declared.length === 0) return;
  for (const [key, view] of declared) {
    const table = key.slice('relation:'.length);
    if (baseline.objects?.[key] || baseline.tables[table]) continue;
    const source = sources.views?.[key];
    changes.push({ kind: 'addView', table: view.name, tableKey: table, source: source ? { file: source.file, range: source.nameRange } : sources.fallback });
  }
  for (const [key, object] of Object.entries(baseline.objects ?? {})) {
    if (object.kind !== 'view' && object.kind !== 'materializedView') continue;
    if (!managedSchema(expected, object.schema)) continue;
    const table = key.slice('relation:'.length);
    if (expected.objects?.[key] || expected.tables[table]) continue;
    changes.push({ kind: 'dropView', table: object.name, tableKey: table, materialized: object.kind === 'materializedView', source: sources.fallback });
  }
}

function attachSchemaNames(change: Change, sources: SchemaSources): void {
  if (change.kind === 'addEnum' || change.kind === 'dropEnum' || change.kind === 'addEnumValue' || change.kind === 'removeEnumValue') {
    const enumSource = sources.enums[change.tableKey];
    if (enumSource) change.model = enumSource.enumName;
    return;
  }
  const model = sources.tables[change.tableKey];
  if (model) change.model = model.modelName;
  if ('column' in change) {
    const field = sources.columns[`${change.tableKey}.${change.column}`];
    if (field) change.field = field.fieldName;
  }
}

function diffTable(key: string, before: DbTable, after: DbTable, input: DiffInput, changes: Change[]): void {
  const { sources } = input;
  const provider = input.expected.provider;
  const table = after.name;
  const tableRef = modelRef(sources, key);
  const m2m = m2mFlag(sources, key);
  const beforeByName = columnsByName(before);
  const afterByName = columnsByName(after);
  const added = after.columns.filter((c) => !beforeByName.has(c.name));
  const dropped = before.columns.filter((c) => !afterByName.has(c.name));
  const renames = added.length > 0 && dropped.length > 0 ? pairColumnRenames(before, after, dropped, added) : [];

  for (const { from, to } of renames) {
    const field = sources.columns[`${key}.${to.name}`];
    changes.push({
      kind: 'renameColumn',
      table,
      tableKey: key,
      column: to.name,
      from: from.name,
      before: from,
      after: to,
      fieldName: field?.fieldName ?? to.name,
      source: columnRef(sources, key, to.name, tableRef),
      ...m2m,
    });
  }
  for (const column of added) {
    if (renames.some((r) => r.to === column)) continue;
    const prismaDefault = input.prismaDefaults?.[`${key}.${column.name}`];
    changes.push({
      kind: 'addColumn',
      table,
      tableKey: key,
      column: column.name,
      after: column,
      ...(prismaDefault ? { prismaDefault } : {}),
      source: columnRef(sources, key, column.name, tableRef),
      ...m2m,
    });
  }
  for (const column of dropped) {
    if (renames.some((r) => r.from === column)) continue;
    changes.push({ kind: 'dropColumn', table, tableKey: key, column: column.name, before: column, source: tableRef, ...m2m });
  }
  for (const column of after.columns) {
    const old = beforeByName.get(column.name);
    if (!old) continue;
    const typeChanged = !sameColumnType(canonicalType(old.type, provider), canonicalType(column.type, provider));
    // Prisma does not manage the nullability of scalar lists: a NOT NULL added by hand to an array column is not drift.
    const listColumn = old.type.array && column.type.array;
    const nullability = listColumn || old.nullable === column.nullable ? undefined : old.nullable ? 'setNotNull' : 'dropNotNull';
    const defaultChanged = !sameColumnDefault(old.default, column.default, column.type);
    if (!typeChanged && !nullability && !defaultChanged) continue;
    const ref = columnRef(sources, key, column.name, tableRef);
    if (typeChanged) {
      changes.push({ kind: 'alterColumnType', table, tableKey: key, column: column.name, from: old.type, to: column.type, before: old, after: column, source: ref, ...m2m });
    }
    if (nullability) {
      changes.push({ kind: nullability, table, tableKey: key, column: column.name, before: old, after: column, source: ref, ...m2m });
    }
    if (defaultChanged) {
      if (column.default) {
        changes.push({ kind: 'setDefault', table, tableKey: key, column: column.name, ...(old.default ? { from: old.default } : {}), to: column.default, source: ref, ...m2m });
      } else if (old.default) {
        const prismaDefault = input.prismaDefaults?.[`${key}.${column.name}`];
        changes.push({ kind: 'dropDefault', table, tableKey: key, column: column.name, from: old.default, ...(prismaDefault ? { prismaDefault } : {}), source: ref, ...m2m });
      }
    }
  }

  diffPrimaryKey(key, before, after, input, changes);
  diffIndexes(key, before, after, input, changes);
  diffForeignKeys(key, before, after, input, changes);
}

function columnsByName(table: DbTable): Map<string, DbColumn> {
  const byName = new Map<string, DbColumn>();
  // The first of two same-named columns wins, as `find` would.
  for (const column of table.columns) if (!byName.has(column.name)) byName.set(column.name, column);
  return byName;
}

/** `formatType(a) === formatType(b)` without building the strings in the common case. */
function sameColumnType(a: ColumnType, b: ColumnType): boolean {
  if (a === b) return true;
  if (a.enumValues === undefined && b.enumValues === undefined && a.name === b.name && a.isEnum === b.isEnum && a.array === b.array && a.args.length === b.args.length) {
    for (let i = 0; i < a.args.length; i++) if (a.args[i] !== b.args[i]) return false;
    return true;
  }
  return formatType(a) === formatType(b);
}

/** `sameDefault`, skipping the normalisation when both sides spell the default the same. */
function sameColumnDefault(a: DbDefault | undefined, b: DbDefault | undefined, type: ColumnType): boolean {
  if (a === b) return true;
  if (a && b && a.kind !== 'autoincrement' && b.kind !== 'autoincrement' && a.sql === b.sql) return true;
  return sameDefault(a, b, type);
}

function diffPrimaryKey(key: string, before: DbTable, after: DbTable, input: DiffInput, changes: Change[]): void {
  const from = before.primaryKey;
  const to = after.primaryKey;
  if (!from && !to) return;
  const sameColumns = !!from && !!to && from.columns.join(',') === to.columns.join(',');
  const sameName = (from?.name ?? '') === (to?.name ?? '') || !from?.name || !to?.name;
  if (sameColumns && sameName) return;
  changes.push({
    kind: 'changePrimaryKey',
    table: after.name,
    tableKey: key,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    onlyName: sameColumns,
    source: input.sources.primaryKeys[key] ?? modelRef(input.sources, key),
    ...m2mFlag(input.sources, key),
  });
}

/**
 * An index as Prisma's engine compares it. Expression indexes are invisible to
 * it (left alone). Without the `partialIndexes` preview feature the predicate
 * is not compared: a partial index is the plain index on its columns. What a
 * schema cannot state and Prisma does not compare (`INCLUDE`, `NULLS FIRST` /
 * `LAST`, collations, an operator class or method that is the default) is left
 * out; a `DESC` or a non-default operator class the schema does not state stays,
 * so the index differs and is rebuilt, as Prisma's engine rebuilds it.
 */
function comparableIndex(index: DbIndex, table: DbTable, partialIndexes: boolean): DbIndex | undefined {
  if (index.columns.some((column) => column.includes('('))) return undefined;
  const method = index.method && index.method !== 'btree' ? index.method : undefined;
  const columns = index.columns.map((entry) => comparableEntry(entry, table, method ?? 'btree'));
  const result: DbIndex = { name: index.name, columns, unique: index.unique };
  if (method) result.method = method;
  if (partialIndexes && index.where !== undefined) result.where = normalizePredicate(canonicalPredicate(index.where) ?? index.where);
  return result;
}

function comparableEntry(entry: string, table: DbTable, method: string): string {
  const space = entry.indexOf(' ');
  if (space < 0) return entry;
  const column = entry.slice(0, space);
  const words = entry
    .slice(space + 1)
    .replace(/COLLATE\s+("(?:[^"]|"")*"|\S+)(\.("(?:[^"]|"")*"|\S+))?/g, '')
    .replace(/NULLS\s+(FIRST|LAST)/g, '')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const type = table.columns.find((c) => c.name === column)?.type;
  const kept = words.filter((w) => w === 'DESC' || !type || !isDefaultOperatorClass(w, type, method));
  return kept.length > 0 ? `${column} ${kept.join(' ')}` : column;
}

/** PostgreSQL's default operator class of a column type for an index method (the common built-in types). */
function isDefaultOperatorClass(opclass: string, type: ColumnType, method: string): boolean {
  const name = opclass.split('.').pop() ?? opclass;
  if (type.array) return name === 'array_ops';
  if (type.isEnum) return name === 'enum_ops';
  const textual = ['text', 'varchar', 'citext', 'name'].includes(type.name);
  const base = textual ? 'text' : type.name;
  if (method === 'btree' || method === 'hash') return name === `${base}_ops` || (type.name === 'bpchar' && name === 'bpchar_ops');
  if (method === 'gin') return (type.name === 'jsonb' && name === 'jsonb_ops') || (type.name === 'tsvector' && name === 'tsvector_ops');
  if (method === 'brin') return name === `${base}_minmax_ops`;
  if (method === 'gist') return (type.name === 'tsvector' && name === 'tsvector_ops') || (type.name === 'inet' && name === 'inet_ops');
  return false;
}

/**
 * Predicates compared as text: as the parser prints them when it is loaded (canonicalPredicate: case, spacing,
 * `!=`, parentheses that only group), and on both sides without outer parentheses and the quotes around
 * lower-case names.
 */
function normalizePredicate(sql: string): string {
  let text = sql.trim().replace(/\s+/g, ' ');
  while (text.startsWith('(') && text.endsWith(')') && balancedInside(text.slice(1, -1))) text = text.slice(1, -1).trim();
  return text.replace(/"([a-z_][a-z0-9_]*)"/g, '$1');
}

function balancedInside(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * Outside PostgreSQL (SQLite) the predicate of a partial index is not compared:
 * the replay keeps it as the migration wrote it, and two spellings of one
 * condition would read as a change. A partial index is compared as the index on
 * its columns, which Prisma's engine keeps when the predicates agree.
 */
function withoutPredicate(index: DbIndex): DbIndex {
  if (index.where === undefined) return index;
  const { where: _predicate, ...rest } = index;
  return rest;
}

function indexShape(index: DbIndex): string {
  return `${index.unique ? 'u' : 'i'}|${index.method ?? ''}|${index.columns.join(',')}|${index.where ?? ''}`;
}

function diffIndexes(key: string, before: DbTable, after: DbTable, input: DiffInput, changes: Change[]): void {
  const { sources } = input;
  const partialIndexes = input.expected.partialIndexes === true;
  const postgres = input.expected.provider === 'postgresql';
  const oldIndexes: DbIndex[] = [];
  const oldPartial = new Set<string>();
  for (const index of before.indexes) {
    // Elsewhere an expression index is hand-written SQL, left alone.
    const comparable = postgres ? comparableIndex(index, before, partialIndexes) : !index.columns.some((c) => c.includes('(')) ? withoutPredicate(index) : undefined;
    if (!comparable) continue;
    oldIndexes.push(comparable);
    if (index.where !== undefined && !partialIndexes) oldPartial.add(index.name);
  }
  const newIndexes: DbIndex[] = [];
  const originals = new Map<DbIndex, DbIndex>();
  for (const index of after.indexes) {
    const comparable = postgres ? comparableIndex(index, after, partialIndexes) : withoutPredicate(index);
    if (!comparable) continue;
    newIndexes.push(comparable);
    originals.set(comparable, index);
  }
  const added = newIndexes.filter((i) => !oldIndexes.some((o) => o.name === i.name));
  // A partial index the schema cannot name (no `partialIndexes`) is left alone by Prisma's engine, as hand-written SQL.
  const removed = oldIndexes.filter((o) => !newIndexes.some((i) => i.name === o.name) && !oldPartial.has(o.name));
  const tableRef = modelRef(sources, key);
  const m2m = m2mFlag(sources, key);

  for (const index of newIndexes) {
    const old = oldIndexes.find((o) => o.name === index.name);
    if (old && indexShape(old) !== indexShape(index)) {
      // Same name, new definition: Prisma drops and recreates it.
      removed.push(old);
      added.push(index);
    }
  }
  // A redundant copy of an index that stays (same columns, another name) is invisible to Prisma, which keeps it.
  for (const index of [...removed]) {
    const twin = oldIndexes.find((o) => o !== index && indexShape(o) === indexShape(index) && newIndexes.some((n) => n.name === o.name && indexShape(n) === indexShape(o)));
    if (twin) removed.splice(removed.indexOf(index), 1);
  }
  const renamedNew = new Set<DbIndex>();
  const renamedOld = new Set<DbIndex>();
  for (const index of added) {
    const match = removed.find((o) => !renamedOld.has(o) && indexShape(o) === indexShape(index) && o.name !== index.name);
    if (match) {
      renamedNew.add(index);
      renamedOld.add(match);
      changes.push({ kind: 'renameIndex', table: after.name, tableKey: key, from: match.name, to: index.name, index: originals.get(index) ?? index, source: sources.indexes[`${key}#${index.name}`] ?? tableRef, ...m2m });
    }
  }
  for (const index of removed) {
    if (renamedOld.has(index)) continue;
    changes.push({ kind: 'dropIndex', table: after.name, tableKey: key, index: before.indexes.find((i) => i.name === index.name) ?? index, unique: index.unique, source: tableRef, ...m2m });
  }
  for (const index of added) {
    if (renamedNew.has(index)) continue;
    const replaced = before.indexes.find((i) => i.name === index.name);
    changes.push({ kind: 'addIndex', table: after.name, tableKey: key, index: originals.get(index) ?? index, unique: index.unique, ...(replaced ? { replaces: replaced } : {}), source: sources.indexes[`${key}#${index.name}`] ?? tableRef, ...m2m });
  }
}

function foreignKeyShape(fk: DbForeignKey): string {
  return `${fk.columns.join(',')}>${fk.referencedTable}(${fk.referencedColumns.join(',')})|${fk.onDelete}|${fk.onUpdate}`;
}

function diffForeignKeys(key: string, before: DbTable, after: DbTable, input: DiffInput, changes: Change[]): void {
  const { sources } = input;
  const tableRef = modelRef(sources, key);
  const m2m = m2mFlag(sources, key);
  // A relation to a model over a view has no foreign key in the database: PostgreSQL cannot reference a view.
  const wanted = after.foreignKeys.filter((f) => !overView(input.baseline, f.referencedTable));
  const added = wanted.filter((f) => !before.foreignKeys.some((o) => o.name === f.name && foreignKeyShape(o) === foreignKeyShape(f)));
  const removed = before.foreignKeys.filter((o) => !wanted.some((f) => f.name === o.name && foreignKeyShape(o) === foreignKeyShape(f)));
  const renamedNew = new Set<DbForeignKey>();
  const renamedOld = new Set<DbForeignKey>();
  for (const fk of added) {
    const match = removed.find((o) => !renamedOld.has(o) && foreignKeyShape(o) === foreignKeyShape(fk));
    if (match) {
      renamedNew.add(fk);
      renamedOld.add(match);
      changes.push({ kind: 'renameForeignKey', table: after.name, tableKey: key, from: match.name, to: fk.name, foreignKey: fk, source: sources.foreignKeys[`${key}#${fk.name}`] ?? tableRef, ...m2m });
    }
  }
  for (const fk of removed) {
    if (!renamedOld.has(fk)) changes.push({ kind: 'dropForeignKey', table: after.name, tableKey: key, foreignKey: fk, source: tableRef, ...m2m });
  }
  for (const fk of added) {
    if (!renamedNew.has(fk)) changes.push({ kind: 'addForeignKey', table: after.name, tableKey: key, foreignKey: fk, source: sources.foreignKeys[`${key}#${fk.name}`] ?? tableRef, ...m2m });
  }
}

function diffEnums(input: DiffInput, changes: Change[]): void {
  const { baseline, expected, sources } = input;
  for (const [key, after] of Object.entries(expected.enums)) {
    const before = baseline.enums[key];
    const ref = sources.enums[key] ?? sources.fallback;
    if (!before) {
      changes.push({ kind: 'addEnum', table: after.name, tableKey: key, after, source: ref });
      continue;
    }
    const removedValues = before.values.filter((v) => !after.values.includes(v));
    const addedValues = after.values.filter((v) => !before.values.includes(v));
    for (const value of removedValues) {
      const position = before.values.indexOf(value);
      const candidate = after.values[position];
      const renamedTo = candidate !== undefined && addedValues.includes(candidate) && removedValues.length === addedValues.length ? candidate : undefined;
      changes.push({
        kind: 'removeEnumValue',
        table: after.name,
        tableKey: key,
        value,
        ...(renamedTo ? { renamedTo } : {}),
        usedBy: columnsUsingEnum(baseline, key),
        source: (renamedTo && sources.enumValues[`${key}.${renamedTo}`]) || ref,
      });
    }
    for (const value of addedValues) {
      changes.push({ kind: 'addEnumValue', table: after.name, tableKey: key, value, source: sources.enumValues[`${key}.${value}`] ?? ref });
    }
  }
  for (const [key, before] of Object.entries(baseline.enums)) {
    if (!(key in expected.enums) && managedSchema(expected, before.schema)) {
      changes.push({ kind: 'dropEnum', table: before.name, tableKey: key, before, source: sources.fallback });
    }
  }
}

function columnsUsingEnum(state: DbState, enumKey: string): string[] {
  const users: string[] = [];
  for (const table of Object.values(state.tables)) {
    for (const column of table.columns) {
      if (column.type.isEnum && column.type.name === enumKey) users.push(`${table.name}.${column.name}`);
    }
  }
  return users;
}

/**
 * Pairs dropped and added columns of the same type. With several candidates,
 * the closest name wins, then the one that stood at the same position in the
 * table (a field renamed in place keeps its line); a tie is not guessed.
 */
function pairColumnRenames(before: DbTable, after: DbTable, dropped: DbColumn[], added: DbColumn[]): { from: DbColumn; to: DbColumn }[] {
  const pairs: { from: DbColumn; to: DbColumn }[] = [];
  const usedFrom = new Set<DbColumn>();
  for (const to of added) {
    const candidates = dropped.filter((from) => !usedFrom.has(from) && formatType(from.type) === formatType(to.type));
    if (candidates.length === 0) continue;
    const position = after.columns.indexOf(to);
    const scored = candidates
      .map((from) => ({ from, score: nameSimilarity(from.name, to.name) + (before.columns.indexOf(from) === position ? 0.5 : 0) }))
      .sort((a, b) => b.score - a.score);
    if (scored.length > 1 && scored[0].score === scored[1].score) continue;
    const addedOfType = added.filter((c) => formatType(c.type) === formatType(to.type));
    // With several added columns of one type, only a clearly similar name or place is a rename.
    if (addedOfType.length > 1 && scored[0].score < 0.5) continue;
    usedFrom.add(scored[0].from);
    pairs.push({ from: scored[0].from, to });
  }
  return pairs;
}

function pairTableRenames(baseline: DbState, expected: DbState, dropped: string[], added: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  const used = new Set<string>();
  for (const toKey of added) {
    const shape = tableShape(expected.tables[toKey]);
    const matches = dropped.filter((fromKey) => !used.has(fromKey) && tableShape(baseline.tables[fromKey]) === shape);
    if (matches.length !== 1) continue;
    used.add(matches[0]);
    pairs.push([matches[0], toKey]);
  }
  return pairs;
}

function tableShape(table: DbTable): string {
  return table.columns
    .map((c) => `${c.name}:${formatType(c.type)}:${c.nullable ? '?' : '!'}`)
    .sort()
    .join(',');
}

/** Similarity in [0, 1] from the longest common subsequence, case-insensitive. */
function nameSimilarity(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const row = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    let previousDiagonal = 0;
    for (let j = 1; j <= y.length; j++) {
      const saved = row[j];
      row[j] = x[i - 1] === y[j - 1] ? previousDiagonal + 1 : Math.max(row[j], row[j - 1]);
      previousDiagonal = saved;
    }
  }
  return (2 * row[y.length]) / (x.length + y.length || 1);
}

function looksLikeImplicitJoinTable(table: DbTable): boolean {
  return table.name.startsWith('_') && table.columns.length === 2 && table.columns.every((c) => c.name === 'A' || c.name === 'B');
}

function modelRef(sources: SchemaSources, key: string): SourceRef {
  const model = sources.tables[key];
  if (!model) return sources.fallback;
  return { file: model.file, range: model.nameRange };
}

function columnRef(sources: SchemaSources, key: string, column: string, fallback: SourceRef): SourceRef {
  const field = sources.columns[`${key}.${column}`];
  return field ? { file: field.file, range: field.range } : fallback;
}

function m2mFlag(sources: SchemaSources, key: string): { implicitManyToMany?: true } {
  return sources.tables[key]?.implicitManyToMany ? { implicitManyToMany: true } : {};
}
