import { ident } from './support/dialect';
import { carriedAt } from './support/wording';
import type { SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'rename-table',
  target: 'schema',
  title: 'Table renamed',
  defaultSeverity: 'error',
  why: 'Prisma turns a renamed model or a changed @@map into DROP TABLE plus CREATE TABLE: every row of the old table is lost, and running code that queries the old name breaks.',
  safePath: 'Rename only in code: keep the table with @@map("OldName"). For a real table rename, expand and contract: create the new table, write both, copy rows in batches, switch reads, drop the old one.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'renameTable' || change.implicitManyToMany) return [];
    const model = change.modelName;
    const mapChanged = model === change.from || model !== change.table;
    const what = mapChanged
      ? `The table of model \`${model}\` changed from \`${change.from}\` to \`${change.table}\``
      : `Model \`${model}\` looks like \`${change.from}\` renamed (same columns)`;
    const carrier = context.carrier?.(change);
    if (carrier?.renamedInPlace && carrier.statements[0]) {
      return [{
        message: `${what}: ${carriedAt(carrier.statements[0])} renames the table in place, so every row stays, but running code that queries \`${change.from}\` fails from the moment it runs until code that uses \`${change.table}\` is deployed.`,
        help: `Deploy the rename together with the code that uses the new name, at a quiet moment; for zero downtime, keep the table as it is (\`@@map("${change.from}")\`) and rename only in code, or create a view named \`${change.from}\` over the renamed table until the old code is gone.`,
        severity: 'warning',
      }];
    }
    if (carrier?.valuesCopied && carrier.statements[0]) {
      return [{
        message: `${what}: ${carriedAt(carrier.statements[0])} copies every row of \`${change.from}\` into \`${change.table}\` before the old table is dropped, so the rows stay, but running code that queries \`${change.from}\` fails from the drop until code that uses \`${change.table}\` is deployed.`,
        help: `Drop \`${change.from}\` in a later migration, after code that uses \`${change.table}\` is deployed (rows written to \`${change.from}\` between the copy and the drop are lost otherwise); or keep the table (\`@@map("${change.from}")\`) and rename only in code.`,
        severity: 'warning',
      }];
    }
    const message = `${what}: Prisma drops table \`${change.from}\` with all its rows and creates an empty \`${change.table}\`, and running code that queries \`${change.from}\` breaks.`;
    if (context.provider === 'mysql' || context.provider === 'sqlite') {
      // A hand-written rename keeps the rows: metadata only on both (MySQL also moves the foreign keys that point at the table).
      const sql = context.provider === 'mysql'
        ? `RENAME TABLE ${ident(change.from, 'mysql')} TO ${ident(change.table, 'mysql')}`
        : `ALTER TABLE ${ident(change.from, 'sqlite')} RENAME TO ${ident(change.table, 'sqlite')}`;
      return [{
        message,
        help: `Keep the table: add \`@@map("${change.from}")\` to the model, so only the code name changes. To rename it in the database, hand-edit the migration to \`${sql}\` (instant, keeps every row) and deploy it together with code that uses the new name; running code that queries \`${change.from}\` still breaks until then.`,
        fix: { kind: 'keepTableName', model, table: change.from },
      }];
    }
    return [{
      message,
      help: `Keep the table: add \`@@map("${change.from}")\` to the model, so only the code name changes. For a real rename, create the new table, write both, copy rows in batches, switch reads, then drop the old one.`,
      fix: { kind: 'keepTableName', model, table: change.from },
    }];
  },
};

export default rule;
