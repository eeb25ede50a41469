import * as path from 'path';
import { type Diagnostic, DiagnosticSeverity, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import { staleMessage } from '../analysis/baseline';
import type { ProjectAnalysis } from '../analysis/types';
import { summarizeChange } from '../diff/changes';
import type { Finding, Severity } from '../rules/types';
import { docsUri, pathToUri } from './paths';
import { DIAGNOSTIC_SOURCE, type GuardDiagnosticData } from './protocol';

export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
  }
}

export function isSqlFile(file: string): boolean {
  return path.basename(file).toLowerCase().endsWith('.sql');
}

/** One finding as a diagnostic; `version` is the document version the analysis read (null: the file on disk). */
export function findingToDiagnostic(finding: Finding, projectRoot: string, version: number | null, root?: string): Diagnostic {
  const docs = docsUri(finding.docs, root);
  const change = finding.change;
  const model = change?.model ?? (finding.fix && 'model' in finding.fix ? finding.fix.model : undefined);
  const field = change?.field ?? (finding.fix && 'field' in finding.fix ? finding.fix.field : undefined);
  const data: GuardDiagnosticData = {
    ruleId: finding.ruleId,
    target: isSqlFile(finding.file) ? 'sql' : 'schema',
    version,
    projectRoot,
    file: finding.file,
    ...(model !== undefined ? { model } : {}),
    ...(field !== undefined ? { field } : {}),
    ...(finding.fix && finding.fix.kind !== 'none' ? { fix: finding.fix } : {}),
    ...(change ? { change: summarizeChange(change) } : {}),
    ...(finding.statement ? { migration: finding.statement.migration } : {}),
    docsUri: docs,
  };
  const related: DiagnosticRelatedInformation[] = finding.related.map((r) => ({
    location: { uri: pathToUri(r.file), range: r.range },
    message: r.message,
  }));
  if (finding.preflight) {
    related.push({ location: { uri: pathToUri(finding.file), range: finding.range }, message: `Preflight (${finding.preflight.database}): ${finding.preflight.summary}` });
  }
  return {
    range: finding.range,
    severity: toLspSeverity(finding.severity),
    source: DIAGNOSTIC_SOURCE,
    code: finding.ruleId,
    codeDescription: { href: docs },
    message: finding.message,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
    data,
  };
}

export interface FileDiagnostics {
  file: string;
  diagnostics: Diagnostic[];
}

/**
 * Every file of a project that should show diagnostics after an analysis: each
 * schema file (an empty list clears old ones) and each file with findings,
 * in a stable order (by file, then position) so clients and tests see the same list.
 */
export function diagnosticsByFile(analysis: ProjectAnalysis, versionOf: (file: string) => number | null, root?: string): FileDiagnostics[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const file of analysis.project.schemaFiles) byFile.set(file, []);
  const findings = [...analysis.findings].sort(
    (a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId),
  );
  for (const finding of findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(findingToDiagnostic(finding, analysis.project.root, versionOf(finding.file), root));
    byFile.set(finding.file, list);
  }
  if (analysis.baseline) {
    // Entries of the baseline that match nothing any more are marked in the file itself, where they can be deleted.
    byFile.set(
      analysis.baseline.file,
      analysis.baseline.stale.map(({ entry, range }) => ({ range, severity: DiagnosticSeverity.Warning, source: DIAGNOSTIC_SOURCE, message: staleMessage(entry) })),
    );
  }
  return [...byFile.entries()].map(([file, diagnostics]) => ({ file, diagnostics }));
}

/** Reads back what `findingToDiagnostic` stored, tolerating clients that mangle or drop `data`. */
export function diagnosticData(diagnostic: Diagnostic): GuardDiagnosticData | undefined {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE) return undefined;
  const data = diagnostic.data as Partial<GuardDiagnosticData> | undefined;
  if (!data || typeof data !== 'object' || typeof data.ruleId !== 'string' || typeof data.file !== 'string') return undefined;
  const version = typeof data.version === 'number' ? data.version : null;
  return { ...(data as GuardDiagnosticData), version };
}
