import { formatType } from '../core/dbState';
import type { AlterColumnType } from '../diff/changes';
import { ident } from './support/dialect';
import { type CastCost, classifyCast, MYSQL_INTEGER_RANGES } from './support/typeCasts';
import type { RuleReport, SchemaRule } from './types';
import { fieldName } from './support/wording';

const rule: SchemaRule = {
  id: 'change-column-type',
  target: 'schema',
  title: 'Column type changed',
  defaultSeverity: 'error',
  why: 'Changing a column type rewrites the table under an exclusive lock, can fail on values that do not convert, and for types Prisma cannot cast it drops and recreates the column, losing every value.',
  safePath: 'Expand and contract: add a column of the new type, write both, backfill with an explicit cast in batches, switch reads, then drop the old column.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'alterColumnType') return [];
    const cost = classifyCast(context.provider, change.from, change.to);
    const column = fieldName(change);
    const types = `from \`${formatType(change.from)}\` to \`${formatType(change.to)}\``;
    if (context.provider === 'mysql') return mysql(change, cost, column, types);
    if (context.provider === 'sqlite') return sqlite(change, cost, column, types);
    switch (cost) {
      case 'free':
        return [];
      case 'rewrite':
        return [{
          message: `${column} changes type ${types}: every value converts, but the table is rewritten under an ACCESS EXCLUSIVE lock that blocks reads and writes.`,
          help: 'On a large table, add a new column of the new type, backfill it in batches, switch reads, then drop the old one.',
          severity: 'warning',
        }];
      case 'mayFail':
        return [{
          message: `${column} changes type ${types}: the cast fails on values that do not fit, and the table is rewritten under an exclusive lock.`,
          help: 'Check that every value converts first; safer: add a new column, backfill with an explicit cast in batches, switch reads, then drop the old one.',
        }];
      case 'dropsData':
        return [{
          message: `${column} changes type ${types}, which Prisma cannot cast: it drops the column and adds an empty one, losing every value.`,
          help: 'Add a new column of the new type, backfill it with an explicit conversion in batches, switch reads, then drop the old column.',
        }];
    }
  },
};

/**
 * MySQL 8 / InnoDB: Prisma changes a type with MODIFY. Anything beyond a
 * metadata change (VARCHAR widening within its length-prefix size, ENUM
 * values appended) is ALGORITHM=COPY: the table is copied row by row and
 * concurrent writes wait for the whole copy (LOCK=SHARED).
 */
function mysql(change: AlterColumnType, cost: CastCost, column: string, types: string): RuleReport[] {
  const from = change.from.enumValues;
  const to = change.to.enumValues;
  // A removed ENUM value is remove-enum-value's finding; the same column is not reported twice.
  if (from && to && from.some((v) => !to.includes(v))) return [];
  switch (cost) {
    case 'free':
      return [];
    case 'rewrite': {
      const what = from && to
        ? `${column} keeps its ENUM values but changes their order (or adds one before the end): MySQL copies the whole table (ALGORITHM=COPY) and blocks writes to it until the copy ends; values appended at the end would be an instant change.`
        : `${column} changes type ${types}: every value fits, but MySQL converts it by copying the whole table (ALGORITHM=COPY) and blocks writes to it until the copy ends.`;
      return [{
        message: what,
        help: from && to
          ? 'Append new values at the end of the list instead (instant); where the order matters (it is the sort order of ORDER BY), the phased migration appends them first and reorders the list in a later table copy, for a quiet moment or an online schema-change tool (gh-ost, pt-online-schema-change).'
          : 'On a large table, add a new column of the new type, backfill it in batches, switch reads, then drop the old one — or run the change with an online schema-change tool (gh-ost, pt-online-schema-change).',
        severity: 'warning',
      }];
    }
    case 'mayFail':
      return [{
        message: `${column} changes type ${types}: MySQL copies the whole table (ALGORITHM=COPY, writes blocked until it ends), and in strict mode the copy fails on a value that does not fit the new type — without strict mode it is silently cut or clamped.`,
        help: `Check that every value fits first${fitCheck(change)}; safer: add a new column, backfill with an explicit CAST in batches, switch reads, then drop the old one.`,
      }];
    case 'dropsData':
      return [{
        message: `${column} changes type ${types}, which Prisma cannot cast on MySQL: it drops the column and adds an empty one, losing every value.`,
        help: 'Add a new column of the new type, backfill it with an explicit conversion in batches, switch reads, then drop the old column.',
      }];
  }
}

/** A query that counts the values a narrowing would break, where one is easy to say. */
function fitCheck(change: AlterColumnType): string {
  const table = ident(change.table, 'mysql');
  const column = ident(change.column, 'mysql');
  const to = change.to;
  if ((to.name === 'varchar' || to.name === 'char') && to.args[0] !== undefined) return ` (\`SELECT COUNT(*) FROM ${table} WHERE CHAR_LENGTH(${column}) > ${to.args[0]}\`)`;
  const range = to.name === 'bigint' ? undefined : MYSQL_INTEGER_RANGES[to.name];
  if (range && !to.enumValues) return ` (\`SELECT COUNT(*) FROM ${table} WHERE ${column} NOT BETWEEN ${range[0]} AND ${range[1]}\`)`;
  if (to.enumValues) return ` (\`SELECT COUNT(*) FROM ${table} WHERE ${column} NOT IN (${to.enumValues.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})\`)`;
  return '';
}

/**
 * SQLite stores any value in any column; Prisma changes a declared type by
 * copying the table (INSERT INTO new_X ... SELECT), and the copy converts a
 * value only where the column's type affinity can: anything else stays as it
 * is, for Prisma Client to fail on later.
 */
function sqlite(change: AlterColumnType, cost: CastCost, column: string, types: string): RuleReport[] {
  if (cost === 'free') return [];
  const name = ident(change.column, 'sqlite');
  const classes = `SELECT typeof(${name}), COUNT(*) FROM ${ident(change.table, 'sqlite')} GROUP BY 1`;
  return [{
    message: `${column} changes type ${types}: Prisma copies the whole table into a new one to change it, and SQLite converts only what the new column's type affinity can (text that reads as a number becomes one) — any other value is copied as it is, and Prisma Client fails when it reads that row.`,
    help: `See what the column holds first (\`${classes}\`: every row should have the storage class of the new type); on a large table, add a new column, backfill it with an explicit CAST, switch reads, then drop the old one.`,
    severity: 'warning',
  }];
}

export default rule;
