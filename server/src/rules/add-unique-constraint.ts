import type { AddIndex } from '../diff/changes';
import type { RuleContext, RuleReport, SchemaRule } from './types';
import { ident } from './support/dialect';
import { carriedAt, modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'add-unique-constraint',
  target: 'schema',
  title: 'Unique constraint added to an existing table',
  defaultSeverity: 'warning',
  why: 'Creating a unique index fails if the existing rows hold duplicates, and the build blocks writes to the table while it runs.',
  safePath: 'Find and resolve duplicates first; on PostgreSQL build the index with CREATE UNIQUE INDEX CONCURRENTLY in its own migration, then attach it as a constraint if needed.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'addIndex' || !change.unique || change.implicitManyToMany) return [];
    const before = context.baseline.tables[change.tableKey];
    // Columns that are new in this change hold only NULLs (or one default for every row).
    const newColumns = before ? change.index.columns.filter((c) => !before.columns.some((b) => b.name === columnName(c))) : [];
    const allNew = before !== undefined && newColumns.length === change.index.columns.length;
    if (context.provider === 'postgresql') {
      const postgres = postgresReport(change, context, allNew);
      if (postgres) return postgres;
    }
    if (allNew) return [];
    const columns = change.index.columns.join(', ');
    if (context.provider === 'mysql' || context.provider === 'sqlite') {
      const names = change.index.columns.map((c) => ident(columnName(c), context.provider));
      const duplicates = `SELECT ${names.join(', ')}, COUNT(*) FROM ${ident(change.table, context.provider)} GROUP BY ${names.join(', ')} HAVING COUNT(*) > 1`;
      // InnoDB builds a unique index in place with concurrent writes (LOCK=NONE); SQLite holds the database's write lock for the build.
      const build = context.provider === 'mysql'
        ? 'InnoDB builds it in place without blocking writes (ALGORITHM=INPLACE, LOCK=NONE), but a duplicate written while it builds makes it fail too'
        : 'SQLite blocks every write to the database while it builds';
      return [{
        message: `New unique constraint \`${change.index.name}\` on ${modelName(change)} (${columns}): the migration fails if existing rows hold duplicate values; ${build}.`,
        help: `Check for duplicates (\`${duplicates}\`) and resolve them, and deploy code that no longer writes them, before deploying the constraint.`,
      }];
    }
    const lock = context.provider === 'postgresql' ? ', and the build blocks writes to the table while it runs' : '';
    return [{
      message: `New unique constraint \`${change.index.name}\` on ${modelName(change)} (${columns}): the migration fails if existing rows hold duplicate values${lock}.`,
      help: context.provider === 'postgresql'
        ? 'Check for duplicates (`SELECT ... GROUP BY ... HAVING count(*) > 1`) and resolve them, then build it with `CREATE UNIQUE INDEX CONCURRENTLY` in a migration of its own.'
        : 'Check for duplicates (`SELECT ... GROUP BY ... HAVING count(*) > 1`) and resolve them before deploying.',
    }];
  },
};

/**
 * PostgreSQL, where the SQL that will run decides: a pending file that builds
 * the index concurrently or attaches one already built takes no write lock,
 * and an index on a just-added column is still built over every row.
 */
function postgresReport(change: AddIndex, context: RuleContext, allNew: boolean): RuleReport[] | undefined {
  const carrier = context.carrier?.(change);
  // Attached with USING INDEX to an index the deployed database has (it already proves uniqueness), or refused in a transaction block (sql-concurrently-in-transaction).
  if (carrier?.indexBuild === 'deployed' || carrier?.indexBuild === 'refused') return [];
  const columns = change.index.columns.join(', ');
  const name = `\`${change.index.name}\` on ${modelName(change)} (${columns})`;
  const defaulted = change.index.columns.some((c) => context.expected.tables[change.tableKey]?.columns.find((col) => col.name === columnName(c))?.default);
  // A new column with no default holds only NULLs, which never collide; with a default every row holds the same value.
  const duplicates = !allNew ? 'it fails if existing rows hold duplicate values' : defaulted ? 'every existing row gets the same default, so it fails as soon as the table has two rows' : '';
  const build = carrier?.statements[carrier.statements.length - 1];
  if (carrier?.indexBuild === 'concurrently') {
    if (!duplicates) return [];
    // The safe path, as written: worth a reminder that a duplicate still stops it, not a warning.
    return [{
      message: `New unique constraint ${name}: ${carriedAt(carrier.statements[0])} builds its index concurrently, so writes continue; it still fails if existing rows hold duplicate values, and a failed concurrent build leaves an INVALID index behind.`,
      help: 'Check for duplicates (`SELECT ... GROUP BY ... HAVING count(*) > 1`) and resolve them before deploying; if the build fails, `DROP INDEX CONCURRENTLY` the invalid index and deploy again.',
      severity: 'info',
    }];
  }
  if (!allNew && !carrier) return undefined;
  const fails = duplicates ? `; ${duplicates}` : ' (the new column holds only NULLs, so it cannot fail on duplicates)';
  if (build) {
    return [{
      message: `New unique constraint ${name}: ${carriedAt(build)} builds its index over every row of the table without CONCURRENTLY, under a lock that blocks writes until the build ends${fails}.`,
      help: 'Build it with `CREATE UNIQUE INDEX CONCURRENTLY` alone in a migration folder of its own (attach it with `ADD CONSTRAINT ... UNIQUE USING INDEX` if you need a constraint).',
      ...(context.isSmallTable(change.table) ? { severity: 'info' as const } : {}),
    }];
  }
  return [{
    message: `New unique constraint ${name} on a column added in the same change: Prisma adds the column and builds the index in one transaction, so the build reads every row of the table while the ADD COLUMN's ACCESS EXCLUSIVE lock blocks reads and writes${fails}.`,
    help: 'Add the column in one migration; then build the index with `CREATE UNIQUE INDEX CONCURRENTLY` alone in a migration folder of its own.',
    ...(context.isSmallTable(change.table) ? { severity: 'info' as const } : {}),
  }];
}

function columnName(indexColumn: string): string {
  return indexColumn.replace(/\s+(ASC|DESC)$/i, '').replace(/^"|"$/g, '');
}

export default rule;
