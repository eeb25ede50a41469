/**
 * In-process figures: the replay (cold in a fresh process, warm, and one
 * migration added to a cached replay) and the engine's per-edit work next to
 * Prisma's own `lint` of the same text.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ProjectSession } from '../server/src/analysis/session';
import { locateProject } from '../server/src/project/locate';
import { readMigrationsFolder, type ReplayCache, replayMigrations } from '../server/src/replay/migrations';
import { loadPostgresParser } from '../server/src/replay/statements';
import { neutralizeForEngine } from '../server/src/schema/neutralize';
import { knownPreviewFeatures } from '../server/src/schema/prismaWasm';
import { addMigration, type BenchProject, typingEdits } from './projects';
import { median } from './stats';

export interface ReplayFigures {
  /** Fresh process: read the folder + replay it (median of runs). */
  coldMs: number;
  coldReadMs: number;
  coldReplayMs: number;
  /** Same process, nothing cached, code warm. */
  warmMs: number;
  /** Session path after one migration folder is added: re-read the folder, replay the new one on the cached state (the `replay` stage). */
  addOneMs: number[];
  /** The whole analysis after the migration was added (replay stage, scan, map, diff, rules). */
  addOneAnalysisMs: number[];
  /** The same replay back to back with the previous one: the cached state is copied then instead of ahead. */
  addOneBackToBackMs: number[];
  /** The +1 replay stage in a git repository (deployed = committed), as the editor runs it (commits reported by the watcher). */
  addOneGitMs: number[];
}

export interface EditFigures {
  /** ProjectSession.analyze of each edited text, everything but Prisma's wasm (validate: false, as the language server runs). */
  engineMs: number[];
  /** The same, in CPU time of this process (user + system): what a busy machine does not inflate by descheduling. */
  engineCpuMs: number[];
  /** Per stage, same runs. */
  stages: Record<string, number[]>;
  /** Prisma's own `lint` (prisma-schema-wasm) of the same texts. */
  lintMs: number[];
  lintCpuMs: number[];
  /** ProjectSession.analyze with validate: true (Prisma's lint included), same texts. */
  validatedMs: number[];
}

export async function benchReplay(project: BenchProject, runs: number): Promise<ReplayFigures> {
  const script = path.join(__dirname, 'replayOnce.js');
  const cold: { readMs: number; replayMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [script, project.migrationsDir, 'postgresql'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (child.status !== 0) throw new Error(`cold replay failed: ${child.stderr}`);
    cold.push(JSON.parse(child.stdout) as { readMs: number; replayMs: number });
  }

  await loadPostgresParser();
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await replayMigrations(readMigrationsFolder(project.migrationsDir), 'postgresql');
    warm.push(performance.now() - start);
  }

  // The editor's path: a watcher reports a new folder, the session re-reads and replays only that one.
  const session = new ProjectSession(locateProject(project.dir), { deployed: 'all' });
  await session.analyze();
  const addOne: number[] = [];
  const addOneAnalysis: number[] = [];
  const backToBack: number[] = [];
  const addOneGit: number[] = [];
  const added: string[] = [];
  try {
    for (let i = 0; i < Math.max(5, runs); i++) {
      // A new migration folder comes seconds after the previous analysis (prisma migrate dev), not within the same millisecond.
      await sleep(300);
      const folder = addMigration(project, i);
      added.push(folder);
      // As the language server does with the watcher's event: only the new folder is looked at on disk.
      session.invalidateMigrations(folder);
      const start = performance.now();
      const analysis = await session.analyze();
      addOneAnalysis.push(performance.now() - start);
      addOne.push(analysis?.timings.replay ?? NaN);
    }
    // In a git repository (the default `deployed: git`): which migrations are committed is asked of git each time.
    addOneGit.push(...(await addOneInGit(project, Math.max(5, runs), added)));
    // Back to back: the replay alone, each run continuing the last one's cache at once.
    let cache: ReplayCache | undefined = (await replayMigrations(readMigrationsFolder(project.migrationsDir), 'postgresql')).cache;
    for (let i = 0; i < Math.max(5, runs); i++) {
      added.push(addMigration(project, 100 + i));
      const start = performance.now();
      cache = (await replayMigrations(readMigrationsFolder(project.migrationsDir), 'postgresql', cache)).cache;
      backToBack.push(performance.now() - start);
    }
  } finally {
    for (const folder of added) fs.rmSync(folder, { recursive: true, force: true });
  }
  return {
    coldMs: median(cold.map((c) => c.readMs + c.replayMs)),
    coldReadMs: median(cold.map((c) => c.readMs)),
    coldReplayMs: median(cold.map((c) => c.replayMs)),
    warmMs: median(warm),
    addOneMs: addOne,
    addOneAnalysisMs: addOneAnalysis,
    addOneBackToBackMs: backToBack,
    addOneGitMs: addOneGit,
  };
}

/** The project committed to a new git repository, then migrations added uncommitted (pending), as after `prisma migrate dev`. */
async function addOneInGit(project: BenchProject, count: number, added: string[]): Promise<number[]> {
  const git = (...args: string[]): void => {
    const run = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd: project.dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  };
  if (!fs.existsSync(path.join(project.dir, '.git'))) {
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'bench');
  }
  // As the language server runs it for an editor that watches files: commits are reported, so git is not asked per migration.
  const session = new ProjectSession(locateProject(project.dir), { gitChangesReported: true });
  await session.analyze();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(300);
    const folder = addMigration(project, 200 + i);
    added.push(folder);
    session.invalidateMigrations(folder);
    const analysis = await session.analyze();
    times.push(analysis?.timings.replay ?? NaN);
  }
  return times;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

interface WasmLint {
  lint(input: string): string;
}

export async function benchEdits(project: BenchProject, count: number): Promise<EditFigures> {
  await loadPostgresParser();
  const text = fs.readFileSync(project.schemaPath, 'utf8');
  const edits = typingEdits(text, count);
  const located = locateProject(project.dir);
  // As the language server runs it: no validation, the project's own `deployed` setting.
  const session = new ProjectSession(located, { validate: false });
  const validating = new ProjectSession(located, { validate: true });
  await session.analyze();
  await validating.analyze();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@prisma/prisma-schema-wasm') as WasmLint;
  const known = knownPreviewFeatures();

  const figures: EditFigures = { engineMs: [], engineCpuMs: [], stages: {}, lintMs: [], lintCpuMs: [], validatedMs: [] };
  for (const edit of edits) {
    const overrides = new Map([[project.schemaPath, edit.text]]);
    let cpu = process.cpuUsage();
    let start = performance.now();
    const analysis = await session.analyze(overrides);
    figures.engineMs.push(performance.now() - start);
    figures.engineCpuMs.push(cpuMs(cpu));
    for (const [stage, value] of Object.entries(analysis?.timings ?? {})) (figures.stages[stage] ??= []).push(value);

    // Prisma's extension lints the text as it is; ours is blanked of Prisma 5/6 datasource URLs first so the engine accepts it.
    const input = JSON.stringify(neutralizeForEngine([{ path: project.schemaPath, text: edit.text }], known).files.map((f) => [f.path, f.text]));
    cpu = process.cpuUsage();
    start = performance.now();
    wasm.lint(input);
    figures.lintMs.push(performance.now() - start);
    figures.lintCpuMs.push(cpuMs(cpu));

    start = performance.now();
    await validating.analyze(overrides);
    figures.validatedMs.push(performance.now() - start);
  }
  return figures;
}
