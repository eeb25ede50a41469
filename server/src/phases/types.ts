/**
 * The vocabulary of phased migrations. A plan is plain data (it is stored as
 * plan.json next to the schema and read back by "Advance to next phase"), so
 * nothing here holds functions or engine objects.
 */
import type { Provider } from '../core/dbState';
import type { Range } from '../core/source';

/** One Prisma migration folder a phase writes into `prisma/migrations/`. */
export interface PlannedMigration {
  /** snake_case name without the timestamp, e.g. `expand_add_phone_to_user`; unique within the plan. */
  slug: string;
  /** One line: what the migration does. */
  summary: string;
  /** The `migration.sql` text. */
  sql: string;
  /** The `down.sql` text: brings the database back to the state before this migration. */
  down: string;
  /**
   * False when PostgreSQL must run the file outside a transaction block
   * (`CREATE INDEX CONCURRENTLY`, a DO block that commits per batch): such a
   * file holds that one statement and nothing else.
   */
  transactional: boolean;
}

/**
 * A schema edit described by meaning, not by position: positions are computed
 * when the phase is applied, from the schema as it is then (the user keeps
 * editing between phases).
 */
export type SchemaOp =
  | { op: 'setOptional'; model: string; field: string; optional: boolean }
  /** Replaces the whole declaration (name, type, attributes) of a field. */
  | { op: 'replaceField'; model: string; field: string; declaration: string }
  /** Inserts a field line; after `after` (a field name) or, without it, after the last field. */
  | { op: 'addField'; model: string; field: string; declaration: string; after?: string }
  | { op: 'removeField'; model: string; field: string }
  /** Sets referential actions (`onDelete: NoAction`) in the `@relation(...)` of a relation field, replacing the ones it has. */
  | { op: 'setRelationActions'; model: string; field: string; actions: { onDelete?: string; onUpdate?: string } }
  /** Appends a whole model block at the end of the file that holds `nearModel` (or the first schema file). */
  | { op: 'addModel'; model: string; text: string; nearModel?: string }
  | { op: 'removeModel'; model: string }
  /** Inserts an enum value line before `before` (a value name) or at the end. */
  | { op: 'addEnumValue'; enum: string; value: string; before?: string }
  | { op: 'removeEnumValue'; enum: string; value: string }
  /**
   * Makes the enum list exactly `values`, in that order: lines of values it
   * keeps move with the comments above them, missing values get a line of
   * their own (`declarations[name]`, e.g. `IN_PROGRESS @map("in-progress")`,
   * or the bare name), values not listed go. (A MySQL ENUM's order is the column's.)
   */
  | { op: 'setEnumValues'; enum: string; values: string[]; declarations?: Record<string, string> };

/** A data migration that runs in batches by primary-key cursor. */
export interface BackfillStep {
  /** Table as SQL would name it (`"public"."User"` is written as `"User"` in the default schema). */
  table: string;
  schema?: string;
  /** Primary key columns, in key order: the cursor. */
  key: string[];
  /** SQL types of the key columns (PostgreSQL casts parameters to them). */
  keyTypes: string[];
  /** `column = expression` assignments, expressions in the provider's SQL. */
  set: { column: string; expression: string }[];
  /** Rows that still need the backfill (the update is limited to them, which makes it idempotent). */
  pending: string;
  /** Human description of one step, for progress output. */
  label: string;
  /**
   * The pending condition picks rows by value (`status = 'SPAM'`), not every row of the table: sql-unbatched-backfill
   * does not take such an UPDATE for a whole-table one, so the migration carries no mark for it (a mark that covers
   * nothing is reported as unused).
   */
  selectsByValue?: true;
}

export interface Backfill {
  steps: BackfillStep[];
  batchSize: number;
  /** File name of the TypeScript data-migration script in the phase's plan folder. */
  scriptName: string;
  /** The script's source. */
  script: string;
  /** Values the planner chose that a person must confirm (`''` for existing rows of `User.phone`). */
  review: string[];
}

export interface Phase {
  /** 1-based position in the plan. */
  number: number;
  /** Short snake_case word used in folder names: `expand`, `backfill`, `contract`, `build`, ... */
  key: string;
  title: string;
  /** What the phase does, in a sentence or two. */
  does: string;
  /** What must be true before this phase's migrations are deployed (besides the previous phase being deployed). */
  requires: string[];
  /** What must be deployed (or done) before the next phase may run; empty for the last phase. */
  beforeNext: string;
  /** How to roll this phase back. */
  rollback: string;
  migrations: PlannedMigration[];
  /** Schema edits that make the schema describe the database after this phase. */
  schema: SchemaOp[];
  backfill?: Backfill;
  /** Queries to run against production before deploying the phase (duplicates, orphans, NULLs left). */
  preflight?: { description: string; sql: string };
  /** SQL that keeps a copy of data the phase destroys; run by hand before deploying it. */
  backup?: { description: string; sql: string };
}

export type PlanKind =
  | 'add-required-column'
  | 'make-column-required'
  | 'rename-column'
  | 'change-column-type'
  | 'change-primary-key'
  | 'add-unique-constraint'
  | 'create-index'
  | 'add-foreign-key'
  | 'remove-enum-value'
  | 'drop-column'
  | 'drop-table';

export interface Plan {
  format: 'prisma-migration-guard/plan@1';
  /** `<14-digit UTC timestamp>_<name>`: the plan's folder name under `migration-plans/`. */
  id: string;
  /** snake_case description of the change: `add_phone_to_user`. */
  name: string;
  title: string;
  kind: PlanKind;
  /** The rule whose finding the plan answers. */
  ruleId: string;
  provider: Provider;
  /** The change in the CLI's short JSON form. */
  change: Record<string, unknown>;
  /** ISO time of generation. */
  createdAt: string;
  /** Why the direct migration is unsafe, one or two sentences. */
  risk: string;
  phases: Phase[];
  /** Caveats a reviewer must read (values chosen for a backfill, limits of the plan). */
  notes: string[];
}

/** Options a user can set when asking for a plan. */
export interface PlanOptions {
  /** SQL expression existing rows get when a column becomes required (default: chosen per type, flagged for review). */
  backfill?: string;
  /** Enum value rows holding a removed value move to (default: the renamed value, the column default or the first value left). */
  replaceWith?: string;
  /** Rows per batch in backfills (default 1000). */
  batchSize?: number;
  /** `lock_timeout` for statements that take strong locks (default `5s`). */
  lockTimeout?: string;
  /** PostgreSQL major version deployed to (default 16). */
  postgresVersion?: number;
  /** Clock for the plan id (tests). */
  now?: Date;
}

/** A text edit of one schema file; the editor applies a list of them as one undoable workspace edit. */
export interface SchemaEdit {
  /** Absolute path. */
  file: string;
  range: Range;
  newText: string;
}

export type PlanOutcome = { ok: true; plan: Plan } | { ok: false; reason: string };

/** Thrown by the writers when writing would lose or clash with the user's work; the message says why. */
export class PlanRefused extends Error {}
