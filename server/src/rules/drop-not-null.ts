import type { SchemaRule } from './types';
import { fieldName } from './support/wording';

const rule: SchemaRule = {
  id: 'drop-not-null',
  target: 'schema',
  title: 'Required field made optional',
  defaultSeverity: 'info',
  why: 'Dropping NOT NULL is instant in the database, but code that is still running reads the column as always present and can break on the first NULL the new code writes.',
  safePath: 'Deploy code that handles a missing value first; start writing NULLs only after every running instance has it.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'dropNotNull') return [];
    const copy = context.provider === 'sqlite'
      ? ' On SQLite Prisma copies the table to change it.'
      : context.provider === 'mysql'
        ? ' On MySQL, `MODIFY ... NULL` rebuilds the table in place (writes continue, but every row is rewritten).'
        : '';
    return [{
      message: `${fieldName(change)} becomes optional: the database change is safe, but code still running expects a value and may break on rows the new code leaves empty.${copy}`,
      help: 'Ship code that handles a missing value before code that writes NULL.',
    }];
  },
};

export default rule;
