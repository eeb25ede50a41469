import type { DbState, DbTable } from '../core/dbState';
import type { SchemaSources } from '../core/source';
import { canonicalMysqlDateTime, foreignKeyServed, isMysqlTemporal, quoteString } from './mysqlTypes';

/**
 * The last step of mapping a MySQL schema: what MySQL and Prisma's MySQL
 * renderer do beyond the generic mapping, so the mapped state equals what the
 * replay of Prisma's migrations (and a real server) holds.
 *
 * - InnoDB gives every foreign key an index whose first columns are the key's
 *   columns; when the schema declares none (no `@@index`, `@unique`, `@id`
 *   starting with them), the server creates one named after the constraint.
 *   With `relationMode = "prisma"` there are no foreign keys, so no such
 *   indexes: the `@@index([authorId])` Prisma recommends there is an ordinary
 *   index the schema maps by itself.
 * - Prisma writes no default for Json columns, nor a literal default for
 *   binary columns (MySQL cannot store them); a date-time default is written
 *   in RFC 3339 and stored as `YYYY-MM-DD HH:MM:SS[.fff]`.
 */
export function finishMysqlState(state: DbState, sources: SchemaSources): void {
  for (const [key, table] of Object.entries(state.tables)) {
    if (!needsWork(table)) continue;
    // Copy on write: the mapper may hand out (and cache) the table objects it built.
    const copy = structuredClone(table);
    normaliseDefaults(copy);
    addForeignKeyIndexes(key, copy, sources);
    state.tables[key] = copy;
  }
}

function needsWork(table: DbTable): boolean {
  if (table.foreignKeys.some((fk) => !foreignKeyServed(table, fk.columns))) return true;
  return table.columns.some((column) => column.default && (column.type.name === 'json' || BINARY_TYPES.has(column.type.name) || isMysqlTemporal(column.type)));
}

const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

function normaliseDefaults(table: DbTable): void {
  for (const column of table.columns) {
    const value = column.default;
    if (!value) continue;
    if (column.type.name === 'json' || (BINARY_TYPES.has(column.type.name) && value.kind === 'value')) {
      delete column.default;
      continue;
    }
    if (value.kind === 'value' && isMysqlTemporal(column.type) && value.sql.startsWith("'") && value.sql.endsWith("'")) {
      const stored = canonicalMysqlDateTime(value.sql.slice(1, -1).replace(/''/g, "'"));
      if (stored !== undefined && column.type.name !== 'time' && column.type.name !== 'year') value.sql = quoteString(stored);
    }
  }
}

function addForeignKeyIndexes(key: string, table: DbTable, sources: SchemaSources): void {
  for (const fk of table.foreignKeys) {
    if (foreignKeyServed(table, fk.columns)) continue;
    if (table.indexes.some((index) => index.name === fk.name)) continue;
    table.indexes.push({ name: fk.name, columns: [...fk.columns], unique: false });
    const where = sources.foreignKeys[`${key}#${fk.name}`];
    if (where) sources.indexes[`${key}#${fk.name}`] = where;
  }
}
