#!/usr/bin/env node
/**
 * Language server entry: `node server.js --stdio` (or `--node-ipc`, as the VS
 * Code client starts it). Wires LSP messages to GuardServer; every handler is
 * guarded so that an exception is logged and answered with an empty result
 * instead of taking the server down.
 */
import {
  type CancellationToken,
  type CodeAction,
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  type InitializeParams,
  type InitializeResult,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  WatchKind,
} from 'vscode-languageserver/node';
import * as path from 'path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { raiseTierUpBudget } from '../core/tiering';
import { defaultCacheDir, replayStore } from '../replay/persistedCache';
import { describeError, GuardServer, type ServerHost } from './guardServer';
import { tuneHeapForLanguageServer } from './memory';
import { uriToPath } from './paths';
import {
  type GuardInitializationOptions,
  LockTraceRequest,
  PreflightProgressNotification,
  PreflightRequest,
  type PreflightParams,
  type PreflightResult,
  type LockTraceParams,
  type LockTraceResult,
  ReportRequest,
  type ReportParams,
  type ReportResult,
  serverCommands,
  StatusNotification,
} from './protocol';

// A long-running process typing in large schemas: see memory.ts.
tuneHeapForLanguageServer();
// Most of the first analysis runs once: see tiering.ts.
raiseTierUpBudget();

// Over stdio, anything a dependency prints to stdout would corrupt the JSON-RPC stream.
console.log = console.error;
console.info = console.error;
console.debug = console.error;
console.warn = console.error;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

function log(level: 'info' | 'warning' | 'error', message: string): void {
  try {
    if (level === 'error') connection.console.error(message);
    else if (level === 'warning') connection.console.warn(message);
    else connection.console.info(message);
  } catch {
    process.stderr.write(`${message}\n`);
  }
}

/** Runs a handler; on an exception logs it and answers `fallback`. */
function guarded<P extends unknown[], R>(name: string, fallback: R, handler: (...args: P) => R | Promise<R>): (...args: P) => Promise<R> {
  return async (...args: P) => {
    try {
      return await handler(...args);
    } catch (error) {
      log('error', `${name} failed: ${error instanceof Error && error.stack ? error.stack : describeError(error)}`);
      return fallback;
    }
  };
}

/** Same for notifications, which answer nothing. */
function guardedNotification<P extends unknown[]>(name: string, handler: (...args: P) => void): (...args: P) => void {
  return (...args: P) => {
    try {
      handler(...args);
    } catch (error) {
      log('error', `${name} failed: ${error instanceof Error && error.stack ? error.stack : describeError(error)}`);
    }
  };
}

let server: GuardServer | undefined;
let folders: string[] = [];
let canRegisterWatchers = false;
let canRegisterConfiguration = false;
let canShowDocument = false;
let supportsFolderEvents = false;

const host: ServerHost = {
  publishDiagnostics: (params) => {
    void connection.sendDiagnostics(params).catch((error: unknown) => log('error', `publishDiagnostics failed: ${describeError(error)}`));
  },
  log,
  trace: (message, verbose) => {
    try {
      connection.tracer.log(message, verbose);
    } catch {
      // Tracing is best effort.
    }
  },
  getSettings: async (scopeUri) => connection.workspace.getConfiguration({ scopeUri, section: 'migrationGuard' }) as Promise<unknown>,
  sendStatus: (params) => {
    void connection.sendNotification(StatusNotification.method, params).catch(() => undefined);
  },
  sendPreflightProgress: (params) => {
    void connection.sendNotification(PreflightProgressNotification.method, params).catch(() => undefined);
  },
  showMessage: (type, message) => {
    // A notification, not window/showMessageRequest: nothing to answer, and every client supports it.
    const messageType = type === 'error' ? MessageType.Error : type === 'warning' ? MessageType.Warning : MessageType.Info;
    void connection.sendNotification(ShowMessageNotification.type, { type: messageType, message }).catch(() => undefined);
  },
  showDocument: async (uri) => {
    if (!canShowDocument) return false;
    const result = await connection.window.showDocument({ uri, takeFocus: true });
    return result.success;
  },
  applyEdit: async (edit) => {
    const result = await connection.workspace.applyEdit({ label: 'Prisma Migration Guard: phased migration', edit });
    return { applied: result.applied, ...(result.failureReason ? { failureReason: result.failureReason } : {}) };
  },
};

connection.onInitialize(
  guarded('initialize', { capabilities: {} } as InitializeResult, (params: InitializeParams): InitializeResult => {
    const capabilities = params.capabilities;
    canRegisterWatchers = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    canRegisterConfiguration = capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    canShowDocument = capabilities.window?.showDocument?.support === true;
    // The library throws when subscribing to folder events the client never sends.
    supportsFolderEvents = capabilities.workspace?.workspaceFolders === true;
    folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((f): f is string => f !== undefined);
    if (folders.length === 0) {
      const root = params.rootUri ? uriToPath(params.rootUri) : (params.rootPath ?? undefined);
      if (root) folders = [root];
    }
    const init = (params.initializationOptions ?? {}) as GuardInitializationOptions;
    const storageDir = typeof init.storageDir === 'string' && path.isAbsolute(init.storageDir) ? init.storageDir : defaultCacheDir();
    server = new GuardServer(host, documents, {
      ...(typeof init.debounceMs === 'number' ? { debounceMs: init.debounceMs } : {}),
      replayStore: replayStore(path.join(storageDir, 'replay')),
      documentChanges: capabilities.workspace?.workspaceEdit?.documentChanges === true,
      applyEdit: capabilities.workspace?.applyEdit === true,
      configuration: capabilities.workspace?.configuration === true,
      watchesFiles: canRegisterWatchers,
    });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
        executeCommandProvider: { commands: [...serverCommands] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'prisma-migration-guard' },
    };
  }),
);

connection.onInitialized(
  guardedNotification('initialized', () => {
    if (canRegisterWatchers) {
      const kind = WatchKind.Create | WatchKind.Change | WatchKind.Delete;
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/*.prisma', kind },
            { globPattern: '**/migrations/**', kind },
            { globPattern: '**/.migration-guard.json', kind },
            { globPattern: '**/.migration-guard-baseline.json', kind },
            { globPattern: '**/prisma.config.{ts,mts,js,mjs}', kind },
            // Commits and checkouts move migrations between pending and deployed.
            { globPattern: '**/.git/HEAD', kind },
            { globPattern: '**/.git/refs/heads/**', kind },
            // A fetch moves `deployed: ref:origin/main`; git gc moves refs into packed-refs.
            { globPattern: '**/.git/refs/remotes/**', kind },
            { globPattern: '**/.git/packed-refs', kind },
          ],
        })
        .catch((error: unknown) => log('warning', `Could not watch files: ${describeError(error)}`));
    }
    if (canRegisterConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'migrationGuard' }).catch(() => undefined);
    }
    void server?.start(folders).catch((error: unknown) => log('error', `Starting failed: ${describeError(error)}`));
    if (supportsFolderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders(
        guardedNotification('workspace folders', (event) => {
          const added = event.added.map((f) => uriToPath(f.uri)).filter((f): f is string => f !== undefined);
          const removed = event.removed.map((f) => uriToPath(f.uri)).filter((f): f is string => f !== undefined);
          server?.foldersChanged(added, removed);
        }),
      );
    }
  }),
);

documents.onDidOpen(guardedNotification('didOpen', (event) => server?.documentOpened(event.document.uri)));
documents.onDidChangeContent(guardedNotification('didChange', (event) => server?.documentChanged(event.document.uri)));
documents.onDidClose(guardedNotification('didClose', (event) => server?.documentClosed(event.document.uri)));
documents.onDidSave(guardedNotification('didSave', (event) => server?.documentSaved(event.document.uri)));

connection.onDidChangeWatchedFiles(guardedNotification('didChangeWatchedFiles', (params) => server?.watchedFilesChanged(params.changes)));
connection.onDidChangeConfiguration(guardedNotification('didChangeConfiguration', () => server?.configurationChanged()));

connection.onCodeAction(guarded('codeAction', [] as CodeAction[], (params) => server?.codeActions(params) ?? []));
connection.onExecuteCommand(guarded('executeCommand', undefined, async (params) => server?.executeCommand(params)));
connection.onRequest(
  ReportRequest.method,
  guarded('report', { projects: [], markdown: '' } as ReportResult, async (params: ReportParams | undefined, token?: CancellationToken) =>
    server ? server.report(params, () => token?.isCancellationRequested === true) : { projects: [], markdown: '' },
  ),
);
connection.onRequest(
  LockTraceRequest.method,
  guarded('lockTrace', { available: false, markdown: '', message: 'The lock trace failed; see the server log.' } as LockTraceResult, async (params: LockTraceParams | undefined, token?: CancellationToken) =>
    server ? server.lockTrace(params, () => token?.isCancellationRequested === true) : { available: false, markdown: '', message: 'The server is not initialised.' },
  ),
);

connection.onRequest(
  PreflightRequest.method,
  guarded('preflight', { counted: 0, markdown: '', message: 'The preflight failed; see the server log.' } as PreflightResult, async (params: PreflightParams | undefined, token?: CancellationToken) =>
    server ? server.preflight(params, () => token?.isCancellationRequested === true) : { counted: 0, markdown: '', message: 'The server is not initialised.' },
  ),
);

connection.onShutdown(guarded('shutdown', undefined, () => server?.dispose()));

process.on('uncaughtException', (error) => log('error', `Uncaught exception: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => log('error', `Unhandled rejection: ${describeError(reason)}`));

documents.listen(connection);
connection.listen();
