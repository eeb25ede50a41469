import { alterOfFilledTable, at, clauseRange, columnDefOf, constraintOf, identPattern, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

// MySQL: adding a STORED generated column copies the table (ALGORITHM=COPY); a VIRTUAL one is instant.
// SQLite: ALTER TABLE ADD COLUMN refuses STORED generated columns. The docs page says so.
const rule: SqlRule = {
  id: 'sql-stored-generated-column',
  target: 'sql',
  title: 'Stored generated column added to an existing table',
  defaultSeverity: 'warning',
  why: 'ADD COLUMN ... GENERATED ALWAYS AS (...) STORED computes the value for every existing row by rewriting the whole table and all its indexes under an ACCESS EXCLUSIVE lock: nobody can read or write the table until the rewrite ends.',
  safePath: 'On a large table, add a plain nullable column, keep it filled with a trigger for new rows and a batched backfill for old ones; on a small one, run it at a quiet time with a lock_timeout.',
  providers: ['postgresql'],
  detect(statement, context) {
    const alter = alterOfFilledTable(statement, context);
    if (!alter) return [];
    const table = alter.table;
    const reports: RuleReport[] = [];
    for (const command of alter.commands) {
      const column = command.subtype === 'AT_AddColumn' ? columnDefOf(command.def) : undefined;
      if (!column?.colname || !(column.constraints ?? []).some((c) => constraintOf(c)?.contype === 'CONSTR_GENERATED')) continue;
      reports.push({
        message: `Column ${table}."${column.colname}" is added as GENERATED ALWAYS AS (...) STORED: PostgreSQL computes it for every existing row by rewriting the whole table and rebuilding its indexes under an ACCESS EXCLUSIVE lock, so nobody can read or write ${table} until the rewrite ends (it never fails for lack of a value, but it needs room for a second copy of the table).`,
        help: `On a large table, add a plain nullable column instead, fill new rows with a trigger and old ones with a batched backfill, and compute it in reads until then; on a small table, run it at a quiet time after \`SET lock_timeout = '5s';\` (or list the table in \`smallTables\`).`,
        ...smallTableSeverity(context, [alter.key]),
        ...at(context, clauseRange(statement, new RegExp(`ADD\\s+(?:COLUMN\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?${identPattern(column.colname)}`, 'i'))),
      });
    }
    return reports;
  },
};

export default rule;
