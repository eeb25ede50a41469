import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { ProjectAnalysis } from '../../server/src/analysis/types';
import { command, escapeData, escapeProperty, formatGithub } from '../../server/src/cli/formatGithub';
import type { Finding } from '../../server/src/rules/types';
import { repo, runCli, tempDir, writeFiles } from './support';

const shop = path.join(repo, 'examples/shop');

describe('check --format github', () => {
  it('prints exactly one annotation per finding for examples/shop, paths from the repository root', () => {
    const result = runCli(['check', shop, '--format', 'github'], { cwd: path.join(repo, 'examples') });
    assert.strictEqual(result.code, 1, result.stderr);
    const expected = fs.readFileSync(path.join(repo, 'test/ci/expected-shop-github.txt'), 'utf8');
    assert.deepStrictEqual(result.stdout.split('\n'), expected.split('\n'));
    assert.strictEqual(result.stdout.split('\n').filter((line) => line.startsWith('::')).length, 10);
  });

  it('escapes % CR LF in messages, and , : as well in properties, the way GitHub decodes them', () => {
    assert.strictEqual(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b');
    assert.strictEqual(escapeProperty('dir,a:b/100%\nx'), 'dir%2Ca%3Ab/100%25%0Ax');
    assert.strictEqual(
      command('warning', [['file', 'a,b/c:d.prisma'], ['line', 3], ['title', 'rule-id']], 'Line one: 50%\nline two'),
      '::warning file=a%2Cb/c%3Ad.prisma,line=3,title=rule-id::Line one: 50%25%0Aline two',
    );
    assert.strictEqual(command('info', [['file', 'x'], ['line', 1]], 'm'), '::notice file=x,line=1::m');
  });

  it('outside git, paths are relative to the working folder', () => {
    const dir = tempDir('pmg-github-');
    writeFiles(dir, {
      'svc/prisma/schema.prisma':
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel Author {\n  id   Int    @id @default(autoincrement())\n  name String\n  bio  String\n}\n',
      'svc/prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'svc/prisma/migrations/20240101000000_init/migration.sql':
        'CREATE TABLE "Author" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Author_pkey" PRIMARY KEY ("id"));\n',
    });
    const result = runCli(['check', 'svc', '--format', 'github'], { cwd: dir });
    assert.strictEqual(result.code, 1, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.strictEqual(lines[0].startsWith('::error file=svc/prisma/schema.prisma,line=9,col=3,endLine=9,endColumn=13,title=add-required-column::Required column `Author.bio`'), true, lines[0]);
    assert.strictEqual(lines[lines.length - 1], 'prisma-migration-guard: 1 error(s), 0 warning(s), 0 info in svc');
    assert.ok(lines.includes('info: Not in a git repository: all 1 migration(s) count as deployed.'), lines.join('\n'));
  });

  it('columns only on one-line ranges (GitHub ignores them otherwise); a message with commas, colons and newlines stays one command', () => {
    const root = tempDir('pmg-github-unit-');
    const finding = (line: number, endLine: number, message: string): Finding => ({
      ruleId: 'sql-drop-table',
      severity: 'warning',
      message,
      help: 'Keep it, 100%.',
      file: path.join(root, 'prisma/migrations/1_x/migration.sql'),
      range: { start: { line, character: 0 }, end: { line: endLine, character: 4 } },
      statement: { migration: '1_x', kind: 'DropStmt', text: 'DROP TABLE "A"' },
      related: [],
      docs: 'docs/rules/sql-drop-table.md',
    });
    const analysis: ProjectAnalysis = {
      project: { root, schemaFiles: [], schemaPath: path.join(root, 'prisma/schema.prisma'), migrationsDir: path.join(root, 'prisma/migrations'), foundBy: 'test' },
      provider: 'postgresql',
      findings: [finding(4, 6, 'Drops "A", "B": data\nlost.'), finding(1, 1, 'One line.')],
      changes: [],
      unmigrated: [],
      migrations: [],
      notes: [{ level: 'warning', message: 'A note.' }],
      timings: {},
    };
    assert.deepStrictEqual(formatGithub(analysis, { base: root }).split('\n'), [
      '::warning file=prisma/migrations/1_x/migration.sql,line=2,col=1,endLine=2,endColumn=4,title=sql-drop-table::One line.%0AHelp: Keep it, 100%25.',
      '::warning file=prisma/migrations/1_x/migration.sql,line=5,endLine=7,title=sql-drop-table::Drops "A", "B": data%0Alost.%0AHelp: Keep it, 100%25.',
      'warning: A note.',
      'prisma-migration-guard: 0 error(s), 2 warning(s), 0 info in .',
      '',
    ]);
  });
});
