/**
 * The language server end to end: a real child process over stdio, driven by
 * the LSP protocol library, on temp copies of examples/shop.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { applyEdits } from '../../server/src/lsp/schemaEdits';
import { brief, commitExceptSchema, copyExample, gitInitShop, LspClient, REPO_ROOT, uriOf } from './lspClient';

/**
 * Every migration on disk counts as deployed, whether or not the temp folder
 * happens to sit inside a git checkout (TMPDIR may point into one); the git
 * mode has a test of its own below.
 */
const ALL_DEPLOYED = { deployed: 'all' };

const DOCS = (rule: string): string => uriOf(path.join(REPO_ROOT, 'docs', 'rules', `${rule}.md`));

/** examples/shop as committed: every unsafe edit of its schema, in file order. */
const INITIAL = [
  '12:5-12:16 1 remove-enum-value migration-guard',
  '22:2-22:18 1 add-required-column migration-guard',
  '28:6-28:13 1 drop-column migration-guard',
  '30:2-30:19 1 rename-column migration-guard',
  '31:25-31:32 2 add-unique-constraint migration-guard',
  '42:2-42:45 2 schema-drift migration-guard',
  '51:2-51:24 1 make-column-required migration-guard',
  '58:2-58:22 2 create-index-blocking migration-guard',
  '68:2-68:23 2 change-column-type migration-guard',
  '71:6-71:12 2 schema-drift migration-guard',
];

function titles(actions: (CodeAction | { title: string })[]): string[] {
  return actions.map((a) => a.title);
}

function editsOf(action: CodeAction): TextDocumentEdit {
  assert.ok(action.edit?.documentChanges, `action "${action.title}" has no documentChanges`);
  const [change] = action.edit.documentChanges as TextDocumentEdit[];
  return change;
}

describe('language server over stdio (examples/shop)', function () {
  this.timeout(60000);
  let root: string;
  let schema: string;
  let uri: string;
  let text: string;
  let client: LspClient;
  let renamedFrom = '';
  let dropped = '';

  before(async () => {
    root = copyExample('shop');
    schema = path.join(root, 'prisma', 'schema.prisma');
    uri = uriOf(schema);
    text = fs.readFileSync(schema, 'utf8');
    client = await LspClient.start({ workspaceFolders: [root], settings: ALL_DEPLOYED });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('announces its capabilities and watches the migrations and schema files', async () => {
    const caps = client.initializeResult.capabilities;
    assert.deepStrictEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    assert.deepStrictEqual(caps.executeCommandProvider, {
      commands: ['migrationGuard.generatePhasedMigration', 'migrationGuard.advancePhase', 'migrationGuard.showDocumentation'],
    });
    await client.until('file watcher registration', () => (client.registrations.includes('workspace/didChangeWatchedFiles') ? true : undefined));
  });

  it('publishes the exact findings of the opened schema', async () => {
    await client.open(schema, text, 1);
    const diagnostics = await client.diagnostics(uri, (p) => p.version === 1);
    assert.deepStrictEqual(diagnostics.map(brief), INITIAL);
    // Product lost `name` and `description` and gained `title`: which one is taken for the rename is the diff's call.
    const changeOf = (rule: string): Record<string, string> => (diagnostics.find((d) => d.code === rule)?.data as { change: Record<string, string> }).change;
    renamedFrom = changeOf('rename-column').from;
    dropped = changeOf('drop-column').column;
    assert.deepStrictEqual([renamedFrom, dropped].sort(), ['description', 'name']);

    const required = diagnostics[1];
    assert.deepStrictEqual(required, {
      range: { start: { line: 22, character: 2 }, end: { line: 22, character: 18 } },
      severity: 1,
      source: 'migration-guard',
      code: 'add-required-column',
      codeDescription: { href: DOCS('add-required-column') },
      message:
        'Required column `User.phone` added to `User` without a database default: the migration fails if the table has rows, and running code inserts rows without it.',
      relatedInformation: [
        {
          location: {
            uri: uriOf(path.join(root, 'prisma', 'migrations', '20240105120000_init', 'migration.sql')),
            range: { start: { line: 4, character: 0 }, end: { line: 11, character: 1 } },
          },
          message: 'table `User` created by migration 20240105120000_init',
        },
      ],
      data: {
        ruleId: 'add-required-column',
        target: 'schema',
        version: 1,
        projectRoot: root,
        file: schema,
        model: 'User',
        field: 'phone',
        fix: { kind: 'makeOptional', model: 'User', field: 'phone' },
        change: { kind: 'addColumn', table: 'User', column: 'phone' },
        docsUri: DOCS('add-required-column'),
      },
    });
  });

  it('updates the diagnostics as the schema is edited', async () => {
    // `phone String?`: the required-column error goes; the column is still without a migration.
    await client.change(schema, 2, [{ range: { start: { line: 22, character: 18 }, end: { line: 22, character: 18 } }, text: '?' }]);
    const fixed = await client.diagnostics(uri, (p) => p.version === 2);
    assert.deepStrictEqual(fixed.map(brief), [INITIAL[0], '22:2-22:19 2 schema-drift migration-guard', ...INITIAL.slice(2)]);

    // A new required field below it introduces a finding and shifts the rest down one line.
    await client.change(schema, 3, [{ range: { start: { line: 23, character: 0 }, end: { line: 23, character: 0 } }, text: '  nickname  String\n' }]);
    const introduced = await client.diagnostics(uri, (p) => p.version === 3);
    assert.deepStrictEqual(introduced.map(brief), [
      '12:5-12:16 1 remove-enum-value migration-guard',
      '22:2-22:19 2 schema-drift migration-guard',
      '23:2-23:18 1 add-required-column migration-guard',
      '29:6-29:13 1 drop-column migration-guard',
      '31:2-31:19 1 rename-column migration-guard',
      '32:25-32:32 2 add-unique-constraint migration-guard',
      '43:2-43:45 2 schema-drift migration-guard',
      '52:2-52:24 1 make-column-required migration-guard',
      '59:2-59:22 2 create-index-blocking migration-guard',
      '69:2-69:23 2 change-column-type migration-guard',
      '72:6-72:12 2 schema-drift migration-guard',
    ]);
    assert.match(introduced[2].message, /`User\.nickname`/);
  });

  it('survives half-typed text with partial results', async () => {
    const lines = text.split('\n');
    lines[22] = '  phone Str';
    const halfTyped = lines.join('\n').replace(/\}\s*$/, '');
    await client.change(schema, 4, [{ text: halfTyped }]);
    const partial = await client.diagnostics(uri, (p) => p.version === 4);
    // `Str` is no type yet, so `phone` is not judged; the unterminated last model keeps its last good version.
    assert.deepStrictEqual(partial.map(brief), [INITIAL[0], ...INITIAL.slice(2)]);

    await client.change(schema, 5, [{ range: { start: { line: 22, character: 11 }, end: { line: 22, character: 11 } }, text: 'ing' }]);
    const typing = await client.diagnostics(uri, (p) => p.version === 5);
    assert.deepStrictEqual(typing.map(brief), [INITIAL[0], '22:2-22:14 1 add-required-column migration-guard', ...INITIAL.slice(2)]);
    assert.ok(client.alive);
  });

  it('never publishes stale results: the latest edit wins', async () => {
    const before = client.published.length;
    // A burst of edits: each reverts to the original text or breaks it again.
    for (let version = 6; version <= 10; version++) {
      await client.change(schema, version, [{ text: version % 2 === 1 ? text.replace('phone     String', 'phone     Strin') : text }]);
    }
    const final = await client.diagnostics(uri, (p) => p.version === 10, before);
    assert.deepStrictEqual(final.map(brief), INITIAL);
    const versions = client.published.slice(before).filter((p) => p.uri === uri).map((p) => p.version ?? -1);
    assert.deepStrictEqual([...versions].sort((a, b) => a - b), versions, `versions out of order: ${versions.join(',')}`);
    assert.strictEqual(versions[versions.length - 1], 10);
  });

  it('offers the quick fix, phased migration, ignore and documentation actions, versioned', async () => {
    const diagnostics = (await client.diagnostics(uri, (p) => p.version === 10)) as Diagnostic[];
    const required = diagnostics.find((d) => d.code === 'add-required-column') as Diagnostic;
    const actions = (await client.codeActions(schema, required.range, [required])) as CodeAction[];
    assert.deepStrictEqual(titles(actions), [
      'Make `User.phone` optional',
      'Generate phased migration (add-required-column)',
      'Ignore add-required-column here',
      'Show documentation for add-required-column',
    ]);
    assert.deepStrictEqual(
      actions.map((a) => [a.kind, a.isPreferred ?? false, a.command?.command ?? null]),
      [
        ['quickfix', true, null],
        ['quickfix', false, 'migrationGuard.generatePhasedMigration'],
        ['quickfix', false, null],
        ['quickfix', false, 'migrationGuard.showDocumentation'],
      ],
    );

    const fix = editsOf(actions[0]);
    assert.deepStrictEqual(fix.textDocument, { uri, version: 10 });
    assert.strictEqual(applyEdits(text, fix.edits), text.replace('  phone     String\n', '  phone     String?\n'));

    const ignore = editsOf(actions[2]);
    assert.strictEqual(
      applyEdits(text, ignore.edits),
      text.replace('  phone     String\n', '  // migration-guard-ignore add-required-column -- TODO: say why this is safe here\n  phone     String\n'),
    );

    // The rename's fix keeps the old column with @map.
    const rename = diagnostics.find((d) => d.code === 'rename-column') as Diagnostic;
    const renameActions = (await client.codeActions(schema, rename.range, [rename])) as CodeAction[];
    assert.strictEqual(renameActions[0].title, `Keep column \`${renamedFrom}\`: add \`@map("${renamedFrom}")\` to \`Product.title\``);
    assert.strictEqual(applyEdits(text, editsOf(renameActions[0]).edits), text.replace('  title      String\n', `  title      String @map("${renamedFrom}")\n`));

    // Applying the fix (as the editor would) clears the error.
    await client.change(schema, 11, fix.edits.map((e) => ({ range: e.range, text: e.newText })));
    const after = await client.diagnostics(uri, (p) => p.version === 11);
    assert.deepStrictEqual(after.map(brief), [INITIAL[0], '22:2-22:19 2 schema-drift migration-guard', ...INITIAL.slice(2)]);
  });

  it('refuses to compute actions for a diagnostic of an older document version', async () => {
    const stale = (await client.diagnostics(uri, (p) => p.version === 10)).find((d) => d.code === 'rename-column') as Diagnostic;
    assert.deepStrictEqual(await client.codeActions(schema, stale.range, [stale]), []);
    await client.change(schema, 12, [{ text }]);
    await client.diagnostics(uri, (p) => p.version === 12);
  });

  it('updates the baseline when a migration folder is added or deleted on disk', async () => {
    const folder = path.join(root, 'prisma', 'migrations', '20240401000000_add_user_phone');
    const sql = path.join(folder, 'migration.sql');
    fs.mkdirSync(folder);
    fs.writeFileSync(sql, '-- AlterTable\nALTER TABLE "User" ADD COLUMN "phone" TEXT NOT NULL;\n');
    let before = client.published.length;
    await client.filesChanged([{ uri: uriOf(sql), type: 1 }]);
    const migrated = await client.diagnostics(uri, () => true, before);
    assert.deepStrictEqual(migrated.map(brief), [INITIAL[0], ...INITIAL.slice(2)]);

    fs.rmSync(folder, { recursive: true });
    before = client.published.length;
    await client.filesChanged([{ uri: uriOf(folder), type: 3 }]);
    const restored = await client.diagnostics(uri, () => true, before);
    assert.deepStrictEqual(restored.map(brief), INITIAL);
  });

  it('answers migrationGuard/report with the whole project', async () => {
    const report = await client.report();
    assert.strictEqual(report.projects.length, 1);
    const [project] = report.projects;
    assert.strictEqual(project.root, root);
    assert.strictEqual(project.error, undefined);
    assert.deepStrictEqual(project.schemaFiles, [schema]);
    assert.strictEqual(project.provider, 'postgresql');
    assert.deepStrictEqual(project.counts, { error: 5, warning: 5, info: 0 });
    assert.deepStrictEqual(project.migrations, [
      { name: '20240105120000_init', deployed: true },
      { name: '20240212093000_add_categories', deployed: true },
      { name: '20240320150000_add_order_notes', deployed: true },
    ]);
    assert.deepStrictEqual(
      project.changes.map((c) => [c.description, c.findings.map((i) => project.findings[i].ruleId)]),
      [
        ['value `CANCELLED` removed from enum `OrderStatus`', ['remove-enum-value']],
        ['new column `User.phone`', ['add-required-column']],
        [`column \`Product.${dropped}\` removed`, ['drop-column']],
        [`column \`Product.${renamedFrom}\` renamed to \`title\``, ['rename-column']],
        ['unique constraint `Product_sku_key` added on `Product`', ['add-unique-constraint']],
        ['column `Category.slug` type changed from varchar(100) to varchar(200)', ['schema-drift']],
        ['column `Order.shippingAddress` made required', ['make-column-required']],
        ['index `Order_createdAt_idx` added on `Order`', ['create-index-blocking']],
        ['column `OrderItem.unitPriceCents` type changed from int4 to int8', ['change-column-type']],
        ['new table `Review`', ['schema-drift']],
      ],
    );
    const required = project.findings.find((f) => f.ruleId === 'add-required-column');
    assert.deepStrictEqual(required && { ...required, message: undefined }, {
      ruleId: 'add-required-column',
      title: 'Required column added to an existing table',
      severity: 'error',
      message: undefined,
      risk: 'Adding a NOT NULL column without a database default fails on a table that has rows, and code that is still running inserts rows without it.',
      help: 'Add it as optional (`?`), backfill existing rows in batches, then make it required — or give it a constant `@default(...)`.',
      safePlan: 'Add the column as optional (or with a database default), backfill existing rows in batches, then make it required in a later migration.',
      file: schema,
      range: { start: { line: 22, character: 2 }, end: { line: 22, character: 18 } },
      docsUri: DOCS('add-required-column'),
    });
    // Notes are the engine's words; what matters here is which notes arrive, and where (the part before `;`).
    assert.deepStrictEqual(
      project.notes.map((n) => ({ ...n, message: n.message.replace(/;.*$/, '') })),
      // The session replays incrementally: after the earlier test deleted a migration it resumes from the cached state before it.
      [{ level: 'info', message: 'Migration 20240401000000_add_user_phone is no longer in the migrations folder', file: path.join(root, 'prisma', 'migrations'), line: 1 }],
    );

    const headings = report.markdown.split('\n').filter((l) => l.startsWith('#'));
    assert.deepStrictEqual(headings, [
      '# Migration safety report',
      `## ${path.basename(root)}`,
      '### Pending changes',
      '#### 1. value `CANCELLED` removed from enum `OrderStatus` — error',
      '#### 2. new column `User.phone` — error',
      `#### 3. column \`Product.${dropped}\` removed — error`,
      `#### 4. column \`Product.${renamedFrom}\` renamed to \`title\` — error`,
      '#### 5. unique constraint `Product_sku_key` added on `Product` — warning',
      '#### 6. column `Category.slug` type changed from varchar(100) to varchar(200) — warning',
      '#### 7. column `Order.shippingAddress` made required — error',
      '#### 8. index `Order_createdAt_idx` added on `Order` — warning',
      '#### 9. column `OrderItem.unitPriceCents` type changed from int4 to int8 — warning',
      '#### 10. new table `Review` — warning',
      '### The migration Prisma will generate',
      '### Before deploying',
      '### Migration request',
      // The summary is a Markdown block to paste: its own heading sits inside the fence.
      `## Migration request: ${path.basename(root)}`,
      '### Migrations',
      '### Notes',
    ]);
    assert.match(report.markdown, /\*\*10 unsafe changes\*\* \(5 errors, 5 warnings, 0 info\) in 10 pending changes\./);
    assert.match(report.markdown, /- \*\*Risk:\*\* Adding a NOT NULL column without a database default/);

    // The SQL Prisma will generate, per change (every change here is not in any migration yet).
    assert.deepStrictEqual(
      project.changes.map((c) => [c.kind, c.unmigrated, c.sql !== undefined && c.sql.length > 0]),
      project.changes.map((c) => [c.kind, true, true]),
    );
    const sqlOf = (kind: string): Pick<(typeof project.changes)[number], 'sql' | 'sqlNote'> => {
      const change = project.changes.find((c) => c.kind === kind) as (typeof project.changes)[number];
      return { sql: change.sql, ...(change.sqlNote ? { sqlNote: change.sqlNote } : {}) };
    };
    assert.deepStrictEqual(sqlOf('addColumn'), { sql: '-- AlterTable\nALTER TABLE "User" ADD COLUMN     "phone" TEXT NOT NULL;' });
    assert.deepStrictEqual(sqlOf('removeEnumValue'), {
      sql: [
        '-- AlterEnum',
        'BEGIN;',
        `CREATE TYPE "OrderStatus_new" AS ENUM ('PENDING', 'PAID', 'SHIPPED');`,
        'ALTER TABLE "Order" ALTER COLUMN "status" DROP DEFAULT;',
        'ALTER TABLE "Order" ALTER COLUMN "status" TYPE "OrderStatus_new" USING ("status"::text::"OrderStatus_new");',
        'ALTER TYPE "OrderStatus" RENAME TO "OrderStatus_old";',
        'ALTER TYPE "OrderStatus_new" RENAME TO "OrderStatus";',
        'DROP TYPE "OrderStatus_old";',
        `ALTER TABLE "Order" ALTER COLUMN "status" SET DEFAULT 'PENDING';`,
        'COMMIT;',
      ].join('\n'),
      sqlNote: 'PostgreSQL cannot remove an enum value: Prisma creates the new type, converts every column through text (failing on a row that holds a removed value), swaps the names and drops the old type.',
    });
    assert.deepStrictEqual(sqlOf('renameColumn'), {
      sql: `-- AlterTable\nALTER TABLE "Product" DROP COLUMN "${renamedFrom}",\nADD COLUMN     "title" TEXT NOT NULL;`,
      sqlNote: `Prisma does not rename columns: it drops \`${renamedFrom}\` (and its values) and adds \`title\`.`,
    });
    assert.strictEqual(sqlOf('alterColumnType').sql, '-- AlterTable\nALTER TABLE "Category" ALTER COLUMN "slug" SET DATA TYPE VARCHAR(200);');
    // The whole migration: one ALTER TABLE per table, in Prisma's step order.
    assert.deepStrictEqual(
      (project.migrationSql ?? '').split('\n').filter((l) => l.startsWith('-- ')),
      ['-- AlterEnum', '-- AlterTable', '-- AlterTable', '-- AlterTable', '-- AlterTable', '-- AlterTable', '-- CreateTable', '-- CreateIndex', '-- CreateIndex', '-- AddForeignKey', '-- AddForeignKey'],
    );
    assert.ok(report.markdown.includes('```sql\n-- AlterTable\nALTER TABLE "User" ADD COLUMN     "phone" TEXT NOT NULL;\n```'));

    // The checklist, answered from the analysis.
    assert.deepStrictEqual(
      project.checklist?.map((item) => [item.id, item.verdict]),
      [
        ['backwardCompatible', 'attention'],
        ['newCodeOldSchema', 'attention'],
        ['backfill', 'attention'],
        ['rollback', 'attention'],
        ['backup', 'attention'],
      ],
    );
    const backup = project.checklist?.find((item) => item.id === 'backup');
    const lost = [`column \`Product.${renamedFrom}\``, `column \`Product.${dropped}\``];
    assert.strictEqual(backup?.answer, `Yes: ${lost.join(' and ')} are dropped or rewritten. Back them up right before the deploy and check the backup restores.`);
    assert.match(report.markdown, /^- \[ \] \*\*Is a backfill needed\?\*\* Yes: existing rows of `User` need a value for `User\.phone`;/m);

    // The migration request, ready to paste.
    const summary = project.summary ?? '';
    assert.ok(report.markdown.includes(`\`\`\`markdown\n${summary.trimEnd()}\n\`\`\``));
    assert.deepStrictEqual(
      summary.split('\n').filter((l) => l.startsWith('**')).map((l) => l.replace(/:\*\*.*$/, ':**')),
      ['**Change**', '**Tables affected:**', '**Risk (Prisma Migration Guard):**', '**Deploy order:**', '**Backfill:**', '**Rollback plan:**', '**Backup:**', '**Testing**'],
    );
    assert.match(summary, /^- new column `User\.phone` \(`add-required-column`\)$/m);
    assert.match(summary, /^\*\*Tables affected:\*\* `Category`, `Order`, `OrderItem`, `Product`, `Review`, `User`; enums `OrderStatus`$/m);
    assert.match(summary, /^\*\*Deploy order:\*\* in phases \(expand, deploy code, contract\)$/m);
  });

  it('executes its commands: documentation, and clear refusals for the phased migration commands', async () => {
    const docs = DOCS('add-required-column');
    assert.deepStrictEqual(await client.executeCommand('migrationGuard.showDocumentation', [docs, 'add-required-column']), { done: true, message: `Opened ${docs}` });
    assert.deepStrictEqual(client.shownDocuments, [docs]);

    // From the command palette there is no diagnostic to plan for.
    const data = { ruleId: 'add-required-column', model: 'User', field: 'phone', docsUri: docs };
    const answer = await client.executeCommand('migrationGuard.generatePhasedMigration', [data]);
    const expected = 'No phased migration written: run "Generate phased migration" from the quick fix of a Migration Guard diagnostic on a schema change.';
    assert.deepStrictEqual(answer, { done: false, message: expected });
    await client.until('the message shown to the user', () => client.messages.find((m) => m === expected));
    // A SQL finding has no phased plan.
    const sqlAnswer = await client.executeCommand('migrationGuard.generatePhasedMigration', [{ ruleId: 'sql-drop-column', target: 'sql', projectRoot: root, file: schema }]);
    assert.deepStrictEqual(sqlAnswer, { done: false, message: 'No phased migration written: sql-drop-column is about migration SQL, not a schema change; there is no phased plan for it.' });

    assert.deepStrictEqual(await client.executeCommand('migrationGuard.advancePhase', []), {
      done: false,
      message: 'Not advanced: No phased migration plan in prisma/migration-plans: generate one with "Generate phased migration" first.',
    });
    assert.deepStrictEqual(client.editRequests, []);
    assert.ok(!fs.existsSync(path.join(root, 'prisma', 'migration-plans')));
  });

  it('answers a failing request with an empty result and keeps running', async () => {
    const report = await client.connection.sendRequest('migrationGuard/report', { projects: 42 });
    assert.deepStrictEqual(report, { projects: [], markdown: '' });
    const actions = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: null, context: null });
    assert.deepStrictEqual(actions, []);
    assert.ok(client.alive);
    assert.ok(client.logs.some((l) => l.startsWith('report failed:')));
    assert.strictEqual((await client.report()).projects.length, 1);
  });

  it('reports its state for the status bar', async () => {
    const last = await client.until('an idle status', () => {
      const status = client.statuses[client.statuses.length - 1];
      return status?.state === 'idle' ? status : undefined;
    });
    assert.deepStrictEqual(last, { state: 'idle', projects: 1, unsafe: 10, findings: 10 });
    assert.strictEqual(client.statuses[0].state, 'starting');
  });
});

describe('language server settings and workspaces', function () {
  this.timeout(60000);
  const cleanup: string[] = [];
  after(() => {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies migrationGuard.* settings over the project configuration', async () => {
    const root = copyExample('shop');
    cleanup.push(root);
    const client = await LspClient.start({
      workspaceFolders: [root],
      settings: { rules: { 'create-index-blocking': 'off', 'drop-column': 'warning' }, postgresVersion: null, deployed: 'all', smallTables: null, trace: { server: 'off' } },
    });
    try {
      const schema = path.join(root, 'prisma', 'schema.prisma');
      const diagnostics = await client.diagnostics(uriOf(schema), (p) => p.diagnostics.length > 0);
      assert.deepStrictEqual(
        diagnostics.map(brief),
        // With its safety rule off, the new index is still a change without a migration.
        INITIAL.map((d) => d.replace(' 1 drop-column', ' 2 drop-column').replace('2 create-index-blocking', '2 schema-drift')),
      );
    } finally {
      await client.stop();
    }
  });

  it('works with a bare client: no configuration, no watchers, no versioned edits, no workspace folders', async () => {
    const root = copyExample('shop');
    cleanup.push(root);
    // Without workspace/configuration the project's own file is the only configuration.
    fs.writeFileSync(path.join(root, '.migration-guard.json'), JSON.stringify({ deployed: 'all', rules: { 'schema-drift': 'info' } }));
    const client = await LspClient.start({ workspaceFolders: [], rootUri: root, capabilities: {} });
    try {
      const schema = path.join(root, 'prisma', 'schema.prisma');
      const text = fs.readFileSync(schema, 'utf8');
      await client.open(schema, text, 0);
      const diagnostics = await client.diagnostics(uriOf(schema), (p) => p.version === 0);
      assert.deepStrictEqual(diagnostics.map(brief), INITIAL.map((d) => d.replace('2 schema-drift', '3 schema-drift')));
      assert.deepStrictEqual(client.registrations, []);
      const required = diagnostics[1];
      const [fix] = (await client.codeActions(schema, required.range, [required])) as CodeAction[];
      assert.deepStrictEqual(fix.edit, { changes: { [uriOf(schema)]: [{ range: { start: { line: 22, character: 18 }, end: { line: 22, character: 18 } }, newText: '?' }] } });
      // A migration written and saved in the editor stands in for the file watcher this client does not have.
      const folder = path.join(root, 'prisma', 'migrations', '20240401000000_add_user_phone');
      const sql = path.join(folder, 'migration.sql');
      fs.mkdirSync(folder);
      fs.writeFileSync(sql, '');
      const opened = client.published.length;
      await client.open(sql, '', 0, 'sql');
      // Opening it re-checks the project (an empty migration changes nothing).
      assert.deepStrictEqual((await client.diagnostics(uriOf(schema), () => true, opened)).map(brief), INITIAL.map((d) => d.replace('2 schema-drift', '3 schema-drift')));
      await client.change(sql, 1, [{ text: 'ALTER TABLE "User" ADD COLUMN "phone" TEXT NOT NULL;\n' }]);
      fs.writeFileSync(sql, 'ALTER TABLE "User" ADD COLUMN "phone" TEXT NOT NULL;\n');
      const before = client.published.length;
      await client.save(sql);
      assert.deepStrictEqual((await client.diagnostics(uriOf(schema), () => true, before)).map(brief), [INITIAL[0], ...INITIAL.slice(2)].map((d) => d.replace('2 schema-drift', '3 schema-drift')));
    } finally {
      await client.stop();
    }
  });

  it('in git mode keeps a risk marked while its migration is not committed, and clears it on commit', async () => {
    const root = copyExample('shop');
    cleanup.push(root);
    gitInitShop(root);
    const client = await LspClient.start({ workspaceFolders: [root] });
    try {
      const schema = path.join(root, 'prisma', 'schema.prisma');
      const uri = uriOf(schema);
      assert.deepStrictEqual((await client.diagnostics(uri)).map(brief), INITIAL);

      // `prisma migrate dev` wrote the migration: not committed, so not deployed, so the risk stays marked.
      const folder = path.join(root, 'prisma', 'migrations', '20240401000000_add_user_phone');
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'migration.sql'), 'ALTER TABLE "User" ADD COLUMN "phone" TEXT NOT NULL;\n');
      let before = client.published.length;
      await client.filesChanged([{ uri: uriOf(path.join(folder, 'migration.sql')), type: 1 }]);
      assert.deepStrictEqual((await client.diagnostics(uri, () => true, before)).map(brief), INITIAL);
      const [pending] = (await client.report()).projects;
      assert.deepStrictEqual(pending.migrations.map((m) => [m.name, m.deployed]), [
        ['20240105120000_init', true],
        ['20240212093000_add_categories', true],
        ['20240320150000_add_order_notes', true],
        ['20240401000000_add_user_phone', false],
      ]);

      // Committed: the migration counts as deployed, and the column is no longer a pending change.
      commitExceptSchema(root, 'add phone');
      before = client.published.length;
      await client.filesChanged([{ uri: uriOf(path.join(root, '.git', 'refs', 'heads', 'main')), type: 2 }]);
      assert.deepStrictEqual((await client.diagnostics(uri, () => true, before)).map(brief), [INITIAL[0], ...INITIAL.slice(2)]);
    } finally {
      await client.stop();
    }
  });

  it('gives every Prisma project of a multi-root monorepo its own session', async () => {
    const mono = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-lsp-mono-'));
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-lsp-other-'));
    cleanup.push(mono, other);
    copyExample('shop', path.join(mono, 'apps', 'api'));
    copyExample('shop', path.join(mono, 'packages', 'db'));
    // Dependencies ship schemas too; they are not the user's projects.
    copyExample('shop', path.join(mono, 'node_modules', 'some-lib'));
    copyExample('shop', other);
    // One project differs: its User.phone is optional.
    const dbSchema = path.join(mono, 'packages', 'db', 'prisma', 'schema.prisma');
    fs.writeFileSync(dbSchema, fs.readFileSync(dbSchema, 'utf8').replace('phone     String', 'phone     String?'));

    const client = await LspClient.start({ workspaceFolders: [mono, other], settings: ALL_DEPLOYED });
    try {
      const report = await client.report();
      assert.deepStrictEqual(
        report.projects.map((p) => [p.root, p.name, p.counts]),
        [
          [path.join(mono, 'apps', 'api'), path.join(path.basename(mono), 'apps', 'api'), { error: 5, warning: 5, info: 0 }],
          [path.join(mono, 'packages', 'db'), path.join(path.basename(mono), 'packages', 'db'), { error: 4, warning: 6, info: 0 }],
          [other, path.basename(other), { error: 5, warning: 5, info: 0 }],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      // Without opening anything, each project's schema got its diagnostics (the Problems panel).
      const apiDiagnostics = await client.diagnostics(uriOf(path.join(mono, 'apps', 'api', 'prisma', 'schema.prisma')));
      assert.deepStrictEqual(apiDiagnostics.map(brief), INITIAL);
      const dbDiagnostics = await client.diagnostics(uriOf(dbSchema));
      assert.deepStrictEqual(dbDiagnostics.map(brief), [INITIAL[0], '22:2-22:19 2 schema-drift migration-guard', ...INITIAL.slice(2)]);
      assert.ok(!client.published.some((p) => p.uri.includes('node_modules')));
    } finally {
      await client.stop();
    }
  });
});
