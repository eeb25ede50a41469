import * as path from 'path';
import { describeOrigin, type FindingOrigin } from '../analysis/origin';
import { countByKind, riskOf } from '../analysis/preexisting';
import type { ProjectAnalysis } from '../analysis/types';
import type { Finding } from '../rules/types';

export interface TextOptions {
  /** Where each finding was introduced: printed under schema findings, whose place alone does not say whether a migration carries them. */
  origins?: ReadonlyMap<Finding, FindingOrigin>;
  /** More lines (the lock trace) printed before the summary, which stays last. */
  appendix?: string[];
}

/** Compiler-style text: `file:line:col severity rule-id message`, then the help line. */
export function formatText(analysis: ProjectAnalysis, options: TextOptions = {}): string {
  const root = analysis.project.root;
  const lines: string[] = [];
  const findings = [...analysis.findings].sort(byPlace);
  for (const finding of findings) {
    const file = path.relative(root, finding.file) || finding.file;
    lines.push(`${file}:${finding.range.start.line + 1}:${finding.range.start.character + 1} ${finding.severity} ${finding.ruleId} ${finding.message}`);
    lines.push(`    help: ${finding.help}`);
    const origin = finding.statement ? undefined : options.origins?.get(finding);
    if (origin) lines.push(`    ${describeOrigin(origin, (f) => path.relative(root, f) || f)}`);
  }
  for (const note of analysis.notes) {
    const where = note.where ? `${path.relative(root, note.where.file) || note.where.file}:${note.where.range.start.line + 1}:${note.where.range.start.character + 1} ` : '';
    lines.push(`${where}note: ${note.message}`);
  }
  if (options.appendix && options.appendix.length > 0) lines.push(...(lines.length > 0 ? [''] : []), ...options.appendix);
  const count = (severity: Finding['severity']): number => analysis.findings.filter((f) => f.severity === severity).length;
  const pending = analysis.migrations.filter((m) => !m.deployed).length;
  if (lines.length > 0) lines.push('');
  lines.push(
    `${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info in ${analysis.changes.length} pending change(s)` +
      ` (${analysis.migrations.length - pending} deployed migration(s), ${pending} pending, ${analysis.unmigrated.length} schema change(s) without a migration)`,
  );
  lines.push(...preexistingLines(analysis), ...baselineLines(analysis));
  return lines.join('\n') + '\n';
}

/**
 * Why the check stopped when Prisma's validator rejects the schema: the
 * validator's own messages, compiler-style, so that the editor's terminal
 * links them (findings on a schema Prisma cannot read would be guesses).
 */
export function formatSchemaErrors(analysis: ProjectAnalysis): string {
  const root = analysis.project.root;
  const errors = analysis.schemaErrors ?? [];
  const lines = [
    `prisma-migration-guard: Prisma cannot read the schema (${errors.length} validation error(s)); fix ${errors.length === 1 ? 'it' : 'them'} first — findings on a schema Prisma rejects would be guesses, so none are reported.`,
  ];
  for (const error of errors) {
    lines.push(`${path.relative(root, error.file) || error.file}:${error.range.start.line + 1}:${error.range.start.character + 1} error ${error.message.replace(/\s*\n\s*/g, ' ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The summary's word on pre-existing drift: not counted above, but what the next `migrate dev` sweeps in. */
function preexistingLines(analysis: ProjectAnalysis): string[] {
  const drift = analysis.preexisting;
  if (!drift || drift.changes.length === 0) return [];
  const waiting = drift.changes.filter((c) => !c.carriedBy);
  const swept = drift.changes.length - waiting.length;
  const risky = waiting.filter((c) => riskOf(c).length > 0).length;
  const parts: string[] = [];
  if (waiting.length > 0) {
    parts.push(
      `pre-existing drift at ${drift.ref}: ${waiting.length} change(s) between the committed migrations and the committed schema (${countByKind(waiting.map((c) => c.change))}), ` +
        `${risky} of them unsafe, not counted above: the next \`prisma migrate dev\` puts them into your migration (see --format json "preexisting", or the editor's report)`,
    );
  }
  if (swept > 0) parts.push(`pre-existing drift swept into pending migrations: ${swept} change(s), judged above at full severity`);
  return parts;
}

function baselineLines(analysis: ProjectAnalysis): string[] {
  const baseline = analysis.baseline;
  if (!baseline) return [];
  const file = path.relative(analysis.project.root, baseline.file) || baseline.file;
  const stale = baseline.stale.length > 0 ? `, ${baseline.stale.length} entr${baseline.stale.length === 1 ? 'y' : 'ies'} no longer matching anything (run \`check --update-baseline\`)` : '';
  return [`baseline ${file}: ${baseline.accepted} finding(s) accepted (counted as info)${stale}`];
}

export function byPlace(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId);
}
