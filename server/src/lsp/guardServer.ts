/**
 * The language server's state and behaviour, independent of the transport:
 * server.ts feeds it LSP messages, tests can drive it directly. One
 * ProjectSession per Prisma project keeps the replayed migrations warm.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CodeAction, CodeActionParams, ExecuteCommandParams, FileEvent, PublishDiagnosticsParams } from 'vscode-languageserver';
import { FileChangeType } from 'vscode-languageserver';
import { ProjectSession } from '../analysis/session';
import type { ProjectAnalysis } from '../analysis/types';
import type { PrismaProject } from '../project/locate';
import { loadPostgresParser } from '../replay/statements';
import { computeCodeActions } from './codeActions';
import { diagnosticsByFile, isSqlFile } from './diagnostics';
import { isInside, packageRoot, pathToUri, uriToPath } from './paths';
import { discoverProjects, projectForSchemaFile, sameProjectLayout } from './projects';
import {
  type CommandAnswer,
  Commands,
  type GuardDiagnosticData,
  type ProjectReport,
  type ReportParams,
  type ReportResult,
  type StatusParams,
} from './protocol';
import { buildReport, failedProjectReport, projectReport } from './report';
import { AnalysisScheduler } from './scheduler';
import { applyEditorSettings, type EditorSettings, editorSettingsFrom } from './settings';

/** What the server needs from its editor connection. */
export interface ServerHost {
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  log(level: 'info' | 'warning' | 'error', message: string): void;
  /** Verbose tracing (only shown when the client's trace setting asks for it). */
  trace(message: string, verbose?: string): void;
  /** The `migrationGuard` settings for a folder; may reject (clients without configuration support). */
  getSettings(scopeUri: string): Promise<unknown>;
  sendStatus(params: StatusParams): void;
  showMessage(type: 'info' | 'warning' | 'error', message: string): void;
  /** Opens a URI in the client; resolves false when the client cannot. */
  showDocument(uri: string): Promise<boolean>;
}

/** The open documents, as the server's TextDocuments manager holds them. */
export interface OpenDocuments {
  get(uri: string): { getText(): string; version: number } | undefined;
  all(): { uri: string; getText(): string; version: number }[];
}

export interface GuardServerOptions {
  debounceMs?: number;
  /** The client applies versioned document changes. */
  documentChanges?: boolean;
  /** The client answers workspace/configuration. */
  configuration?: boolean;
  /** Where docs/rules/ lives (default: this package). */
  packageRoot?: string;
}

interface Snapshot {
  overrides: Map<string, string>;
  versions: Map<string, number>;
}

interface Analysed {
  analysis: ProjectAnalysis;
  versions: Map<string, number>;
}

class ProjectEntry {
  session: ProjectSession;
  settings: EditorSettings = {};
  settingsLoaded = false;
  published = new Set<string>();
  scheduler!: AnalysisScheduler<Analysed>;
  lastAnalysis?: ProjectAnalysis;
  lastError?: string;

  constructor(
    public project: PrismaProject,
    /** The workspace folder it was found in; undefined for a file opened from elsewhere. */
    public folder: string | undefined,
  ) {
    this.session = this.newSession();
  }

  newSession(): ProjectSession {
    // validate: false — Prisma's own validator runs in Prisma's extension; on every keystroke it would only cost time here.
    return new ProjectSession(this.project, { validate: false, configOverride: (config, notes) => applyEditorSettings(config, this.settings, notes) });
  }
}

export class GuardServer {
  private readonly entries = new Map<string, ProjectEntry>();
  private folders: string[] = [];
  private readonly debounceMs: number;
  private readonly root: string;
  private parser: Promise<void> | undefined;
  private lastStatus = '';
  private started = false;
  /** Version each document had when opened: the content event that follows an open is not an edit. */
  private readonly openedVersions = new Map<string, number>();

  constructor(
    private readonly host: ServerHost,
    private readonly documents: OpenDocuments,
    private readonly options: GuardServerOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 200;
    this.root = options.packageRoot ?? packageRoot();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Finds the projects of the workspace folders and analyses them all. */
  async start(folders: string[]): Promise<void> {
    this.folders = [...new Set(folders.map((f) => path.resolve(f)))];
    this.sendStatus();
    await this.ensureParser();
    for (const folder of this.folders) this.refreshFolder(folder);
    this.started = true;
    // Documents opened while the server was starting were not routed to a project yet.
    for (const document of this.documents.all()) this.documentOpened(document.uri);
    this.sendStatus();
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.scheduler.dispose();
    this.entries.clear();
  }

  /** The wasm parser is loaded once; if it fails, later analyses report the error instead of the server dying. */
  private ensureParser(): Promise<void> {
    if (!this.parser) {
      this.parser = loadPostgresParser().catch((error: unknown) => {
        this.parser = undefined;
        this.host.log('error', `Could not load the PostgreSQL parser (libpg-query wasm): ${describeError(error)}`);
      });
    }
    return this.parser;
  }

  foldersChanged(added: string[], removed: string[]): void {
    const gone = removed.map((f) => path.resolve(f));
    this.folders = this.folders.filter((f) => !gone.includes(f));
    for (const [key, entry] of this.entries) {
      if (entry.folder && gone.includes(entry.folder)) this.removeEntry(key, entry);
    }
    for (const folder of added.map((f) => path.resolve(f))) {
      if (!this.folders.includes(folder)) this.folders.push(folder);
      this.refreshFolder(folder);
    }
    this.sendStatus();
  }

  /** Re-finds the projects of one workspace folder: new ones are added, moved ones restarted, vanished ones cleared. */
  private refreshFolder(folder: string): void {
    const found = discoverProjects(folder);
    const seen = new Set<string>();
    for (const project of found) {
      seen.add(project.schemaPath);
      const existing = this.entries.get(project.schemaPath);
      if (existing) {
        if (!sameProjectLayout(existing.project, project)) this.replaceProject(existing, project);
        continue;
      }
      this.addEntry(project, folder);
    }
    for (const [key, entry] of this.entries) {
      if (entry.folder === folder && !seen.has(key)) this.removeEntry(key, entry);
    }
  }

  private addEntry(project: PrismaProject, folder: string | undefined): ProjectEntry {
    const entry = new ProjectEntry(project, folder);
    entry.scheduler = new AnalysisScheduler<Analysed>(
      {
        run: (isCancelled) => this.analyse(entry, isCancelled),
        deliver: (result) => this.deliver(entry, result),
        fail: (error) => this.failed(entry, error),
        busyChanged: () => this.sendStatus(),
      },
      this.debounceMs,
    );
    this.entries.set(project.schemaPath, entry);
    this.host.log('info', `Prisma project ${project.root} (schema ${path.relative(project.root, project.schemaPath) || project.schemaPath}, found by ${project.foundBy}).`);
    entry.scheduler.schedule(0);
    return entry;
  }

  private replaceProject(entry: ProjectEntry, project: PrismaProject): void {
    entry.project = project;
    entry.session = entry.newSession();
    entry.scheduler.schedule(0);
  }

  private removeEntry(key: string, entry: ProjectEntry): void {
    entry.scheduler.dispose();
    for (const file of entry.published) this.host.publishDiagnostics({ uri: pathToUri(file), diagnostics: [] });
    this.entries.delete(key);
  }

  private folderOf(file: string): string | undefined {
    return this.folders.filter((f) => isInside(file, f)).sort((a, b) => b.length - a.length)[0];
  }

  // ---------------------------------------------------------------- finding the project of a file

  private entryForSchemaFile(file: string): ProjectEntry | undefined {
    for (const entry of this.entries.values()) if (entry.project.schemaFiles.includes(file)) return entry;
    return undefined;
  }

  private entriesForMigrationPath(file: string): ProjectEntry[] {
    return [...this.entries.values()].filter((entry) => isInside(file, entry.project.migrationsDir) || isInside(entry.project.migrationsDir, file));
  }

  /** The project of an open `.prisma` file, located on demand when discovery did not know it. */
  private entryForOpenedSchema(file: string): ProjectEntry | undefined {
    const known = this.entryForSchemaFile(file);
    if (known) return known;
    const folder = this.folderOf(file);
    // A new file in a schema folder changes the project's file list.
    if (folder) {
      this.refreshFolder(folder);
      const refreshed = this.entryForSchemaFile(file);
      if (refreshed) return refreshed;
    }
    const project = projectForSchemaFile(file);
    if (!project) return undefined;
    const existing = this.entries.get(project.schemaPath);
    if (existing) {
      this.replaceProject(existing, project);
      return existing;
    }
    return this.addEntry(project, undefined);
  }

  // ---------------------------------------------------------------- documents

  documentOpened(uri: string): void {
    const document = this.documents.get(uri);
    if (document) this.openedVersions.set(uri, document.version);
    if (!this.started) return;
    const file = uriToPath(uri);
    if (!file) return;
    if (file.endsWith('.prisma')) {
      this.entryForOpenedSchema(file)?.scheduler.schedule(0);
    } else if (isSqlFile(file)) {
      // Diagnostics of an open migration file carry its version, so code actions can trust their ranges.
      for (const entry of this.entriesForMigrationPath(file)) entry.scheduler.schedule(0);
    }
  }

  documentChanged(uri: string): void {
    if (!this.started) return;
    if (this.documents.get(uri)?.version === this.openedVersions.get(uri)) return;
    this.openedVersions.delete(uri);
    const file = uriToPath(uri);
    if (!file || !file.endsWith('.prisma')) return;
    this.entryForSchemaFile(file)?.scheduler.schedule();
  }

  /** Closing drops the editor's text: the file on disk counts again (unsaved edits were discarded). */
  documentClosed(uri: string): void {
    this.openedVersions.delete(uri);
    if (!this.started) return;
    const file = uriToPath(uri);
    if (!file) return;
    if (file.endsWith('.prisma')) this.entryForSchemaFile(file)?.scheduler.schedule(0);
  }

  /** A saved migration file changes the baseline even for clients that do not watch files. */
  documentSaved(uri: string): void {
    if (!this.started) return;
    const file = uriToPath(uri);
    if (!file || !isSqlFile(file)) return;
    for (const entry of this.entriesForMigrationPath(file)) {
      entry.session.invalidateMigrations();
      entry.scheduler.schedule(0);
    }
  }

  // ---------------------------------------------------------------- files on disk and settings

  watchedFilesChanged(changes: FileEvent[]): void {
    if (!this.started) return;
    const refresh = new Set<string>();
    const reanalyse = new Set<ProjectEntry>();
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      const base = path.basename(file);
      const gitDir = file.split(path.sep).indexOf('.git');
      if (gitDir > 0) {
        // A commit or a checkout changes which migrations count as deployed (the default `git` mode).
        const repository = file.split(path.sep).slice(0, gitDir).join(path.sep) || path.sep;
        for (const entry of this.entries.values()) {
          if (!isInside(entry.project.root, repository)) continue;
          entry.session.invalidateMigrations();
          reanalyse.add(entry);
        }
        continue;
      }
      for (const entry of this.entriesForMigrationPath(file)) {
        // A new or deleted migration moves the baseline; the session replays only what changed.
        entry.session.invalidateMigrations();
        reanalyse.add(entry);
      }
      if (file.endsWith('.prisma')) {
        if (change.type !== FileChangeType.Changed) {
          const folder = this.folderOf(file);
          if (folder) refresh.add(folder);
        }
        const entry = this.entryForSchemaFile(file);
        if (entry) reanalyse.add(entry);
      }
      if (base === '.migration-guard.json' || base === 'package.json' || /^prisma\.config\.(ts|mts|js|mjs)$/.test(base)) {
        const folder = this.folderOf(file);
        if (folder) refresh.add(folder);
        for (const entry of this.entries.values()) if (entry.project.root === path.dirname(file)) reanalyse.add(entry);
      }
    }
    for (const folder of refresh) this.refreshFolder(folder);
    for (const entry of reanalyse) if (this.entries.get(entry.project.schemaPath) === entry) entry.scheduler.schedule(0);
  }

  configurationChanged(): void {
    for (const entry of this.entries.values()) {
      entry.settingsLoaded = false;
      entry.scheduler.schedule(0);
    }
  }

  // ---------------------------------------------------------------- analysis

  private snapshot(entry: ProjectEntry): Snapshot {
    const overrides = new Map<string, string>();
    const versions = new Map<string, number>();
    for (const document of this.documents.all()) {
      const file = uriToPath(document.uri);
      if (!file) continue;
      if (entry.project.schemaFiles.includes(file)) {
        overrides.set(file, document.getText());
        versions.set(file, document.version);
      } else if (isSqlFile(file) && isInside(file, entry.project.migrationsDir)) {
        // Migrations are read from disk; an open one's version only applies while the editor shows the same text.
        if (readText(file) === document.getText()) versions.set(file, document.version);
      }
    }
    return { overrides, versions };
  }

  private async loadSettings(entry: ProjectEntry): Promise<void> {
    if (entry.settingsLoaded || !this.options.configuration) return;
    try {
      entry.settings = editorSettingsFrom(await this.host.getSettings(pathToUri(entry.project.root)));
    } catch (error) {
      this.host.log('warning', `Could not read the migrationGuard settings: ${describeError(error)}`);
      entry.settings = {};
    }
    entry.settingsLoaded = true;
  }

  private async analyse(entry: ProjectEntry, isCancelled: () => boolean): Promise<Analysed | undefined> {
    await this.ensureParser();
    await this.loadSettings(entry);
    if (isCancelled()) return undefined;
    const { overrides, versions } = this.snapshot(entry);
    const started = Date.now();
    const analysis = await entry.session.analyze(overrides, isCancelled);
    if (!analysis) return undefined;
    const timings = Object.entries(analysis.timings)
      .map(([stage, ms]) => `${stage} ${ms.toFixed(1)} ms`)
      .join(', ');
    this.host.trace(`Analysed ${entry.project.root} in ${Date.now() - started} ms: ${analysis.findings.length} finding(s)`, timings);
    return { analysis, versions };
  }

  private deliver(entry: ProjectEntry, result: Analysed): void {
    entry.lastAnalysis = result.analysis;
    entry.lastError = undefined;
    const files = diagnosticsByFile(result.analysis, (file) => result.versions.get(file) ?? null, this.root);
    const now = new Set(files.map((f) => f.file));
    for (const file of entry.published) {
      if (!now.has(file)) this.host.publishDiagnostics({ uri: pathToUri(file), diagnostics: [] });
    }
    for (const { file, diagnostics } of files) {
      const version = result.versions.get(file);
      this.host.publishDiagnostics({ uri: pathToUri(file), diagnostics, ...(version !== undefined ? { version } : {}) });
    }
    entry.published = now;
    this.sendStatus();
  }

  private failed(entry: ProjectEntry, error: unknown): void {
    entry.lastError = describeError(error);
    this.host.log('error', `Checking ${entry.project.root} failed: ${error instanceof Error && error.stack ? error.stack : entry.lastError}`);
    this.sendStatus();
  }

  private sendStatus(): void {
    let unsafe = 0;
    let findings = 0;
    let busy = !this.started;
    const errors: string[] = [];
    for (const entry of this.entries.values()) {
      if (entry.scheduler.busy) busy = true;
      if (entry.lastError) errors.push(`${entry.project.root}: ${entry.lastError}`);
      for (const finding of entry.lastAnalysis?.findings ?? []) {
        findings++;
        if (finding.severity !== 'info') unsafe++;
      }
    }
    const status: StatusParams = {
      state: !this.started ? 'starting' : busy ? 'analysing' : errors.length > 0 ? 'error' : 'idle',
      projects: this.entries.size,
      unsafe,
      findings,
      ...(errors.length > 0 ? { message: errors.join('\n') } : {}),
    };
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.host.sendStatus(status);
  }

  // ---------------------------------------------------------------- requests

  codeActions(params: CodeActionParams): CodeAction[] {
    const file = uriToPath(params.textDocument.uri);
    if (!file) return [];
    const document = this.documents.get(params.textDocument.uri);
    const text = document?.getText() ?? readText(file);
    if (text === undefined) return [];
    return computeCodeActions({
      uri: params.textDocument.uri,
      file,
      text,
      version: document ? document.version : null,
      diagnostics: params.context.diagnostics,
      ...(params.context.only ? { only: params.context.only } : {}),
      documentChanges: this.options.documentChanges ?? false,
    });
  }

  /** Analyses every requested project with the latest text (publishing its diagnostics) and reports on them. */
  async report(params: ReportParams | undefined): Promise<ReportResult> {
    await this.ensureParser();
    const wanted = params?.projects?.map((p) => path.resolve(p));
    const entries = [...this.entries.values()].filter((e) => !wanted || wanted.includes(e.project.root));
    const reports: ProjectReport[] = [];
    for (const entry of entries.sort((a, b) => a.project.root.localeCompare(b.project.root))) {
      const name = this.projectName(entry);
      const outcome = await entry.scheduler.current();
      if (outcome.value) reports.push(projectReport(outcome.value.analysis, name, this.root));
      else reports.push(failedProjectReport(entry.project, name, describeError(outcome.error)));
    }
    return buildReport(reports);
  }

  private projectName(entry: ProjectEntry): string {
    const folder = entry.folder ?? this.folderOf(entry.project.root);
    if (!folder) return entry.project.root;
    const relative = path.relative(folder, entry.project.root) || '.';
    if (this.folders.length <= 1) return relative === '.' ? path.basename(entry.project.root) : relative;
    return path.join(path.basename(folder), relative === '.' ? '' : relative) || path.basename(folder);
  }

  async executeCommand(params: ExecuteCommandParams): Promise<CommandAnswer | undefined> {
    const args = params.arguments ?? [];
    switch (params.command) {
      case Commands.showDocumentation: {
        const uri = typeof args[0] === 'string' ? args[0] : undefined;
        if (!uri) return { done: false, message: 'No documentation page given.' };
        if (await this.host.showDocument(uri)) return { done: true, message: `Opened ${uri}` };
        const message = `Documentation for ${typeof args[1] === 'string' ? args[1] : 'this rule'}: ${uriToPath(uri) ?? uri}`;
        this.host.showMessage('info', message);
        return { done: true, message };
      }
      case Commands.generatePhasedMigration: {
        const data = args[0] as Partial<GuardDiagnosticData> | undefined;
        const about = data?.ruleId ? ` for ${data.ruleId}${data.model ? ` on ${data.model}${data.field ? `.${data.field}` : ''}` : ''}` : '';
        const docs = data?.docsUri ? ` Meanwhile, follow the safe plan in the rule's documentation (${uriToPath(data.docsUri) ?? data.docsUri}) or in "Check migration safety".` : ' Meanwhile, follow the safe plan shown by "Check migration safety".';
        const message = `Generating a phased migration${about} is not available yet in this version of Prisma Migration Guard.${docs}`;
        this.host.showMessage('info', message);
        return { done: false, message };
      }
      case Commands.advancePhase: {
        const message = 'Advancing to the next phase is not available yet in this version of Prisma Migration Guard (phased migrations are not generated yet).';
        this.host.showMessage('info', message);
        return { done: false, message };
      }
      default:
        return undefined;
    }
  }

  /** For tests and the trace: the projects the server knows. */
  knownProjects(): PrismaProject[] {
    return [...this.entries.values()].map((e) => e.project).sort((a, b) => a.root.localeCompare(b.root));
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
