/**
 * The "Check migration safety" report of one project as data: the analysis,
 * sorted and grouped by change, with the checklist and the migration request.
 * Pure; shared by the editor (lsp/report.ts renders it for reading) and the CLI
 * (`check --format markdown`, report/pullRequest.ts renders it for a pull request).
 */
import type { ProjectAnalysis } from '../analysis/types';
import type { Change } from '../diff/changes';
import { describeChange } from '../diff/describe';
import type { ProjectReport, ReportChange, ReportFinding, ReportPlan, ReportPreexisting } from '../lsp/protocol';
import { describePreexisting, type PreexistingDrift, riskOf } from '../analysis/preexisting';
import type { PrismaProject } from '../project/locate';
import { ruleById } from '../rules';
import type { Finding, Severity } from '../rules/types';
import * as path from 'path';
import { listPlanStatuses } from '../phases/files';
import { checklistFor, migrationRequest } from './checklist';
import { changeKey, type PendingSql } from './pendingSql';
import type { ChangeSql } from './prismaSql';

/** What the report adds to the analysis when it is asked for (each part is computed on demand). */
export interface ReportExtras {
  /** The SQL Prisma will write for the changes not in any migration yet, or why it could not be rendered. */
  sql?: PendingSql | { error: string };
  plans?: ReportPlan[];
  /** The lock trace section, Markdown. */
  lockTrace?: string;
  /** The SQL Prisma would generate for each part of the pre-existing drift, or why it could not be rendered. */
  preexistingSql?: Map<Change, ChangeSql> | { error: string };
  /** The preflight section (the counts of the last preflight), Markdown. */
  preflight?: string;
}

/** Where a rule's page is, from its path relative to the package root (a file:// URI in the editor, the path in a pull request). */
export type DocsLink = (docs: string) => string;

function toReportFinding(finding: Finding, docsLink: DocsLink): ReportFinding {
  const rule = ruleById(finding.ruleId);
  return {
    ruleId: finding.ruleId,
    title: rule?.title ?? finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    risk: rule?.why ?? '',
    help: finding.help,
    safePlan: rule?.safePath ?? finding.help,
    file: finding.file,
    range: finding.range,
    docsUri: docsLink(finding.docs),
    ...(finding.statement ? { migration: finding.statement.migration } : {}),
  };
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function projectReport(analysis: ProjectAnalysis, name: string, docsLink: DocsLink, extras: ReportExtras = {}): ProjectReport {
  const findings = [...analysis.findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.ruleId.localeCompare(b.ruleId),
  );
  const unmigratedKeys = new Set(analysis.unmigrated.map(changeKey));
  const changes: ReportChange[] = [];
  const byKey = new Map<string, ReportChange>();
  const addChange = (change: Change): ReportChange => {
    const key = changeKey(change);
    const existing = byKey.get(key);
    if (existing) return existing;
    const entry: ReportChange = {
      description: describeChange(change),
      kind: change.kind,
      table: change.table,
      file: change.source.file,
      range: change.source.range,
      unmigrated: unmigratedKeys.has(key),
      findings: [],
    };
    const sql = extras.sql && 'byKey' in extras.sql ? extras.sql.byKey.get(key) : undefined;
    if (sql && entry.unmigrated) {
      entry.sql = sql.sql;
      if (sql.note) entry.sqlNote = sql.note;
    }
    byKey.set(key, entry);
    changes.push(entry);
    return entry;
  };
  const byPlace = (a: Change, b: Change): number =>
    a.source.file.localeCompare(b.source.file) || a.source.range.start.line - b.source.range.start.line || a.source.range.start.character - b.source.range.start.character;
  // Pre-existing drift has a section of its own: the pending changes are the user's.
  const preexisting = new Set(analysis.preexisting?.changes.map((c) => c.change) ?? []);
  const ownChanges = analysis.changes.filter((change) => !preexisting.has(change));
  for (const change of [...ownChanges].sort(byPlace)) addChange(change);
  findings.forEach((finding, index) => {
    if (finding.change) addChange(finding.change).findings.push(index);
  });
  const counts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  const plans = extras.plans ?? [];
  const checkInput = { provider: analysis.provider, changes: ownChanges, findings, plans: plans.filter((p) => p.next <= p.phases).map((p) => p.id) };
  const checklist = checklistFor(checkInput);
  const summary = migrationRequest({
    ...checkInput,
    name,
    counts,
    checklist,
    pendingMigrations: analysis.migrations.filter((m) => !m.deployed).map((m) => m.name),
  });
  return {
    root: analysis.project.root,
    name,
    schemaFiles: analysis.project.schemaFiles,
    migrationsDir: analysis.project.migrationsDir,
    provider: analysis.provider,
    changes,
    findings: findings.map((f) => toReportFinding(f, docsLink)),
    migrations: analysis.migrations.map((m) => ({ name: m.name, deployed: m.deployed })),
    notes: analysis.notes.map((note) => ({
      level: note.level,
      message: note.message,
      ...(note.where ? { file: note.where.file, line: note.where.range.start.line + 1 } : {}),
    })),
    counts,
    ...(analysis.uncertain && analysis.uncertain.length > 0
      ? {
          unreadStatements: analysis.uncertain.map((u) => ({ migration: u.migration, file: u.file, line: u.range.start.line + 1, excerpt: u.excerpt, reason: u.reason, tables: u.tables, fails: !!u.fails })),
        }
      : {}),
    ...(extras.sql && 'byKey' in extras.sql && extras.sql.sql ? { migrationSql: extras.sql.sql } : {}),
    ...(extras.sql && 'error' in extras.sql ? { migrationSqlError: extras.sql.error } : {}),
    checklist,
    summary,
    ...(plans.length > 0 ? { plans } : {}),
    ...(extras.lockTrace ? { lockTrace: extras.lockTrace } : {}),
    ...(analysis.preexisting && analysis.preexisting.changes.length > 0 ? { preexisting: preexistingReport(analysis.preexisting, extras) } : {}),
    ...(analysis.baseline
      ? { baseline: { file: analysis.baseline.file, accepted: analysis.baseline.accepted, stale: analysis.baseline.stale.map(({ entry, range }) => ({ rule: entry.rule, object: entry.object, line: range.start.line + 1 })) } }
      : {}),
    ...(extras.preflight ? { preflight: extras.preflight } : {}),
  };
}

function preexistingReport(drift: PreexistingDrift, extras: ReportExtras): ReportPreexisting {
  const rendered = extras.preexistingSql instanceof Map ? extras.preexistingSql : undefined;
  const summary = describePreexisting(drift);
  return {
    ref: drift.ref,
    ...(summary ? { summary } : {}),
    changes: drift.changes.map((entry) => {
      const sql = rendered?.get(entry.change);
      return {
        description: describeChange(entry.change),
        kind: entry.change.kind,
        table: entry.change.table,
        file: entry.change.source.file,
        range: entry.change.source.range,
        risk: riskOf(entry).map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message })),
        ...(sql?.sql ? { sql: sql.sql } : {}),
        ...(sql?.note ? { sqlNote: sql.note } : {}),
        ...(entry.carriedBy ? { sweptInto: { migration: entry.carriedBy.migration, file: entry.carriedBy.file, line: entry.carriedBy.line + 1 } } : {}),
      };
    }),
    ...(extras.preexistingSql && !(extras.preexistingSql instanceof Map) ? { sqlError: extras.preexistingSql.error } : {}),
  };
}

export function failedProjectReport(project: PrismaProject, name: string, error: string): ProjectReport {
  return {
    root: project.root,
    name,
    schemaFiles: project.schemaFiles,
    migrationsDir: project.migrationsDir,
    error,
    changes: [],
    findings: [],
    migrations: [],
    notes: [],
    counts: { error: 0, warning: 0, info: 0 },
  };
}

/** The phased plans of the project (prisma/migration-plans/) and the phase each waits at. */
export function planSummaries(project: PrismaProject): ReportPlan[] {
  return listPlanStatuses(project).statuses.map((s) => ({ id: s.plan.id, title: s.plan.title, next: s.next + 1, phases: s.phases.length, planFile: path.join(s.dir, 'plan.md') }));
}
