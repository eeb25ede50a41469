import { formatType } from '../core/dbState';
import { classifyCast } from './support/typeCasts';
import type { SchemaRule } from './types';
import { fieldName } from './support/wording';

const rule: SchemaRule = {
  id: 'change-column-type',
  target: 'schema',
  title: 'Column type changed',
  defaultSeverity: 'error',
  why: 'Changing a column type rewrites the table under an exclusive lock, can fail on values that do not convert, and for types Prisma cannot cast it drops and recreates the column, losing every value.',
  safePath: 'Expand and contract: add a column of the new type, write both, backfill with an explicit cast in batches, switch reads, then drop the old column.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'alterColumnType') return [];
    const cost = classifyCast(context.provider, change.from, change.to);
    const column = fieldName(change);
    const types = `from \`${formatType(change.from)}\` to \`${formatType(change.to)}\``;
    switch (cost) {
      case 'free':
        return [];
      case 'rewrite':
        return [{
          message: context.provider === 'sqlite'
            ? `${column} changes type ${types}: Prisma copies the whole table into a new one to change it.`
            : `${column} changes type ${types}: every value converts, but the table is rewritten under an ACCESS EXCLUSIVE lock that blocks reads and writes.`,
          help: 'On a large table, add a new column of the new type, backfill it in batches, switch reads, then drop the old one.',
          severity: 'warning',
        }];
      case 'mayFail':
        return [{
          message: `${column} changes type ${types}: the cast fails on values that do not fit, and the table is rewritten under an exclusive lock.`,
          help: 'Check that every value converts first; safer: add a new column, backfill with an explicit cast in batches, switch reads, then drop the old one.',
        }];
      case 'dropsData':
        return [{
          message: `${column} changes type ${types}, which Prisma cannot cast: it drops the column and adds an empty one, losing every value.`,
          help: 'Add a new column of the new type, backfill it with an explicit conversion in batches, switch reads, then drop the old column.',
        }];
    }
  },
};

export default rule;
