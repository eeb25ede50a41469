/**
 * The git commands started ahead (prefetchGit) answer exactly what the same
 * functions answer when they run git themselves: in a repository, at a ref that
 * does not exist, and outside git, where the step-by-step fallback runs.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { committedMigrationFolders, committedSchemaFiles, prefetchGit } from '../../server/src/project/git';
import { driftingRepository, SCHEMA } from '../support/driftingProject';

describe('git commands started ahead', function () {
  this.timeout(30000);
  let repository: string;
  let outside: string;

  before(() => {
    repository = driftingRepository(fs.mkdtempSync(path.join(os.tmpdir(), 'mg-git-ahead-')));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-git-outside-'));
    fs.mkdirSync(path.join(outside, 'prisma', 'migrations', '20240101000000_init'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'prisma', 'schema.prisma'), SCHEMA);
  });

  after(() => {
    fs.rmSync(repository, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const cases: { name: string; root: () => string; ref?: string }[] = [
    { name: 'a repository, at HEAD', root: () => repository },
    { name: 'a repository, at a ref it does not have', root: () => repository, ref: 'origin/nowhere' },
    { name: 'outside git', root: () => outside },
  ];
  for (const { name, root, ref } of cases) {
    it(`${name}: the same folders and schema as without them`, async () => {
      const migrations = path.join(root(), 'prisma', 'migrations');
      const schema = path.join(root(), 'prisma', 'schema.prisma');
      const answers = await prefetchGit(migrations, schema, ref);
      assert.deepStrictEqual(committedMigrationFolders(migrations, ref, answers), committedMigrationFolders(migrations, ref));
      assert.deepStrictEqual(committedSchemaFiles(schema, ref, answers), committedSchemaFiles(schema, ref));
    });
  }

  it('outside a work tree, git is not started: the answer is known (a git on PATH that logs each call sees none)', () => {
    // A real git behind a wrapper that records its arguments: the spawns are counted, git still answers.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-git-spy-'));
    const log = path.join(bin, 'calls.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
    try {
      const migrationsOutside = path.join(outside, 'prisma', 'migrations');
      assert.deepStrictEqual(committedMigrationFolders(migrationsOutside), { problem: 'not a git repository' });
      assert.strictEqual(committedSchemaFiles(path.join(outside, 'prisma', 'schema.prisma')), undefined);
      assert.strictEqual(fs.existsSync(log), false);
      // The wrapper does run where there is a repository: the count above can fail.
      assert.deepStrictEqual(committedMigrationFolders(path.join(repository, 'prisma', 'migrations')), { committedFolders: new Set(['20240101000000_init', 'migration_lock.toml']) });
      assert.deepStrictEqual(fs.readFileSync(log, 'utf8').split('\n'), ['ls-tree --name-only -z HEAD', '']);
    } finally {
      process.env.PATH = savedPath;
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('in the repository, the answers are the committed migration folder and schema', async () => {
    const migrations = path.join(repository, 'prisma', 'migrations');
    const schema = path.join(repository, 'prisma', 'schema.prisma');
    const answers = await prefetchGit(migrations, schema);
    assert.deepStrictEqual(committedMigrationFolders(migrations, undefined, answers), { committedFolders: new Set(['20240101000000_init', 'migration_lock.toml']) });
    assert.deepStrictEqual(committedSchemaFiles(schema, undefined, answers), [{ path: schema, text: SCHEMA }]);
  });
});
