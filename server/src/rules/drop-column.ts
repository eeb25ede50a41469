import type { SchemaRule } from './types';
import { modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'drop-column',
  target: 'schema',
  title: 'Column dropped',
  defaultSeverity: 'error',
  why: 'Dropping a column deletes its data for good, and code that is still running selects it (Prisma Client reads every scalar field) and fails until it is redeployed.',
  safePath: 'Stop using the field first (mark it @ignore, which keeps the column) and deploy; drop the column in a later release, after a backup.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change) {
    if (change.kind !== 'dropColumn' || change.implicitManyToMany) return [];
    const column = `\`${change.model ?? change.table}.${change.column}\``;
    return [{
      message: `Column ${column} is no longer in ${modelName(change)}: the migration drops it with all its data, and the running code still selects it until it is redeployed.`,
      help: 'Keep the field with `@ignore` and deploy code that no longer uses it; drop the column in a later release, after a backup.',
    }];
  },
};

export default rule;
