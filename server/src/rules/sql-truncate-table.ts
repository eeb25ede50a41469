import type { Node, RangeVar } from 'libpg-query';
import { unwrap } from '../replay/pgTypes';
import { at, bodyOf, clauseRange, factsOf, identPattern, quoted, relationKey } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

// MySQL: TRUNCATE TABLE drops and recreates the table (implicit commit, no rollback). SQLite has no TRUNCATE;
// its `DELETE FROM t` without WHERE is the same loss. The docs page says so.
const rule: SqlRule = {
  id: 'sql-truncate-table',
  target: 'sql',
  title: 'TRUNCATE of a deployed table',
  defaultSeverity: 'error',
  why: 'TRUNCATE deletes every row of the table at once (CASCADE also empties every table whose foreign keys point at it); only a backup brings them back, and it takes an ACCESS EXCLUSIVE lock.',
  safePath: 'Back the rows up (or archive them) first and say why the loss is intended with a suppression; to remove only some rows, DELETE them in batches.',
  providers: ['postgresql'],
  detect(statement, context) {
    const [kind, body] = bodyOf(statement);
    if (kind !== 'TruncateStmt') return [];
    const view = factsOf(context).before(statement);
    const relations = ((body.relations as Node[] | undefined) ?? []).map((node) => unwrap(node)[1] as RangeVar);
    const cascade = body.behavior === 'DROP_CASCADE' ? ' CASCADE also empties every table whose foreign keys point at it.' : '';
    const reports: RuleReport[] = [];
    for (const relation of relations) {
      const key = relationKey(relation);
      // A table the pending migrations created holds no deployed rows.
      if (!key || !view.deployedTable(key)) continue;
      reports.push({
        message: `TRUNCATE ${quoted(key)} deletes every row of a deployed table at once: only a backup brings them back, code still running finds the table empty, and it takes an ACCESS EXCLUSIVE lock while it runs.${cascade}`,
        help: 'If the rows are meant to go, archive them first (`pg_dump --table`) and keep the statement with `-- migration-guard-ignore sql-truncate-table -- <why the rows can go>`; to remove only some rows, DELETE them in batches.',
        ...(relations.length > 1 ? at(context, clauseRange(statement, new RegExp(identPattern(relation.relname ?? '')))) : {}),
      });
    }
    return reports;
  },
};

export default rule;
