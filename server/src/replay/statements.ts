/**
 * Splits PostgreSQL migration SQL into statements with the real PostgreSQL
 * parser (libpg-query, WASM), keeping each statement's place in the file as
 * UTF-16 offsets and an LSP range. Both the replayer and the SQL rules read
 * migrations through here, so a file is parsed the same way everywhere.
 */
import type { AlterTableStmt, DropStmt, IndexStmt, Node, ParseResult, RawStmt } from 'libpg-query';
import * as v8 from 'v8';
import type { Note } from '../core/notes';
import { LineIndex, type Range } from '../core/source';
import { expressionSql, unwrap } from './pgTypes';
import { isSpace } from './sqlText';
import type { DialectStatement } from './dialectStatements';

export interface ParsedStatement {
  /** The statement's source text, from its first token to its last (no terminating `;`). */
  text: string;
  /** UTF-16 offsets of `text` in the file. */
  startOffset: number;
  endOffset: number;
  /** LSP range of the statement itself: leading comments and whitespace excluded. */
  range: Range;
  /** The libpg-query node type (`CreateStmt`, `AlterTableStmt`, `IndexStmt`, ...), or `Unparsed`. */
  kind: string;
  /**
   * The libpg-query node as the parser returns it: the wrapper `{ [kind]: { ... } }`.
   * Every `location` inside is a UTF-8 byte offset into the whole file (see
   * `ParsedSql.byteToOffset`), also for statements parsed one by one after an error.
   */
  ast?: unknown;
  /** The comments between the previous statement and this one (e.g. Prisma's `-- CreateTable`), as written. */
  leadingComment?: string;
  /** MySQL and SQLite: the statement's typed form (`kind` is then its kind), read by dialectStatements.ts. */
  dialect?: DialectStatement;
}

export interface ParsedSql {
  statements: ParsedStatement[];
  /** Parser errors: one warning per statement that could not be parsed. */
  notes: Note[];
  /** Converts a parser location (UTF-8 byte offset in the file) to a UTF-16 offset. */
  byteToOffset: (byteOffset: number) => number;
  lines: LineIndex;
}

interface PgQueryModule {
  loadModule(): Promise<void>;
  parseSync(sql: string): ParseResult;
  parsePlPgSQLSync(sql: string): unknown;
  scanSync(sql: string): { tokens: { start: number; end: number; text: string; tokenName: string }[] };
}

let pgQuery: PgQueryModule | undefined;
let loading: Promise<void> | undefined;

/** Loads the WASM parser once; every other function here is synchronous after it. */
export function loadPostgresParser(): Promise<void> {
  if (!loading) {
    loading = (async () => {
      // Required lazily so that merely importing this module costs nothing.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require('libpg-query') as PgQueryModule;
      baselineCompilerOnly(true);
      try {
        await mod.loadModule();
      } finally {
        baselineCompilerOnly(false);
      }
      pgQuery = mod;
    })();
    // A failed load must be retryable, not cached forever.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/**
 * Compiles the parser's wasm with V8's baseline compiler (Liftoff) only, while it
 * is instantiated. By default V8 also recompiles hot wasm functions with its
 * optimising compiler as they run; for a parser that reads a few hundred
 * migrations once, that recompilation costs more than it saves: the first read
 * of 820 migrations took ~290 ms of CPU with it and ~80 ms without, and later
 * reads ~60 ms against ~20 ms (2 cores, Node 20). A module keeps the tier it was
 * compiled for, so the flag is set back right after; any other wasm the process
 * loads is compiled as usual. Same semantics either way: only the machine code
 * differs. An engine without the flag ignores it.
 */
function baselineCompilerOnly(on: boolean): void {
  try {
    v8.setFlagsFromString(on ? '--liftoff-only' : '--no-liftoff-only');
  } catch {
    // Without the flag the module is compiled as V8 decides.
  }
}

export function postgresParserLoaded(): boolean {
  return pgQuery !== undefined;
}

function parser(): PgQueryModule {
  if (!pgQuery) throw new Error('loadPostgresParser() must complete before PostgreSQL SQL is parsed');
  return pgQuery;
}

/**
 * Parses a PL/pgSQL body (a DO block's code) with PostgreSQL's own PL/pgSQL
 * grammar. That parser reads function definitions, so the body is given to it
 * as the body of a function; the wrapper is on the body's first line, so the
 * parser's line numbers (`lineno`, 1-based) count lines of the body itself.
 * Throws the parser's error when the body is not valid PL/pgSQL.
 */
export function parsePlpgsqlBody(body: string): unknown {
  let tag = '$plpgsql$';
  for (let n = 0; body.includes(tag); n++) tag = `$plpgsql${n}$`;
  return parser().parsePlPgSQLSync(`CREATE FUNCTION pg_temp.do_block() RETURNS void LANGUAGE plpgsql AS ${tag}${body}${tag}`);
}

const canonicalPredicates = new Map<string, string | undefined>();

/**
 * A partial index's condition as the replay prints one it parsed
 * (pgTypes.expressionSql), so a `raw("deleted_at is null")` and the
 * `"deleted_at" IS NULL` a migration holds compare equal. Undefined when the
 * parser is not loaded or the text is not one condition.
 */
export function canonicalPredicate(sql: string): string | undefined {
  if (!pgQuery) return undefined;
  if (canonicalPredicates.has(sql)) return canonicalPredicates.get(sql);
  let canonical: string | undefined;
  try {
    const stmts = pgQuery.parseSync(`SELECT WHERE ${sql}`).stmts ?? [];
    const select = stmts.length === 1 ? (stmts[0].stmt as { SelectStmt?: { whereClause?: Node } } | undefined)?.SelectStmt : undefined;
    // Only the condition: `a > 0 ORDER BY 1` parses too, and is not one.
    const onlyCondition = select !== undefined && Object.keys(select).every((key) => key === 'whereClause' || key === 'limitOption' || key === 'op');
    if (onlyCondition && select.whereClause) canonical = expressionSql(select.whereClause);
  } catch {
    canonical = undefined;
  }
  // Each schema holds a handful; the bound only guards a process that sees many schemas.
  if (canonicalPredicates.size >= 1000) canonicalPredicates.clear();
  canonicalPredicates.set(sql, canonical);
  return canonical;
}

interface SqlErrorLike {
  message: string;
  sqlDetails?: { message?: string; cursorPosition?: number };
}

/**
 * Parses a migration file. The whole file is parsed at once (fast path); when
 * that fails, the file is cut at the tokenizer's semicolons and each piece is
 * parsed alone, so one bad statement does not hide the others.
 * `file`, when given, is used for the notes' `where`.
 */
export function parsePostgresStatements(sql: string, file?: string): ParsedSql {
  const pg = parser();
  const lines = new LineIndex(sql);
  const byteToOffset = byteToUtf16(sql);
  const notes: Note[] = [];
  const statements: ParsedStatement[] = [];

  let whole: ParseResult | undefined;
  try {
    whole = pg.parseSync(sql);
  } catch {
    whole = undefined;
  }

  if (whole) {
    let previousEnd = -1;
    for (const raw of whole.stmts ?? []) {
      const statement = fromRaw(sql, raw, 0, sql.length, byteToOffset, lines, previousEnd);
      if (!statement) continue;
      statements.push(statement);
      previousEnd = statement.endOffset;
    }
    return { statements, notes, byteToOffset, lines };
  }

  let previousEnd = -1;
  for (const piece of splitStatements(sql, byteToOffset)) {
    const text = sql.slice(piece.start, piece.end);
    let result: ParseResult | undefined;
    let failure: SqlErrorLike | undefined;
    try {
      result = pg.parseSync(text);
    } catch (error) {
      failure = error as SqlErrorLike;
    }
    if (result) {
      for (const raw of result.stmts ?? []) {
        shiftLocations(raw.stmt, piece.startByte);
        const statement = fromRaw(sql, raw, piece.startByte, piece.end, byteToOffset, lines, previousEnd);
        if (!statement) continue;
        statements.push(statement);
        previousEnd = statement.endOffset;
      }
      continue;
    }
    const bounds = trimStatement(sql, piece.start, piece.end);
    if (!bounds) continue;
    const range = lines.rangeAt(bounds.start, bounds.end);
    const errorOffset = failure?.sqlDetails?.cursorPosition !== undefined
      ? piece.start + codePointsToUtf16(text, failure.sqlDetails.cursorPosition)
      : bounds.start;
    const errorLine = lines.positionAt(Math.max(bounds.start, errorOffset)).line + 1;
    // The offending token can span lines (an unterminated string); a note is one line.
    const message = (failure?.sqlDetails?.message ?? failure?.message ?? 'unknown parser error').replace(/\s*\r?\n\s*/g, ' ');
    const statement: ParsedStatement = {
      text: sql.slice(bounds.start, bounds.end),
      startOffset: bounds.start,
      endOffset: bounds.end,
      range,
      kind: 'Unparsed',
    };
    const comment = leadingComment(sql, previousEnd, bounds.start, lines);
    if (comment !== undefined) statement.leadingComment = comment;
    statements.push(statement);
    previousEnd = bounds.end;
    // psql's own commands (`\restrict`, which pg_dump writes since 17.6, 16.10 and 15.14) are not SQL: the server rejects them.
    const metaCommand = /^[ \t]*(\\[A-Za-z]+)/m.exec(statement.text);
    notes.push({
      level: 'warning',
      message: metaCommand
        ? `Line ${lines.positionAt(bounds.start + metaCommand.index).line + 1}: ${metaCommand[1]} is a psql command, not SQL (pg_dump writes \\restrict and \\unrestrict lines); prisma migrate sends the file to the server, which rejects it. Delete the line. The statement is skipped and the rest of the file is still read.`
        : `Line ${errorLine}: PostgreSQL cannot parse this statement (${message}); it is skipped and the rest of the file is still read.`,
      ...(file ? { where: { file, range } } : {}),
    });
  }
  return { statements, notes, byteToOffset, lines };
}

function fromRaw(
  sql: string,
  raw: RawStmt,
  baseByte: number,
  limit: number,
  byteToOffset: (byte: number) => number,
  lines: LineIndex,
  previousEnd: number,
): ParsedStatement | undefined {
  if (!raw.stmt) return undefined;
  const startByte = baseByte + (raw.stmt_location ?? 0);
  const start = byteToOffset(startByte);
  // stmt_len 0 means "to the end of the input" (the last statement without a semicolon).
  const end = raw.stmt_len ? byteToOffset(startByte + raw.stmt_len) : limit;
  const bounds = trimStatement(sql, start, end);
  if (!bounds) return undefined;
  const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
  const statement: ParsedStatement = {
    text: sql.slice(bounds.start, bounds.end),
    startOffset: bounds.start,
    endOffset: bounds.end,
    range: lines.rangeAt(bounds.start, bounds.end),
    kind,
    ast: raw.stmt,
  };
  const comment = leadingComment(sql, previousEnd, bounds.start, lines);
  if (comment !== undefined) statement.leadingComment = comment;
  return statement;
}

/** Skips whitespace and comments at the start and whitespace at the end; undefined when nothing is left. */
function trimStatement(sql: string, start: number, end: number): { start: number; end: number } | undefined {
  const s = skipTrivia(sql, start, end).end;
  let e = end;
  while (e > s && isSpace(sql.charCodeAt(e - 1))) e--;
  if (e > s && sql.charCodeAt(e - 1) === 59 /* ; */) {
    e--;
    while (e > s && isSpace(sql.charCodeAt(e - 1))) e--;
  }
  if (s >= e) return undefined;
  return { start: s, end: e };
}

interface Comment {
  start: number;
  end: number;
}

/** Skips whitespace, `--` comments and nested `/* *\/` comments from `from`; returns where code starts and the comments seen. */
function skipTrivia(sql: string, from: number, limit: number): { end: number; comments: Comment[] } {
  const comments: Comment[] = [];
  let i = from;
  while (i < limit) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      let j = sql.indexOf('\n', i);
      if (j < 0 || j > limit) j = limit;
      comments.push({ start: i, end: j });
      i = j;
    } else if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      let depth = 1;
      let j = i + 2;
      while (j < limit && depth > 0) {
        if (sql.charCodeAt(j) === 47 && sql.charCodeAt(j + 1) === 42) {
          depth++;
          j += 2;
        } else if (sql.charCodeAt(j) === 42 && sql.charCodeAt(j + 1) === 47) {
          depth--;
          j += 2;
        } else {
          j++;
        }
      }
      comments.push({ start: i, end: Math.min(j, limit) });
      i = j;
    } else {
      break;
    }
  }
  return { end: Math.min(i, limit), comments };
}

/**
 * The comments between the previous statement and this one. A comment on the
 * previous statement's last line belongs to that statement, not this one.
 */
function leadingComment(sql: string, previousEnd: number, start: number, lines: LineIndex): string | undefined {
  let from = previousEnd < 0 ? 0 : previousEnd;
  // Step over the previous statement's semicolon; statement ranges stop before it.
  while (from < start && isSpace(sql.charCodeAt(from))) from++;
  if (sql.charCodeAt(from) === 59) from++;
  const { comments } = skipTrivia(sql, from, start);
  const previousLine = previousEnd < 0 ? -1 : lines.positionAt(previousEnd).line;
  const kept = comments
    .filter((c) => lines.positionAt(c.start).line !== previousLine)
    .map((c) => sql.slice(c.start, c.end).replace(/\s+$/, ''));
  return kept.length > 0 ? kept.join('\n') : undefined;
}

interface Piece {
  start: number;
  end: number;
  startByte: number;
}

/** PostgreSQL's own tokens of `sql` (strings, quoted names and dollar quotes are one token each), with UTF-16 offsets. */
export function scanPostgresTokens(sql: string): { start: number; end: number; text: string; tokenName: string }[] {
  const toOffset = byteToUtf16(sql);
  return parser()
    .scanSync(sql)
    .tokens.map((token) => ({ ...token, start: toOffset(token.start), end: toOffset(token.end) }));
}

/**
 * Cuts SQL at top-level semicolons. The PostgreSQL tokenizer knows strings,
 * quoted identifiers, dollar quotes and comments; when even it fails (an
 * unterminated string), a small scanner of our own does the same job.
 */
function splitStatements(sql: string, byteToOffset: (byte: number) => number): Piece[] {
  let semicolons: { offset: number; byte: number }[];
  try {
    semicolons = parser()
      .scanSync(sql)
      .tokens.filter((t) => t.text === ';')
      .map((t) => ({ offset: byteToOffset(t.start), byte: t.start }));
  } catch {
    const utf8Length = utf16ToByte(sql);
    semicolons = scanSemicolons(sql).map((offset) => ({ offset, byte: utf8Length(offset) }));
  }
  const pieces: Piece[] = [];
  let start = 0;
  let startByte = 0;
  for (const semicolon of semicolons) {
    pieces.push({ start, end: semicolon.offset, startByte });
    start = semicolon.offset + 1;
    startByte = semicolon.byte + 1;
  }
  if (start < sql.length) pieces.push({ start, end: sql.length, startByte });
  return pieces;
}

/** Offsets of top-level semicolons, honouring quotes, dollar quotes and comments. */
function scanSemicolons(sql: string): number[] {
  const result: number[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const close = sql.indexOf(c, i + 1);
      if (close < 0) break;
      // A doubled quote is an escaped quote; the next indexOf continues after it.
      i = close + 1;
      while (sql[i] === c) {
        const again = sql.indexOf(c, i + 1);
        if (again < 0) return result;
        i = again + 1;
      }
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i, i + 64));
      if (tag && !/^\$[0-9]/.test(tag[0])) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) break;
        i = close + tag[0].length;
      } else {
        i++;
      }
    } else {
      if (c === ';') result.push(i);
      i++;
    }
  }
  return result;
}

/** Maps UTF-8 byte offsets (the parser's locations) to UTF-16 offsets of `text`. */
export function byteToUtf16(text: string): (byte: number) => number {
  const byteLength = Buffer.byteLength(text, 'utf8');
  if (byteLength === text.length) return (byte) => Math.max(0, Math.min(byte, text.length));
  const map = new Uint32Array(byteLength + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let bytes: number;
    let units = 1;
    if (code < 0x80) bytes = 1;
    else if (code < 0x800) bytes = 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes = 4;
      units = 2;
    } else bytes = 3;
    for (let k = 0; k < bytes; k++) map[b + k] = i;
    b += bytes;
    i += units - 1;
  }
  map[b] = text.length;
  return (byte) => map[Math.max(0, Math.min(byte, byteLength))];
}

/** The inverse, for the rare fallback path only: UTF-16 offset → UTF-8 byte offset. */
function utf16ToByte(text: string): (offset: number) => number {
  return (offset) => Buffer.byteLength(text.slice(0, offset), 'utf8');
}

/** The parser reports error positions in code points; LSP wants UTF-16 units. */
function codePointsToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  let seen = 0;
  while (offset < text.length && seen < codePoints) {
    const code = text.charCodeAt(offset);
    offset += code >= 0xd800 && code <= 0xdbff && offset + 1 < text.length ? 2 : 1;
    seen++;
  }
  return offset;
}

const LOCATION_KEY = /(^location$|_start$|_end$)/;

/** A statement parsed on its own has locations relative to its piece; make them file-relative. */
function shiftLocations(node: unknown, by: number): void {
  if (by === 0 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) shiftLocations(item, by);
    return;
  }
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'number') {
      if (value >= 0 && LOCATION_KEY.test(key)) record[key] = value + by;
    } else if (value && typeof value === 'object') {
      shiftLocations(value, by);
    }
  }
}

/**
 * The statements PostgreSQL refuses inside a transaction block ("cannot run
 * inside a transaction block", 25001): the CONCURRENTLY ones, VACUUM (ANALYZE
 * alone may run there), CLUSTER of every table, REINDEX of a whole database,
 * and the cluster-wide commands. Named as a message quotes them.
 */
export function outsideTransactionLabel(statement: ParsedStatement): string | undefined {
  const concurrent = concurrentLabel(statement);
  if (concurrent) return concurrent;
  const [kind, body] = statement.ast ? unwrap(statement.ast) : [statement.kind, {}];
  switch (kind) {
    case 'VacuumStmt':
      return body.is_vacuumcmd === true ? 'VACUUM' : undefined;
    case 'ClusterStmt':
      return body.relation === undefined ? 'CLUSTER without a table' : undefined;
    case 'ReindexStmt':
      return body.kind === 'REINDEX_OBJECT_DATABASE' || body.kind === 'REINDEX_OBJECT_SYSTEM' ? `REINDEX ${body.kind === 'REINDEX_OBJECT_SYSTEM' ? 'SYSTEM' : 'DATABASE'}` : undefined;
    default:
      return CLUSTER_WIDE[kind];
  }
}

const CLUSTER_WIDE: Record<string, string | undefined> = {
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  AlterSystemStmt: 'ALTER SYSTEM',
};

/**
 * The statement, as a label, when PostgreSQL refuses to run it inside a
 * transaction block (`CREATE INDEX CONCURRENTLY` and its kin); undefined
 * otherwise. PostgreSQL runs a script of several statements as one implicit
 * transaction block, and Prisma sends each migration file as one script.
 */
export function concurrentLabel(statement: ParsedStatement): string | undefined {
  const [kind, body] = statement.ast ? unwrap(statement.ast) : [statement.kind, {}];
  switch (kind) {
    case 'IndexStmt':
      return (body as IndexStmt).concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return (body as DropStmt).concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt': {
      const params = (body as { params?: Node[] }).params ?? [];
      return params.some((p) => unwrap(p)[1].defname === 'concurrently') ? 'REINDEX CONCURRENTLY' : undefined;
    }
    case 'AlterTableStmt': {
      // REFRESH MATERIALIZED VIEW CONCURRENTLY is allowed in a transaction, DETACH PARTITION ... CONCURRENTLY is not.
      const detaching = ((body as AlterTableStmt).cmds ?? []).some((node) => {
        const [cmdKind, cmd] = unwrap(node);
        return cmdKind === 'AlterTableCmd' && cmd.subtype === 'AT_DetachPartition' && unwrap(cmd.def)[1].concurrent === true;
      });
      return detaching ? 'DETACH PARTITION CONCURRENTLY' : undefined;
    }
    default:
      return undefined;
  }
}
