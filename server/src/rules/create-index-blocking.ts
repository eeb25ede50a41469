import type { SchemaRule } from './types';
import { modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'create-index-blocking',
  target: 'schema',
  title: 'Index added to an existing table',
  defaultSeverity: 'warning',
  why: 'CREATE INDEX holds a lock that blocks every write to the table for as long as the build takes: minutes on a large table.',
  safePath: 'On PostgreSQL, create the index with CREATE INDEX CONCURRENTLY in a migration of its own (nothing else in the file, since Prisma runs a file as one script).',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'addIndex' || change.unique || change.implicitManyToMany) return [];
    const columns = change.index.columns.join(', ');
    const severity = context.isSmallTable(change.table) ? { severity: 'info' as const } : {};
    if (context.provider === 'postgresql') {
      return [{
        message: `New index \`${change.index.name}\` on ${modelName(change)} (${columns}): CREATE INDEX blocks all writes to the table until the build finishes.`,
        help: 'Create the migration with `prisma migrate dev --create-only`, change it to `CREATE INDEX CONCURRENTLY`, and keep that statement alone in its file.',
        ...severity,
      }];
    }
    if (context.provider === 'mysql') {
      return [{
        message: `New index \`${change.index.name}\` on ${modelName(change)} (${columns}): InnoDB builds it online, but the build still takes a metadata lock and loads the server on a large table.`,
        help: 'Run it with `ALGORITHM=INPLACE, LOCK=NONE` at a quiet time, or with an online schema-change tool on very large tables.',
        severity: 'info',
      }];
    }
    return [{
      message: `New index \`${change.index.name}\` on ${modelName(change)} (${columns}): SQLite locks the whole database while it builds.`,
      help: 'Fine for small databases; on a large one, apply it during a quiet period.',
      severity: 'info',
    }];
  },
};

export default rule;
