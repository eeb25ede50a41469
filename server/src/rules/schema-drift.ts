import { describeChange } from '../diff/describe';
import type { SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'schema-drift',
  target: 'schema',
  judges: 'unmigrated',
  title: 'Schema change without a migration',
  defaultSeverity: 'warning',
  why: 'Code built from the edited schema expects database objects that no migration creates yet: deployed before its migration, it fails on the first query that touches them.',
  safePath: 'Create the migration (prisma migrate dev) and deploy it before, or with, the code that needs it.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change) {
    const what = describeChange(change);
    const namingOnly = change.kind === 'renameIndex' || change.kind === 'renameForeignKey' || (change.kind === 'changePrimaryKey' && change.onlyName);
    if (namingOnly) {
      return [{
        message: `Only a name differs from the migrations (${what}): Prisma would generate a rename for it; nothing about the data changes.`,
        help: 'Usually a naming convention that changed between Prisma versions; run `prisma migrate dev` if you want the names to match.',
        severity: 'info',
      }];
    }
    if (change.kind === 'dropView') {
      return [{
        message: `The migrations create ${what.replace(/ not declared$/, '')}, which the schema, though it declares views, does not: Prisma Client cannot query it, and nothing in the database changes.`,
        help: 'Declare it as a `view` block (or drop it in a migration if it is no longer used).',
        severity: 'info',
      }];
    }
    return [{
      message: `No migration yet for this change (${what}): code built from this schema fails against a database that lacks it.`,
      help: 'Run `prisma migrate dev` to create the migration, review it, and deploy it before the code that relies on it.',
    }];
  },
};

export default rule;
