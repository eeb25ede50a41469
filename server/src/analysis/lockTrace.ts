/**
 * Lock trace (precise mode, PostgreSQL): runs each pending migration
 * statement on an embedded PostgreSQL (PGlite) that holds the deployed
 * schema, inside a transaction, and reads `pg_locks` before committing — the
 * locks PostgreSQL itself takes, not what a rule table predicts. It also
 * tells whether the statement rewrote a table (its relfilenode changed).
 *
 * Nothing here touches a real database. PGlite takes seconds to start and
 * hundreds of MB: call this on demand (a command, `check --lock-trace`),
 * never on the keystroke path.
 */
import type { PGlite } from '@electric-sql/pglite';
import * as path from 'path';
import { messageOf, type Note } from '../core/notes';
import type { Range } from '../core/source';
import { readMigrationsFolder } from '../replay/migrations';
import { loadPostgresParser, parsePostgresStatements, type ParsedStatement } from '../replay/statements';
import type { Finding } from '../rules/types';
import type { ProjectAnalysis } from './types';

/** What a lock means for the application's traffic on that table. */
export type Blocks = 'reads and writes' | 'writes' | 'nothing';

export interface TracedLock {
  schema: string;
  table: string;
  /** Modes as `pg_locks` names them (`ShareLock`), strongest first. */
  modes: string[];
  /** The strongest mode in SQL words (`SHARE`, `ACCESS EXCLUSIVE`). */
  strongest: string;
  blocks: Blocks;
}

export interface TracedStatement {
  migration: string;
  file: string;
  range: Range;
  text: string;
  /** libpg-query node type, e.g. `IndexStmt`. */
  kind: string;
  /**
   * `traced`: ran in a transaction and its locks were read; `outside-transaction`:
   * PostgreSQL refuses it in a transaction block, so it ran alone and its locks
   * could not be observed; `failed`: PostgreSQL rejected it; `skipped`: transaction
   * control, which the trace does itself.
   */
  outcome: 'traced' | 'outside-transaction' | 'failed' | 'skipped';
  locks: TracedLock[];
  /** Tables whose storage was rewritten (relfilenode changed). */
  rewrites: string[];
  note?: string;
}

export interface LockTrace {
  /** e.g. "PGlite (PostgreSQL 17.4)". */
  engine: string;
  statements: TracedStatement[];
  notes: Note[];
  /** Deployed migrations loaded into the engine before the trace. */
  deployedMigrations: number;
}

export interface LockTraceInput {
  /** Deployed migrations, in order: they build the schema the pending ones run against. */
  deployed: { name: string; file: string; sql: string }[];
  /** Pending migrations, in order: the ones traced. */
  pending: { name: string; file: string; sql: string }[];
}

export interface LockTraceOptions {
  /** An engine to use instead of starting one (tests, a warm worker); it is left open. */
  db?: PGlite;
}

const MODE_ORDER = [
  'AccessExclusiveLock',
  'ExclusiveLock',
  'ShareRowExclusiveLock',
  'ShareLock',
  'ShareUpdateExclusiveLock',
  'RowExclusiveLock',
  'RowShareLock',
  'AccessShareLock',
];

const BLOCKS: Record<string, Blocks> = {
  AccessExclusiveLock: 'reads and writes',
  ExclusiveLock: 'writes',
  ShareRowExclusiveLock: 'writes',
  ShareLock: 'writes',
};

/** `ShareRowExclusiveLock` → `SHARE ROW EXCLUSIVE`, the words of the LOCK statement and the docs. */
export function sqlLockName(mode: string): string {
  return mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

/** Traces the pending migrations of an analysed project (PostgreSQL only). */
export async function traceProjectLocks(analysis: ProjectAnalysis, options: LockTraceOptions = {}): Promise<LockTrace> {
  if (analysis.provider !== 'postgresql') {
    return { engine: 'none', statements: [], deployedMigrations: 0, notes: [{ level: 'info', message: `The lock trace runs PostgreSQL migrations only; this project uses ${analysis.provider}.` }] };
  }
  const folder = readMigrationsFolder(analysis.project.migrationsDir);
  const deployed = new Set(analysis.migrations.filter((m) => m.deployed).map((m) => m.name));
  return traceLocks(
    {
      deployed: folder.migrations.filter((m) => deployed.has(m.name)),
      pending: folder.migrations.filter((m) => !deployed.has(m.name)),
    },
    options,
  );
}

export async function traceLocks(input: LockTraceInput, options: LockTraceOptions = {}): Promise<LockTrace> {
  await loadPostgresParser();
  const notes: Note[] = [];
  if (input.pending.length === 0) {
    return { engine: 'none', statements: [], deployedMigrations: input.deployed.length, notes: [{ level: 'info', message: 'No pending migration to trace.' }] };
  }
  const db = options.db ?? (await startEngine());
  try {
    const version = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    for (const migration of input.deployed) await loadDeployed(db, migration, notes);
    const statements: TracedStatement[] = [];
    for (const migration of input.pending) {
      const parsed = parsePostgresStatements(migration.sql, migration.file);
      for (const statement of parsed.statements) statements.push(await traceStatement(db, migration, statement));
    }
    notes.push({
      level: 'info',
      message: 'Each statement was traced in a transaction of its own. Prisma runs a migration file as one script, so on a real deploy a lock taken early in a file is held until the whole file has run.',
    });
    return { engine: `PGlite (PostgreSQL ${version})`, statements, notes, deployedMigrations: input.deployed.length };
  } finally {
    if (!options.db) await db.close().catch(() => undefined);
  }
}

async function startEngine(): Promise<PGlite> {
  // Loaded on demand: the package is large and only this command needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGlite: Engine } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  return Engine.create();
}

/** The whole file first (exact and fast); when it fails, statement by statement, skipping what PGlite cannot run. */
async function loadDeployed(db: PGlite, migration: LockTraceInput['deployed'][number], notes: Note[]): Promise<void> {
  try {
    await db.exec(migration.sql);
    return;
  } catch {
    await rollbackQuietly(db);
  }
  for (const statement of parsePostgresStatements(migration.sql, migration.file).statements) {
    try {
      await db.exec(statement.text);
    } catch (error) {
      await rollbackQuietly(db);
      notes.push({
        level: 'info',
        message: `Lock trace: skipped a statement of deployed migration ${migration.name} that the embedded PostgreSQL could not run (${messageOf(error)}).`,
        where: { file: migration.file, range: statement.range },
      });
    }
  }
}

async function traceStatement(db: PGlite, migration: LockTraceInput['pending'][number], statement: ParsedStatement): Promise<TracedStatement> {
  const base = { migration: migration.name, file: migration.file, range: statement.range, text: statement.text, kind: statement.kind, locks: [], rewrites: [] };
  if (statement.kind === 'TransactionStmt') {
    return { ...base, outcome: 'skipped', note: 'Transaction control: the trace opens and commits a transaction around each statement itself.' };
  }
  const before = await storage(db);
  try {
    await db.exec('BEGIN');
    await db.exec(statement.text);
  } catch (error) {
    await rollbackQuietly(db);
    if (codeOf(error) === '25001') return runOutsideTransaction(db, base, statement);
    return { ...base, outcome: 'failed', note: `PostgreSQL rejected it: ${messageOf(error)}` };
  }
  let locks: TracedLock[];
  let after: Map<string, { name: string; filenode: string }>;
  try {
    locks = await heldLocks(db);
    after = await storage(db);
    await db.exec('COMMIT');
  } catch (error) {
    await rollbackQuietly(db);
    return { ...base, outcome: 'failed', note: `Could not read the locks: ${messageOf(error)}` };
  }
  const rewrites: string[] = [];
  for (const [oid, table] of before) {
    const now = after.get(oid);
    if (now && now.filenode !== table.filenode && table.filenode !== '0') rewrites.push(table.name);
  }
  return { ...base, outcome: 'traced', locks, rewrites };
}

/** Statements PostgreSQL refuses inside a transaction block (CONCURRENTLY, VACUUM): they run alone, unobserved. */
async function runOutsideTransaction(db: PGlite, base: Omit<TracedStatement, 'outcome'>, statement: ParsedStatement): Promise<TracedStatement> {
  const documented = documentedLock(statement);
  const unobserved = `PostgreSQL refuses it inside a transaction block, so its locks could not be read from pg_locks${documented ? `; PostgreSQL documents ${documented}` : ''}.`;
  try {
    await db.exec(statement.text);
    return { ...base, outcome: 'outside-transaction', note: `${unobserved} It was run on its own to keep the trace going.` };
  } catch (error) {
    return { ...base, outcome: 'failed', note: `${unobserved} On its own it failed too: ${messageOf(error)}` };
  }
}

function documentedLock(statement: ParsedStatement): string | undefined {
  const [kind, body] = unwrap(statement.ast);
  if (kind === 'IndexStmt' && body.concurrent) return 'SHARE UPDATE EXCLUSIVE on the table for CREATE INDEX CONCURRENTLY: reads and writes go on, but it waits for every transaction already running';
  if (kind === 'DropStmt' && body.concurrent) return 'SHARE UPDATE EXCLUSIVE on the table for DROP INDEX CONCURRENTLY: reads and writes go on';
  if (kind === 'ReindexStmt') return 'SHARE UPDATE EXCLUSIVE for REINDEX CONCURRENTLY: reads and writes go on';
  if (kind === 'VacuumStmt') return 'SHARE UPDATE EXCLUSIVE for VACUUM (ACCESS EXCLUSIVE for VACUUM FULL)';
  return undefined;
}

function unwrap(ast: unknown): [string, Record<string, unknown>] {
  if (!ast || typeof ast !== 'object') return ['', {}];
  const [entry] = Object.entries(ast as Record<string, unknown>);
  return entry ? [entry[0], (entry[1] ?? {}) as Record<string, unknown>] : ['', {}];
}

/** Locks this backend holds on ordinary, partitioned and materialized tables outside the system schemas. */
async function heldLocks(db: PGlite): Promise<TracedLock[]> {
  const result = await db.query<{ schema: string; table: string; mode: string }>(`
    SELECT n.nspname AS schema, c.relname AS table, l.mode
      FROM pg_locks l
      JOIN pg_class c ON c.oid = l.relation
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted
       AND c.relkind IN ('r', 'p', 'm')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`);
  const byTable = new Map<string, TracedLock>();
  for (const row of result.rows) {
    const key = `${row.schema}.${row.table}`;
    const lock = byTable.get(key) ?? { schema: row.schema, table: row.table, modes: [], strongest: '', blocks: 'nothing' as Blocks };
    if (!lock.modes.includes(row.mode)) lock.modes.push(row.mode);
    byTable.set(key, lock);
  }
  const rank = (mode: string): number => (MODE_ORDER.indexOf(mode) < 0 ? MODE_ORDER.length : MODE_ORDER.indexOf(mode));
  const locks = [...byTable.values()];
  for (const lock of locks) {
    lock.modes.sort((a, b) => rank(a) - rank(b));
    lock.strongest = sqlLockName(lock.modes[0]);
    lock.blocks = BLOCKS[lock.modes[0]] ?? 'nothing';
  }
  return locks.sort((a, b) => rank(a.modes[0]) - rank(b.modes[0]) || a.table.localeCompare(b.table));
}

/** oid → table name and relfilenode: a new relfilenode after a statement means the table was rewritten. */
async function storage(db: PGlite): Promise<Map<string, { name: string; filenode: string }>> {
  const result = await db.query<{ oid: string; name: string; filenode: string }>(`
    SELECT c.oid::int8::text AS oid, c.relname AS name, c.relfilenode::int8::text AS filenode
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`);
  return new Map(result.rows.map((row) => [row.oid, { name: row.name, filenode: row.filenode }]));
}

async function rollbackQuietly(db: PGlite): Promise<void> {
  try {
    await db.exec('ROLLBACK');
  } catch {
    // Nothing to roll back.
  }
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}


// ---------------------------------------------------------------------------
// Presenting the trace

/** One line per statement's effect: "ACCESS EXCLUSIVE on `Post` (blocks reads and writes); rewrites `Post`". */
export function describeStatement(statement: TracedStatement): string {
  if (statement.outcome !== 'traced') return statement.note ?? statement.outcome;
  const parts = statement.locks.map((lock) => `${lock.strongest} on \`${lock.table}\` (${lock.blocks === 'nothing' ? 'reads and writes go on' : `blocks ${lock.blocks}`})`);
  const locks = parts.length > 0 ? parts.join(', ') : 'no table lock';
  const rewrites = statement.rewrites.length > 0 ? `; rewrites ${statement.rewrites.map((t) => `\`${t}\``).join(', ')}` : '';
  return `${locks}${rewrites}`;
}

/** The traced statements a finding sits on (same file, overlapping lines). */
export function statementsFor(trace: LockTrace, finding: Pick<Finding, 'file' | 'range'>): TracedStatement[] {
  return trace.statements.filter(
    (s) => path.resolve(s.file) === path.resolve(finding.file) && s.range.start.line <= finding.range.end.line && s.range.end.line >= finding.range.start.line,
  );
}

/** Related information for a SQL finding (LSP `relatedInformation`, JSON `related`): what PostgreSQL did with its statement. */
export function lockTraceRelated(trace: LockTrace, finding: Pick<Finding, 'file' | 'range'>): Finding['related'] {
  return statementsFor(trace, finding).map((s) => ({ file: s.file, range: s.range, message: `Lock trace (${trace.engine}): ${describeStatement(s)}` }));
}

/** The findings with the trace attached as related information to those on traced statements. */
export function withLockTrace(findings: readonly Finding[], trace: LockTrace): Finding[] {
  return findings.map((finding) => {
    if (!finding.statement) return finding;
    const related = lockTraceRelated(trace, finding);
    return related.length > 0 ? { ...finding, related: [...finding.related, ...related] } : finding;
  });
}

/** Plain text, for the CLI. */
export function formatLockTraceText(trace: LockTrace, relative: (file: string) => string): string[] {
  const lines = [`Lock trace on ${trace.engine}:`];
  for (const statement of trace.statements) {
    lines.push(`  ${relative(statement.file)}:${statement.range.start.line + 1} ${firstLine(statement.text)}`);
    lines.push(`      ${describeStatement(statement)}`);
  }
  for (const note of trace.notes) lines.push(`  note: ${note.message}`);
  return lines;
}

/** Markdown, for the "Check migration safety" report. */
export function renderLockTraceMarkdown(trace: LockTrace, relative: (file: string) => string): string {
  const out = [`### Lock trace (${trace.engine})`, '', '| statement | where | locks and rewrites |', '| --- | --- | --- |'];
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const s of trace.statements) {
    out.push(`| \`${cell(firstLine(s.text))}\` | ${cell(`${relative(s.file)}:${s.range.start.line + 1}`)} | ${cell(describeStatement(s))} |`);
  }
  if (trace.notes.length > 0) out.push('', ...trace.notes.map((n) => `- ${n.message}`));
  return out.join('\n') + '\n';
}

/** JSON for `check --format json --lock-trace`: files relative to the project. */
export function lockTraceJson(trace: LockTrace, relative: (file: string) => string): Record<string, unknown> {
  return {
    engine: trace.engine,
    deployedMigrations: trace.deployedMigrations,
    statements: trace.statements.map((s) => ({
      migration: s.migration,
      file: relative(s.file),
      range: s.range,
      statement: s.text,
      kind: s.kind,
      outcome: s.outcome,
      locks: s.locks.map((l) => ({ schema: l.schema, table: l.table, modes: l.modes, strongest: l.strongest, blocks: l.blocks })),
      rewrites: s.rewrites,
      ...(s.note ? { note: s.note } : {}),
    })),
    notes: trace.notes.map((n) => ({ level: n.level, message: n.message, ...(n.where ? { file: relative(n.where.file), range: n.where.range } : {}) })),
  };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}
