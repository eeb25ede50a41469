/**
 * The git commands started ahead (prefetchGit) answer exactly what the same
 * functions answer when they run git themselves: in a repository, at a ref that
 * does not exist, and outside git, where the step-by-step fallback runs.
 */
import * as assert from 'assert';
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

  it('in the repository, the answers are the committed migration folder and schema', async () => {
    const migrations = path.join(repository, 'prisma', 'migrations');
    const schema = path.join(repository, 'prisma', 'schema.prisma');
    const answers = await prefetchGit(migrations, schema);
    assert.deepStrictEqual(committedMigrationFolders(migrations, undefined, answers), { committedFolders: new Set(['20240101000000_init', 'migration_lock.toml']) });
    assert.deepStrictEqual(committedSchemaFiles(schema, undefined, answers), [{ path: schema, text: SCHEMA }]);
  });
});
