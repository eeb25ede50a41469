import type { Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import type { Change } from '../diff/changes';
import type { PrismaProject } from '../project/locate';
import type { UncertainStatement } from '../replay/types';
import type { Finding } from '../rules/types';
import type { Range } from '../core/source';
import type { PreflightContext } from './preflight';
import type { BaselineOutcome } from './baseline';
import type { PreexistingDrift } from './preexisting';

export interface MigrationStatus {
  name: string;
  /** Counts as deployed (baseline); otherwise pending. */
  deployed: boolean;
}

/** Everything the surfaces (CLI, language server, report) need about one Prisma project. */
export interface ProjectAnalysis {
  project: PrismaProject;
  provider: Provider;
  findings: Finding[];
  /** Baseline → edited schema: every change not yet deployed, safe ones included. */
  changes: Change[];
  /** Changes no migration file carries yet (all migrations → edited schema). */
  unmigrated: Change[];
  migrations: MigrationStatus[];
  /** Statements of the migrations the replay could not interpret or that the database rejects (the report lists them). */
  uncertain?: readonly UncertainStatement[];
  notes: Note[];
  /**
   * What Prisma's validator rejects in the schema (after the settings of older
   * Prisma versions are neutralised). Set only when the analysis validates (the
   * CLI): findings on a schema Prisma cannot read are guesses.
   */
  schemaErrors?: SchemaError[];
  /** What the preflight needs to turn findings into questions for the database, and apply the answers. */
  preflightContext?: PreflightContext;
  /**
   * In git mode: what already separated the committed migrations from the
   * schema as committed at the ref, still there in the edited schema. Reported
   * once (one info finding), not line by line.
   */
  preexisting?: PreexistingDrift;
  /** When the project has a baseline file: how many findings it accepted, and its entries that match nothing. */
  baseline?: BaselineOutcome;
  /** Milliseconds spent per stage, for the benchmark and the trace. */
  timings: Record<string, number>;
}

/** One error of Prisma's schema validator, on the schema text as written. */
export interface SchemaError {
  file: string;
  range: Range;
  message: string;
}
