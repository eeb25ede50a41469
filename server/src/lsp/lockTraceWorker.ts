/**
 * Runs one lock trace in a worker thread: PGlite takes seconds to start and
 * hundreds of MB, and its queries hold the thread; in a worker the server
 * keeps answering the editor meanwhile, and the memory goes when it exits.
 */
import * as path from 'path';
import { parentPort, workerData } from 'worker_threads';
import { type LockTraceInput, renderLockTraceMarkdown, traceLocks } from '../analysis/lockTrace';

const port = parentPort;
if (port) {
  const job = workerData as { input: LockTraceInput; root: string };
  // Rendered here, so that the server itself never loads the lock-trace module (and PGlite with it).
  const relative = (file: string): string => path.relative(job.root, file) || file;
  traceLocks(job.input).then(
    (trace) => port.postMessage({ ok: true, trace, markdown: renderLockTraceMarkdown(trace, relative) }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
