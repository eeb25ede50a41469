/**
 * Runs INSIDE VS Code's extension host, with a temp copy of examples/shop open
 * as the workspace and the packaged extension installed (see codeServer.ts).
 * What a user sees, through the API: the diagnostics of schema.prisma (exactly
 * what the CLI reports for the same folder), the "make optional" quick fix
 * applied, and "Check migration safety" writing and opening its report.
 *
 * The tests run in order and share the workspace: the quick fix edits and saves
 * the schema, and the report is taken after it.
 */
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { linksRelativeTo } from '../../../client/src/reportLinks';
import type { ReportResult } from '../../../server/src/lsp/protocol';

/** out/test/vscode/suite → the checkout. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI = path.join(REPO_ROOT, 'out', 'server', 'src', 'cli.js');
const EXTENSION_ID = 'migration-guard.prisma-migration-guard';
const SOURCE = 'migration-guard';
const COMMANDS = ['migrationGuard.checkSafety', 'migrationGuard.generatePhasedMigration', 'migrationGuard.advancePhase'];

interface CliFinding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

const SEVERITY_NAMES: Record<CliFinding['severity'], string> = { error: 'Error', warning: 'Warning', info: 'Information' };

function severityName(severity: vscode.DiagnosticSeverity): string {
  switch (severity) {
    case vscode.DiagnosticSeverity.Error:
      return 'Error';
    case vscode.DiagnosticSeverity.Warning:
      return 'Warning';
    case vscode.DiagnosticSeverity.Information:
      return 'Information';
    default:
      return 'Hint';
  }
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return String(typeof code === 'object' && code !== null ? code.value : code);
}

/** One comparable line per diagnostic: rule id, severity, range, source, message. */
function describeDiagnostic(d: vscode.Diagnostic): string {
  const r = d.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${severityName(d.severity)} ${codeOf(d)} [${d.source ?? ''}] ${d.message}`;
}

function describeFinding(f: CliFinding): string {
  const r = f.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${SEVERITY_NAMES[f.severity]} ${f.ruleId} [${SOURCE}] ${f.message}`;
}

const byPosition = (a: string, b: string): number => {
  const key = (s: string): number[] => s.split(/[ :-]/, 4).map(Number);
  const [x, y] = [key(a), key(b)];
  return x[0] - y[0] || x[1] - y[1] || a.localeCompare(b);
};

/** What the command-line tool reports for the same folder, from the files on disk. */
function cliFindings(root: string): Promise<CliFinding[]> {
  return new Promise((resolve, reject) => {
    // The extension host runs on the same Node as the server; `process.execPath` is that Node.
    execFile(process.execPath, [CLI, 'check', root, '--format', 'json', '--fail-on', 'never'], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the CLI failed: ${error.message}\n${stderr}`));
      else resolve((JSON.parse(stdout) as { findings: CliFinding[] }).findings);
    });
  });
}

/**
 * What the CLI reports for the project with the schema as the editor holds it, unsaved edits included: the
 * findings of a scratch copy of the project whose schema.prisma has that text. (The server judges open
 * documents by their text, not by the file on disk.)
 */
async function cliFindingsForText(root: string, text: string): Promise<CliFinding[]> {
  // Beside the workspace (a temp folder outside git), so that git sees no difference either.
  const scratch = fs.mkdtempSync(path.join(path.dirname(root), 'cli-'));
  try {
    const copy = path.join(scratch, path.basename(root));
    fs.cpSync(root, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'prisma', 'schema.prisma'), text);
    return await cliFindings(copy);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Polls `probe` until `done` holds or the deadline passes; then fails with the last value seen. */
async function until<T>(what: string, probe: () => T | Thenable<T>, done: (value: T) => boolean, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms; last seen:\n${JSON.stringify(value, null, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Names the step a failure happened in: VS Code's own errors (`Canceled`) do not say which call they came from. */
async function step<T>(what: string, work: Thenable<T> | Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const wrapped = new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.message}\n${error.stack}`;
    throw wrapped;
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

describe('Prisma Migration Guard in VS Code', function () {
  let root: string;
  let schemaUri: vscode.Uri;
  let document: vscode.TextDocument;

  const ours = (): string[] => vscode.languages.getDiagnostics(schemaUri).map(describeDiagnostic).sort(byPosition);
  /** The CLI's findings for the schema as the editor holds it now. */
  const currentFindings = (): Promise<CliFinding[]> => cliFindingsForText(root, document.getText());
  const expectedFor = async (): Promise<string[]> =>
    (await currentFindings()).filter((f) => f.file === 'prisma/schema.prisma').map(describeFinding).sort(byPosition);

  /**
   * The document version the server computed a diagnostic for (`data.version` of the LSP diagnostic,
   * which vscode-languageclient keeps on the object); null when it was computed from the file on disk.
   */
  const versionOf = (d: vscode.Diagnostic): number | null | undefined => (d as vscode.Diagnostic & { data?: { version?: number | null } }).data?.version;

  /**
   * Waits until the schema's diagnostics are exactly `expected` (every diagnostic on the file, whatever
   * its source) and were computed for the open document's current text: the server first publishes
   * what it found on disk, and its quick fixes apply only to diagnostics of the text being edited.
   */
  async function diagnosticsBecome(expected: string[]): Promise<void> {
    const current = (): { diagnostics: string[]; versions: (number | null | undefined)[] } => {
      const all = vscode.languages.getDiagnostics(schemaUri);
      return { diagnostics: all.map(describeDiagnostic).sort(byPosition), versions: [...new Set(all.map(versionOf))] };
    };
    try {
      await until('the diagnostics of schema.prisma', current, (now) => same(now.diagnostics, expected) && same(now.versions, [document.version]));
    } catch (error) {
      assert.deepStrictEqual(ours(), expected, 'the diagnostics differ from what the CLI reports for the same folder');
      throw error;
    }
  }

  before(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    root = folder.uri.fsPath;
    schemaUri = vscode.Uri.joinPath(folder.uri, 'prisma', 'schema.prisma');
    assert.ok(fs.existsSync(schemaUri.fsPath), `${schemaUri.fsPath} does not exist`);
  });

  after(async () => {
    // Leaves the window without unsaved changes, so that closing it asks nothing.
    if (document?.isDirty) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  it('is the installed extension, and it activates on its own for a Prisma workspace', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    // The runner says where it installed the .vsix: the code under test must be that copy, not the checkout.
    const installed = process.env.MG_VSCODE_EXTENSION_DIR;
    if (installed) assert.strictEqual(path.resolve(extension.extensionPath), path.resolve(installed));
    assert.strictEqual((extension.packageJSON as { main: string }).main, './dist/extension.js');
    // `workspaceContains:**/schema.prisma` activates it; nothing here calls activate().
    await until('activation', () => extension.isActive, (active) => active);
  });

  it('shows exactly the findings of the CLI as diagnostics when schema.prisma is opened', async () => {
    document = await vscode.workspace.openTextDocument(schemaUri);
    await vscode.window.showTextDocument(document);
    assert.strictEqual(document.languageId, 'prisma');
    const expected = await expectedFor();
    // The example's unsafe edits (README): not a count, the whole list with ranges, severities and messages.
    assert.deepStrictEqual(
      expected.map((e) => e.split(' ').slice(1, 3).join(' ')),
      [
        'Error remove-enum-value',
        'Error add-required-column',
        'Error drop-column',
        'Error rename-column',
        'Warning add-unique-constraint',
        'Warning schema-drift',
        'Error make-column-required',
        'Warning create-index-blocking',
        'Warning change-column-type',
        'Warning schema-drift',
      ],
      'the CLI no longer reports the example findings this suite was written for',
    );
    await diagnosticsBecome(expected);
    for (const diagnostic of vscode.languages.getDiagnostics(schemaUri)) {
      assert.strictEqual(diagnostic.source, SOURCE);
      const code = diagnostic.code;
      assert.ok(typeof code === 'object' && code !== null && /\/docs\/rules\/[a-z-]+\.md$/.test(code.target.path), `${codeOf(diagnostic)} links to its rule page`);
    }
  });

  it('offers "make optional" at the add-required-column diagnostic; applying it fixes the finding', async () => {
    const diagnostic = vscode.languages.getDiagnostics(schemaUri).find((d) => codeOf(d) === 'add-required-column');
    assert.ok(diagnostic, 'no add-required-column diagnostic');
    const line = diagnostic.range.start.line;
    assert.match(document.lineAt(line).text, /^\s*phone\s+String\s*$/);

    // VS Code cancels a code-action request when the set of code-action providers changes under it (here the
    // JSON extensions activate when the npm extension reads the example's package.json): the request then
    // throws `Canceled` or answers nothing, and the editor asks again. So does this, until the deadline.
    const offered = await until(
      'the quick fixes at the add-required-column diagnostic',
      async () => {
        try {
          return await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
            'vscode.executeCodeActionProvider',
            schemaUri,
            diagnostic.range,
            vscode.CodeActionKind.QuickFix.value,
            10, // resolve lazily computed edits
          );
        } catch (error) {
          if (error instanceof Error && error.name === 'Canceled') return [];
          throw error;
        }
      },
      (result) => result.length > 0,
      30000,
    );
    const actions = offered.filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
    // (The API command returns the actions without their `diagnostics`; the range is the diagnostic's alone.)
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Make `User.phone` optional'), `quick fixes offered: ${JSON.stringify(titles)}`);
    const fix = actions.find((a) => a.title === 'Make `User.phone` optional');
    assert.ok(fix?.edit, 'the quick fix has no edit');
    assert.strictEqual(fix.isPreferred, true);
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `kind ${fix.kind?.value}`);

    assert.strictEqual(await step('applyEdit', vscode.workspace.applyEdit(fix.edit)), true, 'the workspace edit was not applied');
    if (fix.command) await step(fix.command.command, vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? [])));
    assert.match(document.lineAt(line).text, /^\s*phone\s+String\?\s*$/);
    // Left unsaved: the guard judges the text being edited, and so does the CLI run on that text.
    assert.strictEqual(document.isDirty, true);

    const expected = await expectedFor();
    assert.ok(!expected.some((e) => e.includes(' add-required-column ')), `the CLI still reports add-required-column:\n${expected.join('\n')}`);
    await diagnosticsBecome(expected);
  });

  it('"Check migration safety" writes the report and opens it as a Markdown preview', async () => {
    // The report, like the diagnostics, is about the schema as edited (the quick fix above is not saved).
    const findings = await currentFindings();
    const result = await vscode.commands.executeCommand<{ report: ReportResult; file?: string } | undefined>('migrationGuard.checkSafety');
    assert.ok(result, 'the command returned nothing (is the language server running?)');
    assert.strictEqual(result.report.projects.length, 1);
    const [project] = result.report.projects;
    assert.strictEqual(path.resolve(project.root), path.resolve(root));
    const count = (severity: CliFinding['severity']): number => findings.filter((f) => f.severity === severity).length;
    assert.deepStrictEqual(project.counts, { error: count('error'), warning: count('warning'), info: count('info') });

    assert.ok(result.file, 'the report was not written to a file');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(result.file)));
    // The server's report, with its file: links made relative to where the file was written (the preview follows only those).
    assert.strictEqual(text, linksRelativeTo(result.report.markdown, vscode.Uri.parse(result.file).fsPath));
    assert.ok(result.report.markdown.includes('](file:') && !text.includes('](file:'), 'the links were not rewritten');
    const ruleIds = [...new Set(findings.map((f) => f.ruleId))].sort();
    assert.ok(ruleIds.length >= 5, `rule ids: ${ruleIds.join(', ')}`);
    for (const id of ruleIds) assert.ok(text.includes(id), `the report does not mention ${id}`);

    const preview = await until(
      'the Markdown preview of the report',
      () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).map((tab) => ({ label: tab.label, viewType: tab.input instanceof vscode.TabInputWebview ? tab.input.viewType : '' })),
      (tabs) => tabs.some((tab) => /markdown\.preview/.test(tab.viewType) && tab.label.includes('migration-safety-report.md')),
      30000,
    );
    assert.ok(preview.length > 0);
  });

  it('registers its commands (the client\'s and the ones the server executes)', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const command of COMMANDS) assert.ok(commands.has(command), `${command} is not registered`);
  });
});
