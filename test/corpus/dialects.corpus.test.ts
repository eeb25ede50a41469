/**
 * The corpus's MySQL and SQLite projects (umami's MySQL schema, pingvin-share
 * on SQLite) as their users see them:
 * (a) the head, outside git and committed in a fresh repository: `check`
 *     reports nothing at all (no error, warning or info);
 * (b) every pair whose history can be rebuilt from the head's folders: its
 *     migration.sql judged as the one pending migration (the migrations
 *     before it committed with before.prisma, after.prisma the edited
 *     schema), and the findings of the SQL rules on it are exactly those in
 *     expected-dialect-pair-findings.json, each with the reason it is a true
 *     statement about that SQL;
 * (c) the one claim there that says the migration fails is run on sql.js.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import initSqlJs from 'sql.js';
import { analyzeProjectDir } from '../../server/src/analysis/analyzeProject';
import { ProjectSession } from '../../server/src/analysis/session';
import { locateProject } from '../../server/src/project/locate';
import { corpusRoot } from '../support/corpus';

const corpus = corpusRoot('corpus: MySQL and SQLite projects');
const PROJECTS = ['umami-software__umami__mysql', 'stonith404__pingvin-share'];
const expected = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../test/corpus/expected-dialect-pair-findings.json'), 'utf8')) as Record<string, { findings: string[]; reason: string }>;
const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, env });
}

function headMigrations(head: string): string[] {
  const dir = path.join(head, 'migrations');
  return fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'migration.sql'))).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

interface Pair {
  name: string;
  dir: string;
  before: string[];
  migration: string;
}

/** The pairs whose migrations before all exist in the head (the others cannot be rebuilt). */
function rebuildablePairs(project: string): Pair[] {
  const names = headMigrations(path.join(project, 'head'));
  const pairsDir = path.join(project, 'pairs');
  return fs.readdirSync(pairsDir)
    .filter((p) => fs.statSync(path.join(pairsDir, p)).isDirectory())
    .sort()
    .flatMap((name) => {
      const dir = path.join(pairsDir, name);
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { missing_from_head: string[]; migration_name: string };
      const before = fs.readFileSync(path.join(dir, 'migrations_before.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
      if (meta.missing_from_head.length > 0 || before.some((n) => !names.includes(n))) return [];
      return [{ name, dir, before, migration: meta.migration_name }];
    });
}

describe('corpus: the MySQL and SQLite projects', function () {
  this.timeout(600000);
  const temporary: string[] = [];
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-dialect-corpus-'));
    temporary.push(dir);
    return dir;
  };

  before(function () {
    if (!corpus) this.skip();
  });
  after(() => {
    for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const name of PROJECTS) {
    it(`${name}: check reports nothing on the head, outside git and committed`, async () => {
      const head = path.join(corpus as string, name, 'head');
      const outside = await analyzeProjectDir(head, {});
      assert.deepStrictEqual(outside.findings.map((f) => `${f.severity} ${f.ruleId} ${f.message}`), []);
      const root = tempDir();
      fs.cpSync(head, root, { recursive: true });
      git(root, 'init', '-q');
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'head as committed');
      const committed = await new ProjectSession(locateProject(root, { schema: 'schema.prisma', migrations: 'migrations' }), { deployed: 'git' }).analyze();
      assert.ok(committed);
      assert.deepStrictEqual(committed.findings.map((f) => `${f.severity} ${f.ruleId} ${f.message}`), []);
    });

    it(`${name}: the SQL rules on each pair's migration, pending on the history before it, say exactly the recorded true statements`, async () => {
      const project = path.join(corpus as string, name);
      const head = path.join(project, 'head');
      const heard: Record<string, string[]> = {};
      const pairs = rebuildablePairs(project);
      for (const pair of pairs) {
        const root = tempDir();
        fs.mkdirSync(path.join(root, 'migrations'));
        fs.copyFileSync(path.join(head, 'migrations', 'migration_lock.toml'), path.join(root, 'migrations', 'migration_lock.toml'));
        for (const migration of pair.before) fs.cpSync(path.join(head, 'migrations', migration), path.join(root, 'migrations', migration), { recursive: true });
        fs.copyFileSync(path.join(pair.dir, 'before.prisma'), path.join(root, 'schema.prisma'));
        git(root, 'init', '-q');
        git(root, 'add', '-A');
        git(root, 'commit', '-q', '-m', 'deployed');
        fs.mkdirSync(path.join(root, 'migrations', pair.migration));
        fs.copyFileSync(path.join(pair.dir, 'migration.sql'), path.join(root, 'migrations', pair.migration, 'migration.sql'));
        fs.copyFileSync(path.join(pair.dir, 'after.prisma'), path.join(root, 'schema.prisma'));
        const analysis = await new ProjectSession(locateProject(root, { schema: 'schema.prisma', migrations: 'migrations' }), { deployed: 'git' }).analyze();
        assert.ok(analysis);
        const findings = analysis.findings
          .filter((f) => f.ruleId.startsWith('sql-'))
          .map((f) => `${f.severity} ${f.ruleId} ${path.relative(root, f.file)}:${f.range.start.line + 1}: ${f.message}`);
        if (findings.length > 0) heard[`${name}/${pair.name}`] = findings;
      }
      assert.ok(pairs.length >= 10, `${pairs.length} pairs rebuilt`);
      for (const [key, entry] of Object.entries(expected)) assert.ok(entry.reason.length > 0, `${key} says why its findings are true`);
      const recorded = Object.fromEntries(Object.entries(expected).filter(([key]) => key.startsWith(`${name}/`)).map(([key, value]) => [key, value.findings]));
      assert.deepStrictEqual(heard, recorded);
    });
  }

  it('pingvin-share config_and_admin_functionalities as first committed: the copy of a User row fails on the new required "username", as sql-sqlite-table-redefinition says (sql.js)', async () => {
    const project = path.join(corpus as string, 'stonith404__pingvin-share');
    const pair = rebuildablePairs(project).find((p) => p.name.endsWith('_config_and_admin_functionalities'));
    assert.ok(pair);
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    try {
      for (const migration of pair.before) db.exec(fs.readFileSync(path.join(project, 'head/migrations', migration, 'migration.sql'), 'utf8'));
      // One row, every required column without a default given a value.
      const required = (db.exec(`SELECT name FROM pragma_table_info('User') WHERE "notnull" = 1 AND dflt_value IS NULL`)[0]?.values ?? []).map((row) => String(row[0]));
      db.run(`INSERT INTO "User" (${required.map((c) => `"${c}"`).join(', ')}) VALUES (${required.map(() => "'x'").join(', ')})`);
      assert.throws(() => db.exec(fs.readFileSync(path.join(pair.dir, 'migration.sql'), 'utf8')), /NOT NULL constraint failed: new_User\.username/);
    } finally {
      db.close();
    }
  });
});
