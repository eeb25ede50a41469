/**
 * What the language server and its clients (the VS Code extension, the tests)
 * agree on beyond LSP itself. This module has no runtime dependencies so that
 * the client bundle can import it without pulling in the server.
 */
import type { FixHint, Severity } from '../rules/types';

/** A request type carrying its parameter and result types; both sides wrap their JSON-RPC call with it. */
export interface ProtocolRequest<P, R> {
  readonly method: string;
  /** Never set: keeps P and R in the type so that handler and caller cannot disagree. */
  readonly _types?: [P, R];
}

export interface ProtocolNotification<P> {
  readonly method: string;
  readonly _types?: [P];
}

// ------------------------------------------------------------------ names

export const DIAGNOSTIC_SOURCE = 'migration-guard';

export const Commands = {
  checkSafety: 'migrationGuard.checkSafety',
  generatePhasedMigration: 'migrationGuard.generatePhasedMigration',
  advancePhase: 'migrationGuard.advancePhase',
  showDocumentation: 'migrationGuard.showDocumentation',
  /** A client command (it sends `migrationGuard/lockTrace`): the lock trace takes seconds and is never run unasked. */
  traceLocks: 'migrationGuard.traceLocks',
  /** A client command (it sends `migrationGuard/preflight`): it connects to the configured database, so it only runs when asked. */
  preflight: 'migrationGuard.preflight',
} as const;

/** The commands the server executes (`workspace/executeCommand`), so that every LSP client can run them. */
export const serverCommands: readonly string[] = [Commands.generatePhasedMigration, Commands.advancePhase, Commands.showDocumentation];

// ------------------------------------------------------------------ diagnostics

/**
 * `Diagnostic.data` of every diagnostic the server publishes: everything a code
 * action needs, so the server keeps no per-diagnostic state.
 */
export interface GuardDiagnosticData {
  ruleId: string;
  /** `schema` findings sit in `.prisma` files; `sql` findings in a `migration.sql`. */
  target: 'schema' | 'sql';
  /** Version of the open document the range belongs to; null when it was computed from the file on disk. */
  version: number | null;
  /** Absolute path of the Prisma project's root folder. */
  projectRoot: string;
  /** Absolute path of the file the diagnostic is in. */
  file: string;
  /** The model and field the finding is about, where there is one. */
  model?: string;
  field?: string;
  fix?: FixHint;
  /** The change in the short form of the CLI's JSON (`kind`, `table`, `column`, ...). */
  change?: Record<string, unknown>;
  /** For SQL findings: the migration folder name. */
  migration?: string;
  /** file:// URI of the rule's documentation page. */
  docsUri: string;
}

// ------------------------------------------------------------------ report

export interface ReportParams {
  /** Absolute project root folders to report on; all known projects when omitted. */
  projects?: string[];
  /** Also run the lock trace of the pending migrations (PGlite; seconds) and add it to each project. */
  lockTrace?: boolean;
}

export interface ReportRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface ReportFinding {
  ruleId: string;
  title: string;
  severity: Severity;
  message: string;
  /** Why the change is unsafe (the rule's explanation). */
  risk: string;
  /** What to do here. */
  help: string;
  /** The rule's safe path in general. */
  safePlan: string;
  /** Absolute path. */
  file: string;
  range: ReportRange;
  docsUri: string;
  /** Set for findings in a migration file. */
  migration?: string;
}

export interface ReportChange {
  /** A short human phrase: "new column `User.phone`". */
  description: string;
  kind: string;
  table: string;
  file: string;
  range: ReportRange;
  /** Not in any migration file yet. */
  unmigrated: boolean;
  /** Indexes into `ProjectReport.findings`. */
  findings: number[];
  /** For a change not in any migration yet: the SQL `prisma migrate dev` will write for it (empty when another change's SQL carries it). */
  sql?: string;
  /** How Prisma carries the change out when the SQL alone does not say (a table copy, a drop-and-add). */
  sqlNote?: string;
}

/** One question of the pre-deploy checklist, answered from the analysis where it can be. */
export interface ChecklistItem {
  id: 'backwardCompatible' | 'newCodeOldSchema' | 'backfill' | 'rollback' | 'backup';
  question: string;
  /** `ok`: nothing to do; `attention`: the team must act or decide; `unknown`: the analysis cannot tell. */
  verdict: 'ok' | 'attention' | 'unknown';
  answer: string;
}

/** A phased migration plan of the project (prisma/migration-plans/) and where it stands. */
export interface ReportPlan {
  id: string;
  title: string;
  /** 1-based number of the next phase to advance to; phases + 1 when complete. */
  next: number;
  phases: number;
  planFile: string;
}

export interface ProjectReport {
  root: string;
  /** The root relative to its workspace folder ("." for the folder itself), for headings. */
  name: string;
  schemaFiles: string[];
  migrationsDir: string;
  provider?: string;
  /** Set when the analysis could not run; the other lists are then empty. */
  error?: string;
  changes: ReportChange[];
  findings: ReportFinding[];
  migrations: { name: string; deployed: boolean }[];
  notes: { level: 'info' | 'warning' | 'error'; message: string; file?: string; line?: number }[];
  counts: { error: number; warning: number; info: number };
  /** Statements of the migrations the replay could not interpret, or that the database rejects when the migrations run on a fresh one. */
  unreadStatements?: { migration: string; file: string; line: number; excerpt: string; reason: string; tables: string[]; fails: boolean }[];
  /** The whole migration `prisma migrate dev` will write for the changes not in any migration yet. */
  migrationSql?: string;
  /** Set when the SQL could not be rendered. */
  migrationSqlError?: string;
  checklist?: ChecklistItem[];
  /** The "migration request" summary, Markdown ready to paste into a pull request. */
  summary?: string;
  plans?: ReportPlan[];
  /** The lock trace section (Markdown), when it was asked for. */
  lockTrace?: string;
  /** In git mode: what already separated the committed migrations from the committed schema (not the user's edit). */
  preexisting?: ReportPreexisting;
  /** The project's baseline file: findings it accepted, entries that no longer match. */
  baseline?: { file: string; accepted: number; stale: { rule: string; object: string; line: number }[] };
  /** The preflight section (Markdown): the counts of the last preflight against the database. */
  preflight?: string;
}

/** Pre-existing drift, listed once: each change, the SQL Prisma would generate for it, and its risk. */
export interface ReportPreexisting {
  /** The git ref the committed schema and migrations were read at. */
  ref: string;
  /** The sentence the editor shows on the datasource block (absent when every part is already in a pending migration). */
  summary?: string;
  changes: ReportPreexistingChange[];
  /** Set when the SQL could not be rendered. */
  sqlError?: string;
}

export interface ReportPreexistingChange {
  description: string;
  kind: string;
  table: string;
  file: string;
  range: ReportRange;
  /** What the rules would say of it as an edit; empty when it is safe. */
  risk: { ruleId: string; severity: 'error' | 'warning' | 'info'; message: string }[];
  sql?: string;
  sqlNote?: string;
  /** The pending migration that already carries it (someone ran `prisma migrate dev`). */
  sweptInto?: { migration: string; file: string; line: number };
}

export interface ReportResult {
  projects: ProjectReport[];
  /** The same report rendered for reading. */
  markdown: string;
}

export const ReportRequest: ProtocolRequest<ReportParams, ReportResult> = { method: 'migrationGuard/report' };

// ------------------------------------------------------------------ lock trace

export interface LockTraceParams {
  /** Absolute project root folders; all known projects when omitted. */
  projects?: string[];
}

export interface LockTraceResult {
  /** False when this build of the server cannot run the trace (its worker or PGlite is missing). */
  available: boolean;
  markdown: string;
  /** Why it is not available, or what went wrong. */
  message?: string;
}

/** Runs each pending migration on an embedded PostgreSQL (PGlite, 10–20 s cold) and reports the locks it takes. */
export const LockTraceRequest: ProtocolRequest<LockTraceParams, LockTraceResult> = { method: 'migrationGuard/lockTrace' };

// ------------------------------------------------------------------ preflight

export interface PreflightParams {
  /** Absolute project root folders; all known projects when omitted. */
  projects?: string[];
}

export interface PreflightResult {
  /** Projects whose database was counted. */
  counted: number;
  /** The counts, per project (Markdown). */
  markdown: string;
  /** What stopped a project (no URL configured, a URL from a committed file, a database that cannot be reached). */
  message?: string;
}

/** Counts, read-only, in each project's configured database (`migrationGuard.database.url`), the rows its pending changes would fail on. */
export const PreflightRequest: ProtocolRequest<PreflightParams, PreflightResult> = { method: 'migrationGuard/preflight' };

export interface PreflightProgressParams {
  /** The project's name as the report shows it. */
  project: string;
  /** Questions answered so far, of `total`. */
  done: number;
  total: number;
}

/** Sent by the server while a preflight runs. */
export const PreflightProgressNotification: ProtocolNotification<PreflightProgressParams> = { method: 'migrationGuard/preflightProgress' };

// ------------------------------------------------------------------ status

export type ServerState = 'starting' | 'analysing' | 'idle' | 'error';

export interface StatusParams {
  state: ServerState;
  projects: number;
  /** Findings at error or warning level over all projects. */
  unsafe: number;
  /** All findings, info included. */
  findings: number;
  /** For `error`: what went wrong. */
  message?: string;
}

/** Sent by the server whenever the overall state changes (drives the VS Code status bar item). */
export const StatusNotification: ProtocolNotification<StatusParams> = { method: 'migrationGuard/status' };

// ------------------------------------------------------------------ commands

/** Arguments of `migrationGuard.advancePhase` (all optional: with one plan in progress it is the one advanced). */
export interface AdvancePhaseArgs {
  projectRoot?: string;
  /** The plan's id (its folder name under `migration-plans/`). */
  planId?: string;
  /** A file of the project (the active editor's), when the project is not named. */
  file?: string;
}

export interface CommandAnswer {
  done: boolean;
  message: string;
  /** Absolute paths of the files and folders written (also when the schema edit then failed). */
  written?: string[];
  /** Migration folders created, in order. */
  migrationFolders?: string[];
  /** Absolute path of the plan's plan.md. */
  planFile?: string;
  /** The command needs a choice (several plans in progress): run it again with one of these arguments. */
  choices?: { label: string; args: AdvancePhaseArgs }[];
}

/** Options a client may pass in `initializationOptions`. */
export interface GuardInitializationOptions {
  /** Delay between the last keystroke and the analysis (default 50 ms). */
  debounceMs?: number;
  /**
   * A folder the server may keep files in between sessions (VS Code: the
   * extension's workspace storage). The replayed migrations are saved there
   * (`replay/`). Without it: `$XDG_CACHE_HOME/prisma-migration-guard`, else
   * `~/.cache/prisma-migration-guard`.
   */
  storageDir?: string;
}
