import type { SchemaRule } from './types';
import { ident } from './support/dialect';
import { carriedAt, modelName } from './support/wording';

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
    if (context.provider === 'mysql') {
      // InnoDB clusters rows by primary key: DROP + ADD PRIMARY KEY in one ALTER is in place with concurrent writes, but rebuilds everything.
      const sql = `ALTER TABLE ${ident(change.table, 'mysql')} DROP PRIMARY KEY, ADD PRIMARY KEY (${(change.to?.columns ?? []).map((c) => ident(c, 'mysql')).join(', ')})`;
      const mysqlRefs = referencing.length > 0 ? ` Foreign keys from ${referencing.join(', ')} point at it; MySQL refuses to drop the key until they are dropped, and adding them back checks every row of their tables.` : '';
      return [{
        message: `Primary key of ${modelName(change)} changes from ${from} to ${to}: InnoDB stores the table in primary-key order, so MySQL rebuilds the whole table and every index on it (in place, writes continue, but it takes as long as a full copy); it fails on duplicate values in the new key, and makes its columns NOT NULL, failing on NULLs in strict mode.${mysqlRefs}`,
        help: `Add a unique index on the new key columns first (built online; it also proves there are no duplicates), then switch in one statement (\`${sql}\`) at a quiet time, or with an online schema-change tool (gh-ost, pt-online-schema-change) on a large table.`,
      }];
    }
    if (context.provider === 'sqlite') {
      return [{
        message: `Primary key of ${modelName(change)} changes from ${from} to ${to}: SQLite cannot change a key in place, so Prisma copies the table into a new one with the new key, and the copy fails on duplicate or NULL values in the new key columns.${refs}`,
        help: 'Check the new key columns for duplicates and NULLs first; fine for small tables, apply it at a quiet time on a large one.',
      }];
    }
    const carrier = context.carrier?.(change);
    if (carrier?.indexBuild === 'refused') return [];
    if (carrier && (carrier.indexBuild === 'concurrently' || carrier.indexBuild === 'deployed')) {
      // USING INDEX on an index built without blocking writes: only the NOT NULL the key needs can still read the table.
      const unproven = (change.to?.columns ?? []).filter((c) => !(carrier.provenNotNull ?? []).includes(c));
      if (unproven.length === 0) return [];
      const attach = carrier.statements[carrier.statements.length - 1];
      const list = unproven.map((c) => `\`${c}\``).join(', ');
      return [{
        message: `Primary key of ${modelName(change)} changes from ${from} to ${to}: ${carriedAt(attach)} attaches an index built without blocking writes, but ${list} ${unproven.length > 1 ? 'are' : 'is'} not yet NOT NULL, so PostgreSQL reads the whole table under an ACCESS EXCLUSIVE lock to prove no row is NULL, and fails on a NULL.`,
        help: `Make ${list} NOT NULL without a scan first: \`CHECK (... IS NOT NULL) NOT VALID\`, \`VALIDATE CONSTRAINT\` in the next migration, then \`SET NOT NULL\` (PostgreSQL 12+ skips the scan), before the primary key switch.`,
      }];
    }
    return [{
      message: `Primary key of ${modelName(change)} changes from ${from} to ${to}: the new key is built under an ACCESS EXCLUSIVE lock and fails on duplicate or NULL values.${refs}`,
      help: 'Build a unique index on the new columns concurrently first, then switch the primary key to it (`ADD PRIMARY KEY USING INDEX`) in a short migration of its own.',
    }];
  },
};

export default rule;
