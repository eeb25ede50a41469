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
}

export interface ReportResult {
  projects: ProjectReport[];
  /** The same report rendered for reading. */
  markdown: string;
}

export const ReportRequest: ProtocolRequest<ReportParams, ReportResult> = { method: 'migrationGuard/report' };

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

export interface CommandAnswer {
  done: boolean;
  message: string;
}

/** Options a client may pass in `initializationOptions`. */
export interface GuardInitializationOptions {
  /** Delay between the last keystroke and the analysis (default 200 ms). */
  debounceMs?: number;
}
