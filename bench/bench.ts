/**
 * `npm run bench`: prints speed and memory figures for the check on generated
 * projects. Never part of the test suite, never fails on a slow machine: it
 * measures and reports.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProjectSession } from '../server/src/analysis/session';
import { locateProject } from '../server/src/project/locate';
import { readMigrationsFolder, replayMigrations } from '../server/src/replay/migrations';
import { loadPostgresParser } from '../server/src/replay/statements';
import { generateProject, type ProjectSize } from './generate';

const SIZES: Record<string, ProjectSize> = {
  small: { models: 20, fields: 10, migrations: 30 },
  large: { models: 300, fields: 15, migrations: 800 },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function benchSize(label: string, size: ProjectSize): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pmg-bench-${label}-`));
  const schemaPath = generateProject(dir, size);
  const rows: string[] = [];
  try {
    // Cold: a fresh process running the CLI, as CI would.
    const cli = path.resolve(__dirname, '../server/src/cli.js');
    const coldStart = performance.now();
    const cold = spawnSync(process.execPath, [cli, 'check', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const coldMs = performance.now() - coldStart;
    const coldOk = cold.status === 0 || cold.status === 1;
    const rss = measurePeakRss(cli, dir);

    await loadPostgresParser();
    const folder = readMigrationsFolder(path.join(dir, 'prisma', 'migrations'));
    const replayStart = performance.now();
    const replayed = await replayMigrations(folder, 'postgresql');
    const replayMs = performance.now() - replayStart;

    // One migration added on top of the cached replay.
    const extra = path.join(dir, 'prisma', 'migrations', '29990101000000_one_more');
    fs.mkdirSync(extra);
    fs.writeFileSync(path.join(extra, 'migration.sql'), '-- AlterTable\nALTER TABLE "Model0000" ADD COLUMN     "extra" TEXT;\n');
    const incrementalStart = performance.now();
    await replayMigrations(readMigrationsFolder(path.join(dir, 'prisma', 'migrations')), 'postgresql', replayed.cache);
    const incrementalMs = performance.now() - incrementalStart;
    fs.rmSync(extra, { recursive: true });

    // Re-analysis after a one-line edit, migrations cached (the editor's path).
    const session = new ProjectSession(locateProject(dir), { deployed: 'all' });
    await session.analyze();
    const text = fs.readFileSync(schemaPath, 'utf8');
    const edits: number[] = [];
    for (let i = 0; i < 30; i++) {
      const edited = text.replace('  field0    String?', `  field0    String?\n  added${i}    String?`);
      const start = performance.now();
      await session.analyze(new Map([[schemaPath, edited]]));
      edits.push(performance.now() - start);
    }
    const lines = text.split('\n').length;
    rows.push(
      `${label.padEnd(6)} ${String(size.models).padStart(6)} ${String(size.migrations).padStart(10)} ${String(lines).padStart(7)} ` +
        `${coldOk ? coldMs.toFixed(0).padStart(8) : '  failed'} ${replayMs.toFixed(0).padStart(9)} ${incrementalMs.toFixed(1).padStart(9)} ` +
        `${median(edits).toFixed(1).padStart(9)} ${percentile(edits, 95).toFixed(1).padStart(8)} ${rss.padStart(9)}`,
    );
    if (!coldOk) rows.push(`  cold run failed: ${cold.stderr.slice(0, 300)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Peak RSS of a CLI run, reported by the process itself through a preloaded hook. */
function measurePeakRss(cli: string, dir: string): string {
  const file = path.join(os.tmpdir(), `pmg-rss-${process.pid}`);
  const reporter = path.resolve(__dirname, '../../bench/rss-reporter.js');
  spawnSync(process.execPath, ['-r', reporter, cli, 'check', dir, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PMG_RSS_FILE: file },
  });
  if (!fs.existsSync(file)) return 'n/a';
  const kb = Number(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file);
  return `${(kb / 1024).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const labels = wanted.length ? wanted : Object.keys(SIZES);
  console.log('size   models migrations   lines  cold ms replay ms  +1 mig ms  edit p50  edit p95  peak RSS');
  for (const label of labels) {
    const size = SIZES[label];
    if (!size) {
      console.log(`unknown size ${label}`);
      continue;
    }
    for (const row of await benchSize(label, size)) console.log(row);
  }
  console.log('\ncold = `check --format json` in a new process; replay = all migrations, in process; +1 mig = one migration added to a cached replay;');
  console.log('edit = re-analysis after a one-line schema edit with the replay cached (scan, map, diff, rules); peak RSS of the cold run.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
