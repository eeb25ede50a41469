import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'out/server/src/cli.js');

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  help: string;
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

interface JsonNote {
  level: string;
  message: string;
  file?: string;
  range?: JsonFinding['range'];
}

interface JsonOutput {
  findings: JsonFinding[];
  changes: { kind: string; table: string; column?: string }[];
  notes: JsonNote[];
  migrations: { name: string; deployed: boolean }[];
}

function check(dir: string, ...args: string[]): { code: number | null; stdout: string; stderr: string; json?: JsonOutput } {
  const result = spawnSync(process.execPath, [cli, 'check', dir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120000 });
  let json: JsonOutput | undefined;
  if (args.includes('json')) {
    try {
      json = JSON.parse(result.stdout) as JsonOutput;
    } catch {
      json = undefined;
    }
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

function brief(findings: JsonFinding[]): string[] {
  return findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character} ${f.severity} ${f.ruleId}`);
}

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n';
const INIT_SQL = `-- CreateTable
CREATE TABLE "Author" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Author_pkey" PRIMARY KEY ("id")
);
`;
const AUTHOR = 'model Author {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n';

/** A project outside git (all migrations count as deployed) with the given migration folders. */
function makeProject(schema: string, migrations: Record<string, string> | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmg-cli-'));
  fs.mkdirSync(path.join(dir, 'prisma'));
  fs.writeFileSync(path.join(dir, 'prisma', 'schema.prisma'), schema);
  if (migrations) {
    const root = path.join(dir, 'prisma', 'migrations');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'migration_lock.toml'), 'provider = "postgresql"\n');
    for (const [name, sql] of Object.entries(migrations)) {
      fs.mkdirSync(path.join(root, name));
      fs.writeFileSync(path.join(root, name, 'migration.sql'), sql);
    }
  }
  return dir;
}

describe('check on the bundled example (examples/shop)', () => {
  it('reports every unsafe pending change with its range, message and help', () => {
    const result = check(path.join(repo, 'examples/shop'), '--format', 'json');
    assert.strictEqual(result.code, 1, result.stderr);
    const expected = JSON.parse(fs.readFileSync(path.join(repo, 'test/cli/expected-shop-findings.json'), 'utf8')) as JsonFinding[];
    assert.deepStrictEqual(
      result.json?.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, file: f.file, range: f.range, message: f.message, help: f.help })),
      expected,
    );
    assert.deepStrictEqual(result.json?.notes, []);
  });

  it('prints compiler-style text with a summary and exits 0 with --fail-on never', () => {
    const result = check(path.join(repo, 'examples/shop'), '--fail-on', 'never');
    assert.strictEqual(result.code, 0);
    const lines = result.stdout.trim().split('\n');
    assert.strictEqual(lines[0].startsWith('prisma/schema.prisma:13:6 error remove-enum-value Enum value `CANCELLED` removed from `OrderStatus`'), true, lines[0]);
    assert.strictEqual(lines[1].startsWith('    help: '), true);
    assert.strictEqual(
      lines[lines.length - 1],
      '5 error(s), 5 warning(s), 0 info in 10 pending change(s) (3 deployed migration(s), 0 pending, 10 schema change(s) without a migration)',
    );
  });

  it('fails on warnings with --fail-on warning only when there are some', () => {
    const dir = makeProject(DATASOURCE + AUTHOR.replace('  name String\n', '  name String\n\n  @@index([name])\n'), { '20240101000000_init': INIT_SQL });
    assert.strictEqual(check(dir, '--fail-on', 'warning').code, 1);
    assert.strictEqual(check(dir).code, 0);
  });
});

describe('check on bad input: clear notes, no crash, the rest still analysed', () => {
  it('a schema Prisma rejects (a half-typed model): exit 2, the validator\'s messages with file:line first, no findings', () => {
    const schema = DATASOURCE + AUTHOR.replace('  name String\n', '  name String\n  bio  String\n') + '\nmodel Draft {\n  id Int @id @default(\n';
    const dir = makeProject(schema, { '20240101000000_init': INIT_SQL });
    const text = check(dir);
    assert.strictEqual(text.code, 2);
    assert.strictEqual(text.stdout, '');
    assert.strictEqual(
      text.stderr,
      'prisma-migration-guard: Prisma cannot read the schema (2 validation error(s)); fix them first — findings on a schema Prisma rejects would be guesses, so none are reported.\n' +
        'prisma/schema.prisma:12:1 error Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n' +
        'prisma/schema.prisma:13:3 error Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n',
    );
    // In a workflow the same errors annotate the schema lines (paths from the git root; outside git, from the working folder).
    const github = spawnSync(process.execPath, [cli, 'check', '.', '--format', 'github'], { cwd: dir, encoding: 'utf8', timeout: 120000 });
    assert.strictEqual(github.status, 2);
    assert.strictEqual(
      github.stdout,
      '::error file=prisma/schema.prisma,line=12,title=Prisma schema validation::Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n' +
        '::error file=prisma/schema.prisma,line=13,title=Prisma schema validation::Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n',
    );
  });

  it('the settings of older Prisma versions (url = env(...), directUrl, unknown preview features) are not validation errors', () => {
    const datasource = 'generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["metrics", "fullTextIndex"]\n}\n\n' + DATASOURCE.replace('  url      = env("DATABASE_URL")\n', '  url       = env("DATABASE_URL")\n  directUrl = env("DIRECT_URL")\n');
    const result = check(makeProject(datasource + AUTHOR, { '20240101000000_init': INIT_SQL }), '--format', 'json');
    assert.strictEqual(result.code, 0, result.stderr);
    assert.deepStrictEqual(result.json?.changes, []);
    assert.deepStrictEqual(result.json?.findings, []);
  });

  it('invalid SQL in a migration: a note with the line, and the statements after it still applied', () => {
    const sql = `${INIT_SQL}\nTHIS IS NOT SQL;\n\n-- AlterTable\nALTER TABLE "Author" ADD COLUMN "bio" TEXT;\n`;
    const schema = DATASOURCE + AUTHOR.replace('  name String\n', '  name String\n  bio  String?\n');
    const result = check(makeProject(schema, { '20240101000000_init': sql }), '--format', 'json');
    assert.strictEqual(result.code, 0);
    assert.deepStrictEqual(result.json?.changes, []);
    const sqlNotes = result.json?.notes.filter((n) => n.file === 'prisma/migrations/20240101000000_init/migration.sql') ?? [];
    assert.strictEqual(sqlNotes.length, 1, JSON.stringify(result.json?.notes));
    assert.strictEqual(sqlNotes[0].range?.start.line, 8);
    assert.match(sqlNotes[0].message, /^Line 9: PostgreSQL cannot parse this statement/);
  });

  it('a file where a migration folder should be, and an empty migration: noted, the rest replayed', () => {
    const dir = makeProject(DATASOURCE + AUTHOR, { '20240101000000_init': INIT_SQL, '20240102000000_nothing': '' });
    fs.writeFileSync(path.join(dir, 'prisma', 'migrations', 'notes.txt'), 'not a migration');
    const result = check(dir, '--format', 'json');
    assert.strictEqual(result.code, 0);
    assert.deepStrictEqual(result.json?.changes, []);
    const messages = (result.json?.notes ?? []).map((n) => `${n.level} ${n.file ?? ''}`);
    assert.ok(messages.some((m) => m.endsWith('prisma/migrations/notes.txt')), messages.join('\n'));
    assert.ok(messages.some((m) => m.endsWith('prisma/migrations/20240102000000_nothing/migration.sql')), messages.join('\n'));
  });

  it('a missing migrations folder: every model is a change without a migration, and the run says so', () => {
    const result = check(makeProject(DATASOURCE + AUTHOR, null), '--format', 'json');
    assert.strictEqual(result.code, 0);
    assert.deepStrictEqual(result.json?.changes.map((c) => `${c.kind} ${c.table}`), ['addTable Author']);
    assert.deepStrictEqual(brief(result.json?.findings ?? []), ['prisma/schema.prisma:5:6-5:12 warning schema-drift']);
    assert.ok(result.json?.notes.some((n) => /migrations/i.test(n.message)), JSON.stringify(result.json?.notes));
  });

  it('a 5 MB schema is analysed without crashing', () => {
    const models: string[] = [];
    for (let i = 0; models.join('').length < 5 * 1024 * 1024; i++) {
      models.push(`model M${i} {\n  id Int @id\n${Array.from({ length: 40 }, (_, f) => `  field${f} String? // ${'x'.repeat(60)}\n`).join('')}}\n\n`);
    }
    const result = check(makeProject(DATASOURCE + AUTHOR + models.join(''), { '20240101000000_init': INIT_SQL }), '--format', 'json');
    assert.strictEqual(result.code, 0, result.stderr.slice(0, 500));
    assert.strictEqual(result.json?.changes.filter((c) => c.kind === 'addTable').length, models.length);
  });

  it('an unknown git ref for --base exits 2 and says why', () => {
    const dir = makeProject(DATASOURCE + AUTHOR, { '20240101000000_init': INIT_SQL });
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const result = check(dir, '--base', 'origin/does-not-exist');
    assert.strictEqual(result.code, 2);
    assert.match(result.stderr, /does-not-exist/);
  });

  it('a folder without a schema exits 2 and says where it looked', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmg-empty-'));
    const result = check(dir);
    assert.strictEqual(result.code, 2);
    assert.match(result.stderr, /no Prisma schema found/);
  });
});
