import type { SchemaRule } from './types';
import { carriedAt, modelName } from './support/wording';

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
      if (change.replaces) {
        const was = change.replaces.columns.join(', ');
        const method = change.replaces.method && change.replaces.method !== change.index.method ? ` USING ${change.replaces.method}` : '';
        return [{
          message: `Index \`${change.index.name}\` on ${modelName(change)} is (${was})${method} in the database but (${columns}) in the schema: Prisma drops and rebuilds it with a plain CREATE INDEX, which blocks all writes to the table until the build finishes.`,
          help: 'If the database\'s index is the one you want, state it in the schema (`ops:`, `sort: Desc`, `type:`) so Prisma leaves it alone; otherwise rebuild it with CREATE INDEX CONCURRENTLY under a new name in a migration of its own, then drop the old one.',
          ...severity,
        }];
      }
      const carrier = context.carrier?.(change);
      // Built concurrently, or refused inside a transaction block (sql-concurrently-in-transaction's error): no write lock either way.
      if (carrier && carrier.indexBuild !== 'blocking') return [];
      const build = carrier?.statements[carrier.statements.length - 1];
      if (build) {
        return [{
          message: `New index \`${change.index.name}\` on ${modelName(change)} (${columns}): ${carriedAt(build)} builds it without CONCURRENTLY, which blocks all writes to the table until the build finishes.`,
          help: 'Change that statement to `CREATE INDEX CONCURRENTLY` and move it into a migration folder of its own, with nothing else in the file.',
          ...severity,
        }];
      }
      return [{
        message: `New index \`${change.index.name}\` on ${modelName(change)} (${columns}): CREATE INDEX blocks all writes to the table until the build finishes.`,
        help: 'Create the migration with `prisma migrate dev --create-only`, change it to `CREATE INDEX CONCURRENTLY`, and keep that statement alone in its file.',
        ...severity,
      }];
    }
    if (context.provider === 'mysql') {
      // The index InnoDB makes by itself for a new foreign key is add-foreign-key's finding.
      if (context.expected.tables[change.tableKey]?.foreignKeys.some((fk) => fk.name === change.index.name)) return [];
      if (change.index.method === 'fulltext') {
        return [{
          message: `New FULLTEXT index \`${change.index.name}\` on ${modelName(change)} (${columns}): InnoDB blocks writes to the table while it builds (LOCK=SHARED), and the first FULLTEXT index of a table rebuilds the whole table.`,
          help: 'Keep it alone in its migration and deploy it at a quiet time, or build it with an online schema-change tool on a large table.',
          ...severity,
        }];
      }
      return [{
        message: `New index \`${change.index.name}\` on ${modelName(change)} (${columns}): InnoDB builds it in place without blocking reads or writes (ALGORITHM=INPLACE, LOCK=NONE); it only needs a brief exclusive metadata lock at the start and the end, which waits behind long-running transactions.`,
        help: 'Usually fine as Prisma writes it; on a very large or busy table, set a low `lock_wait_timeout` for the migration so a long transaction makes it fail fast instead of stalling the queries queued behind it.',
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
