import * as path from 'path';
import { lockTraceJson, type LockTrace } from '../analysis/lockTrace';
import type { FindingOrigin } from '../analysis/origin';
import type { PreflightFacts } from '../analysis/preflight';
import type { ProjectAnalysis } from '../analysis/types';
import type { Finding } from '../rules/types';
import { riskOf } from '../analysis/preexisting';
import { summarizeChange } from '../diff/changes';
import { describeChange } from '../diff/describe';
import { byPlace } from './formatText';

export interface JsonOptions {
  /** Adds `origin` to each finding: `{kind: "schema", file, line}` or `{kind: "migration", migration, file, line}` (0-based line). */
  origins?: ReadonlyMap<Finding, FindingOrigin>;
  /** Adds `lockTrace` (check --lock-trace). */
  lockTrace?: LockTrace;
  /** Adds `preflight` (check --preflight): the database (masked), engine and time of the counts; each finding has its own `preflight`. */
  preflight?: PreflightFacts;
}

/** The JSON contract of `check --format json` (see README): findings, changes, notes. */
export function formatJson(analysis: ProjectAnalysis, options: JsonOptions = {}): string {
  return JSON.stringify(toJson(analysis, options), null, 2) + '\n';
}

export function toJson(analysis: ProjectAnalysis, options: JsonOptions = {}): Record<string, unknown> {
  const root = analysis.project.root;
  const relative = (file: string): string => path.relative(root, file) || file;
  return {
    project: root,
    provider: analysis.provider,
    schema: analysis.project.schemaFiles.map(relative),
    migrationsDir: relative(analysis.project.migrationsDir),
    findings: [...analysis.findings].sort(byPlace).map((finding) => ({
      ruleId: finding.ruleId,
      severity: finding.severity,
      message: finding.message,
      help: finding.help,
      file: relative(finding.file),
      range: finding.range,
      change: finding.change ? summarizeChange(finding.change) : null,
      ...(finding.statement ? { statement: finding.statement } : {}),
      docs: finding.docs,
      related: finding.related.map((r) => ({ ...r, file: relative(r.file) })),
      ...(finding.preflight ? { preflight: finding.preflight } : {}),
      ...(finding.accepted ? { accepted: finding.accepted } : {}),
      ...originJson(options.origins?.get(finding), relative),
    })),
    changes: analysis.changes.map((change) => ({ ...summarizeChange(change), file: relative(change.source.file), range: change.source.range })),
    unmigrated: analysis.unmigrated.map(summarizeChange),
    migrations: analysis.migrations,
    notes: analysis.notes.map((note) => ({
      level: note.level,
      message: note.message,
      ...(note.where ? { file: relative(note.where.file), range: note.where.range } : {}),
    })),
    preexisting: (analysis.preexisting?.changes ?? []).map((entry) => ({
      ...summarizeChange(entry.change),
      description: describeChange(entry.change),
      file: relative(entry.change.source.file),
      range: entry.change.source.range,
      risk: riskOf(entry).map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message })),
      ...(entry.carriedBy ? { sweptInto: { migration: entry.carriedBy.migration, file: relative(entry.carriedBy.file), line: entry.carriedBy.line } } : {}),
    })),
    ...(analysis.preexisting ? { preexistingRef: analysis.preexisting.ref } : {}),
    // Why a finding may be capped at warning, or a migration fails on a fresh database: the statements the replay could not read.
    uncertain: (analysis.uncertain ?? []).map((statement) => ({
      migration: statement.migration,
      file: relative(statement.file),
      range: statement.range,
      excerpt: statement.excerpt,
      reason: statement.reason,
      tables: statement.tables,
      fails: !!statement.fails,
    })),
    ...(analysis.baseline
      ? {
          baseline: {
            file: relative(analysis.baseline.file),
            accepted: analysis.baseline.accepted,
            stale: analysis.baseline.stale.map(({ entry, range }) => ({ rule: entry.rule, object: entry.object, range })),
          },
        }
      : {}),
    ...(options.lockTrace ? { lockTrace: lockTraceJson(options.lockTrace, relative) } : {}),
    ...(options.preflight
      ? { preflight: { database: options.preflight.database, engine: options.preflight.engine, measuredAt: options.preflight.measuredAt, scanLimitBytes: options.preflight.scanLimitBytes } }
      : {}),
  };
}

function originJson(origin: FindingOrigin | undefined, relative: (file: string) => string): Record<string, unknown> {
  return origin ? { origin: { ...origin, file: relative(origin.file) } } : {};
}
