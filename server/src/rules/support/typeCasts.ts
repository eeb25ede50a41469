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
    // Enum to text keeps every value; anything else goes through a text cast that can fail.
    if (from.isEnum && PG_TEXTUAL.has(b) && b !== 'bpchar') return to.args.length === 0 ? 'rewrite' : 'mayFail';
    return from.isEnum && to.isEnum ? 'mayFail' : 'dropsData';
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

function classifyMysql(from: ColumnType, to: ColumnType): CastCost {
  const a = from.name;
  const b = to.name;
  if (a === b && a === 'varchar' && (to.args[0] ?? 0) >= (from.args[0] ?? 0)) {
    // In-place only while the length prefix stays one byte (under 256 bytes) or was already two.
    const fromBytes = (from.args[0] ?? 0) * 4;
    const toBytes = (to.args[0] ?? 0) * 4;
    return fromBytes < 256 && toBytes >= 256 ? 'rewrite' : 'free';
  }
  if (from.enumValues && to.enumValues) {
    const appended = from.enumValues.every((v, i) => to.enumValues?.[i] === v);
    return appended ? 'free' : 'mayFail';
  }
  const widening = ['tinyint', 'smallint', 'mediumint', 'int', 'bigint'];
  if (widening.includes(a) && widening.includes(b)) return widening.indexOf(b) > widening.indexOf(a) ? 'rewrite' : 'mayFail';
  return 'mayFail';
}
