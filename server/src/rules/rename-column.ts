import type { SchemaRule } from './types';
import { ident } from './support/dialect';
import { carriedAt, modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'rename-column',
  target: 'schema',
  title: 'Column renamed',
  defaultSeverity: 'error',
  why: 'Prisma turns a renamed field or a changed @map into DROP COLUMN plus ADD COLUMN: every value in the old column is lost, and running code that reads the old name breaks.',
  safePath: 'Rename only in code: keep the database column with @map("old_name"). For a real column rename, expand and contract: add the new column, write both, backfill, switch reads, drop the old one.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'renameColumn') return [];
    const field = change.field ?? change.fieldName;
    const fix = change.model ? { fix: { kind: 'keepColumnName' as const, model: change.model, field, column: change.from } } : {};
    const mapChanged = field === change.from || field !== change.column;
    const what = mapChanged
      ? `The database name of \`${change.model ?? change.table}.${field}\` changed from \`${change.from}\` to \`${change.column}\``
      : `\`${change.model ?? change.table}.${field}\` looks like \`${change.from}\` renamed`;
    // Prisma's ADD of the new column is itself unsafe when it is required without a database default.
    const addFails = !change.after.nullable && !change.after.default
      ? ` Adding \`${change.column}\` as required without a database default also fails on a table with rows.`
      : '';
    const carrier = context.carrier?.(change);
    if (carrier?.renamedInPlace && carrier.statements[0]) {
      return [{
        message: `${what}: ${carriedAt(carrier.statements[0])} renames the column in place, so its data stays, but running code that reads or writes \`${change.from}\` fails from the moment it runs until code that uses \`${change.column}\` is deployed.`,
        help: `Deploy the rename together with the code that uses the new name, at a quiet moment; for zero downtime, keep the column as it is (\`@map("${change.from}")\`) and rename only in code, or add the new column, write both, backfill, switch reads, then drop the old one.`,
        severity: 'warning',
      }];
    }
    if (carrier?.valuesCopied && carrier.statements[0]) {
      return [{
        message: `${what}: ${carriedAt(carrier.statements[0])} copies every value of \`${change.from}\` into \`${change.column}\` before the column is dropped, so the data stays, but running code that reads or writes \`${change.from}\` fails from the drop until code that uses \`${change.column}\` is deployed.`,
        help: `Drop \`${change.from}\` in a later migration, after code that reads and writes \`${change.column}\` is deployed (expand, then contract); or keep the column as it is (\`@map("${change.from}")\`) and rename only in code.`,
        severity: 'warning',
      }];
    }
    const message = `${what}: Prisma drops column \`${change.from}\` of ${modelName(change)} with its data and adds an empty \`${change.column}\`, and running code that reads \`${change.from}\` breaks.${addFails}`;
    if (context.provider === 'mysql' || context.provider === 'sqlite') {
      // Both can rename in place (MySQL 8.0: RENAME COLUMN, instant since 8.0.28; SQLite 3.25+), which keeps the data but not running code.
      const sql = `ALTER TABLE ${ident(change.table, context.provider)} RENAME COLUMN ${ident(change.from, context.provider)} TO ${ident(change.column, context.provider)}`;
      const where = context.provider === 'mysql' ? 'MySQL 8 renames in place, instantly since 8.0.28,' : 'SQLite 3.25+ renames in place';
      return [{
        message,
        help: `Keep the column: add \`@map("${change.from}")\` to the field, so only the code name changes. To rename it in the database, hand-edit the migration to \`${sql}\` (${where} and keeps the data) and deploy it together with code that uses the new name; running code that reads \`${change.from}\` still breaks, so for zero downtime add the new column, write both, backfill, switch reads, then drop the old one.`,
        ...fix,
      }];
    }
    return [{
      message,
      help: `Keep the column: add \`@map("${change.from}")\` to the field, so only the code name changes. For a real rename, add the new column, write both, backfill, switch reads, then drop the old one.`,
      ...fix,
    }];
  },
};

export default rule;
