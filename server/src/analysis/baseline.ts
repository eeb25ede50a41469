/**
 * The baseline, as linters keep one for adoption on existing code: the
 * findings a project accepted when it adopted the guard, written to
 * `.migration-guard-baseline.json` by `prisma-migration-guard baseline` (or
 * `check --update-baseline`) and counted as accepted by later runs.
 *
 * A finding is recognised by its rule and the database object it is about
 * (table, column, index, constraint, enum value; for a SQL finding the
 * migration and the statement's text), never by its line: edits elsewhere in
 * the schema keep the baseline valid, a change to the object itself does not.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Note } from '../core/notes';
import type { Range } from '../core/source';
import type { Change } from '../diff/changes';
import type { Finding } from '../rules/types';

export const BASELINE_FILE = '.migration-guard-baseline.json';

export interface BaselineEntry {
  rule: string;
  object: string;
  /** For people reading the file; not part of the match. */
  message?: string;
}

export interface Baseline {
  file: string;
  entries: BaselineEntry[];
  /** Where each entry's object is written in the file, for reporting stale ones where they are. */
  ranges: Range[];
}

export interface BaselineOutcome {
  file: string;
  /** Findings the baseline accepted (now at info). */
  accepted: number;
  /** Entries that match no finding any more: the risk is gone (or the object changed), the entry can go. */
  stale: { entry: BaselineEntry; range: Range }[];
}

/** The object a finding is about, without any position. Undefined: not a finding a baseline can hold. */
export function fingerprint(finding: Finding): BaselineEntry | undefined {
  if (finding.statement) {
    const text = finding.statement.text.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').trim();
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 12);
    return { rule: finding.ruleId, object: `migration ${finding.statement.migration}: ${finding.statement.kind} ${digest}` };
  }
  if (!finding.change) return undefined;
  return { rule: finding.ruleId, object: objectOf(finding.change) };
}

/** `Post.title`, `Post index Post_slug_key`, `Post constraint Post_authorId_fkey`, `Role value ADMIN`. */
export function objectOf(change: Change): string {
  const table = change.tableKey;
  switch (change.kind) {
    case 'addTable':
    case 'dropTable':
    case 'addEnum':
    case 'dropEnum':
    case 'addView':
    case 'dropView':
      return table;
    case 'renameTable':
      return `${table} (was ${change.from})`;
    case 'renameColumn':
      return `${table}.${change.column} (was ${change.from})`;
    case 'addColumn':
    case 'dropColumn':
    case 'alterColumnType':
    case 'setNotNull':
    case 'dropNotNull':
    case 'setDefault':
    case 'dropDefault':
      return `${table}.${change.column}`;
    case 'addIndex':
    case 'dropIndex':
      return `${table} index ${change.index.name}`;
    case 'renameIndex':
      return `${table} index ${change.from}`;
    case 'addForeignKey':
    case 'dropForeignKey':
      return `${table} constraint ${change.foreignKey.name}`;
    case 'renameForeignKey':
      return `${table} constraint ${change.from}`;
    case 'changePrimaryKey':
      return `${table} primary key`;
    case 'addEnumValue':
    case 'removeEnumValue':
      return `${table} value ${change.value}`;
  }
}

/** The baseline of a project folder; undefined when it has none. A file that cannot be read is a note, not a crash. */
export function readBaseline(root: string, notes: Note[]): Baseline | undefined {
  const file = path.join(root, BASELINE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const start = { line: 0, character: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    notes.push({ level: 'warning', message: `${BASELINE_FILE} is not valid JSON (${(error as Error).message}); no finding is accepted until it is fixed or written again with \`prisma-migration-guard baseline\`.`, where: { file, range: { start, end: start } } });
    return undefined;
  }
  const list = (parsed as { findings?: unknown })?.findings;
  if (!Array.isArray(list)) {
    notes.push({ level: 'warning', message: `${BASELINE_FILE} has no "findings" list; no finding is accepted.`, where: { file, range: { start, end: start } } });
    return undefined;
  }
  const entries = list.filter((e): e is BaselineEntry => !!e && typeof e === 'object' && typeof (e as BaselineEntry).rule === 'string' && typeof (e as BaselineEntry).object === 'string');
  const textLines = text.split('\n');
  // Each entry's line: the first line at or after the previous entry's that holds its object.
  let from = 0;
  const ranges = entries.map((entry): Range => {
    const needle = JSON.stringify(entry.object);
    const found = textLines.findIndex((line, i) => i >= from && line.includes(needle));
    if (found < 0) return { start, end: start };
    from = found + 1;
    const character = textLines[found].indexOf(needle);
    return { start: { line: found, character }, end: { line: found, character: character + needle.length } };
  });
  return { file, entries, ranges };
}

/**
 * Pure: findings the baseline holds drop to info, marked accepted; entries that
 * match nothing are returned as stale. Each entry accepts one finding.
 */
export function applyBaseline(findings: Finding[], baseline: Baseline): { findings: Finding[]; outcome: BaselineOutcome } {
  const unused = new Map<string, number[]>();
  baseline.entries.forEach((entry, index) => {
    const key = `${entry.rule}\u0000${entry.object}`;
    unused.set(key, [...(unused.get(key) ?? []), index]);
  });
  let accepted = 0;
  const result = findings.map((finding) => {
    if (finding.severity === 'info') return finding;
    const print = fingerprint(finding);
    const slots = print ? unused.get(`${print.rule}\u0000${print.object}`) : undefined;
    if (!slots || slots.length === 0) return finding;
    slots.shift();
    accepted++;
    return { ...finding, severity: 'info' as const, accepted: finding.severity, message: `Accepted in ${BASELINE_FILE}: ${finding.message}` };
  });
  const stale = [...unused.values()]
    .flat()
    .sort((a, b) => a - b)
    .map((index) => ({ entry: baseline.entries[index], range: baseline.ranges[index] }));
  return { findings: result, outcome: { file: baseline.file, accepted, stale } };
}

/** The notes a stale entry gives (the CLI prints them; the editor marks the entry in the file). */
export function staleNotes(outcome: BaselineOutcome): Note[] {
  return outcome.stale.map(({ entry, range }) => ({
    level: 'warning' as const,
    message: staleMessage(entry),
    where: { file: outcome.file, range },
  }));
}

export function staleMessage(entry: BaselineEntry): string {
  return `Baseline entry no longer matches any finding (${entry.rule} on ${entry.object}): the risk is gone or the object changed; drop it with \`prisma-migration-guard check --update-baseline\`.`;
}

/** The file `baseline` writes: every error and warning (accepted ones included), sorted, so rewriting it gives small diffs. */
export function baselineText(findings: Finding[]): { text: string; entries: BaselineEntry[] } {
  const entries: BaselineEntry[] = [];
  for (const finding of findings) {
    const severity = finding.accepted ?? finding.severity;
    if (severity === 'info') continue;
    const print = fingerprint(finding);
    if (!print) continue;
    const message = finding.accepted ? finding.message.replace(`Accepted in ${BASELINE_FILE}: `, '') : finding.message;
    entries.push({ ...print, message });
  }
  entries.sort((a, b) => a.rule.localeCompare(b.rule) || a.object.localeCompare(b.object));
  const body = {
    about: 'Findings accepted when prisma-migration-guard was adopted: each is matched by its rule and object, never by line, and counted as accepted (info). Written by `prisma-migration-guard baseline`; rewrite it with `check --update-baseline`.',
    findings: entries,
  };
  return { text: JSON.stringify(body, null, 2) + '\n', entries };
}

/** What rewriting the baseline changed, by fingerprint. */
export function baselineDifference(before: readonly BaselineEntry[], after: readonly BaselineEntry[]): { added: number; removed: number; kept: number } {
  const key = (e: BaselineEntry): string => `${e.rule}\u0000${e.object}`;
  const left = new Map<string, number>();
  for (const e of before) left.set(key(e), (left.get(key(e)) ?? 0) + 1);
  let kept = 0;
  for (const e of after) {
    const count = left.get(key(e)) ?? 0;
    if (count > 0) {
      kept++;
      left.set(key(e), count - 1);
    }
  }
  return { added: after.length - kept, removed: before.length - kept, kept };
}

/** The finding as it was before the baseline accepted it. */
export function withoutAcceptance(finding: Finding): Finding {
  if (!finding.accepted) return finding;
  const { accepted, ...rest } = finding;
  return { ...rest, severity: accepted, message: finding.message.replace(`Accepted in ${BASELINE_FILE}: `, '') };
}

/**
 * Writes the baseline of `findings` into the project folder (the explicit
 * purpose of `baseline` and `check --update-baseline`; nothing else writes it):
 * through a temporary file renamed over the old one, so an interrupted write
 * never leaves half a file. Returns the findings as the new baseline judges
 * them, and what changed in the file.
 */
export function writeBaseline(root: string, findings: Finding[]): { file: string; findings: Finding[]; outcome: BaselineOutcome; difference: ReturnType<typeof baselineDifference> } {
  const original = findings.map(withoutAcceptance);
  const file = path.join(root, BASELINE_FILE);
  const previous = readBaseline(root, []);
  const { text, entries } = baselineText(original);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { flag: 'wx' });
  fs.renameSync(temporary, file);
  const written = readBaseline(root, []) ?? { file, entries, ranges: entries.map(() => ({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } })) };
  const applied = applyBaseline(original, written);
  return { file, findings: applied.findings, outcome: applied.outcome, difference: baselineDifference(previous?.entries ?? [], entries) };
}
