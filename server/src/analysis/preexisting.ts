/**
 * Pre-existing drift: what already separates the committed migrations from the
 * schema as committed (at HEAD, or at the base ref), before the person editing
 * typed anything. It is not their change and they cannot act on it line by
 * line, so it is reported once, as such; but the next `prisma migrate dev`
 * writes all of it into their migration, so a pending migration that carries it
 * is judged at full severity on the statements that do.
 *
 * Pure: the session computes the drift once per migrations snapshot and hands
 * it here with each analysis' findings.
 */
import type { DbState } from '../core/dbState';
import type { SourceRef } from '../core/source';
import type { Change } from '../diff/changes';
import { describeChange } from '../diff/describe';
import { docsPath, type Finding } from '../rules/types';
import type { MigrationOrigin } from './origin';

/** The drift at the ref, as the session computed it for one migrations snapshot. */
export interface DriftAtRef {
  /** The git ref the committed schema and migrations were read at (`HEAD`, `origin/main`). */
  ref: string;
  /** Deployed migrations → schema as committed at `ref`. */
  changes: Change[];
  /** By contentKey: the pending migration that already carries a drift change (someone ran `migrate dev`). */
  carriers: ReadonlyMap<string, SweptInto>;
  /** The deployed state and the committed schema's state, for the SQL Prisma would generate. */
  before: DbState;
  after: DbState;
}

/** A pending migration's statement that carries a drift change; `endCharacter` ends the line named. */
export type SweptInto = MigrationOrigin & { endCharacter: number };

export interface PreexistingChange {
  /** As the current analysis has it (its source is the schema as edited now). */
  change: Change;
  /** What the schema rules say about it, as they would about an edit: its risk. Empty when it is safe. */
  findings: Finding[];
  /** The pending migration that already carries it. */
  carriedBy?: SweptInto;
}

export interface PreexistingDrift {
  ref: string;
  changes: PreexistingChange[];
  before: DbState;
  after: DbState;
}

const contentKeys = new WeakMap<Change, string>();

/**
 * What a change does, without where it was written: two diffs name the same
 * change alike when the edit left that object as it was. Model and field names
 * are left out as well: only the database matters.
 */
export function contentKey(change: Change): string {
  let key = contentKeys.get(change);
  if (key === undefined) {
    const { source: _source, model: _model, field: _field, ...rest } = change;
    key = JSON.stringify(rest);
    contentKeys.set(change, key);
  }
  return key;
}

export interface SeparateInput {
  findings: Finding[];
  /** Baseline → edited schema (the analysis' changes). */
  changes: Change[];
  drift: DriftAtRef;
  /** Where the one summary diagnostic goes: the datasource block. */
  anchor?: SourceRef;
}

/**
 * Splits the analysis' findings: findings about pre-existing drift leave the
 * schema lines (kept with the drift, for the report); those a pending
 * migration carries move onto its statement at full severity; the user's own
 * findings stay, told when the object they touch already drifts; and one info
 * finding on the datasource block sums the drift up.
 */
export function separatePreexisting(input: SeparateInput): { findings: Finding[]; preexisting: PreexistingDrift } {
  const { drift } = input;
  const driftKeys = new Set(drift.changes.map(contentKey));
  const entries = new Map<string, PreexistingChange>();
  for (const change of input.changes) {
    const key = contentKey(change);
    if (!driftKeys.has(key) || entries.has(key)) continue;
    const carriedBy = drift.carriers.get(key);
    entries.set(key, { change, findings: [], ...(carriedBy ? { carriedBy } : {}) });
  }
  const sweptBy = new Map<string, number>();
  for (const entry of entries.values()) if (entry.carriedBy) sweptBy.set(entry.carriedBy.migration, (sweptBy.get(entry.carriedBy.migration) ?? 0) + 1);

  const sqlFindings = input.findings.filter((f) => f.statement);
  const kept: Finding[] = [];
  const moved: Finding[] = [];
  for (const finding of input.findings) {
    const entry = finding.change && !finding.statement ? entries.get(contentKey(finding.change)) : undefined;
    if (!entry) {
      kept.push(finding.change && !finding.statement ? touchingDrift(finding, drift) : finding);
      continue;
    }
    entry.findings.push(finding);
    const carrier = entry.carriedBy;
    // The real SQL wins: where a SQL rule already judges the statement, the schema rule does not say it again.
    if (!carrier || sqlFindings.some((sql) => sql.file === carrier.file && covers(sql, carrier.line))) continue;
    moved.push({
      ...finding,
      file: carrier.file,
      range: { start: { line: carrier.line, character: 0 }, end: { line: carrier.line, character: carrier.endCharacter } },
      message: `${sweptSentence(sweptBy.get(carrier.migration) ?? 1)} ${finding.message}`,
      related: [{ file: finding.change?.source.file ?? finding.file, range: finding.change?.source.range ?? finding.range, message: 'Already in the committed schema, in no deployed migration' }, ...finding.related],
    });
  }
  const carrierLines = [...entries.values()].flatMap((e) => (e.carriedBy ? [e.carriedBy] : []));
  const findings = kept.map((finding) => {
    if (!finding.statement) return finding;
    const carrier = carrierLines.find((c) => c.file === finding.file && covers(finding, c.line));
    return carrier ? { ...finding, message: `${sweptSentence(sweptBy.get(carrier.migration) ?? 1)} ${finding.message}` } : finding;
  });
  findings.push(...moved);

  const changes = [...entries.values()];
  const preexisting: PreexistingDrift = { ref: drift.ref, changes, before: drift.before, after: drift.after };
  const summary = summaryFinding(preexisting, input.anchor);
  if (summary) findings.push(summary);
  return { findings, preexisting };
}

function covers(finding: Finding, line: number): boolean {
  return finding.range.start.line <= line && line <= finding.range.end.line;
}

function sweptSentence(count: number): string {
  return `This migration also carries ${count === 1 ? '1 change that is' : `${count} changes that are`} not part of your schema edit: pre-existing drift between the committed schema and its migrations, which \`prisma migrate dev\` swept in.`;
}

/** A finding of the user's own edit on a table that already drifts says so: the same migration will carry both. */
function touchingDrift(finding: Finding, drift: DriftAtRef): Finding {
  const change = finding.change;
  if (!change) return finding;
  const own = contentKey(change);
  const drifting = drift.changes.filter((d) => d.tableKey === change.tableKey && contentKey(d) !== own);
  if (drifting.length === 0) return finding;
  const shown = drifting.slice(0, 2).map(describeChange).join('; ');
  const more = drifting.length > 2 ? ` and ${drifting.length - 2} more` : '';
  const carriers = drifting.map((d) => drift.carriers.get(contentKey(d)));
  const swept = carriers.every((c) => c !== undefined) ? [...new Set(carriers.map((c) => c?.migration))] : [];
  const consequence = swept.length > 0 ? `pending migration ${swept.map((m) => `\`${m}\``).join(', ')} carries that too` : 'the next `prisma migrate dev` puts that into the same migration';
  return {
    ...finding,
    message: `${finding.message} \`${change.table}\` already differs from its migrations before your edit (${shown}${more}): ${consequence}.`,
  };
}

/** A sentence, not a table: the largest kinds are named, the rest counted together. */
const MAX_KINDS_NAMED = 4;

/** "32 foreign keys, 5 indexes, 2 new columns": the drift counted by kind, largest first. */
export function countByKind(changes: readonly Change[]): string {
  const counts = new Map<string, { label: [string, string]; count: number }>();
  for (const change of changes) {
    const label = kindLabel(change);
    const entry = counts.get(label[0]) ?? { label, count: 0 };
    entry.count++;
    counts.set(label[0], entry);
  }
  const sorted = [...counts.values()].sort((a, b) => b.count - a.count || a.label[0].localeCompare(b.label[0]));
  const shown = sorted.slice(0, MAX_KINDS_NAMED).map((e) => `${e.count} ${e.count === 1 ? e.label[0] : e.label[1]}`);
  const rest = sorted.slice(MAX_KINDS_NAMED).reduce((sum, e) => sum + e.count, 0);
  return [...shown, ...(rest > 0 ? [`${rest} other`] : [])].join(', ');
}

function kindLabel(change: Change): [string, string] {
  switch (change.kind) {
    case 'addTable':
      return ['new table', 'new tables'];
    case 'dropTable':
      return ['dropped table', 'dropped tables'];
    case 'renameTable':
      return ['renamed table', 'renamed tables'];
    case 'addColumn':
      return ['new column', 'new columns'];
    case 'dropColumn':
      return ['dropped column', 'dropped columns'];
    case 'renameColumn':
      return ['renamed column', 'renamed columns'];
    case 'alterColumnType':
      return ['column type change', 'column type changes'];
    case 'setNotNull':
      return ['column made required', 'columns made required'];
    case 'dropNotNull':
      return ['column made optional', 'columns made optional'];
    case 'setDefault':
    case 'dropDefault':
      return ['default change', 'default changes'];
    case 'addIndex':
      return change.unique ? ['unique constraint', 'unique constraints'] : ['index', 'indexes'];
    case 'dropIndex':
      return ['dropped index', 'dropped indexes'];
    case 'renameIndex':
    case 'renameForeignKey':
      return ['renamed index or key', 'renamed indexes or keys'];
    case 'addForeignKey':
      return ['foreign key', 'foreign keys'];
    case 'dropForeignKey':
      return ['dropped foreign key', 'dropped foreign keys'];
    case 'changePrimaryKey':
      return ['primary key change', 'primary key changes'];
    case 'addEnum':
      return ['new enum', 'new enums'];
    case 'dropEnum':
      return ['dropped enum', 'dropped enums'];
    case 'addEnumValue':
      return ['new enum value', 'new enum values'];
    case 'removeEnumValue':
      return ['removed enum value', 'removed enum values'];
    case 'addView':
      return ['new view', 'new views'];
    case 'dropView':
      return ['dropped view', 'dropped views'];
  }
}

/** The one sentence the editor shows on the datasource block and the CLI prints in its summary. */
export function describePreexisting(preexisting: PreexistingDrift): string | undefined {
  const waiting = preexisting.changes.filter((c) => !c.carriedBy).map((c) => c.change);
  if (waiting.length === 0) return undefined;
  const places = waiting.length === 1 ? '1 place' : `${waiting.length} places`;
  return `This schema already differs from its migrations in ${places} (${countByKind(waiting)}), as committed at ${preexisting.ref}: the next \`prisma migrate dev\` puts all of them into your migration, whatever you change.`;
}

/** The findings that say deploying the change is unsafe (that it has no migration yet goes without saying here). */
export function riskOf(change: PreexistingChange): Finding[] {
  return change.findings.filter((f) => f.severity !== 'info' && f.ruleId !== 'schema-drift');
}

function summaryFinding(preexisting: PreexistingDrift, anchor: SourceRef | undefined): Finding | undefined {
  const message = describePreexisting(preexisting);
  if (!message || !anchor) return undefined;
  const risky = preexisting.changes.filter((c) => !c.carriedBy && riskOf(c).length > 0).length;
  const risk = risky > 0 ? ` ${risky} of them would be unsafe to deploy as Prisma writes them.` : '';
  return {
    ruleId: 'schema-drift',
    severity: 'info',
    message: `${message}${risk} Not your edit, so not marked line by line; "Check migration safety" lists each with its SQL and risk.`,
    help: 'Before your next `prisma migrate dev`, give this drift a migration of its own (reviewed, with a safe plan for the risky parts), or bring the schema back in line with the database; see docs/ci.md, "Adopting on an existing project".',
    file: anchor.file,
    range: anchor.range,
    related: [],
    docs: docsPath('schema-drift'),
  };
}
