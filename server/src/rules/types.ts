import type { DbState, Provider } from '../core/dbState';
import type { SourceRef } from '../core/source';
import type { Change } from '../diff/changes';
import type { ParsedStatement } from '../replay/statements';

export type Severity = 'error' | 'warning' | 'info';

/** What a rule knows about the project besides the change itself. */
export interface RuleContext {
  provider: Provider;
  /** The deployed database state. */
  baseline: DbState;
  /** The database the edited schema describes. */
  expected: DbState;
  /** PostgreSQL major version the project deploys to (some rules depend on it). */
  postgresVersion: number;
  /** Tables the project says are empty or small (config `smallTables`), by table name. */
  isSmallTable(table: string): boolean;
  /**
   * How a pending migration file carries out `change`, when one does: the
   * rule then judges that file's statements, not the SQL Prisma would
   * generate. Undefined for changes no migration carries yet.
   */
  carrier?(change: Change): ChangeCarrier | undefined;
}

/** One statement of a pending migration file. */
export interface CarryingStatement {
  migration: string;
  /** Absolute path of the migration file. */
  file: string;
  statement: ParsedStatement;
}

/**
 * The SQL that will really run for a change, read from the pending migration
 * file(s) that carry it out.
 */
export interface ChangeCarrier {
  /** The statements that carry the change out, in the order they run (an index built concurrently before the constraint that uses it). */
  statements: CarryingStatement[];
  /**
   * How the index behind an index, unique constraint or primary key gets
   * built: `concurrently` (CREATE INDEX CONCURRENTLY alone in its file: writes
   * continue), `deployed` (the deployed database has it already, and the change
   * attaches it with USING INDEX or renames it), `blocking` (built under a lock
   * that stops writes), `refused` (CONCURRENTLY inside a transaction block:
   * PostgreSQL refuses it and the migration fails).
   */
  indexBuild?: 'concurrently' | 'deployed' | 'blocking' | 'refused';
  /** A RENAME statement renames the column or table in place: the data stays. */
  renamedInPlace?: boolean;
  /** The pending SQL copies every value of the dropped column (into the new column, or another table), or every row of the dropped table, before the drop: the data stays. */
  valuesCopied?: boolean;
  /** The new column is `GENERATED ALWAYS AS (...) STORED`: PostgreSQL computes it for every row (a table rewrite) and it never fails for lack of a value. */
  generatedStored?: boolean;
  /** The foreign key is added NOT VALID (existing rows are not read), or inline with the column it adds, which holds only NULLs then. */
  validationSkipped?: boolean;
  /** The column becomes NOT NULL because a primary key is added over it (change-primary-key's finding), not by SET NOT NULL. */
  byPrimaryKey?: boolean;
  /** Columns the statement makes NOT NULL (SET NOT NULL, a primary key) that a validated CHECK (col IS NOT NULL) or an earlier NOT NULL already proves non-null when it runs. */
  provenNotNull?: string[];
}

/** One thing a rule reports before the pipeline attaches ids, severity and file paths. */
export interface RuleReport {
  message: string;
  help: string;
  /** Defaults to the change's source. */
  where?: SourceRef;
  /** Overrides the rule's default severity (e.g. a safe variant reported at info). */
  severity?: Severity;
  /** What code actions need (quick-fix kind, names), carried to the editor so the server keeps no state. */
  fix?: FixHint;
  /** The rows the risk is about, for rules whose change does not say it alone (SQL rules, one value of a MySQL enum column). */
  subject?: FindingSubject;
}

/**
 * The database objects a finding's risk is about, as data: which column's
 * NULLs, which foreign key's orphans. The preflight counts rows from it.
 * Table names are DbState keys (`schema.table` outside the default schema).
 */
export interface FindingSubject {
  table: string;
  columns: string[];
  /** For a foreign key: the table and columns it points at (columns empty: the primary key). */
  references?: { table: string; columns: string[] };
  /** For an enum column: the value removed. */
  value?: string;
}

/** What the quick fixes of the editor and the phased-migration planner need to know. */
export type FixHint =
  | { kind: 'makeOptional'; model: string; field: string }
  | { kind: 'addDatabaseDefault'; model: string; field: string; suggestion: string }
  | { kind: 'keepColumnName'; model: string; field: string; column: string }
  | { kind: 'keepTableName'; model: string; table: string }
  | { kind: 'none' };

interface RuleMeta {
  /** Kebab-case, equal to the rule's file name and docs page name. */
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** Why the change is unsafe, one or two sentences. */
  why: string;
  /** The safe path, one or two sentences. */
  safePath: string;
  providers: Provider[];
}

export interface SchemaRule extends RuleMeta {
  target: 'schema';
  /**
   * Which changes the rule judges: `pending` (default) are baseline → edited
   * schema, i.e. everything not yet deployed; `unmigrated` are the changes no
   * migration file carries yet.
   */
  judges?: 'pending' | 'unmigrated';
  detect(change: Change, context: RuleContext): RuleReport[];
}

export interface SqlRuleContext extends RuleContext {
  migration: string;
  /** All statements of the migration file, for rules that look around (a lock_timeout set earlier). */
  statements: ParsedStatement[];
  /** Tables that exist in the baseline (and so may hold rows). */
  existingTables: Set<string>;
  /** Kinds Prisma listed in the file's `Warnings:` comment block (e.g. `drop_column`). */
  prismaWarnings: string[];
}

export interface SqlRule extends RuleMeta {
  target: 'sql';
  detect(statement: ParsedStatement, context: SqlRuleContext): RuleReport[];
}

export type Rule = SchemaRule | SqlRule;

/** A finding as every surface sees it. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  help: string;
  /** Absolute path. Surfaces make it relative where they need to. */
  file: string;
  range: SourceRef['range'];
  /** The change (schema rules) or the statement (SQL rules) the finding is about. */
  change?: Change;
  statement?: { migration: string; kind: string; text: string };
  /** Where the changed object was created (the migration that made the column, say). */
  related: { file: string; range: SourceRef['range']; message: string }[];
  docs: string;
  fix?: FixHint;
  /** Set when the project's baseline accepted the finding: the severity it had before it dropped to info. */
  accepted?: Severity;
  subject?: FindingSubject;
  /** What the preflight measured in the database for this finding (`check --preflight`, the editor's preflight command). */
  preflight?: FindingPreflight;
}

/** Measured facts about a finding, from a read-only look at the real database. */
export interface FindingPreflight {
  /** What was counted: `rows` (rows a new required column leaves without a value), `nulls`, `duplicates`, `enumValue`, `orphans`, `cast`. */
  check?: 'rows' | 'nulls' | 'duplicates' | 'enumValue' | 'orphans' | 'cast';
  /** `exact`: every row counted; `sampled`: counted in a sample (`count` is then an estimate); `skipped`, `failed`: not counted (`reason` says why). */
  method?: 'exact' | 'sampled' | 'skipped' | 'failed';
  /** Rows that make the migration fail (for duplicates: the rows in duplicate groups). */
  count?: number;
  /** Duplicate groups, and up to 5 example keys (masked unless values may be shown). */
  groups?: number;
  examples?: string[];
  /** Percentage of the table read, for `sampled`. */
  samplePercent?: number;
  reason?: string;
  /** Size of the table a lock-taking statement works on, and the time that work takes at a typical rate. */
  table?: { name: string; rows: number; bytes: number; work: 'scan' | 'build' | 'rewrite'; seconds: number };
  /** The severity before the facts were applied. */
  severityBefore: Severity;
  /** The facts in one or two sentences, as appended to the message. */
  summary: string;
  /** The database, masked (`postgresql://reader:****@db:5432/shop`). */
  database: string;
}

export function docsPath(ruleId: string): string {
  return `docs/rules/${ruleId}.md`;
}
