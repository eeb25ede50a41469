/**
 * Adopting the guard on a project that already drifts: a git repository built
 * here whose HEAD's schema differs from its migrations (a foreign key the team
 * dropped from the database, an index never migrated, a nullable column added
 * by hand). The language server over stdio, the CLI's baseline round trip.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { driftingRepository, SCHEMA, SUMMARY } from '../support/driftingProject';
import { brief, copyExample, LspClient, REPO_ROOT, uriOf } from './lspClient';


/** What `prisma migrate dev` writes after `name String` is added to User: the edit, and the whole drift with it. */
const SWEEP_SQL = `-- AlterTable
ALTER TABLE "User" ADD COLUMN     "bio" TEXT,
ADD COLUMN     "name" TEXT NOT NULL;

-- CreateIndex
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`;

function full(diagnostic: Diagnostic): string {
  return `${brief(diagnostic)} ${diagnostic.message}`;
}

describe('pre-existing drift in the editor (git repository whose HEAD drifts)', function () {
  this.timeout(90000);
  let root: string;
  let schema: string;
  let client: LspClient;

  before(async () => {
    root = driftingRepository(fs.mkdtempSync(path.join(os.tmpdir(), 'mg-preexisting-')));
    schema = path.join(root, 'prisma', 'schema.prisma');
    client = await LspClient.start({ workspaceFolders: [root] });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('opening the clean checkout gives exactly one pre-existing-drift diagnostic, on the datasource block', async () => {
    await client.open(schema, SCHEMA, 1);
    const diagnostics = await client.diagnostics(uriOf(schema), (p) => p.version === 1);
    assert.deepStrictEqual(diagnostics.map(full), [`0:0-0:13 3 schema-drift migration-guard ${SUMMARY}`]);
  });

  it('the report lists each part of the drift with the SQL Prisma would generate and its risk', async () => {
    const result = await client.report();
    const [project] = result.projects;
    const relative = (file: string): string => path.relative(root, file);
    assert.deepStrictEqual(
      project.preexisting && { ...project.preexisting, changes: project.preexisting.changes.map((c) => ({ ...c, file: relative(c.file) })) },
      {
        ref: 'HEAD',
        summary: SUMMARY.slice(0, SUMMARY.indexOf(' 2 of them')),
        changes: [
          {
            description: 'new column `User.bio`',
            kind: 'addColumn',
            table: 'User',
            file: path.join('prisma', 'schema.prisma'),
            range: { start: { line: 8, character: 2 }, end: { line: 8, character: 15 } },
            risk: [],
            sql: '-- AlterTable\nALTER TABLE "User" ADD COLUMN     "bio" TEXT;',
          },
          {
            description: 'index `Post_authorId_idx` added on `Post`',
            kind: 'addIndex',
            table: 'Post',
            file: path.join('prisma', 'schema.prisma'),
            range: { start: { line: 18, character: 2 }, end: { line: 18, character: 21 } },
            risk: [{ ruleId: 'create-index-blocking', severity: 'warning', message: 'New index `Post_authorId_idx` on `Post` (authorId): CREATE INDEX blocks all writes to the table until the build finishes.' }],
            sql: '-- CreateIndex\nCREATE INDEX "Post_authorId_idx" ON "Post"("authorId");',
          },
          {
            description: 'foreign key `Post_authorId_fkey` added on `Post`',
            kind: 'addForeignKey',
            table: 'Post',
            file: path.join('prisma', 'schema.prisma'),
            range: { start: { line: 16, character: 18 }, end: { line: 16, character: 65 } },
            risk: [
              {
                ruleId: 'add-foreign-key',
                severity: 'warning',
                message: 'New foreign key `Post_authorId_fkey` on `Post` (authorId → `User`): adding it checks every existing row while blocking writes to both tables, and fails if any row points at a missing `User` row.',
              },
            ],
            sql: '-- AddForeignKey\nALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;',
          },
        ],
      },
    );
    // Not the user's changes: the pending list is empty, and the drift has its own section.
    assert.deepStrictEqual(project.changes, []);
    assert.deepStrictEqual(
      result.markdown.split('\n').filter((line) => line.startsWith('#')),
      [
        '# Migration safety report',
        `## ${path.basename(root)}`,
        '### Pre-existing drift (committed at `HEAD`)',
        '#### 1. new column `User.bio` — safe',
        '#### 2. index `Post_authorId_idx` added on `Post` — risk: warning',
        '#### 3. foreign key `Post_authorId_fkey` added on `Post` — risk: warning',
        '### The migration Prisma will generate',
        '### Other findings',
        '### Before deploying',
        '### Migration request',
        `## Migration request: ${path.basename(root)}`,
        '### Migrations',
      ],
    );
  });

  it('an edit gives only its own findings, at full severity, and says when its table already drifts', async () => {
    const edited = SCHEMA.replace('  bio   String?\n', '  bio   String?\n  name  String\n').replace('  label String\n', '  label String\n  color String\n');
    await client.change(schema, 2, [{ text: edited }]);
    const diagnostics = await client.diagnostics(uriOf(schema), (p) => p.version === 2);
    assert.deepStrictEqual(diagnostics.map(full), [
      `0:0-0:13 3 schema-drift migration-guard ${SUMMARY}`,
      '9:2-9:14 1 add-required-column migration-guard Required column `User.name` added to `User` without a database default: the migration fails if the table has rows, and running code inserts rows without it. ' +
        '`User` already differs from its migrations before your edit (new column `User.bio`): the next `prisma migrate dev` puts that into the same migration.',
      '25:2-25:14 1 add-required-column migration-guard Required column `Tag.color` added to `Tag` without a database default: the migration fails if the table has rows, and running code inserts rows without it.',
    ]);
  });

  it('a pending migration that sweeps the drift in is flagged on those statements with the count', async () => {
    const edited = SCHEMA.replace('  bio   String?\n', '  bio   String?\n  name  String\n');
    const folder = path.join(root, 'prisma', 'migrations', '20240201000000_add_user_name');
    fs.mkdirSync(folder);
    const migration = path.join(folder, 'migration.sql');
    fs.writeFileSync(migration, SWEEP_SQL);
    await client.change(schema, 3, [{ text: edited }]);
    const before = client.published.length;
    await client.filesChanged([{ uri: uriOf(migration), type: 1 }]);
    const sql = await client.diagnostics(uriOf(migration), () => true, before);
    const swept = 'This migration also carries 3 changes that are not part of your schema edit: pre-existing drift between the committed schema and its migrations, which `prisma migrate dev` swept in.';
    assert.deepStrictEqual(sql.map(full), [
      `1:0-1:45 2 sql-missing-lock-timeout migration-guard ${swept} This statement needs an ACCESS EXCLUSIVE lock on "User" and no lock_timeout is in force: if any transaction is using the table, the migration waits for it, and every query that arrives meanwhile — plain SELECTs included — queues behind the migration. 2 later statements of this file need such locks too, on "Post" and "User".`,
      `5:0-5:54 2 sql-index-not-concurrent migration-guard ${swept} Index "Post_authorId_idx" on "Post" (authorId) is built without CONCURRENTLY: the build holds a SHARE lock on "Post", so every INSERT, UPDATE and DELETE on it waits until the index is complete — and, since other statements share its transaction, until that transaction commits.`,
      `8:0-8:140 2 sql-foreign-key-not-valid migration-guard ${swept} Foreign key "Post_authorId_fkey" is added without NOT VALID: PostgreSQL reads every row of "Post" and looks it up in "User" while holding SHARE ROW EXCLUSIVE locks on both tables, so writes to both wait for the whole check, and a single orphan row fails the migration.`,
    ]);
    const onSchema = await client.diagnostics(uriOf(schema), () => true, before);
    assert.deepStrictEqual(onSchema.map(full), [
      '9:2-9:14 1 add-required-column migration-guard Required column `User.name` added to `User` without a database default: the migration fails if the table has rows, and running code inserts rows without it. ' +
        '`User` already differs from its migrations before your edit (new column `User.bio`): pending migration `20240201000000_add_user_name` carries that too.',
    ]);
    const [report] = (await client.report()).projects;
    assert.deepStrictEqual(
      report.preexisting?.changes.map((c) => [c.description, c.sweptInto && { ...c.sweptInto, file: path.relative(root, c.sweptInto.file) }]),
      [
        ['new column `User.bio`', { migration: '20240201000000_add_user_name', file: path.relative(root, migration), line: 2 }],
        ['index `Post_authorId_idx` added on `Post`', { migration: '20240201000000_add_user_name', file: path.relative(root, migration), line: 6 }],
        ['foreign key `Post_authorId_fkey` added on `Post`', { migration: '20240201000000_add_user_name', file: path.relative(root, migration), line: 9 }],
      ],
    );
    fs.rmSync(folder, { recursive: true });
  });
});

describe('a baseline in the editor', function () {
  this.timeout(90000);
  let root: string;
  let client: LspClient;

  before(async () => {
    // The shop copy keeps `deployed: all`; its ten findings go into the baseline through the CLI.
    root = copyExample('shop');
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'out', 'server', 'src', 'cli.js'), 'baseline', root], { stdio: 'ignore' });
    client = await LspClient.start({ workspaceFolders: [root] });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('shows baselined findings as accepted (info); a changed one comes back at full severity and its stale entry is marked in the file', async () => {
    const schema = path.join(root, 'prisma', 'schema.prisma');
    const baseline = path.join(root, '.migration-guard-baseline.json');
    const text = fs.readFileSync(schema, 'utf8');
    await client.open(schema, text, 1);
    const accepted = await client.diagnostics(uriOf(schema), (p) => p.version === 1);
    assert.deepStrictEqual(
      accepted.map((d) => `${brief(d)} ${d.message.startsWith('Accepted in .migration-guard-baseline.json: ')}`),
      [
        '12:5-12:16 3 remove-enum-value migration-guard true',
        '22:2-22:18 3 add-required-column migration-guard true',
        '28:6-28:13 3 drop-column migration-guard true',
        '30:2-30:19 3 rename-column migration-guard true',
        '31:25-31:32 3 add-unique-constraint migration-guard true',
        '42:2-42:45 3 schema-drift migration-guard true',
        '51:2-51:24 3 make-column-required migration-guard true',
        '58:2-58:22 3 create-index-blocking migration-guard true',
        '68:2-68:23 3 change-column-type migration-guard true',
        '71:6-71:12 3 schema-drift migration-guard true',
      ],
    );
    assert.deepStrictEqual((await client.diagnostics(uriOf(baseline))).map(full), []);

    const before = client.published.length;
    await client.change(schema, 2, [{ text: text.replace('  phone     String\n', '  mobile    String\n') }]);
    const changed = await client.diagnostics(uriOf(schema), (p) => p.version === 2);
    assert.deepStrictEqual(changed.filter((d) => d.severity !== 3).map(brief), ['22:2-22:18 1 add-required-column migration-guard']);
    const line = fs.readFileSync(baseline, 'utf8').split('\n').findIndex((l) => l.includes('"User.phone"'));
    assert.deepStrictEqual((await client.diagnostics(uriOf(baseline), (p) => p.diagnostics.length > 0, before)).map(full), [
      `${line}:16-${line}:28 2 undefined migration-guard Baseline entry no longer matches any finding (add-required-column on User.phone): the risk is gone or the object changed; drop it with \`prisma-migration-guard check --update-baseline\`.`,
    ]);
  });
});
