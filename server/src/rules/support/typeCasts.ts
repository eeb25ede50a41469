import type { ColumnType, Provider } from '../../core/dbState';

/**
 * What a column type change costs on a table that has rows.
 * - `free`: metadata only, no rewrite, cannot fail (varchar widening, varchar → text).
 * - `rewrite`: every value converts, but the table is rewritten under an exclusive lock.
 * - `mayFail`: the cast can fail on existing values (narrowing) and rewrites the table.
 * - `dropsData`: Prisma cannot cast: it drops and recreates the column, losing every value.
 */
export type CastCost = 'free' | 'rewrite' | 'mayFail' | 'dropsData';

const PG_INTEGER_RANK: Record<string, number> = { int2: 1, int4: 2, int8: 3 };
const PG_FLOAT_RANK: Record<string, number> = { float4: 1, float8: 2 };
const PG_TEXTUAL = new Set(['text', 'varchar', 'bpchar', 'citext']);
const PG_NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'money']);
const PG_TIME = new Set(['timestamp', 'timestamptz', 'date', 'time', 'timetz']);

/** The values each MySQL integer type holds, as SQL literals (bigint unsigned is beyond a JavaScript number). */
export const MYSQL_INTEGER_RANGES: Record<string, [string, string]> = {
  tinyint: ['-128', '127'],
  smallint: ['-32768', '32767'],
  mediumint: ['-8388608', '8388607'],
  int: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
  'tinyint unsigned': ['0', '255'],
  'smallint unsigned': ['0', '65535'],
  'mediumint unsigned': ['0', '16777215'],
  'int unsigned': ['0', '4294967295'],
  'bigint unsigned': ['0', '18446744073709551615'],
};

export function classifyCast(provider: Provider, from: ColumnType, to: ColumnType): CastCost {
  if (from.array !== to.array) return 'dropsData';
  if (provider === 'sqlite') return classifySqlite(from, to);
  if (provider === 'mysql') return classifyMysql(from, to);
  return classifyPostgres(from, to);
}

function classifyPostgres(from: ColumnType, to: ColumnType): CastCost {
  const a = from.name;
  const b = to.name;
  if (from.isEnum || to.isEnum) {
    // Enum to text keeps every value. To an enum, from text or from another enum, Prisma's engine drops the
    // column and adds it again (dittofeed's support_new_broadcast_flow: DBCompletionStatus → DBBroadcastStatus);
    // a cast through text would also need the default dropped first.
    if (from.isEnum && PG_TEXTUAL.has(b) && b !== 'bpchar') return to.args.length === 0 ? 'rewrite' : 'mayFail';
    return from.isEnum && to.isEnum && a === b ? 'free' : 'dropsData';
  }
  if (a === b) {
    if (a === 'varchar' || a === 'bpchar' || a === 'bit' || a === 'varbit') {
      if (to.args.length === 0 && a === 'varchar') return 'free';
      if (from.args.length === 0) return 'mayFail';
      if (a === 'bpchar' && to.args[0] !== from.args[0]) return to.args[0] > from.args[0] ? 'rewrite' : 'mayFail';
      return to.args[0] >= from.args[0] ? 'free' : 'mayFail';
    }
    if (a === 'numeric') {
      if (to.args.length === 0) return 'free';
      if (from.args.length === 0) return 'mayFail';
      const [p1, s1 = 0] = from.args;
      const [p2, s2 = 0] = to.args;
      if (s1 === s2 && p2 >= p1) return 'free';
      return p2 - s2 >= p1 - s1 && s2 >= s1 ? 'rewrite' : 'mayFail';
    }
    if (a === 'timestamp' || a === 'timestamptz' || a === 'time' || a === 'timetz') {
      // Raising the precision is metadata-only (PostgreSQL 9.2+); lowering it rounds every value, so the table is rewritten.
      const fromPrecision = from.args[0] ?? 6;
      const toPrecision = to.args[0] ?? 6;
      return toPrecision >= fromPrecision ? 'free' : 'rewrite';
    }
    return 'free';
  }
  if (a === 'varchar' && b === 'text') return 'free';
  if (a === 'citext' && b === 'text') return 'free';
  if (PG_TEXTUAL.has(a) && PG_TEXTUAL.has(b)) return b === 'text' || (b === 'varchar' && to.args.length === 0) ? 'rewrite' : 'mayFail';
  if (b === 'text' || (b === 'varchar' && to.args.length === 0)) return 'rewrite';
  if (PG_TEXTUAL.has(b)) return 'mayFail';
  if (a in PG_INTEGER_RANK && b in PG_INTEGER_RANK) return PG_INTEGER_RANK[b] > PG_INTEGER_RANK[a] ? 'rewrite' : 'mayFail';
  if (a in PG_FLOAT_RANK && b in PG_FLOAT_RANK) return PG_FLOAT_RANK[b] > PG_FLOAT_RANK[a] ? 'rewrite' : 'mayFail';
  if (a in PG_INTEGER_RANK && (b === 'numeric' || b === 'float8')) return 'rewrite';
  if (PG_NUMERIC.has(a) && PG_NUMERIC.has(b)) return 'mayFail';
  if (a === 'timestamp' && b === 'timestamptz') return 'rewrite';
  if (a === 'timestamptz' && b === 'timestamp') return 'rewrite';
  if (a === 'date' && (b === 'timestamp' || b === 'timestamptz')) return 'rewrite';
  if (PG_TIME.has(a) && PG_TIME.has(b)) return 'mayFail';
  if (a === 'json' && b === 'jsonb') return 'rewrite';
  if (a === 'jsonb' && b === 'json') return 'rewrite';
  if (a === 'bool' && b in PG_INTEGER_RANK) return 'rewrite';
  // Text to number, uuid, json, timestamp and the like: Prisma cannot cast them and recreates the column.
  return 'dropsData';
}

function classifySqlite(from: ColumnType, to: ColumnType): CastCost {
  // SQLite keeps any value in any column; Prisma still copies the table to change a declared type.
  return from.name === to.name && from.args.join() === to.args.join() ? 'free' : 'rewrite';
}

/**
 * MySQL 8 / InnoDB, for a MODIFY that changes the type (Prisma writes one per
 * changed column):
 * - `free`: INSTANT or in-place metadata change: VARCHAR widened while its
 *   length prefix stays one byte (under 256 bytes, 63 utf8mb4 characters) or
 *   was already two; ENUM values appended at the end (INSTANT while the ENUM
 *   keeps its storage size: up to 255 values); a new precision that is only
 *   display (integer widths).
 * - `rewrite`: every other type change is ALGORITHM=COPY — the table is copied
 *   row by row and writes are blocked until it ends — and here every value fits.
 * - `mayFail`: the same copy, and a value that does not fit stops it in strict
 *   mode (`Data truncated`, `Out of range`); without strict mode it is silently
 *   cut or clamped.
 * - `dropsData`: types Prisma's MySQL differ cannot cast (temporal ↔ numeric,
 *   JSON → numbers or dates, ...): it drops the column and adds it again.
 * ENUM changes that remove a value are remove-enum-value's business.
 */
function classifyMysql(from: ColumnType, to: ColumnType): CastCost {
  if (from.enumValues || to.enumValues) return classifyMysqlEnum(from, to);
  const a = mysqlFamily(from);
  const b = mysqlFamily(to);
  if (from.name === to.name && from.args.join() === to.args.join()) return 'free';
  if (a.kind === 'string' && b.kind === 'string') {
    if (from.name === 'varchar' && to.name === 'varchar' && b.length >= a.length) {
      // In place while the length prefix keeps its size; crossing 255 bytes copies the table.
      const fromBytes = a.length * 4;
      const toBytes = b.length * 4;
      return fromBytes < 256 && toBytes >= 256 ? 'rewrite' : 'free';
    }
    return b.length >= a.length ? 'rewrite' : 'mayFail';
  }
  if (a.kind === 'binary' && b.kind === 'binary') return b.length >= a.length ? 'rewrite' : 'mayFail';
  if (a.kind === 'integer' && b.kind === 'integer') {
    if (from.name === 'tinyint' && from.args[0] === 1 && to.name === 'tinyint') return 'free';
    return b.min <= a.min && b.max >= a.max ? 'rewrite' : 'mayFail';
  }
  if (a.kind === 'integer' && b.kind === 'decimal') return b.integerDigits >= a.digits ? 'rewrite' : 'mayFail';
  if (a.kind === 'integer' && b.kind === 'float') return a.digits <= (to.name.startsWith('double') ? 15 : 6) ? 'rewrite' : 'mayFail';
  if (a.kind === 'decimal' && b.kind === 'decimal') return b.integerDigits >= a.integerDigits && b.scale >= a.scale ? 'rewrite' : 'mayFail';
  if (a.kind === 'float' && b.kind === 'float') return to.name.startsWith('double') || from.name === to.name ? 'rewrite' : 'mayFail';
  if ((a.kind === 'integer' || a.kind === 'decimal' || a.kind === 'float') && b.kind === 'string') {
    // The longest text the number can print as: sign, digits, point; a double needs up to 23 characters.
    const longest = a.kind === 'integer' ? a.digits : a.kind === 'decimal' ? a.integerDigits + a.scale + 2 : 23;
    return b.length >= longest ? 'rewrite' : 'mayFail';
  }
  if (a.kind === 'temporal' && b.kind === 'temporal') {
    if (from.name === to.name) return (to.args[0] ?? 0) >= (from.args[0] ?? 0) ? 'rewrite' : 'mayFail';
    if (from.name === 'date' && (to.name === 'datetime' || to.name === 'timestamp')) return 'rewrite';
    if (from.name === 'timestamp' && to.name === 'datetime') return (to.args[0] ?? 0) >= (from.args[0] ?? 0) ? 'rewrite' : 'mayFail';
    return 'mayFail';
  }
  if (a.kind === 'temporal' && b.kind === 'string') return b.length >= 26 ? 'rewrite' : 'mayFail';
  if (a.kind === 'json' && b.kind === 'string') return b.length >= 65535 ? 'rewrite' : 'mayFail';
  if (a.kind === 'string' && b.kind === 'json') return 'mayFail';
  if (a.kind === 'json' || b.kind === 'json') return 'dropsData';
  if ((a.kind === 'temporal' && (b.kind === 'integer' || b.kind === 'decimal' || b.kind === 'float')) || (b.kind === 'temporal' && (a.kind === 'integer' || a.kind === 'decimal' || a.kind === 'float'))) return 'dropsData';
  if (a.kind === 'binary' && b.kind !== 'string') return 'dropsData';
  return 'mayFail';
}

function classifyMysqlEnum(from: ColumnType, to: ColumnType): CastCost {
  if (from.enumValues && to.enumValues) {
    const appended = from.enumValues.every((v, i) => to.enumValues?.[i] === v);
    // Up to 255 values an ENUM takes one byte; growing past that changes its storage, which copies the table.
    if (appended) return from.enumValues.length <= 255 && to.enumValues.length > 255 ? 'rewrite' : 'free';
    return from.enumValues.every((v) => to.enumValues?.includes(v)) ? 'rewrite' : 'mayFail';
  }
  if (from.enumValues) {
    const longest = Math.max(0, ...from.enumValues.map((v) => v.length));
    const target = mysqlFamily(to);
    return target.kind === 'string' && target.length >= longest ? 'rewrite' : 'mayFail';
  }
  return 'mayFail';
}

type MysqlFamily =
  | { kind: 'integer'; min: number; max: number; digits: number }
  | { kind: 'decimal'; integerDigits: number; scale: number }
  | { kind: 'float' }
  | { kind: 'string'; length: number }
  | { kind: 'binary'; length: number }
  | { kind: 'temporal' }
  | { kind: 'json' }
  | { kind: 'other' };

const MYSQL_INTEGERS: Record<string, [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  mediumint: [-8388608, 8388607],
  int: [-2147483648, 2147483647],
  bigint: [-9223372036854775808, 9223372036854775807],
};

const MYSQL_TEXT_LENGTHS: Record<string, number> = { tinytext: 255, text: 65535, mediumtext: 16777215, longtext: 4294967295 };
const MYSQL_BLOB_LENGTHS: Record<string, number> = { tinyblob: 255, blob: 65535, mediumblob: 16777215, longblob: 4294967295 };

function mysqlFamily(type: ColumnType): MysqlFamily {
  const unsigned = type.name.endsWith(' unsigned');
  const base = unsigned ? type.name.slice(0, -' unsigned'.length) : type.name;
  const range = MYSQL_INTEGERS[base];
  if (range) {
    const [min, max] = unsigned ? [0, range[1] * 2 + 1] : range;
    return { kind: 'integer', min, max, digits: String(Math.max(Math.abs(min), max)).length + (min < 0 ? 1 : 0) };
  }
  if (base === 'decimal') {
    const [precision = 10, scale = 0] = type.args;
    return { kind: 'decimal', integerDigits: precision - scale, scale };
  }
  if (base === 'float' || base === 'double') return { kind: 'float' };
  if (base === 'varchar' || base === 'char') return { kind: 'string', length: type.args[0] ?? 1 };
  if (base in MYSQL_TEXT_LENGTHS) return { kind: 'string', length: MYSQL_TEXT_LENGTHS[base] };
  if (base === 'varbinary' || base === 'binary') return { kind: 'binary', length: type.args[0] ?? 1 };
  if (base in MYSQL_BLOB_LENGTHS) return { kind: 'binary', length: MYSQL_BLOB_LENGTHS[base] };
  if (['datetime', 'timestamp', 'date', 'time', 'year'].includes(base)) return { kind: 'temporal' };
  if (base === 'json') return { kind: 'json' };
  return { kind: 'other' };
}

/**
 * What MySQL writes into existing rows when a NOT NULL column without a
 * default is added (its implicit default), as the rules word it; `fails` for
 * the date types, whose zero date MySQL 8's default strict mode (NO_ZERO_DATE)
 * rejects.
 */
export function mysqlImplicitValue(type: ColumnType): { text: string } | 'fails' {
  if (type.enumValues) return { text: type.enumValues.length > 0 ? `'${type.enumValues[0]}' (the first value)` : "''" };
  const family = mysqlFamily(type);
  if (type.name === 'tinyint' && type.args[0] === 1) return { text: 'false (0)' };
  if (family.kind === 'integer' || family.kind === 'decimal' || family.kind === 'float') return { text: '0' };
  if (family.kind === 'string') return { text: "''" };
  if (family.kind === 'binary') return { text: 'empty bytes' };
  if (type.name === 'time') return { text: "'00:00:00'" };
  if (type.name === 'year') return { text: '0000' };
  if (family.kind === 'temporal') return 'fails';
  if (family.kind === 'json') return { text: 'an empty JSON value' };
  return { text: "the type's zero value" };
}
