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
}

export function docsPath(ruleId: string): string {
  return `docs/rules/${ruleId}.md`;
}
