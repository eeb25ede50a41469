import type { DbState, Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import { LineIndex } from '../core/source';
import type { GuardConfig } from '../project/config';
import { readDialectStatement, type DialectStatement } from '../replay/dialectStatements';
import { splitMysqlStatements } from '../replay/mysql';
import type { ParsedStatement } from '../replay/statements';
import type { Replayer } from '../replay/types';
import { sqlRules } from '../rules';
import { attachFacts, parsePrismaWarnings, type MigrationFacts } from '../rules/support/sqlAst';
import { docsPath, type Finding, type SqlRule, type SqlRuleContext } from '../rules/types';
import { readPendingSql } from './pendingSql';
import { activeRules, ruleContext } from './rulesRunner';
import { applySuppressions, type Suppression } from './suppressions';

export interface SqlJudgeInput {
  provider: Provider;
  baseline: DbState;
  /** Migration files not yet deployed, in order. */
  pending: { name: string; file: string; sql: string }[];
  /**
   * The deployed migration files, in order. Only read when a rule needs what
   * the replayed state does not model (CHECK constraints); when absent, the
   * folder of the pending files is read, lazily, for the same.
   */
  deployed?: { name: string; sql: string }[];
  config: GuardConfig;
  rules?: readonly SqlRule[];
  /** A copy of the replayer that produced `baseline` (see PendingSqlInput.forkBaseline). */
  forkBaseline?: () => Replayer;
}

/** Runs the SQL rules over each pending migration file, statement by statement. */
export function judgeMigrationSql(input: SqlJudgeInput): { findings: Finding[]; notes: Note[] } {
  const rules = activeRules(input.rules ?? sqlRules, input.provider, input.config);
  const ran = new Set(rules.map((rule) => rule.id));
  const findings: Finding[] = [];
  const notes: Note[] = [];
  if (input.pending.length === 0 || rules.length === 0) return { findings, notes };
  const pendingSql = readPendingSql({ ...input, splitPlain: dialectStatements });
  notes.push(...pendingSql.notes);
  const files = pendingSql.files;
  const base = ruleContext(input.provider, input.baseline, input.baseline, input.config);
  const existingTables = new Set(Object.values(input.baseline.tables).map((t) => t.name));

  for (const migration of files) {
    const warnings = parsePrismaWarnings(migration.sql);
    const context: SqlRuleContext = {
      ...base,
      migration: migration.name,
      statements: migration.statements,
      existingTables,
      prismaWarnings: warnings.map((w) => w.kind),
    };
    const facts: MigrationFacts = {
      file: migration.file,
      before: (statement) => pendingSql.before(statement),
      notNullCheckBefore: (statement, table, column) => pendingSql.checkBefore(statement, table, column),
      newEnumValueUses: (statement) => pendingSql.newEnumValueUses(statement),
      dropsWithDependants: (statement) => pendingSql.dropsIn(statement),
      warnings,
    };
    attachFacts(context, facts);
    const raw: Finding[] = [];
    for (const statement of migration.statements) {
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
            ...(report.subject ? { subject: report.subject } : {}),
          });
        }
      }
    }
    const suppressed = applySuppressions(raw, sqlSuppressions(migration.file, migration.sql, migration.statements), ran);
    findings.push(...suppressed.findings);
    notes.push(...suppressed.notes);
  }
  return { findings, notes };
}

/** The bullet kinds of Prisma's `-- Warnings:` comment block at the top of a generated migration. */
export function prismaWarnings(sql: string): string[] {
  return parsePrismaWarnings(sql).map((w) => w.kind);
}

/**
 * `-- migration-guard-ignore <rule-id> -- <reason>` lines; each covers the
 * statement it sits in or the one that follows it, from the line below the comment.
 */
function sqlSuppressions(file: string, sql: string, statements: ParsedStatement[]): Suppression[] {
  const suppressions: Suppression[] = [];
  const lines = new LineIndex(sql);
  const pattern = /--\s*migration-guard-ignore\s+([a-z0-9-]+)(?:\s+--\s*(.*))?$/gm;
  for (let match = pattern.exec(sql); match; match = pattern.exec(sql)) {
    const range = lines.rangeAt(match.index, match.index + match[0].length);
    const reason = match[2]?.trim();
    const covered = statements.find((s) => s.endOffset > match!.index);
    const end = covered ? covered.range.end.line : lines.positionAt(sql.length).line;
    suppressions.push({ ruleId: match[1], ...(reason ? { reason } : {}), file, range, coversLines: { start: range.start.line + 1, end } });
  }
  return suppressions;
}

/**
 * Statements of a MySQL or SQLite file, each with its typed form. The statements
 * inside a MySQL stored program's BEGIN ... END belong to it: MySQL's own splitter says where it ends.
 */
export function dialectStatements(sql: string, provider: Exclude<Provider, 'postgresql'>): ParsedStatement[] {
  const bodies = provider === 'mysql' ? splitMysqlStatements(sql).filter((piece) => piece.end > piece.start) : [];
  return splitPlainStatements(sql).map((statement) => {
    const inBody = bodies.some((piece) => statement.startOffset > piece.start && statement.startOffset < piece.end);
    const dialect: DialectStatement = inBody ? { kind: 'other' } : readDialectStatement(statement.text, provider);
    return { ...statement, kind: dialect.kind, dialect };
  });
}

/**
 * Statements of a MySQL or SQLite file, cut at top-level semicolons (quotes,
 * backticks and comments respected), as `Unparsed` statements with ranges.
 */
export function splitPlainStatements(sql: string): ParsedStatement[] {
  const lines = new LineIndex(sql);
  const statements: ParsedStatement[] = [];
  let start = 0;
  const flush = (end: number): void => {
    let s = start;
    let comment = '';
    // Leading whitespace and comments belong before the statement, as in the PostgreSQL reader.
    for (;;) {
      while (s < end && /\s/.test(sql[s])) s++;
      if (sql.startsWith('--', s) || sql[s] === '#') {
        const nl = sql.indexOf('\n', s);
        const stop = nl < 0 || nl > end ? end : nl;
        comment += (comment ? '\n' : '') + sql.slice(s, stop).trimEnd();
        s = stop;
      } else if (sql.startsWith('/*', s)) {
        const close = sql.indexOf('*/', s + 2);
        const stop = close < 0 || close + 2 > end ? end : close + 2;
        comment += (comment ? '\n' : '') + sql.slice(s, stop);
        s = stop;
      } else break;
    }
    let e = end;
    while (e > s && /\s/.test(sql[e - 1])) e--;
    if (e > s) {
      statements.push({
        text: sql.slice(s, e),
        startOffset: s,
        endOffset: e,
        range: lines.rangeAt(s, e),
        kind: 'Unparsed',
        ...(comment ? { leadingComment: comment } : {}),
      });
    }
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && c !== '`') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      i = j + 1;
    } else if ((c === '-' && sql[i + 1] === '-') || c === '#') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === ';') {
      flush(i);
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  flush(sql.length);
  return statements;
}
