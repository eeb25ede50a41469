/**
 * The two report sections about what lies outside the user's edit: drift already
 * committed (pre-existing) and the statements the replay could not read. The
 * editor's report and the pull-request Markdown render them alike; only how a
 * place is written differs (a file:// link there, `file:line` here).
 */
import type { ProjectReport, ReportPreexisting } from '../lsp/protocol';
import type { Severity } from '../rules/types';
import { code, fence } from './markdownText';
import { SEVERITY_ORDER } from './projectReport';

/** How a section writes a place: a file (absolute) and a 1-based line. */
export type PlaceWriter = (file: string, line: number) => string;

export function severityLabel(severity: Severity): string {
  return severity === 'error' ? '**error**' : severity === 'warning' ? '**warning**' : 'info';
}

export function renderPreexistingSection(drift: ReportPreexisting, place: PlaceWriter, out: string[]): void {
  out.push(`### Pre-existing drift (committed at ${code(drift.ref)})`, '');
  if (drift.summary) out.push(drift.summary, '');
  out.push(
    'None of this is your edit: the schema and its migrations already disagreed at that commit, so it is not marked line by line. ' +
      'But `prisma migrate dev` diffs the whole schema: whatever you change next, its migration carries all of the following. ' +
      'Give it a migration of its own first (with a safe plan for the risky parts), or bring the schema back in line with the database.',
    '',
  );
  if (drift.sqlError) out.push(`The SQL could not be rendered: ${drift.sqlError}`, '');
  drift.changes.forEach((change, index) => {
    const worst = change.risk.map((r) => r.severity).sort((a, b) => SEVERITY_ORDER[a] - SEVERITY_ORDER[b])[0];
    out.push(`#### ${index + 1}. ${change.description} — ${worst ? `risk: ${worst}` : 'safe'}`, '');
    const swept = change.sweptInto ? ` · already swept into pending migration ${code(change.sweptInto.migration)} (${place(change.sweptInto.file, change.sweptInto.line)})` : '';
    out.push(`${place(change.file, change.range.start.line + 1)}${swept}`, '');
    for (const risk of change.risk) out.push(`- ${severityLabel(risk.severity)} ${code(risk.ruleId)}: ${risk.message}`);
    if (change.risk.length > 0) out.push('');
    if (change.sql) out.push(`SQL Prisma would generate:${change.sqlNote ? ` ${change.sqlNote}` : ''}`, '', fence(change.sql, 'sql'), '');
    else if (change.sqlNote) out.push(`SQL Prisma would generate: ${change.sqlNote}`, '');
  });
}

export function renderUnreadSection(unread: NonNullable<ProjectReport['unreadStatements']>, place: PlaceWriter, out: string[]): void {
  if (unread.length === 0) return;
  out.push(
    '### What the replay could not read',
    '',
    'The migrations below contain statements the replay could not interpret, or that the database rejects when the migrations run on a fresh one. Findings on the tables they name stay at warning at most: check those tables in the database itself.',
    '',
  );
  for (const statement of unread) {
    const tables = statement.tables.length > 0 ? ` Tables: ${statement.tables.map(code).join(', ')}.` : '';
    const verdict = statement.fails ? `**fails on a fresh database**: ${statement.reason}` : `not interpreted: ${statement.reason}`;
    out.push(`- ${place(statement.file, statement.line)} (${code(statement.migration)}) ${code(statement.excerpt)} — ${verdict}.${tables}`);
  }
  out.push('');
}
