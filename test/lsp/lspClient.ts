/**
 * A small LSP client over the server's stdio, built on the real protocol
 * library, for the end-to-end tests of the language server.
 */
import { type ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  type ApplyWorkspaceEditParams,
  ApplyWorkspaceEditRequest,
  type ApplyWorkspaceEditResult,
  type ClientCapabilities,
  type CodeAction,
  CodeActionRequest,
  type Command,
  ConfigurationRequest,
  createMessageConnection,
  type Diagnostic,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExecuteCommandRequest,
  type FileEvent,
  InitializedNotification,
  InitializeRequest,
  type InitializeResult,
  LogMessageNotification,
  type MessageConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  type Range,
  RegistrationRequest,
  ShowDocumentRequest,
  ShowMessageNotification,
  ShutdownRequest,
  ExitNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentContentChangeEvent,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { LockTraceRequest, type LockTraceParams, type LockTraceResult, ReportRequest, type ReportParams, type ReportResult, StatusNotification, type StatusParams } from '../../server/src/lsp/protocol';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER_JS = path.join(REPO_ROOT, 'out', 'server', 'src', 'lsp', 'server.js');

export function uriOf(file: string): string {
  return URI.file(file).toString();
}

/** A fresh copy of an example project in the temp folder (outside git, so every migration counts as deployed). */
export function copyExample(name: string, into?: string): string {
  const target = into ?? fs.mkdtempSync(path.join(os.tmpdir(), `mg-lsp-${name}-`));
  fs.cpSync(path.join(REPO_ROOT, 'examples', name), target, { recursive: true });
  return target;
}

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
}

/**
 * Makes a copy of examples/shop a git repository in git mode whose history holds
 * the migrations but not the schema: its edits stay the user's. Committed, they
 * would be pre-existing drift, reported once, not line by line (the example
 * itself says \`deployed: all\` for that reason; the copy drops it).
 */
export function gitInitShop(root: string): void {
  fs.rmSync(path.join(root, '.migration-guard.json'), { force: true });
  git(root, 'init', '-q');
  commitExceptSchema(root, 'shop');
}

/** Commits everything but the schema files (see gitInitShop). */
export function commitExceptSchema(root: string, message: string): void {
  git(root, 'add', '-A');
  git(root, 'reset', '-q', '--', 'prisma/schema.prisma');
  git(root, 'commit', '-q', '-m', message);
}

export interface StartOptions {
  workspaceFolders: string[];
  /** Sent as rootUri when there are no workspace folders (older clients). */
  rootUri?: string;
  /** What the client answers to workspace/configuration (the `migrationGuard` section). */
  settings?: unknown;
  capabilities?: ClientCapabilities;
  debounceMs?: number;
  serverJs?: string;
  /** More initialization options, sent beside debounceMs. */
  initializationOptions?: Record<string, unknown>;
  /** Added to this process's environment for the server. */
  env?: Readonly<Record<string, string>>;
}

export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  /**
   * Called with each publication as it arrives. A second onNotification for the
   * same method would replace this client's own handler, and `until` would then
   * only see publications on its 250 ms poll.
   */
  readonly publishListeners: ((params: PublishDiagnosticsParams) => void)[] = [];
  readonly logs: string[] = [];
  readonly messages: string[] = [];
  readonly shownDocuments: string[] = [];
  readonly statuses: StatusParams[] = [];
  readonly registrations: string[] = [];
  /** Every workspace/applyEdit the server sent, in order. */
  readonly editRequests: ApplyWorkspaceEditParams[] = [];
  /** What the client answers to workspace/applyEdit (tests apply the edit themselves and send didChange). */
  answerEdit: (params: ApplyWorkspaceEditParams) => ApplyWorkspaceEditResult = () => ({ applied: true });
  stderr = '';
  initializeResult!: InitializeResult;
  private readonly waiters: (() => void)[] = [];
  private exited = false;

  private constructor(
    readonly connection: MessageConnection,
    readonly child: ChildProcess,
    private readonly settings: unknown,
  ) {}

  static async start(options: StartOptions): Promise<LspClient> {
    // Each server gets a storage folder of its own, removed when it stops: tests never read or write the user's cache.
    const ownStorage = options.initializationOptions?.storageDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'mg-lsp-storage-')) : undefined;
    const child = spawn(process.execPath, [options.serverJs ?? SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(connection, child, options.settings ?? {});
    child.stderr!.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    child.on('exit', () => {
      client.exited = true;
      if (ownStorage) fs.rmSync(ownStorage, { recursive: true, force: true });
      client.notify();
    });
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      client.published.push(params);
      for (const listener of client.publishListeners) listener(params);
      client.notify();
    });
    connection.onNotification(LogMessageNotification.type, (params) => client.logs.push(params.message));
    connection.onNotification(ShowMessageNotification.type, (params) => {
      client.messages.push(params.message);
      client.notify();
    });
    connection.onNotification(StatusNotification.method, (params: StatusParams) => {
      client.statuses.push(params);
      client.notify();
    });
    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => client.settings));
    connection.onRequest(RegistrationRequest.type, (params) => {
      client.registrations.push(...params.registrations.map((r) => r.method));
    });
    connection.onRequest(UnregistrationRequest.type, () => undefined);
    connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    connection.onRequest(ApplyWorkspaceEditRequest.type, (params) => {
      client.editRequests.push(params);
      client.notify();
      return client.answerEdit(params);
    });
    connection.onRequest(ShowDocumentRequest.type, (params) => {
      client.shownDocuments.push(params.uri);
      return { success: true };
    });
    connection.listen();
    const capabilities: ClientCapabilities = options.capabilities ?? {
      workspace: {
        applyEdit: true,
        configuration: true,
        didChangeWatchedFiles: { dynamicRegistration: true },
        workspaceEdit: { documentChanges: true },
        workspaceFolders: true,
      },
      textDocument: {
        publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        codeAction: { dataSupport: true, isPreferredSupport: true },
      },
      window: { showDocument: { support: true } },
    };
    client.initializeResult = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: options.rootUri ? uriOf(options.rootUri) : options.workspaceFolders[0] ? uriOf(options.workspaceFolders[0]) : null,
      workspaceFolders: options.workspaceFolders.length > 0 ? options.workspaceFolders.map((f) => ({ uri: uriOf(f), name: path.basename(f) })) : null,
      capabilities,
      initializationOptions: { debounceMs: options.debounceMs ?? 50, ...(ownStorage ? { storageDir: ownStorage } : {}), ...options.initializationOptions },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once `check` returns a value (checked after every message), or rejects after the deadline. */
  async until<T>(what: string, check: () => T | undefined, timeoutMs = 20000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (this.exited) throw new Error(`server exited while waiting for ${what}; stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; logs:\n${this.logs.join('\n')}\nstderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  latest(uri: string): PublishDiagnosticsParams | undefined {
    for (let i = this.published.length - 1; i >= 0; i--) if (this.published[i].uri === uri) return this.published[i];
    return undefined;
  }

  /** Waits for a publication for `uri` after the `after`-th one that satisfies `accept`. */
  async diagnostics(uri: string, accept: (params: PublishDiagnosticsParams) => boolean = () => true, after = 0): Promise<Diagnostic[]> {
    const params = await this.until(`diagnostics for ${uri}`, () => this.published.slice(after).reverse().find((p) => p.uri === uri && accept(p)));
    return params.diagnostics;
  }

  open(file: string, text: string, version = 1, languageId = 'prisma'): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(file), languageId, version, text } });
  }

  change(file: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uriOf(file), version }, contentChanges: changes });
  }

  save(file: string): Promise<void> {
    return this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: uriOf(file) } });
  }

  close(file: string): Promise<void> {
    return this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(file) } });
  }

  filesChanged(changes: FileEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  async codeActions(file: string, range: Range, diagnostics: Diagnostic[]): Promise<(CodeAction | Command)[]> {
    return (await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: uriOf(file) }, range, context: { diagnostics } })) ?? [];
  }

  executeCommand(command: string, args: unknown[]): Promise<unknown> {
    return this.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  report(params: ReportParams = {}): Promise<ReportResult> {
    return this.connection.sendRequest<ReportResult>(ReportRequest.method, params);
  }

  lockTrace(params: LockTraceParams = {}): Promise<LockTraceResult> {
    return this.connection.sendRequest<LockTraceResult>(LockTraceRequest.method, params);
  }

  get alive(): boolean {
    return !this.exited;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // The server may already be gone.
    }
    await Promise.race([new Promise((resolve) => this.child.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (!this.exited) this.child.kill();
    this.connection.dispose();
  }
}

/** A compact, comparable form of a diagnostic: `line:col-line:col severity code`. */
export function brief(diagnostic: Diagnostic): string {
  const r = diagnostic.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${diagnostic.severity} ${String(diagnostic.code)} ${diagnostic.source}`;
}
