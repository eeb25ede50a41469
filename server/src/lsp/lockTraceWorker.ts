/**
 * Runs one lock trace in a worker thread: PGlite takes seconds to start and
 * hundreds of MB, and its queries hold the thread; in a worker the server
 * keeps answering the editor meanwhile, and the memory goes when it exits.
 */
import { parentPort, workerData } from 'worker_threads';
import { type LockTraceInput, traceLocks } from '../analysis/lockTrace';

const port = parentPort;
if (port) {
  traceLocks(workerData as LockTraceInput).then(
    (trace) => port.postMessage({ ok: true, trace }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
