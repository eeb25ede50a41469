/**
 * The on-demand lock trace for the editor: each project's pending migrations
 * run on an embedded PostgreSQL (PGlite) in a worker thread. Never on the
 * keystroke path: only the "Trace locks" command and `report({ lockTrace })`
 * start it.
 *
 * The worker is a file of its own next to this one: out/server/src/lsp/ when
 * built with tsc, dist/lockTraceWorker.js in the bundled extension, which
 * also ships PGlite (with its wasm and data files) under dist/node_modules
 * (scripts/build-extension.js). A build without them answers "not available".
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { LockTrace, LockTraceInput } from '../analysis/lockTrace';
import type { ProjectAnalysis } from '../analysis/types';
import { readMigrationsFolder } from '../replay/migrations';

const WORKER = path.join(__dirname, 'lockTraceWorker.js');

/** Undefined when the trace can run here; else why not, in a sentence for the user. */
export function lockTraceUnavailable(): string | undefined {
  if (!fs.existsSync(WORKER)) {
    return 'The lock trace is not available in this build of the extension: its worker (lockTraceWorker.js) is not next to the language server. Run it from a terminal instead: npx prisma-migration-guard check --lock-trace';
  }
  try {
    // Resolved the way the worker will resolve it.
    require.resolve('@electric-sql/pglite', { paths: [__dirname] });
  } catch {
    return 'The lock trace is not available: the package @electric-sql/pglite is not installed next to the language server (npm install @electric-sql/pglite).';
  }
  return undefined;
}

/** The deployed and pending migrations of an analysed project, as the trace takes them. */
export function lockTraceInput(analysis: ProjectAnalysis): LockTraceInput {
  const folder = readMigrationsFolder(analysis.project.migrationsDir);
  const deployed = new Set(analysis.migrations.filter((m) => m.deployed).map((m) => m.name));
  const strip = (m: { name: string; file: string; sql: string }): { name: string; file: string; sql: string } => ({ name: m.name, file: m.file, sql: m.sql });
  return {
    deployed: folder.migrations.filter((m) => deployed.has(m.name)).map(strip),
    pending: folder.migrations.filter((m) => !deployed.has(m.name)).map(strip),
  };
}

export interface RunOptions {
  /** The project root: files in the Markdown are shown relative to it. */
  root: string;
  timeoutMs?: number;
  /** Checked while the trace runs; the worker is stopped when it turns true. */
  isCancelled?: () => boolean;
}

export interface TraceDone {
  trace: LockTrace;
  /** The trace as the report shows it. */
  markdown: string;
}

/** Runs the trace in a worker; rejects on timeout, cancellation or a worker that dies. */
export function runLockTrace(input: LockTraceInput, options: RunOptions): Promise<TraceDone> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  return new Promise<TraceDone>((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { input, root: options.root } });
    let settled = false;
    const finish = (error: Error | undefined, done?: TraceDone): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      void worker.terminate();
      if (error) reject(error);
      else resolve(done as TraceDone);
    };
    const timer = setTimeout(() => finish(new Error(`the lock trace did not finish in ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const poll = setInterval(() => {
      if (options.isCancelled?.()) finish(new Error('the lock trace was cancelled'));
    }, 200);
    worker.on('message', (message: ({ ok: true } & TraceDone) | { ok: false; message: string }) => {
      if (message.ok) finish(undefined, { trace: message.trace, markdown: message.markdown });
      else finish(new Error(message.message));
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(new Error(`the lock trace worker stopped (exit code ${code})`)));
  });
}
