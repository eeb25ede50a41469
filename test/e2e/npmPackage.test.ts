/**
 * The npm door: `npm pack` makes a package whose bin runs in a fresh project.
 * The tarball is installed into a temp project from the local npm cache (the
 * dependencies are there since `npm ci`; whatever the cache lacks, npm fetches),
 * then `npx prisma-migration-guard check` runs there, as a user would run it.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** The environment without the npm_* variables of an enclosing `npm test`, which would reconfigure the inner npm. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

function filesUnder(dir: string, accept: (file: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (accept(full)) out.push(path.relative(repo, full).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Author {
  id   Int    @id @default(autoincrement())
  name String
  bio  String
}
`;
const INIT_SQL = 'CREATE TABLE "Author" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Author_pkey" PRIMARY KEY ("id"));\n';

describe('npm package: npm pack, installed into a fresh project, npx prisma-migration-guard check', function () {
  this.timeout(600000);
  let work: string;
  let packed: { filename: string; size: number; entryCount: number; files: { path: string }[] };
  let project: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pmg-npm-'));
    // --ignore-scripts: `prepack` would build, and the test run has just built out/.
    const json = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo, encoding: 'utf8', env: cleanEnv() });
    packed = (JSON.parse(json) as (typeof packed)[])[0];
    project = path.join(work, 'project');
    fs.mkdirSync(path.join(project, 'prisma', 'migrations', '20240101000000_init'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'demo-shop', version: '1.0.0', private: true }, null, 2));
    fs.writeFileSync(path.join(project, 'prisma', 'schema.prisma'), SCHEMA);
    fs.writeFileSync(path.join(project, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
    fs.writeFileSync(path.join(project, 'prisma', 'migrations', '20240101000000_init', 'migration.sql'), INIT_SQL);
    const install = spawnSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, packed.filename)], { cwd: project, encoding: 'utf8', env: cleanEnv() });
    assert.strictEqual(install.status, 0, `npm install of the tarball failed:\n${install.stdout}\n${install.stderr}`);
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('holds exactly the compiled CLI and server, the rule pages, package.json and README: no tests, fixtures, corpus, client or e2e tools', () => {
    const expected = [
      'README.md',
      'package.json',
      ...filesUnder(path.join(repo, 'docs', 'rules'), (f) => f.endsWith('.md')),
      ...filesUnder(path.join(repo, 'out', 'server', 'src'), (f) => f.endsWith('.js')),
    ].sort();
    assert.deepStrictEqual(packed.files.map((f) => f.path).sort(), expected);
    assert.ok(expected.includes('out/server/src/cli.js') && expected.includes('out/server/src/lsp/lockTraceWorker.js'));
    console.log(`      npm package: ${packed.filename}, ${(packed.size / 1024).toFixed(0)} kB packed, ${packed.entryCount} files`);
  });

  it('npx prisma-migration-guard check, in the fresh project, reports the unsafe change and exits 1', () => {
    const result = spawnSync(npx, ['--no-install', 'prisma-migration-guard', 'check'], { cwd: project, encoding: 'utf8', env: cleanEnv() });
    assert.strictEqual(result.stderr, '');
    assert.strictEqual(
      result.stdout,
      [
        'prisma/schema.prisma:9:3 error add-required-column Required column `Author.bio` added to `Author` without a database default: the migration fails if the table has rows, and running code inserts rows without it.',
        '    help: Add it as optional (`?`), backfill existing rows in batches, then make it required — or give it a constant `@default(...)`.',
        '    introduced in prisma/schema.prisma:9 (no migration carries it yet)',
        'note: Not in a git repository: all 1 migration(s) count as deployed.',
        '',
        '1 error(s), 0 warning(s), 0 info in 1 pending change(s) (1 deployed migration(s), 0 pending, 1 schema change(s) without a migration)',
        '',
      ].join('\n'),
    );
    assert.strictEqual(result.status, 1);
  });

  it('the installed package links each finding to its rule page, which it ships', () => {
    const result = spawnSync(npx, ['--no-install', 'prisma-migration-guard', 'check', '--format', 'json'], { cwd: project, encoding: 'utf8', env: cleanEnv() });
    const docs = (JSON.parse(result.stdout) as { findings: { docs: string }[] }).findings.map((f) => f.docs);
    assert.deepStrictEqual(docs, ['docs/rules/add-required-column.md']);
    assert.ok(fs.existsSync(path.join(project, 'node_modules', 'prisma-migration-guard', docs[0])));
  });
});
