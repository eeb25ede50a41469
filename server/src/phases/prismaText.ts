/**
 * Prisma schema text the phases need: declarations for columns that the
 * edited schema no longer has (a dropped column kept with `@ignore`, a
 * dropped table kept with `@@ignore`, the old column of a rename), and small
 * rewrites of an existing field's declaration. The reverse of map/: for each
 * DbState column, the field text that maps back to exactly that column
 * (tests check the round trip with mapSchema).
 */
import type { ColumnType, DbColumn, DbState, DbTable, Provider, ReferentialAction } from '../core/dbState';
import { foreignKeyName, indexName, primaryKeyName, uniqueIndexName } from '../map/naming';
import type { ScannedField, ScannedSchema } from '../scan/types';
import { freeName, prismaIdentifier } from './naming';

export interface PrismaType {
  /** `String`, `Int`, an enum name, or `Unsupported("...")`. */
  base: string;
  list: boolean;
  /** `@db.VarChar(200)` when the column is not the scalar's default native type. */
  native?: string;
}

/** Resolves database names to the Prisma names the schema uses for them. */
export interface NameResolver {
  /** Prisma enum name for an enum key of the state. */
  enumName(enumKey: string): string | undefined;
  /** Prisma model name for a table key. */
  modelName(tableKey: string): string | undefined;
  /** The datasource name (`db`): native type attributes are `@<name>.VarChar`. */
  datasource: string;
}

export function resolverFor(schema: ScannedSchema, state: DbState): NameResolver {
  const enumByDbName = new Map<string, string>();
  for (const e of schema.enums) {
    const mapped = e.attributes.find((a) => a.block && a.name === 'map')?.args[0]?.value;
    enumByDbName.set(mapped?.kind === 'string' ? mapped.value : e.name, e.name);
  }
  const modelByTable = new Map<string, string>();
  for (const m of schema.models) {
    const mapped = m.attributes.find((a) => a.block && a.name === 'map')?.args[0]?.value;
    modelByTable.set(mapped?.kind === 'string' ? mapped.value : m.name, m.name);
  }
  return {
    enumName: (key) => enumByDbName.get(state.enums[key]?.name ?? key) ?? state.enums[key]?.name,
    modelName: (key) => modelByTable.get(state.tables[key]?.name ?? key),
    datasource: schema.datasource?.name ?? 'db',
  };
}

const POSTGRES_REVERSE: Record<string, (args: number[]) => { base: string; native?: string }> = {
  text: () => ({ base: 'String' }),
  varchar: (a) => ({ base: 'String', native: a.length > 0 ? `VarChar(${a[0]})` : 'VarChar' }),
  bpchar: (a) => ({ base: 'String', native: `Char(${a[0] ?? 1})` }),
  uuid: () => ({ base: 'String', native: 'Uuid' }),
  xml: () => ({ base: 'String', native: 'Xml' }),
  inet: () => ({ base: 'String', native: 'Inet' }),
  citext: () => ({ base: 'String', native: 'Citext' }),
  bit: (a) => ({ base: 'String', native: `Bit(${a[0] ?? 1})` }),
  varbit: (a) => ({ base: 'String', native: a.length > 0 ? `VarBit(${a[0]})` : 'VarBit' }),
  int4: () => ({ base: 'Int' }),
  int2: () => ({ base: 'Int', native: 'SmallInt' }),
  oid: () => ({ base: 'Int', native: 'Oid' }),
  int8: () => ({ base: 'BigInt' }),
  float8: () => ({ base: 'Float' }),
  float4: () => ({ base: 'Float', native: 'Real' }),
  numeric: (a) => ({ base: 'Decimal', ...(a.length === 2 && a[0] === 65 && a[1] === 30 ? {} : { native: a.length > 0 ? `Decimal(${a.join(', ')})` : 'Decimal' }) }),
  money: () => ({ base: 'Decimal', native: 'Money' }),
  bool: () => ({ base: 'Boolean' }),
  timestamp: (a) => ({ base: 'DateTime', ...(a.length === 1 && a[0] === 3 ? {} : { native: a.length > 0 ? `Timestamp(${a[0]})` : 'Timestamp' }) }),
  timestamptz: (a) => ({ base: 'DateTime', native: a.length > 0 ? `Timestamptz(${a[0]})` : 'Timestamptz' }),
  date: () => ({ base: 'DateTime', native: 'Date' }),
  time: (a) => ({ base: 'DateTime', native: a.length > 0 ? `Time(${a[0]})` : 'Time' }),
  timetz: (a) => ({ base: 'DateTime', native: a.length > 0 ? `Timetz(${a[0]})` : 'Timetz' }),
  jsonb: () => ({ base: 'Json' }),
  json: () => ({ base: 'Json', native: 'Json' }),
  bytea: () => ({ base: 'Bytes' }),
};

const SQLITE_REVERSE: Record<string, string> = {
  TEXT: 'String',
  INTEGER: 'Int',
  BIGINT: 'BigInt',
  REAL: 'Float',
  DECIMAL: 'Decimal',
  BOOLEAN: 'Boolean',
  DATETIME: 'DateTime',
  JSONB: 'Json',
  BLOB: 'Bytes',
};

const MYSQL_REVERSE: Record<string, (args: number[]) => { base: string; native?: string }> = {
  varchar: (a) => ({ base: 'String', ...(a[0] === 191 ? {} : { native: `VarChar(${a[0] ?? 191})` }) }),
  text: () => ({ base: 'String', native: 'Text' }),
  int: () => ({ base: 'Int' }),
  bigint: () => ({ base: 'BigInt' }),
  double: () => ({ base: 'Float' }),
  decimal: (a) => ({ base: 'Decimal', ...(a[0] === 65 && a[1] === 30 ? {} : { native: `Decimal(${a.join(', ')})` }) }),
  tinyint: (a) => (a[0] === 1 ? { base: 'Boolean' } : { base: 'Int', native: 'TinyInt' }),
  datetime: (a) => ({ base: 'DateTime', ...(a[0] === 3 ? {} : { native: a.length > 0 ? `DateTime(${a[0]})` : 'DateTime(0)' }) }),
  json: () => ({ base: 'Json' }),
  longblob: () => ({ base: 'Bytes' }),
};

function unsupported(type: ColumnType): string {
  const args = type.args.length > 0 ? `(${type.args.join(',')})` : '';
  return `Unsupported(${JSON.stringify(type.name + args)})`;
}

export function prismaTypeFor(type: ColumnType, provider: Provider, names: NameResolver): PrismaType {
  if (type.isEnum) return { base: names.enumName(type.name) ?? type.name, list: type.array };
  if (provider === 'postgresql') {
    const reverse = POSTGRES_REVERSE[type.name];
    if (reverse) {
      const found = reverse(type.args);
      return { base: found.base, list: type.array, ...(found.native ? { native: `@${names.datasource}.${found.native}` } : {}) };
    }
    return { base: unsupported(type), list: type.array };
  }
  if (provider === 'sqlite') {
    const base = type.args.length === 0 ? SQLITE_REVERSE[type.name] : undefined;
    return { base: base ?? unsupported(type), list: type.array };
  }
  const reverse = MYSQL_REVERSE[type.name];
  if (reverse) {
    const found = reverse(type.args);
    return { base: found.base, list: type.array, ...(found.native ? { native: `@${names.datasource}.${found.native}` } : {}) };
  }
  return { base: unsupported(type), list: type.array };
}

function prismaString(text: string): string {
  return JSON.stringify(text);
}

/** `@default(...)` for a column default, or undefined when the column has none. */
export function prismaDefaultFor(column: DbColumn, type: PrismaType): string | undefined {
  const value = column.default;
  if (!value) return undefined;
  if (value.kind === 'autoincrement') return '@default(autoincrement())';
  const sql = value.sql;
  if (sql === 'current_timestamp' && type.base === 'DateTime') return '@default(now())';
  if (value.kind === 'value' && !type.list) {
    const quoted = /^'((?:[^']|'')*)'$/.exec(sql);
    if (quoted) {
      const text = quoted[1].replace(/''/g, "'");
      if (column.type.isEnum && /^[A-Za-z][A-Za-z0-9_]*$/.test(text)) return `@default(${text})`;
      if (['String', 'Json', 'Decimal', 'DateTime'].includes(type.base)) return `@default(${prismaString(text)})`;
    }
    if (/^-?\d+(\.\d+)?$/.test(sql) && ['Int', 'BigInt', 'Float', 'Decimal'].includes(type.base)) return `@default(${sql})`;
    if ((sql === 'true' || sql === 'false') && type.base === 'Boolean') return `@default(${sql})`;
  }
  return `@default(dbgenerated(${prismaString(sql)}))`;
}

/** One field declaration for a column, single-spaced: `description String? @db.VarChar(200) @ignore`. */
export function fieldDeclaration(
  fieldName: string,
  column: DbColumn,
  provider: Provider,
  names: NameResolver,
  extra: { id?: boolean; unique?: string; attributes?: string[] } = {},
): string {
  const type = prismaTypeFor(column.type, provider, names);
  const suffix = type.list ? '[]' : column.nullable ? '?' : '';
  const parts = [fieldName, `${type.base}${suffix}`];
  if (extra.id) parts.push('@id');
  const fallback = prismaDefaultFor(column, type);
  if (fallback) parts.push(fallback);
  if (extra.unique) parts.push(extra.unique);
  if (fieldName !== column.name) parts.push(`@map(${prismaString(column.name)})`);
  if (type.native) parts.push(type.native);
  parts.push(...(extra.attributes ?? []));
  return parts.join(' ');
}

const ACTIONS: Record<ReferentialAction, string> = {
  CASCADE: 'Cascade',
  RESTRICT: 'Restrict',
  'NO ACTION': 'NoAction',
  'SET NULL': 'SetNull',
  'SET DEFAULT': 'SetDefault',
};

export interface ModelText {
  text: string;
  /** Back-relation fields the referenced models need (Prisma requires both sides of a relation). */
  backRelations: { model: string; field: string; declaration: string }[];
}

/**
 * A whole model block for a table of the state, marked `@@ignore`: Prisma
 * keeps the table (and its indexes and keys) while the client stops using it.
 * Relation fields to other models get their back-relation, marked `@ignore`.
 */
export function modelDeclaration(
  modelName: string,
  tableKey: string,
  state: DbState,
  provider: Provider,
  names: NameResolver,
  takenFieldsOf: (model: string) => Set<string>,
): ModelText | string {
  const table = state.tables[tableKey];
  if (!table) return `table ${tableKey} is not in the database state`;
  const used = new Set<string>();
  const fieldOf = new Map<string, string>();
  for (const column of table.columns) {
    const name = freeName(prismaIdentifier(column.name), (n) => used.has(n));
    used.add(name);
    fieldOf.set(column.name, name);
  }
  const pk = table.primaryKey?.columns ?? [];
  const singleUnique = new Map<string, string>();
  const blockLines: string[] = [];
  for (const index of table.indexes) {
    if (index.where || index.columns.some((c) => c.includes('('))) return `index ${index.name} has an expression or a predicate a Prisma schema cannot describe`;
    const cols = index.columns.map((c) => c.split(' ')[0]);
    const fields = index.columns.map((c) => {
      const [name, ...rest] = c.split(' ');
      const field = fieldOf.get(name) ?? name;
      return rest.includes('DESC') ? `${field}(sort: Desc)` : field;
    });
    if (index.columns.some((c) => c.split(' ').length > 1 && !c.endsWith(' DESC'))) return `index ${index.name} uses an operator class; keep the model by hand`;
    const conventional = index.unique ? uniqueIndexName(table.name, cols, provider) : indexName(table.name, cols, provider);
    const map = index.name === conventional ? '' : `, map: ${prismaString(index.name)}`;
    const method = index.method ? `, type: ${index.method[0].toUpperCase()}${index.method.slice(1)}` : '';
    if (index.unique && cols.length === 1 && !map && !method && !index.columns[0].includes(' ')) singleUnique.set(cols[0], '@unique');
    else blockLines.push(`@@${index.unique ? 'unique' : 'index'}([${fields.join(', ')}]${map}${method})`);
  }
  const lines: string[] = [];
  for (const column of table.columns) {
    const isId = pk.length === 1 && pk[0] === column.name;
    lines.push(fieldDeclaration(fieldOf.get(column.name) ?? column.name, column, provider, names, { id: isId, ...(singleUnique.has(column.name) ? { unique: '@unique' } : {}) }));
  }
  if (table.primaryKey && pk.length === 1 && table.primaryKey.name && table.primaryKey.name !== primaryKeyName(table.name, provider)) {
    const at = table.columns.findIndex((c) => c.name === pk[0]);
    lines[at] = lines[at].replace('@id', `@id(map: ${prismaString(table.primaryKey.name)})`);
  }
  const backRelations: ModelText['backRelations'] = [];
  const perTarget = new Map<string, number>();
  for (const fk of table.foreignKeys) perTarget.set(fk.referencedTable, (perTarget.get(fk.referencedTable) ?? 0) + 1);
  for (const fk of table.foreignKeys) {
    const target = names.modelName(fk.referencedTable);
    if (!target) return `foreign key ${fk.name} points to table ${fk.referencedTable}, which has no model in the schema`;
    if (fk.referencedTable === tableKey) return `foreign key ${fk.name} points to the table itself; keep the model by hand`;
    const relationName = (perTarget.get(fk.referencedTable) ?? 0) > 1 ? `${prismaString(`${modelName}_${fk.columns.join('_')}`)}, ` : '';
    const field = freeName(prismaIdentifier(target.charAt(0).toLowerCase() + target.slice(1)), (n) => used.has(n));
    used.add(field);
    const optional = fk.columns.some((c) => table.columns.find((col) => col.name === c)?.nullable) ? '?' : '';
    const map = fk.name === foreignKeyName(table.name, fk.columns, provider) ? '' : `, map: ${prismaString(fk.name)}`;
    const refFields = fk.columns.map((c) => fieldOf.get(c) ?? c);
    lines.push(`${field} ${target}${optional} @relation(${relationName}fields: [${refFields.join(', ')}], references: [${fk.referencedColumns.join(', ')}], onDelete: ${ACTIONS[fk.onDelete]}, onUpdate: ${ACTIONS[fk.onUpdate]}${map})`);
    const taken = takenFieldsOf(target);
    const backName = freeName(prismaIdentifier(`${modelName.charAt(0).toLowerCase()}${modelName.slice(1)}`), (n) => taken.has(n) || backRelations.some((b) => b.model === target && b.field === n));
    backRelations.push({ model: target, field: backName, declaration: `${backName} ${modelName}[] ${relationName ? `@relation(${relationName.replace(/, $/, '')}) ` : ''}@ignore` });
  }
  if (pk.length > 1) {
    const name = table.primaryKey?.name && table.primaryKey.name !== primaryKeyName(table.name, provider) ? `, map: ${prismaString(table.primaryKey.name)}` : '';
    blockLines.push(`@@id([${pk.map((c) => fieldOf.get(c) ?? c).join(', ')}]${name})`);
  }
  if (modelName !== table.name) blockLines.push(`@@map(${prismaString(table.name)})`);
  if (table.schema) blockLines.push(`@@schema(${prismaString(table.schema)})`);
  blockLines.push('@@ignore');
  const width = Math.max(...lines.map((l) => l.split(' ')[0].length));
  const aligned = lines.map((l) => {
    const [name, ...rest] = l.split(' ');
    return `  ${name.padEnd(width)} ${rest.join(' ')}`;
  });
  const text = [`model ${modelName} {`, ...aligned, '', ...blockLines.map((l) => `  ${l}`), '}'].join('\n');
  return { text, backRelations };
}

// ---------------------------------------------------------------------------
// Rewrites of one existing field declaration

interface LineEdit {
  start: number;
  end: number;
  text: string;
}

/** Small, non-overlapping edits of a single-line field declaration, by column offsets on its line. */
export class FieldRewrite {
  private readonly edits: LineEdit[] = [];
  private readonly line: string;
  private readonly origin: number;

  constructor(
    private readonly field: ScannedField,
    fileText: string,
  ) {
    const lines = fileText.split(/\r?\n/);
    this.line = lines[field.range.start.line] ?? '';
    this.origin = field.range.start.character;
  }

  get singleLine(): boolean {
    return this.field.range.start.line === this.field.range.end.line;
  }

  /** The declaration as written now (without a trailing comment). */
  original(): string {
    return this.line.slice(this.origin, this.field.range.end.character);
  }

  rename(name: string): this {
    this.edits.push({ start: this.field.nameRange.start.character, end: this.field.nameRange.end.character, text: name });
    return this;
  }

  optional(value: boolean): this {
    if (this.field.list) return this;
    const at = this.field.typeRange.end.character;
    if (value && !this.field.optional) this.edits.push({ start: at, end: at, text: '?' });
    if (!value && this.field.optional && this.line[at] === '?') this.edits.push({ start: at, end: at + 1, text: '' });
    return this;
  }

  /** Replaces the type name (keeping `?`/`[]`) and the native type attribute. */
  type(base: string, native: string | undefined): this {
    this.edits.push({ start: this.field.typeRange.start.character, end: this.field.typeRange.end.character, text: base });
    const current = this.field.attributes.find((a) => !a.block && /^[A-Za-z_]\w*\.[A-Za-z]/.test(a.name));
    if (current) this.removeRange(current.range.start.character, current.range.end.character);
    if (native) this.append(native);
    return this;
  }

  removeAttribute(name: string): this {
    for (const attribute of this.field.attributes) {
      if (!attribute.block && attribute.name === name) this.removeRange(attribute.range.start.character, attribute.range.end.character);
    }
    return this;
  }

  hasAttribute(name: string): boolean {
    return this.field.attributes.some((a) => !a.block && a.name === name);
  }

  /** Sets `@map("column")`, replacing an existing one. */
  map(column: string): this {
    this.removeAttribute('map');
    return this.append(`@map(${prismaString(column)})`);
  }

  append(attribute: string): this {
    const end = this.field.range.end.character;
    this.edits.push({ start: end, end, text: ` ${attribute}` });
    return this;
  }

  private removeRange(start: number, end: number): void {
    let from = start;
    while (from > this.origin && this.line[from - 1] === ' ') from--;
    this.edits.push({ start: from, end, text: '' });
  }

  /** The rewritten declaration, single-spaced where attributes were removed. */
  text(): string {
    let line = this.line;
    // From the end backwards; at one column the later edit first, so that `?` stays before an appended attribute.
    const sorted = this.edits.map((edit, index) => ({ edit, index })).sort((a, b) => b.edit.start - a.edit.start || b.edit.end - a.edit.end || b.index - a.index);
    for (const { edit } of sorted) line = line.slice(0, edit.start) + edit.text + line.slice(edit.end);
    const delta = this.edits.reduce((sum, e) => sum + e.text.length - (e.end - e.start), 0);
    return line.slice(this.origin, this.field.range.end.character + delta);
  }
}

/** The columns a table has that are used by keys or indexes, for planners that cannot move them. */
export function columnRoles(table: DbTable, column: string): string[] {
  const roles: string[] = [];
  if (table.primaryKey?.columns.includes(column)) roles.push('the primary key');
  for (const index of table.indexes) if (index.columns.some((c) => c.split(' ')[0] === column)) roles.push(`index ${index.name}`);
  for (const fk of table.foreignKeys) if (fk.columns.includes(column)) roles.push(`foreign key ${fk.name}`);
  return roles;
}
