import type { Note } from '../core/notes';
import type { Range } from '../core/source';
import { ruleById } from '../rules';
import type { Finding } from '../rules/types';

/**
 * A `// migration-guard-ignore <rule-id> -- <reason>` comment (schema) or
 * `-- migration-guard-ignore <rule-id> -- <reason>` (SQL), resolved to what it covers.
 */
export interface Suppression {
  ruleId: string;
  reason?: string;
  file: string;
  /** The comment itself. */
  range: Range;
  /** Schema: the model (and field) below the comment. */
  model?: string;
  field?: string;
  /** SQL: the line range of the statement below the comment. */
  coversLines?: { start: number; end: number };
}

/**
 * Drops findings a suppression covers. A suppression without a reason still
 * applies but is reported; one that covers nothing is reported as unused, so
 * stale ignores do not pile up.
 */
export function applySuppressions(findings: Finding[], suppressions: Suppression[], ran?: ReadonlySet<string>): { findings: Finding[]; notes: Note[] } {
  const used = new Set<Suppression>();
  const kept = findings.filter((finding) => {
    const match = suppressions.find((s) => s.ruleId === finding.ruleId && covers(s, finding));
    if (match) used.add(match);
    return !match;
  });
  const notes: Note[] = [];
  for (const suppression of suppressions) {
    const where = { file: suppression.file, range: suppression.range };
    if (!ruleById(suppression.ruleId)) {
      notes.push({ level: 'warning', message: `migration-guard-ignore names an unknown rule "${suppression.ruleId}".`, where });
      continue;
    }
    if (!suppression.reason) {
      notes.push({ level: 'warning', message: `migration-guard-ignore ${suppression.ruleId} needs a reason: add \`-- <why this is safe here>\`.`, where });
    }
    // A rule that did not run (off, or not for this provider) says nothing: whether its suppression is still needed is unknown.
    if (!used.has(suppression) && (!ran || ran.has(suppression.ruleId))) {
      notes.push({ level: 'warning', message: `Unused suppression: nothing here triggers ${suppression.ruleId} any more; remove the comment.`, where });
    }
  }
  return { findings: kept, notes };
}

function covers(suppression: Suppression, finding: Finding): boolean {
  if (suppression.file !== finding.file) return false;
  if (suppression.coversLines) {
    return finding.range.start.line >= suppression.coversLines.start && finding.range.start.line <= suppression.coversLines.end;
  }
  const change = finding.change;
  if (!change || !suppression.model) return false;
  if (change.model !== suppression.model) return false;
  return suppression.field === undefined || change.field === suppression.field;
}
