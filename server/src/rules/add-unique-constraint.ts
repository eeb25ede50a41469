import type { SchemaRule } from './types';
import { ident } from './support/dialect';
import { modelName } from './support/wording';

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
    // Columns that are new in this change hold only NULLs, which never collide.
    if (before && change.index.columns.every((c) => !before.columns.some((b) => b.name === columnName(c)))) return [];
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

function columnName(indexColumn: string): string {
  return indexColumn.replace(/\s+(ASC|DESC)$/i, '').replace(/^"|"$/g, '');
}

export default rule;
