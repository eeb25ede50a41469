import type { SchemaRule } from './types';
import { ident } from './support/dialect';
import { modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'add-foreign-key',
  target: 'schema',
  title: 'Foreign key added to an existing table',
  defaultSeverity: 'warning',
  why: 'ADD FOREIGN KEY checks every existing row while holding a lock that blocks writes to both tables, and fails if a row points at a row that does not exist.',
  safePath: 'Add the constraint with NOT VALID (instant, new rows are checked), clean up orphans, then VALIDATE CONSTRAINT in a later migration, which does not block writes.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'addForeignKey' || change.implicitManyToMany) return [];
    const before = context.baseline.tables[change.tableKey];
    // Columns added in the same change hold only NULLs: no row can fail the check.
    const newColumns = before !== undefined && change.foreignKey.columns.every((c) => !before.columns.some((b) => b.name === c));
    const fk = change.foreignKey;
    const target = `\`${fk.referencedTable}\``;
    const columns = fk.columns.join(', ');
    if (newColumns && context.provider !== 'postgresql') return [];
    if (context.provider === 'sqlite' || context.provider === 'mysql') {
      const p = context.provider;
      const child = ident(change.table, p);
      const parent = ident(fk.referencedTable, p);
      const join = fk.columns.map((c, i) => `c.${ident(c, p)} = p.${ident(fk.referencedColumns[i] ?? c, p)}`).join(' AND ');
      const orphans = `SELECT c.* FROM ${child} c LEFT JOIN ${parent} p ON ${join} WHERE p.${ident(fk.referencedColumns[0] ?? fk.columns[0], p)} IS NULL AND c.${ident(fk.columns[0], p)} IS NOT NULL`;
      if (p === 'sqlite') {
        // Prisma's table copy runs with PRAGMA foreign_keys=OFF, so nothing checks the rows it copies.
        return [{
          message: `New relation on ${modelName(change)} (${columns} → ${target}): SQLite cannot add a foreign key in place, so Prisma copies the whole table into a new one — with foreign key checks off, so rows that point at a missing ${target} row are copied as they are.`,
          help: `Fine for small tables; on a large one, apply it at a quiet time. Check for orphaned rows first (\`${orphans}\`).`,
          severity: 'info',
        }];
      }
      const madeIndex = context.expected.tables[change.tableKey]?.indexes.some((index) => index.name === fk.name && index.columns.join() === fk.columns.join());
      const index = madeIndex ? ` InnoDB also builds an index on (${columns}) for it, since none exists.` : '';
      return [{
        message: `New foreign key \`${fk.name}\` on ${modelName(change)} (${columns} → ${target}): prisma migrate runs with foreign_key_checks on, so MySQL adds it by copying the whole table (ALGORITHM=COPY), blocking writes until the copy ends, and fails if a row points at a missing ${target} row.${index}`,
        help: `Find and fix orphaned rows first (\`${orphans}\`). On a large table, add an index on (${columns}) in a migration of its own (built online), then add the key in a migration that starts with \`SET FOREIGN_KEY_CHECKS = 0;\` and ends with \`SET FOREIGN_KEY_CHECKS = 1;\`: MySQL then adds it in place without copying the table — and without checking existing rows, which is why the orphan check comes first.`,
      }];
    }
    const carrier = context.carrier?.(change);
    // NOT VALID (validated later, sql-foreign-key-not-valid's business), or inline with the column it adds: no row is read.
    if (carrier?.validationSkipped) return [];
    const small = context.isSmallTable(change.table) ? { severity: 'info' as const } : {};
    if (newColumns) {
      return [{
        message: `New foreign key \`${fk.name}\` on ${modelName(change)} (${columns} → ${target}) on a column added in the same change: the column holds only NULLs, so no row can fail, but PostgreSQL still reads every row of the table to validate it while blocking writes to both tables.`,
        help: 'Hand-edit the migration to add the constraint with `NOT VALID` (instant; new rows are checked), then `VALIDATE CONSTRAINT` in a later migration, which does not block writes.',
        ...small,
      }];
    }
    return [{
      message: `New foreign key \`${fk.name}\` on ${modelName(change)} (${columns} → ${target}): adding it checks every existing row while blocking writes to both tables, and fails if any row points at a missing ${target} row.`,
      help: 'Hand-edit the migration to add it with `NOT VALID`, clean up orphans, then `VALIDATE CONSTRAINT` in a later migration (it does not block writes).',
    }];
  },
};

export default rule;
