import * as path from 'path';
import type { ProjectAnalysis } from '../analysis/types';
import { summarizeChange } from '../diff/changes';
import { byPlace } from './formatText';

/** The JSON contract of `check --format json` (see README): findings, changes, notes. */
export function formatJson(analysis: ProjectAnalysis): string {
  return JSON.stringify(toJson(analysis), null, 2) + '\n';
}

export function toJson(analysis: ProjectAnalysis): Record<string, unknown> {
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
    })),
    changes: analysis.changes.map((change) => ({ ...summarizeChange(change), file: relative(change.source.file), range: change.source.range })),
    unmigrated: analysis.unmigrated.map(summarizeChange),
    migrations: analysis.migrations,
    notes: analysis.notes.map((note) => ({
      level: note.level,
      message: note.message,
      ...(note.where ? { file: relative(note.where.file), range: note.where.range } : {}),
    })),
  };
}
