/**
 * `check --format markdown`: the report of one project as one Markdown
 * document for a pull request — the migration request (changes, deploy order,
 * backfill, rollback, backup, testing), then the risks, the SQL, the plan and
 * the checklist. Rendered from the same ProjectReport the editor's report
 * shows; places are plain `file:line` relative to the repository, since
 * file:// links mean nothing on GitHub.
 */
import * as path from 'path';
import type { ProjectReport, ReportFinding } from '../lsp/protocol';
import { renderPreexistingSection, renderUnreadSection, severityLabel } from './driftSections';
import { code, fence, plural } from './markdownText';
import { SEVERITY_ORDER } from './projectReport';

export interface PullRequestOptions {
  /** Folder the places are written relative to (the repository root). */
  base: string;
}

export function renderPullRequest(report: ProjectReport, options: PullRequestOptions): string {
  const where = (file: string, line?: number): string => {
    const relative = (path.relative(options.base, file) || path.basename(file)).split(path.sep).join('/');
    return code(line === undefined ? relative : `${relative}:${line}`);
  };
  const out: string[] = [];
  if (report.error) {
    out.push(`## Migration request: ${report.name}`, '', `**The check could not run:** ${report.error}`, '');
    return finish(out);
  }
  out.push((report.summary ?? `## Migration request: ${report.name}\n`).trimEnd(), '');

  out.push('### Risks', '');
  if (report.findings.length === 0) out.push('No finding: every pending change is safe to deploy as it is.', '');
  const sorted = [...report.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  for (const finding of sorted) renderFinding(finding, where, out);
  if (report.findings.length > 0) out.push('');
  if (report.preexisting) renderPreexistingSection(report.preexisting, where, out);

  out.push('### SQL', '');
  if (report.migrationSql) {
    out.push('What `prisma migrate dev` will write for the changes not in any migration yet:', '', fence(report.migrationSql, 'sql'), '');
  } else if (report.migrationSqlError) {
    out.push(`The SQL Prisma will generate could not be rendered: ${report.migrationSqlError}`, '');
  } else {
    out.push('Every change is in a migration file already: the pending migrations below are what will run.', '');
  }
  const pending = report.migrations.filter((m) => !m.deployed);
  if (pending.length > 0) {
    const migrationsDir = where(report.migrationsDir);
    out.push(`Pending migrations (in ${migrationsDir}): ${pending.map((m) => code(m.name)).join(', ')}`, '');
  }

  out.push('### Plan', '');
  const plans = report.plans ?? [];
  for (const plan of plans) {
    const stands = plan.next > plan.phases ? `complete (${plan.phases} phases)` : `phase ${plan.next} of ${plan.phases} next (\`prisma-migration-guard plan --advance --plan ${plan.id}\`)`;
    out.push(`- ${code(plan.id)} ${plan.title}: ${stands} — ${where(plan.planFile)}`);
  }
  if (plans.length > 0) out.push('');
  const unsafe = report.counts.error + report.counts.warning;
  if (unsafe > 0) {
    out.push(
      `For the ${plural(unsafe, 'unsafe change')} above, \`npx prisma-migration-guard plan\` lists the safe phases (expand → backfill → contract) and \`plan --apply-first-phase --rule <rule-id> --target <name>\` writes them as migrations.`,
      '',
    );
  } else if (plans.length === 0) {
    out.push('No phased migration needed.', '');
  }

  if (report.checklist) {
    out.push('### Before deploying', '');
    for (const item of report.checklist) out.push(`- [${item.verdict === 'ok' ? 'x' : ' '}] **${item.question}** ${item.answer}`);
    out.push('');
  }

  if (report.unreadStatements) renderUnreadSection(report.unreadStatements, where, out);

  const notes = report.notes.filter((note) => note.level !== 'info');
  if (notes.length > 0) {
    out.push('### Notes', '');
    for (const note of notes) out.push(`- ${note.level}: ${note.file ? `${where(note.file, note.line)}: ` : ''}${note.message}`);
    out.push('');
  }
  return finish(out);
}

function renderFinding(finding: ReportFinding, where: (file: string, line?: number) => string, out: string[]): void {
  out.push(`- ${severityLabel(finding.severity)} ${code(finding.ruleId)} at ${where(finding.file, finding.range.start.line + 1)} — ${finding.message}`);
  if (finding.risk) out.push(`  - **Risk:** ${finding.risk}`);
  out.push(`  - **Safe path:** ${finding.help}`);
}

function finish(out: string[]): string {
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
