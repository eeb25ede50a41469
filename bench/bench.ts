/**
 * `npm run bench [-- <project>... ] [--edits N] [--runs N] [--json FILE]`:
 * speed and memory figures for the editor's path on generated projects
 * (small, large, xl) and on real ones from ../shared/corpus (langfuse,
 * inbox-zero). Never part of the test suite, never fails on a slow machine:
 * it measures and reports, with the machine's load average so figures taken
 * on a busy machine can be read as such.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchEdits, benchReplay, type EditFigures, type ReplayFigures } from './engineBench';
import { DEFAULT_DEBOUNCE_MS } from '../server/src/lsp/guardServer';
import { benchLsp, type LspFigures } from './lspBench';
import { benchSideBySide, buildBundledServer, type SideBySideFigures } from './sideBySide';
import { knownLabels, prepareProject } from './projects';
import { median, ms, percentile, table } from './stats';

interface ProjectFigures {
  label: string;
  models: number;
  migrations: number;
  lines: number;
  replay?: ReplayFigures;
  edits?: EditFigures;
  lsp?: LspFigures;
  prisma?: SideBySideFigures;
  error?: string;
}

/** A fast typist (10 ms between keys), then keys quicker than any analysis (1 ms). */
const BURSTS = [
  { keys: 40, intervalMs: 10 },
  { keys: 40, intervalMs: 1 },
];

interface Options {
  labels: string[];
  edits: number;
  runs: number;
  json?: string;
  only?: Set<string>;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { labels: [], edits: 200, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--edits') options.edits = Number(argv[++i]);
    else if (arg === '--runs') options.runs = Number(argv[++i]);
    else if (arg === '--json') options.json = argv[++i];
    else if (arg === '--only') options.only = new Set(argv[++i].split(','));
    else options.labels.push(arg);
  }
  if (options.labels.length === 0) options.labels = ['small', 'large', 'xl', 'medium-git', 'langfuse', 'inbox-zero'];
  return options;
}

function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

async function benchProject(label: string, options: Options, bundledServer: () => string): Promise<ProjectFigures> {
  const project = prepareProject(label);
  if (!project) return { label, models: 0, migrations: 0, lines: 0, error: `unknown project or corpus missing (known: ${knownLabels().join(', ')})` };
  const figures: ProjectFigures = { label, models: project.models, migrations: project.migrations, lines: project.lines };
  const wants = (part: string): boolean => !options.only || options.only.has(part);
  try {
    if (wants('replay')) {
      process.stderr.write(`${label}: replay (load ${load()})\n`);
      figures.replay = await benchReplay(project, options.runs);
    }
    if (wants('edits')) {
      process.stderr.write(`${label}: ${options.edits} edits in process (load ${load()})\n`);
      figures.edits = await benchEdits(project, options.edits);
    }
    if (wants('lsp')) {
      process.stderr.write(`${label}: language server (load ${load()})\n`);
      figures.lsp = await benchLsp(project, options.edits, BURSTS);
    }
    if (wants('prisma')) {
      process.stderr.write(`${label}: side by side with Prisma's language server (load ${load()})\n`);
      figures.prisma = await benchSideBySide(project, options.edits, options.runs, bundledServer());
    }
  } catch (error) {
    figures.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    project.cleanup();
  }
  return figures;
}

function report(all: ProjectFigures[]): string {
  const out: string[] = [];
  const sized = (f: ProjectFigures): string[] => [f.label, String(f.models), String(f.migrations), String(f.lines)];

  out.push('Replay (ms): cold = read + replay in a fresh process; warm = the same in process; +1 mig = the session\'s replay stage after a migration folder');
  out.push('is added (re-read the folder, replay the new one on the cached state), +1 analysis = that whole analysis; b2b = +1 replays back to back (state copied then);');
  out.push('+1 git = the +1 replay stage in a git repository (deployed = committed), the editor\'s default');
  out.push(
    table(
      ['project', 'models', 'migrations', 'lines', 'cold read', 'cold replay', 'cold total', 'warm total', '+1 mig p50', '+1 mig max', '+1 analysis', '+1 b2b p50', '+1 git p50', '+1 git max'],
      all
        .filter((f) => f.replay)
        .map((f) => {
          const r = f.replay as ReplayFigures;
          return [
            ...sized(f),
            ms(r.coldReadMs, 0),
            ms(r.coldReplayMs, 0),
            ms(r.coldMs, 0),
            ms(r.warmMs, 0),
            ms(median(r.addOneMs)),
            ms(Math.max(...r.addOneMs)),
            ms(median(r.addOneAnalysisMs)),
            ms(median(r.addOneBackToBackMs)),
            ms(median(r.addOneGitMs ?? [])),
            ms(Math.max(...(r.addOneGitMs ?? [NaN]))),
          ];
        }),
    ),
  );

  out.push('', 'Per edit, in process (ms): engine = ProjectSession.analyze with validate off (scan, map, diff, rules); lint = prisma-schema-wasm lint of the same text;');
  out.push('ratio = engine p50 / lint p50, in wall time and in CPU time (the CPU figures are what a busy machine does not inflate); stages are wall p50');
  const stageNames = [...new Set(all.flatMap((f) => Object.keys(f.edits?.stages ?? {})))].filter((s) => s !== 'validate');
  out.push(
    table(
      ['project', 'lines', 'engine p50', 'engine p95', 'cpu p50', ...stageNames, 'lint p50', 'lint cpu', 'ratio', 'ratio cpu', '+lint p50', '+lint p95'],
      all
        .filter((f) => f.edits)
        .map((f) => {
          const e = f.edits as EditFigures;
          return [
            f.label,
            String(f.lines),
            ms(median(e.engineMs), 2),
            ms(percentile(e.engineMs, 95), 2),
            ms(median(e.engineCpuMs), 2),
            ...stageNames.map((s) => ms(median(e.stages[s] ?? []), 2)),
            ms(median(e.lintMs), 2),
            ms(median(e.lintCpuMs), 2),
            (median(e.engineMs) / median(e.lintMs)).toFixed(3),
            (median(e.engineCpuMs) / median(e.lintCpuMs)).toFixed(3),
            ms(median(e.validatedMs)),
            ms(percentile(e.validatedMs, 95)),
          ];
        }),
    ),
  );

  out.push('', 'Language server over stdio (ms, MB): edit = didChange → publishDiagnostics, one at a time, debounce 0; cpu = the server main thread\'s CPU time');
  out.push('over the same interval, wait = its time waiting for a CPU (machine load); bursts of 40 keys 10 ms and 1 ms apart: analyses run to the end,');
  out.push('stale = diagnostics published for a version already superseded, settle = last key → diagnostics of the final text;');
  out.push(`typed = edit, end to end, on a second server with the editor's default debounce (${DEFAULT_DEBOUNCE_MS} ms), 50 edits`);
  out.push(
    table(
      [
        'project',
        'cold start',
        'edit p50',
        'edit p95',
        'edit max',
        'cpu p50',
        'cpu p95',
        'wait p50',
        'typed p50',
        'typed p95',
        ...BURSTS.flatMap((b) => [`${b.intervalMs}ms analyses`, 'stale', 'settle']),
        'RSS start',
        'RSS edits',
        'peak RSS',
      ],
      all
        .filter((f) => f.lsp)
        .map((f) => {
          const l = f.lsp as LspFigures;
          return [
            f.label,
            ms(l.coldStartMs, 0),
            ms(median(l.editMs)),
            ms(percentile(l.editMs, 95)),
            ms(Math.max(...l.editMs)),
            ms(median(l.editCpuMs)),
            ms(percentile(l.editCpuMs, 95)),
            ms(median(l.editWaitMs)),
            ms(median(l.defaultDebounceEditMs ?? [])),
            ms(percentile(l.defaultDebounceEditMs ?? [], 95)),
            ...l.bursts.flatMap((b) => [String(b.analyses), String(b.stalePublications), ms(b.settleMs)]),
            ms(l.peakRssAtStartMb, 0),
            ms(l.peakRssAfterEditsMb, 0),
            ms(l.peakRssMb, 0),
          ];
        }),
    ),
  );
  const sides = all.filter((f) => f.prisma);
  if (sides.length > 0) {
    out.push('', 'Side by side with Prisma\'s language server (@prisma/language-server), both over stdio, alternating, same edits (ms, MB):');
    out.push('start = spawn → first diagnostics (median of runs; ours "first" = empty cache folder, "start" = cache of a previous session);');
    out.push('start cpu = CPU time (user + system, all threads) from spawn to first diagnostics, which machine load does not inflate;');
    out.push('edit = didChange → publishDiagnostics (ours bundled, debounce 0; Prisma\'s validates every change); ratio = ours / Prisma\'s; load = 1-min load average during the part');
    out.push(
      table(
        ['project', 'ours p50', 'ours p95', 'Prisma p50', 'Prisma p95', 'ratio p50', 'ratio p95', 'ours first', 'ours start', 'Prisma start', 'ratio first', 'ratio start', 'cpu first', 'cpu start', 'Prisma cpu', 'cpu ratio first', 'cpu ratio start', 'ours RSS', 'Prisma RSS', 'load'],
        sides.map((f) => {
          const p = f.prisma as SideBySideFigures;
          const ratio = (a: number, b: number): string => (a / b).toFixed(2);
          return [
            f.label,
            ms(median(p.oursEditMs)),
            ms(percentile(p.oursEditMs, 95)),
            ms(median(p.prismaEditMs)),
            ms(percentile(p.prismaEditMs, 95)),
            ratio(median(p.oursEditMs), median(p.prismaEditMs)),
            ratio(percentile(p.oursEditMs, 95), percentile(p.prismaEditMs, 95)),
            ms(median(p.oursFirstStartMs), 0),
            ms(median(p.oursStartMs), 0),
            ms(median(p.prismaStartMs), 0),
            ratio(median(p.oursFirstStartMs), median(p.prismaStartMs)),
            ratio(median(p.oursStartMs), median(p.prismaStartMs)),
            ms(median(p.oursFirstStartCpuMs ?? []), 0),
            ms(median(p.oursStartCpuMs ?? []), 0),
            ms(median(p.prismaStartCpuMs ?? []), 0),
            ratio(median(p.oursFirstStartCpuMs ?? []), median(p.prismaStartCpuMs ?? [])),
            ratio(median(p.oursStartCpuMs ?? []), median(p.prismaStartCpuMs ?? [])),
            ms(p.oursPeakRssMb, 0),
            ms(p.prismaPeakRssMb, 0),
            `${Math.min(...p.load).toFixed(1)}–${Math.max(...p.load).toFixed(1)}`,
          ];
        }),
      ),
    );
  }
  for (const f of all) if (f.error) out.push('', `${f.label} failed: ${f.error}`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = { load: load(), at: new Date().toISOString() };
  const all: ProjectFigures[] = [];
  let bundled: string | undefined;
  // Built once, and only when a part needs it: the editor runs the bundle, not out/.
  const bundledServer = (): string => (bundled ??= buildBundledServer());
  try {
    for (const label of options.labels) all.push(await benchProject(label, options, bundledServer));
  } finally {
    if (bundled) fs.rmSync(path.dirname(bundled), { recursive: true, force: true });
  }
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average at start ${started.load}, at end ${load()}`);
  console.log('');
  console.log(report(all));
  if (options.json) fs.writeFileSync(options.json, JSON.stringify({ started, ended: { load: load(), at: new Date().toISOString() }, node: process.version, projects: all }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
