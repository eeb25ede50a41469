/**
 * `node out/bench/compare.js before.json after.json`: the figures of two
 * benchmark runs (`npm run bench -- --json FILE`) side by side, as Markdown
 * tables, one per target of docs/performance.md.
 */
import * as fs from 'fs';
import type { EditFigures, ReplayFigures } from './engineBench';
import type { LspFigures } from './lspBench';
import { median, percentile } from './stats';

interface ProjectFigures {
  label: string;
  models: number;
  migrations: number;
  lines: number;
  replay?: ReplayFigures;
  edits?: EditFigures;
  lsp?: LspFigures;
}

interface Run {
  started: { load: string; at: string };
  ended: { load: string; at: string };
  projects: ProjectFigures[];
}

function load(file: string): Run {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Run;
}

const fixed = (value: number | undefined, digits = 1): string => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function tableOf(title: string, header: string[], rows: string[][]): string {
  return [`**${title}**`, '', row(header), row(header.map(() => '---')), ...rows.map(row), ''].join('\n');
}

function main(): void {
  const [beforeFile, afterFile] = process.argv.slice(2);
  const before = load(beforeFile);
  const after = load(afterFile);
  const pair = (label: string): [ProjectFigures | undefined, ProjectFigures | undefined] => [
    before.projects.find((p) => p.label === label),
    after.projects.find((p) => p.label === label),
  ];
  const labels = after.projects.map((p) => p.label);
  const out: string[] = [];
  out.push(`Load average (1, 5, 15 min): before ${before.started.load} → ${before.ended.load}; after ${after.started.load} → ${after.ended.load}.`, '');

  out.push(
    tableOf(
      'Per edit, in process (ms): engine = ProjectSession.analyze without validation; lint = prisma-schema-wasm `lint` of the same text',
      ['project', 'lines', 'engine p50', 'engine cpu p50', 'lint p50', 'ratio (p50)', 'engine + lint p95'],
      labels.map((label) => {
        const [b, a] = pair(label);
        const cell = (f: (e: EditFigures) => number, digits = 2): string => `${fixed(b?.edits && f(b.edits), digits)} → ${fixed(a?.edits && f(a.edits), digits)}`;
        return [
          label,
          String(a?.lines ?? ''),
          cell((e) => median(e.engineMs)),
          cell((e) => median(e.engineCpuMs)),
          cell((e) => median(e.lintMs)),
          cell((e) => median(e.engineMs) / median(e.lintMs), 3),
          cell((e) => percentile(e.validatedMs, 95), 1),
        ];
      }),
    ),
  );

  out.push(
    tableOf(
      'Language server over stdio (ms): didChange → publishDiagnostics, debounce 0',
      ['project', 'cold start', 'edit p50', 'edit p95', 'server cpu p50', 'server cpu p95', 'burst 1 ms: analyses / settle', 'typed p95 (default debounce)'],
      labels.map((label) => {
        const [b, a] = pair(label);
        const cell = (f: (l: LspFigures) => number, digits = 1): string => `${fixed(b?.lsp && f(b.lsp), digits)} → ${fixed(a?.lsp && f(a.lsp), digits)}`;
        const burst = (l: LspFigures | undefined): string => {
          const fast = l?.bursts?.find((x) => x.intervalMs === 1);
          return fast ? `${fast.analyses} / ${fixed(fast.settleMs)}` : 'n/a';
        };
        return [
          label,
          cell((l) => l.coldStartMs, 0),
          cell((l) => median(l.editMs)),
          cell((l) => percentile(l.editMs, 95)),
          cell((l) => median(l.editCpuMs)),
          cell((l) => percentile(l.editCpuMs, 95)),
          `${burst(b?.lsp)} → ${burst(a?.lsp)}`,
          cell((l) => (l.defaultDebounceEditMs ? percentile(l.defaultDebounceEditMs, 95) : NaN)),
        ];
      }),
    ),
  );

  out.push(
    tableOf(
      'Replay (ms): cold = read + replay in a fresh process; +1 = replay stage of the analysis after one migration folder is added',
      ['project', 'migrations', 'cold', '+1 p50', '+1 max', '+1 whole analysis', '+1 back to back', '+1 in git'],
      labels.map((label) => {
        const [b, a] = pair(label);
        const cell = (f: (r: ReplayFigures) => number, digits = 1): string => `${fixed(b?.replay && f(b.replay), digits)} → ${fixed(a?.replay && f(a.replay), digits)}`;
        return [
          label,
          String(a?.migrations ?? ''),
          cell((r) => r.coldMs, 0),
          cell((r) => median(r.addOneMs)),
          cell((r) => Math.max(...r.addOneMs)),
          cell((r) => median(r.addOneAnalysisMs)),
          cell((r) => median(r.addOneBackToBackMs)),
          cell((r) => (r.addOneGitMs ? median(r.addOneGitMs) : NaN)),
        ];
      }),
    ),
  );

  out.push(
    tableOf(
      'Server RSS (MB)',
      ['project', 'after first diagnostics', 'after 200 edits', 'peak'],
      labels.map((label) => {
        const [b, a] = pair(label);
        const cell = (f: (l: LspFigures) => number): string => `${fixed(b?.lsp && f(b.lsp), 0)} → ${fixed(a?.lsp && f(a.lsp), 0)}`;
        return [label, cell((l) => l.peakRssAtStartMb), cell((l) => l.peakRssAfterEditsMb), cell((l) => l.peakRssMb)];
      }),
    ),
  );
  console.log(out.join('\n'));
}

main();
