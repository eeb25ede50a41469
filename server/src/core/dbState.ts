/**
 * DbState: the one vocabulary of the core. Both the schema side (map) and the
 * migrations side (replay) produce it; diff compares two of them; rules never
 * see anything else. Everything here is plain data so states can be cloned,
 * cached and serialised.
 *
 * Canonical forms matter: the two producers must write the same value for the
 * same database object, or the diff reports phantom changes. The helpers at the
 * bottom of this file are the single definition of those forms.
 */

export type Provider = 'postgresql' | 'sqlite' | 'mysql';

/** The database's own name, for messages. */
export function providerName(provider: Provider): string {
  return provider === 'postgresql' ? 'PostgreSQL' : provider === 'sqlite' ? 'SQLite' : 'MySQL';
}

/**
 * A column type in canonical form.
 * PostgreSQL: the catalog name (`int4`, `int8`, `int2`, `float4`, `float8`,
 * `numeric`, `varchar`, `bpchar`, `text`, `bool`, `timestamp`, `timestamptz`,
 * `date`, `time`, `timetz`, `jsonb`, `json`, `bytea`, `uuid`, `xml`, `inet`,
 * `citext`, `money`, `oid`, `bit`, `varbit`, ...); `serial` is `int4` plus an
 * autoincrement default. SQLite: the declared type upper-cased (`TEXT`,
 * `INTEGER`, `DATETIME`, `REAL`, `BOOLEAN`, `DECIMAL`, `BLOB`, `BIGINT`, `JSONB`).
 * MySQL: lower-case (`varchar`, `int`, `datetime`, ...).
 * User-defined enum types: `name` is the enum's key in `DbState.enums`,
 * `isEnum` true.
 */
export interface ColumnType {
  name: string;
  /** Type modifiers: `varchar(255)` → [255], `numeric(65,30)` → [65, 30], `timestamp(3)` → [3]. */
  args: number[];
  array: boolean;
  isEnum: boolean;
  /** MySQL inline `ENUM('A','B')` values; undefined elsewhere. */
  enumValues?: string[];
}

/**
 * How a default is classified (both producers follow this; `sameDefault` compares
 * only the normalised SQL, so the kind matters to rules, not to the diff):
 * - `DEFAULT NULL` is no default;
 * - `serial`, `nextval(...)` and identity columns are `autoincrement`;
 * - a literal, a cast of a literal, or an array of literals (`'USER'::"Role"`, `0`,
 *   `false`, `ARRAY[]::text[]`, `'{}'::jsonb`) is `value`;
 * - anything else is `expression`: `CURRENT_TIMESTAMP`/`now()` (stable, so
 *   `volatile: false`), `gen_random_uuid()` (`volatile: true`), operators.
 * `sql` is stored normalised with `normalizeDefaultSql` in both kinds.
 */
export type DbDefault =
  /** serial / autoincrement / sequence-backed. */
  | { kind: 'autoincrement' }
  /** A literal (optionally cast), normalised with `normalizeDefaultSql`. */
  | { kind: 'value'; sql: string }
  /** A function call or other expression (`gen_random_uuid()` is volatile; `now()` is NOT volatile in PG terms but is per-statement). */
  | { kind: 'expression'; sql: string; volatile: boolean };

export interface DbColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  default?: DbDefault;
  /** GENERATED ALWAYS AS (...) STORED, identity columns etc., kept as text for drift-free comparison. */
  generated?: string;
}

export interface DbIndex {
  name: string;
  /**
   * Column names, in order. An operator class and a `DESC` sort are kept as a
   * suffix after the bare name and one space, in SQL order: `createdAt DESC`,
   * `email gin_trgm_ops`, `tags array_ops DESC`. An expression (replay only; a
   * Prisma schema cannot write one) is its SQL and always contains a parenthesis:
   * `lower(email)`, `(a + 1)`.
   */
  columns: string[];
  unique: boolean;
  /** Index method when not btree (`gin`, `gist`, `hash`, `brin`). */
  method?: string;
  /**
   * Partial index predicate, as SQL. Compared only when the schema side has the
   * `partialIndexes` preview feature (`DbState.partialIndexes`); otherwise the
   * index is compared as the plain index on its columns, as Prisma's engine does.
   */
  where?: string;
  /** `INCLUDE (...)` columns, in order; Prisma's schema cannot state them, so the diff does not compare them. */
  include?: string[];
  /** `NULLS NOT DISTINCT` (PostgreSQL 15+) on a unique index. */
  nullsNotDistinct?: boolean;
  /**
   * Replay only, never compared: the index of a UNIQUE constraint (`ADD
   * CONSTRAINT ... UNIQUE`, `UNIQUE` in `CREATE TABLE`) rather than a unique
   * index. PostgreSQL refuses to drop it with `DROP INDEX`, and names its copies `_key`.
   */
  constraint?: boolean;
}

export type ReferentialAction = 'CASCADE' | 'RESTRICT' | 'NO ACTION' | 'SET NULL' | 'SET DEFAULT';

export interface DbForeignKey {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface DbPrimaryKey {
  name?: string;
  columns: string[];
}

export interface DbTable {
  /** Database name of the table (after `@@map`). */
  name: string;
  /** Database schema (PostgreSQL `@@schema`); undefined means the default schema. */
  schema?: string;
  columns: DbColumn[];
  primaryKey?: DbPrimaryKey;
  /** Unique constraints and unique indexes both live here with `unique: true`. */
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
  /** PostgreSQL row-level security enabled on the table. */
  rowLevelSecurity?: boolean;
  /**
   * Created from a query (`CREATE TABLE ... AS SELECT`, `SELECT ... INTO`): its
   * columns are whatever the query returned, which the replay does not evaluate,
   * so the diff compares nothing inside it and never reports it dropped.
   */
  fromQuery?: boolean;
}

export interface DbEnum {
  name: string;
  schema?: string;
  values: string[];
}

/** Database objects other than tables and enums: recorded so later statements find them, never diffed as tables. */
export type DbObjectKind = 'view' | 'materializedView' | 'function' | 'procedure' | 'trigger' | 'sequence' | 'extension' | 'schema';

export interface DbObject {
  kind: DbObjectKind;
  name: string;
  /** Database schema; undefined is the default schema (extensions and schemas have none). */
  schema?: string;
  /** Triggers: the key of the table (or view) they fire on. */
  table?: string;
}

export interface DbState {
  provider: Provider;
  /** Keyed by `tableKey(schema, name)`. */
  tables: Record<string, DbTable>;
  /** Keyed by `tableKey(schema, name)`. */
  enums: Record<string, DbEnum>;
  /**
   * Views, materialized views, functions, procedures, triggers, sequences,
   * extensions and schemas, keyed by `objectKey(...)`. The replay records what
   * migrations create; the schema side records its `view` blocks.
   */
  objects?: Record<string, DbObject>;
  /**
   * Schema side only: the database schemas Prisma manages (the datasource's
   * `schemas = [...]`, else the default schema; the default schema is written
   * `public`). Tables, enums and indexes elsewhere are outside the diff, as they
   * are for Prisma's engine. Undefined: only the default schema.
   */
  managedSchemas?: string[];
  /** Schema side only: the `partialIndexes` preview feature is on, so index predicates are compared. */
  partialIndexes?: boolean;
}

export function emptyState(provider: Provider): DbState {
  return { provider, tables: {}, enums: {} };
}

/** Key of a DbState object: views and materialized views share the relation namespace with tables, the others have their own. */
export function objectKey(kind: DbObjectKind, schema: string | undefined, name: string, table?: string): string {
  if (kind === 'trigger') return `trigger:${table ?? ''}#${name}`;
  const namespace = kind === 'view' || kind === 'materializedView' ? 'relation' : kind === 'procedure' ? 'function' : kind;
  return `${namespace}:${tableKey(schema, name)}`;
}

/** Whether a table, enum or object in `schema` (undefined: the default schema) is one Prisma manages in `expected`. */
export function managedSchema(expected: DbState, schema: string | undefined): boolean {
  const managed = expected.managedSchemas ?? ['public'];
  return managed.includes(schema ?? 'public');
}

/** `name` in the default schema, `schema.name` elsewhere. */
export function tableKey(schema: string | undefined, name: string): string {
  return schema && schema !== 'public' ? `${schema}.${name}` : name;
}

export function cloneState(state: DbState): DbState {
  return structuredClone(state);
}

export function formatType(type: ColumnType): string {
  let text = type.isEnum ? `enum ${type.name}` : type.name;
  if (type.enumValues) text = `enum(${type.enumValues.map((v) => `'${v}'`).join(',')})`;
  if (type.args.length > 0) text += `(${type.args.join(',')})`;
  if (type.array) text += '[]';
  return text;
}

/**
 * PostgreSQL's time types without a precision have precision 6, which is what
 * its catalog reports and what Prisma's engine compares: `timestamptz` and
 * `@db.Timestamptz(6)` are one type. Other types compare as written.
 */
const POSTGRES_PRECISION_SIX = new Set(['timestamp', 'timestamptz', 'time', 'timetz', 'interval']);

export function canonicalType(type: ColumnType, provider: Provider): ColumnType {
  if (provider === 'postgresql' && type.args.length === 0 && !type.isEnum && POSTGRES_PRECISION_SIX.has(type.name)) return { ...type, args: [6] };
  return type;
}

export function sameType(a: ColumnType, b: ColumnType, provider?: Provider): boolean {
  if (provider) return formatType(canonicalType(a, provider)) === formatType(canonicalType(b, provider));
  return formatType(a) === formatType(b);
}

/**
 * Normalises default-value SQL so that `'USER'::"Role"`, `'USER'`, and
 * `'USER'::text` compare equal, as do `CURRENT_TIMESTAMP` and `current_timestamp`,
 * `now()` and `NOW()`. Both producers pass default SQL through here.
 * `now()` and `transaction_timestamp()` are the same function as
 * `CURRENT_TIMESTAMP` (Prisma treats them as one `now()` too), so they all
 * normalise to `current_timestamp`.
 */
export function normalizeDefaultSql(sql: string): string {
  let text = sql.trim();
  // Strip trailing casts (`::text`, `::"Role"`, `::public."Role"`, `::character varying`, `::jsonb`, `::text[]`), repeatedly.
  for (;;) {
    const next = text.replace(/::\s*(?:(?:"[^"]+"|[a-z_][a-z0-9_]*)\s*\.\s*)?("[^"]+"|[a-z_][a-z0-9_ ]*(\([0-9, ]+\))?)(\[\])?\s*$/i, '').trim();
    if (next === text) break;
    text = next;
  }
  if (text.startsWith('(') && text.endsWith(')') && balanced(text.slice(1, -1))) {
    return normalizeDefaultSql(text.slice(1, -1));
  }
  // Keywords and function names are case-insensitive; string literals are not.
  const normalized = text.replace(/'(?:[^']|'')*'|[^']+/g, (part) => (part.startsWith("'") ? part : part.toLowerCase().replace(/\s+/g, ' ')));
  return /^(now|transaction_timestamp)\s*\(\s*\)$/.test(normalized) ? 'current_timestamp' : normalized;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

const NUMERIC_TYPE_NAMES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'money', 'int', 'integer', 'bigint', 'smallint', 'tinyint', 'mediumint', 'decimal', 'float', 'double', 'real', 'INTEGER', 'REAL', 'DECIMAL', 'BIGINT', 'NUMERIC', 'FLOAT', 'DOUBLE']);

/**
 * A default's SQL in the form the column's type makes it mean: on a numeric
 * column `2.00`, `'2.00'` and `2.0` are the number 2 (Prisma writes
 * `@default(2.0)` and `@default("2.00")` for a Decimal, PostgreSQL keeps what
 * the migration wrote); on a JSON column `'{"a": 1}'` and `'{"a":1}'` are one
 * document. Anything else is its normalised SQL.
 */
export function defaultMeaning(sql: string, type?: ColumnType): string {
  const text = normalizeDefaultSql(sql);
  if (!type || type.array || type.isEnum) return text;
  if (NUMERIC_TYPE_NAMES.has(type.name)) {
    const match = /^'?\s*([-+]?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?\s*'?$/i.exec(text);
    if (match && (match[2] || match[3]) && text.startsWith("'") === text.endsWith("'")) {
      const whole = match[2].replace(/^0+(?=\d)/, '') || '0';
      const fraction = (match[3] ?? '').replace(/0+$/, '');
      const exponent = match[4] ? `e${Number(match[4])}` : '';
      const sign = match[1] === '-' && (whole !== '0' || fraction !== '') ? '-' : '';
      return `${sign}${whole}${fraction ? `.${fraction}` : ''}${exponent}`;
    }
    return text;
  }
  if (type.name === 'json' || type.name === 'jsonb' || type.name === 'JSONB' || type.name === 'JSON') {
    const match = /^'((?:[^']|'')*)'$/s.exec(text);
    if (!match) return text;
    try {
      return `json:${canonicalJson(JSON.parse(match[1].replace(/''/g, "'")))}`;
    } catch {
      return text;
    }
  }
  return text;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Same database default; with the column's type, literals compare by what they mean for it (`defaultMeaning`). */
export function sameDefault(a: DbDefault | undefined, b: DbDefault | undefined, type?: ColumnType): boolean {
  if (!a || !b) return !a && !b;
  if (a.kind === 'autoincrement' || b.kind === 'autoincrement') return a.kind === b.kind;
  return defaultMeaning(a.sql, type) === defaultMeaning(b.sql, type);
}

export function findColumn(table: DbTable, name: string): DbColumn | undefined {
  return table.columns.find((c) => c.name === name);
}

/**
 * PostgreSQL functions marked IMMUTABLE or STABLE that appear in column defaults
 * (the "current time" family is STABLE: evaluated once per statement). Any other
 * function counts as volatile, as PostgreSQL assumes for user functions. Both the
 * schema side and the migrations side classify defaults with this one list.
 */
export const NON_VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_setting', 'current_database', 'current_schema',
  'lower', 'upper', 'length', 'concat', 'concat_ws', 'md5', 'sha256', 'encode', 'decode', 'btrim', 'ltrim', 'rtrim', 'trim',
  'substring', 'substr', 'replace', 'left', 'right', 'lpad', 'rpad', 'to_char', 'to_date', 'to_timestamp', 'to_number',
  'date_trunc', 'date_part', 'extract', 'make_interval', 'make_date', 'make_timestamp', 'make_timestamptz', 'timezone',
  'jsonb_build_object', 'json_build_object', 'jsonb_build_array', 'json_build_array', 'to_jsonb', 'to_json',
  'array_length', 'cardinality', 'abs', 'round', 'floor', 'ceil', 'ceiling', 'greatest', 'least', 'coalesce',
  'to_tsvector', 'to_tsquery', 'plainto_tsquery', 'setweight', 'int4', 'int8', 'text', 'numeric', 'current_timestamp',
]);
