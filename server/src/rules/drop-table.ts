import { ident } from './support/dialect';
import { carriedAt } from './support/wording';
import type { SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'drop-table',
  target: 'schema',
  title: 'Table dropped',
  defaultSeverity: 'error',
  why: 'Removing a model drops its table with every row in it, and code that is still running queries it until it is redeployed.',
  safePath: 'Deploy code that no longer uses the model first (keep the model with @@ignore meanwhile); drop the table in a later release, after a backup or an archive of its rows.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'dropTable' || change.implicitManyToMany) return [];
    const carrier = context.carrier?.(change);
    if (carrier?.valuesCopied && carrier.statements[0]) {
      return [{
        message: `Table \`${change.table}\` is no longer in the schema: ${carriedAt(carrier.statements[0])} copies every row of it into another table before the drop, so the rows are kept (not its indexes or triggers), but the running code still queries it until it is redeployed.`,
        help: 'Drop the table in a later migration, after code that no longer uses the model is deployed (keep the model with `@@ignore` until then).',
        severity: 'warning',
      }];
    }
    const message = `Table \`${change.table}\` is no longer in the schema: the migration drops it with all its rows, and the running code still queries it until it is redeployed.`;
    if (context.provider === 'mysql' || context.provider === 'sqlite') {
      const table = ident(change.table, context.provider);
      const archive = ident(`${change.table}_archive`, context.provider);
      // The archive in the provider's own SQL; MySQL's LIKE keeps the indexes too.
      const copy = context.provider === 'mysql' ? `CREATE TABLE ${archive} LIKE ${table}; INSERT INTO ${archive} SELECT * FROM ${table};` : `CREATE TABLE ${archive} AS SELECT * FROM ${table};`;
      return [{
        message,
        help: `Keep the model with \`@@ignore\` and deploy code that no longer uses it; drop the table in a later release, after a backup or an archive of its rows (\`${copy}\`).`,
      }];
    }
    return [{
      message,
      help: 'Keep the model with `@@ignore` and deploy code that no longer uses it; drop the table in a later release, after a backup or an archive of its rows.',
    }];
  },
};

export default rule;
