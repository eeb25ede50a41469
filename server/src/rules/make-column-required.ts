import type { SchemaRule } from './types';
import { ident } from './support/dialect';
import { fieldName } from './support/wording';

const rule: SchemaRule = {
  id: 'make-column-required',
  target: 'schema',
  title: 'Optional field made required',
  defaultSeverity: 'error',
  why: 'SET NOT NULL fails if any row holds NULL, and on PostgreSQL it scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes.',
  safePath: 'Backfill the NULLs first; on PostgreSQL add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE it in a separate migration, then SET NOT NULL and drop the check.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'setNotNull') return [];
    // The pending file makes it NOT NULL after a validated CHECK (col IS NOT NULL): PostgreSQL 12+ reads no row, and nothing can fail.
    const carrier = context.carrier?.(change);
    if (carrier?.provenNotNull?.includes(change.column)) return [];
    // A primary key added over the column makes it NOT NULL: change-primary-key reports that scan.
    if (carrier?.byPrimaryKey) return [];
    const column = fieldName(change);
    if (context.provider === 'sqlite') {
      return [{
        message: `${column} made required: SQLite cannot change a column in place, so Prisma copies the table into a new one with NOT NULL (\`INSERT INTO ${ident(`new_${change.table}`, 'sqlite')} ... SELECT ...\`), and the copy fails if any row holds NULL.`,
        help: 'Backfill the NULLs in a migration of their own first, then make the field required.',
      }];
    }
    if (context.provider === 'mysql') {
      // MySQL 8: a nullability-only MODIFY is ALGORITHM=INPLACE with a table rebuild; concurrent writes continue.
      return [{
        message: `${column} made required: \`MODIFY ... NOT NULL\` rebuilds the table in place (writes continue, but it reads and rewrites every row), and in strict mode it fails if any row holds NULL — without strict mode those NULLs silently become '' or 0.`,
        help: `Backfill the NULLs in batches first (\`UPDATE ${ident(change.table, 'mysql')} SET ${ident(change.column, 'mysql')} = ... WHERE ${ident(change.column, 'mysql')} IS NULL LIMIT 1000\`, repeated until no row changes), then make the field required in a later migration; add \`ALGORITHM=INPLACE, LOCK=NONE\` to the MODIFY so MySQL refuses rather than blocks writes.`,
      }];
    }
    return [{
      message: `${column} made required: SET NOT NULL fails if any row holds NULL, and it scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes.`,
      help: 'Backfill NULLs first, add `CHECK (... IS NOT NULL) NOT VALID`, VALIDATE it in its own migration, then SET NOT NULL (no scan on PostgreSQL 12+) and drop the check.',
    }];
  },
};

export default rule;
