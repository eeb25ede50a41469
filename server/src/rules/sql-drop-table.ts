import type { DropStmt } from 'libpg-query';
import type { ParsedStatement } from '../replay/statements';
import { dialectOf, redefinitionOf, spanRange, sqlName } from './support/dialectSql';
import { at, bodyOf, clauseRange, droppedKeys, factsOf, identPattern, quoted, tableCopyBefore } from './support/sqlAst';
import type { RuleReport, SqlRule, SqlRuleContext } from './types';

const ROWS_KEPT = 'Retire the model in code first (`@@ignore`) and deploy, then drop the table in a later migration with `-- migration-guard-ignore sql-drop-table -- <why it is safe now>`.';

const rule: SqlRule = {
  id: 'sql-drop-table',
  target: 'sql',
  title: 'Table with deployed data dropped',
  defaultSeverity: 'error',
  why: 'DROP TABLE deletes every row with the table, its indexes, triggers and policies; only a backup restores them, and code still running fails on every query of the model.',
  safePath: 'Retire the model in code first (@@ignore) and deploy; archive the table, then drop it in a later migration with a suppression that says why it is safe then.',
  providers: ['postgresql', 'mysql', 'sqlite'],
  detect(statement, context) {
    if (statement.dialect) return detectDialect(statement, context);
    const [kind, body] = bodyOf(statement);
    if (kind !== 'DropStmt') return [];
    const stmt = body as DropStmt;
    if (stmt.removeType !== 'OBJECT_TABLE') return [];
    const facts = factsOf(context);
    const view = facts.before(statement);
    const keys = droppedKeys(stmt);
    const reports: RuleReport[] = [];
    for (const key of keys) {
      // Tables created by the pending migrations hold no deployed rows.
      const deployed = view.deployedTable(key);
      if (!deployed) continue;
      const names = new Set([deployed, key].map((k) => k.slice(k.lastIndexOf('.') + 1)));
      const prisma = facts.warnings.some((w) => w.kind === 'drop_table' && names.has(w.table ?? ''))
        ? " Prisma's `Warnings:` note at the top of this file names the same drop: this is that risk, still in the SQL."
        : '';
      const cascade = stmt.behavior === 'DROP_CASCADE' ? ' CASCADE also drops the foreign keys and views that depend on it, in other tables.' : '';
      const name = key.slice(key.lastIndexOf('.') + 1);
      const copy = tableCopyBefore(context.statements, statement, key, context.baseline.tables[deployed]?.columns.map((c) => c.name));
      if (copy && copy.into === deployed && key !== deployed) {
        // A rebuild: the table was renamed aside, a new one took its name, the rows moved over.
        reports.push({
          message: `Drops table ${quoted(key)}, the old ${quoted(deployed)} this migration rebuilds: line ${copy.statement.range.start.line + 1} copied every row into the new ${quoted(deployed)}, so the rows are kept, but the old table's indexes, triggers, policies and grants go with it; the new table has only what this migration gave it.${cascade}${prisma}`,
          help: 'Check that the new table has every index, constraint, trigger and grant the old one had; suppress with `-- migration-guard-ignore sql-drop-table -- <why>` once it does.',
          severity: 'warning',
          ...(keys.length > 1 ? at(context, clauseRange(statement, new RegExp(identPattern(name)))) : {}),
        });
        continue;
      }
      if (copy) {
        reports.push({
          message: `Drops table ${quoted(key)} after line ${copy.statement.range.start.line + 1} copied every row into ${quoted(copy.into)}, so the rows are kept (its indexes, triggers and policies are not), but code still running fails on every query of the model until it is replaced.${cascade}${prisma}`,
          help: ROWS_KEPT,
          severity: 'warning',
          ...(keys.length > 1 ? at(context, clauseRange(statement, new RegExp(identPattern(name)))) : {}),
        });
        continue;
      }
      reports.push({
        message: `Drops table ${quoted(key)} with all its rows, indexes, triggers and policies: only a backup restores them, and code still running fails on every query of the model until it is replaced.${cascade}${prisma}`,
        help: 'Retire the model in code first (`@@ignore`) and deploy; archive the table (`pg_dump --table`), then drop it in a later migration with `-- migration-guard-ignore sql-drop-table -- <why it is safe now>`.',
        ...(keys.length > 1 ? at(context, clauseRange(statement, new RegExp(identPattern(name)))) : {}),
      });
    }
    return reports;
  },
};

/**
 * MySQL and SQLite. The DROP inside a table redefinition (the rows were
 * copied into a table that takes this one's name right after) loses no table:
 * sql-drop-column reports the columns the copy leaves behind.
 */
function detectDialect(statement: ParsedStatement, context: SqlRuleContext): RuleReport[] {
  const drop = dialectOf(statement, 'dropTable');
  if (!drop) return [];
  const facts = factsOf(context);
  const view = facts.before(statement);
  const reports: RuleReport[] = [];
  for (const table of drop.tables) {
    const deployed = view.deployedTable(table.name);
    if (!deployed) continue;
    const redefinition = redefinitionOf(context.statements, table.name);
    if (redefinition && context.statements.indexOf(redefinition.insertStatement) < context.statements.indexOf(statement)) continue;
    const prisma = facts.warnings.some((w) => w.kind === 'drop_table' && [deployed, table.name].includes(w.table ?? ''))
      ? " Prisma's `Warnings:` note at the top of this file names the same drop: this is that risk, still in the SQL."
      : '';
    const copy = tableCopyBefore(context.statements, statement, table.name, context.baseline.tables[deployed]?.columns.map((c) => c.name));
    if (copy) {
      reports.push({
        message: `Drops table ${sqlName(context.provider, table.name)} after line ${copy.statement.range.start.line + 1} copied every row into ${sqlName(context.provider, copy.into)}, so the rows are kept (its indexes and triggers are not), but code still running fails on every query of the model until it is replaced.${prisma}`,
        help: ROWS_KEPT,
        severity: 'warning',
        ...(drop.tables.length > 1 ? at(context, spanRange(statement, table)) : {}),
      });
      continue;
    }
    const backup = context.provider === 'mysql' ? '`mysqldump <database> ' + table.name + '`' : 'a copy of the database file, or `.dump ' + table.name + '` in the sqlite3 shell';
    reports.push({
      message: `Drops table ${sqlName(context.provider, table.name)} with all its rows and indexes: only a backup restores them, and code still running fails on every query of the model until it is replaced.${prisma}`,
      help: `Retire the model in code first (\`@@ignore\`) and deploy; archive the table (${backup}), then drop it in a later migration with \`-- migration-guard-ignore sql-drop-table -- <why it is safe now>\`.`,
      ...(drop.tables.length > 1 ? at(context, spanRange(statement, table)) : {}),
    });
  }
  return reports;
}

export default rule;
