import * as assert from 'assert';
import * as path from 'path';
import { git, runCli, tempDir, writeFiles } from './support';

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n';
const INIT_SQL = `-- CreateTable
CREATE TABLE "Author" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Author_pkey" PRIMARY KEY ("id")
);
`;
const BIO_SQL = `-- AlterTable
ALTER TABLE "Author" ADD COLUMN "bio" TEXT NOT NULL;
`;
const MAIN_SCHEMA = `${DATASOURCE}model Author {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n`;
// Line 9: the column migration B adds; line 11: an index no migration carries yet.
const BRANCH_SCHEMA = `${DATASOURCE}model Author {\n  id   Int    @id @default(autoincrement())\n  name String\n  bio  String\n\n  @@index([name])\n}\n`;

const A = '20240101000000_init';
const B = '20240201000000_add_bio';

interface JsonOutput {
  findings: { ruleId: string; severity: string; file: string; origin?: { kind: string; migration?: string; file: string; line: number } }[];
  migrations: { name: string; deployed: boolean }[];
}

/** The schema findings' three lines each (place + message start, help, origin), message cut after the rule id. */
function schemaBlocks(stdout: string): string[] {
  const lines = stdout.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (/^api\/prisma\/schema\.prisma:|^prisma\/schema\.prisma:/.test(line)) {
      out.push(line.split(' ').slice(0, 3).join(' '), lines[i + 2]);
    }
  });
  return out;
}

describe('check --base <git-ref>: only what the branch adds is judged', function () {
  this.timeout(180000);
  let repoDir: string;
  let project: string;

  before(() => {
    // A repository whose Prisma project lives in api/: main has migration A; the branch adds migration B and schema edits.
    repoDir = tempDir('pmg-base-');
    project = path.join(repoDir, 'api');
    git(repoDir, 'init', '-q', '-b', 'main');
    writeFiles(project, {
      'prisma/schema.prisma': MAIN_SCHEMA,
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      [`prisma/migrations/${A}/migration.sql`]: INIT_SQL,
    });
    git(repoDir, 'add', '.');
    git(repoDir, 'commit', '-q', '-m', 'init');
    git(repoDir, 'checkout', '-q', '-b', 'feature');
    writeFiles(project, { 'prisma/schema.prisma': BRANCH_SCHEMA, [`prisma/migrations/${B}/migration.sql`]: BIO_SQL });
    git(repoDir, 'add', '.');
    git(repoDir, 'commit', '-q', '-m', 'bio and an index');
  });

  it('with --base main, migration B is pending: its change is named as carried by B, the unmigrated edit by its schema line', () => {
    const result = runCli(['check', project, '--base', 'main', '--fail-on', 'never']);
    assert.strictEqual(result.code, 0, result.stderr);
    assert.deepStrictEqual(schemaBlocks(result.stdout), [
      'prisma/schema.prisma:9:3 error add-required-column',
      `    carried by migration ${B} (prisma/migrations/${B}/migration.sql:2)`,
      'prisma/schema.prisma:11:3 warning create-index-blocking',
      '    introduced in prisma/schema.prisma:11 (no migration carries it yet)',
    ]);
    // Findings of the SQL rules sit in B's file itself, which names the migration.
    const sqlLines = result.stdout.split('\n').filter((line) => /^\S+\.sql:\d+:\d+ /.test(line));
    for (const line of sqlLines) assert.ok(line.startsWith(`prisma/migrations/${B}/migration.sql:`), line);
    assert.ok(
      result.stdout.trimEnd().endsWith('(1 deployed migration(s), 1 pending, 1 schema change(s) without a migration)'),
      result.stdout.trimEnd().split('\n').pop(),
    );
  });

  it('the JSON output carries the origins and which migrations count as deployed', () => {
    const result = runCli(['check', project, '--base', 'main', '--format', 'json']);
    assert.strictEqual(result.code, 1, result.stderr);
    const json = JSON.parse(result.stdout) as JsonOutput;
    assert.deepStrictEqual(json.migrations, [
      { name: A, deployed: true },
      { name: B, deployed: false },
    ]);
    assert.deepStrictEqual(
      json.findings.filter((f) => f.file === 'prisma/schema.prisma').map((f) => [f.ruleId, f.origin]),
      [
        ['add-required-column', { kind: 'migration', migration: B, file: `prisma/migrations/${B}/migration.sql`, line: 1 }],
        ['create-index-blocking', { kind: 'schema', file: 'prisma/schema.prisma', line: 10 }],
      ],
    );
  });

  it('GitHub annotations name files from the repository root, and say which migration carries the change', () => {
    const result = runCli(['check', project, '--base', 'main', '--format', 'github'], { cwd: project });
    const annotations = result.stdout.split('\n').filter((line) => line.startsWith('::') && line.includes('file=api/prisma/schema.prisma'));
    assert.deepStrictEqual(
      annotations.map((line) => [line.slice(0, line.indexOf('::', 2)), line.slice(line.lastIndexOf('%0A') + 3)]),
      [
        ['::error file=api/prisma/schema.prisma,line=9,col=3,endLine=9,endColumn=13,title=add-required-column', `Carried by migration ${B} (api/prisma/migrations/${B}/migration.sql:2).`],
        ['::warning file=api/prisma/schema.prisma,line=11,col=3,endLine=11,endColumn=17,title=create-index-blocking', 'No migration carries this change yet.'],
      ],
    );
  });

  it('without --base, HEAD counts: migration B is deployed, and the index committed without a migration is pre-existing drift, said once', () => {
    const result = runCli(['check', project, '--fail-on', 'never']);
    assert.deepStrictEqual(schemaBlocks(result.stdout), ['prisma/schema.prisma:1:1 info schema-drift', '']);
    assert.deepStrictEqual(result.stdout.trimEnd().split('\n').slice(-2), [
      '0 error(s), 0 warning(s), 1 info in 1 pending change(s) (2 deployed migration(s), 0 pending, 1 schema change(s) without a migration)',
      'pre-existing drift at HEAD: 1 change(s) between the committed migrations and the committed schema (1 index), 1 of them unsafe, not counted above: the next `prisma migrate dev` puts them into your migration (see --format json "preexisting", or the editor\'s report)',
    ]);
  });

  it('in a shallow clone without the ref: exit 2 with how to fetch it; after fetching the ref, the same result as in the full clone', () => {
    const clones = tempDir('pmg-shallow-');
    const clone = path.join(clones, 'clone');
    git(clones, 'clone', '-q', '--depth', '1', '--branch', 'feature', `file://${repoDir}`, clone);
    assert.strictEqual(git(clone, 'rev-parse', '--is-shallow-repository').trim(), 'true');
    const cloned = path.join(clone, 'api');

    for (const ref of ['main', 'origin/main']) {
      const missing = runCli(['check', cloned, '--base', ref]);
      assert.strictEqual(missing.code, 2);
      assert.strictEqual(missing.stdout, '');
      assert.strictEqual(
        missing.stderr,
        `prisma-migration-guard: cannot tell which migrations are deployed: git ref "${ref}" was not found` +
          ' (this is a shallow clone: fetch it with `git fetch --depth=1 origin main:refs/remotes/origin/main` and pass --base origin/main)\n',
      );
    }

    git(clone, 'fetch', '-q', '--depth=1', 'origin', 'main:refs/remotes/origin/main');
    const fetched = runCli(['check', cloned, '--base', 'origin/main', '--fail-on', 'never']);
    assert.strictEqual(fetched.code, 0, fetched.stderr);
    assert.deepStrictEqual(schemaBlocks(fetched.stdout), [
      'prisma/schema.prisma:9:3 error add-required-column',
      `    carried by migration ${B} (prisma/migrations/${B}/migration.sql:2)`,
      'prisma/schema.prisma:11:3 warning create-index-blocking',
      '    introduced in prisma/schema.prisma:11 (no migration carries it yet)',
    ]);
  });
});
