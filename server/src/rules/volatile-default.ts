import type { SchemaRule } from './types';
import { fieldName, modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'volatile-default',
  target: 'schema',
  title: 'Column added with a per-row default',
  defaultSeverity: 'warning',
  why: 'A default that is computed per row (gen_random_uuid(), random(), clock_timestamp()) makes ADD COLUMN rewrite the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes. Before PostgreSQL 11 every default does.',
  safePath: 'Add the column without a default, set the default in a separate statement (it applies to new rows only), then backfill existing rows in batches.',
  providers: ['postgresql'],
  detect(change, context) {
    if (change.kind !== 'addColumn' || !change.after.default) return [];
    const def = change.after.default;
    // A sequence default is add-required-column's concern (it fills every row too).
    if (def.kind === 'autoincrement') return [];
    const perRow = def.kind === 'expression' && def.volatile;
    const oldPostgres = context.postgresVersion < 11;
    if (!perRow && !oldPostgres) return [];
    const expression = def.sql;
    const reason = perRow
      ? `its default \`${expression}\` is computed per row`
      : `PostgreSQL ${context.postgresVersion} writes every default into each row`;
    return [{
      message: `${fieldName(change)} is added to ${modelName(change)} with a default, and ${reason}: the migration rewrites the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes.`,
      help: 'Add the column without a default, then `ALTER COLUMN ... SET DEFAULT` (new rows only), then backfill existing rows in batches.',
    }];
  },
};

export default rule;
