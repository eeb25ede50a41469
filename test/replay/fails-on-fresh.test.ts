/**
 * Migrations PostgreSQL rejects, by class: test/fixtures/replay/fails/<class>/<ok-|err-case>/ with
 *   migrations/   a migrations folder, replayed in order;
 *   expected.json `{ notes, failing, postgres }`: every note the replay gives (level, line, message),
 *                 the migrations it says fail on a fresh database, and what the real PostgreSQL
 *                 does with each file (`null`: applies; else the SQLSTATE it rejects the file with).
 * Each case also runs on a real PostgreSQL server (Debian's, as .ci/run installs it), each
 * migration file sent as Prisma sends it (one simple-protocol query: one implicit transaction),
 * so the expectation is PostgreSQL's answer, not ours. Without a server the suite skips, saying why.
 * UPDATE_FIXTURES=1 writes the replay's part of expected.json from the current output, for review.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { readMigrationsFolder, replayMigrations } from '../../server/src/replay/migrations';
import { loadPostgresParser } from '../../server/src/replay/statements';
import { postgresBinDir, startPostgres, type PostgresServer } from '../ci/support';

const root = path.resolve(__dirname, '../../../test/fixtures/replay/fails');

interface Expected {
  notes: string[];
  failing: string[];
  /** Migration name → SQLSTATE PostgreSQL rejects it with, or null. */
  postgres: Record<string, string | null>;
  /** The SQLSTATEs of `postgres` that only versions before this major give (a rule the replay leaves to configuration). */
  postgresBefore?: number;
}

function cases(): { name: string; dir: string }[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).sort().flatMap((group) => fs.readdirSync(path.join(root, group)).sort().map((name) => ({ name: `${group}/${name}`, dir: path.join(root, group, name) })));
}

async function replayCase(dir: string): Promise<{ notes: string[]; failing: string[] }> {
  const folder = readMigrationsFolder(path.join(dir, 'migrations'));
  const replayed = await replayMigrations(folder, 'postgresql');
  const notes = replayed.notes.map((n) => `${n.level} ${n.where ? `${path.basename(path.dirname(n.where.file))}:${n.where.range.start.line + 1}` : '-'}: ${n.message}`);
  const failing = [...new Set(replayed.uncertain.filter((u) => u.fails).map((u) => u.migration))];
  return { notes, failing };
}


/** The table prisma migrate creates (if missing) before it applies migrations, as prisma-engines defines it for PostgreSQL. */
const PRISMA_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;
describe('Replay: migrations that fail on a fresh database', () => {
  before(async () => {
    await loadPostgresParser();
  });
  for (const { name, dir } of cases()) {
    it(name, async () => {
      const actual = await replayCase(dir);
      const file = path.join(dir, 'expected.json');
      const expected = JSON.parse(fs.readFileSync(file, 'utf8')) as Expected;
      if (process.env.UPDATE_FIXTURES) {
        fs.writeFileSync(file, JSON.stringify({ ...expected, ...actual }, null, 2) + '\n');
        return;
      }
      assert.deepStrictEqual(actual, { notes: expected.notes, failing: expected.failing });
      if (name.includes('/ok-')) assert.deepStrictEqual(actual.failing, [], `${name} is an ok case`);
      if (name.includes('/err-')) assert.ok(actual.failing.length > 0, `${name} is an err case`);
    });
  }
});

describe('Replay failures agree with a real PostgreSQL server', function () {
  this.timeout(180000);
  let server: PostgresServer | undefined;
  let major = 0;

  before(async function () {
    if (!postgresBinDir()) {
      console.log('      PostgreSQL is not installed (apt-get install postgresql; .ci/run does it): skipped');
      this.skip();
    }
    server = await startPostgres();
    const admin = new Client({ connectionString: server.adminUrl() });
    await admin.connect();
    major = Math.floor(Number((await admin.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0].server_version_num) / 10000);
    await admin.end();
  });

  after(() => server?.stop());

  cases().forEach(({ name, dir }, index) => {
    it(name, async () => {
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
      const database = `case_${index}`;
      const admin = new Client({ connectionString: server!.adminUrl() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const client = new Client({ connectionString: server!.adminUrl(database) });
      await client.connect();
      // As prisma migrate deploy does before the first migration: its bookkeeping table exists.
      await client.query(PRISMA_MIGRATIONS_TABLE);
      const outcome: Record<string, string | null> = {};
      try {
        for (const migration of readMigrationsFolder(path.join(dir, 'migrations')).migrations) {
          try {
            // No parameters: node-postgres sends the text as one simple query, as Prisma's schema engine does.
            await client.query(migration.sql);
            outcome[migration.name] = null;
          } catch (error) {
            outcome[migration.name] = (error as { code?: string }).code ?? 'unknown';
            await client.query('ROLLBACK').catch(() => undefined);
          }
        }
      } finally {
        await client.end();
      }
      const wanted = Object.fromEntries(Object.entries(expected.postgres).map(([m, code]) => [m, expected.postgresBefore !== undefined && major >= expected.postgresBefore ? null : code]));
      assert.deepStrictEqual(outcome, wanted);
      // The replay never says a migration fails that PostgreSQL applies.
      for (const migration of expected.failing) assert.notStrictEqual(outcome[migration], null, `the replay says ${migration} fails, PostgreSQL ${major} applies it`);
    });
  });
});
