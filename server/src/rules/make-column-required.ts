import type { SchemaRule } from './types';
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
    const column = fieldName(change);
    if (context.provider === 'sqlite') {
      return [{
        message: `${column} made required: Prisma copies the table into a new one with NOT NULL, and the copy fails if any row holds NULL.`,
        help: 'Backfill the NULLs in a migration of their own first, then make the field required.',
      }];
    }
    if (context.provider === 'mysql') {
      return [{
        message: `${column} made required: MODIFY ... NOT NULL copies the table and fails (or, without strict mode, silently writes zero values) if any row holds NULL.`,
        help: 'Backfill the NULLs in batches first, then make the field required in a later migration.',
      }];
    }
    return [{
      message: `${column} made required: SET NOT NULL fails if any row holds NULL, and it scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes.`,
      help: 'Backfill NULLs first, add `CHECK (... IS NOT NULL) NOT VALID`, VALIDATE it in its own migration, then SET NOT NULL (no scan on PostgreSQL 12+) and drop the check.',
    }];
  },
};

export default rule;
