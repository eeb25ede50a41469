/**
 * What makes adding a migration cheap must not change what is read or
 * replayed: files are read again exactly when they changed on disk, and a
 * replayer forked ahead gives the same state as replaying from zero, without
 * touching the states handed out before.
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { prepareSpareReplayer, readMigrationsFolder, replayMigrations } from '../../server/src/replay/migrations';
import { loadPostgresParser } from '../../server/src/replay/statements';

const INIT = 'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n';

function sha256(text: string): string {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

describe('replay: incremental reading and replay', () => {
  let dir: string;

  before(async () => {
    await loadPostgresParser();
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-replay-inc-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, sql: string): string {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    const file = path.join(dir, name, 'migration.sql');
    fs.writeFileSync(file, sql);
    return file;
  }

  it('reads a file again when it changed in place, even to the same size', () => {
    const file = write('1_init', 'SELECT 1;\n');
    const first = readMigrationsFolder(dir);
    assert.strictEqual(first.migrations[0].hash, sha256('SELECT 1;\n'));
    // Same length, new content, modification time set apart so the stat differs as it would a moment later.
    fs.writeFileSync(file, 'SELECT 2;\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    const second = readMigrationsFolder(dir);
    assert.strictEqual(second.migrations[0].sql, 'SELECT 2;\n');
    assert.strictEqual(second.migrations[0].hash, sha256('SELECT 2;\n'));
  });

  it('sees folders added, removed and emptied between reads', () => {
    write('1_init', INIT);
    readMigrationsFolder(dir);
    write('2_more', 'ALTER TABLE "User" ADD COLUMN "name" TEXT;\n');
    assert.deepStrictEqual(readMigrationsFolder(dir).migrations.map((m) => m.name), ['1_init', '2_more']);
    fs.rmSync(path.join(dir, '1_init'), { recursive: true });
    const third = readMigrationsFolder(dir);
    assert.deepStrictEqual(third.migrations.map((m) => m.name), ['2_more']);
    fs.writeFileSync(path.join(dir, '2_more', 'migration.sql'), '   \n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, '2_more', 'migration.sql'), later, later);
    assert.deepStrictEqual(
      readMigrationsFolder(dir).notes.map((n) => n.message),
      ['2_more/migration.sql is empty: Prisma applies it as a no-op.'],
    );
  });

  it('continues from a replayer forked ahead exactly as from zero, leaving earlier states alone', async () => {
    write('1_init', INIT);
    const first = await replayMigrations(readMigrationsFolder(dir), 'postgresql');
    const before = JSON.stringify(first.state);
    prepareSpareReplayer(first.cache);
    assert.ok(first.cache.checkpoints[0].spare, 'a spare replayer is ready');

    write('2_more', 'ALTER TABLE "User" ADD COLUMN "name" TEXT;\n');
    const second = await replayMigrations(readMigrationsFolder(dir), 'postgresql', first.cache);
    assert.strictEqual(second.applied, 1);
    assert.strictEqual(second.appliedFromCache, 1);
    const fromZero = await replayMigrations(readMigrationsFolder(dir), 'postgresql');
    assert.deepStrictEqual(second.state, fromZero.state);
    assert.deepStrictEqual(second.provenance, fromZero.provenance);
    // The state of the first replay is still what it was: the spare was a copy.
    assert.strictEqual(JSON.stringify(first.state), before);

    // The checkpoint the spare came from is kept: editing the new migration replays from it.
    fs.writeFileSync(path.join(dir, '2_more', 'migration.sql'), 'ALTER TABLE "User" ADD COLUMN "nick" TEXT;\n');
    const third = await replayMigrations(readMigrationsFolder(dir), 'postgresql', second.cache);
    assert.strictEqual(third.appliedFromCache, 1);
    assert.deepStrictEqual(
      third.state.tables.User.columns.map((c) => c.name),
      ['id', 'email', 'nick'],
    );
  });
});
