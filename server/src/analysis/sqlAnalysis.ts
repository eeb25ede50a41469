import type { DbState, Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import { LineIndex } from '../core/source';
import type { GuardConfig } from '../project/config';
import { parsePostgresStatements } from '../replay/statements';
import { sqlRules } from '../rules';
import { docsPath, type Finding, type SqlRule, type SqlRuleContext } from '../rules/types';
import { ruleContext } from './rulesRunner';
import { applySuppressions, type Suppression } from './suppressions';

export interface SqlJudgeInput {
  provider: Provider;
  baseline: DbState;
  /** Migration files not yet deployed, in order. */
  pending: { name: string; file: string; sql: string }[];
  config: GuardConfig;
  rules?: readonly SqlRule[];
}

/** Runs the SQL rules over each pending migration file, statement by statement. */
export function judgeMigrationSql(input: SqlJudgeInput): { findings: Finding[]; notes: Note[] } {
  const rules = (input.rules ?? sqlRules).filter((rule) => rule.providers.includes(input.provider) && input.config.rules[rule.id] !== 'off');
  const findings: Finding[] = [];
  const notes: Note[] = [];
  if (input.provider !== 'postgresql' || input.pending.length === 0) return { findings, notes };
  const base = ruleContext(input.provider, input.baseline, input.baseline, input.config);
  const existingTables = new Set(Object.values(input.baseline.tables).map((t) => t.name));
  for (const migration of input.pending) {
    const parsed = parsePostgresStatements(migration.sql);
    for (const note of parsed.notes) notes.push({ ...note, where: note.where ?? { file: migration.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } });
    const context: SqlRuleContext = {
      ...base,
      migration: migration.name,
      statements: parsed.statements,
      existingTables,
      prismaWarnings: prismaWarnings(migration.sql),
    };
    const raw: Finding[] = [];
    for (const statement of parsed.statements) {
      for (const rule of rules) {
        for (const report of rule.detect(statement, context)) {
          const configured = input.config.rules[rule.id];
          raw.push({
            ruleId: rule.id,
            severity: configured && configured !== 'off' ? configured : (report.severity ?? rule.defaultSeverity),
            message: report.message,
            help: report.help,
            file: migration.file,
            range: report.where?.range ?? statement.range,
            statement: { migration: migration.name, kind: statement.kind, text: statement.text },
            related: [],
            docs: docsPath(rule.id),
          });
        }
      }
    }
    const suppressed = applySuppressions(raw, sqlSuppressions(migration.file, migration.sql));
    findings.push(...suppressed.findings);
    notes.push(...suppressed.notes);
  }
  return { findings, notes };
}

/** The bullet kinds of Prisma's `-- Warnings:` comment block at the top of a generated migration. */
export function prismaWarnings(sql: string): string[] {
  const match = /\/\*\s*\n\s*Warnings:([\s\S]*?)\*\//.exec(sql);
  if (!match) return [];
  const kinds: string[] = [];
  for (const line of match[1].split('\n')) {
    const text = line.replace(/^\s*-\s*/, '').trim();
    if (!text) continue;
    if (/column .* would be dropped/i.test(text) || /You are about to drop the column/i.test(text)) kinds.push('drop_column');
    else if (/You are about to drop the `?[^`]*`? table/i.test(text)) kinds.push('drop_table');
    else if (/unique constraint covering the columns/i.test(text)) kinds.push('unique_constraint_added');
    else if (/Added the required column/i.test(text)) kinds.push('required_column_no_default');
    else if (/Made the column .* required/i.test(text)) kinds.push('made_required');
    else if (/The values \[.*\] on the enum/i.test(text)) kinds.push('enum_values_removed');
    else if (/You are about to alter the column/i.test(text)) kinds.push('alter_column');
    else if (/primary key for the/i.test(text)) kinds.push('primary_key_changed');
    else kinds.push('other');
  }
  return kinds;
}

/** `-- migration-guard-ignore <rule-id> -- <reason>` lines; each covers the statement that follows it. */
function sqlSuppressions(file: string, sql: string): Suppression[] {
  const suppressions: Suppression[] = [];
  const lines = new LineIndex(sql);
  const pattern = /--\s*migration-guard-ignore\s+([a-z0-9-]+)(?:\s+--\s*(.*))?$/gm;
  for (let match = pattern.exec(sql); match; match = pattern.exec(sql)) {
    const range = lines.rangeAt(match.index, match.index + match[0].length);
    const reason = match[2]?.trim();
    // The statement below: up to the next semicolon after the comment.
    const end = sql.indexOf(';', match.index + match[0].length);
    const endLine = lines.positionAt(end === -1 ? sql.length : end).line;
    suppressions.push({ ruleId: match[1], ...(reason ? { reason } : {}), file, range, coversLines: { start: range.start.line + 1, end: endLine } });
  }
  return suppressions;
}
