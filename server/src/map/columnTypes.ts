import type { ColumnType, Provider } from '../core/dbState';
import { canonicalMysqlType } from './mysqlTypes';

/**
 * Prisma scalar and native types → canonical DbState column types (see
 * core/dbState.ts). The PostgreSQL names are what the PostgreSQL parser makes
 * of the SQL Prisma writes (`DOUBLE PRECISION` → float8, `CHAR` → bpchar(1)),
 * so the mapped schema and the replayed migrations meet on the same values.
 */

export const SCALAR_TYPES = new Set(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

function type(name: string, args: number[] = []): ColumnType {
  return { name, args, array: false, isEnum: false };
}

const POSTGRES_SCALARS: Record<string, ColumnType> = {
  String: type('text'),
  Int: type('int4'),
  BigInt: type('int8'),
  Float: type('float8'),
  Decimal: type('numeric', [65, 30]),
  Boolean: type('bool'),
  DateTime: type('timestamp', [3]),
  Json: type('jsonb'),
  Bytes: type('bytea'),
};

// Prisma writes these on SQLite (the renderer's column type families); Json is JSONB since SQLite got Json support.
const SQLITE_SCALARS: Record<string, ColumnType> = {
  String: type('TEXT'),
  Int: type('INTEGER'),
  BigInt: type('BIGINT'),
  Float: type('REAL'),
  Decimal: type('DECIMAL'),
  Boolean: type('BOOLEAN'),
  DateTime: type('DATETIME'),
  Json: type('JSONB'),
  Bytes: type('BLOB'),
};

// What Prisma writes on MySQL (VARCHAR(191), INTEGER, BOOLEAN, DATETIME(3), ...) as MySQL reports it (map/mysqlTypes.ts).
const MYSQL_SCALARS: Record<string, ColumnType> = {
  String: type('varchar', [191]),
  Int: type('int'),
  BigInt: type('bigint'),
  Float: type('double'),
  Decimal: type('decimal', [65, 30]),
  Boolean: type('tinyint', [1]),
  DateTime: type('datetime', [3]),
  Json: type('json'),
  Bytes: type('longblob'),
};

export function scalarColumnType(scalar: string, provider: Provider): ColumnType | undefined {
  const table = provider === 'postgresql' ? POSTGRES_SCALARS : provider === 'sqlite' ? SQLITE_SCALARS : MYSQL_SCALARS;
  const found = table[scalar];
  return found ? { ...found, args: [...found.args] } : undefined;
}

interface NativeSpec {
  name: string;
  /** Number of arguments accepted. */
  maxArgs: number;
  /** Arguments PostgreSQL fills in when none are written (`CHAR` is `char(1)`). */
  implicitArgs?: number[];
}

const POSTGRES_NATIVE: Record<string, NativeSpec> = {
  Text: { name: 'text', maxArgs: 0 },
  Char: { name: 'bpchar', maxArgs: 1, implicitArgs: [1] },
  VarChar: { name: 'varchar', maxArgs: 1 },
  Bit: { name: 'bit', maxArgs: 1, implicitArgs: [1] },
  VarBit: { name: 'varbit', maxArgs: 1 },
  Uuid: { name: 'uuid', maxArgs: 0 },
  Xml: { name: 'xml', maxArgs: 0 },
  Json: { name: 'json', maxArgs: 0 },
  JsonB: { name: 'jsonb', maxArgs: 0 },
  Inet: { name: 'inet', maxArgs: 0 },
  Citext: { name: 'citext', maxArgs: 0 },
  Money: { name: 'money', maxArgs: 0 },
  Oid: { name: 'oid', maxArgs: 0 },
  ByteA: { name: 'bytea', maxArgs: 0 },
  Boolean: { name: 'bool', maxArgs: 0 },
  Date: { name: 'date', maxArgs: 0 },
  Integer: { name: 'int4', maxArgs: 0 },
  Int: { name: 'int4', maxArgs: 0 },
  SmallInt: { name: 'int2', maxArgs: 0 },
  BigInt: { name: 'int8', maxArgs: 0 },
  Real: { name: 'float4', maxArgs: 0 },
  DoublePrecision: { name: 'float8', maxArgs: 0 },
  Decimal: { name: 'numeric', maxArgs: 2 },
  Timestamp: { name: 'timestamp', maxArgs: 1 },
  Timestamptz: { name: 'timestamptz', maxArgs: 1 },
  Time: { name: 'time', maxArgs: 1 },
  Timetz: { name: 'timetz', maxArgs: 1 },
};

const MYSQL_NATIVE: Record<string, NativeSpec> = {
  VarChar: { name: 'varchar', maxArgs: 1 },
  Char: { name: 'char', maxArgs: 1 },
  Text: { name: 'text', maxArgs: 0 },
  TinyText: { name: 'tinytext', maxArgs: 0 },
  MediumText: { name: 'mediumtext', maxArgs: 0 },
  LongText: { name: 'longtext', maxArgs: 0 },
  Int: { name: 'int', maxArgs: 0 },
  UnsignedInt: { name: 'int unsigned', maxArgs: 0 },
  SmallInt: { name: 'smallint', maxArgs: 0 },
  UnsignedSmallInt: { name: 'smallint unsigned', maxArgs: 0 },
  TinyInt: { name: 'tinyint', maxArgs: 0 },
  UnsignedTinyInt: { name: 'tinyint unsigned', maxArgs: 0 },
  MediumInt: { name: 'mediumint', maxArgs: 0 },
  UnsignedMediumInt: { name: 'mediumint unsigned', maxArgs: 0 },
  BigInt: { name: 'bigint', maxArgs: 0 },
  UnsignedBigInt: { name: 'bigint unsigned', maxArgs: 0 },
  Double: { name: 'double', maxArgs: 0 },
  Float: { name: 'float', maxArgs: 0 },
  Decimal: { name: 'decimal', maxArgs: 2 },
  Timestamp: { name: 'timestamp', maxArgs: 1 },
  DateTime: { name: 'datetime', maxArgs: 1 },
  Date: { name: 'date', maxArgs: 0 },
  Time: { name: 'time', maxArgs: 1 },
  Year: { name: 'year', maxArgs: 0 },
  Json: { name: 'json', maxArgs: 0 },
  Bit: { name: 'bit', maxArgs: 1 },
  Binary: { name: 'binary', maxArgs: 1 },
  VarBinary: { name: 'varbinary', maxArgs: 1 },
  TinyBlob: { name: 'tinyblob', maxArgs: 0 },
  Blob: { name: 'blob', maxArgs: 0 },
  MediumBlob: { name: 'mediumblob', maxArgs: 0 },
  LongBlob: { name: 'longblob', maxArgs: 0 },
};

/**
 * `@db.VarChar(255)` → varchar(255). `args` are the attribute's numeric
 * arguments. Returns undefined for a native type the provider does not have.
 */
export function nativeColumnType(native: string, args: number[], provider: Provider): ColumnType | undefined {
  const table = provider === 'postgresql' ? POSTGRES_NATIVE : provider === 'mysql' ? MYSQL_NATIVE : undefined;
  const spec = table?.[native];
  if (!spec) return undefined;
  const used = args.slice(0, spec.maxArgs);
  // MySQL: the form the server reports (`@db.Timestamp(0)` is `timestamp`, `@db.Char` is `char(1)`).
  if (provider === 'mysql') return canonicalMysqlType({ name: spec.name, args: used });
  return type(spec.name, used.length > 0 ? used : [...(spec.implicitArgs ?? [])]);
}

const POSTGRES_ALIASES: Record<string, { name: string; implicitArgs?: number[] }> = {
  int: { name: 'int4' },
  integer: { name: 'int4' },
  int4: { name: 'int4' },
  serial: { name: 'int4' },
  serial4: { name: 'int4' },
  smallint: { name: 'int2' },
  int2: { name: 'int2' },
  smallserial: { name: 'int2' },
  bigint: { name: 'int8' },
  int8: { name: 'int8' },
  bigserial: { name: 'int8' },
  real: { name: 'float4' },
  float4: { name: 'float4' },
  'double precision': { name: 'float8' },
  float8: { name: 'float8' },
  float: { name: 'float8' },
  boolean: { name: 'bool' },
  bool: { name: 'bool' },
  'character varying': { name: 'varchar' },
  varchar: { name: 'varchar' },
  character: { name: 'bpchar', implicitArgs: [1] },
  char: { name: 'bpchar', implicitArgs: [1] },
  bpchar: { name: 'bpchar' },
  decimal: { name: 'numeric' },
  numeric: { name: 'numeric' },
  timestamp: { name: 'timestamp' },
  'timestamp without time zone': { name: 'timestamp' },
  timestamptz: { name: 'timestamptz' },
  'timestamp with time zone': { name: 'timestamptz' },
  time: { name: 'time' },
  'time without time zone': { name: 'time' },
  timetz: { name: 'timetz' },
  'time with time zone': { name: 'timetz' },
  bit: { name: 'bit', implicitArgs: [1] },
  'bit varying': { name: 'varbit' },
  varbit: { name: 'varbit' },
};

/**
 * The type text of `Unsupported("...")` in canonical form. Whatever is not a
 * known alias keeps its (lower-cased, unless quoted) name; modifiers that are
 * not plain numbers stay part of the name (`geometry(point,4326)`).
 */
export function unsupportedColumnType(text: string, provider: Provider): ColumnType {
  let body = text.trim();
  let array = false;
  while (body.endsWith('[]')) {
    array = true;
    body = body.slice(0, -2).trim();
  }
  let args: number[] = [];
  let argText: string | undefined;
  const paren = /^([^(]*)\(([^)]*)\)\s*$/.exec(body);
  let name = body;
  if (paren) {
    name = paren[1].trim();
    argText = paren[2];
    const parts = argText.split(',').map((part) => part.trim());
    if (parts.every((part) => /^-?\d+$/.test(part))) args = parts.map(Number);
    else argText = parts.join(',');
  }
  if (provider === 'sqlite') {
    const upper = name.toUpperCase().replace(/\s+/g, ' ');
    return { name: argText !== undefined && args.length === 0 ? `${upper}(${argText})` : upper, args, array, isEnum: false };
  }
  if (provider === 'mysql') {
    const lower = name.toLowerCase().replace(/\s+/g, ' ');
    if (argText !== undefined && args.length === 0) return { name: `${lower}(${argText})`, args, array, isEnum: false };
    return { ...canonicalMysqlType({ name: lower, args }), array };
  }
  const quoted = /^"(.*)"$/.exec(name);
  let canonical = quoted ? quoted[1] : name.toLowerCase().replace(/\s+/g, ' ');
  const alias = quoted ? undefined : POSTGRES_ALIASES[canonical];
  if (alias) {
    canonical = alias.name;
    if (args.length === 0 && argText === undefined && alias.implicitArgs) args = [...alias.implicitArgs];
  }
  if (argText !== undefined && args.length === 0) canonical = `${canonical}(${argText.toLowerCase()})`;
  return { name: canonical, args, array, isEnum: false };
}

/** The SQL spelling Prisma uses for a column type, for `ARRAY[...]::TYPE[]` list defaults. */
export function renderPostgresType(columnType: ColumnType, enumSqlName?: string): string {
  if (columnType.isEnum) return `"${enumSqlName ?? columnType.name}"${columnType.array ? '[]' : ''}`;
  const names: Record<string, string> = {
    text: 'TEXT',
    int4: 'INTEGER',
    int8: 'BIGINT',
    int2: 'SMALLINT',
    float8: 'DOUBLE PRECISION',
    float4: 'REAL',
    numeric: 'DECIMAL',
    bool: 'BOOLEAN',
    timestamp: 'TIMESTAMP',
    timestamptz: 'TIMESTAMPTZ',
    jsonb: 'JSONB',
    json: 'JSON',
    bytea: 'BYTEA',
    bpchar: 'CHAR',
    varchar: 'VARCHAR',
  };
  const base = names[columnType.name] ?? columnType.name.toUpperCase();
  const args = columnType.args.length > 0 ? `(${columnType.args.join(',')})` : '';
  return `${base}${args}${columnType.array ? '[]' : ''}`;
}
