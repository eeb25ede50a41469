import type { ParsedStatement } from '../replay/statements';
import { dialectOf } from './support/dialectSql';
import { blockingClauses, foreignKeyChecksOn } from './support/mysqlAlter';
import { at, factsOf, headRange } from './support/sqlAst';
import type { SqlRule, SqlRuleContext } from './types';

const rule: SqlRule = {
  id: 'sql-mysql-alter-not-combined',
  target: 'sql',
  title: 'Several table copies of one MySQL table in one migration',
  defaultSeverity: 'info',
  why: 'Each ALTER TABLE that copies a table (a type change, a foreign key added with checks on) copies every row again and blocks writes again; one ALTER TABLE with all the clauses copies it once.',
  safePath: 'Merge the ALTER TABLE statements on the same table into one, its clauses separated by commas.',
  providers: ['mysql'],
  detect(statement, context) {
    const alter = dialectOf(statement, 'alterTable');
    if (!alter || !copies(statement, context)) return [];
    const earlier = context.statements.slice(0, context.statements.indexOf(statement)).filter((s) => dialectOf(s, 'alterTable')?.table === alter.table && copies(s, context));
    if (earlier.length === 0) return [];
    const lines = earlier.map((s) => s.range.start.line + 1).join(', ');
    return [{
      message: `The ${ordinal(earlier.length + 1)} ALTER TABLE of this file that copies \`${alter.table}\` (the earlier ${earlier.length === 1 ? 'one is on line' : 'ones are on lines'} ${lines}): each copies every row again and blocks writes again, where one statement would copy the table once.`,
      help: `Merge them into one \`ALTER TABLE ${alter.table} ...\` with the clauses separated by commas (keeping the order they must run in), so InnoDB copies the table a single time.`,
      ...at(context, headRange(statement)),
    }];
  },
};

/** The statement copies its table or blocks its writes: a blocking clause, or a foreign key added with the checks on. */
function copies(statement: ParsedStatement, context: SqlRuleContext): boolean {
  if (blockingClauses(statement, context).length > 0) return true;
  const alter = dialectOf(statement, 'alterTable');
  // A foreign key costs a copy only on a table with rows, and only with the checks on.
  return !!alter && alter.clauses.some((c) => c.kind === 'addForeignKey') && foreignKeyChecksOn(context, statement) && factsOf(context).before(statement).holdsRows(alter.table);
}

function ordinal(n: number): string {
  return n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}

export default rule;
