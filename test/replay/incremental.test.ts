/**
 * What makes adding a migration cheap must not change what is read or
 * replayed: files are read again exactly when they changed on disk, and a
 * replayer forked ahead gives the same state as replaying from zero, without
 * touching the states handed out before.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProjectSession } from '../../server/src/analysis/session';
import { locateProject } from '../../server/src/project/locate';
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
    assert.deepStrictEqual(second.cache.checkpoints[0].replayer.provenance(), fromZero.cache.checkpoints[0].replayer.provenance());
    assert.deepStrictEqual(second.provenance('User.name'), fromZero.provenance('User.name'));
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

describe('session: a watcher names what changed in the migrations folder', () => {
  let root: string;
  const migrations = (): string => path.join(root, 'prisma', 'migrations');

  before(async () => {
    await loadPostgresParser();
  });

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-session-hints-'));
    fs.mkdirSync(path.join(root, 'prisma', 'migrations', '1_init'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'prisma', 'schema.prisma'),
      'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String\n}\n',
    );
    fs.writeFileSync(path.join(migrations(), '1_init', 'migration.sql'), INIT);
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  function writeSecond(column: string): string {
    fs.mkdirSync(path.join(migrations(), '2_more'), { recursive: true });
    const file = path.join(migrations(), '2_more', 'migration.sql');
    fs.writeFileSync(file, `ALTER TABLE "User" ADD COLUMN "${column}" TEXT;\n`);
    // Apart from the previous write, as a later save would be.
    const later = new Date(Date.now() + column.length * 1000);
    fs.utimesSync(file, later, later);
    return file;
  }

  /** What the migrations have that the schema has not: the column the second migration adds. */
  async function notInSchema(session: ProjectSession): Promise<string[]> {
    const analysis = await session.analyze();
    assert.ok(analysis);
    return analysis.unmigrated.map((change) => `${change.kind} ${change.table}.${'column' in change ? change.column : ''}`);
  }

  it('re-reads the folders it names and every file when it names none, and trusts its word for the rest', async () => {
    const session = new ProjectSession(locateProject(root), { deployed: 'all' });
    assert.deepStrictEqual(await notInSchema(session), []);

    const second = writeSecond('nick');
    session.invalidateMigrations(path.dirname(second)); // a new folder
    assert.deepStrictEqual(await notInSchema(session), ['dropColumn User.nick']);

    writeSecond('bio');
    session.invalidateMigrations(second); // that file changed
    assert.deepStrictEqual(await notInSchema(session), ['dropColumn User.bio']);

    writeSecond('about');
    session.invalidateMigrations(path.join(migrations(), '1_init', 'migration.sql')); // another folder: 2_more is not looked at again
    assert.deepStrictEqual(await notInSchema(session), ['dropColumn User.bio']);

    session.invalidateMigrations(); // cause unknown: every file is checked
    assert.deepStrictEqual(await notInSchema(session), ['dropColumn User.about']);

    writeSecond('website');
    session.invalidateMigrations(path.join(root, 'prisma')); // the folder holding the migrations: everything under it may have changed
    assert.deepStrictEqual(await notInSchema(session), ['dropColumn User.website']);
  });

  it('asks git again after a path-less report when commits are reported, and at every change when they are not', async () => {
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
    };
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'init');
    const watched = new ProjectSession(locateProject(root), { gitChangesReported: true });
    const unwatched = new ProjectSession(locateProject(root));
    const deployed = async (session: ProjectSession): Promise<string[]> => ((await session.analyze())?.migrations ?? []).map((m) => `${m.name}:${m.deployed}`);
    assert.deepStrictEqual(await deployed(watched), ['1_init:true']);
    assert.deepStrictEqual(await deployed(unwatched), ['1_init:true']);

    const second = writeSecond('nick');
    for (const session of [watched, unwatched]) session.invalidateMigrations(second);
    assert.deepStrictEqual(await deployed(watched), ['1_init:true', '2_more:false']);
    assert.deepStrictEqual(await deployed(unwatched), ['1_init:true', '2_more:false']);

    git('add', '-A');
    git('commit', '-q', '-m', 'more');
    // A save of the migration, no word of the commit yet: only the session that is not told of commits asks git.
    for (const session of [watched, unwatched]) session.invalidateMigrations(second);
    assert.deepStrictEqual(await deployed(watched), ['1_init:true', '2_more:false']);
    assert.deepStrictEqual(await deployed(unwatched), ['1_init:true', '2_more:true']);
    // The watcher's report of .git/refs/heads/… (a path outside the migrations).
    watched.invalidateMigrations(path.join(root, '.git', 'refs', 'heads', 'main'));
    assert.deepStrictEqual(await deployed(watched), ['1_init:true', '2_more:true']);
  });
});
