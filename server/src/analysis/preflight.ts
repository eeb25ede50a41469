/**
 * Preflight, the pure half: which rows each finding's risk depends on (the
 * questions), and what the answers measured in the real database do to the
 * finding (severity and message). The database half, which asks the
 * questions read-only, is preflightDatabase.ts; the surfaces only show what
 * comes out of applyPreflight.
 *
 * "Fails if any row holds NULL" becomes "3,412 rows of `Order` hold NULL in
 * `note`" (an error) or "no row holds NULL" (the failure goes away, the lock
 * stays). A sample that found nothing proves nothing: the finding keeps its
 * severity and says how much was read.
 */
import { type DbState, formatType, type Provider, tableKey } from '../core/dbState';
import type { Note } from '../core/notes';
import type { Change } from '../diff/changes';
import type { GuardConfig } from '../project/config';
import { loadPostgresParser, parsePostgresStatements, postgresParserLoaded, scanPostgresTokens } from '../replay/statements';
import { classifyCast, MYSQL_INTEGER_RANGES } from '../rules/support/typeCasts';
import type { Finding, FindingPreflight } from '../rules/types';
import { dedupeTables as dedupe, formatRows, type TableRef, tablesOfFinding } from './tableSizes';

export type { TableRef };

/** One thing to measure. Questions are plain data; their key (`questionKey`) is the cache key of the answer. */
export type PreflightQuestion =
  /** Rows of the table (a new required column leaves each without a value). */
  | { kind: 'rows'; table: TableRef }
  | { kind: 'nulls'; table: TableRef; column: string }
  /** Groups of rows sharing a value of `columns` (rows with a NULL in any of them never collide). */
  | { kind: 'duplicates'; table: TableRef; columns: string[] }
  | { kind: 'enumValue'; table: TableRef; column: string; value: string }
  /** Rows whose `columns` (all non-NULL) match no row of `references`. */
  | { kind: 'orphans'; table: TableRef; columns: string[]; references: TableRef; referencedColumns: string[] }
  /**
   * Rows whose value does not convert to `toType` (as the provider spells it). `using` is the
   * expression of a pending migration's `USING` clause; without it, the column itself is converted.
   */
  | { kind: 'cast'; table: TableRef; column: string; fromType: string; toType: string; using?: string; check?: MysqlFitCheck }
  /** Size and rows of the table a lock-taking statement works on. */
  | { kind: 'size'; table: TableRef };

/** MySQL has no way to try a conversion row by row: a predicate says which values do not fit (built here from the types). */
export type MysqlFitCheck = { kind: 'length'; max: number } | { kind: 'range'; min: string; max: string } | { kind: 'digits'; integerDigits: number } | { kind: 'values'; values: string[] };

export type CountQuestion = Exclude<PreflightQuestion, { kind: 'size' }>;

/** An answer to a counting question. */
export interface CountAnswer {
  /** `exact`: every row read; `sampled`: a sample of `percent` % read (counts scaled to the table, duplicates as found); `skipped`/`failed`: `reason`. */
  method: 'exact' | 'sampled' | 'skipped' | 'failed';
  count?: number;
  /** Duplicates: groups, and up to 5 example keys with their row counts (masked unless values may be shown). */
  groups?: number;
  examples?: { key: string; rows: number }[];
  /** Enum values over several columns: rows per `table.column`. */
  percent?: number;
  reason?: string;
}

export interface SizeAnswer {
  method: 'exact' | 'failed';
  /** Row estimate (pg_class.reltuples / information_schema.TABLES.TABLE_ROWS). */
  rows?: number;
  /** Bytes of the table's own data (with TOAST), and with its indexes. */
  tableBytes?: number;
  totalBytes?: number;
  reason?: string;
}

export type PreflightAnswer = CountAnswer | SizeAnswer;

/** What one preflight run measured. */
export interface PreflightFacts {
  /** The database, masked: `postgresql://reader:****@db:5432/shop`. */
  database: string;
  /** `PostgreSQL 15.10`, `MariaDB 10.11.6`. */
  engine: string;
  /** ISO time the measuring started. */
  measuredAt: string;
  /** Answers by questionKey. */
  answers: ReadonlyMap<string, PreflightAnswer>;
  /** Bytes above which a table is sampled (PostgreSQL) or skipped (MySQL) instead of read whole. */
  scanLimitBytes: number;
  notes: Note[];
}

export function questionKey(question: PreflightQuestion): string {
  return JSON.stringify(question);
}

// ---------------------------------------------------------------------------
// What each finding asks

/** What a finding's lock costs: reading the table (scan), building an index on it (build), or writing it anew (rewrite). */
export type LockWork = 'scan' | 'build' | 'rewrite';

/** Rules whose statement holds a strong lock for as long as it works through the table, and the work it does, per provider. */
const LOCK_WORK: Record<string, Partial<Record<Provider, LockWork>>> = {
  'make-column-required': { postgresql: 'scan', mysql: 'rewrite' },
  'sql-set-not-null-scan': { postgresql: 'scan' },
  'add-foreign-key': { postgresql: 'scan', mysql: 'rewrite' },
  'sql-foreign-key-not-valid': { postgresql: 'scan' },
  // InnoDB builds secondary and unique indexes online (LOCK=NONE): no lock to size on MySQL.
  'add-unique-constraint': { postgresql: 'build' },
  'create-index-blocking': { postgresql: 'build' },
  'sql-index-not-concurrent': { postgresql: 'build' },
  'change-column-type': { postgresql: 'rewrite', mysql: 'rewrite' },
  'remove-enum-value': { postgresql: 'rewrite', mysql: 'rewrite' },
  'volatile-default': { postgresql: 'rewrite' },
  'change-primary-key': { postgresql: 'build', mysql: 'rewrite' },
  'sql-unbatched-backfill': { postgresql: 'rewrite' },
};

/**
 * Typical throughput of each kind of work, per second, for the time estimate:
 * a sequential read of the heap, an index build (read, sort, write), and a
 * rewrite of the table and all its indexes. Real servers differ by a factor of
 * a few either way; the estimate says which order of magnitude the lock lasts.
 */
export const WORK_BYTES_PER_SECOND: Record<LockWork, number> = { scan: 200e6, build: 50e6, rewrite: 50e6 };

/** One finding's questions: what makes it fail (summed: an enum value in several columns) and the tables its lock works on. */
export interface FindingQuestions {
  fails: CountQuestion[];
  sizes: { kind: 'size'; table: TableRef }[];
  work?: LockWork;
}

/** What the planner needs besides the findings. */
export interface PreflightContext {
  provider: Provider;
  /** The deployed database state: which schema a table is in, a referenced table's primary key. */
  baseline: DbState;
  /** The pending migrations' SQL (for the USING clause of a type change). */
  pending: readonly { name: string; file: string; sql: string }[];
  /** Severities the project set by hand are kept whatever the counts: the team decided. */
  config: GuardConfig;
}

/** The finding's questions; none for rules whose risk no count changes. */
export function questionsFor(finding: Finding, context: PreflightContext): FindingQuestions {
  const provider = context.provider;
  const work = LOCK_WORK[finding.ruleId]?.[provider];
  const fails = failQuestions(finding, context);
  const lockTables = work ? lockTablesOf(finding, context) : [];
  return { fails, sizes: lockTables.map((table) => ({ kind: 'size', table })), ...(work && lockTables.length > 0 ? { work } : {}) };
}

/** Every distinct question of the findings, in first-asked order. */
export function preflightQuestions(findings: readonly Finding[], context: PreflightContext): PreflightQuestion[] {
  const byKey = new Map<string, PreflightQuestion>();
  for (const finding of findings) {
    const questions = questionsFor(finding, context);
    for (const question of [...questions.sizes, ...questions.fails]) byKey.set(questionKey(question), byKey.get(questionKey(question)) ?? question);
  }
  return [...byKey.values()];
}

function failQuestions(finding: Finding, context: PreflightContext): CountQuestion[] {
  const change = finding.change;
  const subject = finding.subject;
  switch (finding.ruleId) {
    case 'add-required-column':
      // Auto-increment columns fill every row by themselves: only the lock is a risk.
      if (change?.kind !== 'addColumn' || change.after.default?.kind === 'autoincrement') return [];
      return [{ kind: 'rows', table: refOf(change.tableKey) }];
    case 'make-column-required':
      return change?.kind === 'setNotNull' ? [{ kind: 'nulls', table: refOf(change.tableKey), column: change.column }] : [];
    case 'sql-set-not-null-scan':
      return subject && subject.columns.length === 1 ? [{ kind: 'nulls', table: refOf(subject.table), column: subject.columns[0] }] : [];
    case 'add-unique-constraint': {
      if (change?.kind !== 'addIndex') return [];
      const before = context.baseline.tables[change.tableKey];
      const columns = change.index.columns.map(plainColumn);
      // An expression, or a column new in this change (all NULL, so never a duplicate): nothing to count.
      if (!before || columns.some((c) => c === undefined || !before.columns.some((b) => b.name === c))) return [];
      return [{ kind: 'duplicates', table: refOf(change.tableKey), columns: columns as string[] }];
    }
    case 'remove-enum-value':
      if (change?.kind === 'removeEnumValue') {
        return change.usedBy.map((user) => {
          const dot = user.lastIndexOf('.');
          return { kind: 'enumValue', table: tableNamed(user.slice(0, dot), context.baseline), column: user.slice(dot + 1), value: change.value };
        });
      }
      if (subject?.value !== undefined && subject.columns.length === 1) return [{ kind: 'enumValue', table: refOf(subject.table), column: subject.columns[0], value: subject.value }];
      return [];
    case 'add-foreign-key': {
      if (change?.kind !== 'addForeignKey') return [];
      const fk = change.foreignKey;
      return [{ kind: 'orphans', table: refOf(change.tableKey), columns: fk.columns, references: refOf(fk.referencedTable), referencedColumns: fk.referencedColumns }];
    }
    case 'sql-foreign-key-not-valid': {
      if (!subject?.references || subject.columns.length === 0) return [];
      const referenced = subject.references.columns.length > 0 ? subject.references.columns : (context.baseline.tables[subject.references.table]?.primaryKey?.columns ?? []);
      if (referenced.length !== subject.columns.length) return [];
      return [{ kind: 'orphans', table: refOf(subject.table), columns: subject.columns, references: refOf(subject.references.table), referencedColumns: referenced }];
    }
    case 'change-column-type':
      return change?.kind === 'alterColumnType' ? castQuestions(change, context) : [];
    default:
      return [];
  }
}

function castQuestions(change: Extract<Change, { kind: 'alterColumnType' }>, context: PreflightContext): CountQuestion[] {
  const cost = classifyCast(context.provider, change.from, change.to);
  const table = refOf(change.tableKey);
  const base = { kind: 'cast' as const, table, column: change.column, fromType: formatType(change.from) };
  if (context.provider === 'postgresql') {
    const carried = pendingTypeChange(context, change.tableKey, change.column);
    // A USING clause decides the values itself; without one only a cast PostgreSQL applies on assignment can fail row by row.
    if (carried?.using) return [{ ...base, toType: carried.toType, using: carried.using }];
    return cost === 'mayFail' ? [{ ...base, toType: carried?.toType ?? postgresTypeSql(change.to) }] : [];
  }
  if (context.provider === 'mysql' && cost === 'mayFail') {
    const check = mysqlFitCheck(change.to);
    return check ? [{ ...base, toType: formatType(change.to), check }] : [];
  }
  return [];
}

/** The PostgreSQL spelling of a replayed type, for a cast: `varchar(20)`, `"Role"`, `int4[]`. */
function postgresTypeSql(type: Extract<Change, { kind: 'alterColumnType' }>['to']): string {
  const name = type.isEnum ? type.name.split('.').map((part) => `"${part.replace(/"/g, '""')}"`).join('.') : type.name;
  return `${name}${type.args.length > 0 ? `(${type.args.join(',')})` : ''}${type.array ? '[]' : ''}`;
}

function mysqlFitCheck(to: Extract<Change, { kind: 'alterColumnType' }>['to']): MysqlFitCheck | undefined {
  if (to.enumValues) return { kind: 'values', values: to.enumValues };
  if ((to.name === 'varchar' || to.name === 'char') && to.args[0] !== undefined) return { kind: 'length', max: to.args[0] };
  const range = MYSQL_INTEGER_RANGES[to.name];
  if (range) return { kind: 'range', min: range[0], max: range[1] };
  if (to.name === 'decimal' && to.args[0] !== undefined) return { kind: 'digits', integerDigits: to.args[0] - (to.args[1] ?? 0) };
  return undefined;
}

/** The tables a lock-taking finding works on: the change's table (each table using an enum), or those its SQL statement names. */
function lockTablesOf(finding: Finding, context: PreflightContext): TableRef[] {
  const change = finding.change;
  if (change?.kind === 'removeEnumValue') return dedupe(change.usedBy.map((user) => tableNamed(user.slice(0, user.lastIndexOf('.')), context.baseline)));
  if (change) return [refOf(change.tableKey)];
  if (finding.subject) return [refOf(finding.subject.table)];
  // Only the statement's first table: the one it alters, indexes or updates (a backfill's FROM tables are only read).
  return tablesOfFinding(finding).slice(0, 1);
}

function refOf(key: string): TableRef {
  const dot = key.indexOf('.');
  return dot > 0 ? { schema: key.slice(0, dot), name: key.slice(dot + 1) } : { name: key };
}

/** A baseline table by name (enum users are listed by table name): its schema, when it has one. */
function tableNamed(name: string, baseline: DbState): TableRef {
  const key = Object.keys(baseline.tables).find((k) => baseline.tables[k].name === name && baseline.tables[k].schema);
  const schema = key ? baseline.tables[key].schema : undefined;
  return schema && tableKey(schema, name) !== name ? { schema, name } : { name };
}

function plainColumn(indexColumn: string): string | undefined {
  const name = indexColumn.replace(/\s+(ASC|DESC)$/i, '').replace(/^"(.*)"$/, '$1');
  return /[()\s]/.test(name) ? undefined : name;
}

// ---------------------------------------------------------------------------
// The USING clause of a pending ALTER COLUMN ... TYPE

interface PendingTypeChange {
  toType: string;
  using?: string;
}

const typeChangeCache = new WeakMap<readonly object[], Map<string, PendingTypeChange>>();

/** Ensures the SQL parser is loaded (the planner parses pending migrations for USING clauses). */
export function loadPreflightParser(): Promise<void> {
  return loadPostgresParser();
}

/** The last pending `ALTER TABLE t ALTER COLUMN c TYPE ... [USING ...]` of the column, as written. */
function pendingTypeChange(context: PreflightContext, table: string, column: string): PendingTypeChange | undefined {
  if (!postgresParserLoaded()) return undefined;
  let found = typeChangeCache.get(context.pending);
  if (!found) {
    found = new Map();
    for (const migration of context.pending) {
      let statements;
      try {
        statements = parsePostgresStatements(migration.sql, migration.file).statements;
      } catch {
        continue;
      }
      for (const statement of statements) {
        if (statement.kind !== 'AlterTableStmt') continue;
        const body = (statement.ast as { AlterTableStmt?: { relation?: { relname?: string; schemaname?: string } } }).AlterTableStmt;
        const relname = body?.relation?.relname;
        if (!relname) continue;
        const key = tableKey(body.relation?.schemaname, relname);
        for (const clause of typeClauses(statement.text)) found.set(`${key}\u0000${clause.column}`, { toType: clause.toType, ...(clause.using ? { using: clause.using } : {}) });
      }
    }
    typeChangeCache.set(context.pending, found);
  }
  return found.get(`${table}\u0000${column}`);
}

/** `ALTER [COLUMN] c [SET DATA] TYPE t [COLLATE x] [USING e]` clauses of an ALTER TABLE, split at top-level commas by PostgreSQL's tokenizer. */
function typeClauses(text: string): { column: string; toType: string; using?: string }[] {
  let tokens;
  try {
    tokens = scanPostgresTokens(text);
  } catch {
    return [];
  }
  const clauses: (typeof tokens)[] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.text === '(' || token.text === '[') depth++;
    if (token.text === ')' || token.text === ']') depth--;
    if (depth === 0 && token.text === ',') clauses.push([]);
    else clauses[clauses.length - 1].push(token);
  }
  const result: { column: string; toType: string; using?: string }[] = [];
  for (const clause of clauses) {
    const words = clause.map((t) => t.text.toUpperCase());
    let at = words.lastIndexOf('ALTER');
    if (at < 0) continue;
    at++;
    if (words[at] === 'COLUMN') at++;
    const nameToken = clause[at];
    if (!nameToken) continue;
    at++;
    if (words[at] === 'SET' && words[at + 1] === 'DATA') at += 2;
    if (words[at] !== 'TYPE') continue;
    const typeStart = at + 1;
    let typeEnd = typeStart;
    while (typeEnd < clause.length && words[typeEnd] !== 'USING' && words[typeEnd] !== 'COLLATE') typeEnd++;
    const usingAt = words.indexOf('USING', typeStart);
    const slice = (from: number, to: number): string => (from < to ? text.slice(clause[from].start, clause[to - 1].end).trim() : '');
    const column = nameToken.text.startsWith('"') ? nameToken.text.slice(1, -1).replace(/""/g, '"') : nameToken.text.toLowerCase();
    const toType = slice(typeStart, typeEnd);
    if (!toType) continue;
    const using = usingAt >= 0 ? slice(usingAt + 1, clause.length) : '';
    result.push({ column, toType, ...(using ? { using } : {}) });
  }
  return result;
}

// ---------------------------------------------------------------------------
// Applying the facts

/**
 * The findings with what the database says: a positive count makes the
 * finding an error and says the count; an exact zero takes the failure away
 * (error → warning: the lock, or running code, remains); a sample that found
 * nothing, a skipped or failed count leave the severity alone. Lock-taking
 * findings get the table's size and how long the work takes.
 */
export function applyPreflight(findings: readonly Finding[], context: PreflightContext, facts: PreflightFacts): Finding[] {
  return findings.map((finding) => {
    const questions = questionsFor(finding, context);
    if (questions.fails.length === 0 && questions.sizes.length === 0) return finding;
    const fail = combine(questions.fails.map((q) => facts.answers.get(questionKey(q)) as CountAnswer | undefined));
    const sizes = questions.sizes.map((q) => ({ table: q.table, answer: facts.answers.get(questionKey(q)) as SizeAnswer | undefined }));
    if (!fail && sizes.every((s) => !s.answer)) return finding;

    const sentences: string[] = [];
    let severity = finding.severity;
    // A severity the team set by hand, or a finding the project's baseline accepted, keeps its severity: they decided.
    const pinned = Boolean(context.config.rules[finding.ruleId]) || finding.accepted !== undefined;
    const first = questions.fails[0];
    if (fail && first) {
      sentences.push(describeCount(finding, first, questions.fails, fail, facts));
      if ((fail.method === 'exact' || fail.method === 'sampled') && (fail.count ?? 0) > 0) {
        if (!pinned) severity = 'error';
      } else if (fail.method === 'exact' && fail.count === 0 && !pinned && severity === 'error') {
        severity = 'warning';
      }
    }
    const biggest = sizes.filter((s) => s.answer?.method === 'exact').sort((a, b) => (b.answer?.totalBytes ?? 0) - (a.answer?.totalBytes ?? 0))[0];
    let table: FindingPreflight['table'];
    if (biggest && questions.work) {
      const answer = biggest.answer as SizeAnswer;
      const bytes = questions.work === 'rewrite' ? (answer.totalBytes ?? 0) : (answer.tableBytes ?? 0);
      const seconds = bytes / WORK_BYTES_PER_SECOND[questions.work];
      table = { name: biggest.table.name, rows: answer.rows ?? 0, bytes, work: questions.work, seconds: Math.round(seconds * 10) / 10 };
      sentences.push(describeSize(biggest.table, answer, questions.work, seconds));
    }
    if (sentences.length === 0) return finding;
    const summary = sentences.join(' ');
    const preflight: FindingPreflight = {
      ...(first && fail ? { check: first.kind, method: fail.method } : {}),
      ...(fail?.count !== undefined ? { count: fail.count } : {}),
      ...(fail?.groups !== undefined ? { groups: fail.groups } : {}),
      ...(fail?.examples ? { examples: fail.examples.map((e) => `${e.key} ×${e.rows}`) } : {}),
      ...(fail?.percent !== undefined ? { samplePercent: fail.percent } : {}),
      ...(fail?.reason ? { reason: fail.reason } : {}),
      ...(table ? { table } : {}),
      severityBefore: finding.severity,
      summary,
      database: facts.database,
    };
    return { ...finding, severity, message: `${finding.message} Preflight: ${summary}`, preflight };
  });
}

/** Answers of the questions a finding sums (an enum value in several columns): exact only if all are. */
function combine(answers: (CountAnswer | undefined)[]): CountAnswer | undefined {
  if (answers.length === 0 || answers.some((a) => a === undefined)) return undefined;
  const all = answers as CountAnswer[];
  if (all.length === 1) return all[0];
  const notCounted = all.find((a) => a.method === 'failed' || a.method === 'skipped');
  const count = all.reduce((sum, a) => sum + (a.count ?? 0), 0);
  if (notCounted && count === 0) return notCounted;
  const sampled = all.find((a) => a.method === 'sampled');
  return { method: sampled ? 'sampled' : notCounted ? notCounted.method : 'exact', count, ...(sampled?.percent !== undefined ? { percent: sampled.percent } : {}), ...(notCounted?.reason ? { reason: notCounted.reason } : {}) };
}

function name(table: TableRef): string {
  return `\`${table.name}\``;
}

function rowsWord(count: number): string {
  return count === 1 ? '1 row' : `${count.toLocaleString('en-US')} rows`;
}

/** The count in words, for the finding's message. */
function describeCount(finding: Finding, question: CountQuestion, all: CountQuestion[], answer: CountAnswer, facts: PreflightFacts): string {
  const table = name(question.table);
  if (answer.method === 'failed') return `Not counted: ${answer.reason ?? 'the query failed'}.`;
  if (answer.method === 'skipped') return `Not counted: ${answer.reason ?? `${table} is over the scan limit`}.`;
  const count = answer.count ?? 0;
  const sampled = answer.method === 'sampled';
  const scope = sampled ? ` in a ${formatPercent(answer.percent ?? 0)} sample of ${table} (it is over the ${formatBytes(facts.scanLimitBytes)} scan limit, so it was not read whole)` : '';
  const estimate = (n: number): string => (sampled ? `~${formatRows(n)} rows` : rowsWord(n));
  if (count === 0) {
    switch (question.kind) {
      case 'rows':
        return sampled ? `No row found${scope}: not proven empty.` : `${table} has no rows, so adding the column cannot fail on existing rows.`;
      case 'nulls':
        return sampled ? `No NULL in \`${question.column}\` found${scope}: not proven for the whole table.` : `No row of ${table} holds NULL in \`${question.column}\`: the migration will not fail on existing rows.`;
      case 'duplicates':
        return sampled ? `No duplicate (${columnList(question.columns)}) found${scope}: not proven for the whole table.` : `No two rows of ${table} share (${columnList(question.columns)}): building the unique index will not fail.`;
      case 'enumValue':
        return sampled ? `No row holding \`${question.value}\` found${scope}: not proven for the whole table.` : `No row holds \`${question.value}\`${enumPlaces(all)}: the migration will not fail on existing rows.`;
      case 'orphans':
        return sampled ? `No row pointing at a missing ${name(question.references)} found${scope}: not proven for the whole table.` : `Every row of ${table} points at an existing ${name(question.references)} row: validating the key will not fail.`;
      case 'cast':
        return sampled ? `Every \`${question.column}\` converts${usingText(question)}${scope}: not proven for the whole table.` : `Every \`${question.column}\` of ${table} converts to \`${question.toType}\`${usingText(question)}: the conversion will not fail.`;
    }
  }
  switch (question.kind) {
    case 'rows':
      return `${sampled ? `~${formatRows(count)} rows` : rowsWord(count)} of ${table} have no \`${newColumnOf(finding)}\`${sampled ? ` (estimated${scope})` : ''}.`;
    case 'nulls':
      return `${estimate(count)} of ${table} hold NULL in \`${question.column}\`${sampled ? ` (estimated${scope})` : ''}.`;
    case 'duplicates': {
      const groups = answer.groups ?? 0;
      const examples = answer.examples && answer.examples.length > 0 ? `, e.g. ${answer.examples.map((e) => `${e.key} ×${e.rows}`).join(', ')}` : '';
      const lead = sampled ? 'At least ' : '';
      return `${lead}${groups.toLocaleString('en-US')} value${groups === 1 ? '' : 's'} of (${columnList(question.columns)}) ${groups === 1 ? 'is' : 'are'} shared by ${rowsWord(count)} of ${table}${examples}${sampled ? ` (found${scope})` : ''}.`;
    }
    case 'enumValue':
      return `${estimate(count)} hold \`${question.value}\`${enumPlaces(all)}${sampled ? ` (estimated${scope})` : ''}.`;
    case 'orphans':
      return `${estimate(count)} of ${table} point at no ${name(question.references)} row (${columnList(question.columns)})${sampled ? ` (estimated${scope})` : ''}.`;
    case 'cast':
      return `${estimate(count)} of ${table} hold a \`${question.column}\` that does not convert to \`${question.toType}\`${usingText(question)}${sampled ? ` (estimated${scope})` : ''}.`;
  }
}

/** The column a new required column finding is about (rows questions are per table, shared by every new column). */
function newColumnOf(finding: Finding): string {
  return finding.change && 'column' in finding.change ? finding.change.column : '?';
}

function enumPlaces(all: CountQuestion[]): string {
  const places = all.filter((q): q is Extract<CountQuestion, { kind: 'enumValue' }> => q.kind === 'enumValue').map((q) => `\`${q.table.name}.${q.column}\``);
  return places.length > 0 ? ` in ${places.join(', ')}` : '';
}

function usingText(question: Extract<CountQuestion, { kind: 'cast' }>): string {
  return question.using ? ` (with \`USING ${question.using}\`)` : '';
}

function columnList(columns: string[]): string {
  return columns.map((c) => `\`${c}\``).join(', ');
}

const WORK_WORDS: Record<LockWork, string> = { scan: 'reading it', build: 'building the index', rewrite: 'rewriting it' };

function describeSize(table: TableRef, answer: SizeAnswer, work: LockWork, seconds: number): string {
  const rows = answer.rows === undefined ? '' : `~${formatRows(answer.rows)} rows, `;
  const bytes = work === 'rewrite' ? (answer.totalBytes ?? 0) : (answer.tableBytes ?? 0);
  const what = work === 'rewrite' ? ' with its indexes' : '';
  return `${name(table)}: ${rows}${formatBytes(bytes)}${what}; ${WORK_WORDS[work]} under the lock takes ${formatDuration(seconds)} (at ~${Math.round(WORK_BYTES_PER_SECOND[work] / 1e6)} MB/s).`;
}

/** 8 kB, 1.2 MB, 35 MB, 2.4 GB. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${value >= 10 ? Math.round(value) : trimZero(value.toFixed(1))} ${unit}`;
    }
  }
  return `${Math.round(bytes)} B`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** under a second, about 4 s, about 3 min, about 2 h. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `about ${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${trimZero((seconds / 3600).toFixed(1))} h`;
}

/** 100%, 12%, 2.5%, 0.04%. */
export function formatPercent(percent: number): string {
  if (percent >= 10) return `${Math.round(percent)}%`;
  return `${Number(percent.toPrecision(2))}%`;
}
