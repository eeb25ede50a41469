/**
 * The SQL `prisma migrate dev` will write for the changes no migration
 * carries yet, rendered from the two DbStates with Prisma's habits: its step
 * order (enums, dropped constraints and indexes, one ALTER TABLE per table,
 * dropped tables, new tables, indexes, foreign keys, renamed indexes), its
 * drop-and-add for renames and for casts it cannot do, its enum recreation on
 * PostgreSQL and its table copy ("RedefineTables") on SQLite.
 *
 * The statement renderers of phases/sql.ts are reused; what they do not cover
 * (MySQL tables, Prisma's spacing in multi-column constraints) lives here.
 * Everything is rendered from DbState objects: nothing here parses.
 */
import { type DbColumn, type DbEnum, type DbForeignKey, type DbIndex, type DbState, type DbTable, type Provider, providerName } from '../core/dbState';
import type { Change } from '../diff/changes';
import { createTablePostgres, createTableSqlite, literal, quote, redefineTableSqlite, renderDefault, renderType, sameColumns, tableName } from '../phases/sql';
import { classifyCast } from '../rules/support/typeCasts';

export interface SqlContext {
  provider: Provider;
  /** The database every migration on disk produces (what Prisma diffs from). */
  before: DbState;
  /** The database the edited schema describes. */
  after: DbState;
}

/** What Prisma writes for one change. */
export interface ChangeSql {
  /** The statements, with Prisma's `-- Step` headings; empty when another change's statements carry this one. */
  sql: string;
  /** How Prisma carries the change out when that is not obvious from the SQL (a table copy, a drop-and-add). */
  note?: string;
}

/** Prisma's migration steps, in the order its engine writes them. */
const STEPS = [
  'CreateEnum',
  'AlterEnum',
  'DropForeignKey',
  'DropIndex',
  'AlterTable',
  'DropTable',
  'DropEnum',
  'CreateTable',
  'RedefineTables',
  'CreateIndex',
  'AddForeignKey',
  'RenameForeignKey',
  'RenameIndex',
] as const;
type Step = (typeof STEPS)[number];

interface Piece {
  step: Step;
  /** A whole statement, or (with `clauseOf`) one clause of the table's ALTER TABLE. */
  sql: string;
  /** Clauses of one table are joined into one ALTER TABLE, as Prisma does on PostgreSQL and MySQL. */
  clauseOf?: string;
  /** Within one ALTER TABLE: dropped constraints, dropped columns, added columns, altered columns, added constraints. */
  clauseOrder?: number;
  /** Within its group: dropped and added columns go by name, altered ones by their place in the table (as Prisma 7 writes them). */
  sortName?: string;
  position?: number;
  /** Pieces with the same key are written once (one enum recreation, one table copy per table). */
  key?: string;
  /** Table key the piece is about, for SQLite's table copies, which recreate the table's indexes themselves. */
  table?: string;
}

const CLAUSE = { dropConstraint: 0, dropColumn: 1, addColumn: 2, alterColumn: 3, addConstraint: 4 } as const;


// ------------------------------------------------------------------ small renderers Prisma spells its own way

function q(name: string, provider: Provider): string {
  return quote(name, provider);
}

/** `("a", "b")`: Prisma's spacing in constraints added by ALTER TABLE and in foreign keys. */
function spacedColumns(columns: string[], provider: Provider): string {
  return columns.map((c) => q(c, provider)).join(', ');
}

/** The table as SQL names it, from whichever state knows it (a schema-qualified key keeps its schema). */
function sqlTable(ctx: SqlContext, key: string, name: string): string {
  const table = ctx.after.tables[key] ?? ctx.before.tables[key];
  if (table) return tableName(table, ctx.provider);
  const dot = key.indexOf('.');
  return dot > 0 ? tableName({ schema: key.slice(0, dot), name }, ctx.provider) : tableName({ name }, ctx.provider);
}

/** A state that knows the enums of both sides, so a type renders with its schema whichever side declares it. */
function typeState(ctx: SqlContext): DbState {
  return { provider: ctx.provider, tables: {}, enums: { ...ctx.before.enums, ...ctx.after.enums } };
}

function postgresColumn(column: DbColumn, ctx: SqlContext): string {
  const state = typeState(ctx);
  let type = renderType(column.type, 'postgresql', state);
  if (column.default?.kind === 'autoincrement') type = column.type.name === 'int8' ? 'BIGSERIAL' : column.type.name === 'int2' ? 'SMALLSERIAL' : 'SERIAL';
  let text = `${q(column.name, 'postgresql')} ${type}`;
  if (!column.nullable) text += ' NOT NULL';
  const fallback = renderDefault(column.default, column.type, 'postgresql', state);
  if (fallback !== undefined) text += ` DEFAULT ${fallback}`;
  return text;
}

/** Prisma's MySQL column: NULL written out, AUTO_INCREMENT last. */
function mysqlColumn(column: DbColumn, ctx: SqlContext): string {
  const state = typeState(ctx);
  let text = `${q(column.name, 'mysql')} ${renderType(column.type, 'mysql', state)}${column.nullable ? ' NULL' : ' NOT NULL'}`;
  const fallback = renderDefault(column.default, column.type, 'mysql', state);
  if (fallback !== undefined) text += ` DEFAULT ${fallback}`;
  if (column.default?.kind === 'autoincrement') text += ' AUTO_INCREMENT';
  return text;
}

function sqliteColumn(column: DbColumn, ctx: SqlContext): string {
  const state = typeState(ctx);
  let text = `${q(column.name, 'sqlite')} ${renderType(column.type, 'sqlite', state)}`;
  if (!column.nullable) text += ' NOT NULL';
  const fallback = renderDefault(column.default, column.type, 'sqlite', state);
  if (fallback !== undefined) text += ` DEFAULT ${fallback}`;
  return text;
}

function indexColumn(text: string, provider: Provider): string {
  if (text.includes('(')) return text;
  const space = text.indexOf(' ');
  return space < 0 ? q(text, provider) : `${q(text.slice(0, space), provider)}${text.slice(space)}`;
}

function createIndex(ctx: SqlContext, key: string, tableNameText: string, index: DbIndex): string {
  const provider = ctx.provider;
  const columns = index.columns.map((c) => indexColumn(c, provider)).join(', ');
  const target = sqlTable(ctx, key, tableNameText);
  // Prisma puts a space before the column list only after USING: `ON "T" USING GIN ("c")`, `ON "T"("c")`.
  const on = index.method ? `${target} USING ${index.method.toUpperCase()} (${columns})` : `${target}(${columns})`;
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name, provider)} ON ${on}${index.where ? ` WHERE ${index.where}` : ''};`;
}

function dropIndex(ctx: SqlContext, key: string, tableNameText: string, index: DbIndex): string {
  if (ctx.provider === 'mysql') return `DROP INDEX ${q(index.name, 'mysql')} ON ${sqlTable(ctx, key, tableNameText)};`;
  const table = ctx.before.tables[key] ?? ctx.after.tables[key];
  const schema = ctx.provider === 'postgresql' && table?.schema && table.schema !== 'public' ? `${q(table.schema, 'postgresql')}.` : '';
  return `DROP INDEX ${schema}${q(index.name, ctx.provider)};`;
}

function foreignKeyClause(ctx: SqlContext, fk: DbForeignKey): string {
  const provider = ctx.provider;
  const referenced = ctx.after.tables[fk.referencedTable] ?? ctx.before.tables[fk.referencedTable] ?? { name: fk.referencedTable };
  return `CONSTRAINT ${q(fk.name, provider)} FOREIGN KEY (${spacedColumns(fk.columns, provider)}) REFERENCES ${tableName(referenced, provider)}(${spacedColumns(fk.referencedColumns, provider)}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;
}

function addForeignKey(ctx: SqlContext, key: string, tableNameText: string, fk: DbForeignKey): string {
  return `ALTER TABLE ${sqlTable(ctx, key, tableNameText)} ADD ${foreignKeyClause(ctx, fk)};`;
}

function enumName(state: DbState, key: string, provider: Provider): string {
  const found = state.enums[key];
  return found ? tableName(found, provider) : q(key, provider);
}

// ------------------------------------------------------------------ whole tables

function createTablePieces(ctx: SqlContext, key: string, table: DbTable): Piece[] {
  const provider = ctx.provider;
  const pieces: Piece[] = [];
  if (provider === 'postgresql') {
    const bare: DbTable = { ...table, indexes: [], foreignKeys: [] };
    pieces.push({ step: 'CreateTable', sql: stripHeading(createTablePostgres(bare, typeState(ctx))) });
  } else if (provider === 'sqlite') {
    pieces.push({ step: 'CreateTable', sql: `${createTableSqlite(table.name, table, typeState(ctx))}` });
  } else {
    pieces.push({ step: 'CreateTable', sql: createTableMysql(table, ctx) });
  }
  // MySQL declares indexes inside CREATE TABLE; the others create them afterwards.
  if (provider !== 'mysql') for (const index of table.indexes) pieces.push({ step: 'CreateIndex', sql: createIndex(ctx, key, table.name, index) });
  // SQLite declares foreign keys inside CREATE TABLE.
  if (provider !== 'sqlite') for (const fk of table.foreignKeys) pieces.push({ step: 'AddForeignKey', sql: addForeignKey(ctx, key, table.name, fk) });
  return pieces;
}

function createTableMysql(table: DbTable, ctx: SqlContext): string {
  const lines = table.columns.map((c) => `    ${mysqlColumn(c, ctx)}`);
  for (const index of table.indexes) {
    lines.push(`    ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name, 'mysql')}(${index.columns.map((c) => indexColumn(c, 'mysql')).join(', ')})`);
  }
  if (table.primaryKey) lines.push(`    PRIMARY KEY (${spacedColumns(table.primaryKey.columns, 'mysql')})`);
  return `CREATE TABLE ${tableName(table, 'mysql')} (\n${lines.join(',\n')}\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`;
}

function dropTablePieces(ctx: SqlContext, key: string, table: DbTable): Piece[] {
  const name = tableName(table, ctx.provider);
  const pieces: Piece[] = [];
  // Prisma drops a dropped table's own foreign keys first, so that the tables can go in any order.
  if (ctx.provider !== 'sqlite') {
    const verb = ctx.provider === 'mysql' ? 'DROP FOREIGN KEY' : 'DROP CONSTRAINT';
    for (const fk of table.foreignKeys) pieces.push({ step: 'DropForeignKey', sql: `ALTER TABLE ${name} ${verb} ${q(fk.name, ctx.provider)};`, key: `fk-drop:${key}#${fk.name}` });
  }
  // Prisma turns foreign-key enforcement off around a dropped SQLite table: rows of other tables may still point at it.
  const sql = ctx.provider === 'sqlite' ? `PRAGMA foreign_keys=off;\nDROP TABLE ${name};\nPRAGMA foreign_keys=on;` : `DROP TABLE ${name};`;
  pieces.push({ step: 'DropTable', sql });
  return pieces;
}

/** SQLite cannot alter a column or a constraint: Prisma copies the table into its new shape. */
function redefinePiece(ctx: SqlContext, key: string): Piece | undefined {
  const before = ctx.before.tables[key];
  const after = ctx.after.tables[key];
  if (!before || !after) return undefined;
  let sql = stripHeading(redefineTableSqlite(after, typeState(ctx), sameColumns(before, after)));
  // A copy with no column in common has nothing to insert.
  sql = sql.replace(/^INSERT INTO "[^"]*" \(\) SELECT {2}FROM .*\n/m, '');
  return { step: 'RedefineTables', sql, key: `redefine:${key}`, table: key };
}

function stripHeading(sql: string): string {
  return sql.replace(/^-- [A-Za-z]+\n/, '');
}

// ------------------------------------------------------------------ enums

/**
 * PostgreSQL cannot drop an enum value: Prisma builds the new type, moves
 * every column to it through text (which fails on a row that holds a removed
 * value), swaps the names and drops the old type, in one transaction.
 */
function recreateEnum(ctx: SqlContext, key: string): Piece | undefined {
  const target = ctx.after.enums[key];
  if (!target) return undefined;
  const name = enumName(ctx.after, key, 'postgresql');
  const newName = tableName({ ...(target.schema ? { schema: target.schema } : {}), name: `${target.name}_new` }, 'postgresql');
  const oldName = tableName({ ...(target.schema ? { schema: target.schema } : {}), name: `${target.name}_old` }, 'postgresql');
  const users: { table: DbTable; key: string; column: DbColumn }[] = [];
  for (const [tableKey, table] of Object.entries(ctx.before.tables)) {
    for (const column of table.columns) if (column.type.isEnum && column.type.name === key) users.push({ table, key: tableKey, column });
  }
  const lines = ['BEGIN;', `CREATE TYPE ${newName} AS ENUM (${target.values.map(literal).join(', ')});`];
  const restore: string[] = [];
  for (const user of users) {
    if (!user.column.default) continue;
    lines.push(`ALTER TABLE ${tableName(user.table, 'postgresql')} ALTER COLUMN ${q(user.column.name, 'postgresql')} DROP DEFAULT;`);
    const kept = ctx.after.tables[user.key]?.columns.find((c) => c.name === user.column.name && c.type.isEnum && c.type.name === key);
    const value = kept ? kept.default : stillValid(user.column, target) ? user.column.default : undefined;
    const rendered = renderDefault(value, user.column.type, 'postgresql', typeState(ctx));
    if (rendered !== undefined) restore.push(`ALTER TABLE ${tableName(user.table, 'postgresql')} ALTER COLUMN ${q(user.column.name, 'postgresql')} SET DEFAULT ${rendered};`);
  }
  for (const user of users) {
    const array = user.column.type.array ? '[]' : '';
    lines.push(`ALTER TABLE ${tableName(user.table, 'postgresql')} ALTER COLUMN ${q(user.column.name, 'postgresql')} TYPE ${newName}${array} USING (${q(user.column.name, 'postgresql')}::text::${newName}${array});`);
  }
  lines.push(`ALTER TYPE ${name} RENAME TO ${q(`${target.name}_old`, 'postgresql')};`, `ALTER TYPE ${newName} RENAME TO ${q(target.name, 'postgresql')};`, `DROP TYPE ${oldName};`, ...restore, 'COMMIT;');
  return { step: 'AlterEnum', sql: lines.join('\n'), key: `enum:${key}` };
}

function stillValid(column: DbColumn, target: DbEnum): boolean {
  const value = column.default;
  if (!value || value.kind === 'autoincrement') return false;
  const literals = [...value.sql.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
  return literals.every((v) => target.values.includes(v));
}

// ------------------------------------------------------------------ objects that go with a dropped column

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function bareColumns(index: DbIndex): string[] {
  return index.columns.map((c) => c.split(' ')[0]);
}

/**
 * Dropping a column drops the primary key, indexes and foreign keys that use
 * it, even those the schema keeps unchanged: Prisma drops them first and
 * creates them again after the column is added back. Keys make a constraint
 * that a change of its own also drops or creates come out once.
 */
function dependentsOfRecreatedColumn(ctx: SqlContext, tableKey: string, tableText: string, column: string): Piece[] {
  const before = ctx.before.tables[tableKey];
  const after = ctx.after.tables[tableKey];
  if (!before || !after) return [];
  const provider = ctx.provider;
  const pieces: Piece[] = [];
  const change = { tableKey, table: tableText };
  const pk = after.primaryKey;
  if (pk && before.primaryKey && pk.columns.includes(column) && sameList(pk.columns, before.primaryKey.columns)) {
    const name = pk.name ?? `${after.name}_pkey`;
    pieces.push({ ...alterClause(ctx, change, CLAUSE.dropConstraint, `DROP CONSTRAINT ${q(before.primaryKey.name ?? name, provider)}`), key: `pk-drop:${tableKey}` });
    pieces.push({ ...alterClause(ctx, change, CLAUSE.addConstraint, `ADD CONSTRAINT ${q(name, provider)} PRIMARY KEY (${spacedColumns(pk.columns, provider)})`), key: `pk-add:${tableKey}` });
  }
  for (const index of after.indexes) {
    if (!bareColumns(index).includes(column) || !before.indexes.some((i) => i.name === index.name)) continue;
    pieces.push({ step: 'DropIndex', sql: dropIndex(ctx, tableKey, tableText, index), key: `index-drop:${tableKey}#${index.name}`, table: tableKey });
    pieces.push({ step: 'CreateIndex', sql: createIndex(ctx, tableKey, tableText, index), key: `index-create:${tableKey}#${index.name}`, table: tableKey });
  }
  for (const [key, table] of Object.entries(ctx.after.tables)) {
    for (const fk of table.foreignKeys) {
      const own = key === tableKey && fk.columns.includes(column);
      const pointing = fk.referencedTable === tableKey && fk.referencedColumns.includes(column);
      if ((!own && !pointing) || !ctx.before.tables[key]?.foreignKeys.some((f) => f.name === fk.name)) continue;
      pieces.push({ step: 'DropForeignKey', sql: `ALTER TABLE ${sqlTable(ctx, key, table.name)} DROP CONSTRAINT ${q(fk.name, provider)};`, key: `fk-drop:${key}#${fk.name}` });
      pieces.push({ step: 'AddForeignKey', sql: addForeignKey(ctx, key, table.name, fk), key: `fk-add:${key}#${fk.name}` });
    }
  }
  return pieces;
}

// ------------------------------------------------------------------ one change

interface Rendered {
  pieces: Piece[];
  note?: string;
}

function alterClause(ctx: SqlContext, change: { tableKey: string; table: string }, clauseOrder: number, sql: string, column?: string): Piece {
  const piece: Piece = { step: 'AlterTable', sql, clauseOf: sqlTable(ctx, change.tableKey, change.table), clauseOrder, table: change.tableKey };
  if (column !== undefined) {
    piece.sortName = column;
    const columns = (ctx.before.tables[change.tableKey] ?? ctx.after.tables[change.tableKey])?.columns ?? [];
    piece.position = columns.findIndex((c) => c.name === column);
  }
  return piece;
}

const SQLITE_COPY = 'SQLite cannot alter a column or a constraint: Prisma redefines the table (creates `new_<table>`, copies the rows via INSERT … SELECT, drops the old table and renames the new one); the copy also carries the table\'s other pending changes.';

function sqliteCopy(ctx: SqlContext, tableKey: string): Rendered {
  const piece = redefinePiece(ctx, tableKey);
  return piece ? { pieces: [piece], note: SQLITE_COPY } : { pieces: [] };
}

function addColumnPieces(ctx: SqlContext, change: { tableKey: string; table: string }, column: DbColumn): Rendered {
  switch (ctx.provider) {
    case 'postgresql':
      return { pieces: [alterClause(ctx, change, CLAUSE.addColumn, `ADD COLUMN     ${postgresColumn(column, ctx)}`, column.name)] };
    case 'mysql':
      return { pieces: [alterClause(ctx, change, CLAUSE.addColumn, `ADD COLUMN ${mysqlColumn(column, ctx)}`, column.name)] };
    case 'sqlite': {
      // SQLite adds a column in place only when existing rows can get a constant (NULL or a literal default).
      if (column.nullable || column.default?.kind === 'value') {
        return { pieces: [{ step: 'AlterTable', sql: `ALTER TABLE ${sqlTable(ctx, change.tableKey, change.table)} ADD COLUMN ${sqliteColumn(column, ctx)};`, table: change.tableKey }] };
      }
      return sqliteCopy(ctx, change.tableKey);
    }
  }
}

function dropColumnPieces(ctx: SqlContext, change: { tableKey: string; table: string }, column: string): Rendered {
  if (ctx.provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
  return { pieces: [alterClause(ctx, change, CLAUSE.dropColumn, `DROP COLUMN ${q(column, ctx.provider)}`, column)] };
}

/** MySQL changes a column by restating it whole. */
function modifyMysql(ctx: SqlContext, change: { tableKey: string; table: string; column: string }): Rendered {
  const column = ctx.after.tables[change.tableKey]?.columns.find((c) => c.name === change.column);
  if (!column) return { pieces: [] };
  return { pieces: [alterClause(ctx, change, CLAUSE.alterColumn, `MODIFY ${mysqlColumn(column, ctx)}`, change.column)] };
}

function render(change: Change, ctx: SqlContext): Rendered {
  const provider = ctx.provider;
  switch (change.kind) {
    case 'addTable':
      return { pieces: createTablePieces(ctx, change.tableKey, change.after) };
    case 'dropTable':
      return { pieces: dropTablePieces(ctx, change.tableKey, change.before) };
    case 'renameTable':
      return {
        pieces: [...dropTablePieces(ctx, `${change.tableKey}<-${change.from}`, change.before), ...createTablePieces(ctx, change.tableKey, change.after)],
        note: `Prisma does not rename tables: it drops \`${change.from}\` (and its rows) and creates \`${change.table}\` empty.`,
      };
    case 'addColumn':
      return addColumnPieces(ctx, change, change.after);
    case 'dropColumn':
      return dropColumnPieces(ctx, change, change.column);
    case 'renameColumn': {
      if (provider === 'sqlite') {
        const copy = sqliteCopy(ctx, change.tableKey);
        return { pieces: copy.pieces, note: `Prisma does not rename columns: the table copy leaves \`${change.from}\` behind and adds \`${change.column}\` empty. ${SQLITE_COPY}` };
      }
      return {
        pieces: [...dropColumnPieces(ctx, change, change.from).pieces, ...addColumnPieces(ctx, change, change.after).pieces],
        note: `Prisma does not rename columns: it drops \`${change.from}\` (and its values) and adds \`${change.column}\`.`,
      };
    }
    case 'alterColumnType': {
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      if (provider === 'mysql') return modifyMysql(ctx, change);
      if (classifyCast(provider, change.from, change.to) === 'dropsData') {
        return {
          // Prisma writes the drop and the add side by side, among the table's altered columns.
          pieces: [
            alterClause(ctx, change, CLAUSE.alterColumn, `DROP COLUMN ${q(change.column, provider)}`, change.column),
            alterClause(ctx, change, CLAUSE.alterColumn, `ADD COLUMN     ${postgresColumn(change.after, ctx)}`, change.column),
            ...dependentsOfRecreatedColumn(ctx, change.tableKey, change.table, change.column),
          ],
          note: `PostgreSQL cannot cast ${renderType(change.from, provider, typeState(ctx))} to ${renderType(change.to, provider, typeState(ctx))}: Prisma drops the column (and its values) and adds it again.`,
        };
      }
      const type = renderType(change.to, provider, typeState(ctx));
      const column = q(change.column, provider);
      const using = change.to.isEnum ? ` USING (${column}::text::${type})` : '';
      return { pieces: [alterClause(ctx, change, CLAUSE.alterColumn, `ALTER COLUMN ${column} SET DATA TYPE ${type}${using}`, change.column)] };
    }
    case 'setNotNull':
    case 'dropNotNull':
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      if (provider === 'mysql') return modifyMysql(ctx, change);
      return { pieces: [alterClause(ctx, change, CLAUSE.alterColumn, `ALTER COLUMN ${q(change.column, provider)} ${change.kind === 'setNotNull' ? 'SET' : 'DROP'} NOT NULL`, change.column)] };
    case 'setDefault': {
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      if (provider === 'mysql') return modifyMysql(ctx, change);
      const column = ctx.after.tables[change.tableKey]?.columns.find((c) => c.name === change.column);
      if (!column) return { pieces: [] };
      if (change.to.kind === 'autoincrement') {
        const sequence = `${change.table}_${change.column}_seq`;
        const table = sqlTable(ctx, change.tableKey, change.table);
        return {
          pieces: [
            { step: 'AlterTable', sql: `CREATE SEQUENCE ${q(sequence, provider)};`, table: change.tableKey },
            alterClause(ctx, change, CLAUSE.alterColumn, `ALTER COLUMN ${q(change.column, provider)} SET DEFAULT nextval(${literal(`"${sequence}"`)})`, change.column),
            { step: 'AlterTable', sql: `ALTER SEQUENCE ${q(sequence, provider)} OWNED BY ${table}.${q(change.column, provider)};`, table: change.tableKey },
          ],
        };
      }
      const value = renderDefault(change.to, column.type, provider, typeState(ctx));
      return { pieces: value === undefined ? [] : [alterClause(ctx, change, CLAUSE.alterColumn, `ALTER COLUMN ${q(change.column, provider)} SET DEFAULT ${value}`, change.column)] };
    }
    case 'dropDefault':
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      if (provider === 'mysql') return modifyMysql(ctx, change);
      return { pieces: [alterClause(ctx, change, CLAUSE.alterColumn, `ALTER COLUMN ${q(change.column, provider)} DROP DEFAULT`, change.column)] };
    case 'addIndex':
      return { pieces: [{ step: 'CreateIndex', sql: createIndex(ctx, change.tableKey, change.table, change.index), table: change.tableKey, key: `index-create:${change.tableKey}#${change.index.name}` }] };
    case 'dropIndex':
      return { pieces: [{ step: 'DropIndex', sql: dropIndex(ctx, change.tableKey, change.table, change.index), table: change.tableKey, key: `index-drop:${change.tableKey}#${change.index.name}` }] };
    case 'renameIndex': {
      if (provider === 'postgresql') {
        const table = ctx.after.tables[change.tableKey];
        const schema = table?.schema && table.schema !== 'public' ? `${q(table.schema, provider)}.` : '';
        return { pieces: [{ step: 'RenameIndex', sql: `ALTER INDEX ${schema}${q(change.from, provider)} RENAME TO ${q(change.to, provider)};` }] };
      }
      if (provider === 'mysql') return { pieces: [{ step: 'RenameIndex', sql: `ALTER TABLE ${sqlTable(ctx, change.tableKey, change.table)} RENAME INDEX ${q(change.from, provider)} TO ${q(change.to, provider)};` }] };
      return {
        pieces: [
          { step: 'DropIndex', sql: dropIndex(ctx, change.tableKey, change.table, { ...change.index, name: change.from }), table: change.tableKey },
          { step: 'CreateIndex', sql: createIndex(ctx, change.tableKey, change.table, change.index), table: change.tableKey },
        ],
      };
    }
    case 'addForeignKey':
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      return { pieces: [{ step: 'AddForeignKey', sql: addForeignKey(ctx, change.tableKey, change.table, change.foreignKey), key: `fk-add:${change.tableKey}#${change.foreignKey.name}` }] };
    case 'dropForeignKey': {
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      const table = sqlTable(ctx, change.tableKey, change.table);
      const verb = provider === 'mysql' ? 'DROP FOREIGN KEY' : 'DROP CONSTRAINT';
      return { pieces: [{ step: 'DropForeignKey', sql: `ALTER TABLE ${table} ${verb} ${q(change.foreignKey.name, provider)};`, key: `fk-drop:${change.tableKey}#${change.foreignKey.name}` }] };
    }
    case 'renameForeignKey': {
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      const table = sqlTable(ctx, change.tableKey, change.table);
      if (provider === 'mysql') {
        return {
          pieces: [
            { step: 'DropForeignKey', sql: `ALTER TABLE ${table} DROP FOREIGN KEY ${q(change.from, provider)};` },
            { step: 'AddForeignKey', sql: addForeignKey(ctx, change.tableKey, change.table, change.foreignKey) },
          ],
        };
      }
      return { pieces: [{ step: 'RenameForeignKey', sql: `ALTER TABLE ${table} RENAME CONSTRAINT ${q(change.from, provider)} TO ${q(change.to, provider)};` }] };
    }
    case 'changePrimaryKey': {
      if (provider === 'sqlite') return sqliteCopy(ctx, change.tableKey);
      const pieces: Piece[] = [];
      if (provider === 'mysql') {
        if (change.from) pieces.push(alterClause(ctx, change, CLAUSE.dropConstraint, 'DROP PRIMARY KEY'));
        if (change.to) pieces.push(alterClause(ctx, change, CLAUSE.addConstraint, `ADD PRIMARY KEY (${spacedColumns(change.to.columns, provider)})`));
        return { pieces };
      }
      const fromName = change.from?.name ?? `${change.table}_pkey`;
      const toName = change.to?.name ?? `${change.table}_pkey`;
      if (change.onlyName) {
        return { pieces: [{ step: 'AlterTable', sql: `ALTER TABLE ${sqlTable(ctx, change.tableKey, change.table)} RENAME CONSTRAINT ${q(fromName, provider)} TO ${q(toName, provider)};`, table: change.tableKey }] };
      }
      if (change.from) pieces.push({ ...alterClause(ctx, change, CLAUSE.dropConstraint, `DROP CONSTRAINT ${q(fromName, provider)}`), key: `pk-drop:${change.tableKey}` });
      if (change.to) pieces.push({ ...alterClause(ctx, change, CLAUSE.addConstraint, `ADD CONSTRAINT ${q(toName, provider)} PRIMARY KEY (${spacedColumns(change.to.columns, provider)})`), key: `pk-add:${change.tableKey}` });
      return { pieces };
    }
    case 'addEnum':
      if (provider !== 'postgresql') return { pieces: [], note: `${providerName(provider)} has no enum types: the values live in each column's type.` };
      return { pieces: [{ step: 'CreateEnum', sql: `CREATE TYPE ${enumName(ctx.after, change.tableKey, provider)} AS ENUM (${change.after.values.map(literal).join(', ')});` }] };
    case 'dropEnum':
      if (provider !== 'postgresql') return { pieces: [], note: `${providerName(provider)} has no enum types: the values live in each column's type.` };
      return { pieces: [{ step: 'DropEnum', sql: `DROP TYPE ${enumName(ctx.before, change.tableKey, provider)};` }] };
    case 'addEnumValue':
      if (provider !== 'postgresql') return { pieces: [], note: `${providerName(provider)} keeps enum values in each column's type: Prisma changes the columns that use it.` };
      return { pieces: [{ step: 'AlterEnum', sql: `ALTER TYPE ${enumName(ctx.after, change.tableKey, provider)} ADD VALUE ${literal(change.value)};` }] };
    case 'removeEnumValue': {
      if (provider !== 'postgresql') return { pieces: [], note: `${providerName(provider)} keeps enum values in each column's type: Prisma changes the columns that use it.` };
      const piece = recreateEnum(ctx, change.tableKey);
      return {
        pieces: piece ? [piece] : [],
        note: 'PostgreSQL cannot remove an enum value: Prisma creates the new type, converts every column through text (failing on a row that holds a removed value), swaps the names and drops the old type.',
      };
    }
    case 'addView':
    case 'dropView':
      // Prisma Migrate writes no SQL for views: their definition lives in the migration you write by hand.
      return { pieces: [], note: 'Prisma Migrate generates no SQL for views: write the CREATE VIEW or DROP VIEW in a migration by hand.' };
  }
}

// ------------------------------------------------------------------ writing pieces in Prisma's order

/**
 * Which changes another change already carries: everything inside a renamed
 * table (Prisma recreates it whole), every value change of an enum PostgreSQL
 * recreates, and on SQLite every index of a table that is copied.
 */
function coverage(changes: Change[], ctx: SqlContext, rendered: Map<Change, Rendered>): Map<Change, string> {
  const covered = new Map<Change, string>();
  const renamedTables = new Map(changes.filter((c) => c.kind === 'renameTable').map((c) => [c.tableKey, c.table] as const));
  const recreated = new Set(ctx.provider === 'postgresql' ? changes.filter((c) => c.kind === 'removeEnumValue').map((c) => c.tableKey) : []);
  const recreatedColumns = new Set(
    ctx.provider === 'postgresql'
      ? changes.filter((c) => c.kind === 'alterColumnType' && classifyCast(ctx.provider, c.from, c.to) === 'dropsData').map((c) => `${c.tableKey}.${'column' in c ? c.column : ''}`)
      : [],
  );
  const copied = new Set<string>();
  for (const [, out] of rendered) for (const piece of out.pieces) if (piece.step === 'RedefineTables' && piece.table) copied.add(piece.table);
  for (const change of changes) {
    if (change.kind !== 'renameTable' && renamedTables.has(change.tableKey) && change.kind !== 'addEnum' && change.kind !== 'dropEnum') {
      covered.set(change, `Part of the CREATE TABLE of \`${change.table}\` (Prisma recreates the renamed table whole).`);
    } else if (change.kind === 'addEnumValue' && recreated.has(change.tableKey)) {
      covered.set(change, `Part of the recreation of enum \`${change.table}\` (a value is removed from it in the same migration).`);
    } else if (copied.has(change.tableKey) && !(rendered.get(change)?.pieces ?? []).some((p) => p.step === 'RedefineTables')) {
      covered.set(change, `Part of the copy of table \`${change.table}\`, which recreates its columns and indexes.`);
    } else if (change.kind !== 'alterColumnType' && 'column' in change && recreatedColumns.has(`${change.tableKey}.${change.column}`)) {
      covered.set(change, `Part of the column's drop-and-add (see its type change).`);
    }
  }
  return covered;
}

function compareClauses(a: Piece, b: Piece): number {
  if (a.clauseOrder === CLAUSE.alterColumn) return (a.position ?? 0) - (b.position ?? 0);
  if (a.sortName === undefined || b.sortName === undefined) return 0;
  // Byte order, as the engine sorts names.
  return a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0;
}

function assemble(pieces: Piece[]): string {
  const ordered = pieces
    .map((piece, index) => ({ piece, index }))
    .sort((a, b) => STEPS.indexOf(a.piece.step) - STEPS.indexOf(b.piece.step) || a.index - b.index)
    .map((p) => p.piece);
  const seen = new Set<string>();
  const blocks: { step: Step; sql: string }[] = [];
  const alterBlocks = new Map<string, { clauses: Piece[] }>();
  for (const piece of ordered) {
    if (piece.key) {
      if (seen.has(piece.key)) continue;
      seen.add(piece.key);
    }
    if (piece.clauseOf !== undefined) {
      const existing = alterBlocks.get(piece.clauseOf);
      if (existing) {
        existing.clauses.push(piece);
        continue;
      }
      const block = { clauses: [piece] };
      alterBlocks.set(piece.clauseOf, block);
      // The block's text is filled in below, once every clause of the table is known.
      blocks.push({ step: piece.step, sql: `\u0000${piece.clauseOf}` });
      continue;
    }
    blocks.push({ step: piece.step, sql: piece.sql });
  }
  return blocks
    .map((block) => {
      let sql = block.sql;
      if (sql.startsWith('\u0000')) {
        const table = sql.slice(1);
        const clauses = (alterBlocks.get(table)?.clauses ?? []).map((c, i) => ({ c, i })).sort((a, b) => (a.c.clauseOrder ?? 0) - (b.c.clauseOrder ?? 0) || compareClauses(a.c, b.c) || a.i - b.i);
        sql = `ALTER TABLE ${table} ${clauses.map((x) => x.c.sql).join(',\n')};`;
      }
      return `-- ${block.step}\n${sql}`;
    })
    .join('\n\n');
}

export interface MigrationSql {
  /** The whole migration, as `prisma migrate dev` would write it (without its Warnings comment). */
  sql: string;
  /** Per change: its own statements, or why another change's statements carry it. */
  byChange: Map<Change, ChangeSql>;
}

/** The SQL for a list of changes (the unmigrated changes of a project, diffed from `ctx.before` to `ctx.after`). */
export function prismaMigrationSql(changes: Change[], ctx: SqlContext): MigrationSql {
  const rendered = new Map<Change, Rendered>();
  for (const change of changes) rendered.set(change, render(change, ctx));
  const covered = coverage(changes, ctx, rendered);
  const byChange = new Map<Change, ChangeSql>();
  const all: Piece[] = [];
  for (const change of changes) {
    const out = rendered.get(change) as Rendered;
    const reason = covered.get(change);
    if (reason) {
      byChange.set(change, { sql: '', note: reason });
      continue;
    }
    all.push(...out.pieces);
    byChange.set(change, { sql: assemble(out.pieces), ...(out.note ? { note: out.note } : {}) });
  }
  return { sql: all.length > 0 ? assemble(all) : '', byChange };
}
