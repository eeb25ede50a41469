/**
 * The "Check migration safety" report rendered as Markdown for reading in the
 * editor (file:// links to the places and the rule pages). The data comes from
 * report/projectReport.ts, which the CLI's pull-request Markdown shares.
 */
import * as path from 'path';
import { isSqlFile } from './diagnostics';
import { pathToUri } from './paths';
import { SEVERITY_ORDER } from '../report/projectReport';
import { code, fence, plural } from '../report/markdownText';
import { renderPreexistingSection, renderUnreadSection, severityLabel } from '../report/driftSections';
import type { ProjectReport, ReportChange, ReportFinding, ReportResult } from './protocol';

export function buildReport(projects: ProjectReport[]): ReportResult {
  return { projects, markdown: renderMarkdown(projects) };
}

// ------------------------------------------------------------------ Markdown

const PROVIDER_NAMES: Record<string, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite' };

function place(file: string, line: number, root: string): string {
  const relative = path.relative(root, file) || path.basename(file);
  return `[${relative}:${line}](${pathToUri(file)}#L${line})`;
}

function renderFinding(finding: ReportFinding, root: string, out: string[], showPlace = true): void {
  out.push(`- ${severityLabel(finding.severity)} ${code(finding.ruleId)} — ${finding.title}`);
  out.push(`  - **What:** ${finding.message}`);
  if (finding.risk) out.push(`  - **Risk:** ${finding.risk}`);
  out.push(`  - **Safe plan:** ${finding.help}`);
  if (finding.safePlan && finding.safePlan !== finding.help) out.push(`  - **In general:** ${finding.safePlan}`);
  out.push(showPlace ? `  - **Where:** ${place(finding.file, finding.range.start.line + 1, root)} · [rule documentation](${finding.docsUri})` : `  - [Rule documentation](${finding.docsUri})`);
}

function renderProject(project: ProjectReport, out: string[]): void {
  out.push(`## ${project.name === '.' ? path.basename(project.root) : project.name}`, '');
  const schema = project.schemaFiles.map((f) => code(path.relative(project.root, f) || f)).join(', ');
  if (project.error) {
    out.push(`Schema: ${schema}`, '', `**The check could not run:** ${project.error}`, '');
    return;
  }
  const deployed = project.migrations.filter((m) => m.deployed).length;
  const pending = project.migrations.length - deployed;
  const unmigrated = project.changes.filter((c) => c.unmigrated).length;
  out.push(
    `Schema: ${schema} · ${PROVIDER_NAMES[project.provider ?? ''] ?? project.provider ?? 'unknown database'} · ` +
      `${plural(deployed, 'deployed migration')}, ${pending} pending · ${plural(unmigrated, 'schema change')} not in any migration yet`,
    '',
  );
  const unsafe = project.counts.error + project.counts.warning;
  out.push(
    unsafe === 0
      ? `**No unsafe changes** in ${plural(project.changes.length, 'pending change')}${project.counts.info ? ` (${project.counts.info} info)` : ''}.`
      : `**${plural(unsafe, 'unsafe change')}** (${plural(project.counts.error, 'error')}, ${plural(project.counts.warning, 'warning')}, ${project.counts.info} info) in ${plural(project.changes.length, 'pending change')}.`,
    '',
  );

  if (project.preexisting) renderPreexistingSection(project.preexisting, (file, line) => place(file, line, project.root), out);
  if (project.baseline) {
    const file = place(project.baseline.file, 1, project.root);
    out.push(`Baseline ${file}: ${plural(project.baseline.accepted, 'finding')} accepted (shown as info).`, '');
    for (const entry of project.baseline.stale) {
      out.push(`- Entry no longer matching anything (${place(project.baseline.file, entry.line, project.root)}): ${code(entry.rule)} on ${code(entry.object)} — drop it with \`prisma-migration-guard check --update-baseline\`.`);
    }
    if (project.baseline.stale.length > 0) out.push('');
  }

  const schemaChanges = project.changes.filter((c) => !isSqlFile(c.file));
  if (schemaChanges.length > 0) {
    out.push('### Pending changes', '');
    schemaChanges.forEach((change, index) => {
      const verdict = change.findings.length === 0 ? 'safe' : change.findings.map((i) => project.findings[i].severity).sort((a, b) => SEVERITY_ORDER[a] - SEVERITY_ORDER[b])[0];
      out.push(`#### ${index + 1}. ${change.description} — ${verdict}`, '');
      out.push(`${place(change.file, change.range.start.line + 1, project.root)}${change.unmigrated ? ' · not in any migration yet' : ' · in a pending migration'}`, '');
      // The change's place is on the line above; a finding elsewhere (a migration file) keeps its own.
      for (const i of change.findings) {
        const finding = project.findings[i];
        renderFinding(finding, project.root, out, finding.file !== change.file || finding.range.start.line !== change.range.start.line);
      }
      if (change.findings.length > 0) out.push('');
      renderChangeSql(change, out);
    });
  }

  if (project.migrationSql) {
    out.push('### The migration Prisma will generate', '', 'What `prisma migrate dev` will write for the changes above that are not in any migration yet (its `Warnings:` comment left out):', '');
    out.push(fence(project.migrationSql, 'sql'), '');
  } else if (project.migrationSqlError) {
    out.push('### The migration Prisma will generate', '', `Could not be rendered: ${project.migrationSqlError}`, '');
  }

  const sqlFindings = project.findings.filter((f) => f.migration !== undefined);
  if (sqlFindings.length > 0) {
    out.push('### Pending migration files', '');
    for (const migration of [...new Set(sqlFindings.map((f) => f.migration as string))]) {
      out.push(`#### ${code(migration)}`, '');
      for (const finding of sqlFindings.filter((f) => f.migration === migration)) renderFinding(finding, project.root, out);
      out.push('');
    }
  }

  const other = project.findings.filter((f, i) => f.migration === undefined && !project.changes.some((c) => c.findings.includes(i)));
  if (other.length > 0) {
    out.push('### Other findings', '');
    for (const finding of other) renderFinding(finding, project.root, out);
    out.push('');
  }

  if (project.checklist) {
    out.push('### Before deploying', '');
    for (const item of project.checklist) out.push(`- [${item.verdict === 'ok' ? 'x' : ' '}] **${item.question}** ${item.answer}`);
    out.push('');
  }

  if (project.summary) {
    out.push('### Migration request', '', 'Ready to paste into the pull request:', '', fence(project.summary, 'markdown'), '');
  }

  if (project.plans && project.plans.length > 0) {
    out.push('### Phased migrations', '', '| Plan | Where it stands | Plan file |', '| --- | --- | --- |');
    for (const plan of project.plans) {
      const stands = plan.next > plan.phases ? `complete (${plan.phases} phases)` : `phase ${plan.next} of ${plan.phases} next — "Advance to next phase"`;
      out.push(`| ${code(plan.id)} ${plan.title} | ${stands} | [${path.relative(project.root, plan.planFile)}](${pathToUri(plan.planFile)}) |`);
    }
    out.push('');
  }

  const pendingFiles = project.migrations.filter((m) => !m.deployed).length;
  if (project.lockTrace) {
    out.push(project.lockTrace.trim(), '');
  } else if (pendingFiles > 0 && project.provider === 'postgresql') {
    out.push('### Lock trace', '', `Run "Migration Guard: Trace locks of pending migrations" to execute the ${plural(pendingFiles, 'pending migration')} on an embedded PostgreSQL and see the locks each statement takes (10–20 s).`, '');
  }

  if (project.preflight) out.push(project.preflight.trim(), '');

  if (project.migrations.length > 0) {
    out.push('### Migrations', '', '| Migration | Status |', '| --- | --- |');
    for (const migration of project.migrations) out.push(`| ${code(migration.name)} | ${migration.deployed ? 'deployed' : '**pending**'} |`);
    out.push('');
  }

  if (project.unreadStatements) renderUnreadSection(project.unreadStatements, (file, line) => place(file, line, project.root), out);

  if (project.notes.length > 0) {
    out.push('### Notes', '');
    for (const note of project.notes) {
      const where = note.file ? ` (${place(note.file, note.line ?? 1, project.root)})` : '';
      out.push(`- ${note.level}: ${note.message}${where}`);
    }
    out.push('');
  }
}

function renderChangeSql(change: ReportChange, out: string[]): void {
  if (!change.unmigrated) return;
  if (change.sql === undefined && change.sqlNote === undefined) return;
  const note = change.sqlNote ? ` ${change.sqlNote}` : '';
  if (!change.sql) {
    out.push(`SQL Prisma will generate:${note}`, '');
    return;
  }
  out.push(`SQL Prisma will generate:${note}`, '', fence(change.sql, 'sql'), '');
}

export function renderMarkdown(projects: ProjectReport[]): string {
  const out: string[] = ['# Migration safety report', ''];
  if (projects.length === 0) {
    out.push('No Prisma project found in this workspace (looked for `schema.prisma`, `prisma/schema/` and `package.json` "prisma.schema").', '');
    return out.join('\n');
  }
  const unsafe = projects.reduce((sum, p) => sum + p.counts.error + p.counts.warning, 0);
  out.push(`${plural(projects.length, 'Prisma project')} checked: ${unsafe === 0 ? 'no unsafe changes' : plural(unsafe, 'unsafe change')}.`, '');
  for (const project of projects) renderProject(project, out);
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}
