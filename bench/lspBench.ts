/**
 * End-to-end figures through the real language server over stdio (the test
 * client of test/lsp): cold start, per-edit latency from didChange to
 * publishDiagnostics, a typing burst, and the server's peak RSS.
 */
import * as fs from 'fs';
import { LspClient, uriOf } from '../test/lsp/lspClient';
import { DEFAULT_DEBOUNCE_MS } from '../server/src/lsp/guardServer';
import { serverProcessEnv } from '../server/src/lsp/processEnvironment';
import type { BenchProject } from './projects';
import { typingEdits } from './projects';

export interface LspFigures {
  /** Process spawn to the first diagnostics of the open schema. */
  coldStartMs: number;
  /** didChange → publishDiagnostics of that version, one edit at a time (debounce 0). */
  editMs: number[];
  /** CPU time of the server's main thread over the same interval (Linux schedstat): the work itself, whatever the machine's load. */
  editCpuMs: number[];
  /** Time the server's main thread was ready to run but waited for a CPU, over the same interval. */
  editWaitMs: number[];
  /** Typing bursts, in the order run. */
  bursts: BurstFigures[];
  /** Peak resident set size of the server process (VmHWM), MB. */
  peakRssMb: number;
  /** didChange → publishDiagnostics with the server's default debounce (what the editor user sees), one edit at a time. */
  defaultDebounceEditMs: number[];
  defaultDebounceMs: number;
  /** Peak RSS once the first diagnostics are out, and after the one-at-a-time edits. */
  peakRssAtStartMb: number;
  peakRssAfterEditsMb: number;
}

export interface BurstFigures {
  keys: number;
  intervalMs: number;
  /** Analyses that ran to the end (the server's trace). */
  analyses: number;
  /** Diagnostics published for versions that were already outdated when published. */
  stalePublications: number;
  /** Last keystroke → diagnostics of the final text. */
  settleMs: number;
}

/** CPU time and run-queue wait of a process's main thread so far, in ms (NaN where /proc is not available). */
function schedstat(pid: number | undefined): { cpu: number; wait: number } {
  try {
    const [cpu, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { cpu: cpu / 1e6, wait: wait / 1e6 };
  } catch {
    return { cpu: NaN, wait: NaN };
  }
}

/** A process's peak (VmHWM) or current resident set size, MB (NaN where /proc is not available). */
export function peakRss(pid: number | undefined, field = 'VmHWM'): number {
  if (pid === undefined) return NaN;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One typed edit (an insertion at a position) as the editor sends it. */
function typeAt(client: LspClient, file: string, version: number, edit: { line: number; character: number; inserted: string }): Promise<void> {
  const at = { line: edit.line, character: edit.character };
  return client.change(file, version, [{ range: { start: at, end: at }, text: edit.inserted }]);
}

export async function benchLsp(project: BenchProject, editCount: number, bursts: { keys: number; intervalMs: number }[]): Promise<LspFigures> {
  const text = fs.readFileSync(project.schemaPath, 'utf8');
  const uri = uriOf(project.schemaPath);
  const spawned = performance.now();
  // debounce 0: the figures are the server's own latency; the editor's debounce only adds its fixed wait.
  const client = await LspClient.start({ workspaceFolders: [project.dir], debounceMs: 0, env: serverProcessEnv(process.env) });
  const firstArrival = new Map<number, number>();
  const arrivals: { version: number | undefined; at: number; newest: number }[] = [];
  let newestSent = 1;
  client.publishListeners.push((params) => {
    if (params.uri !== uri) return;
    const at = performance.now();
    arrivals.push({ version: params.version, at, newest: newestSent });
    if (params.version !== undefined && !firstArrival.has(params.version)) firstArrival.set(params.version, at);
  });
  let analyses = 0;
  client.connection.onNotification('$/logTrace', (params: { message: string }) => {
    if (params.message.startsWith('Analysed')) analyses++;
  });
  try {
    await client.open(project.schemaPath, text, 1);
    await client.until('first diagnostics', () => (arrivals.length > 0 ? true : undefined), 120000);
    const coldStartMs = arrivals[0].at - spawned;
    // Diagnostics of the opened text itself (the first ones may come from the file on disk, before didOpen).
    await client.until('diagnostics of version 1', () => (firstArrival.has(1) ? true : undefined), 120000);
    const peakRssAtStartMb = peakRss(client.child.pid);

    const edits = typingEdits(text, editCount + bursts.reduce((sum, b) => sum + b.keys, 0));
    const editMs: number[] = [];
    const editCpuMs: number[] = [];
    const editWaitMs: number[] = [];
    const pid = client.child.pid;
    let version = 1;
    for (const edit of edits.slice(0, editCount)) {
      version++;
      newestSent = version;
      const sent = performance.now();
      const before = schedstat(pid);
      const target = version;
      await typeAt(client, project.schemaPath, version, edit);
      await client.until(`diagnostics of version ${target}`, () => (firstArrival.has(target) ? true : undefined), 60000);
      editMs.push((firstArrival.get(target) as number) - sent);
      const after = schedstat(pid);
      editCpuMs.push(after.cpu - before.cpu);
      editWaitMs.push(after.wait - before.wait);
    }

    const peakRssAfterEditsMb = peakRss(pid);
    // Bursts of keystrokes, the fastest quicker than any analysis: each one must supersede the last, not queue behind it.
    await client.connection.sendNotification('$/setTrace', { value: 'messages' });
    await sleep(50);
    const burstFigures: BurstFigures[] = [];
    let next = editCount;
    for (const { keys, intervalMs } of bursts) {
      analyses = 0;
      const arrivalsBefore = arrivals.length;
      let lastSent = 0;
      for (const edit of edits.slice(next, next + keys)) {
        version++;
        newestSent = version;
        await typeAt(client, project.schemaPath, version, edit);
        lastSent = performance.now();
        await sleep(intervalMs);
      }
      next += keys;
      const finalVersion = version;
      await client.until('diagnostics of the burst', () => (firstArrival.has(finalVersion) ? true : undefined), 120000);
      await sleep(100);
      const burstArrivals = arrivals.slice(arrivalsBefore);
      burstFigures.push({
        keys,
        intervalMs,
        analyses,
        stalePublications: burstArrivals.filter((a) => a.version !== undefined && a.version < a.newest).length,
        settleMs: (firstArrival.get(finalVersion) as number) - lastSent,
      });
    }
    const peakRssMb = peakRss(pid);
    await client.stop();
    const defaultDebounceEditMs = await editsWithDefaultDebounce(project, text, Math.min(editCount, 50));
    return { coldStartMs, editMs, editCpuMs, editWaitMs, bursts: burstFigures, peakRssMb, peakRssAtStartMb, peakRssAfterEditsMb, defaultDebounceEditMs, defaultDebounceMs: DEFAULT_DEBOUNCE_MS };
  } finally {
    await client.stop();
  }
}

/** A second server as the editor starts it (default debounce): keystroke to diagnostics, end to end. */
async function editsWithDefaultDebounce(project: BenchProject, text: string, count: number): Promise<number[]> {
  const uri = uriOf(project.schemaPath);
  const client = await LspClient.start({ workspaceFolders: [project.dir], debounceMs: DEFAULT_DEBOUNCE_MS, env: serverProcessEnv(process.env) });
  const arrived = new Map<number, number>();
  client.publishListeners.push((params) => {
    if (params.uri === uri && params.version !== undefined && !arrived.has(params.version)) arrived.set(params.version, performance.now());
  });
  try {
    await client.open(project.schemaPath, text, 1);
    await client.until('diagnostics of version 1', () => (arrived.has(1) ? true : undefined), 120000);
    const times: number[] = [];
    let version = 1;
    for (const edit of typingEdits(text, count)) {
      const target = ++version;
      const sent = performance.now();
      await typeAt(client, project.schemaPath, target, edit);
      await client.until(`diagnostics of version ${target}`, () => (arrived.has(target) ? true : undefined), 60000);
      times.push((arrived.get(target) as number) - sent);
    }
    return times;
  } finally {
    await client.stop();
  }
}
