import type { SchemaRule } from './types';
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
    // Columns added in the same change hold only NULLs: there is nothing to validate.
    if (before && change.foreignKey.columns.every((c) => !before.columns.some((b) => b.name === c))) return [];
    const fk = change.foreignKey;
    const target = `\`${fk.referencedTable}\``;
    const columns = fk.columns.join(', ');
    if (context.provider === 'sqlite') {
      return [{
        message: `New relation on ${modelName(change)} (${columns} → ${target}): SQLite cannot add a foreign key in place, so Prisma copies the whole table into a new one.`,
        help: 'Fine for small tables; on a large one, apply it at a quiet time and check for orphaned rows first.',
        severity: 'info',
      }];
    }
    if (context.provider === 'mysql') {
      return [{
        message: `New foreign key \`${fk.name}\` on ${modelName(change)} (${columns} → ${target}): InnoDB checks every row and fails on rows that point nowhere; the table is rebuilt unless foreign_key_checks is off.`,
        help: 'Find and fix orphaned rows first; on a large table use an online schema-change tool.',
      }];
    }
    return [{
      message: `New foreign key \`${fk.name}\` on ${modelName(change)} (${columns} → ${target}): adding it checks every existing row while blocking writes to both tables, and fails if any row points at a missing ${target} row.`,
      help: 'Hand-edit the migration to add it with `NOT VALID`, clean up orphans, then `VALIDATE CONSTRAINT` in a later migration (it does not block writes).',
    }];
  },
};

export default rule;
