/**
 * Run by the benchmark in a fresh process: a cold replay of one migrations
 * folder (nothing compiled or cached yet), printed as JSON on stdout.
 * Usage: node replayOnce.js <migrations-dir> <provider>
 */
import type { Provider } from '../server/src/core/dbState';
import { readMigrationsFolder, replayMigrations } from '../server/src/replay/migrations';
import { loadPostgresParser } from '../server/src/replay/statements';

async function main(): Promise<void> {
  const [dir, provider] = process.argv.slice(2);
  const t0 = performance.now();
  await loadPostgresParser();
  const t1 = performance.now();
  const folder = readMigrationsFolder(dir);
  const t2 = performance.now();
  const outcome = await replayMigrations(folder, (provider ?? 'postgresql') as Provider);
  const t3 = performance.now();
  process.stdout.write(
    JSON.stringify({ parserMs: t1 - t0, readMs: t2 - t1, replayMs: t3 - t2, tables: Object.keys(outcome.state.tables).length, migrations: folder.migrations.length }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
