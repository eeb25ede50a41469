/**
 * `check --format github`: GitHub Actions workflow commands, one annotation
 * per finding (`::error file=…,line=…::message`), which GitHub shows on the
 * pull request's diff. Paths must be relative to the repository root (the
 * workspace GitHub checked out), not to the Prisma project folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ProjectAnalysis } from '../analysis/types';
import { originSentence, type FindingOrigin } from '../analysis/origin';
import type { Finding, Severity } from '../rules/types';
import { byPlace } from './formatText';

export interface GithubOptions {
  /** Folder the annotation paths are relative to: the git root when in git, else the working folder. */
  base: string;
  origins?: ReadonlyMap<Finding, FindingOrigin>;
}

/** Workflow-command message data: only `%`, CR and LF are special. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values additionally end at `:` (the message) and `,` (the next property). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function command(severity: Severity, properties: [string, string | number][], message: string): string {
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${annotationLevel(severity)} ${props}::${escapeData(message)}`;
}

function annotationLevel(severity: Severity): 'error' | 'warning' | 'notice' {
  return severity === 'info' ? 'notice' : severity;
}

export function formatGithub(analysis: ProjectAnalysis, options: GithubOptions): string {
  const base = realpath(options.base);
  const fromBase = (file: string): string => toPosix(path.relative(base, realpath(file)) || file);
  const lines: string[] = [];
  for (const finding of [...analysis.findings].sort(byPlace)) {
    const { start, end } = finding.range;
    const properties: [string, string | number][] = [
      ['file', fromBase(finding.file)],
      ['line', start.line + 1],
    ];
    // GitHub only honours columns when the annotation starts and ends on one line.
    if (start.line === end.line) properties.push(['col', start.character + 1], ['endLine', end.line + 1], ['endColumn', Math.max(end.character, start.character + 1)]);
    else properties.push(['endLine', end.line + 1]);
    properties.push(['title', finding.ruleId]);
    const origin = options.origins?.get(finding);
    const body = [finding.message, `Help: ${finding.help}`];
    if (origin && !(origin.kind === 'migration' && origin.file === finding.file)) body.push(originSentence(origin, fromBase));
    lines.push(command(finding.severity, properties, body.join('\n')));
  }
  // Notes are not findings: plain log lines, visible in the job log without cluttering the diff.
  for (const note of analysis.notes) {
    const where = note.where ? `${fromBase(note.where.file)}:${note.where.range.start.line + 1}: ` : '';
    lines.push(`${note.level}: ${where}${note.message}`);
  }
  const count = (severity: Severity): number => analysis.findings.filter((f) => f.severity === severity).length;
  lines.push(`prisma-migration-guard: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info in ${toPosix(path.relative(base, realpath(analysis.project.root))) || '.'}`);
  return lines.join('\n') + '\n';
}

/** One error annotation per message of Prisma's validator, when the schema cannot be read (the check then stops). */
export function formatGithubSchemaErrors(analysis: ProjectAnalysis, options: GithubOptions): string {
  const base = realpath(options.base);
  const lines = (analysis.schemaErrors ?? []).map((error) =>
    command('error', [['file', toPosix(path.relative(base, realpath(error.file)) || error.file)], ['line', error.range.start.line + 1], ['title', 'Prisma schema validation']], error.message),
  );
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

/** git reports the real path of its root (/private/tmp on macOS), so both sides of a relative path are resolved alike. */
function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
