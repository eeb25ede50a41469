/**
 * Column operations per provider, each with its down script, so the planners
 * can describe phases once and get PostgreSQL, SQLite and MySQL SQL.
 */
import { type DbColumn, type DbState, type DbTable } from '../../core/dbState';
import { migrationSlug } from '../naming';
import { addColumnStatement, columnDefinition, dropColumnStatement, quote, redefineTableSqlite, sameColumns, sqliteGuard, tableName } from '../sql';
import type { PlannedMigration } from '../types';
import { type PlanBuilder, lt, migration, requireColumnPostgres } from './common';

/** A table as it will be after `edit` (plans describe intermediate states for SQLite's table copies). */
export function withColumns(table: DbTable, edit: (columns: DbColumn[]) => DbColumn[]): DbTable {
  const copy = structuredClone(table);
  copy.columns = edit(copy.columns);
  return copy;
}

export function replaceColumn(table: DbTable, name: string, change: (column: DbColumn) => DbColumn | undefined): DbTable {
  return withColumns(table, (columns) => columns.flatMap((c) => {
    if (c.name !== name) return [c];
    const next = change(c);
    return next ? [next] : [];
  }));
}

function sqliteAddColumn(table: DbTable, column: DbColumn, state: DbState): string {
  return `-- AlterTable\nALTER TABLE ${quote(table.name, 'sqlite')} ADD COLUMN ${columnDefinition(column, 'sqlite', state)};`;
}

/** A whole column definition: MySQL's MODIFY replaces all of it, so what is left out (a DEFAULT, AUTO_INCREMENT) is lost. */
export function mysqlColumn(column: DbColumn, state: DbState): string {
  return columnDefinition(column, 'mysql', state, { explicitNull: true });
}

/** Adds a nullable column (instant on all three: no rewrite, no scan). */
export function addNullableColumn(builder: PlanBuilder, table: DbTable, column: DbColumn, slug: string, summary: string): PlannedMigration {
  const state = builder.input.ctx.before;
  const col: DbColumn = { ...column, nullable: true };
  delete col.default;
  switch (builder.provider) {
    case 'postgresql':
      return migration(slug, summary, [lt(builder), addColumnStatement(table, col, 'postgresql', state)], [lt(builder), dropColumnStatement(table, col.name, 'postgresql')]);
    case 'sqlite':
      return migration(slug, summary, [sqliteAddColumn(table, col, state)], [dropColumnStatement(table, col.name, 'sqlite')]);
    case 'mysql':
      return migration(
        slug,
        summary,
        [`-- AlterTable\nALTER TABLE ${tableName(table, 'mysql')} ADD COLUMN ${mysqlColumn(col, state)}, ALGORITHM=INSTANT;`],
        [`ALTER TABLE ${tableName(table, 'mysql')} DROP COLUMN ${quote(col.name, 'mysql')};`],
      );
  }
}

/**
 * Makes `column` (nullable in `table` as it stands then) NOT NULL, the safe
 * way for the provider. PostgreSQL gets three migrations (see
 * requireColumnPostgres); SQLite copies the table, which fails as a whole on a
 * NULL; MySQL modifies the column in place.
 */
export function requireColumn(
  builder: PlanBuilder,
  table: DbTable,
  column: string,
  what: string,
  guardHint: string,
  extras: { postgresSql?: string[]; postgresDown?: string[]; finalTable?: DbTable } = {},
): PlannedMigration[] {
  const state = builder.input.ctx.before;
  if (builder.provider === 'postgresql') return requireColumnPostgres(builder, table, column, what, { guardHint, extraSql: extras.postgresSql ?? [], extraDown: extras.postgresDown ?? [] });
  const required = extras.finalTable ?? replaceColumn(table, column, (c) => ({ ...c, nullable: false }));
  if (builder.provider === 'sqlite') {
    return [migration(
      migrationSlug('require', what),
      `Copy ${table.name} into a table where ${column} is NOT NULL (SQLite cannot alter a column)`,
      [
        // Without a transaction around the script, a copy stopped by a NULL leaves "new_<table>" behind and the next run fails on it.
        '-- SQLite makes a column NOT NULL only by copying the table, and the copy stops at the first NULL. The guard checks first,',
        '-- so that a NULL left by the backfill (or written since by code that leaves the field empty) stops the migration before',
        '-- anything changes: run the backfill again, then deploy again.',
        sqliteGuard(`SELECT 1 FROM ${quote(table.name, 'sqlite')} WHERE ${quote(column, 'sqlite')} IS NULL`, `rows_of_${table.name}_still_have_NULL_${column}`),
        redefineTableSqlite(required, state, sameColumns(table, required)),
      ],
      [redefineTableSqlite(table, state, sameColumns(required, table))],
    )];
  }
  const col = required.columns.find((c) => c.name === column);
  const old = table.columns.find((c) => c.name === column);
  if (!col || !old) return [];
  const others = required.columns.filter((c) => c.name !== column && JSON.stringify(c) !== JSON.stringify(table.columns.find((o) => o.name === c.name)));
  return [migration(
    migrationSlug('require', what),
    `Make ${table.name}.${column} NOT NULL in place`,
    [
      '-- InnoDB makes a column NOT NULL in place (concurrent reads and writes continue); strict mode makes it fail, changing nothing, on a NULL.',
      `-- AlterTable\nALTER TABLE ${tableName(table, 'mysql')} ${[col, ...others].map((c) => `MODIFY ${mysqlColumn(c, state)}`).join(', ')}, ALGORITHM=INPLACE, LOCK=NONE;`,
    ],
    [`ALTER TABLE ${tableName(table, 'mysql')} ${[old, ...others.map((c) => table.columns.find((o) => o.name === c.name) as DbColumn)].map((c) => `MODIFY ${mysqlColumn(c, state)}`).join(', ')};`],
  )];
}

/**
 * The comment that tells our own SQL rules a destructive statement is the
 * planned end of a phased migration, with the reason a reviewer reads.
 */
export function plannedDrop(ruleId: 'sql-drop-column' | 'sql-drop-table', reason: string): string {
  return `-- migration-guard-ignore ${ruleId} -- ${reason.replace(/\n/g, ' ')}`;
}

/** Drops a column; the down script adds it back (nullable, since the rows' values only come back from a backup). */
export function dropColumn(builder: PlanBuilder, table: DbTable, column: DbColumn, slug: string, summary: string, restore: string[], why?: string): PlannedMigration {
  const state = builder.input.ctx.before;
  const back: DbColumn = { ...column, nullable: true };
  const mark = why ? [plannedDrop('sql-drop-column', why)] : [];
  switch (builder.provider) {
    case 'postgresql':
      return migration(slug, summary, [lt(builder), ...mark, dropColumnStatement(table, column.name, 'postgresql')], [lt(builder), addColumnStatement(table, back, 'postgresql', state), ...restore]);
    case 'sqlite': {
      const without = withColumns(table, (cols) => cols.filter((c) => c.name !== column.name));
      // The column goes with the copy that leaves it out: the mark sits on that INSERT ... SELECT.
      return migration(slug, summary, [redefineTableSqlite(without, state, sameColumns(table, without), { beforeCopy: mark })], [sqliteAddColumn(table, back, state), ...restore]);
    }
    case 'mysql':
      return migration(
        slug,
        summary,
        [...mark, `-- AlterTable\nALTER TABLE ${tableName(table, 'mysql')} DROP COLUMN ${quote(column.name, 'mysql')}, ALGORITHM=INPLACE, LOCK=NONE;`],
        [`ALTER TABLE ${tableName(table, 'mysql')} ADD COLUMN ${mysqlColumn(back, state)};`, ...restore],
      );
  }
}

/** Makes a NOT NULL column nullable (metadata only on PostgreSQL and MySQL; a table copy on SQLite). */
export function dropNotNull(builder: PlanBuilder, table: DbTable, column: string): { sql: string[]; down: string[] } {
  const state = builder.input.ctx.before;
  const t = tableName(table, builder.provider);
  const c = quote(column, builder.provider);
  if (builder.provider === 'postgresql') {
    return { sql: [`ALTER TABLE ${t} ALTER COLUMN ${c} DROP NOT NULL;`], down: [`-- Fails if NULLs were written since; fill them first.\nALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`] };
  }
  const relaxed = replaceColumn(table, column, (col) => ({ ...col, nullable: true }));
  if (builder.provider === 'sqlite') {
    return { sql: [redefineTableSqlite(relaxed, state, sameColumns(table, relaxed))], down: [redefineTableSqlite(table, state, sameColumns(relaxed, table))] };
  }
  const before = table.columns.find((col) => col.name === column) as DbColumn;
  return {
    sql: [`ALTER TABLE ${t} MODIFY ${mysqlColumn({ ...before, nullable: true }, state)}, ALGORITHM=INPLACE, LOCK=NONE;`],
    down: [`ALTER TABLE ${t} MODIFY ${mysqlColumn(before, state)};`],
  };
}

