import { dialectOf, spanRange } from './support/dialectSql';
import { blockingClauses, onlineOptions, refusedBy } from './support/mysqlAlter';
import { at, smallTableSeverity } from './support/sqlAst';
import type { SqlRule } from './types';

const rule: SqlRule = {
  id: 'sql-mysql-table-copy',
  target: 'sql',
  title: 'ALTER TABLE that copies the table or blocks its writes (MySQL)',
  defaultSeverity: 'warning',
  why: 'Changing a column type or character set makes InnoDB copy the whole table (ALGORITHM=COPY): writes wait for the whole copy; adding an AUTO_INCREMENT column blocks writes the same way.',
  safePath: 'Add a new column, backfill it in batches, switch the code, drop the old one later; or run the change with an online schema-change tool (gh-ost, pt-online-schema-change) that copies without blocking.',
  providers: ['mysql'],
  detect(statement, context) {
    const options = onlineOptions(statement);
    const table = dialectOf(statement, 'alterTable')?.table ?? '';
    return blockingClauses(statement, context).map((found) => {
      const refusal = refusedBy(found, options);
      if (refusal) {
        const asked = [options.algorithm && `ALGORITHM=${options.algorithm}`, options.lock && `LOCK=${options.lock}`].filter(Boolean).join(', ');
        return {
          message: `This ALTER TABLE ${found.what}, which MySQL cannot do with ${asked}: it refuses the statement ("${refusal}") and the migration fails, leaving the rest of the file unapplied.`,
          help: 'Take the clause out of this statement and make the change as expand/contract (new column, batched backfill, switch the code, drop the old column), or run it with an online schema-change tool.',
          severity: 'error' as const,
          ...at(context, spanRange(statement, found.clause)),
        };
      }
      const blocks =
        found.cost === 'copy'
          ? 'InnoDB copies the whole table to do it (ALGORITHM=COPY): inserts, updates and deletes wait until the copy is done, minutes to hours on a large table, and the disk needs room for a second copy'
          : 'InnoDB cannot do it without a lock (LOCK=NONE is refused): inserts, updates and deletes wait until every row is rebuilt';
      return {
        message: `This ALTER TABLE ${found.what}: ${blocks}.`,
        help: found.enumOrder
          ? 'Append new members at the end of the list and keep the existing ones in their order: MySQL then only changes the table definition, in place. To remove or reorder members, move the rows off them first and accept the copy in a quiet window.'
          : found.cost === 'copy'
            ? 'Expand/contract instead: add a new column of the new type, backfill it in batches, switch the code, drop the old column in a later release; or run this ALTER with gh-ost or pt-online-schema-change, which copy without blocking writes.'
            : 'Run it in a quiet window, or with gh-ost or pt-online-schema-change, which build the new table without blocking writes.',
        ...smallTableSeverity(context, [table]),
        ...at(context, spanRange(statement, found.clause)),
      };
    });
  },
};

export default rule;
