/**
 * The VS Code side: starts the language server, shows its state in the status
 * bar, and runs "Check migration safety" (the report). Diagnostics, code
 * actions and the phased-migration commands come from the server, so every
 * LSP client gets the same behaviour.
 */
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import {
  Commands,
  type ProtocolNotification,
  type ProtocolRequest,
  ReportRequest,
  type ReportResult,
  StatusNotification,
  type StatusParams,
} from '../../server/src/lsp/protocol';

const PRISMA_EXTENSION_ID = 'Prisma.prisma';
const REPORT_FILE = 'migration-safety-report.md';

let client: LanguageClient | undefined;

function request<P, R>(target: LanguageClient, type: ProtocolRequest<P, R>, params: P, token?: vscode.CancellationToken): Promise<R> {
  return target.sendRequest<R>(type.method, params, token);
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
async function openReport(context: vscode.ExtensionContext, markdown: string): Promise<vscode.Uri | undefined> {
  const folder = context.storageUri ?? context.globalStorageUri;
  try {
    await vscode.workspace.fs.createDirectory(folder);
    const file = vscode.Uri.joinPath(folder, REPORT_FILE);
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(markdown));
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
  const current = client;
  if (!current || current.state !== State.Running) {
    void vscode.window.showErrorMessage('Prisma Migration Guard: the language server is not running; see the "Prisma Migration Guard" output.');
    return undefined;
  }
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
  return { report, ...(file ? { file: file.toString() } : {}) };
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
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'prisma' },
      { scheme: 'file', pattern: '**/migrations/**/migration.sql' },
    ],
    outputChannel: output,
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
