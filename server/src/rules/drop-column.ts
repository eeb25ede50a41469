import type { SchemaRule } from './types';
import { ident } from './support/dialect';
import { carriedAt, modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'drop-column',
  target: 'schema',
  title: 'Column dropped',
  defaultSeverity: 'error',
  why: 'Dropping a column deletes its data for good, and code that is still running selects it (Prisma Client reads every scalar field) and fails until it is redeployed.',
  safePath: 'Stop using the field first (mark it @ignore, which keeps the column) and deploy; drop the column in a later release, after a backup.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'dropColumn' || change.implicitManyToMany) return [];
    const column = `\`${change.model ?? change.table}.${change.column}\``;
    const key = context.baseline.tables[change.tableKey]?.primaryKey?.columns ?? [];
    const kept = (provider: 'mysql' | 'sqlite'): string => [...key.map((c) => ident(c, provider)), ident(change.column, provider)].join(', ');
    const carrier = context.carrier?.(change);
    if (carrier?.valuesCopied && carrier.statements[0]) {
      return [{
        message: `Column ${column} is no longer in ${modelName(change)}: ${carriedAt(carrier.statements[0])} copies every value of it before the drop, so the data stays, but the running code still selects it until it is redeployed.`,
        help: 'Drop the column in a later migration, after code that no longer uses it is deployed (keep the field with `@ignore` until then).',
        severity: 'warning',
      }];
    }
    if (context.provider === 'mysql') {
      return [{
        message: `Column ${column} is no longer in ${modelName(change)}: the migration drops it with all its data (instantly on MySQL 8.0.29+, by rebuilding the table before that), and the running code still selects it until it is redeployed.`,
        help: `Keep the field with \`@ignore\` and deploy code that no longer uses it; drop the column in a later release, after a backup (\`CREATE TABLE ${ident(`${change.table}_${change.column}_backup`, 'mysql')} AS SELECT ${kept('mysql')} FROM ${ident(change.table, 'mysql')}\`).`,
      }];
    }
    if (context.provider === 'sqlite') {
      // Prisma drops a column on SQLite by redefining the table: the copy simply leaves it out.
      return [{
        message: `Column ${column} is no longer in ${modelName(change)}: Prisma copies the table into a new one without it (\`INSERT INTO ${ident(`new_${change.table}`, 'sqlite')} ... SELECT\` of the other columns) and drops the old table, so every value of the column is silently gone; the running code still selects it until it is redeployed.`,
        help: `Keep the field with \`@ignore\` and deploy code that no longer uses it; drop the column in a later release, after a backup (\`CREATE TABLE ${ident(`${change.table}_${change.column}_backup`, 'sqlite')} AS SELECT ${key.length > 0 ? kept('sqlite') : `rowid, ${ident(change.column, 'sqlite')}`} FROM ${ident(change.table, 'sqlite')}\`, or a copy of the database file).`,
      }];
    }
    return [{
      message: `Column ${column} is no longer in ${modelName(change)}: the migration drops it with all its data, and the running code still selects it until it is redeployed.`,
      help: 'Keep the field with `@ignore` and deploy code that no longer uses it; drop the column in a later release, after a backup.',
    }];
  },
};

export default rule;
