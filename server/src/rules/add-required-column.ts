import type { SchemaRule } from './types';
import { fieldName, modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'add-required-column',
  target: 'schema',
  title: 'Required column added to an existing table',
  defaultSeverity: 'error',
  why: 'Adding a NOT NULL column without a database default fails on a table that has rows, and code that is still running inserts rows without it.',
  safePath: 'Add the column as optional (or with a database default), backfill existing rows in batches, then make it required in a later migration.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'addColumn' || change.after.nullable) return [];
    if (change.after.default && change.after.default.kind !== 'autoincrement') return [];
    const column = fieldName(change);
    const fix = change.model && change.field ? { kind: 'makeOptional' as const, model: change.model, field: change.field } : undefined;
    const small = context.isSmallTable(change.table) ? ' (configured as a small table, but the rows it has still need a value)' : '';
    if (change.after.default?.kind === 'autoincrement') {
      return [{
        message: `Required auto-increment column ${column} added to ${modelName(change)}: filling it rewrites the whole table under an exclusive lock.`,
        help: 'Add a new table or backfill a nullable column instead, then swap; see the docs for the phased plan.',
        severity: 'warning',
      }];
    }
    if (change.prismaDefault) {
      return [{
        message: `Required column ${column} added to ${modelName(change)} with ${prismaDefaultText(change.prismaDefault)}, which Prisma Client fills in but the database does not: existing rows get no value, so the migration fails on a table that has rows${small}.`,
        help: 'Add it as optional, backfill existing rows with generated values in batches, then make it required.',
        ...(fix ? { fix } : {}),
      }];
    }
    return [{
      message: `Required column ${column} added to ${modelName(change)} without a database default: the migration fails if the table has rows${small}, and running code inserts rows without it.`,
      help: 'Add it as optional (`?`), backfill existing rows in batches, then make it required — or give it a constant `@default(...)`.',
      ...(fix ? { fix } : {}),
    }];
  },
};

/** `@updatedAt` is an attribute of its own; everything else is written as `@default(...)`. */
function prismaDefaultText(value: string): string {
  return value.startsWith('@') ? `\`${value}\`` : `\`@default(${value})\``;
}

export default rule;
