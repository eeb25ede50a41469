/**
 * The VS Code side: starts the language server, shows its state in the status
 * bar, and runs "Check migration safety" (the report), "Trace locks of
 * pending migrations" and "Preflight pending changes against the database". Diagnostics, code actions and the phased-migration
 * commands come from the server, so every LSP client gets the same behaviour;
 * the language client registers the server's commands itself, and the
 * middleware below only adds what the command palette cannot pass (the
 * active editor's project, the diagnostic under the cursor, a choice).
 */
import * as vscode from 'vscode';
import { type ExecuteCommandSignature, LanguageClient, type LanguageClientOptions, type ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import {
  type AdvancePhaseArgs,
  type CommandAnswer,
  Commands,
  DIAGNOSTIC_SOURCE,
  type GuardDiagnosticData,
  LockTraceRequest,
  type LockTraceResult,
  PreflightProgressNotification,
  PreflightRequest,
  type PreflightResult,
  type ProtocolNotification,
  type ProtocolRequest,
  ReportRequest,
  type ReportResult,
  StatusNotification,
  type StatusParams,
} from '../../server/src/lsp/protocol';
import { serverProcessEnv } from '../../server/src/lsp/processEnvironment';
import { linksRelativeTo } from './reportLinks';

const PRISMA_EXTENSION_ID = 'Prisma.prisma';
const REPORT_FILE = 'migration-safety-report.md';
const LOCK_TRACE_FILE = 'migration-lock-trace.md';
const PREFLIGHT_FILE = 'migration-preflight.md';

let client: LanguageClient | undefined;

function request<P, R>(target: LanguageClient, type: ProtocolRequest<P, R>, params: P, token?: vscode.CancellationToken): Promise<R> {
  return target.sendRequest<R>(type.method, params, token);
}

/** The language client when it is running; otherwise undefined, and the user is told. */
function runningClient(): LanguageClient | undefined {
  if (client && client.state === State.Running) return client;
  void vscode.window.showErrorMessage('Prisma Migration Guard: the language server is not running; see the "Prisma Migration Guard" output.');
  return undefined;
}

function onNotification<P>(target: LanguageClient, type: ProtocolNotification<P>, handler: (params: P) => void): vscode.Disposable {
  return target.onNotification(type.method, (params: P) => handler(params));
}

class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('migrationGuard.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Prisma Migration Guard';
    this.item.command = Commands.checkSafety;
    this.show({ state: 'starting', projects: 0, unsafe: 0, findings: 0 });
  }

  show(status: StatusParams): void {
    const item = this.item;
    item.backgroundColor = undefined;
    switch (status.state) {
      case 'starting':
        item.text = '$(loading~spin) Migration Guard';
        item.tooltip = 'Prisma Migration Guard is starting';
        break;
      case 'analysing':
        item.text = '$(sync~spin) Migration Guard: analysing';
        item.tooltip = 'Checking the schema against the migrations';
        break;
      case 'error':
        item.text = '$(error) Migration Guard: error';
        item.tooltip = `${status.message ?? 'The check failed'}\n\nClick to open the report; details are in the "Prisma Migration Guard" output.`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'idle':
        if (status.unsafe === 0) {
          item.text = '$(shield) Migration Guard: safe';
          item.tooltip = `No unsafe changes in ${status.projects} Prisma project(s)${status.findings ? ` (${status.findings} info)` : ''}. Click for the report.`;
        } else {
          item.text = `$(warning) Migration Guard: ${status.unsafe} unsafe change${status.unsafe === 1 ? '' : 's'}`;
          item.tooltip = 'Click to open the migration safety report';
          item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        }
        break;
    }
    if (status.state === 'idle' && status.projects === 0) item.hide();
    else item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** Writes the report where the workspace keeps its state (or the global storage) and opens the Markdown preview. */
async function openReport(context: vscode.ExtensionContext, markdown: string, name = REPORT_FILE): Promise<vscode.Uri | undefined> {
  const folder = context.storageUri ?? context.globalStorageUri;
  try {
    await vscode.workspace.fs.createDirectory(folder);
    const file = vscode.Uri.joinPath(folder, name);
    const text = file.scheme === 'file' ? linksRelativeTo(markdown, file.fsPath) : markdown;
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
    try {
      await vscode.commands.executeCommand('markdown.showPreview', file);
    } catch {
      // Without the built-in Markdown extension the source is still readable.
      await vscode.window.showTextDocument(file);
    }
    return file;
  } catch {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
    await vscode.window.showTextDocument(document);
    return document.uri;
  }
}

async function checkSafety(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<{ report: ReportResult; file?: string } | undefined> {
  const current = runningClient();
  if (!current) return undefined;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Checking migration safety', cancellable: true },
    async (progress, token) => {
      progress.report({ message: 'comparing each Prisma schema with its migrations…' });
      return request(current, ReportRequest, {}, token);
    },
  );
  if (!report) return undefined;
  const unsafe = report.projects.reduce((sum, p) => sum + p.counts.error + p.counts.warning, 0);
  output.appendLine(`Checked ${report.projects.length} Prisma project(s): ${unsafe} unsafe change(s).`);
  const file = await openReport(context, report.markdown);
  offerLockTrace(report);
  return { report, ...(file ? { file: file.toString() } : {}) };
}

/** The lock trace takes seconds and hundreds of MB: the report offers it, it never starts it. Not awaited: the report is open already. */
function offerLockTrace(report: ReportResult): void {
  const pending = report.projects.filter((p) => p.provider === 'postgresql').reduce((sum, p) => sum + p.migrations.filter((m) => !m.deployed).length, 0);
  if (pending === 0) return;
  const action = 'Trace locks';
  void vscode.window
    .showInformationMessage(`${pending} pending migration${pending === 1 ? '' : 's'}: run ${pending === 1 ? 'it' : 'them'} on an embedded PostgreSQL to see the locks each statement takes (10–20 s)?`, action)
    .then((choice) => (choice === action ? vscode.commands.executeCommand(Commands.traceLocks) : undefined));
}

async function traceLocks(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<{ result: LockTraceResult; file?: string } | undefined> {
  const current = runningClient();
  if (!current) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Tracing the locks of pending migrations', cancellable: true },
    async (progress, token) => {
      progress.report({ message: 'running them on an embedded PostgreSQL (10–20 s)…' });
      return request(current, LockTraceRequest, {}, token);
    },
  );
  if (!result) return undefined;
  if (!result.available) {
    output.appendLine(result.message ?? 'The lock trace is not available.');
    void vscode.window.showWarningMessage(`Prisma Migration Guard: ${result.message ?? 'the lock trace is not available.'}`);
    return { result };
  }
  if (result.message) void vscode.window.showWarningMessage(`Prisma Migration Guard: ${result.message}`);
  const file = await openReport(context, result.markdown, LOCK_TRACE_FILE);
  return { result, ...(file ? { file: file.toString() } : {}) };
}

/**
 * Counts, in the configured database, the rows the pending changes would fail
 * on. The server does the work; this shows its progress, lets the user cancel
 * (the server stops between two statements and closes the session), and opens
 * the result. The diagnostics get the counts from the server's next analysis.
 */
async function preflight(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<{ result: PreflightResult; file?: string } | undefined> {
  const current = runningClient();
  if (!current) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Preflight against the database', cancellable: true },
    async (progress, token) => {
      progress.report({ message: 'connecting read-only…' });
      let reported = 0;
      const listener = onNotification(current, PreflightProgressNotification, (params) => {
        const percent = params.total > 0 ? (params.done / params.total) * 100 : 100;
        progress.report({ message: `${params.project}: ${params.done} of ${params.total} count(s)`, increment: Math.max(0, percent - reported) });
        reported = percent;
      });
      try {
        return await request(current, PreflightRequest, {}, token);
      } finally {
        listener.dispose();
      }
    },
  );
  if (!result) return undefined;
  output.appendLine(`Preflight: ${result.counted} project(s) counted.${result.message ? ` ${result.message}` : ''}`);
  if (result.message) void vscode.window.showWarningMessage(`Prisma Migration Guard: ${result.message}`);
  const file = await openReport(context, result.markdown, PREFLIGHT_FILE);
  return { result, ...(file ? { file: file.toString() } : {}) };
}

/** The Migration Guard diagnostic under the cursor of the active editor, as the quick fix would pass it. */
async function diagnosticAtCursor(): Promise<GuardDiagnosticData | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const position = editor.selection.active;
  const found = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.source === DIAGNOSTIC_SOURCE && (d.range.contains(position) || d.range.start.line === position.line))
    // The language client keeps the server's `data` on the diagnostic object.
    .map((d) => ({ diagnostic: d, data: (d as vscode.Diagnostic & { data?: GuardDiagnosticData }).data }))
    .filter((d): d is { diagnostic: vscode.Diagnostic; data: GuardDiagnosticData } => d.data?.target === 'schema' && d.data.change !== undefined);
  if (found.length <= 1) return found[0]?.data;
  const pick = await vscode.window.showQuickPick(
    found.map((d) => ({ label: String(d.diagnostic.code ?? d.data.ruleId), detail: d.diagnostic.message, data: d.data })),
    { placeHolder: 'Which change should get a phased migration?' },
  );
  return pick?.data;
}

/**
 * From the command palette the server's commands get no arguments: add the
 * diagnostic under the cursor (generate) or the active editor's file (advance),
 * and let the user choose when the server answers with several plans.
 */
async function executeWithContext(command: string, args: unknown[], next: ExecuteCommandSignature): Promise<unknown> {
  if (command === Commands.generatePhasedMigration && args.length === 0) {
    const data = await diagnosticAtCursor();
    return next(command, data ? [data] : []);
  }
  if (command === Commands.advancePhase) {
    const file = vscode.window.activeTextEditor?.document.uri;
    const given = (args[0] && typeof args[0] === 'object' ? args[0] : {}) as AdvancePhaseArgs;
    const withFile: AdvancePhaseArgs = given.projectRoot || given.file || file?.scheme !== 'file' ? given : { ...given, file: file.fsPath };
    const answer = (await next(command, [withFile])) as CommandAnswer | undefined;
    if (!answer?.choices || answer.choices.length === 0) return answer;
    const pick = await vscode.window.showQuickPick(
      answer.choices.map((c) => ({ label: c.label, args: c.args })),
      { placeHolder: 'Several phased migration plans are in progress: which one should advance?' },
    );
    return pick ? next(command, [pick.args]) : answer;
  }
  return next(command, args);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Prisma Migration Guard');
  context.subscriptions.push(output);
  const status = new StatusItem();
  context.subscriptions.push(status);

  output.appendLine(
    vscode.extensions.getExtension(PRISMA_EXTENSION_ID)
      ? `${PRISMA_EXTENSION_ID} is installed: its grammar highlights .prisma files (ours defers to it).`
      : `${PRISMA_EXTENSION_ID} is not installed: Prisma Migration Guard's own grammar highlights .prisma files.`,
  );

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    // Added to the extension host's environment for the server: a faster first analysis on Linux (processEnvironment.ts).
    run: { module: serverModule, transport: TransportKind.ipc, options: { env: serverProcessEnv(process.env) } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'prisma' },
      { scheme: 'file', pattern: '**/migrations/**/migration.sql' },
    ],
    outputChannel: output,
    middleware: { executeCommand: executeWithContext },
    // The server keeps the replayed migrations there between sessions (the workspace's storage, or the global one without a workspace).
    initializationOptions: { storageDir: (context.storageUri ?? context.globalStorageUri).fsPath },
  };
  // The id makes the client honour `migrationGuard.trace.server`.
  const languageClient = new LanguageClient('migrationGuard', 'Prisma Migration Guard', serverOptions, clientOptions);
  client = languageClient;

  context.subscriptions.push(
    onNotification(languageClient, StatusNotification, (params) => status.show(params)),
    languageClient.onDidChangeState((event) => {
      if (event.newState === State.Stopped) status.show({ state: 'error', projects: 1, unsafe: 0, findings: 0, message: 'The language server stopped.' });
    }),
    vscode.commands.registerCommand(Commands.checkSafety, () => checkSafety(context, output)),
    vscode.commands.registerCommand(Commands.traceLocks, () => traceLocks(context, output)),
    vscode.commands.registerCommand(Commands.preflight, () => preflight(context, output)),
  );

  try {
    // Awaited so that a command that activated the extension finds the server's commands registered.
    await languageClient.start();
  } catch (error) {
    output.appendLine(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    status.show({ state: 'error', projects: 1, unsafe: 0, findings: 0, message: 'The language server did not start.' });
  }
}

export async function deactivate(): Promise<void> {
  const current = client;
  client = undefined;
  if (current && current.state === State.Running) await current.stop();
}
