/**
 * The server's handlers as plain functions, without an editor or a process.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver';
import type { ProjectAnalysis } from '../../server/src/analysis/types';
import type { Finding } from '../../server/src/rules/types';
import { computeCodeActions, type CodeActionInput } from '../../server/src/lsp/codeActions';
import { diagnosticsByFile, findingToDiagnostic } from '../../server/src/lsp/diagnostics';
import { discoverProjects } from '../../server/src/lsp/projects';
import { renderMarkdown } from '../../server/src/lsp/report';
import { AnalysisScheduler } from '../../server/src/lsp/scheduler';
import { applyEdits } from '../../server/src/lsp/schemaEdits';
import { applyEditorSettings, editorSettingsFrom } from '../../server/src/lsp/settings';
import { defaultConfig } from '../../server/src/project/config';

// A project that exists only in these tests' inputs: nothing is read from or written to it.
const ROOT = path.join(os.tmpdir(), 'migration-guard-handlers-virtual-project');
const SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const PACKAGE = '/pkg';

function range(line: number, start: number, end: number): Finding['range'] {
  return { start: { line, character: start }, end: { line, character: end } };
}

function finding(overrides: Partial<Finding>): Finding {
  return {
    ruleId: 'rename-table',
    severity: 'error',
    message: 'message',
    help: 'help',
    file: SCHEMA,
    range: range(0, 0, 1),
    related: [],
    docs: 'docs/rules/rename-table.md',
    ...overrides,
  };
}

function actionsFor(text: string, found: Finding, version: number | null = 3, extra: Partial<CodeActionInput> = {}): CodeAction[] {
  const diagnostic = findingToDiagnostic(found, ROOT, version, PACKAGE);
  return computeCodeActions({ uri: `file://${found.file}`, file: found.file, text, version, diagnostics: [diagnostic], documentChanges: true, ...extra });
}

function apply(text: string, action: CodeAction): string {
  const change = (action.edit?.documentChanges as TextDocumentEdit[])[0];
  return applyEdits(text, change.edits);
}

describe('lsp handlers: code actions', () => {
  const schema = ['model Customer {', '  id    Int    @id', '  email String @unique', '}', ''].join('\n');

  it('keeps a renamed table with @@map, after a blank line, before the closing brace', () => {
    const actions = actionsFor(schema, finding({ fix: { kind: 'keepTableName', model: 'Customer', table: 'User' }, range: range(0, 6, 14) }));
    assert.deepStrictEqual(
      actions.map((a) => a.title),
      ['Keep table `User`: add `@@map("User")` to `Customer`', 'Generate phased migration (rename-table)', 'Ignore rename-table here', 'Show documentation for rename-table'],
    );
    assert.strictEqual(apply(schema, actions[0]), ['model Customer {', '  id    Int    @id', '  email String @unique', '', '  @@map("User")', '}', ''].join('\n'));
    // A model-level finding is suppressed above the model.
    assert.strictEqual(apply(schema, actions[2]), `// migration-guard-ignore rename-table -- TODO: say why this is safe here\n${schema}`);
  });

  it('puts @@map below existing block attributes, or replaces an existing @@map', () => {
    const withIndex = ['model Customer {', '    id Int @id', '', '    @@index([id])', '}'].join('\n');
    const [below] = actionsFor(withIndex, finding({ fix: { kind: 'keepTableName', model: 'Customer', table: 'User' } }));
    assert.strictEqual(apply(withIndex, below), ['model Customer {', '    id Int @id', '', '    @@index([id])', '    @@map("User")', '}'].join('\n'));
    const mapped = ['model Customer {', '  id Int @id', '  @@map("customers")', '}'].join('\n');
    const [replace] = actionsFor(mapped, finding({ fix: { kind: 'keepTableName', model: 'Customer', table: 'User' } }));
    assert.strictEqual(apply(mapped, replace), ['model Customer {', '  id Int @id', '  @@map("User")', '}'].join('\n'));
  });

  it('adds a database default, and replaces an @map that changed', () => {
    const text = ['model User {', '  id     Int     @id', '  active Boolean', '  handle String  @map("user_handle") // login', '}'].join('\n');
    const [withDefault] = actionsFor(text, finding({ ruleId: 'add-required-column', fix: { kind: 'addDatabaseDefault', model: 'User', field: 'active', suggestion: 'false' } }));
    assert.strictEqual(withDefault.title, 'Add a database default `@default(false)` to `User.active`');
    assert.strictEqual(apply(text, withDefault), text.replace('  active Boolean', '  active Boolean @default(false)'));
    const [keep] = actionsFor(text, finding({ ruleId: 'rename-column', fix: { kind: 'keepColumnName', model: 'User', field: 'handle', column: 'handle_old' } }));
    assert.strictEqual(apply(text, keep), text.replace('@map("user_handle")', '@map("handle_old")'));
  });

  it('indents the suppression like the field and keeps CRLF line ends', () => {
    const text = ['model User {', '\tid Int @id', '\tphone String', '}'].join('\r\n');
    const found = finding({ ruleId: 'add-required-column', change: { kind: 'addColumn', table: 'User', tableKey: 'User', column: 'phone', model: 'User', field: 'phone', source: { file: SCHEMA, range: range(2, 1, 13) }, after: { name: 'phone', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false } }, fix: { kind: 'makeOptional', model: 'User', field: 'phone' } });
    const actions = actionsFor(text, found);
    assert.strictEqual(apply(text, actions[0]), text.replace('\tphone String', '\tphone String?'));
    assert.strictEqual(apply(text, actions[2]), text.replace('\tphone String', '\t// migration-guard-ignore add-required-column -- TODO: say why this is safe here\r\n\tphone String'));
  });

  it('offers only ignore and documentation for a migration.sql finding, with a SQL comment', () => {
    const file = path.join(ROOT, 'prisma', 'migrations', '20240101000000_x', 'migration.sql');
    const sql = '-- CreateIndex\n  CREATE INDEX "a_b_idx" ON "a"("b");\n';
    const actions = actionsFor(sql, finding({ ruleId: 'sql-index-not-concurrent', file, range: range(1, 2, 36), statement: { migration: '20240101000000_x', kind: 'IndexStmt', text: '' } }), 7);
    assert.deepStrictEqual(actions.map((a) => a.title), ['Ignore sql-index-not-concurrent here', 'Show documentation for sql-index-not-concurrent']);
    assert.strictEqual(apply(sql, actions[0]), '-- CreateIndex\n  -- migration-guard-ignore sql-index-not-concurrent -- TODO: say why this is safe here\n  CREATE INDEX "a_b_idx" ON "a"("b");\n');
    assert.deepStrictEqual(actions[1].command, { title: 'Show documentation for sql-index-not-concurrent', command: 'migrationGuard.showDocumentation', arguments: ['file:///pkg/docs/rules/rename-table.md', 'sql-index-not-concurrent'] });
  });

  it('computes nothing for stale versions, other sources, or unrequested kinds', () => {
    const found = finding({ fix: { kind: 'keepTableName', model: 'Customer', table: 'User' } });
    const diagnostic = findingToDiagnostic(found, ROOT, 2, PACKAGE);
    const base = { uri: `file://${SCHEMA}`, file: SCHEMA, text: schema, documentChanges: true };
    assert.deepStrictEqual(computeCodeActions({ ...base, version: 3, diagnostics: [diagnostic] }), []);
    const foreign: Diagnostic = { ...diagnostic, source: 'prisma' };
    assert.deepStrictEqual(computeCodeActions({ ...base, version: 2, diagnostics: [foreign] }), []);
    assert.deepStrictEqual(computeCodeActions({ ...base, version: 2, diagnostics: [diagnostic], only: ['refactor'] }), []);
    assert.strictEqual(computeCodeActions({ ...base, version: 2, diagnostics: [diagnostic], only: ['quickfix'] }).length, 4);
  });

  it('accepts a diagnostic computed from the disk while the open text is the same as the disk', () => {
    const found = finding({ fix: { kind: 'keepTableName', model: 'Customer', table: 'User' } });
    const fromDisk = findingToDiagnostic(found, ROOT, null, PACKAGE);
    const base = { uri: `file://${SCHEMA}`, file: SCHEMA, text: schema, version: 1, diagnostics: [fromDisk], documentChanges: true };
    const titles = (actions: CodeAction[]): string[] => actions.map((a) => a.title);
    assert.deepStrictEqual(titles(computeCodeActions({ ...base, diskText: () => schema })), [
      'Keep table `User`: add `@@map("User")` to `Customer`',
      'Generate phased migration (rename-table)',
      'Ignore rename-table here',
      'Show documentation for rename-table',
    ]);
    // The versioned edit names the open document's version.
    const [fix] = computeCodeActions({ ...base, diskText: () => schema });
    assert.deepStrictEqual((fix.edit?.documentChanges?.[0] as { textDocument: { version: number } }).textDocument.version, 1);
    assert.deepStrictEqual(computeCodeActions({ ...base, diskText: () => `${schema}\n// typed since` }), []);
    assert.deepStrictEqual(computeCodeActions({ ...base, diskText: () => undefined }), []);
    assert.deepStrictEqual(computeCodeActions(base), []);
  });

  it('uses plain changes for clients without versioned document changes', () => {
    const [fix] = actionsFor(schema, finding({ fix: { kind: 'keepTableName', model: 'Customer', table: 'User' } }), 3, { documentChanges: false });
    assert.deepStrictEqual(Object.keys(fix.edit ?? {}), ['changes']);
  });

  it('skips the fix when the document no longer has the field', () => {
    const actions = actionsFor(schema, finding({ ruleId: 'add-required-column', fix: { kind: 'makeOptional', model: 'Customer', field: 'gone' } }));
    assert.deepStrictEqual(actions.map((a) => a.title), ['Generate phased migration (add-required-column)', 'Ignore add-required-column here', 'Show documentation for add-required-column']);
  });
});

describe('lsp handlers: diagnostics', () => {
  it('publishes every schema file (empty ones clear) and each migration file with findings, in order', () => {
    const sqlFile = path.join(ROOT, 'prisma', 'migrations', '2_x', 'migration.sql');
    const analysis = {
      project: { root: ROOT, schemaFiles: [SCHEMA], schemaPath: SCHEMA, migrationsDir: path.join(ROOT, 'prisma', 'migrations'), foundBy: 'test' },
      provider: 'postgresql',
      findings: [
        finding({ ruleId: 'sql-drop-column', severity: 'warning', file: sqlFile, range: range(3, 0, 10), statement: { migration: '2_x', kind: 'AlterTableStmt', text: '' }, docs: 'docs/rules/sql-drop-column.md' }),
      ],
      changes: [],
      unmigrated: [],
      migrations: [],
      notes: [],
      timings: {},
    } as ProjectAnalysis;
    const files = diagnosticsByFile(analysis, (file) => (file === sqlFile ? 4 : null), PACKAGE);
    assert.deepStrictEqual(files.map((f) => [f.file, f.diagnostics.map((d) => [d.code, d.severity, (d.data as { target: string; version: number | null; migration?: string }).target, (d.data as { version: number | null }).version, (d.data as { migration?: string }).migration])]), [
      [SCHEMA, []],
      [sqlFile, [['sql-drop-column', 2, 'sql', 4, '2_x']]],
    ]);
    assert.deepStrictEqual(files[1].diagnostics[0].codeDescription, { href: 'file:///pkg/docs/rules/sql-drop-column.md' });
  });
});

describe('lsp handlers: analysis scheduler', () => {
  function deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  it('drops a run overtaken by a newer request and delivers only the latest', async () => {
    let runs = 0;
    const gates = [deferred(), deferred()];
    const delivered: number[] = [];
    const scheduler = new AnalysisScheduler<number>(
      {
        run: async () => {
          const n = runs++;
          await gates[n].promise;
          return n;
        },
        deliver: (value) => delivered.push(value),
        fail: (error) => assert.fail(String(error)),
      },
      1,
    );
    scheduler.schedule(0);
    await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(runs, 1);
    scheduler.schedule(0); // an edit while the first run is in progress
    await new Promise((r) => setTimeout(r, 10));
    gates[0].resolve();
    gates[1].resolve();
    const outcome = await scheduler.current();
    assert.deepStrictEqual(outcome.value, 1);
    assert.deepStrictEqual(delivered, [1]);
    assert.strictEqual(scheduler.busy, false);
  });

  it('drops a finished run when a newer request was waiting to be dispatched (a keystroke still in the pipe)', async () => {
    let runs = 0;
    const delivered: number[] = [];
    const scheduler = new AnalysisScheduler<number>(
      {
        run: async () => {
          const n = runs++;
          // As the JSON-RPC connection does with a message read meanwhile: dispatched from an immediate queued by another immediate.
          if (n === 0) setImmediate(() => setImmediate(() => scheduler.schedule(0)));
          return n;
        },
        deliver: (value) => delivered.push(value),
        fail: (error) => assert.fail(String(error)),
      },
      1,
    );
    scheduler.schedule(0);
    await new Promise((r) => setTimeout(r, 30));
    const outcome = await scheduler.current();
    assert.deepStrictEqual([runs, outcome.value, delivered], [2, 1, [1]]);
  });

  it('debounces: a burst of requests costs one run', async () => {
    let runs = 0;
    const scheduler = new AnalysisScheduler<number>({ run: async () => ++runs, deliver: () => undefined, fail: () => undefined }, 20);
    for (let i = 0; i < 5; i++) scheduler.schedule();
    await new Promise((r) => setTimeout(r, 80));
    assert.strictEqual(runs, 1);
    assert.deepStrictEqual((await scheduler.current()).value, 1);
  });

  it('reports a failing run and keeps working', async () => {
    let fail = true;
    const failures: string[] = [];
    const scheduler = new AnalysisScheduler<string>(
      {
        run: async () => {
          if (fail) throw new Error('boom');
          return 'ok';
        },
        deliver: () => undefined,
        fail: (error) => failures.push((error as Error).message),
      },
      1,
    );
    scheduler.schedule(0);
    assert.strictEqual(((await scheduler.current()).error as Error).message, 'boom');
    fail = false;
    scheduler.schedule(0);
    assert.strictEqual((await scheduler.current()).value, 'ok');
    assert.deepStrictEqual(failures, ['boom']);
  });
});

describe('lsp handlers: settings, projects, report', () => {
  it('keeps only the settings the user set, and merges them over the project file', () => {
    const raw = { rules: { 'drop-column': 'warning' }, postgresVersion: null, deployed: '', smallTables: null, trace: { server: 'verbose' } };
    assert.deepStrictEqual(editorSettingsFrom(raw), { rules: { 'drop-column': 'warning' } });
    assert.deepStrictEqual(editorSettingsFrom({ rules: {}, postgresVersion: 14 }), { postgresVersion: 14 });
    assert.deepStrictEqual(editorSettingsFrom(null), {});
    const notes: { message: string }[] = [];
    const merged = applyEditorSettings({ ...defaultConfig, rules: { 'create-index-blocking': 'info' }, smallTables: ['Country'] }, { rules: { 'drop-column': 'warning' }, postgresVersion: 99 }, notes as never);
    assert.deepStrictEqual(merged, { rules: { 'create-index-blocking': 'info', 'drop-column': 'warning' }, postgresVersion: 16, deployed: 'git', smallTables: ['Country'] });
    assert.deepStrictEqual(notes.map((n) => n.message), ['VS Code settings (migrationGuard.*): postgresVersion must be a PostgreSQL major version such as 16.']);
  });

  it('finds each project once: multi-file schema folders, package.json schema paths, no node_modules', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-discover-'));
    try {
      const write = (file: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      };
      const datasource = 'datasource db {\n  provider = "postgresql"\n}\n';
      write('services/orders/prisma/schema/schema.prisma', datasource);
      write('services/orders/prisma/schema/order.prisma', 'model Order {\n  id Int @id\n}\n');
      write('services/orders/prisma/schema/migrations/1_init/migration.sql', 'CREATE TABLE "Order" ("id" INTEGER NOT NULL);\n');
      write('tools/custom/package.json', JSON.stringify({ prisma: { schema: 'db/main.prisma' } }));
      write('tools/custom/db/main.prisma', datasource);
      write('node_modules/dep/prisma/schema.prisma', datasource);
      write('.cache/prisma/schema.prisma', datasource);
      write('docs/example.prisma', datasource);
      const found = discoverProjects(dir).map((p) => [path.relative(dir, p.root), p.schemaFiles.map((f) => path.relative(dir, f)), path.relative(dir, p.migrationsDir)]);
      assert.deepStrictEqual(found, [
        ['services/orders', ['services/orders/prisma/schema/order.prisma', 'services/orders/prisma/schema/schema.prisma'], 'services/orders/prisma/schema/migrations'],
        ['tools/custom', ['tools/custom/db/main.prisma'], 'tools/custom/db/migrations'],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders an empty workspace and a project that could not be checked', () => {
    assert.match(renderMarkdown([]), /No Prisma project found in this workspace/);
    const markdown = renderMarkdown([
      { root: ROOT, name: 'api', schemaFiles: [SCHEMA], migrationsDir: '', error: 'cannot tell which migrations are deployed', changes: [], findings: [], migrations: [], notes: [], counts: { error: 0, warning: 0, info: 0 } },
    ]);
    assert.deepStrictEqual(markdown.split('\n'), [
      '# Migration safety report',
      '',
      '1 Prisma project checked: no unsafe changes.',
      '',
      '## api',
      '',
      'Schema: `prisma/schema.prisma`',
      '',
      '**The check could not run:** cannot tell which migrations are deployed',
      '',
    ]);
  });
});
