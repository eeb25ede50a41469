import type { SchemaRule } from './types';
import { modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'change-primary-key',
  target: 'schema',
  title: 'Primary key changed',
  defaultSeverity: 'warning',
  why: 'Changing the primary key drops the old key and builds a new unique index under an ACCESS EXCLUSIVE lock; it fails on duplicates or NULLs in the new key columns, and foreign keys that reference the old key must be dropped and recreated.',
  safePath: 'Build a unique index on the new key columns concurrently, move referencing foreign keys, then swap the primary key to use that index (ADD PRIMARY KEY USING INDEX) in a short migration.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'changePrimaryKey' || change.onlyName || change.implicitManyToMany) return [];
    const from = change.from ? `(${change.from.columns.join(', ')})` : 'none';
    const to = change.to ? `(${change.to.columns.join(', ')})` : 'none';
    const referencing = Object.values(context.baseline.tables)
      .filter((t) => t.foreignKeys.some((fk) => fk.referencedTable === change.table))
      .map((t) => `\`${t.name}\``);
    const refs = referencing.length > 0 ? ` Foreign keys from ${referencing.join(', ')} point at it.` : '';
    return [{
      message: `Primary key of ${modelName(change)} changes from ${from} to ${to}: the new key is built under an ACCESS EXCLUSIVE lock and fails on duplicate or NULL values.${refs}`,
      help: 'Build a unique index on the new columns concurrently first, then switch the primary key to it (`ADD PRIMARY KEY USING INDEX`) in a short migration of its own.',
    }];
  },
};

export default rule;
