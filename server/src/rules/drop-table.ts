import type { SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'drop-table',
  target: 'schema',
  title: 'Table dropped',
  defaultSeverity: 'error',
  why: 'Removing a model drops its table with every row in it, and code that is still running queries it until it is redeployed.',
  safePath: 'Deploy code that no longer uses the model first (keep the model with @@ignore meanwhile); drop the table in a later release, after a backup or an archive of its rows.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change) {
    if (change.kind !== 'dropTable' || change.implicitManyToMany) return [];
    return [{
      message: `Table \`${change.table}\` is no longer in the schema: the migration drops it with all its rows, and the running code still queries it until it is redeployed.`,
      help: 'Keep the model with `@@ignore` and deploy code that no longer uses it; drop the table in a later release, after a backup or an archive of its rows.',
    }];
  },
};

export default rule;
