/**
 * SQL text in the style `prisma migrate dev` writes it (`-- AlterTable`
 * comments, double-quoted identifiers, Prisma's type spellings), for the three
 * providers. Everything here renders DbState objects; nothing parses.
 */
import type { ColumnType, DbColumn, DbDefault, DbForeignKey, DbIndex, DbState, DbTable, Provider } from '../core/dbState';
import { renderPostgresType } from '../map/columnTypes';
import { suffixed } from './naming';

export function quote(name: string, provider: Provider): string {
  if (provider === 'mysql') return '`' + name.replace(/`/g, '``') + '`';
  return '"' + name.replace(/"/g, '""') + '"';
}

/** A string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A table as SQL names it: schema-qualified only outside the default schema. */
export function tableName(table: { name: string; schema?: string }, provider: Provider): string {
  return table.schema && table.schema !== 'public' ? `${quote(table.schema, provider)}.${quote(table.name, provider)}` : quote(table.name, provider);
}

export function columnList(columns: string[], provider: Provider): string {
  return columns.map((c) => quote(c, provider)).join(',');
}

/** The SQL name of an enum type (PostgreSQL), qualified when it lives outside the default schema. */
export function enumTypeName(state: DbState, enumKey: string): string {
  const found = state.enums[enumKey];
  if (!found) return quote(enumKey, 'postgresql');
  return tableName(found, 'postgresql');
}

export function renderType(type: ColumnType, provider: Provider, state: DbState): string {
  if (provider === 'postgresql') {
    if (type.isEnum) return `${enumTypeName(state, type.name)}${type.array ? '[]' : ''}`;
    return renderPostgresType(type);
  }
  if (provider === 'mysql') {
    if (type.enumValues) return `ENUM(${type.enumValues.map(literal).join(', ')})`;
    const name = type.name === 'int' ? 'INTEGER' : type.name.toUpperCase();
    return type.args.length > 0 ? `${name}(${type.args.join(',')})` : name;
  }
  return type.args.length > 0 ? `${type.name}(${type.args.join(',')})` : type.name;
}

/** The DEFAULT clause body for a column default, or undefined when it is not a plain SQL default. */
export function renderDefault(value: DbDefault | undefined, type: ColumnType, provider: Provider, state: DbState): string | undefined {
  if (!value || value.kind === 'autoincrement') return undefined;
  const sql = value.sql === 'current_timestamp' ? 'CURRENT_TIMESTAMP' : value.sql;
  if (provider === 'postgresql' && value.kind === 'value' && (type.array || /^array\[/i.test(sql))) {
    return `${sql.replace(/^array\[/i, 'ARRAY[')}::${renderType(type, provider, state)}`;
  }
  return sql;
}

/** `"phone" TEXT NOT NULL DEFAULT ''`: a column as CREATE TABLE and ADD COLUMN spell it. */
export function columnDefinition(column: DbColumn, provider: Provider, state: DbState, options: { serial?: boolean; explicitNull?: boolean } = {}): string {
  let type = renderType(column.type, provider, state);
  if (provider === 'postgresql' && options.serial && column.default?.kind === 'autoincrement') {
    type = column.type.name === 'int8' ? 'BIGSERIAL' : column.type.name === 'int2' ? 'SMALLSERIAL' : 'SERIAL';
  }
  let text = `${quote(column.name, provider)} ${type}`;
  if (!column.nullable) text += ' NOT NULL';
  else if (options.explicitNull) text += ' NULL';
  const fallback = renderDefault(column.default, column.type, provider, state);
  if (fallback !== undefined) text += ` DEFAULT ${fallback}`;
  if (provider === 'mysql' && column.default?.kind === 'autoincrement') text += ' AUTO_INCREMENT';
  return text;
}

/** Prisma writes ADD COLUMN with five spaces after it; kept so the file reads like one Prisma wrote. */
export function addColumnStatement(table: DbTable, column: DbColumn, provider: Provider, state: DbState): string {
  return `-- AlterTable\nALTER TABLE ${tableName(table, provider)} ADD COLUMN     ${columnDefinition(column, provider, state)};`;
}

export function dropColumnStatement(table: DbTable, column: string, provider: Provider): string {
  return `-- AlterTable\nALTER TABLE ${tableName(table, provider)} DROP COLUMN ${quote(column, provider)};`;
}

/** One index column: `"createdAt" DESC`, `"email" gin_trgm_ops`; expressions stay as written. */
function indexColumn(text: string, provider: Provider): string {
  if (text.includes('(')) return text;
  const space = text.indexOf(' ');
  return space < 0 ? quote(text, provider) : `${quote(text.slice(0, space), provider)}${text.slice(space)}`;
}

export function indexColumns(index: DbIndex, provider: Provider): string {
  return index.columns.map((c) => indexColumn(c, provider)).join(', ');
}

/** Bare column names of an index (without sort order or operator class). */
export function indexColumnNames(index: DbIndex): string[] {
  return index.columns.filter((c) => !c.includes('(')).map((c) => c.split(' ')[0]);
}

export function createIndexStatement(table: DbTable, index: DbIndex, provider: Provider, options: { concurrently?: boolean } = {}): string {
  const unique = index.unique ? 'UNIQUE ' : '';
  const concurrently = options.concurrently ? 'CONCURRENTLY ' : '';
  const using = index.method ? ` USING ${index.method.toUpperCase()}` : '';
  const where = index.where ? ` WHERE ${index.where}` : '';
  return `-- CreateIndex\nCREATE ${unique}INDEX ${concurrently}${quote(index.name, provider)} ON ${tableName(table, provider)}${using}(${indexColumns(index, provider)})${where};`;
}

export function dropIndexStatement(table: DbTable, index: DbIndex, provider: Provider, options: { concurrently?: boolean } = {}): string {
  if (provider === 'mysql') return `-- DropIndex\nDROP INDEX ${quote(index.name, provider)} ON ${tableName(table, provider)};`;
  const qualified = provider === 'postgresql' && table.schema && table.schema !== 'public' ? `${quote(table.schema, provider)}.${quote(index.name, provider)}` : quote(index.name, provider);
  return `-- DropIndex\nDROP INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${qualified};`;
}

export function foreignKeyClause(fk: DbForeignKey, provider: Provider, state: DbState): string {
  const referenced = state.tables[fk.referencedTable] ?? { name: fk.referencedTable };
  const space = provider === 'sqlite' ? ' ' : '';
  return `CONSTRAINT ${quote(fk.name, provider)} FOREIGN KEY (${columnList(fk.columns, provider)}) REFERENCES ${tableName(referenced, provider)}${space}(${columnList(fk.referencedColumns, provider)}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;
}

export function addForeignKeyStatement(table: DbTable, fk: DbForeignKey, provider: Provider, state: DbState, options: { notValid?: boolean } = {}): string {
  return `-- AddForeignKey\nALTER TABLE ${tableName(table, provider)} ADD ${foreignKeyClause(fk, provider, state)}${options.notValid ? ' NOT VALID' : ''};`;
}

/** PostgreSQL CREATE TABLE with its indexes and foreign keys, in the order Prisma writes them. */
export function createTablePostgres(table: DbTable, state: DbState): string {
  const columns = table.columns.map((c) => `    ${columnDefinition(c, 'postgresql', state, { serial: true })}`);
  let body = columns.join(',\n');
  if (table.primaryKey) {
    body += `,\n\n    CONSTRAINT ${quote(table.primaryKey.name ?? `${table.name}_pkey`, 'postgresql')} PRIMARY KEY (${columnList(table.primaryKey.columns, 'postgresql')})`;
  }
  const parts = [`-- CreateTable\nCREATE TABLE ${tableName(table, 'postgresql')} (\n${body}\n);`];
  for (const index of table.indexes) parts.push(createIndexStatement(table, index, 'postgresql'));
  for (const fk of table.foreignKeys) parts.push(addForeignKeyStatement(table, fk, 'postgresql', state));
  return parts.join('\n\n');
}

/**
 * SQLite CREATE TABLE as Prisma writes it: the primary key inline for one
 * column (`INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`), foreign keys inside.
 */
export function createTableSqlite(name: string, table: DbTable, state: DbState): string {
  const pk = table.primaryKey?.columns ?? [];
  const lines: string[] = [];
  for (const column of table.columns) {
    let text = `${quote(column.name, 'sqlite')} ${renderType(column.type, 'sqlite', state)}`;
    if (!column.nullable) text += ' NOT NULL';
    if (pk.length === 1 && pk[0] === column.name) text += column.default?.kind === 'autoincrement' ? ' PRIMARY KEY AUTOINCREMENT' : ' PRIMARY KEY';
    const fallback = renderDefault(column.default, column.type, 'sqlite', state);
    if (fallback !== undefined) text += ` DEFAULT ${fallback}`;
    lines.push(`    ${text}`);
  }
  if (pk.length > 1) {
    lines.push(`\n    PRIMARY KEY (${pk.map((c) => quote(c, 'sqlite')).join(', ')})`);
  }
  for (const fk of table.foreignKeys) lines.push(`    ${foreignKeyClause(fk, 'sqlite', state)}`);
  return `CREATE TABLE ${quote(name, 'sqlite')} (\n${lines.join(',\n')}\n);`;
}

/**
 * SQLite cannot alter a column: Prisma copies the table into a new one
 * ("RedefineTables"). `expressions` gives, per column of `after`, the SQL that
 * fills it from the old table; columns without one are left to their default.
 * `beforeCopy` goes right above the INSERT ... SELECT (a suppression of what
 * the copy leaves behind covers that statement); `afterCopy` runs once the
 * rows are in the new table and the old one still exists, so a check that
 * stops there loses nothing.
 */
export function redefineTableSqlite(after: DbTable, state: DbState, expressions: Map<string, string>, options: { beforeCopy?: string[]; afterCopy?: string[] } = {}): string {
  const temp = `new_${after.name}`;
  const targets = after.columns.filter((c) => expressions.has(c.name)).map((c) => c.name);
  const lines = [
    '-- RedefineTables',
    'PRAGMA defer_foreign_keys=ON;',
    'PRAGMA foreign_keys=OFF;',
    createTableSqlite(temp, after, state),
    ...(options.beforeCopy ?? []),
    `INSERT INTO ${quote(temp, 'sqlite')} (${targets.map((c) => quote(c, 'sqlite')).join(', ')}) SELECT ${targets.map((c) => expressions.get(c)).join(', ')} FROM ${quote(after.name, 'sqlite')};`,
    ...(options.afterCopy ?? []),
    `DROP TABLE ${quote(after.name, 'sqlite')};`,
    `ALTER TABLE ${quote(temp, 'sqlite')} RENAME TO ${quote(after.name, 'sqlite')};`,
  ];
  for (const index of after.indexes) lines.push(createIndexStatement(after, index, 'sqlite').replace(/^-- CreateIndex\n/, ''));
  lines.push('PRAGMA foreign_keys=ON;', 'PRAGMA defer_foreign_keys=OFF;');
  return lines.join('\n');
}

/** Column expressions that copy every column of `after` that `before` has, unchanged. */
export function sameColumns(before: DbTable, after: DbTable): Map<string, string> {
  const map = new Map<string, string>();
  for (const column of after.columns) {
    if (before.columns.some((c) => c.name === column.name)) map.set(column.name, quote(column.name, 'sqlite'));
  }
  return map;
}

/**
 * `SET LOCAL lock_timeout`: a statement that waits for a strong lock longer
 * than this gives up instead of queueing every other query on the table
 * behind it. LOCAL keeps it to the migration's own transaction.
 */
export function lockTimeout(value: string): string {
  return `-- Give up rather than queue the table's traffic behind a lock this migration waits for.\nSET LOCAL lock_timeout = ${literal(value)};`;
}

/**
 * A PL/pgSQL block that stops the migration, before it changes anything, when
 * `condition` (a query returning rows) finds any: `message` says what to do.
 * RAISE needs `%` doubled in plain text, and the body sits in `$guard$`
 * quotes so the message may contain anything else.
 */
export function guardBlock(countQuery: string, message: string, hint: string): string {
  const escape = (text: string): string => literal(text.replace(/%/g, '%%'));
  return [
    '-- Guard: stops here, before anything changes, when existing rows would make the next step fail.',
    'DO $guard$',
    'DECLARE',
    '  offending bigint;',
    'BEGIN',
    `  SELECT count(*) INTO offending FROM (${countQuery}) AS found;`,
    '  IF offending > 0 THEN',
    `    RAISE EXCEPTION USING MESSAGE = format(${escape(message)} || ' (%s found)', offending), HINT = ${escape(hint)};`,
    '  END IF;',
    'END',
    '$guard$;',
  ].join('\n');
}

/**
 * The rows a table copy just wrote into `copy` that break its foreign keys
 * stop the migration (`PRAGMA foreign_key_check` only lists them, and the
 * copy ran with foreign_keys OFF). Table-valued `pragma_foreign_key_check`
 * feeds the same guard as the other checks; it names the copy, so rows of
 * other tables that already pointed nowhere do not fail this migration.
 */
export function sqliteForeignKeyCheck(copy: string, name: string): string {
  const heading = [
    '-- Check: stops here, before the old table is dropped, when a copied row points to no row (the copy ran with foreign_keys OFF);',
    `-- the old table is left as it was: fix the rows, drop ${quote(copy, 'sqlite')}, then deploy again.`,
  ].join('\n');
  return sqliteGuard(`SELECT 1 FROM pragma_foreign_key_check(${literal(copy)})`, name, heading);
}

/**
 * SQLite has no procedural blocks and RAISE() only works in triggers; a named
 * CHECK on a temporary table fails the migration with that name in the error
 * ("CHECK constraint failed: <name>") before anything else runs.
 */
export function sqliteGuard(countQuery: string, name: string, heading = '-- Guard: stops here, before anything changes, when existing rows would make the next step fail.'): string {
  const table = quote('migration_guard_check', 'sqlite');
  return [
    heading,
    // A guard that stopped an earlier run on the same connection (no transaction around it) left its table behind.
    `DROP TABLE IF EXISTS temp.${table};`,
    `CREATE TEMP TABLE ${table} ("found" INTEGER CONSTRAINT ${quote(name, 'sqlite')} CHECK ("found" = 0));`,
    `INSERT INTO ${table} ("found") SELECT count(*) FROM (${countQuery});`,
    `DROP TABLE ${table};`,
  ].join('\n');
}

/**
 * MySQL's guard: a plain migration file cannot branch, but a CHECK constraint
 * on a temporary table fails the INSERT of a non-zero count ("CONSTRAINT
 * `<name>` failed" on MariaDB, "Check constraint '<name>' is violated" on MySQL
 * 8.0.16+), whatever the session's sql_mode, before the statements after it run.
 * The table is never dropped (it lives as long as the deploy's connection, and
 * holds no row, since the only row ever offered is refused or a zero); a
 * `DROP TABLE` of its name could meet a real table where no temporary one is.
 */
export function mysqlGuard(countQuery: string, name: string): string {
  const table = quote(suffixed(name, '_guard', 'mysql'), 'mysql');
  return [
    '-- Guard: stops here, before anything changes, when existing rows would make the next step fail or lose data.',
    `CREATE TEMPORARY TABLE IF NOT EXISTS ${table} (\`found\` BIGINT, CONSTRAINT ${quote(name, 'mysql')} CHECK (\`found\` = 0));`,
    `INSERT INTO ${table} (\`found\`) SELECT COUNT(*) FROM (${countQuery}) AS \`rows_found\`;`,
  ].join('\n');
}
