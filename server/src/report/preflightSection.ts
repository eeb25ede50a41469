/**
 * The preflight as a report section: what was counted in the database for
 * each finding, and how its severity moved. Display only: the counts and
 * severities come from applyPreflight.
 */
import type { PreflightFacts } from '../analysis/preflight';
import type { Finding } from '../rules/types';

export function renderPreflightMarkdown(findings: readonly Finding[], facts: PreflightFacts, relative: (file: string) => string): string {
  const when = facts.measuredAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const out = [`### Preflight against the database`, '', `${facts.engine}, ${facts.database}, read-only, ${when}.`, ''];
  const measured = findings
    .filter((f) => f.preflight)
    .sort((a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.ruleId.localeCompare(b.ruleId));
  if (measured.length === 0) {
    out.push('No pending change depends on the rows of the database.', '');
  } else {
    out.push('| finding | where | measured | severity |', '| --- | --- | --- | --- |');
    const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    for (const finding of measured) {
      const preflight = finding.preflight!;
      const severity = preflight.severityBefore === finding.severity ? finding.severity : `${finding.severity} (was ${preflight.severityBefore})`;
      out.push(`| \`${finding.ruleId}\` | ${cell(`${relative(finding.file)}:${finding.range.start.line + 1}`)} | ${cell(preflight.summary)} | ${severity} |`);
    }
    out.push('');
  }
  if (facts.notes.length > 0) out.push(...facts.notes.map((note) => `- ${note.message}`), '');
  return out.join('\n');
}
