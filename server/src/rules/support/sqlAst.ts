/**
 * Reading PostgreSQL migration statements for the SQL rules: libpg-query node
 * access, which tables a statement names and which locks it takes, where a
 * clause sits in the file, and what the pending migrations have done to each
 * table by the time a statement runs (created since the deploy? renamed? filled?).
 * Also the parser of Prisma's `Warnings:` comment, which the destructive rules cite.
 */
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  ColumnRef,
  Constraint,
  CreateStmt,
  DropStmt,
  IndexStmt,
  InsertStmt,
  Node,
  RangeVar,
  RenameStmt,
  ResTarget,
  SelectStmt,
  UpdateStmt,
} from 'libpg-query';
import { tableKey, type DbState } from '../../core/dbState';
import type { Position, Range } from '../../core/source';
import type { DialectStatement } from '../../replay/dialectStatements';
import { names, unwrap } from '../../replay/pgTypes';
import type { Dependant, DropEvent, NewEnumValueUse } from '../../replay/types';
import { concurrentLabel, type ParsedStatement } from '../../replay/statements';
import type { SqlRuleContext } from '../types';

// ---------------------------------------------------------------------------
// Nodes

/** The statement's node type and body (`{}` for unparsed statements). */
export function bodyOf(statement: ParsedStatement): [string, Record<string, unknown>] {
  return statement.ast ? unwrap(statement.ast) : [statement.kind, {}];
}

/** Key of a table as DbState spells it: `name`, or `schema.name` outside `public`. */
export function relationKey(relation: RangeVar | undefined): string | undefined {
  if (!relation?.relname) return undefined;
  return tableKey(relation.schemaname, relation.relname);
}

/** The table as the person editing knows it: `"Order"`. */
export function quoted(key: string): string {
  return key
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

export function alterCommands(stmt: AlterTableStmt): AlterTableCmd[] {
  const commands: AlterTableCmd[] = [];
  for (const node of stmt.cmds ?? []) {
    const [kind, body] = unwrap(node);
    if (kind === 'AlterTableCmd') commands.push(body as AlterTableCmd);
  }
  return commands;
}

/** ALTER TABLE on a table (not ALTER INDEX / VIEW / SEQUENCE, which share the node). */
export function alterTableOf(statement: ParsedStatement): { key: string; relation: RangeVar; commands: AlterTableCmd[] } | undefined {
  const [kind, body] = bodyOf(statement);
  if (kind !== 'AlterTableStmt') return undefined;
  const stmt = body as AlterTableStmt;
  if (stmt.objtype && stmt.objtype !== 'OBJECT_TABLE') return undefined;
  const key = relationKey(stmt.relation);
  if (!key || !stmt.relation) return undefined;
  return { key, relation: stmt.relation, commands: alterCommands(stmt) };
}

/** ALTER TABLE on a table that may hold rows when the statement runs: where adding a constraint or column reads or rewrites them. */
export function alterOfFilledTable(statement: ParsedStatement, context: SqlRuleContext): (NonNullable<ReturnType<typeof alterTableOf>> & { table: string }) | undefined {
  const alter = alterTableOf(statement);
  if (!alter || !factsOf(context).before(statement).holdsRows(alter.key)) return undefined;
  return { ...alter, table: quoted(alter.key) };
}

export function constraintOf(node: Node | undefined): Constraint | undefined {
  const [kind, body] = unwrap(node);
  return kind === 'Constraint' ? (body as Constraint) : undefined;
}

export function columnDefOf(node: Node | undefined): ColumnDef | undefined {
  const [kind, body] = unwrap(node);
  return kind === 'ColumnDef' ? (body as ColumnDef) : undefined;
}

/** `schema.name` lists of a DROP statement, as table keys. */
export function droppedKeys(stmt: DropStmt): string[] {
  const keys: string[] = [];
  for (const object of stmt.objects ?? []) {
    const [kind, body] = unwrap(object);
    const parts = kind === 'List' ? names((body as { items?: Node[] }).items) : kind === 'String' ? [String((body as { sval?: string }).sval ?? '')] : [];
    if (parts.length === 0) continue;
    keys.push(tableKey(parts.length > 1 ? parts[parts.length - 2] : undefined, parts[parts.length - 1]));
  }
  return keys;
}

/** Columns a CHECK expression proves non-null: `a IS NOT NULL`, or several joined with AND. */
export function notNullColumns(expr: Node | undefined): string[] {
  const [kind, body] = unwrap(expr);
  if (kind === 'NullTest') {
    if (body.nulltesttype !== 'IS_NOT_NULL') return [];
    const ref = columnRefName(body.arg as Node | undefined);
    return ref ? [ref] : [];
  }
  if (kind === 'BoolExpr' && body.boolop === 'AND_EXPR') {
    return ((body.args as Node[] | undefined) ?? []).flatMap((arg) => notNullColumns(arg));
  }
  return [];
}

/** The column of a `ColumnRef` (its last name part), ignoring `*`. */
export function columnRefName(node: Node | undefined): string | undefined {
  const [kind, body] = unwrap(node);
  if (kind !== 'ColumnRef') return undefined;
  const parts = names((body as ColumnRef).fields);
  return parts.length > 0 ? parts[parts.length - 1] : undefined;
}

/** Every column reference under `node`, with its qualifier when written `t.col`. */
export function columnRefs(node: unknown, into: { qualifier?: string; column: string }[] = []): { qualifier?: string; column: string }[] {
  if (!node || typeof node !== 'object') return into;
  if (Array.isArray(node)) {
    for (const item of node) columnRefs(item, into);
    return into;
  }
  const [kind, body] = unwrap(node);
  if (kind === 'ColumnRef') {
    const parts = names((body as ColumnRef).fields);
    if (parts.length > 0) into.push({ column: parts[parts.length - 1], ...(parts.length > 1 ? { qualifier: parts[parts.length - 2] } : {}) });
    return into;
  }
  for (const value of Object.values(body)) if (value && typeof value === 'object') columnRefs(value, into);
  return into;
}

/**
 * A statement before `upTo` that copied every value of `table`.`column` elsewhere:
 * an `UPDATE` of the table setting another column from it (`column` names that
 * one), or an `INSERT ... SELECT` reading it from the table into another `table`.
 * The values then survive a drop of the column; running code does not.
 */
export function columnCopyBefore(statements: ParsedStatement[], upTo: ParsedStatement, table: string, column: string): { statement: ParsedStatement; table: string; column?: string } | undefined {
  for (const statement of statements) {
    if (statement === upTo) return undefined;
    const dialect = statement.dialect;
    if (dialect?.kind === 'update' && dialect.table === table && !dialect.joins && !dialect.limit) {
      const into = dialect.setColumns.find((set) => dialect.copies[set] === column);
      const where = dialect.where;
      if (into && (where.everyRow || (where.onlyNullTestsOfSetColumns && (where.alsoNotNullTests ?? []).every((c) => c === column)))) return { statement, table, column: into };
    }
    const rows = dialectRowCopy(statement, table);
    if (rows && (rows.selected.includes(column) || rows.selected.includes('*'))) return { statement, table: rows.table };
    const [kind, body] = bodyOf(statement);
    if (kind === 'UpdateStmt') {
      const update = body as UpdateStmt;
      if (relationKey(update.relation) !== table) continue;
      const everyRow = (target: string): boolean => coversEveryValue(update.whereClause as Node | undefined, column, target);
      const alias = update.relation?.alias?.aliasname;
      for (const node of update.targetList ?? []) {
        const target = unwrap(node)[1] as ResTarget;
        if (!target.name || target.name === column) continue;
        if (everyRow(target.name) && copiesColumn(target.val, column, [alias, update.relation?.relname])) {
          return { statement, table, column: target.name };
        }
      }
    }
    if (kind === 'InsertStmt') {
      const insert = body as InsertStmt;
      const select = unwrap(insert.selectStmt as Node | undefined)[1] as SelectStmt | undefined;
      const source = onlySource(select, table);
      if (!select || !source || select.limitCount || !coversEveryValue(select.whereClause as Node | undefined, column)) continue;
      if ((select.targetList ?? []).some((node) => copiesColumn((unwrap(node)[1] as ResTarget).val, column, [source.alias?.aliasname, source.relname]))) {
        const into = relationKey(insert.relation);
        if (into && into !== table) return { statement, table: into };
      }
    }
  }
  return undefined;
}

/** MySQL / SQLite: an `INSERT INTO other ... SELECT` of every row of `table`, and of nothing else. */
function dialectRowCopy(statement: ParsedStatement, table: string): Extract<DialectStatement, { kind: 'insert' }> | undefined {
  const dialect = statement.dialect;
  return dialect?.kind === 'insert' && dialect.table !== table && dialect.from.length === 1 && dialect.from[0] === table && !dialect.filtered ? dialect : undefined;
}

/** The FROM of a SELECT when it is `table` alone (no join, no second source). */
function onlySource(select: SelectStmt | undefined, table: string): RangeVar | undefined {
  const from = (select?.fromClause ?? []).map((node) => unwrap(node));
  return from.length === 1 && from[0][0] === 'RangeVar' && relationKey(from[0][1] as RangeVar) === table ? (from[0][1] as RangeVar) : undefined;
}

/**
 * Whether `value` keeps every value of the column: the bare column, a cast without
 * modifiers (which keeps the value or fails), or COALESCE with the column first
 * (only its NULLs are filled in). `left(name, 10)` or `::varchar(10)` may shorten
 * it, so they are not copies.
 */
function copiesColumn(value: Node | undefined, column: string, qualifiers: (string | undefined)[]): boolean {
  const [kind, body] = unwrap(value);
  if (kind === 'CoalesceExpr') return copiesColumn((body as { args?: Node[] }).args?.[0], column, qualifiers);
  if (kind === 'TypeCast') {
    const cast = body as { arg?: Node; typeName?: { typmods?: Node[] } };
    return (cast.typeName?.typmods ?? []).length === 0 && copiesColumn(cast.arg, column, qualifiers);
  }
  if (kind !== 'ColumnRef') return false;
  const parts = names((body as ColumnRef).fields);
  return parts[parts.length - 1] === column && (parts.length === 1 || qualifiers.includes(parts[parts.length - 2]));
}

/** Whether a copy's WHERE leaves out no value of `source`: none, `source IS NOT NULL`, or `target IS NULL` (rows not copied yet). */
function coversEveryValue(where: Node | undefined, source: string, target?: string): boolean {
  if (!where) return true;
  const [kind, body] = unwrap(where);
  if (kind !== 'NullTest') return false;
  const tested = columnRefs((body as { arg?: Node }).arg);
  if (tested.length !== 1) return false;
  const test = (body as { nulltesttype?: string }).nulltesttype;
  return (test === 'IS_NOT_NULL' && tested[0].column === source) || (test === 'IS_NULL' && target !== undefined && tested[0].column === target);
}

/**
 * A statement before `upTo` that copied every row of `table` into another table:
 * `CREATE TABLE ... AS SELECT * FROM table` or `INSERT INTO ... SELECT * FROM table`,
 * without a WHERE, or a SELECT that names each of `columns` (the table's columns,
 * when the caller knows them) unchanged: the rebuild `INSERT INTO "Post" ("id",
 * "title") SELECT "id", "title" FROM "Post_old"`. The rows then survive a drop of
 * the table (not its indexes, triggers or policies).
 */
export function tableCopyBefore(statements: ParsedStatement[], upTo: ParsedStatement, table: string, columns?: readonly string[]): { statement: ParsedStatement; into: string } | undefined {
  const named = (selected: readonly string[]): boolean => selected.includes('*') || (columns !== undefined && columns.length > 0 && columns.every((c) => selected.includes(c)));
  for (const statement of statements) {
    if (statement === upTo) return undefined;
    const rows = dialectRowCopy(statement, table);
    if (rows && named(rows.selected)) return { statement, into: rows.table };
    const [kind, body] = bodyOf(statement);
    const into = kind === 'CreateTableAsStmt' ? relationKey((body as { into?: { rel?: RangeVar } }).into?.rel) : kind === 'InsertStmt' ? relationKey((body as InsertStmt).relation) : undefined;
    const query = kind === 'CreateTableAsStmt' ? (body as { query?: Node }).query : kind === 'InsertStmt' ? ((body as InsertStmt).selectStmt as Node | undefined) : undefined;
    const select = unwrap(query)[1] as SelectStmt | undefined;
    const source = onlySource(select, table);
    if (!into || into === table || !select || select.whereClause || select.limitCount || !source) continue;
    const qualifiers = [undefined, source.relname, source.alias?.aliasname];
    const selected = (select.targetList ?? []).flatMap((node) => {
      const value = (unwrap(node)[1] as ResTarget).val;
      const [refKind, ref] = unwrap(value);
      if (refKind === 'ColumnRef' && ((ref as ColumnRef).fields ?? []).some((field) => unwrap(field)[0] === 'A_Star')) return ['*'];
      return (columns ?? []).filter((column) => copiesColumn(value, column, qualifiers));
    });
    if (named(selected)) return { statement, into };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Where things are in the file

/** Position of `index` (a UTF-16 offset into `statement.text`) in the file. */
export function positionIn(statement: ParsedStatement, index: number): Position {
  const before = statement.text.slice(0, Math.max(0, Math.min(index, statement.text.length)));
  const newline = before.lastIndexOf('\n');
  if (newline < 0) return { line: statement.range.start.line, character: statement.range.start.character + before.length };
  let line = statement.range.start.line;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  return { line, character: before.length - newline - 1 };
}

/** The first line of the statement: a squiggle under `CREATE TABLE "Invoice" (` rather than under forty lines. */
export function headRange(statement: ParsedStatement): Range {
  const newline = statement.text.indexOf('\n');
  const end = newline < 0 ? statement.text.length : statement.text.slice(0, newline).trimEnd().length;
  return { start: statement.range.start, end: positionIn(statement, end) };
}

/** The first match of `pattern` in the statement's text, or the whole statement. */
export function clauseRange(statement: ParsedStatement, pattern: RegExp): Range {
  const match = pattern.exec(statement.text);
  if (!match) return statement.range;
  return { start: positionIn(statement, match.index), end: positionIn(statement, match.index + match[0].length) };
}

/** A regex source matching identifier `name` as written in SQL: `"name"`, or bare when PostgreSQL folds it to `name`. */
export function identPattern(name: string): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const quotedForm = `"${escaped.replace(/"/g, '""')}"`;
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? `(?:${quotedForm}|\\b${escaped}\\b)` : quotedForm;
}

// ---------------------------------------------------------------------------
// Transactions

/**
 * Where a statement runs, transaction-wise. Prisma sends a migration file to
 * PostgreSQL as one simple-protocol query (prisma-engines: the schema engine's
 * `apply_migration_script` calls tokio-postgres `simple_query(script)`), and
 * PostgreSQL runs a query string of several statements in an implicit
 * transaction block: an explicit COMMIT or ROLLBACK ends the block and the
 * statements after it start a new one; a BEGIN turns the open implicit block
 * into an explicit one, the statements before it included. Only a file of one
 * statement runs outside any transaction block.
 */
export interface TransactionPlacement {
  /** The only statement of its file: it runs outside any transaction block. */
  alone: boolean;
  /** Which of the file's transactions it runs in (0, 1, ...): the locks it takes are held until that one ends. */
  transaction: number;
  /** Inside an explicit BEGIN ... COMMIT: the BEGIN. */
  begin?: ParsedStatement;
  /** The COMMIT (or ROLLBACK) that ended the previous transaction, when there is one. */
  after?: ParsedStatement;
}

const placements = new WeakMap<ParsedStatement[], Map<ParsedStatement, TransactionPlacement>>();

/** The transaction each statement of a file runs in (see TransactionPlacement). */
export function transactionsOf(statements: ParsedStatement[]): Map<ParsedStatement, TransactionPlacement> {
  const known = placements.get(statements);
  if (known) return known;
  const result = new Map<ParsedStatement, TransactionPlacement>();
  const alone = statements.length === 1;
  let transaction = 0;
  let begin: ParsedStatement | undefined;
  let after: ParsedStatement | undefined;
  for (const statement of statements) {
    const [kind, body] = bodyOf(statement);
    if (kind === 'TransactionStmt' && (body.kind === 'TRANS_STMT_BEGIN' || body.kind === 'TRANS_STMT_START')) begin ??= statement;
    result.set(statement, { alone, transaction, ...(begin ? { begin } : {}), ...(after ? { after } : {}) });
    if (endsTransaction(statement)) {
      transaction++;
      begin = undefined;
      after = statement;
    }
  }
  placements.set(statements, result);
  return result;
}

/** COMMIT (or END), ROLLBACK, PREPARE TRANSACTION: the statements after it run in a new transaction. */
export function endsTransaction(statement: ParsedStatement): boolean {
  const [kind, body] = bodyOf(statement);
  return kind === 'TransactionStmt' && ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE'].includes(String(body.kind ?? ''));
}

/** The placement of one statement of `statements`. */
export function placementOf(statement: ParsedStatement, statements: ParsedStatement[]): TransactionPlacement {
  return transactionsOf(statements).get(statement) ?? { alone: statements.length <= 1, transaction: 0 };
}

// ---------------------------------------------------------------------------
// Locks

export type LockMode = 'ACCESS EXCLUSIVE' | 'EXCLUSIVE' | 'SHARE ROW EXCLUSIVE' | 'SHARE' | 'SHARE UPDATE EXCLUSIVE';

const STRENGTH: Record<LockMode, number> = {
  'SHARE UPDATE EXCLUSIVE': 4,
  SHARE: 5,
  'SHARE ROW EXCLUSIVE': 6,
  EXCLUSIVE: 7,
  'ACCESS EXCLUSIVE': 8,
};

/** Lock levels that block the application's writes (SHARE and up); SHARE UPDATE EXCLUSIVE does not. */
export function blocksTraffic(mode: LockMode): boolean {
  return STRENGTH[mode] >= STRENGTH.SHARE;
}

export function stronger(a: LockMode, b: LockMode): LockMode {
  return STRENGTH[a] >= STRENGTH[b] ? a : b;
}

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (PostgreSQL's AlterTableGetLockLevel). */
const COMMAND_LOCKS: Record<string, LockMode> = {
  AT_ValidateConstraint: 'SHARE UPDATE EXCLUSIVE',
  AT_SetStatistics: 'SHARE UPDATE EXCLUSIVE',
  AT_ClusterOn: 'SHARE UPDATE EXCLUSIVE',
  AT_DropCluster: 'SHARE UPDATE EXCLUSIVE',
  AT_SetOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_ResetOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_AttachPartition: 'SHARE UPDATE EXCLUSIVE',
  AT_EnableTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableAlwaysTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableReplicaTrig: 'SHARE ROW EXCLUSIVE',
  AT_EnableTrigAll: 'SHARE ROW EXCLUSIVE',
  AT_EnableTrigUser: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrig: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrigAll: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrigUser: 'SHARE ROW EXCLUSIVE',
};

export interface LockTaken {
  /** Table key. */
  table: string;
  mode: LockMode;
}

/**
 * The table locks a statement takes, strongest per table. Only what the
 * rules need: tables (not indexes or types on their own), explicit and
 * implicit (a foreign key also locks the table it references).
 * `indexTable` finds the table of an index by name (DROP INDEX names only the index).
 */
export function locksTaken(statement: ParsedStatement, indexTable: (schema: string | undefined, index: string) => string | undefined): LockTaken[] {
  const locks = new Map<string, LockMode>();
  const take = (table: string | undefined, mode: LockMode): void => {
    if (!table) return;
    const held = locks.get(table);
    locks.set(table, held ? stronger(held, mode) : mode);
  };
  const [kind, body] = bodyOf(statement);
  switch (kind) {
    case 'AlterTableStmt': {
      const alter = alterTableOf(statement);
      if (!alter) break;
      for (const command of alter.commands) {
        const constraint = constraintOf(command.def);
        const column = columnDefOf(command.def);
        const foreign = [constraint, ...(column?.constraints ?? []).map(constraintOf)].filter((c): c is Constraint => c?.contype === 'CONSTR_FOREIGN');
        if (command.subtype === 'AT_AddConstraint' && foreign.length > 0) {
          take(alter.key, 'SHARE ROW EXCLUSIVE');
        } else if (command.subtype === 'AT_DetachPartition' && unwrap(command.def)[1].concurrent === true) {
          take(alter.key, 'SHARE UPDATE EXCLUSIVE');
        } else {
          take(alter.key, COMMAND_LOCKS[command.subtype ?? ''] ?? 'ACCESS EXCLUSIVE');
        }
        for (const fk of foreign) take(relationKey(fk.pktable), 'SHARE ROW EXCLUSIVE');
      }
      break;
    }
    case 'IndexStmt': {
      const stmt = body as IndexStmt;
      if (!stmt.concurrent) take(relationKey(stmt.relation), 'SHARE');
      break;
    }
    case 'DropStmt': {
      const stmt = body as DropStmt;
      if (stmt.removeType === 'OBJECT_TABLE') for (const key of droppedKeys(stmt)) take(key, 'ACCESS EXCLUSIVE');
      if (stmt.removeType === 'OBJECT_INDEX' && !stmt.concurrent) {
        for (const key of droppedKeys(stmt)) {
          const [schema, name] = key.includes('.') ? [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)] : [undefined, key];
          take(indexTable(schema, name), 'ACCESS EXCLUSIVE');
        }
      }
      break;
    }
    case 'RenameStmt': {
      const stmt = body as RenameStmt;
      // Renaming an index takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12; tables, columns and constraints take the strong lock.
      if (['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT'].includes(stmt.renameType ?? '')) take(relationKey(stmt.relation), 'ACCESS EXCLUSIVE');
      break;
    }
    case 'TruncateStmt':
      for (const node of (body.relations as Node[] | undefined) ?? []) take(relationKey(unwrap(node)[1] as RangeVar), 'ACCESS EXCLUSIVE');
      break;
    case 'LockStmt': {
      const modes: Record<number, LockMode> = { 4: 'SHARE UPDATE EXCLUSIVE', 5: 'SHARE', 6: 'SHARE ROW EXCLUSIVE', 7: 'EXCLUSIVE', 8: 'ACCESS EXCLUSIVE' };
      const mode = modes[Number(body.mode ?? 8)];
      if (mode) for (const node of (body.relations as Node[] | undefined) ?? []) take(relationKey(unwrap(node)[1] as RangeVar), mode);
      break;
    }
    case 'CreateTrigStmt':
      take(relationKey(body.relation as RangeVar | undefined), 'SHARE ROW EXCLUSIVE');
      break;
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      take(relationKey(body.table as RangeVar | undefined), 'ACCESS EXCLUSIVE');
      break;
    case 'ClusterStmt':
      take(relationKey(body.relation as RangeVar | undefined), 'ACCESS EXCLUSIVE');
      break;
    case 'ReindexStmt':
      if (body.kind === 'REINDEX_OBJECT_TABLE' && !concurrentLabel(statement)) take(relationKey(body.relation as RangeVar | undefined), 'SHARE');
      break;
    case 'CreateStmt': {
      // A new table's inline REFERENCES lock the referenced (existing) table.
      const stmt = body as CreateStmt;
      for (const element of stmt.tableElts ?? []) {
        const constraints = [constraintOf(element), ...(columnDefOf(element)?.constraints ?? []).map(constraintOf)];
        for (const c of constraints) if (c?.contype === 'CONSTR_FOREIGN') take(relationKey(c.pktable), 'SHARE ROW EXCLUSIVE');
      }
      break;
    }
    default:
      break;
  }
  return [...locks].map(([table, mode]) => ({ table, mode }));
}

/** Whether the statement sets `lock_timeout` (true), clears it (false), or leaves it alone (undefined). */
export function lockTimeoutEffect(statement: ParsedStatement): boolean | undefined {
  const [kind, body] = bodyOf(statement);
  if (kind === 'VariableSetStmt') {
    if (body.kind === 'VAR_RESET_ALL') return false;
    if (String(body.name ?? '').toLowerCase() !== 'lock_timeout') return undefined;
    if (body.kind !== 'VAR_SET_VALUE') return false;
    const value = constantText(((body.args as Node[] | undefined) ?? [])[0]);
    return value !== undefined && !isZeroTimeout(value);
  }
  if (kind === 'SelectStmt') {
    // SELECT set_config('lock_timeout', '5s', false)
    const match = /set_config\s*\(\s*'lock_timeout'\s*,\s*'([^']*)'/i.exec(statement.text);
    if (match) return !isZeroTimeout(match[1]);
  }
  return undefined;
}

function constantText(node: Node | undefined): string | undefined {
  const [kind, body] = unwrap(node);
  if (kind !== 'A_Const') return undefined;
  const value = body as { ival?: { ival?: number }; sval?: { sval?: string }; fval?: { fval?: string } };
  if (value.sval) return value.sval.sval ?? '';
  if (value.fval) return value.fval.fval ?? '0';
  if (value.ival) return String(value.ival.ival ?? 0);
  return undefined;
}

function isZeroTimeout(value: string): boolean {
  const number = parseFloat(value);
  return !Number.isFinite(number) || number <= 0;
}

// ---------------------------------------------------------------------------
// Tables through the pending migrations

/** What a table is, at one point of the pending migrations. */
interface TrackedTable {
  /** Its key in the deployed database when it is that table (possibly renamed since). */
  deployed?: string;
  /** It may hold rows: deployed, or filled from another table (INSERT ... SELECT, CREATE TABLE AS). */
  rows: boolean;
  /** Current column name → deployed column name, once a column of a deployed table was renamed or dropped. */
  columns?: Map<string, string>;
  /**
   * SQLite's table redefinition (and its hand-written MySQL twin): a new table
   * filled by `INSERT ... SELECT` from a deployed one. Renamed to the old name,
   * it becomes that deployed table again, with the columns the copy kept.
   */
  copyOf?: { table: TrackedTable; kept: Map<string, string> };
}

/** The tables as they are just before one statement runs. */
export interface TableView {
  /** The table is the deployed one (under this or an earlier name): live traffic uses it. */
  isLive(key: string): boolean;
  /** The table may hold rows. */
  holdsRows(key: string): boolean;
  /** The deployed table it is, when it is one. */
  deployedTable(key: string): string | undefined;
  /** The column's name in the deployed database, when the column holds deployed data. */
  deployedColumn(key: string, column: string): string | undefined;
  /** Every column of the table that holds deployed data: current name → deployed name. */
  deployedColumns(key: string): Map<string, string>;
}

/**
 * Follows what pending statements do to tables (create, drop, rename, fill)
 * on top of the deployed state. Snapshots are cheap: only tables the pending
 * migrations touched are copied.
 */
export class PendingTables {
  private touched = new Map<string, TrackedTable | null>();

  constructor(private readonly baseline: DbState) {}

  view(): TableView {
    const touched = new Map(this.touched);
    const get = (key: string): TrackedTable | undefined => this.lookup(touched, key);
    const baseline = this.baseline;
    return {
      isLive: (key) => get(key)?.deployed !== undefined,
      holdsRows: (key) => get(key)?.rows === true,
      deployedTable: (key) => get(key)?.deployed,
      deployedColumn(key, column) {
        const table = get(key);
        if (!table?.deployed) return undefined;
        if (table.columns) return table.columns.get(column);
        return baseline.tables[table.deployed]?.columns.some((c) => c.name === column) ? column : undefined;
      },
      deployedColumns(key) {
        const table = get(key);
        if (!table?.deployed) return new Map();
        return new Map(table.columns ?? (baseline.tables[table.deployed]?.columns ?? []).map((c) => [c.name, c.name]));
      },
    };
  }

  private lookup(touched: Map<string, TrackedTable | null>, key: string): TrackedTable | undefined {
    if (touched.has(key)) return touched.get(key) ?? undefined;
    return this.baseline.tables[key] ? { deployed: key, rows: true } : undefined;
  }

  private get(key: string): TrackedTable | undefined {
    return this.lookup(this.touched, key);
  }

  /** The column map of a deployed table, materialised so it can change. */
  private columnsOf(table: TrackedTable): Map<string, string> {
    if (table.columns) return new Map(table.columns);
    const deployed = table.deployed ? this.baseline.tables[table.deployed] : undefined;
    return new Map((deployed?.columns ?? []).map((c) => [c.name, c.name]));
  }

  apply(statement: ParsedStatement): void {
    if (statement.dialect) {
      this.applyDialect(statement.dialect);
      return;
    }
    const [kind, body] = bodyOf(statement);
    switch (kind) {
      case 'CreateStmt': {
        const stmt = body as CreateStmt;
        const key = relationKey(stmt.relation);
        if (!key || stmt.relation?.relpersistence === 't') return;
        if (stmt.if_not_exists && this.get(key)) return;
        this.touched.set(key, { rows: false });
        return;
      }
      case 'CreateTableAsStmt': {
        const key = relationKey((body.into as { rel?: RangeVar } | undefined)?.rel);
        if (key && body.objtype === 'OBJECT_TABLE') this.touched.set(key, { rows: true });
        return;
      }
      case 'DropStmt': {
        const stmt = body as DropStmt;
        if (stmt.removeType === 'OBJECT_TABLE') for (const key of droppedKeys(stmt)) this.touched.set(key, null);
        return;
      }
      case 'RenameStmt': {
        const stmt = body as RenameStmt;
        const key = relationKey(stmt.relation);
        const table = key ? this.get(key) : undefined;
        if (!key || !table || !stmt.newname) return;
        if (stmt.renameType === 'OBJECT_TABLE') {
          this.touched.set(key, null);
          this.touched.set(tableKey(stmt.relation?.schemaname, stmt.newname), table);
        } else if (stmt.renameType === 'OBJECT_COLUMN' && table.deployed && stmt.subname) {
          const columns = this.columnsOf(table);
          const deployed = columns.get(stmt.subname);
          columns.delete(stmt.subname);
          if (deployed !== undefined) columns.set(stmt.newname, deployed);
          this.touched.set(key, { ...table, columns });
        }
        return;
      }
      case 'AlterObjectSchemaStmt': {
        const key = relationKey(body.relation as RangeVar | undefined);
        const table = key ? this.get(key) : undefined;
        if (!key || !table || body.objectType !== 'OBJECT_TABLE') return;
        this.touched.set(key, null);
        this.touched.set(tableKey(String(body.newschema ?? ''), (body.relation as RangeVar).relname ?? ''), table);
        return;
      }
      case 'AlterTableStmt': {
        const alter = alterTableOf(statement);
        const table = alter ? this.get(alter.key) : undefined;
        if (!alter || !table?.deployed) return;
        let columns: Map<string, string> | undefined;
        for (const command of alter.commands) {
          if (command.subtype === 'AT_DropColumn' && command.name) {
            columns ??= this.columnsOf(table);
            columns.delete(command.name);
          }
          // A column added under a deployed column's old name is new: it holds nothing deployed.
          const added = command.subtype === 'AT_AddColumn' ? columnDefOf(command.def)?.colname : undefined;
          if (added) {
            columns ??= this.columnsOf(table);
            columns.delete(added);
          }
        }
        if (columns) this.touched.set(alter.key, { ...table, columns });
        return;
      }
      case 'InsertStmt': {
        const key = relationKey(body.relation as RangeVar | undefined);
        const table = key ? this.get(key) : undefined;
        const [selectKind, select] = unwrap(body.selectStmt);
        const fromTable = selectKind === 'SelectStmt' && ((select.fromClause as Node[] | undefined) ?? []).length > 0;
        // VALUES lists add a handful of rows; a copy from another table fills the table.
        if (key && table && fromTable && !table.rows) this.touched.set(key, { ...table, rows: true });
        return;
      }
      default:
        return;
    }
  }

  /** The same bookkeeping for MySQL and SQLite statements (unqualified names: neither has Prisma-managed schemas). */
  private applyDialect(statement: DialectStatement): void {
    switch (statement.kind) {
      case 'createTable':
        if (statement.ifNotExists && this.get(statement.table)) return;
        this.touched.set(statement.table, { rows: statement.asSelect });
        return;
      case 'dropTable':
        for (const table of statement.tables) this.touched.set(table.name, null);
        return;
      case 'renameTable':
        for (const pair of statement.pairs) this.rename(pair.from, pair.to);
        return;
      case 'insert': {
        const table = this.get(statement.table);
        if (!table || statement.from.length === 0 || table.rows) return;
        const source = statement.from.length === 1 ? this.get(statement.from[0]) : undefined;
        const copyOf = source?.deployed && !table.deployed ? { copyOf: { table: source, kept: copiedColumns(statement, this.columnsOf(source)) } } : {};
        this.touched.set(statement.table, { ...table, rows: true, ...copyOf });
        return;
      }
      case 'alterTable': {
        const table = this.get(statement.table);
        if (!table) return;
        let columns: Map<string, string> | undefined;
        for (const clause of statement.clauses) {
          if (clause.kind === 'renameTable') {
            this.rename(statement.table, clause.to);
            return;
          }
          if (!table.deployed) continue;
          if (clause.kind === 'dropColumn' || clause.kind === 'addColumn') {
            columns ??= this.columnsOf(table);
            columns.delete(clause.kind === 'dropColumn' ? clause.column : clause.column.name);
          } else if ((clause.kind === 'renameColumn' || clause.kind === 'modifyColumn') && (clause.kind === 'renameColumn' ? clause.to : clause.definition.name) !== clause.column) {
            columns ??= this.columnsOf(table);
            const deployed = columns.get(clause.column);
            columns.delete(clause.column);
            if (deployed !== undefined) columns.set(clause.kind === 'renameColumn' ? clause.to : clause.definition.name, deployed);
          }
        }
        if (columns) this.touched.set(statement.table, { ...table, columns });
        return;
      }
      default:
        return;
    }
  }

  private rename(from: string, to: string): void {
    const table = this.get(from);
    if (!table) return;
    this.touched.set(from, null);
    if (table.copyOf && !table.deployed) {
      // The redefinition's last step: the copy takes the old table's place and carries its deployed identity.
      this.touched.set(to, { deployed: table.copyOf.table.deployed, rows: true, columns: table.copyOf.kept });
      return;
    }
    this.touched.set(to, table);
  }
}

/**
 * What an `INSERT INTO copy (...) SELECT ... FROM source` keeps: the copy's
 * column → the deployed column whose values it receives, matched by position
 * (`SELECT *` keeps every column under its own name). `sourceColumns` maps the
 * source's current column names to deployed ones.
 */
export function copiedColumns(insert: Extract<DialectStatement, { kind: 'insert' }>, sourceColumns: Map<string, string>): Map<string, string> {
  const kept = new Map<string, string>();
  if (insert.selected.includes('*')) return new Map(sourceColumns);
  insert.selected.forEach((selected, i) => {
    const target = insert.columns[i] ?? selected;
    const deployed = sourceColumns.get(selected);
    if (deployed !== undefined) kept.set(target, deployed);
  });
  return kept;
}

// ---------------------------------------------------------------------------
// CHECK (col IS NOT NULL) constraints through the history

interface NotNullCheck {
  columns: string[];
  validated: boolean;
}

/** Whether a CHECK proves the column non-null, and which. */
export interface NotNullCheckState {
  state: 'validated' | 'not-valid' | 'none';
  constraint?: string;
}

/**
 * Follows the CHECK constraints that prove columns non-null, through deployed
 * and pending migrations: PostgreSQL 12+ skips the SET NOT NULL scan when a
 * validated one exists. The replayed DbState does not model CHECKs, so this
 * reads the statements themselves.
 */
export class NotNullChecks {
  private tables = new Map<string, Map<string, NotNullCheck>>();

  /** A deep copy, so later statements do not change it. */
  snapshot(): NotNullChecks {
    const copy = new NotNullChecks();
    for (const [key, checks] of this.tables) copy.tables.set(key, new Map([...checks].map(([name, check]) => [name, { ...check, columns: [...check.columns] }])));
    return copy;
  }

  state(table: string, column: string): NotNullCheckState {
    let result: NotNullCheckState = { state: 'none' };
    for (const [name, check] of this.tables.get(table) ?? []) {
      if (!check.columns.includes(column)) continue;
      if (check.validated) return { state: 'validated', constraint: name };
      result = { state: 'not-valid', constraint: name };
    }
    return result;
  }

  apply(statement: ParsedStatement): void {
    const [kind, body] = bodyOf(statement);
    switch (kind) {
      case 'CreateStmt': {
        const stmt = body as CreateStmt;
        const key = relationKey(stmt.relation);
        if (!key) return;
        this.tables.delete(key);
        for (const element of stmt.tableElts ?? []) {
          const column = columnDefOf(element);
          for (const c of column ? (column.constraints ?? []).map(constraintOf) : [constraintOf(element)]) {
            if (c?.contype === 'CONSTR_CHECK') this.add(key, stmt.relation?.relname ?? key, c, column?.colname);
          }
        }
        return;
      }
      case 'AlterTableStmt': {
        const alter = alterTableOf(statement);
        if (!alter) return;
        for (const command of alter.commands) {
          const checks = this.tables.get(alter.key);
          const constraint = constraintOf(command.def);
          if (command.subtype === 'AT_AddConstraint' && constraint?.contype === 'CONSTR_CHECK') {
            this.add(alter.key, alter.relation.relname ?? alter.key, constraint);
          } else if (command.subtype === 'AT_AddColumn') {
            const column = columnDefOf(command.def);
            for (const c of (column?.constraints ?? []).map(constraintOf)) if (c?.contype === 'CONSTR_CHECK') this.add(alter.key, alter.relation.relname ?? alter.key, c, column?.colname);
          } else if (command.subtype === 'AT_ValidateConstraint' && command.name) {
            const check = checks?.get(command.name);
            if (check) check.validated = true;
          } else if (command.subtype === 'AT_DropConstraint' && command.name) {
            checks?.delete(command.name);
          } else if (command.subtype === 'AT_DropColumn' && command.name && checks) {
            // PostgreSQL drops the constraints that use a dropped column.
            for (const [name, check] of checks) if (check.columns.includes(command.name)) checks.delete(name);
          }
        }
        return;
      }
      case 'RenameStmt': {
        const stmt = body as RenameStmt;
        const key = relationKey(stmt.relation);
        const checks = key ? this.tables.get(key) : undefined;
        if (!key || !checks || !stmt.newname) return;
        if (stmt.renameType === 'OBJECT_TABLE') {
          this.tables.delete(key);
          this.tables.set(tableKey(stmt.relation?.schemaname, stmt.newname), checks);
        } else if (stmt.renameType === 'OBJECT_COLUMN' && stmt.subname) {
          for (const check of checks.values()) check.columns = check.columns.map((c) => (c === stmt.subname ? (stmt.newname ?? c) : c));
        } else if (stmt.renameType === 'OBJECT_TABCONSTRAINT' && stmt.subname) {
          const check = checks.get(stmt.subname);
          if (check) {
            checks.delete(stmt.subname);
            checks.set(stmt.newname, check);
          }
        }
        return;
      }
      case 'DropStmt': {
        const stmt = body as DropStmt;
        if (stmt.removeType === 'OBJECT_TABLE') for (const key of droppedKeys(stmt)) this.tables.delete(key);
        return;
      }
      default:
        return;
    }
  }

  private add(key: string, tableName: string, constraint: Constraint, column?: string): void {
    const columns = notNullColumns(constraint.raw_expr);
    if (columns.length === 0) return;
    // PostgreSQL's name for an unnamed CHECK: <table>_<first column>_check (collisions are not worth modelling here).
    const name = constraint.conname ?? `${tableName}_${column ?? columns[0]}_check`;
    let checks = this.tables.get(key);
    if (!checks) this.tables.set(key, (checks = new Map()));
    checks.set(name, { columns, validated: !constraint.skip_validation });
  }
}

// ---------------------------------------------------------------------------
// Facts the runner gives the rules beyond SqlRuleContext

export interface MigrationFacts {
  /** Absolute path of the migration file (for `where`). */
  file: string;
  /** The tables just before `statement` runs, through every earlier pending statement. */
  before(statement: ParsedStatement): TableView;
  /**
   * CHECK constraints proving `column` non-null just before `statement` runs:
   * from deployed migrations, earlier pending ones and earlier statements of its file.
   */
  notNullCheckBefore(statement: ParsedStatement, table: string, column: string): NotNullCheckState;
  /** Prisma's `Warnings:` bullets at the top of the file. */
  warnings: PrismaWarning[];
  /**
   * Uses, in `statement` (or a statement of its DO block), of an enum value
   * that an earlier statement added in the same transaction, as the replay of
   * the pending files found them. Absent when a rule runs without the runner.
   */
  newEnumValueUses?(statement: ParsedStatement): readonly NewEnumValueUse[];
  /**
   * Drops in `statement` that met dependants, as the replay of the pending
   * files found them, with the dependants the rest of the file does not create
   * again. Absent when a rule runs without the runner.
   */
  dropsWithDependants?(statement: ParsedStatement): readonly (DropEvent & { missing: Dependant[] })[];
}

const attached = new WeakMap<SqlRuleContext, MigrationFacts>();
const derived = new WeakMap<ParsedStatement[], MigrationFacts>();

/** Called by the runner: the facts it computed over the whole pending set. */
export function attachFacts(context: SqlRuleContext, facts: MigrationFacts): void {
  attached.set(context, facts);
}

/**
 * The facts for a rule. Without the runner's (a rule called on its own), they
 * are derived from the context alone: this file over the deployed state, no
 * CHECK history.
 */
export function factsOf(context: SqlRuleContext): MigrationFacts {
  const given = attached.get(context);
  if (given) return given;
  let facts = derived.get(context.statements);
  if (!facts) {
    const tables = new PendingTables(context.baseline);
    const views = new Map<ParsedStatement, TableView>();
    for (const statement of context.statements) {
      views.set(statement, tables.view());
      tables.apply(statement);
    }
    const sql = context.statements[0]?.leadingComment ?? '';
    const checks = new NotNullChecks();
    const checksBefore = new Map<ParsedStatement, NotNullChecks>();
    for (const statement of context.statements) {
      checksBefore.set(statement, checks.snapshot());
      checks.apply(statement);
    }
    facts = {
      file: '',
      before: (statement) => views.get(statement) ?? tables.view(),
      notNullCheckBefore: (statement, table, column) => (checksBefore.get(statement) ?? checks).state(table, column),
      warnings: parsePrismaWarnings(sql),
    };
    derived.set(context.statements, facts);
  }
  return facts;
}

/** The table that owns index `name` in the deployed database. */
export function indexOwner(baseline: DbState, schema: string | undefined, name: string): string | undefined {
  for (const [key, table] of Object.entries(baseline.tables)) {
    if ((table.schema ?? 'public') !== (schema ?? 'public')) continue;
    if (table.indexes.some((index) => index.name === name)) return key;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Prisma's `Warnings:` comment

/**
 * One bullet of the comment Prisma writes at the top of a migration it
 * generated (prisma-engines' destructive change checker). Kinds follow the
 * corpus: drop_column, drop_table, column_recreated, required_column_recreated,
 * alter_column_cast, primary_key_changed, unique_constraint_added,
 * enum_values_removed, required_column_no_default, required_column_prisma_default,
 * made_required, scalar_to_list, other.
 */
export interface PrismaWarning {
  kind: string;
  text: string;
  table?: string;
  column?: string;
  columns?: string[];
  enumName?: string;
  values?: string[];
}

const WARNING_PATTERNS: { kind: string; pattern: RegExp; fields: ('table' | 'column' | 'columns' | 'enumName' | 'values')[] }[] = [
  { kind: 'drop_column', pattern: /^You are about to drop the column `([^`]*)` on the `([^`]*)` table/i, fields: ['column', 'table'] },
  { kind: 'drop_table', pattern: /^You are about to drop the `([^`]*)` table/i, fields: ['table'] },
  { kind: 'column_recreated', pattern: /^The `([^`]*)` column on the `([^`]*)` table would be dropped and recreated/i, fields: ['column', 'table'] },
  { kind: 'required_column_recreated', pattern: /^Changed the type of `([^`]*)` on the `([^`]*)` table\. No cast exists/i, fields: ['column', 'table'] },
  { kind: 'alter_column_cast', pattern: /^You are about to alter the column `([^`]*)` on the `([^`]*)` table/i, fields: ['column', 'table'] },
  { kind: 'primary_key_changed', pattern: /^The primary key for the `([^`]*)` table will be changed/i, fields: ['table'] },
  { kind: 'unique_constraint_added', pattern: /^A unique constraint covering the columns `\[([^\]]*)\]` on the table `([^`]*)` will be added/i, fields: ['columns', 'table'] },
  { kind: 'enum_values_removed', pattern: /^The values \[([^\]]*)\] on the enum `([^`]*)` will be removed/i, fields: ['values', 'enumName'] },
  { kind: 'required_column_no_default', pattern: /^Added the required column `([^`]*)` to the `([^`]*)` table without a default value/i, fields: ['column', 'table'] },
  { kind: 'required_column_prisma_default', pattern: /^The required column `([^`]*)` was added to the `([^`]*)` table with a prisma-level default value/i, fields: ['column', 'table'] },
  { kind: 'made_required', pattern: /^Made the column `([^`]*)` on table `([^`]*)` required/i, fields: ['column', 'table'] },
  { kind: 'scalar_to_list', pattern: /^Changed the column `([^`]*)` on the `([^`]*)` table from a scalar field to a list field/i, fields: ['column', 'table'] },
];

/** The bullets of the first `/* Warnings: ... *\/` block in `sql` (a file, or a statement's leading comment). */
export function parsePrismaWarnings(sql: string): PrismaWarning[] {
  const block = /\/\*\s*Warnings:([\s\S]*?)\*\//.exec(sql);
  if (!block) return [];
  const bullets: string[] = [];
  for (const raw of block[1].split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('-')) bullets.push(line.replace(/^-\s*/, ''));
    // A bullet someone re-wrapped by hand continues on the next lines.
    else if (bullets.length > 0) bullets[bullets.length - 1] += ` ${line}`;
  }
  return bullets.map(classifyWarning);
}

function classifyWarning(text: string): PrismaWarning {
  for (const { kind, pattern, fields } of WARNING_PATTERNS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const warning: PrismaWarning = { kind, text };
    fields.forEach((field, i) => {
      const value = match[i + 1] ?? '';
      if (field === 'columns' || field === 'values') warning[field] = value.split(',').map((v) => v.trim()).filter(Boolean);
      else warning[field] = value;
    });
    return warning;
  }
  return { kind: 'other', text };
}

// ---------------------------------------------------------------------------
// Wording shared by the SQL rules

/** Findings on tables the project lists in `smallTables` drop to info. */
export function smallTableSeverity(context: SqlRuleContext, keys: string[]): { severity?: 'info' } {
  const small = keys.length > 0 && keys.every((key) => context.isSmallTable(key.slice(key.lastIndexOf('.') + 1)));
  return small ? { severity: 'info' } : {};
}

/** `where` for a range inside the statement (the runner only reads the range; the file is the migration's). */
export function at(context: SqlRuleContext, range: Range): { where: { file: string; range: Range } } {
  return { where: { file: factsOf(context).file, range } };
}
