/**
 * The language server's state and behaviour, independent of the transport:
 * server.ts feeds it LSP messages, tests can drive it directly. One
 * ProjectSession per Prisma project keeps the replayed migrations warm.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CodeAction, CodeActionParams, ExecuteCommandParams, FileEvent, PublishDiagnosticsParams, WorkspaceEdit } from 'vscode-languageserver';
import { FileChangeType } from 'vscode-languageserver';
import { BASELINE_FILE } from '../analysis/baseline';
import { ProjectSession } from '../analysis/session';
import { pendingSql, preexistingSql } from '../report/pendingSql';
import type { ProjectAnalysis } from '../analysis/types';
import type { PrismaProject } from '../project/locate';
import type { ReplayStore } from '../replay/persistedCache';
import { loadPostgresParser } from '../replay/statements';
import { computeCodeActions } from './codeActions';
import { diagnosticsByFile, isSqlFile } from './diagnostics';
import { docsUri, isInside, packageRoot, pathToUri, uriToPath } from './paths';
import { discoverProjects, projectForSchemaFile, sameProjectLayout } from './projects';
import { lockTraceInput, lockTraceUnavailable, runLockTrace } from './lockTraceRunner';
import { advanceCommand, generatePhasedMigration, type OpenSchema, type PhaseEnvironment } from './phaseCommands';
import {
  type AdvancePhaseArgs,
  type CommandAnswer,
  Commands,
  type GuardDiagnosticData,
  type LockTraceParams,
  type LockTraceResult,
  type PreflightParams,
  type PreflightProgressParams,
  type PreflightResult,
  type ProjectReport,
  type ReportParams,
  type ReportResult,
  type StatusParams,
} from './protocol';
import { buildReport } from './report';
import { failedProjectReport, planSummaries, projectReport, type ReportExtras } from '../report/projectReport';
import { AnalysisScheduler } from './scheduler';
import { applyEditorSettings, type EditorSettings, editorSettingsFrom } from './settings';
import { describeSizeSource, sizeSettingsFrom, TableSizeCache } from './tableSizeSettings';
import { preflightQuestions, type PreflightFacts } from '../analysis/preflight';
import { measurePreflight, PreflightCancelled, PreflightError } from '../analysis/preflightDatabase';
import { redact } from '../analysis/tableSizes';
import { renderPreflightMarkdown } from '../report/preflightSection';
import { committedFileHolding, preflightSettingsFrom, type PreflightSettings } from './preflightSettings';

/** What the server needs from its editor connection. */
export interface ServerHost {
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  log(level: 'info' | 'warning' | 'error', message: string): void;
  /** Verbose tracing (only shown when the client's trace setting asks for it). */
  trace(message: string, verbose?: string): void;
  /** The `migrationGuard` settings for a folder; may reject (clients without configuration support). */
  getSettings(scopeUri: string): Promise<unknown>;
  sendStatus(params: StatusParams): void;
  /** How far a preflight is (clients show it as progress); optional for hosts without a UI. */
  sendPreflightProgress?(params: PreflightProgressParams): void;
  showMessage(type: 'info' | 'warning' | 'error', message: string): void;
  /** Opens a URI in the client; resolves false when the client cannot. */
  showDocument(uri: string): Promise<boolean>;
  /** `workspace/applyEdit`: the client applies the edit to its documents (undoable, unsaved text included). */
  applyEdit(edit: WorkspaceEdit): Promise<{ applied: boolean; failureReason?: string }>;
}

/** The open documents, as the server's TextDocuments manager holds them. */
export interface OpenDocuments {
  get(uri: string): { getText(): string; version: number } | undefined;
  all(): { uri: string; getText(): string; version: number }[];
}

/**
 * Wait after a keystroke before analysing. An analysis of a 300-model schema
 * takes a few milliseconds and a newer keystroke cancels it, so the wait only
 * spares work on a held key or a burst of edits; 50 ms keeps the end-to-end
 * latency (wait + analysis) under 100 ms at the 95th percentile
 * (docs/performance.md).
 */
export const DEFAULT_DEBOUNCE_MS = 50;

/** How long a project is busy before the status says "analysing". */
const BUSY_REPORT_DELAY_MS = 300;

export interface GuardServerOptions {
  debounceMs?: number;
  /** The client applies versioned document changes. */
  documentChanges?: boolean;
  /** The client answers workspace/configuration. */
  configuration?: boolean;
  /** The client applies workspace edits (`workspace/applyEdit`). */
  applyEdit?: boolean;
  /** Where docs/rules/ lives (default: this package). */
  packageRoot?: string;
  /** The client reports file changes (migrations, .git refs) through the watchers the server registered. */
  watchesFiles?: boolean;
  /** Where replayed migrations are kept between sessions (none: every session replays). */
  replayStore?: ReplayStore;
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
  /** Row estimates, read when the settings name a source; the session asks for them at each analysis. */
  readonly sizes: TableSizeCache;
  /** `migrationGuard.database.url`, as last read from the settings. */
  databaseUrl?: string;
  preflightSettings: PreflightSettings = {};
  /** What the last preflight counted, and in which database: applied to every later analysis until the database setting changes. */
  preflight?: { url: string; facts: PreflightFacts };
  /** Work the session asked to run once its result is handled (the spare replayer, the replay's save): after the publication. */
  private readonly afterResult: (() => void)[] = [];

  constructor(
    public project: PrismaProject,
    /** The workspace folder it was found in; undefined for a file opened from elsewhere. */
    public folder: string | undefined,
    log: (level: 'info' | 'warning', message: string) => void,
    private readonly watchesFiles: boolean,
    private readonly replayStore: { store?: ReplayStore; trace: (message: string) => void },
  ) {
    this.sizes = new TableSizeCache(() => this.scheduler?.schedule(0), log);
    this.session = this.newSession();
  }

  newSession(): ProjectSession {
    // validate: false — Prisma's own validator runs in Prisma's extension; on every keystroke it would only cost time here.
    return new ProjectSession(this.project, {
      validate: false,
      // With watchers a commit or checkout is reported (.git refs), so git is asked again only then, not whenever a migration changes.
      gitChangesReported: this.watchesFiles,
      configOverride: (config, notes) => applyEditorSettings(config, this.settings, notes),
      tableSizes: () => this.sizes.current(),
      ...(this.replayStore.store ? { replayStore: this.replayStore.store, onReplayStore: this.replayStore.trace } : {}),
      preflight: () => this.preflight?.facts,
      afterResult: (work) => this.afterResult.push(work),
    });
  }

  /** Runs the session's deferred work once the current handler (which has just published) has returned. */
  resultHandled(): void {
    if (this.afterResult.length === 0) return;
    const work = this.afterResult.splice(0);
    setImmediate(() => {
      for (const run of work) run();
    });
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
  /** Pending while a project is busy but not yet reported as such (see sendStatus). */
  private busyReport: NodeJS.Timeout | undefined;
  private busyReported = false;
  /** Version each document had when opened: the content event that follows an open is not an edit. */
  private readonly openedVersions = new Map<string, number>();

  constructor(
    private readonly host: ServerHost,
    private readonly documents: OpenDocuments,
    private readonly options: GuardServerOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.root = options.packageRoot ?? packageRoot();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Finds the projects of the workspace folders and analyses them all. */
  async start(folders: string[]): Promise<void> {
    this.folders = [...new Set(folders.map((f) => path.resolve(f)))];
    this.sendStatus();
    // The SQL parser is not awaited here: an analysis loads it when it has SQL to read (a history the replay
    // store holds whole needs none), and it is loaded in the background once the first diagnostics are out.
    for (const folder of this.folders) this.refreshFolder(folder);
    this.started = true;
    // Documents opened while the server was starting were not routed to a project yet.
    for (const document of this.documents.all()) this.documentOpened(document.uri);
    this.sendStatus();
  }

  /** Stops analysing; resolves once replays the sessions were about to save are written (a later start reads them). */
  async dispose(): Promise<void> {
    const sessions = [...this.entries.values()].map((entry) => entry.session);
    for (const entry of this.entries.values()) entry.scheduler.dispose();
    this.entries.clear();
    if (this.busyReport) clearTimeout(this.busyReport);
    this.busyReport = undefined;
    await Promise.all(sessions.map((session) => session.replaySaved().catch(() => undefined)));
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
    const entry = new ProjectEntry(project, folder, (level, message) => this.host.log(level, `${project.root}: ${message}`), this.options.watchesFiles === true, {
      ...(this.options.replayStore ? { store: this.options.replayStore } : {}),
      trace: (message) => this.host.trace(`${project.root}: ${message}`),
    });
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
      entry.session.invalidateMigrations(file);
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
        // A new or deleted migration moves the baseline; the session re-reads and replays only what changed.
        entry.session.invalidateMigrations(file);
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
      if (base === BASELINE_FILE) {
        for (const entry of this.entries.values()) if (entry.project.root === path.dirname(file)) reanalyse.add(entry);
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
      const raw = await this.host.getSettings(pathToUri(entry.project.root));
      entry.settings = editorSettingsFrom(raw);
      const sizes = sizeSettingsFrom(raw);
      entry.databaseUrl = sizes.databaseUrl;
      entry.preflightSettings = preflightSettingsFrom(raw);
      // Counts from another database say nothing about this one.
      if (entry.preflight && entry.preflight.url !== entry.databaseUrl) {
        entry.preflight = undefined;
        entry.scheduler.schedule(0);
      }
      if (sizes.databaseUrl || sizes.statsFile) this.host.trace(`Table sizes for ${entry.project.root} from ${describeSizeSource(sizes)}`);
      // Not awaited: a database that is slow to answer must not hold up the diagnostics; the project is analysed again when the sizes arrive.
      void entry.sizes.configure(sizes, entry.folder ?? entry.project.root);
    } catch (error) {
      this.host.log('warning', `Could not read the migrationGuard settings: ${describeError(error)}`);
      entry.settings = {};
    }
    entry.settingsLoaded = true;
  }

  private async analyse(entry: ProjectEntry, isCancelled: () => boolean): Promise<Analysed | undefined> {
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
    entry.resultHandled();
    // Ready before the first migration is added or a command needs it; after the diagnostics, so it does not delay them.
    if (!this.parser) setTimeout(() => void this.ensureParser(), 0).unref();
  }

  private failed(entry: ProjectEntry, error: unknown): void {
    entry.lastError = describeError(error);
    this.host.log('error', `Checking ${entry.project.root} failed: ${error instanceof Error && error.stack ? error.stack : entry.lastError}`);
    this.sendStatus();
    entry.resultHandled();
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
    // "analysing" only once a project has been busy for a while: an analysis of a keystroke takes milliseconds, and a
    // status on every keystroke is a message the editor wakes up for and a status bar that flickers.
    if (busy && this.started && !this.busyReported) {
      this.busyReport ??= setTimeout(() => {
        this.busyReport = undefined;
        this.busyReported = true;
        this.sendStatus();
      }, BUSY_REPORT_DELAY_MS);
    } else if (!busy) {
      if (this.busyReport) clearTimeout(this.busyReport);
      this.busyReport = undefined;
      this.busyReported = false;
    }
    const status: StatusParams = {
      state: !this.started ? 'starting' : busy && this.busyReported ? 'analysing' : errors.length > 0 ? 'error' : 'idle',
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
      diskText: () => readText(file),
    });
  }

  /** Analyses every requested project with the latest text (publishing its diagnostics) and reports on them. */
  async report(params: ReportParams | undefined, isCancelled: () => boolean = () => false): Promise<ReportResult> {
    await this.ensureParser();
    const reports: ProjectReport[] = [];
    for (const entry of this.requestedEntries(params?.projects)) {
      const name = this.projectName(entry);
      const outcome = await entry.scheduler.current();
      if (!outcome.value) {
        reports.push(failedProjectReport(entry.project, name, describeError(outcome.error)));
        continue;
      }
      const analysis = outcome.value.analysis;
      const extras: ReportExtras = { plans: planSummaries(entry.project) };
      try {
        extras.sql = await pendingSql(entry.project, this.openTexts(entry.project.schemaFiles));
      } catch (error) {
        this.host.log('warning', `Could not render the SQL Prisma will generate for ${entry.project.root}: ${describeError(error)}`);
        extras.sql = { error: describeError(error) };
      }
      if (analysis.preexisting && analysis.preexisting.changes.length > 0) {
        try {
          extras.preexistingSql = preexistingSql(analysis.preexisting, analysis.provider);
        } catch (error) {
          extras.preexistingSql = { error: describeError(error) };
        }
      }
      if (params?.lockTrace && !isCancelled()) extras.lockTrace = (await this.traceProject(entry, analysis, isCancelled)).markdown;
      if (entry.preflight) extras.preflight = renderPreflightMarkdown(analysis.findings, entry.preflight.facts, (file) => path.relative(entry.project.root, file) || file);
      reports.push(projectReport(analysis, name, (docs) => docsUri(docs, this.root), extras));
    }
    return buildReport(reports);
  }

  private requestedEntries(projects: string[] | undefined): ProjectEntry[] {
    const wanted = projects?.map((p) => path.resolve(p));
    return [...this.entries.values()].filter((e) => !wanted || wanted.includes(e.project.root)).sort((a, b) => a.project.root.localeCompare(b.project.root));
  }

  /** The lock trace of each requested project's pending migrations (PGlite, in a worker; seconds). */
  async lockTrace(params: LockTraceParams | undefined, isCancelled: () => boolean = () => false): Promise<LockTraceResult> {
    const unavailable = lockTraceUnavailable();
    if (unavailable) return { available: false, markdown: `# Lock trace\n\n${unavailable}\n`, message: unavailable };
    await this.ensureParser();
    const parts = ['# Lock trace of pending migrations', ''];
    const problems: string[] = [];
    for (const entry of this.requestedEntries(params?.projects)) {
      if (isCancelled()) break;
      const outcome = await entry.scheduler.current();
      parts.push(`## ${this.projectName(entry)}`, '');
      if (!outcome.value) {
        parts.push(`The check could not run: ${describeError(outcome.error)}`, '');
        continue;
      }
      const traced = await this.traceProject(entry, outcome.value.analysis, isCancelled);
      if (traced.problem) problems.push(traced.problem);
      parts.push(traced.markdown.trim(), '');
    }
    return { available: true, markdown: parts.join('\n'), ...(problems.length > 0 ? { message: problems.join(' ') } : {}) };
  }

  /**
   * The preflight of each requested project: its pending changes' questions
   * asked, read-only, of the database `migrationGuard.database.url` names. The
   * counts are kept and applied to every later analysis (the diagnostics show
   * them) until the setting changes or the preflight runs again.
   */
  async preflight(params: PreflightParams | undefined, isCancelled: () => boolean = () => false): Promise<PreflightResult> {
    await this.ensureParser();
    const parts = ['# Preflight of pending changes', ''];
    const problems: string[] = [];
    let counted = 0;
    for (const entry of this.requestedEntries(params?.projects)) {
      if (isCancelled()) break;
      const name = this.projectName(entry);
      const relative = (file: string): string => path.relative(entry.project.root, file) || file;
      parts.push(`## ${name}`, '');
      const stop = (problem: string): void => {
        problems.push(problem);
        parts.push(problem, '');
      };
      await this.loadSettings(entry);
      const url = entry.databaseUrl;
      if (!url) {
        stop(`No database is configured for ${name}: set \`migrationGuard.database.url\` (user settings) to a read-only connection string. The editor never connects otherwise.`);
        continue;
      }
      const committed = entry.folder ? committedFileHolding(url, entry.folder) : undefined;
      if (committed && !entry.preflightSettings.allowUrlFromCommittedFile) {
        stop(`The database URL for ${name} comes from ${committed}, which is committed to git, so it is not used: move it to your user settings, or allow it with \`migrationGuard.preflight.allowUrlFromCommittedFile\` in your user settings.`);
        continue;
      }
      const outcome = await entry.scheduler.current();
      if (!outcome.value) {
        stop(`The check of ${name} could not run: ${describeError(outcome.error)}`);
        continue;
      }
      const context = outcome.value.analysis.preflightContext;
      if (!context || context.provider === 'sqlite') {
        stop(`The preflight counts rows on PostgreSQL and MySQL; ${name} uses ${outcome.value.analysis.provider}.`);
        continue;
      }
      const questions = preflightQuestions(outcome.value.analysis.findings, context);
      const settings = entry.preflightSettings;
      try {
        const facts = await measurePreflight(url, questions, {
          ...(settings.scanLimitMb !== undefined ? { scanLimitBytes: settings.scanLimitMb * 1e6 } : {}),
          fullScan: settings.fullScan === true,
          showValues: settings.showValues === true,
          isCancelled,
          onProgress: (done, total) => this.host.sendPreflightProgress?.({ project: name, done, total }),
        });
        entry.preflight = { url, facts };
        counted++;
        this.host.log('info', `Preflight of ${entry.project.root} on ${facts.database} (${facts.engine}): ${questions.length} question(s) answered.`);
        // The diagnostics get the counts with the next analysis.
        entry.scheduler.schedule(0);
        const next = await entry.scheduler.current();
        parts.push(renderPreflightMarkdown(next.value?.analysis.findings ?? [], facts, relative).trim(), '');
      } catch (error) {
        if (error instanceof PreflightCancelled) {
          stop('The preflight was cancelled.');
          break;
        }
        const message = error instanceof PreflightError ? error.message : `the preflight failed: ${redact(describeError(error), url)}`;
        this.host.log('warning', `Preflight of ${entry.project.root}: ${message}`);
        stop(`The preflight of ${name} did not run: ${message}`);
      }
    }
    return { counted, markdown: parts.join('\n'), ...(problems.length > 0 ? { message: problems.join(' ') } : {}) };
  }

  private async traceProject(entry: ProjectEntry, analysis: ProjectAnalysis, isCancelled: () => boolean): Promise<{ markdown: string; problem?: string }> {
    if (analysis.provider !== 'postgresql') return { markdown: `### Lock trace\n\nThe lock trace runs PostgreSQL migrations only; this project uses ${analysis.provider}.\n` };
    const unavailable = lockTraceUnavailable();
    if (unavailable) return { markdown: `### Lock trace\n\n${unavailable}\n`, problem: unavailable };
    const input = lockTraceInput(analysis);
    if (input.pending.length === 0) return { markdown: '### Lock trace\n\nNo pending migration to trace: every migration counts as deployed.\n' };
    const started = Date.now();
    try {
      const done = await runLockTrace(input, { root: entry.project.root, isCancelled });
      this.host.log('info', `Lock trace of ${entry.project.root}: ${done.trace.statements.length} statement(s) in ${Date.now() - started} ms.`);
      return { markdown: done.markdown };
    } catch (error) {
      const problem = `The lock trace of ${this.projectName(entry)} failed: ${describeError(error)}`;
      this.host.log('warning', problem);
      return { markdown: `### Lock trace\n\n${problem}\n`, problem };
    }
  }

  /** Texts of the open documents among `files` (the editor's unsaved text wins over the disk). */
  private openTexts(files: readonly string[]): Map<string, string> {
    return new Map([...this.openSchemas(files)].map(([file, doc]) => [file, doc.text]));
  }

  private openSchemas(files: readonly string[]): Map<string, OpenSchema> {
    const open = new Map<string, OpenSchema>();
    for (const document of this.documents.all()) {
      const file = uriToPath(document.uri);
      if (file && files.includes(file)) open.set(file, { uri: document.uri, text: document.getText(), version: document.version });
    }
    return open;
  }

  private phaseEnvironment(): PhaseEnvironment {
    return {
      openDocuments: (files) => this.openSchemas(files),
      ...(this.options.applyEdit ? { applyEdit: (edit: WorkspaceEdit) => this.host.applyEdit(edit) } : {}),
      documentChanges: this.options.documentChanges ?? false,
      showMessage: (type, message) => this.host.showMessage(type, message),
      showDocument: (uri) => this.host.showDocument(uri),
      migrationsChanged: (project) => {
        const entry = this.entries.get(project.schemaPath);
        if (!entry) return;
        // Clients without file watchers would not hear of the new folders.
        entry.session.invalidateMigrations();
        entry.scheduler.schedule(0);
      },
      log: (level, message) => this.host.log(level, message),
    };
  }

  /** The project a command is about: named by its root, or the one holding `file`. */
  private entryFor(projectRoot: string | undefined, file: string | undefined): ProjectEntry | undefined {
    const all = [...this.entries.values()];
    if (projectRoot) {
      const root = path.resolve(projectRoot);
      const named = all.filter((e) => e.project.root === root);
      if (named.length === 1 || !file) return named[0];
      return named.find((e) => e.project.schemaFiles.includes(file)) ?? named[0];
    }
    if (file) {
      return this.entryForSchemaFile(file) ?? this.entriesForMigrationPath(file)[0] ?? all.filter((e) => isInside(file, e.project.root)).sort((a, b) => b.project.root.length - a.project.root.length)[0];
    }
    return undefined;
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
        const data = (args[0] && typeof args[0] === 'object' ? args[0] : {}) as Partial<GuardDiagnosticData>;
        const entry = this.entryFor(typeof data.projectRoot === 'string' ? data.projectRoot : undefined, typeof data.file === 'string' ? data.file : undefined);
        if (!entry) {
          const message = data.ruleId && (data.projectRoot || data.file)
            ? `No phased migration written: the Prisma project of this diagnostic (${data.projectRoot ?? data.file ?? 'unknown'}) is no longer open here.`
            : 'No phased migration written: run "Generate phased migration" from the quick fix of a Migration Guard diagnostic on a schema change.';
          this.host.showMessage('warning', message);
          return { done: false, message };
        }
        return generatePhasedMigration(this.phaseEnvironment(), entry.project, data);
      }
      case Commands.advancePhase: {
        const raw = (args[0] && typeof args[0] === 'object' ? args[0] : {}) as AdvancePhaseArgs;
        const named = raw.projectRoot || raw.file ? this.entryFor(raw.projectRoot, raw.file) : undefined;
        // A file outside every project (the palette with some other file active) falls back to all projects.
        const projects = named ? [named.project] : raw.projectRoot ? [] : this.knownProjects();
        return advanceCommand(this.phaseEnvironment(), projects, { ...(raw.planId ? { planId: raw.planId } : {}) });
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
