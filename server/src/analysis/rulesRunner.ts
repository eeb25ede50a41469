import { type DbState, type Provider, providerName, tableKey } from '../core/dbState';
import type { SourceRef } from '../core/source';
import type { Change } from '../diff/changes';
import type { GuardConfig } from '../project/config';
import type { ProvenanceLookup, UncertainStatement } from '../replay/types';
import { schemaRules } from '../rules';
import { docsPath, type Finding, type RuleContext, type SchemaRule } from '../rules/types';

export interface SchemaRuleInput {
  provider: Provider;
  baseline: DbState;
  expected: DbState;
  /** Baseline → edited schema. */
  pending: Change[];
  /** All migrations → edited schema. */
  unmigrated: Change[];
  config: GuardConfig;
  provenance: ProvenanceLookup;
  /** Statements of the migrations the replay could not interpret: findings on the tables they may have touched are not confident. */
  uncertain?: readonly UncertainStatement[];
  rules?: readonly SchemaRule[];
  /** How a pending migration file carries out a change (see RuleContext.carrier). */
  carrier?: RuleContext['carrier'];
}

export function ruleContext(provider: Provider, baseline: DbState, expected: DbState, config: GuardConfig, carrier?: RuleContext['carrier']): RuleContext {
  const small = new Set(config.smallTables.map((t) => t.toLowerCase()));
  return {
    provider,
    baseline,
    expected,
    postgresVersion: config.postgresVersion,
    isSmallTable: (table) => small.has(table.toLowerCase()),
    ...(carrier ? { carrier } : {}),
  };
}

/** The rules that run for a provider and configuration (the others say nothing, so their suppressions cannot be judged unused). */
export function activeRules<R extends { id: string; providers: readonly Provider[] }>(rules: readonly R[], provider: Provider, config: GuardConfig): R[] {
  return rules.filter((rule) => rule.providers.includes(provider) && config.rules[rule.id] !== 'off');
}

/** Pure: changes in, findings out (severity from config, `off` rules skipped). */
export function runSchemaRules(input: SchemaRuleInput): Finding[] {
  const context = ruleContext(input.provider, input.baseline, input.expected, input.config, input.carrier);
  const rules = activeRules(input.rules ?? schemaRules, input.provider, input.config);
  const findings: Finding[] = [];
  const flagged = new Set<string>();
  for (const rule of rules.filter((r) => (r.judges ?? 'pending') === 'pending')) {
    for (const change of input.pending) {
      for (const report of rule.detect(change, context)) {
        findings.push(toFinding(rule, change, report.where ?? change.source, report, input));
        flagged.add(changeIdentity(change));
      }
    }
  }
  // A change that is both unsafe and unmigrated is reported once, by the safety rule: its fix creates the migration anyway.
  for (const rule of rules.filter((r) => r.judges === 'unmigrated')) {
    for (const change of input.unmigrated) {
      if (flagged.has(changeIdentity(change))) continue;
      for (const report of rule.detect(change, context)) {
        findings.push(toFinding(rule, change, report.where ?? change.source, report, input));
      }
    }
  }
  return findings;
}

function toFinding(
  rule: SchemaRule,
  change: Change,
  where: SourceRef,
  report: ReturnType<SchemaRule['detect']>[number],
  input: SchemaRuleInput,
): Finding {
  const configured = input.config.rules[rule.id];
  let severity = configured && configured !== 'off' ? configured : (report.severity ?? rule.defaultSeverity);
  let message = report.message;
  const related = relatedFor(change, input.provenance);
  const unread = unreadStatementsOn(change, input.uncertain ?? []);
  if (unread.length > 0) {
    // What the replay could not read may have made this change moot (or different): never an error on its word.
    if (severity === 'error') severity = 'warning';
    const database = providerName(input.provider);
    message = `${message} ${unreadSentence(unread, change, database)}`;
    for (const statement of unread) {
      related.push({ file: statement.file, range: statement.range, message: `migration ${statement.migration}, line ${statement.range.start.line + 1}: ${statement.fails ? `${database} rejects this statement` : 'the replay could not interpret this statement'}` });
    }
  }
  return {
    ruleId: rule.id,
    severity,
    message,
    help: report.help,
    file: where.file,
    range: where.range,
    change,
    related,
    docs: docsPath(rule.id),
    ...(report.fix ? { fix: report.fix } : {}),
    ...(report.subject ? { subject: report.subject } : {}),
  };
}

/** The uninterpreted statements that may have touched the change's table (or enum). */
function unreadStatementsOn(change: Change, uncertain: readonly UncertainStatement[]): UncertainStatement[] {
  if (uncertain.length === 0) return [];
  const keys = new Set([change.tableKey]);
  if (change.kind === 'renameTable') keys.add(tableKey(change.before.schema, change.before.name));
  return uncertain.filter((statement) => statement.tables.some((t) => keys.has(t)));
}

function unreadSentence(unread: UncertainStatement[], change: Change, database: string): string {
  const first = unread[0];
  const more = unread.length > 1 ? ` (and ${unread.length - 1} more statement${unread.length > 2 ? 's' : ''})` : '';
  const what = first.fails ? `${database} rejects \`${first.excerpt}\` in migration ${first.migration}, line ${first.range.start.line + 1}, so that migration fails on a fresh database` : `The replay could not read \`${first.excerpt}\` in migration ${first.migration}, line ${first.range.start.line + 1} (${first.reason})`;
  return `${what}${more}; what the database really holds for \`${change.table}\` may differ, so check it before relying on this finding.`;
}

function changeIdentity(change: Change): string {
  const column = 'column' in change ? change.column : '';
  const detail = change.kind === 'addIndex' || change.kind === 'dropIndex' ? change.index.name : change.kind === 'addEnumValue' || change.kind === 'removeEnumValue' ? change.value : '';
  return `${change.kind}|${change.tableKey}|${column}|${detail}`;
}

/** Points at the migration that created what the change touches, so the editor can link to it. */
function relatedFor(change: Change, provenance: ProvenanceLookup): Finding['related'] {
  const related: Finding['related'] = [];
  const add = (key: string, what: string): void => {
    const entry = provenance(key);
    if (entry) related.push({ file: entry.file, range: entry.range, message: `${what} created by migration ${entry.migration}` });
  };
  switch (change.kind) {
    case 'dropColumn':
    case 'alterColumnType':
    case 'setNotNull':
    case 'dropNotNull':
    case 'setDefault':
    case 'dropDefault':
      add(`${change.tableKey}.${change.column}`, `column \`${change.table}.${change.column}\``);
      break;
    case 'renameColumn':
      add(`${change.tableKey}.${change.from}`, `column \`${change.table}.${change.from}\``);
      break;
    case 'dropTable':
    case 'addColumn':
    case 'addIndex':
    case 'addForeignKey':
    case 'changePrimaryKey':
      add(change.tableKey, `table \`${change.table}\``);
      break;
    case 'renameTable':
      add(tableKey(change.before.schema, change.before.name), `table \`${change.from}\``);
      break;
    case 'removeEnumValue':
    case 'addEnumValue':
      add(change.tableKey, `enum \`${change.table}\``);
      break;
    default:
      break;
  }
  return related;
}
