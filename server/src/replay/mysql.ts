/**
 * Applies MySQL migration DDL to a DbState the way MySQL 8 (InnoDB) would,
 * statement by statement, from node-sql-parser's MySQL syntax trees.
 *
 * A file is cut into statements by a small MySQL lexer (quotes, backticks,
 * comments, BEGIN ... END bodies) and each statement is parsed on its own, so
 * every object gets the range of the statement that made it and one statement
 * the parser does not know costs only that statement. node-sql-parser lacks a
 * few ALTER TABLE clauses Prisma writes (`RENAME INDEX a TO b`, `ALTER COLUMN c
 * DROP DEFAULT`): such a statement is split into its clauses at top-level
 * commas, each clause is parsed alone, and the two forms the parser cannot
 * read are recognised token by token. Anything else is skipped with a note
 * naming its line.
 *
 * What InnoDB does by itself is modelled, because the database Prisma
 * describes later has it too:
 * - a foreign key whose columns no index starts with gets an index, named
 *   after the constraint (or, unnamed, after its first column); a later index
 *   that can serve the key replaces it, and dropping the key leaves it behind;
 * - unnamed indexes are named after their first column (`col`, `col_2`, ...),
 *   unnamed foreign keys `<table>_ibfk_<n>`;
 * - dropping a column removes it from its indexes (and drops an index left
 *   empty); renaming one renames it everywhere, foreign keys of other tables
 *   included; renaming a table moves the references to it;
 * - primary-key columns are NOT NULL.
 * What MySQL would refuse (a missing table, dropping a table another one
 * references while foreign_key_checks is on, dropping an index a foreign key
 * needs) is skipped with a warning. Data statements and objects the state
 * does not model (views, triggers, routines, CHECK constraints) are skipped
 * with one info note per kind and migration.
 *
 * Canonical forms follow map/mysqlTypes.ts: types as MySQL 8 reports them,
 * defaults classified by the schema side's own function, the primary key
 * unnamed (it is always PRIMARY), index columns as `col` / `col DESC`.
 */
import { tableKey, type DbColumn, type DbDefault, type DbForeignKey, type DbIndex, type DbState, type DbTable, type ReferentialAction } from '../core/dbState';
import type { Note } from '../core/notes';
import { LineIndex, type Range } from '../core/source';
import { canonicalMysqlType, foreignKeyServed, indexColumnBase, indexServesForeignKey, isMysqlCurrentTime, mysqlDefault, unescapeMysqlString } from '../map/mysqlTypes';
import { entryOf, flattenProvenance } from './provenance';
import { PRISMA_MIGRATIONS_TABLE, type MigrationInput, type ProvenanceEntry, type Replayer, type UncertainStatement } from './types';
import { collectTokens, isSpace, skipSpaceAndComments } from './sqlText';

// ---------------------------------------------------------------------------
// Parser

interface SqlParser {
  astify(sql: string, options?: { database?: string }): unknown;
  exprToSQL(expr: unknown, options?: { database?: string }): string;
}

let parser: SqlParser | undefined;

/**
 * node-sql-parser's MySQL build (a quarter of a megabyte of code), loaded once on first use. It sits in a
 * module of its own, required by a computed path: the bundler then leaves it out of the server's bundle
 * (dist/mysqlGrammar.js beside it), so a PostgreSQL project never reads or compiles it.
 */
export function mysqlParser(): SqlParser {
  if (!parser) {
    const modulePath = './mysqlGrammar';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as typeof import('./mysqlGrammar');
    parser = mod.createMysqlGrammar();
  }
  return parser;
}

const OPTIONS = { database: 'MySQL' };

/** A table's indexes and foreign keys are kept in name order, so that states compare equal whatever order made them. */
function sortByName(items: { name: string }[]): void {
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}


export async function createMysqlReplayer(): Promise<Replayer> {
  mysqlParser();
  return new MysqlReplayer({ state: { provider: 'mysql', tables: {}, enums: {} }, sources: {}, implicitIndexes: {}, checks: {} });
}

/** A replayer continuing from what saveData() returned (read back from the persisted cache, which checks that the same code wrote it). */
export function restoreMysqlReplayer(data: unknown): Replayer {
  return new MysqlReplayer(data as ReplayData);
}

// ---------------------------------------------------------------------------
// Lexer

export interface MysqlToken {
  kind: 'word' | 'ident' | 'string' | 'number' | 'punct' | 'variable';
  /** The token as written. */
  text: string;
  /** Identifiers without their backticks; words and the rest as written. */
  value: string;
  start: number;
  end: number;
}

/** MySQL: `#`, and `--` only when a space (or the end) follows it. */

/**
 * `CREATE [OR REPLACE] [DEFINER = ...] PROCEDURE | FUNCTION | EVENT` and
 * `DROP PROCEDURE | FUNCTION | EVENT`, which node-sql-parser does not read: the
 * label to count them under, or undefined for anything else.
 */
function routineStatement(tokens: MysqlToken[]): string | undefined {
  const kinds = ['PROCEDURE', 'FUNCTION', 'EVENT'];
  if (isWord(tokens[0], 'DROP') && isWord(tokens[1], ...kinds)) return `DROP ${tokens[1].text.toUpperCase()}`;
  if (!isWord(tokens[0], 'CREATE')) return undefined;
  let at = 1;
  if (isWord(tokens[at], 'OR') && isWord(tokens[at + 1], 'REPLACE')) at += 2;
  if (isWord(tokens[at], 'DEFINER')) {
    // DEFINER = user | user@host | CURRENT_USER[()]: skip to the routine keyword.
    const kind = tokens.findIndex((t, i) => i > at && isWord(t, ...kinds));
    if (kind < 0 || kind > at + 8) return undefined;
    at = kind;
  }
  return isWord(tokens[at], ...kinds) ? `CREATE ${tokens[at].text.toUpperCase()}` : undefined;
}

function startsLineComment(text: string, at: number): boolean {
  return text[at] === '#' || (text.startsWith('--', at) && (at + 2 >= text.length || isSpace(text.charCodeAt(at + 2))));
}

/** Offset of the next token at or after `pos`, past whitespace and comments (`-- `, `#`, `/* *\/`). */
function skipTrivia(text: string, pos: number): number {
  return skipSpaceAndComments(text, pos, startsLineComment);
}

/** End of a quoted token starting at `start`: doubled quotes and (outside backticks) backslashes escape. */
function closeQuote(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\' && quote !== '`') {
      i += 2;
    } else if (ch === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return text.length;
}

function isWordStart(ch: string): boolean {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch === '_' || ch === '$' || ch > '\u007f';
}

function isWordPart(ch: string): boolean {
  return isWordStart(ch) || (ch >= '0' && ch <= '9');
}

function nextToken(text: string, pos: number): MysqlToken | undefined {
  const start = skipTrivia(text, pos);
  if (start >= text.length) return undefined;
  const ch = text[start];
  if (ch === "'" || ch === '"' || ch === '`') {
    const end = closeQuote(text, start, ch);
    const body = text.slice(start + 1, Math.max(start + 1, end - 1));
    if (ch === '`') return { kind: 'ident', text: text.slice(start, end), value: body.split('``').join('`'), start, end };
    return { kind: 'string', text: text.slice(start, end), value: unescapeMysqlString(body), start, end };
  }
  if (ch >= '0' && ch <= '9') {
    let end = start + 1;
    while (end < text.length && (isWordPart(text[end]) || text[end] === '.')) end++;
    return { kind: 'number', text: text.slice(start, end), value: text.slice(start, end), start, end };
  }
  if (ch === '@') {
    let end = start + 1;
    while (end < text.length && (isWordPart(text[end]) || text[end] === '@' || text[end] === '.')) end++;
    return { kind: 'variable', text: text.slice(start, end), value: text.slice(start, end), start, end };
  }
  if (isWordStart(ch)) {
    let end = start + 1;
    while (end < text.length && isWordPart(text[end])) end++;
    return { kind: 'word', text: text.slice(start, end), value: text.slice(start, end), start, end };
  }
  return { kind: 'punct', text: ch, value: ch, start, end: start + 1 };
}

export function lexMysql(text: string, from = 0, to = text.length): MysqlToken[] {
  return collectTokens(nextToken, text, from, to);
}

function isWord(token: MysqlToken | undefined, ...words: string[]): boolean {
  return token !== undefined && token.kind === 'word' && words.includes(token.text.toUpperCase());
}

export interface StatementPiece {
  /** UTF-16 offsets of the statement: first token to last token, no `;`. */
  start: number;
  end: number;
  tokens: MysqlToken[];
}

const COMPOUND_OBJECTS = new Set(['TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT']);

/**
 * Cuts MySQL text into statements at top-level semicolons. Inside the body of
 * a stored program (CREATE TRIGGER / PROCEDURE / FUNCTION / EVENT) the
 * semicolons between BEGIN and its END belong to the statement.
 */
export function splitMysqlStatements(text: string): StatementPiece[] {
  const pieces: StatementPiece[] = [];
  let current: MysqlToken[] = [];
  let compound = false;
  let depth = 0;
  const flush = (): void => {
    if (current.length > 0) pieces.push({ start: current[0].start, end: current[current.length - 1].end, tokens: current });
    current = [];
    compound = false;
    depth = 0;
  };
  let pos = 0;
  for (;;) {
    const token = nextToken(text, pos);
    if (!token) break;
    pos = token.end;
    if (token.text === ';' && token.kind === 'punct' && (!compound || depth === 0)) {
      flush();
      continue;
    }
    current.push(token);
    // CREATE [OR REPLACE] [DEFINER = user@host] TRIGGER|PROCEDURE|FUNCTION|EVENT ...
    if (current.length <= 10 && isWord(current[0], 'CREATE') && token.kind === 'word' && COMPOUND_OBJECTS.has(token.text.toUpperCase())) compound = true;
    if (compound && token.kind === 'word') {
      const word = token.text.toUpperCase();
      const previous = current[current.length - 2];
      if (word === 'BEGIN' || (word === 'CASE' && !isWord(previous, 'END'))) depth++;
      // END IF / END LOOP / END WHILE / END REPEAT close blocks that were never counted.
      else if (word === 'END') depth = Math.max(0, depth - 1);
      else if ((word === 'IF' || word === 'LOOP' || word === 'WHILE' || word === 'REPEAT') && isWord(previous, 'END')) depth++;
    }
  }
  flush();
  return pieces;
}

// ---------------------------------------------------------------------------
// Syntax-tree helpers (node-sql-parser's trees are untyped JSON)

type Ast = Record<string, unknown>;

function obj(value: unknown): Ast | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Ast) : undefined;
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A column reference's name: `{ column: 'x' }` or `{ column: { expr: { value: 'x' } } }`. */
function columnName(ref: unknown): string | undefined {
  const node = obj(ref);
  if (!node) return text(ref);
  const column = node.column;
  if (typeof column === 'string') return column;
  const expr = obj(obj(column)?.expr);
  return text(expr?.value);
}

function tableName(ref: unknown): string | undefined {
  const node = obj(ref);
  return node ? text(node.table) : text(ref);
}

/** The name of a function-call node (`CURRENT_TIMESTAMP`, `uuid`). */
function functionName(node: Ast): string | undefined {
  const name = node.name;
  if (typeof name === 'string') return name;
  const parts = list(obj(name)?.name);
  const last = obj(parts[parts.length - 1]);
  return text(last?.value);
}

const ACTIONS: Record<string, ReferentialAction> = {
  cascade: 'CASCADE',
  restrict: 'RESTRICT',
  'no action': 'NO ACTION',
  'set null': 'SET NULL',
  'set default': 'SET DEFAULT',
};

const SKIP_LABELS: Record<string, string> = {
  insert: 'INSERT',
  replace: 'REPLACE',
  update: 'UPDATE',
  delete: 'DELETE',
  select: 'SELECT',
  truncate: 'TRUNCATE',
  transaction: 'START TRANSACTION/COMMIT',
  lock: 'LOCK TABLES',
  unlock: 'UNLOCK TABLES',
  grant: 'GRANT',
  revoke: 'REVOKE',
  call: 'CALL',
  show: 'SHOW',
  desc: 'DESCRIBE',
  explain: 'EXPLAIN',
};

/** Statement kinds that change no schema object: unparsed ones are info, not a warning. */
const DATA_WORDS = new Set(['INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'SELECT', 'SET', 'CALL', 'DO', 'WITH', 'LOCK', 'UNLOCK', 'START', 'BEGIN', 'COMMIT', 'ROLLBACK', 'ANALYZE', 'OPTIMIZE', 'FLUSH', 'GRANT', 'REVOKE', 'USE', 'SHOW', 'PREPARE', 'EXECUTE', 'DEALLOCATE']);

// ---------------------------------------------------------------------------
// Replayer

interface TableSources {
  self?: ProvenanceEntry;
  /** `.column` and `#index` → entry; the table key is prefixed when flattened. */
  items: Record<string, ProvenanceEntry>;
}

/** Everything a replayer carries between migrations; plain data, so fork() is one structuredClone. */
interface ReplayData {
  state: DbState;
  sources: Record<string, TableSources>;
  /** Table key → indexes InnoDB created by itself for a foreign key. */
  implicitIndexes: Record<string, string[]>;
  /** Table key → CHECK constraint names: not modelled, but DROP CHECK / DROP CONSTRAINT must find them. */
  checks: Record<string, string[]>;
  /** Statements MySQL rejects on the replayed state: their migrations fail on a fresh database. */
  uncertain?: UncertainStatement[];
  /**
   * Tables (lower-case name → where) that a statement the replay could not read
   * created or changed, or that were created from a query: what MySQL would say
   * to a later statement on them is not known.
   */
  unread?: Record<string, { name: string; migration: string; line: number }>;
  /** A migration dropped prisma migrate's own table (a mysqldump writes DROP TABLE IF EXISTS before each CREATE TABLE): creating it again is then fine. */
  prismaMigrationsDropped?: boolean;
}

/** A foreign key added by the current statement, to give it an index at the end of the statement. */
interface PendingForeignKey {
  key: string;
  name: string;
  /** Whether the SQL named the constraint (the index takes its name), or MySQL chose it. */
  named: boolean;
}

class MysqlReplayer implements Replayer {
  readonly provider = 'mysql' as const;
  private migration: MigrationInput | undefined;
  private range: Range | undefined;
  private lastEntry: { range: Range | undefined; migration: MigrationInput | undefined; entry: ProvenanceEntry } | undefined;
  private notes: Note[] = [];
  private skipped = new Map<string, { count: number; range: Range }>();
  private flat: Record<string, ProvenanceEntry> | undefined;
  /** Session state of the migration being applied. */
  private foreignKeyChecks = true;
  private temporary = new Set<string>();
  private pending: PendingForeignKey[] = [];
  /** Table renames made by earlier clauses of the current statement. */
  private renamedTo = new Map<string, string>();
  private statementText = '';

  constructor(private data: ReplayData) {}

  apply(migration: MigrationInput): Note[] {
    this.migration = migration;
    this.notes = [];
    this.skipped = new Map();
    this.flat = undefined;
    // Prisma applies each migration as a script on a fresh session.
    this.foreignKeyChecks = true;
    this.temporary = new Set();
    const sql = migration.sql;
    const lines = new LineIndex(sql);
    for (const piece of splitMysqlStatements(sql)) {
      this.range = lines.rangeAt(piece.start, piece.end);
      this.pending = [];
      this.renamedTo = new Map();
      const statementText = sql.slice(piece.start, piece.end);
      this.statementText = statementText;
      try {
        this.applyText(statementText, piece.tokens, piece.start);
        this.finishStatement();
      } catch (error) {
        // A shape of syntax tree this code did not expect must not stop the replay.
        this.note('warning', `Line ${this.range.start.line + 1}: could not apply this statement (${(error as Error).message}); it is skipped.`);
      }
    }
    for (const [label, { count, range }] of this.skipped) {
      this.notes.push({
        level: 'info',
        message: `${label}: ${count} statement${count === 1 ? '' : 's'} not replayed (not part of the modelled schema: tables, columns, indexes, constraints).`,
        where: { file: migration.file, range },
      });
    }
    this.migration = undefined;
    this.range = undefined;
    return this.notes;
  }

  state(): DbState {
    return this.data.state;
  }

  provenance(): Record<string, ProvenanceEntry> {
    this.flat ??= flattenProvenance(this.data.sources);
    return this.flat;
  }

  provenanceOf(key: string): ProvenanceEntry | undefined {
    if (this.flat) return this.flat[key];
    return entryOf(key, this.data.sources);
  }

  uncertain(): readonly UncertainStatement[] {
    return this.data.uncertain ?? [];
  }

  fork(): Replayer {
    return new MysqlReplayer(structuredClone(this.data));
  }

  saveData(): unknown {
    return this.data;
  }

  dispose(): void {
    // Nothing outside the JS heap.
  }

  // -------------------------------------------------------------------------
  // Notes and provenance

  private note(level: Note['level'], message: string): void {
    const where = this.migration && this.range ? { where: { file: this.migration.file, range: this.range } } : {};
    this.notes.push({ level, message, ...where });
  }

  /**
   * A statement MySQL rejects on the replayed state: the migration fails on a
   * fresh database, as on PostgreSQL and SQLite, and every table it names is
   * uncertain (the databases it was deployed to were mended by hand).
   */
  private rejected(reason: string): void {
    if (!this.migration || !this.range) return this.note('warning', `This migration fails on a fresh database at line ${this.line()}: ${reason}`);
    const excerpt = this.statementText.trim().split('\n')[0].replace(/;$/, '');
    const named = wordsOf(this.statementText);
    const unread = Object.entries(this.data.unread ?? {}).find(([table]) => named.has(table));
    if (unread) {
      // What the replay could not read may be exactly what makes this statement valid.
      const at = unread[1];
      const where = at.migration === this.migration.name ? `line ${at.line}` : `line ${at.line} of ${at.migration}`;
      const why = reason.replace(/;? ?MySQL rejects the statement, so it is skipped\.?$/, '').replace(/\.$/, '');
      this.note('warning', `Line ${this.line()}: on the replayed state MySQL would reject this statement (${why}), but ${where}, which the replay could not fully read, created or changed \`${at.name}\`: it is not reported as failing.`);
      (this.data.uncertain ??= []).push({ migration: this.migration.name, file: this.migration.file, range: this.range, excerpt, reason: `an earlier statement the replay could not fully read may have made it valid (${why})`, tables: this.tablesNamed(named) });
      return;
    }
    this.note('warning', `This migration fails on a fresh database at line ${this.line()}: ${reason}`);
    (this.data.uncertain ??= []).push({
      migration: this.migration.name,
      file: this.migration.file,
      range: this.range,
      excerpt,
      reason: `MySQL rejects it (${reason})`,
      tables: this.tablesNamed(wordsOf(this.migration.sql)),
      fails: true,
    });
  }

  private tablesNamed(words: Set<string>): string[] {
    return Object.keys(this.data.state.tables).filter((key) => words.has(this.data.state.tables[key].name.toLowerCase()));
  }

  /** A statement the replay could not read names these tables (after TABLE, or ON of CREATE INDEX): later refusals on them are not failures. */
  private markUnread(tokens: MysqlToken[]): void {
    for (let i = 0; i + 1 < tokens.length; i++) {
      if (!isWord(tokens[i], 'TABLE') && !isWord(tokens[i], 'ON')) continue;
      let next = i + 1;
      if (isWord(tokens[next], 'IF')) next += isWord(tokens[next + 1], 'NOT') ? 3 : 2;
      const name = tokens[next];
      if (name && (name.kind === 'ident' || name.kind === 'word')) this.markTableUnread(name.value);
    }
  }

  private markTableUnread(name: string): void {
    if (this.migration) (this.data.unread ??= {})[name.toLowerCase()] = { name, migration: this.migration.name, line: this.line() };
  }

  private line(): number {
    return (this.range?.start.line ?? 0) + 1;
  }

  private skip(label: string): void {
    const seen = this.skipped.get(label);
    if (seen) seen.count++;
    else if (this.range) this.skipped.set(label, { count: 1, range: this.range });
  }

  /** One entry per statement, shared by everything it creates: fork() then copies it (and its strings) once, not per column. */
  private here(): ProvenanceEntry {
    if (this.lastEntry && this.lastEntry.range === this.range && this.lastEntry.migration === this.migration) return this.lastEntry.entry;
    const entry = { migration: this.migration?.name ?? '', file: this.migration?.file ?? '', range: this.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    this.lastEntry = { range: this.range, migration: this.migration, entry };
    return entry;
  }

  private record(key: string, item?: string): void {
    let sources = this.data.sources[key];
    if (!sources) this.data.sources[key] = sources = { items: {} };
    if (item === undefined) sources.self = this.here();
    else sources.items[item] = this.here();
  }

  private forget(key: string, item: string): void {
    const sources = this.data.sources[key];
    if (sources) delete sources.items[item];
  }

  private move(key: string, from: string, to: string): void {
    const sources = this.data.sources[key];
    if (!sources || !sources.items[from]) return;
    sources.items[to] = sources.items[from];
    delete sources.items[from];
  }

  // -------------------------------------------------------------------------
  // Parsing one statement

  /** `offset`: where the statement starts in its file (token positions are the file's). */
  private applyText(statementText: string, tokens: MysqlToken[], offset: number): void {
    let ast: unknown;
    try {
      ast = mysqlParser().astify(statementText, OPTIONS);
    } catch (error) {
      if (isWord(tokens[0], 'ALTER') && isWord(tokens[1], 'TABLE')) {
        this.alterTableByClauses(statementText, tokens, error);
        return;
      }
      // The parser does not read partitioning, which changes no column, index or key: the table without it.
      const partitioned = isWord(tokens[0], 'CREATE') ? partitionClauseStart(tokens) : undefined;
      if (partitioned !== undefined) {
        try {
          ast = mysqlParser().astify(statementText.slice(0, partitioned - offset), OPTIONS);
        } catch {
          ast = undefined;
        }
      }
      if (ast === undefined) {
        this.unparsed(tokens, error);
        return;
      }
    }
    for (const statement of list(ast)) {
      const node = obj(statement);
      if (node) this.applyStatement(node);
    }
  }

  private unparsed(tokens: MysqlToken[], error: unknown): void {
    const first = tokens[0]?.text.toUpperCase() ?? '';
    if (first === 'SET' && this.setForeignKeyChecksByTokens(tokens)) return;
    if (first === 'DELIMITER') {
      // mysqldump writes it around triggers and routines; only the mysql client understands it.
      return this.rejected('DELIMITER is a command of the mysql client, not SQL: prisma migrate sends the file to the server, which rejects it (1064). Delete the DELIMITER lines and end the CREATE TRIGGER or CREATE PROCEDURE with a plain semicolon; the server reads its BEGIN ... END whole.');
    }
    if (DATA_WORDS.has(first)) {
      // A data statement the parser does not know changes no table, column or index.
      this.skip(`${first} (not parsed)`);
      return;
    }
    const routine = routineStatement(tokens);
    if (routine) {
      // Stored routines and events are not part of the modelled schema, as triggers and views are not.
      this.skip(routine);
      return;
    }
    this.note('warning', `Line ${this.line()}: MySQL syntax not understood (${parseError(error)}); the statement is skipped and the rest of the file is still read.`);
    this.markUnread(tokens);
  }

  private applyStatement(node: Ast): void {
    const type = text(node.type) ?? '';
    const keyword = (text(node.keyword) ?? '').toLowerCase();
    switch (type) {
      case 'create':
        if (keyword === 'table') return this.createTable(node);
        if (keyword === 'index') return this.createIndex(node);
        if (keyword === 'database' || keyword === 'schema') return;
        return this.skip(`CREATE ${keyword.toUpperCase()}`);
      case 'alter':
        return this.alterTable(node);
      case 'drop':
        if (keyword === 'table') return this.dropTables(node);
        if (keyword === 'index') return this.dropIndexStatement(node);
        if (keyword === 'database' || keyword === 'schema') return;
        return this.skip(`DROP ${keyword.toUpperCase()}`);
      case 'rename':
        return this.renameTables(node);
      case 'set':
        return this.set(node);
      case 'use':
        return;
      case 'truncate':
        this.checkTruncate(node);
        return this.skip('TRUNCATE');
      default:
        return this.skip(SKIP_LABELS[type] ?? type.toUpperCase());
    }
  }

  // -------------------------------------------------------------------------
  // Lookups

  private get tables(): Record<string, DbTable> {
    return this.data.state.tables;
  }

  /** The table a statement acts on, or undefined after the right note (none for temporary tables or IF EXISTS). */
  private table(ref: unknown, missingOk = false): { key: string; table: DbTable } | undefined {
    const name = tableName(ref);
    if (name === undefined) return undefined;
    if (this.temporary.has(name) || name === PRISMA_MIGRATIONS_TABLE) return undefined;
    const key = tableKey(undefined, name);
    const table = this.tables[key];
    if (table) return { key, table };
    if (!missingOk) this.rejected(`table \`${name}\` does not exist at this point of the migrations; MySQL rejects the statement, so it is skipped.`);
    return undefined;
  }

  // -------------------------------------------------------------------------
  // Columns

  private buildColumn(def: Ast): { column: DbColumn; primaryKey: boolean; unique: boolean; reference?: Ast } | undefined {
    const name = columnName(def.column);
    const definition = obj(def.definition);
    if (name === undefined || !definition) return undefined;
    const dataType = text(definition.dataType) ?? '';
    const args = [definition.length, definition.scale].filter((n): n is number => typeof n === 'number');
    const suffix = list(definition.suffix).map((s) => String(s).toUpperCase());
    const values = dataType.toUpperCase() === 'ENUM' || dataType.toUpperCase() === 'SET' ? list(obj(definition.expr)?.value).map((v) => unescapeMysqlString(text(obj(v)?.value) ?? '')) : undefined;
    const type = canonicalMysqlType({ name: dataType, args, unsigned: suffix.includes('UNSIGNED') || suffix.includes('ZEROFILL'), ...(values ? { values } : {}) });
    const primaryKey = def.primary_key !== undefined && def.primary_key !== null;
    const nullable = obj(def.nullable)?.type !== 'not null' && !primaryKey;
    const column: DbColumn = { name, type, nullable };
    const defaultValue = obj(def.default_val)?.value;
    if (defaultValue !== undefined) {
      const mapped = this.defaultOf(defaultValue, column);
      if (mapped) column.default = mapped;
    }
    if (def.auto_increment) column.default = { kind: 'autoincrement' };
    const generated = obj(def.generated);
    if (generated) {
      const expression = this.sql(generated.expr);
      column.generated = `(${expression}) ${(text(generated.storage_type) ?? 'virtual').toUpperCase()}`;
      delete column.default;
    }
    const reference = obj(def.reference_definition);
    return { column, primaryKey, unique: def.unique !== undefined && def.unique !== null, ...(reference ? { reference } : {}) };
  }

  private sql(expr: unknown): string {
    return mysqlParser().exprToSQL(expr, OPTIONS);
  }

  /** A default clause's expression in canonical form (see map/mysqlTypes.ts). */
  private defaultOf(expr: unknown, column: DbColumn): DbDefault | undefined {
    const node = obj(expr);
    if (!node) return undefined;
    const type = text(node.type) ?? '';
    if (type === 'null') return undefined;
    if (type === 'single_quote_string' || type === 'double_quote_string' || type === 'natural_string' || type === 'string') {
      return mysqlDefault(column.type, { kind: 'string', value: unescapeMysqlString(text(node.value) ?? '') });
    }
    if (type === 'bool') return mysqlDefault(column.type, { kind: 'bool', value: node.value === true });
    if (type === 'number') return mysqlDefault(column.type, { kind: 'sql', sql: String(node.value) });
    // The parser reads `1e3` as a column name; a column cannot be a default, so it is the number.
    if (type === 'column_ref' && /^[0-9.]/.test(columnName(node) ?? '')) return mysqlDefault(column.type, { kind: 'sql', sql: columnName(node) ?? '' });
    if (type === 'function' && isMysqlCurrentTime(functionName(node) ?? '')) return mysqlDefault(column.type, { kind: 'currentTime' });
    return mysqlDefault(column.type, { kind: 'sql', sql: this.sql(node) });
  }

  /** Puts a column in place: FIRST / AFTER x, else at the end (or where it was, for MODIFY / CHANGE). */
  private place(table: DbTable, column: DbColumn, suffix: unknown, at?: number): void {
    const position = obj(suffix);
    const keyword = (text(position?.keyword) ?? '').toUpperCase();
    if (keyword === 'FIRST') {
      table.columns.unshift(column);
      return;
    }
    if (keyword === 'AFTER') {
      const after = columnName(position?.expr);
      const index = table.columns.findIndex((c) => c.name === after);
      if (index >= 0) {
        table.columns.splice(index + 1, 0, column);
        return;
      }
      this.rejected(`AFTER names column \`${after ?? '?'}\`, which \`${table.name}\` does not have; MySQL rejects the statement ("Unknown column"). The replay puts the column last.`);
    }
    if (at !== undefined && at >= 0 && at <= table.columns.length) table.columns.splice(at, 0, column);
    else table.columns.push(column);
  }

  private addColumn(key: string, table: DbTable, def: Ast): void {
    const built = this.buildColumn(def);
    if (!built) return;
    if (table.columns.some((c) => c.name.toLowerCase() === built.column.name.toLowerCase())) {
      this.rejected(`column \`${table.name}.${built.column.name}\` already exists; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    this.place(table, built.column, def.suffix);
    this.record(key, `.${built.column.name}`);
    this.inlineConstraints(key, table, built);
  }

  /** Column-level PRIMARY KEY, UNIQUE and REFERENCES. */
  private inlineConstraints(key: string, table: DbTable, built: NonNullable<ReturnType<MysqlReplayer['buildColumn']>>): void {
    const name = built.column.name;
    if (built.primaryKey) this.setPrimaryKey(key, table, [name]);
    if (built.unique) this.addIndex(key, table, { name: this.freeIndexName(table, name), columns: [name], unique: true });
    // InnoDB parses but ignores an inline REFERENCES clause: no foreign key is created.
    if (built.reference) this.note('info', `Line ${this.line()}: a REFERENCES clause on the column \`${table.name}.${name}\` is ignored by InnoDB (only FOREIGN KEY (...) REFERENCES creates a foreign key).`);
  }

  private modifyColumn(key: string, table: DbTable, def: Ast, rename: boolean): void {
    const from = rename ? columnName(def.old_column) : columnName(def.column);
    const index = table.columns.findIndex((c) => c.name.toLowerCase() === (from ?? '').toLowerCase());
    if (from === undefined || index < 0) {
      this.rejected(`column \`${table.name}.${from ?? '?'}\` does not exist; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    const built = this.buildColumn(def);
    if (!built) return;
    const old = table.columns[index];
    if (built.column.name !== old.name) {
      if (table.columns.some((c, i) => i !== index && c.name.toLowerCase() === built.column.name.toLowerCase())) {
        this.rejected(`column \`${table.name}.${built.column.name}\` already exists; MySQL rejects the statement, so it is skipped.`);
        return;
      }
      this.renameColumnEverywhere(key, table, old.name, built.column.name);
    }
    // A key column stays NOT NULL whatever the new definition says.
    if (table.primaryKey?.columns.includes(built.column.name)) built.column.nullable = false;
    table.columns.splice(index, 1);
    this.place(table, built.column, def.suffix, index);
    this.inlineConstraints(key, table, built);
  }

  private renameColumn(key: string, table: DbTable, from: string | undefined, to: string | undefined): void {
    const column = table.columns.find((c) => c.name.toLowerCase() === (from ?? '').toLowerCase());
    if (!column || to === undefined) {
      this.rejected(`column \`${table.name}.${from ?? '?'}\` does not exist; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    if (table.columns.some((c) => c !== column && c.name.toLowerCase() === to.toLowerCase())) {
      this.rejected(`column \`${table.name}.${to}\` already exists; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    const old = column.name;
    column.name = to;
    this.renameColumnEverywhere(key, table, old, to);
  }

  /** MySQL renames a column in the table's keys and in the foreign keys of other tables that point at it. */
  private renameColumnEverywhere(key: string, table: DbTable, from: string, to: string): void {
    const swap = (name: string): string => (name === from ? to : name);
    if (table.primaryKey) table.primaryKey.columns = table.primaryKey.columns.map(swap);
    for (const index of table.indexes) index.columns = index.columns.map((c) => renameIndexColumn(c, from, to));
    for (const fk of table.foreignKeys) fk.columns = fk.columns.map(swap);
    for (const other of Object.values(this.tables)) {
      for (const fk of other.foreignKeys) if (fk.referencedTable === key) fk.referencedColumns = fk.referencedColumns.map(swap);
    }
    this.move(key, `.${from}`, `.${to}`);
  }

  private dropColumn(key: string, table: DbTable, name: string | undefined): void {
    const column = table.columns.find((c) => c.name.toLowerCase() === (name ?? '').toLowerCase());
    if (!column) {
      this.rejected(`column \`${table.name}.${name ?? '?'}\` does not exist; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    const own = table.foreignKeys.find((fk) => fk.columns.includes(column.name));
    if (own) {
      this.rejected(`MySQL refuses to drop \`${table.name}.${column.name}\` while foreign key \`${own.name}\` uses it; the statement is skipped.`);
      return;
    }
    if (this.foreignKeyChecks) {
      for (const other of Object.values(this.tables)) {
        const fk = other.foreignKeys.find((f) => f.referencedTable === key && f.referencedColumns.includes(column.name));
        if (fk && other !== table) {
          this.rejected(`MySQL refuses to drop \`${table.name}.${column.name}\` while foreign key \`${fk.name}\` of \`${other.name}\` references it; the statement is skipped.`);
          return;
        }
      }
    }
    table.columns = table.columns.filter((c) => c !== column);
    this.forget(key, `.${column.name}`);
    if (table.primaryKey) {
      table.primaryKey.columns = table.primaryKey.columns.filter((c) => c !== column.name);
      if (table.primaryKey.columns.length === 0) delete table.primaryKey;
    }
    for (const index of [...table.indexes]) {
      index.columns = index.columns.filter((c) => indexColumnBase(c) !== column.name);
      if (index.columns.length === 0) this.removeIndex(key, table, index.name);
    }
  }

  // -------------------------------------------------------------------------
  // Keys and indexes

  private setPrimaryKey(key: string, table: DbTable, columns: string[]): void {
    if (table.primaryKey) {
      this.rejected(`\`${table.name}\` already has a primary key; MySQL rejects a second one, so it is skipped.`);
      return;
    }
    if (!this.columnsExist(table, columns)) return;
    table.primaryKey = { columns };
    for (const column of table.columns) if (columns.includes(column.name)) column.nullable = false;
    this.record(key, '#PRIMARY');
  }

  private dropPrimaryKey(key: string, table: DbTable): void {
    if (!table.primaryKey) {
      this.rejected(`\`${table.name}\` has no primary key to drop; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    delete table.primaryKey;
    this.forget(key, '#PRIMARY');
  }

  private columnsExist(table: DbTable, columns: string[]): boolean {
    const missing = columns.filter((c) => !table.columns.some((column) => column.name.toLowerCase() === c.toLowerCase()));
    if (missing.length === 0) return true;
    this.rejected(`\`${table.name}\` has no column ${missing.map((c) => `\`${c}\``).join(', ')}; MySQL rejects the statement, so it is skipped.`);
    return false;
  }

  /** MySQL's name for an unnamed index: its first column, then `_2`, `_3`, ... */
  private freeIndexName(table: DbTable, base: string): string {
    const taken = (name: string): boolean => name.toUpperCase() === 'PRIMARY' || table.indexes.some((i) => i.name.toLowerCase() === name.toLowerCase());
    if (!taken(base)) return base;
    for (let n = 2; ; n++) if (!taken(`${base}_${n}`)) return `${base}_${n}`;
  }

  private indexColumns(table: DbTable, definition: unknown): string[] | undefined {
    const columns: string[] = [];
    for (const item of list(definition)) {
      const node = obj(item);
      if (!node) return undefined;
      const type = text(node.type);
      let name: string | undefined;
      if (type === 'column_ref') {
        name = columnName(node);
      } else if (type === 'function' && isPrefixPart(node, table)) {
        // `col(191)` indexes a prefix of col; the index is still on col (Prisma's `length:` is not compared).
        name = functionName(node);
      } else {
        // A functional key part (MySQL 8.0.13+): no Prisma schema can say it.
        columns.push(this.sql(node));
        continue;
      }
      const column = table.columns.find((c) => c.name.toLowerCase() === (name ?? '').toLowerCase());
      if (!column) {
        this.rejected(`\`${table.name}\` has no column \`${name ?? '?'}\`; MySQL rejects the statement, so it is skipped.`);
        return undefined;
      }
      columns.push(text(node.order_by)?.toUpperCase() === 'DESC' ? `${column.name} DESC` : column.name);
    }
    return columns;
  }

  private addIndex(key: string, table: DbTable, index: DbIndex): void {
    if (index.name.toUpperCase() === 'PRIMARY' || table.indexes.some((i) => i.name.toLowerCase() === index.name.toLowerCase())) {
      this.rejected(`\`${table.name}\` already has an index named \`${index.name}\`; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    table.indexes.push(index);
    sortByName(table.indexes);
    this.record(key, `#${index.name}`);
  }

  private removeIndex(key: string, table: DbTable, name: string): void {
    table.indexes = table.indexes.filter((i) => i.name !== name);
    // An index InnoDB made for a foreign key shares the key's name, and so its provenance entry.
    if (!table.foreignKeys.some((fk) => fk.name === name)) this.forget(key, `#${name}`);
    const implicit = this.data.implicitIndexes[key];
    if (implicit) this.data.implicitIndexes[key] = implicit.filter((n) => n !== name);
  }

  private dropIndex(key: string, table: DbTable, name: string | undefined): void {
    if (name === undefined) return;
    if (name.toUpperCase() === 'PRIMARY') return this.dropPrimaryKey(key, table);
    const index = table.indexes.find((i) => i.name.toLowerCase() === name.toLowerCase());
    if (!index) {
      this.rejected(`\`${table.name}\` has no index \`${name}\`; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    const needs = table.foreignKeys.find((fk) => indexServesForeignKey(index, fk.columns) && !foreignKeyServed(table, fk.columns, index.name));
    if (needs) {
      this.rejected(`MySQL refuses to drop index \`${index.name}\`: foreign key \`${needs.name}\` needs it. The statement is skipped.`);
      return;
    }
    this.removeIndex(key, table, index.name);
  }

  private renameIndex(key: string, table: DbTable, from: string, to: string): void {
    const index = table.indexes.find((i) => i.name.toLowerCase() === from.toLowerCase());
    if (!index) {
      this.rejected(`\`${table.name}\` has no index \`${from}\`; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    if (table.indexes.some((i) => i !== index && i.name.toLowerCase() === to.toLowerCase())) {
      this.rejected(`\`${table.name}\` already has an index named \`${to}\`; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    const old = index.name;
    index.name = to;
    sortByName(table.indexes);
    if (table.foreignKeys.some((fk) => fk.name === old)) {
      const entry = this.data.sources[key]?.items[`#${old}`];
      if (entry) this.data.sources[key].items[`#${to}`] = entry;
    } else {
      this.move(key, `#${old}`, `#${to}`);
    }
    const implicit = this.data.implicitIndexes[key];
    if (implicit) this.data.implicitIndexes[key] = implicit.map((n) => (n === old ? to : n));
  }

  /** A PRIMARY KEY / UNIQUE / INDEX / FOREIGN KEY / CHECK definition, in CREATE TABLE or ALTER TABLE ADD. */
  private addDefinition(key: string, table: DbTable, def: Ast): void {
    const resource = text(def.resource);
    const keyword = (text(def.keyword) ?? '').toLowerCase();
    const constraintType = (text(def.constraint_type) ?? '').toLowerCase();
    const written = text(def.index) ?? text(def.constraint);
    if (resource === 'index') {
      const columns = this.indexColumns(table, def.definition);
      if (!columns) return;
      const index: DbIndex = { name: written ?? this.freeIndexName(table, indexColumnBase(columns[0] ?? 'index')), columns, unique: false };
      if (keyword.startsWith('fulltext')) index.method = 'fulltext';
      else if (keyword.startsWith('spatial')) index.method = 'spatial';
      return this.addIndex(key, table, index);
    }
    if (constraintType === 'primary key') {
      const columns = this.indexColumns(table, def.definition);
      if (columns) this.setPrimaryKey(key, table, columns.map(indexColumnBase));
      return;
    }
    if (constraintType.startsWith('unique')) {
      const columns = this.indexColumns(table, def.definition);
      if (!columns) return;
      return this.addIndex(key, table, { name: text(def.index) ?? text(def.constraint) ?? this.freeIndexName(table, indexColumnBase(columns[0] ?? 'index')), columns, unique: true });
    }
    if (constraintType === 'foreign key') return this.addForeignKey(key, table, def);
    if (constraintType === 'check') {
      const name = text(def.constraint);
      if (name) (this.data.checks[key] ??= []).push(name);
      return this.skip('CHECK constraint');
    }
    this.note('info', `Line ${this.line()}: a ${constraintType || keyword || 'table'} definition is not modelled; it is skipped.`);
  }

  private addForeignKey(key: string, table: DbTable, def: Ast): void {
    const columns = list(def.definition).map(columnName);
    const reference = obj(def.reference_definition);
    const target = tableName(list(reference?.table)[0]);
    const referencedColumns = list(reference?.definition).map(columnName);
    if (columns.some((c) => c === undefined) || referencedColumns.some((c) => c === undefined) || target === undefined) {
      this.note('warning', `Line ${this.line()}: a FOREIGN KEY definition could not be read; it is skipped.`);
      return;
    }
    const own = columns as string[];
    if (!this.columnsExist(table, own)) return;
    const referencedKey = tableKey(undefined, target);
    const referenced = referencedKey === key ? table : this.tables[referencedKey];
    if (!referenced && this.foreignKeyChecks) {
      this.rejected(`foreign key on \`${table.name}\` references \`${target}\`, which does not exist; MySQL rejects it while foreign_key_checks is on, so it is skipped.`);
      return;
    }
    const named = text(def.constraint);
    const name = named ?? this.nextForeignKeyName(table);
    // InnoDB names foreign keys per database, ignoring case: a table renamed by hand keeps its keys' names.
    const holder = Object.values(this.tables).find((t) => t.foreignKeys.some((fk) => fk.name.toLowerCase() === name.toLowerCase()));
    if (holder) {
      this.rejected(holder === table ? `\`${table.name}\` already has a foreign key named \`${name}\`; MySQL rejects the statement, so it is skipped.` : `foreign key names are unique in a database, and \`${holder.name}\` already has one named \`${name}\`; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    let onDelete: ReferentialAction = 'RESTRICT';
    let onUpdate: ReferentialAction = 'RESTRICT';
    for (const action of list(reference?.on_action)) {
      const node = obj(action);
      const what = (text(obj(node?.value)?.value) ?? '').toLowerCase();
      const mapped = ACTIONS[what];
      if (!mapped) continue;
      if (text(node?.type)?.toLowerCase() === 'on delete') onDelete = mapped;
      else if (text(node?.type)?.toLowerCase() === 'on update') onUpdate = mapped;
    }
    const fk: DbForeignKey = { name, columns: own, referencedTable: referencedKey, referencedColumns: referencedColumns as string[], onDelete, onUpdate };
    table.foreignKeys.push(fk);
    sortByName(table.foreignKeys);
    this.record(key, `#${name}`);
    this.pending.push({ key, name, named: named !== undefined });
  }

  /** `<table>_ibfk_<n>`: one more than the highest number the table's keys already use. */
  private nextForeignKeyName(table: DbTable): string {
    const prefix = `${table.name}_ibfk_`;
    let highest = 0;
    for (const fk of table.foreignKeys) {
      if (fk.name.startsWith(prefix)) {
        const n = Number(fk.name.slice(prefix.length));
        if (Number.isInteger(n) && n > highest) highest = n;
      }
    }
    return `${prefix}${highest + 1}`;
  }

  private dropForeignKey(key: string, table: DbTable, name: string | undefined): void {
    const fk = table.foreignKeys.find((f) => f.name.toLowerCase() === (name ?? '').toLowerCase());
    if (!fk) {
      this.rejected(`\`${table.name}\` has no foreign key \`${name ?? '?'}\`; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    table.foreignKeys = table.foreignKeys.filter((f) => f !== fk);
    if (!table.indexes.some((i) => i.name === fk.name)) this.forget(key, `#${fk.name}`);
    // The index InnoDB made for the key stays behind as an ordinary index.
    const implicit = this.data.implicitIndexes[key];
    if (implicit) {
      const stillNeeded = (indexName: string): boolean => {
        const index = table.indexes.find((i) => i.name === indexName);
        return !!index && table.foreignKeys.some((f) => indexServesForeignKey(index, f.columns));
      };
      this.data.implicitIndexes[key] = implicit.filter(stillNeeded);
    }
  }

  /** DROP CONSTRAINT (MySQL 8.0.19+) drops whatever constraint has the name. */
  private dropConstraint(key: string, table: DbTable, name: string | undefined): void {
    if (name === undefined) return;
    if (table.foreignKeys.some((f) => f.name.toLowerCase() === name.toLowerCase())) return this.dropForeignKey(key, table, name);
    if (table.indexes.some((i) => i.unique && i.name.toLowerCase() === name.toLowerCase())) return this.dropIndex(key, table, name);
    if (name.toUpperCase() === 'PRIMARY') return this.dropPrimaryKey(key, table);
    const checks = this.data.checks[key];
    if (checks?.includes(name)) {
      this.data.checks[key] = checks.filter((c) => c !== name);
      return;
    }
    this.rejected(`\`${table.name}\` has no constraint \`${name}\`; MySQL rejects the statement, so it is skipped.`);
  }

  /**
   * End of a statement: InnoDB gives each new foreign key an index if none can
   * serve it, and drops an index it made itself once another one can.
   */
  private finishStatement(): void {
    for (const pending of this.pending) {
      const table = this.tables[pending.key];
      const fk = table?.foreignKeys.find((f) => f.name === pending.name);
      if (!table || !fk) continue;
      if (foreignKeyServed(table, fk.columns)) continue;
      const name = pending.named ? fk.name : this.freeIndexName(table, fk.columns[0]);
      if (table.indexes.some((i) => i.name.toLowerCase() === name.toLowerCase())) continue;
      this.addIndex(pending.key, table, { name, columns: [...fk.columns], unique: false });
      (this.data.implicitIndexes[pending.key] ??= []).push(name);
    }
    this.pending = [];
    for (const [key, names] of Object.entries(this.data.implicitIndexes)) {
      const table = this.tables[key];
      if (!table) continue;
      for (const name of names) {
        const index = table.indexes.find((i) => i.name === name);
        if (!index) continue;
        const served = table.foreignKeys.filter((fk) => indexServesForeignKey(index, fk.columns));
        if (served.length > 0 && served.every((fk) => foreignKeyServed(table, fk.columns, name))) this.removeIndex(key, table, name);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Statements

  private createTable(node: Ast): void {
    const name = tableName(list(node.table)[0]);
    if (name === undefined) return;
    if (node.temporary) {
      this.temporary.add(name);
      return this.skip('CREATE TEMPORARY TABLE');
    }
    const key = tableKey(undefined, name);
    if (name === PRISMA_MIGRATIONS_TABLE) {
      // prisma migrate keeps this table itself and makes it before it applies the first migration.
      if (this.data.prismaMigrationsDropped) delete this.data.prismaMigrationsDropped;
      else if (!node.if_not_exists) this.rejected('table `_prisma_migrations` already exists: prisma migrate creates it before it applies the first migration (a mysqldump of a database Prisma manages includes it). Remove its CREATE TABLE, and the statements on it, from the migration.');
      return;
    }
    if (this.tables[key]) {
      if (!node.if_not_exists) this.rejected(`table \`${name}\` already exists; MySQL rejects the statement, so it is skipped.`);
      return;
    }
    const like = obj(node.like);
    if (like) return this.createTableLike(key, name, list(like.table)[0]);
    if (node.query_expr) {
      // The columns come from a query the replay does not run: the table is kept, so later statements find it, and never compared.
      this.tables[key] = { name, columns: [], indexes: [], foreignKeys: [], fromQuery: true };
      this.data.sources[key] = { items: {} };
      this.record(key);
      this.markTableUnread(name);
      this.note('info', `Line ${this.line()}: table \`${name}\` is created from a query; its columns are not known to the replay, so nothing in it is compared with the schema.`);
      return;
    }
    const table: DbTable = { name, columns: [], indexes: [], foreignKeys: [] };
    this.tables[key] = table;
    this.data.sources[key] = { items: {} };
    this.record(key);
    const definitions = list(node.create_definitions).map(obj).filter((d): d is Ast => d !== undefined);
    for (const def of definitions) {
      if (def.resource !== 'column') continue;
      const built = this.buildColumn(def);
      if (!built) continue;
      if (table.columns.some((c) => c.name.toLowerCase() === built.column.name.toLowerCase())) {
        this.rejected(`column \`${name}.${built.column.name}\` is declared twice; MySQL rejects the statement.`);
        continue;
      }
      table.columns.push(built.column);
      this.record(key, `.${built.column.name}`);
      this.inlineConstraints(key, table, built);
    }
    for (const def of definitions) if (def.resource !== 'column') this.addDefinition(key, table, def);
  }

  /** CREATE TABLE b LIKE a copies columns, primary key and indexes, but not foreign keys. */
  private createTableLike(key: string, name: string, source: unknown): void {
    const from = this.table(source);
    if (!from) return;
    const copy = structuredClone(from.table);
    copy.name = name;
    copy.foreignKeys = [];
    this.tables[key] = copy;
    this.data.sources[key] = { items: {} };
    this.record(key);
    for (const column of copy.columns) this.record(key, `.${column.name}`);
    for (const index of copy.indexes) this.record(key, `#${index.name}`);
    if (copy.primaryKey) this.record(key, '#PRIMARY');
  }

  private alterTable(node: Ast): void {
    const target = this.table(list(node.table)[0]);
    if (!target) return;
    for (const clause of list(node.expr)) {
      const expr = obj(clause);
      if (expr) this.alterClause(target.key, expr);
    }
  }

  /** One ALTER TABLE clause. The table is looked up again: an earlier clause may have renamed it. */
  private alterClause(startKey: string, expr: Ast): void {
    const key = this.currentKey(startKey);
    const table = this.tables[key];
    if (!table) return;
    const action = (text(expr.action) ?? '').toLowerCase();
    const resource = (text(expr.resource) ?? '').toLowerCase();
    const keyword = (text(expr.keyword) ?? '').toLowerCase();
    if (resource === 'column') {
      if (action === 'add') return this.addColumn(key, table, expr);
      if (action === 'drop') return this.dropColumn(key, table, columnName(expr.column));
      if (action === 'modify') return this.modifyColumn(key, table, expr, false);
      if (action === 'change') return this.modifyColumn(key, table, expr, true);
      if (action === 'rename') return this.renameColumn(key, table, columnName(expr.old_column), columnName(expr.column));
    }
    if (resource === 'constraint' && action === 'add') {
      const def = obj(expr.create_definitions);
      if (def) this.addDefinition(key, table, def);
      return;
    }
    if (resource === 'constraint' && action === 'drop') return this.dropConstraint(key, table, text(expr.constraint));
    if (resource === 'index' && action === 'add') return this.addDefinition(key, table, { ...expr, resource: 'index' });
    if (resource === 'index' && action === 'drop') return this.dropIndex(key, table, text(expr.index));
    if (resource === 'key' && action === 'drop') {
      if (keyword === 'primary key') return this.dropPrimaryKey(key, table);
      if (keyword === 'foreign key') return this.dropForeignKey(key, table, text(expr.key));
      return this.dropIndex(key, table, text(expr.key));
    }
    if (resource === 'table' && action === 'rename') return this.renameTable(key, text(expr.table));
    // ALGORITHM=, LOCK=, ENGINE=, character set and the other table options change nothing modelled.
    if (['algorithm', 'lock', 'engine', 'charset', 'character set', 'collate', 'comment', 'auto_increment', 'row_format', 'table_option'].includes(resource) || action === '') return;
    this.note('info', `Line ${this.line()}: ALTER TABLE clause ${[action, keyword || resource].filter(Boolean).join(' ').toUpperCase()} is not modelled; it is skipped.`);
  }

  private currentKey(key: string): string {
    let current = key;
    for (let guard = 0; guard < 16 && this.renamedTo.has(current); guard++) current = this.renamedTo.get(current) as string;
    return current;
  }

  /**
   * A statement the parser rejects, when it is an ALTER TABLE: each clause is
   * parsed alone; RENAME INDEX and ALTER COLUMN ... DEFAULT, which the parser
   * does not know, are read token by token.
   */
  private alterTableByClauses(statementText: string, tokens: MysqlToken[], error: unknown): void {
    // ALTER TABLE name | ALTER TABLE db.name
    let at = 2;
    const first = tokens[at];
    if (!first || (first.kind !== 'ident' && first.kind !== 'word')) return this.unparsed(tokens, error);
    let name = first.value;
    at++;
    if (tokens[at]?.text === '.' && tokens[at + 1]) {
      name = tokens[at + 1].value;
      at += 2;
    }
    const target = this.table(name);
    if (!target) return;
    const clauses = splitClauses(tokens.slice(at));
    const quoted = `\`${name.replace(/`/g, '``')}\``;
    for (const clause of clauses) {
      if (clause.length === 0) continue;
      // Token offsets are in the migration file; the statement's text starts at its first token.
      const base = tokens[0].start;
      const clauseText = statementText.slice(clause[0].start - base, clause[clause.length - 1].end - base);
      let parsed: Ast | undefined;
      try {
        parsed = obj(list(mysqlParser().astify(`ALTER TABLE ${quoted} ${clauseText}`, OPTIONS))[0]);
      } catch {
        parsed = undefined;
      }
      if (parsed) {
        for (const item of list(parsed.expr)) {
          const expr = obj(item);
          if (expr) this.alterClause(target.key, expr);
        }
        continue;
      }
      if (!this.tokenClause(target.key, clause, clauseText)) {
        this.note('warning', `Line ${this.line()}: ALTER TABLE clause \`${clauseText.length > 60 ? `${clauseText.slice(0, 57)}...` : clauseText}\` not understood (${parseError(error)}); that clause is skipped.`);
      }
    }
  }

  /** The clauses node-sql-parser lacks, read from tokens. True when the clause was understood. */
  private tokenClause(startKey: string, clause: MysqlToken[], clauseText: string): boolean {
    const key = this.currentKey(startKey);
    const table = this.tables[key];
    if (!table) return true;
    const name = (token: MysqlToken | undefined): string | undefined => (token && (token.kind === 'ident' || token.kind === 'word') ? token.value : undefined);
    // RENAME INDEX|KEY a TO b
    if (isWord(clause[0], 'RENAME') && isWord(clause[1], 'INDEX', 'KEY') && isWord(clause[3], 'TO') && clause.length === 5) {
      const from = name(clause[2]);
      const to = name(clause[4]);
      if (from === undefined || to === undefined) return false;
      this.renameIndex(key, table, from, to);
      return true;
    }
    // ALTER [COLUMN] c SET DEFAULT ... | DROP DEFAULT | SET VISIBLE | SET INVISIBLE
    if (isWord(clause[0], 'ALTER') && !isWord(clause[1], 'INDEX', 'CHECK', 'CONSTRAINT')) {
      const at = isWord(clause[1], 'COLUMN') ? 2 : 1;
      const columnToken = clause[at];
      const column = table.columns.find((c) => c.name.toLowerCase() === (name(columnToken) ?? '').toLowerCase());
      if (!column) {
        this.rejected(`\`${table.name}\` has no column \`${name(columnToken) ?? '?'}\`; MySQL rejects the statement, so it is skipped.`);
        return true;
      }
      if (isWord(clause[at + 1], 'DROP') && isWord(clause[at + 2], 'DEFAULT') && clause.length === at + 3) {
        delete column.default;
        return true;
      }
      if (isWord(clause[at + 1], 'SET') && isWord(clause[at + 2], 'VISIBLE', 'INVISIBLE')) return true;
      if (isWord(clause[at + 1], 'SET') && isWord(clause[at + 2], 'DEFAULT') && clause.length > at + 3) {
        const source = clauseText.slice(clause[at + 3].start - clause[0].start);
        let expr: unknown;
        try {
          // The value alone, read by the real parser as the one expression of a SELECT.
          expr = obj(list(obj(list(mysqlParser().astify(`SELECT ${source}`, OPTIONS))[0])?.columns)[0])?.expr;
        } catch {
          return false;
        }
        const mapped = this.defaultOf(expr, column);
        if (mapped && column.default?.kind !== 'autoincrement') column.default = mapped;
        else if (!mapped) delete column.default;
        return true;
      }
      return false;
    }
    // ALTER INDEX i VISIBLE|INVISIBLE changes nothing modelled.
    if (isWord(clause[0], 'ALTER') && isWord(clause[1], 'INDEX') && isWord(clause[3], 'VISIBLE', 'INVISIBLE')) return true;
    // DROP CONSTRAINT c (MySQL 8.0.19+): a foreign key, unique key or check of that name.
    if (isWord(clause[0], 'DROP') && isWord(clause[1], 'CONSTRAINT') && clause.length === 3) {
      const constraint = name(clause[2]);
      if (constraint === undefined) return false;
      this.dropConstraint(key, table, constraint);
      return true;
    }
    // DROP CHECK c
    if (isWord(clause[0], 'DROP') && isWord(clause[1], 'CHECK') && clause.length === 3) {
      const checks = this.data.checks[key];
      const check = name(clause[2]);
      if (checks && check !== undefined) this.data.checks[key] = checks.filter((c) => c !== check);
      return true;
    }
    // CONVERT TO CHARACTER SET ..., [DEFAULT] CHARACTER SET / COLLATE, FORCE: table options only.
    if (isWord(clause[0], 'CONVERT', 'FORCE', 'COLLATE', 'CHARSET') || (isWord(clause[0], 'DEFAULT') && isWord(clause[1], 'CHARACTER', 'CHARSET', 'COLLATE')) || (isWord(clause[0], 'CHARACTER') && isWord(clause[1], 'SET'))) return true;
    return false;
  }

  private createIndex(node: Ast): void {
    const target = this.table(node.table);
    if (!target) return;
    const { key, table } = target;
    const name = text(node.index);
    const columns = this.indexColumns(table, node.index_columns);
    if (!columns || name === undefined) return;
    const kind = (text(node.index_type) ?? '').toLowerCase();
    const index: DbIndex = { name, columns, unique: kind === 'unique' };
    if (kind === 'fulltext' || kind === 'spatial') index.method = kind;
    this.addIndex(key, table, index);
  }

  private dropIndexStatement(node: Ast): void {
    const target = this.table(node.table);
    if (!target) return;
    const name = columnName(node.name) ?? text(node.name);
    this.dropIndex(target.key, target.table, name);
  }

  /**
   * TRUNCATE changes no schema, but MySQL rejects it for a missing table and,
   * while foreign_key_checks is on, for a table another table's foreign key
   * references, empty or not (InnoDB truncates by dropping and creating the table).
   */
  private checkTruncate(node: Ast): void {
    for (const ref of list(node.name)) {
      const name = tableName(ref);
      if (name !== undefined && this.temporary.has(name)) continue;
      const found = this.table(ref);
      if (!found || !this.foreignKeyChecks) return;
      const referencing = this.referencedFrom(found.key, new Set([found.key]));
      if (referencing) return this.rejected(`MySQL refuses to truncate \`${found.table.name}\` while foreign key \`${referencing.fk.name}\` of \`${referencing.table.name}\` references it (foreign_key_checks is on); nothing is truncated.`);
    }
  }

  /** A foreign key of a table outside `exempt` that references table `key`, with its table. */
  private referencedFrom(key: string, exempt: ReadonlySet<string>): { table: DbTable; fk: DbForeignKey } | undefined {
    for (const [otherKey, other] of Object.entries(this.tables)) {
      if (exempt.has(otherKey)) continue;
      const fk = other.foreignKeys.find((f) => f.referencedTable === key);
      if (fk) return { table: other, fk };
    }
    return undefined;
  }

  private dropTables(node: Ast): void {
    const ifExists = (text(node.prefix) ?? '').toLowerCase() === 'if exists';
    if (node.temporary) return;
    const targets: { key: string; table: DbTable }[] = [];
    for (const ref of list(node.name)) {
      const name = tableName(ref);
      if (name !== undefined && this.temporary.has(name)) continue;
      if (name === PRISMA_MIGRATIONS_TABLE) {
        this.data.prismaMigrationsDropped = true;
        continue;
      }
      const found = this.table(ref, ifExists);
      if (found) targets.push(found);
      else if (!ifExists) return;
    }
    const dropping = new Set(targets.map((t) => t.key));
    if (this.foreignKeyChecks) {
      for (const { key, table } of targets) {
        const referencing = this.referencedFrom(key, dropping);
        if (referencing) {
          this.rejected(`MySQL refuses to drop \`${table.name}\` while foreign key \`${referencing.fk.name}\` of \`${referencing.table.name}\` references it (foreign_key_checks is on); the statement is skipped.`);
          return;
        }
      }
    }
    for (const { key } of targets) {
      delete this.tables[key];
      delete this.data.sources[key];
      delete this.data.implicitIndexes[key];
      delete this.data.checks[key];
    }
  }

  private renameTables(node: Ast): void {
    for (const pair of list(node.table)) {
      const [from, to] = list(pair);
      const source = this.table(from);
      const next = tableName(to);
      if (!source || next === undefined) return;
      this.renameTable(source.key, next);
    }
  }

  private renameTable(key: string, next: string | undefined): void {
    const table = this.tables[key];
    if (!table || next === undefined) return;
    const nextKey = tableKey(undefined, next);
    if (nextKey === key) return;
    if (this.tables[nextKey]) {
      this.rejected(`table \`${next}\` already exists; MySQL rejects the rename, so it is skipped.`);
      return;
    }
    delete this.tables[key];
    // InnoDB renames the keys it named itself (`<table>_ibfk_<n>`) with the table; names someone chose stay.
    const generated = `${table.name}_ibfk_`.toLowerCase();
    for (const fk of table.foreignKeys) {
      if (!fk.name.toLowerCase().startsWith(generated) || !/^\d+$/.test(fk.name.slice(generated.length))) continue;
      const renamed = `${next}_ibfk_${fk.name.slice(generated.length)}`;
      this.move(key, `#${fk.name}`, `#${renamed}`);
      for (const pending of this.pending) if (pending.key === key && pending.name === fk.name) pending.name = renamed;
      fk.name = renamed;
    }
    sortByName(table.foreignKeys);
    table.name = next;
    this.tables[nextKey] = table;
    for (const other of Object.values(this.tables)) {
      for (const fk of other.foreignKeys) if (fk.referencedTable === key) fk.referencedTable = nextKey;
    }
    for (const store of [this.data.sources, this.data.implicitIndexes, this.data.checks] as Record<string, unknown>[]) {
      if (key in store) {
        store[nextKey] = store[key];
        delete store[key];
      }
    }
    for (const pending of this.pending) if (pending.key === key) pending.key = nextKey;
    this.renamedTo.set(key, nextKey);
  }

  /** `SET foreign_key_checks = ON`, which the parser does not read (ON is a keyword to it). */
  private setForeignKeyChecksByTokens(tokens: MysqlToken[]): boolean {
    const joined = tokens.map((t) => t.text).join(' ').replace(/\s*;\s*$/, '');
    const match = /^SET\s+(?:(GLOBAL|SESSION|LOCAL)\s+)?(?:@@\s*(?:(GLOBAL|SESSION|LOCAL)\s*\.\s*)?)?`?foreign_key_checks`?\s*:?=\s*'?(\w+)'?$/i.exec(joined);
    if (!match) return false;
    if ((match[1] ?? match[2] ?? '').toLowerCase() !== 'global') this.foreignKeyChecks = !['0', 'off', 'false'].includes(match[3].toLowerCase());
    return true;
  }

  private set(node: Ast): void {
    // SET GLOBAL changes the setting of sessions that start later, not this one.
    const global = String(node.keyword ?? '').toLowerCase() === 'global';
    for (const item of list(node.expr)) {
      const assign = obj(item);
      const left = obj(assign?.left);
      // `@@session.foreign_key_checks` is read as the variable `session` with the member `foreign_key_checks`.
      const members = list(left?.members).map((m) => String(m).toLowerCase());
      const scope = (text(left?.name) ?? '').toLowerCase().replace(/^@@/, '');
      const variable = members.length > 0 ? members[members.length - 1] : scope.replace(/^(session|local|global)\./, '');
      if (variable !== 'foreign_key_checks' || global || (members.length > 0 && scope === 'global')) continue;
      const right = obj(assign?.right);
      // `OFF` and `ON` come as column names.
      const value = String(right?.value ?? right?.column ?? '').toLowerCase();
      this.foreignKeyChecks = !(value === '0' || value === 'off' || value === 'false');
      return;
    }
    this.skip('SET');
  }
}

// ---------------------------------------------------------------------------
// Small pure helpers

/** Where a top-level `PARTITION BY` clause starts (outside parentheses), if the statement has one. */
function partitionClauseStart(tokens: MysqlToken[]): number | undefined {
  let depth = 0;
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')') depth--;
    else if (depth === 0 && isWord(tokens[i], 'PARTITION') && isWord(tokens[i + 1], 'BY')) return tokens[i].start;
  }
  return undefined;
}

/** The identifiers of a piece of SQL, backticked or not, lower-case. */
function wordsOf(sql: string): Set<string> {
  const words = new Set<string>();
  for (const match of sql.matchAll(/`((?:[^`]|``)+)`|([A-Za-z_$][\w$]*)/g)) words.add((match[1] ?? match[2]).replace(/``/g, '`').toLowerCase());
  return words;
}

function parseError(error: unknown): string {
  const failure = error as { found?: unknown; message?: string } | undefined;
  if (failure && typeof failure.found === 'string') return `unexpected \`${failure.found}\``;
  if (failure && failure.found === null) return 'unexpected end of statement';
  const message = failure?.message ?? String(error);
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}

/** Tokens of ALTER TABLE clauses, cut at commas outside parentheses. */
function splitClauses(tokens: MysqlToken[]): MysqlToken[][] {
  const clauses: MysqlToken[][] = [];
  let current: MysqlToken[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.text === '(') depth++;
    if (token.kind === 'punct' && token.text === ')') depth--;
    if (token.kind === 'punct' && token.text === ',' && depth === 0) {
      clauses.push(current);
      current = [];
      continue;
    }
    current.push(token);
  }
  clauses.push(current);
  return clauses;
}

/** `createdAt DESC` → `createdAt`. */

function renameIndexColumn(column: string, from: string, to: string): string {
  const base = indexColumnBase(column);
  return base === from ? `${to}${column.slice(base.length)}` : column;
}

/** `col(191)` in an index definition: a call whose name is a column of the table and whose one argument is a number. */
function isPrefixPart(node: Ast, table: DbTable): boolean {
  const name = functionName(node) ?? '';
  const args = list(obj(node.args)?.value);
  return args.length === 1 && obj(args[0])?.type === 'number' && table.columns.some((c) => c.name.toLowerCase() === name.toLowerCase());
}

