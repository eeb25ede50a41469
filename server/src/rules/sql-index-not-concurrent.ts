import type { DropStmt, IndexStmt } from 'libpg-query';
import { names } from '../replay/pgTypes';
import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, at, bodyOf, clauseRange, columnDefOf, constraintOf, droppedKeys, factsOf, identPattern, indexOwner, quoted, relationKey, smallTableSeverity, transactionsOf } from './support/sqlAst';
import type { RuleReport, SqlRule, SqlRuleContext } from './types';

// MySQL's counterpart is sql-mysql-index-not-online (ALGORITHM=INPLACE, LOCK=NONE). SQLite has no
// concurrent build: an index build holds the database write lock, and no rule reports it.
const rule: SqlRule = {
  id: 'sql-index-not-concurrent',
  target: 'sql',
  title: 'Index built without CONCURRENTLY on an existing table',
  defaultSeverity: 'warning',
  why: 'CREATE INDEX holds a SHARE lock for the whole build: every insert, update and delete on the table waits, for minutes on a large table. A UNIQUE or PRIMARY KEY constraint added by ALTER TABLE builds its index under ACCESS EXCLUSIVE, which stops reads too.',
  safePath: 'Build it with CREATE INDEX CONCURRENTLY, alone in a migration folder of its own (Prisma runs a multi-statement file as one transaction).',
  providers: ['postgresql'],
  detect(statement, context) {
    const [kind, body] = bodyOf(statement);
    const view = factsOf(context).before(statement);
    if (kind === 'IndexStmt') {
      const stmt = body as IndexStmt;
      const table = relationKey(stmt.relation);
      if (stmt.concurrent || !table || !view.holdsRows(table)) return [];
      const columns = (stmt.indexParams ?? []).map((p) => {
        const elem = Object.values(p)[0] as { name?: string } | undefined;
        return elem?.name ?? '(expression)';
      });
      const what = `${stmt.unique ? 'Unique index' : 'Index'} ${stmt.idxname ? `"${stmt.idxname}" ` : ''}on ${quoted(table)} (${columns.join(', ')})`;
      const duplicates = stmt.unique ? duplicatesSentence(context, statement, table, columns) : '';
      const untilCommit = sharesTransaction(statement, context.statements) ? ' — and, since other statements share its transaction, until that transaction commits' : '';
      return [{
        message: `${what} is built without CONCURRENTLY: the build holds a SHARE lock on ${quoted(table)}, so every INSERT, UPDATE and DELETE on it waits until the index is complete${untilCommit}.${duplicates}`,
        help: `Move it into a migration folder of its own (\`prisma migrate dev --create-only\`) as \`CREATE ${stmt.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY\`, with nothing else in that file; keep Prisma's index name.`,
        ...smallTableSeverity(context, [table]),
      }];
    }
    if (kind === 'AlterTableStmt') return constraintIndexes(statement, context);
    if (kind === 'DropStmt') {
      const stmt = body as DropStmt;
      if (stmt.removeType !== 'OBJECT_INDEX' || stmt.concurrent) return [];
      const reports: RuleReport[] = [];
      const keys = droppedKeys(stmt);
      for (const key of keys) {
        const parts = key.split('.');
        const name = parts[parts.length - 1];
        const table = indexOwner(context.baseline, parts.length > 1 ? parts[0] : undefined, name);
        if (!table || !view.isLive(table)) continue;
        // The drop itself is instant: info, since waiting for the lock is what hurts (sql-missing-lock-timeout's business).
        reports.push({
          message: `DROP INDEX "${name}" without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on ${quoted(table)}: the drop itself is instant, but until running transactions let go of the table every query on it queues behind the drop (for at most the lock_timeout, if one is set).`,
          help: 'On a busy table, drop it with `DROP INDEX CONCURRENTLY` alone in a migration folder of its own: it waits without blocking reads or writes.',
          severity: 'info',
          ...(keys.length > 1 ? at(context, clauseRange(statement, new RegExp(identPattern(name)))) : {}),
        });
      }
      return reports;
    }
    return [];
  },
};

/**
 * UNIQUE and PRIMARY KEY constraints added by ALTER TABLE (as a table
 * constraint or on a column it adds) build their index inside the ALTER, under
 * its ACCESS EXCLUSIVE lock; `USING INDEX` attaches one built before instead.
 */
function constraintIndexes(statement: ParsedStatement, context: SqlRuleContext): RuleReport[] {
  const alter = alterTableOf(statement);
  if (!alter || !factsOf(context).before(statement).holdsRows(alter.key)) return [];
  const table = quoted(alter.key);
  const reports: RuleReport[] = [];
  for (const command of alter.commands) {
    const column = command.subtype === 'AT_AddColumn' ? columnDefOf(command.def) : undefined;
    const candidates = command.subtype === 'AT_AddConstraint' ? [constraintOf(command.def)] : (column?.constraints ?? []).map(constraintOf);
    for (const constraint of candidates) {
      if ((constraint?.contype !== 'CONSTR_UNIQUE' && constraint?.contype !== 'CONSTR_PRIMARY') || constraint.indexname) continue;
      const keys = column?.colname ? [column.colname] : names(constraint.keys);
      const kindName = constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
      const name = constraint.conname ? `"${constraint.conname}" ` : '';
      const primary = constraint.contype === 'CONSTR_PRIMARY' ? ' A primary key also makes its columns NOT NULL, which fails on a NULL.' : '';
      reports.push({
        message: `${kindName} constraint ${name}on ${table} (${keys.join(', ')}) builds its index over every row inside the ALTER TABLE, under an ACCESS EXCLUSIVE lock: nobody can read or write ${table} until the build ends.${duplicatesSentence(context, statement, alter.key, keys)}${primary}`,
        help: `Build the index first with \`CREATE UNIQUE INDEX CONCURRENTLY\` alone in a migration folder of its own, then attach it in a later one: \`ALTER TABLE ${table} ADD CONSTRAINT ... ${kindName} USING INDEX ...;\` (no build, no scan${constraint.contype === 'CONSTR_PRIMARY' ? ' once the columns are NOT NULL' : ''}).`,
        ...smallTableSeverity(context, [alter.key]),
        ...(alter.commands.length > 1 || column ? at(context, clauseRange(statement, new RegExp(column?.colname ? `ADD\\s+(?:COLUMN\\s+)?${identPattern(column.colname)}` : `\\b${kindName.replace(' ', '\\s+')}\\b`, 'i'))) : {}),
      });
    }
  }
  return reports;
}

/**
 * What duplicates do to a unique build: existing values can collide; a column
 * the pending migrations just added holds only NULLs (which never collide), or
 * its default in every row (which collide as soon as there are two).
 */
function duplicatesSentence(context: SqlRuleContext, statement: ParsedStatement, table: string, columns: string[]): string {
  const view = factsOf(context).before(statement);
  const fresh = columns.filter((c) => !view.deployedColumn(table, c));
  if (fresh.length < columns.length) return ' It also fails if existing rows hold duplicates.';
  const defaulted = fresh.some((c) => addedWithDefault(context.statements, statement, table, c));
  return defaulted
    ? ' The new column holds its default in every existing row, so it fails as soon as the table has two rows.'
    : ' The new column holds only NULLs, so it cannot fail on duplicates, but the build still reads every row.';
}

/** Column `column` of `table` added with a DEFAULT by `statement` or an earlier statement of the file. */
function addedWithDefault(statements: ParsedStatement[], current: ParsedStatement, table: string, column: string): boolean {
  for (const statement of statements) {
    const alter = alterTableOf(statement);
    for (const command of alter?.key === table ? alter.commands : []) {
      const added = command.subtype === 'AT_AddColumn' ? columnDefOf(command.def) : undefined;
      if (added?.colname === column) return (added.constraints ?? []).some((c) => constraintOf(c)?.contype === 'CONSTR_DEFAULT');
    }
    if (statement === current) break;
  }
  return false;
}

/** Other statements run in the same transaction as `statement`, so its lock is held until they are done too. */
function sharesTransaction(statement: ParsedStatement, statements: ParsedStatement[]): boolean {
  const placements = transactionsOf(statements);
  const own = placements.get(statement)?.transaction;
  return statements.some((s) => s !== statement && placements.get(s)?.transaction === own);
}

export default rule;
