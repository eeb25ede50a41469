import type { DropStmt, IndexStmt } from 'libpg-query';
import { at, bodyOf, clauseRange, droppedKeys, factsOf, identPattern, indexOwner, quoted, relationKey, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

// MySQL's counterpart is sql-mysql-index-not-online (ALGORITHM=INPLACE, LOCK=NONE). SQLite has no
// concurrent build: an index build holds the database write lock, and no rule reports it.
const rule: SqlRule = {
  id: 'sql-index-not-concurrent',
  target: 'sql',
  title: 'Index built without CONCURRENTLY on an existing table',
  defaultSeverity: 'warning',
  why: 'CREATE INDEX holds a SHARE lock for the whole build: every insert, update and delete on the table waits, for minutes on a large table.',
  safePath: 'Build it with CREATE INDEX CONCURRENTLY, alone in a migration folder of its own (Prisma runs a multi-statement file as one transaction).',
  providers: ['postgresql'],
  detect(statement, context) {
    const [kind, body] = bodyOf(statement);
    const view = factsOf(context).before(statement);
    if (kind === 'IndexStmt') {
      const stmt = body as IndexStmt;
      const table = relationKey(stmt.relation);
      if (stmt.concurrent || !table || !view.holdsRows(table)) return [];
      const columns = (stmt.indexParams ?? []).map((p) => {
        const elem = Object.values(p)[0] as { name?: string } | undefined;
        return elem?.name ?? '(expression)';
      });
      const what = `${stmt.unique ? 'Unique index' : 'Index'} ${stmt.idxname ? `"${stmt.idxname}" ` : ''}on ${quoted(table)} (${columns.join(', ')})`;
      const duplicates = stmt.unique ? ' It also fails if existing rows hold duplicates.' : '';
      const untilCommit = context.statements.length > 1 ? ' — and, since the file has other statements, until the whole file commits' : '';
      return [{
        message: `${what} is built without CONCURRENTLY: the build holds a SHARE lock on ${quoted(table)}, so every INSERT, UPDATE and DELETE on it waits until the index is complete${untilCommit}.${duplicates}`,
        help: `Move it into a migration folder of its own (\`prisma migrate dev --create-only\`) as \`CREATE ${stmt.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY\`, with nothing else in that file; keep Prisma's index name.`,
        ...smallTableSeverity(context, [table]),
      }];
    }
    if (kind === 'DropStmt') {
      const stmt = body as DropStmt;
      if (stmt.removeType !== 'OBJECT_INDEX' || stmt.concurrent) return [];
      const reports: RuleReport[] = [];
      const keys = droppedKeys(stmt);
      for (const key of keys) {
        const parts = key.split('.');
        const name = parts[parts.length - 1];
        const table = indexOwner(context.baseline, parts.length > 1 ? parts[0] : undefined, name);
        if (!table || !view.isLive(table)) continue;
        // The drop itself is instant: info, since waiting for the lock is what hurts (sql-missing-lock-timeout's business).
        reports.push({
          message: `DROP INDEX "${name}" without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on ${quoted(table)}: the drop itself is instant, but until running transactions let go of the table every query on it queues behind the drop (for at most the lock_timeout, if one is set).`,
          help: 'On a busy table, drop it with `DROP INDEX CONCURRENTLY` alone in a migration folder of its own: it waits without blocking reads or writes.',
          severity: 'info',
          ...(keys.length > 1 ? at(context, clauseRange(statement, new RegExp(identPattern(name)))) : {}),
        });
      }
      return reports;
    }
    return [];
  },
};

export default rule;
