/**
 * Our language server next to Prisma's own (`@prisma/language-server`, the
 * server of Prisma's VS Code extension), in one run on one machine: the same
 * project, the same typed edits, the two servers alternating so that both see
 * the same load. Figures per server: start (spawn → first diagnostics), each
 * edit (didChange → publishDiagnostics), and peak RSS (VmHWM).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { serverProcessEnv } from '../server/src/lsp/processEnvironment';
import { LspClient, uriOf } from '../test/lsp/lspClient';
import { peakRss } from './lspBench';
import type { BenchProject } from './projects';
import { typingEdits } from './projects';

/** Ours is started with what the VS Code client adds to its environment; Prisma's as its own extension starts it. */
const OURS_ENV = serverProcessEnv(process.env);

export interface SideBySideFigures {
  /** Ours, with an empty cache folder: the first start on a machine. */
  oursFirstStartMs: number[];
  /** Ours, with the cache a previous session wrote: every later start. */
  oursStartMs: number[];
  prismaStartMs: number[];
  /** CPU time (user + system, all threads) each server used from spawn to its first diagnostics: what machine load does not inflate. */
  oursFirstStartCpuMs: number[];
  oursStartCpuMs: number[];
  prismaStartCpuMs: number[];
  oursEditMs: number[];
  prismaEditMs: number[];
  /** VmHWM over a session that started and took every edit, MB. */
  oursPeakRssMb: number;
  prismaPeakRssMb: number;
  /** Peak RSS of ours over its first start (cache written), MB. */
  oursFirstStartPeakRssMb: number;
  /** One-minute load average, sampled before each phase. */
  load: number[];
}

function packageDir(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`${name} is not installed (npm install)`);
}

/** The entry Prisma's package declares as its bin (`prisma-language-server`). */
export function prismaServerJs(): string {
  const dir = packageDir('@prisma/language-server');
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin?: Record<string, string> | string };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['prisma-language-server'];
  if (!bin) throw new Error('@prisma/language-server declares no prisma-language-server bin');
  return path.join(dir, bin);
}

/** Builds the bundle the extension ships (scripts/build-extension.js --minify, as vscode:prepublish) into a temp folder; returns its server.js. */
export function buildBundledServer(): string {
  const root = path.resolve(__dirname, '..', '..');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmg-bench-dist-'));
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-extension.js'), '--minify', '--outdir', outdir, '--no-check'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the bundled server failed: ${build.stderr || build.stdout}`);
  return path.join(outdir, 'server.js');
}

/** User + system CPU time of a process so far (all its threads), ms; NaN where /proc is not available. */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** A started server with the schema open, counting the diagnostics it publishes for the schema. */
interface Driven {
  client: LspClient;
  startMs: number;
  startCpuMs: number;
  /** Whether the diagnostics of the edit that made `version` arrived, given how many publications there were before it. */
  arrived(version: number, before: number): boolean;
  published(): number;
}

async function startServer(project: BenchProject, text: string, serverJs: string, storageDir: string | undefined, env?: Record<string, string>): Promise<Driven> {
  const uri = uriOf(project.schemaPath);
  const spawned = performance.now();
  const client = await LspClient.start({
    workspaceFolders: [project.dir],
    serverJs,
    ...(env ? { env } : {}),
    // Ours: the server's own latency, as the rest of the benchmark measures it (the editor adds its 50 ms debounce). Prisma's has no debounce.
    debounceMs: 0,
    ...(storageDir ? { initializationOptions: { storageDir } } : {}),
  });
  let count = 0;
  let first = NaN;
  let firstCpu = NaN;
  const versions = new Set<number>();
  client.publishListeners.push((params) => {
    if (params.uri !== uri) return;
    if (count === 0) {
      first = performance.now();
      firstCpu = processCpuMs(client.child.pid);
    }
    count++;
    if (params.version !== undefined) versions.add(params.version);
  });
  await client.open(project.schemaPath, text, 1);
  await client.until('first diagnostics', () => (count > 0 ? true : undefined), 120000);
  return {
    client,
    startMs: first - spawned,
    startCpuMs: firstCpu,
    published: () => count,
    // Ours carry the document version; Prisma's do not, so there the next publication after the edit counts.
    arrived: (version, before) => (versions.size > 0 ? versions.has(version) : count > before),
  };
}

/** One typed edit, then its diagnostics. */
async function timedEdit(server: Driven, project: BenchProject, version: number, edit: { line: number; character: number; inserted: string }): Promise<number> {
  const before = server.published();
  const at = { line: edit.line, character: edit.character };
  const sent = performance.now();
  await server.client.change(project.schemaPath, version, [{ range: { start: at, end: at }, text: edit.inserted }]);
  await server.client.until(`diagnostics of version ${version}`, () => (server.arrived(version, before) ? true : undefined), 60000);
  return performance.now() - sent;
}

/** Waits until a server has published everything the open caused (ours may publish the file on disk, then the opened text). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
}

export async function benchSideBySide(project: BenchProject, editCount: number, runs: number, oursJs: string): Promise<SideBySideFigures> {
  const text = fs.readFileSync(project.schemaPath, 'utf8');
  const prismaJs = prismaServerJs();
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), `pmg-bench-storage-${project.label}-`));
  const figures: SideBySideFigures = {
    oursFirstStartMs: [],
    oursStartMs: [],
    prismaStartMs: [],
    oursFirstStartCpuMs: [],
    oursStartCpuMs: [],
    prismaStartCpuMs: [],
    oursEditMs: [],
    prismaEditMs: [],
    oursPeakRssMb: NaN,
    prismaPeakRssMb: NaN,
    oursFirstStartPeakRssMb: NaN,
    load: [],
  };
  const sample = (): void => {
    figures.load.push(os.loadavg()[0]);
  };
  try {
    // Starts, alternating which server goes first.
    for (let run = 0; run < runs; run++) {
      sample();
      const order = run % 2 === 0 ? (['ours', 'prisma'] as const) : (['prisma', 'ours'] as const);
      for (const which of order) {
        if (which === 'prisma') {
          const prisma = await startServer(project, text, prismaJs, undefined);
          figures.prismaStartMs.push(prisma.startMs);
          figures.prismaStartCpuMs.push(prisma.startCpuMs);
          await prisma.client.stop();
          continue;
        }
        fs.rmSync(storageDir, { recursive: true, force: true });
        fs.mkdirSync(storageDir);
        const first = await startServer(project, text, oursJs, storageDir, OURS_ENV);
        figures.oursFirstStartMs.push(first.startMs);
        figures.oursFirstStartCpuMs.push(first.startCpuMs);
        await settle();
        figures.oursFirstStartPeakRssMb = Math.max(Number.isNaN(figures.oursFirstStartPeakRssMb) ? 0 : figures.oursFirstStartPeakRssMb, peakRss(first.client.child.pid));
        await first.client.stop();
        const again = await startServer(project, text, oursJs, storageDir, OURS_ENV);
        figures.oursStartMs.push(again.startMs);
        figures.oursStartCpuMs.push(again.startCpuMs);
        await again.client.stop();
      }
    }

    // Edits: both servers up at once, each edit sent to one then the other (alternating which goes first).
    sample();
    const ours = await startServer(project, text, oursJs, storageDir, OURS_ENV);
    const prisma = await startServer(project, text, prismaJs, undefined);
    await settle();
    try {
      let version = 1;
      for (const [i, edit] of typingEdits(text, editCount).entries()) {
        version++;
        if (i % 2 === 0) {
          figures.oursEditMs.push(await timedEdit(ours, project, version, edit));
          figures.prismaEditMs.push(await timedEdit(prisma, project, version, edit));
        } else {
          figures.prismaEditMs.push(await timedEdit(prisma, project, version, edit));
          figures.oursEditMs.push(await timedEdit(ours, project, version, edit));
        }
      }
      figures.oursPeakRssMb = peakRss(ours.client.child.pid);
      figures.prismaPeakRssMb = peakRss(prisma.client.child.pid);
    } finally {
      await ours.client.stop();
      await prisma.client.stop();
    }
    sample();
    return figures;
  } finally {
    fs.rmSync(storageDir, { recursive: true, force: true });
  }
}
