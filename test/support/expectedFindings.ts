import * as path from 'path';
import type { Finding } from '../../server/src/rules/types';

/** A finding as a fixture's expected.json spells it. */
export interface ExpectedSqlFinding {
  ruleId: string;
  severity: string;
  /** Relative to the case folder, with forward slashes. */
  file: string;
  range: string;
  message: string;
  help: string;
}

/** `line:char-line:char`, 0-based. */
export function formatRange(range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

export function expectedForm(dir: string, finding: Finding): ExpectedSqlFinding {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    file: path.relative(dir, finding.file).split(path.sep).join('/'),
    range: formatRange(finding.range),
    message: finding.message,
    help: finding.help,
  };
}
