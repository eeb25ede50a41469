/**
 * Interprets PL/pgSQL DO blocks for the PostgreSQL replay. The block is read
 * with PostgreSQL's own PL/pgSQL grammar (libpg-query's parsePlPgSQL), then
 * walked statement by statement: the SQL statements inside (also those built
 * by EXECUTE from constants) go through the normal replay, IF guards that ask
 * the catalogs about an object are decided on the replayed state, exception
 * handlers undo what PostgreSQL would undo, loops over constants are unrolled.
 *
 * What cannot be read (dynamic SQL built from rows, a guard about something
 * the replay does not model, a loop over a query that changes the schema, a
 * function called for its side effects) is never guessed: the host records it
 * as uncertain, with the tables it may have touched.
 */
import type { Node, ParseResult } from 'libpg-query';
import type { DbState } from '../core/dbState';
import { tableKey } from '../core/dbState';
import type { Position, Range } from '../core/source';
import { findInParseTree, walkParseTree } from './parseTree';
import { names, splitQualified, unwrap } from './pgTypes';
import { parsePlpgsqlBody, parsePostgresStatements, type ParsedStatement } from './statements';

/** What PostgreSQL says when it rejects a statement: the condition name a handler catches (`duplicate_object`, ...) and the message. */
export interface Refusal {
  condition: string;
  message: string;
  /** Keys of the tables the rejected statement names. */
  tables?: string[];
}

/** The replayed catalog, as far as the replay models it. */
export interface CatalogView {
  state: DbState;
  /** Keys of types that are not enums (domains, composite and range types). */
  otherTypes: readonly string[];
  /** CHECK / EXCLUDE constraint names per table key. */
  unmodelledConstraints: Readonly<Record<string, readonly string[]>>;
  /** Relations the state does not model (views, materialized views, sequences), key → relkind (`v`, `m`, `S`). */
  otherRelations: Readonly<Record<string, string>>;
  /** Schemas created by the migrations. */
  schemas: readonly string[];
  /** Tables whose columns came from a query: questions about their columns cannot be answered. */
  queryTables: readonly string[];
}

export interface PlpgsqlHost {
  /** Applies one statement at its place; returns PostgreSQL's refusal when it rejects it on the replayed state. */
  run(statement: ParsedStatement): Refusal | undefined;
  catalog(): CatalogView;
  /** A copy of everything the replay holds, to undo what a failed block did (PostgreSQL rolls the block back). */
  save(): unknown;
  restore(saved: unknown): void;
  /** Keys of the known tables a piece of SQL or PL/pgSQL text names. */
  tablesIn(text: string): string[];
  /** Tables a function created by the migrations may touch (its body's tables), or undefined for functions the migrations did not create. */
  userFunction(name: string): string[] | undefined;
  note(level: 'info' | 'warning', message: string, range: Range): void;
  uncertain(range: Range, excerpt: string, reason: string, tables: string[]): void;
  /** A statement PostgreSQL rejects and nothing catches: the migration fails on a fresh database. */
  failed(range: Range, excerpt: string, refusal: Refusal): void;
}

type Value = string | number | boolean | null | Value[];
/** `undefined` means "not known to the replay" (a row read at run time, a function result). */
type Known = Value | undefined;

interface PlExpr {
  PLpgSQL_expr?: { query?: string };
}

type PlStmt = Record<string, Record<string, unknown>>;

/** Thrown through the walk when a statement is rejected; an exception block catches it, or the DO block fails. */
class Raised {
  constructor(
    readonly refusal: Refusal,
    readonly range: Range,
    readonly excerpt: string,
  ) {}
}

/** Thrown by EXIT WHEN with a condition the replay cannot decide. */
class Undecided {
  constructor(readonly condition: string) {}
}

/** EXIT / CONTINUE inside a loop being unrolled. */
class LoopControl {
  constructor(
    readonly exit: boolean,
    readonly label: string | undefined,
  ) {}
}

const DATA_KINDS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'SelectStmt', 'CopyStmt', 'TruncateStmt', 'NotifyStmt', 'VariableSetStmt', 'TransactionStmt', 'LockStmt']);

/** Statement kinds that change nothing the replay models (so a branch made of them is the same whichever way a guard goes). */
const UNMODELLED_KINDS = new Set([
  'CreateFunctionStmt',
  'AlterFunctionStmt',
  'CreateTrigStmt',
  'CreatePolicyStmt',
  'AlterPolicyStmt',
  'CreateExtensionStmt',
  'AlterExtensionStmt',
  'ViewStmt',
  'CommentStmt',
  'GrantStmt',
  'GrantRoleStmt',
  'AlterDefaultPrivilegesStmt',
  'CreateRoleStmt',
  'AlterRoleStmt',
  'DropRoleStmt',
  'AlterOwnerStmt',
  'CreateSeqStmt',
  'AlterSeqStmt',
  'RuleStmt',
  'VacuumStmt',
  'ClusterStmt',
  'ReindexStmt',
  'RefreshMatViewStmt',
  'CreateStatsStmt',
  'CreatePublicationStmt',
  'AlterPublicationStmt',
]);

const UNMODELLED_DROPS = new Set(['OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FUNCTION', 'OBJECT_PROCEDURE', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_SEQUENCE', 'OBJECT_EXTENSION', 'OBJECT_ROLE', 'OBJECT_RULE', 'OBJECT_PUBLICATION', 'OBJECT_STATISTIC_EXT']);

/** PL/pgSQL's `elog_level` for RAISE EXCEPTION (PostgreSQL's ERROR). */
const ERROR_LEVEL = 21;

/** Exception conditions a handler names, grouped as PostgreSQL groups them (a class name catches its members). */
const CONDITION_CLASS: Record<string, string> = {
  duplicate_object: 'syntax_error_or_access_rule_violation',
  duplicate_table: 'syntax_error_or_access_rule_violation',
  duplicate_column: 'syntax_error_or_access_rule_violation',
  duplicate_schema: 'syntax_error_or_access_rule_violation',
  undefined_object: 'syntax_error_or_access_rule_violation',
  undefined_table: 'syntax_error_or_access_rule_violation',
  undefined_column: 'syntax_error_or_access_rule_violation',
  invalid_table_definition: 'syntax_error_or_access_rule_violation',
  dependent_objects_still_exist: 'dependent_objects_still_exist',
  raise_exception: 'raise_exception',
};

/** Reads one DO statement and replays what it does through `host`. */
export function interpretDoBlock(statement: ParsedStatement, host: PlpgsqlHost): void {
  const args = (unwrap(statement.ast)[1].args ?? []) as Node[];
  let body: string | undefined;
  let language = 'plpgsql';
  for (const arg of args) {
    const def = unwrap(arg)[1] as { defname?: string; arg?: Node };
    const value = unwrap(def.arg)[1] as { sval?: string };
    if (def.defname === 'as') body = value.sval;
    if (def.defname === 'language') language = (value.sval ?? '').toLowerCase();
  }
  const excerpt = firstLine(statement.text);
  if (body === undefined || language !== 'plpgsql') {
    host.uncertain(statement.range, excerpt, `a DO block in ${language}, which the replay does not read`, host.tablesIn(statement.text));
    return;
  }
  const place = new BodyPlace(statement, body);
  let tree: unknown;
  try {
    tree = parsePlpgsqlBody(body);
  } catch (error) {
    const message = String((error as Error).message ?? error).replace(/\s*\r?\n\s*/g, ' ');
    host.failed(statement.range, excerpt, { condition: 'syntax_error', message: `PL/pgSQL cannot parse this DO block (${message})` });
    host.uncertain(statement.range, excerpt, 'a DO block PostgreSQL cannot parse', host.tablesIn(statement.text));
    return;
  }
  const fn = (((tree as { plpgsql_funcs?: unknown[] }).plpgsql_funcs ?? [])[0] ?? {}) as { PLpgSQL_function?: { datums?: unknown[]; action?: unknown } };
  const interpreter = new Interpreter(host, place, fn.PLpgSQL_function?.datums ?? []);
  try {
    interpreter.statement(fn.PLpgSQL_function?.action as PlStmt);
  } catch (error) {
    if (error instanceof Raised) host.failed(error.range, error.excerpt, error.refusal);
    else if (error instanceof Undecided) host.uncertain(statement.range, excerpt, `a loop exit condition (\`${shorten(error.condition)}\`) the replay cannot decide`, host.tablesIn(statement.text));
    else if (!(error instanceof LoopControl)) throw error;
  }
}

/** Maps places in a DO block's body (PL/pgSQL line numbers, texts found in the body) to ranges in the migration file. */
class BodyPlace {
  /** Offset of the body in the statement's text. */
  private readonly bodyStart: number;
  private readonly bodyLines: number[];

  constructor(
    private readonly statement: ParsedStatement,
    private readonly body: string,
  ) {
    this.bodyStart = findBody(statement.text, body);
    this.bodyLines = [0];
    for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) this.bodyLines.push(i + 1);
  }

  /** Offset in the body of `text` at or after line `lineno` (1-based), or the line's start when it is not found verbatim. */
  private find(lineno: number | undefined, text: string | undefined): { start: number; end: number } {
    const lineStart = this.bodyLines[Math.max(0, Math.min((lineno ?? 1) - 1, this.bodyLines.length - 1))];
    if (text) {
      const at = this.body.indexOf(text, lineStart);
      if (at >= 0) return { start: at, end: at + text.length };
    }
    const lineEnd = this.body.indexOf('\n', lineStart);
    let start = lineStart;
    while (start < this.body.length && /[ \t]/.test(this.body[start])) start++;
    return { start, end: lineEnd < 0 ? this.body.length : lineEnd };
  }

  private position(bodyOffset: number): Position {
    const offset = this.bodyStart + bodyOffset;
    const before = this.statement.text.slice(0, offset);
    const newlines = before.split('\n').length - 1;
    const start = this.statement.range.start;
    if (newlines === 0) return { line: start.line, character: start.character + offset };
    return { line: start.line + newlines, character: offset - before.lastIndexOf('\n') - 1 };
  }

  /** The line `lineno` of the body, as written: an excerpt for constructs without SQL text of their own. */
  excerptAt(lineno: number | undefined): string {
    const { start, end } = this.find(lineno, undefined);
    return this.body.slice(start, end);
  }

  /** The file range of `text` (a statement's SQL) written at or after line `lineno` of the body. */
  range(lineno: number | undefined, text?: string): Range {
    const { start, end } = this.find(lineno, text);
    return { start: this.position(start), end: this.position(end) };
  }
}

/** Where the body starts in the DO statement's text: after its opening dollar quote or quote. */
function findBody(text: string, body: string): number {
  const dollar = /\$([A-Za-z_][A-Za-z_0-9]*)?\$/g;
  for (let m = dollar.exec(text); m; m = dollar.exec(text)) {
    const start = m.index + m[0].length;
    if (text.startsWith(body, start)) return start;
  }
  const quote = text.indexOf("'");
  return quote >= 0 ? quote + 1 : 0;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  const trimmed = line.trim();
  return trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed;
}

/** Shifts a range of a text parsed on its own to where that text starts in the file. */
function shift(range: Range, origin: Position): Range {
  const move = (p: Position): Position => (p.line === 0 ? { line: origin.line, character: origin.character + p.character } : { line: origin.line + p.line, character: p.character });
  return { start: move(range.start), end: move(range.end) };
}

class Interpreter {
  /** Variables by lower-case name; `undefined` = value not known to the replay. */
  private readonly variables = new Map<string, Known>();
  private readonly datumNames: string[] = [];

  constructor(
    private readonly host: PlpgsqlHost,
    private readonly place: BodyPlace,
    datums: unknown[],
  ) {
    for (const datum of datums) {
      const [kind, body] = unwrap(datum);
      const name = String(body.refname ?? '').toLowerCase();
      this.datumNames.push(name);
      if (kind !== 'PLpgSQL_var') {
        // Records and rows hold rows read at run time.
        this.variables.set(name, undefined);
        continue;
      }
      if (name === 'found' || name === 'sqlstate' || name === 'sqlerrm') continue;
      const init = (body.default_val as PlExpr | undefined)?.PLpgSQL_expr?.query;
      this.variables.set(name, init === undefined ? null : this.evaluate(init));
    }
  }

  // -------------------------------------------------------------------------
  // Statements

  statements(list: unknown): void {
    for (const item of (list ?? []) as PlStmt[]) this.statement(item);
  }

  statement(node: PlStmt | undefined): void {
    if (!node) return;
    const [kind, body] = unwrap(node);
    const lineno = body.lineno as number | undefined;
    switch (kind) {
      case 'PLpgSQL_stmt_block':
        return this.block(body);
      case 'PLpgSQL_stmt_execsql': {
        const query = (body.sqlstmt as PlExpr | undefined)?.PLpgSQL_expr?.query ?? '';
        this.runSql(query, this.place.range(lineno, query));
        // SELECT ... INTO and RETURNING ... INTO fill variables with rows read at run time.
        if (body.into) this.forget(body.target);
        return;
      }
      case 'PLpgSQL_stmt_dynexecute':
        return this.dynamicExecute(body, lineno);
      case 'PLpgSQL_stmt_if':
        return this.ifStatement(body, lineno);
      case 'PLpgSQL_stmt_assign': {
        const query = (body.expr as PlExpr | undefined)?.PLpgSQL_expr?.query ?? '';
        // PL/pgSQL hands the assignment to SQL as `var := expr`; the value is what follows.
        const value = /^[\s\S]*?:=\s*([\s\S]*)$/.exec(query)?.[1] ?? query;
        const name = this.datumNames[body.varno as number];
        if (name !== undefined) this.variables.set(name, this.evaluate(value));
        return;
      }
      case 'PLpgSQL_stmt_foreach_a':
        return this.foreachArray(body, lineno);
      case 'PLpgSQL_stmt_fori':
        return this.forInteger(body, lineno);
      case 'PLpgSQL_stmt_fors':
        if (this.forConstantRows(body)) return;
        return this.unknownLoop(kind, body, lineno);
      case 'PLpgSQL_stmt_dynfors':
      case 'PLpgSQL_stmt_forc':
      case 'PLpgSQL_stmt_loop':
      case 'PLpgSQL_stmt_while':
        return this.unknownLoop(kind, body, lineno);
      case 'PLpgSQL_stmt_perform': {
        const query = (body.expr as PlExpr | undefined)?.PLpgSQL_expr?.query ?? '';
        return this.callsForEffect(query.replace(/^\s*SELECT\s+/i, 'PERFORM '), query, this.place.range(lineno, undefined));
      }
      case 'PLpgSQL_stmt_call': {
        const query = (body.expr as PlExpr | undefined)?.PLpgSQL_expr?.query ?? '';
        const range = this.place.range(lineno, query);
        this.host.uncertain(range, firstLine(query), 'a procedure called for its side effects', this.host.tablesIn(query));
        return;
      }
      case 'PLpgSQL_stmt_raise': {
        if ((body.elog_level as number | undefined) === ERROR_LEVEL) {
          const range = this.place.range(lineno, undefined);
          throw new Raised({ condition: String(body.condname ?? 'raise_exception').toLowerCase(), message: `RAISE EXCEPTION '${String(body.message ?? '')}'` }, range, `RAISE EXCEPTION '${String(body.message ?? '')}'`);
        }
        return;
      }
      case 'PLpgSQL_stmt_exit':
        return this.exit(body);
      case 'PLpgSQL_stmt_return':
        throw new LoopControl(true, '<return>');
      case 'PLpgSQL_stmt_getdiag':
        this.forget(body.diag_items);
        return;
      case 'PLpgSQL_stmt_commit':
      case 'PLpgSQL_stmt_rollback':
      case 'PLpgSQL_stmt_assert':
        return;
      default:
        return this.unknownConstruct(kind, node, lineno);
    }
  }

  private block(body: Record<string, unknown>): void {
    const handlers = ((unwrap(body.exceptions)[1].exc_list ?? []) as unknown[]).map((h) => unwrap(h)[1] as { conditions?: unknown[]; action?: unknown[] });
    if (handlers.length === 0) {
      this.runLabelled(body.label as string | undefined, () => this.statements(body.body));
      return;
    }
    // PostgreSQL runs a block with handlers in a subtransaction: a caught error undoes everything the block did.
    const saved = this.host.save();
    try {
      this.runLabelled(body.label as string | undefined, () => this.statements(body.body));
    } catch (error) {
      if (!(error instanceof Raised)) throw error;
      const handler = handlers.find((h) => catches(h.conditions ?? [], error.refusal.condition));
      if (!handler) throw error;
      this.host.restore(saved);
      this.host.note('info', `Line ${error.range.start.line + 1}: PostgreSQL rejects this statement here (${error.refusal.message}); the block's exception handler catches that, and what the block did before it is undone.`, error.range);
      this.statements(handler.action);
    }
  }

  private runLabelled(label: string | undefined, run: () => void): void {
    try {
      run();
    } catch (error) {
      // EXIT <label> leaves the labelled block.
      if (error instanceof LoopControl && error.exit && label !== undefined && error.label === label) return;
      throw error;
    }
  }

  private exit(body: Record<string, unknown>): void {
    const cond = (body.cond as PlExpr | undefined)?.PLpgSQL_expr?.query;
    // The parser leaves out false booleans: no is_exit means CONTINUE.
    const control = new LoopControl(!!body.is_exit, body.label as string | undefined);
    if (cond === undefined) throw control;
    const decided = this.condition(cond);
    if (decided === true) throw control;
    if (decided === undefined) throw new Undecided(cond);
  }

  private ifStatement(body: Record<string, unknown>, lineno: number | undefined): void {
    const branches: { cond?: string; stmts: unknown; lineno?: number }[] = [
      { cond: (body.cond as PlExpr | undefined)?.PLpgSQL_expr?.query ?? 'true', stmts: body.then_body, lineno },
    ];
    for (const item of (body.elsif_list ?? []) as unknown[]) {
      const elsif = unwrap(item)[1];
      branches.push({ cond: (elsif.cond as PlExpr | undefined)?.PLpgSQL_expr?.query ?? 'true', stmts: elsif.stmts, lineno: elsif.lineno as number | undefined });
    }
    branches.push({ stmts: body.else_body });
    // The branches still possible, in order, while conditions cannot be decided.
    const possible: typeof branches = [];
    const undecided: string[] = [];
    for (const branch of branches) {
      if (branch.cond === undefined) {
        possible.push(branch);
        break;
      }
      const decided = this.condition(branch.cond);
      if (decided === false) continue;
      possible.push(branch);
      if (decided === true) break;
      undecided.push(branch.cond.trim());
    }
    if (possible.length === 1) {
      this.statements(possible[0].stmts);
      return;
    }
    const range = this.place.range(lineno, undefined);
    const guard = `IF ${undecided[0].replace(/\s+/g, ' ')}`;
    const effective = possible.filter((b) => changesModelledState(b.stmts));
    if (effective.length === 0) {
      this.host.note('info', `Line ${range.start.line + 1}: the replay cannot decide the guard \`${shorten(guard)}\` (it asks about something the replayed state does not model), but no branch changes a table, column, index, constraint or enum.`, range);
      // Data statements stay data whichever branch runs.
      return;
    }
    this.host.uncertain(range, shorten(guard), `the guard \`${shorten(guard)}\`, which asks about something the replayed state does not model, with branches that change the schema`, this.host.tablesIn(sqlOf(effective.map((b) => b.stmts))));
  }

  private foreachArray(body: Record<string, unknown>, lineno: number | undefined): void {
    const query = (body.expr as PlExpr | undefined)?.PLpgSQL_expr?.query ?? '';
    const value = this.evaluate(query);
    const name = this.datumNames[body.varno as number];
    if (!Array.isArray(value) || name === undefined) return this.unknownLoop('PLpgSQL_stmt_foreach_a', body, lineno);
    this.unroll(body, name, value);
  }

  /**
   * `FOR t IN SELECT unnest(ARRAY['User', 'Post']) LOOP` (or `SELECT * FROM unnest(...)`):
   * the rows are constants, so the loop unrolls as FOREACH does. False when the
   * query is anything else, or its array is not known.
   */
  private forConstantRows(body: Record<string, unknown>): boolean {
    const array = unnestedArray((body.query as PlExpr | undefined)?.PLpgSQL_expr?.query ?? '');
    const [targetKind, target] = unwrap(body.var);
    const fields = targetKind === 'PLpgSQL_row' ? ((target.fields ?? []) as { name?: string; varno?: number }[]) : [];
    if (array === undefined || fields.length !== 1) return false;
    const value = this.value(array);
    const name = this.datumNames[fields[0].varno ?? -1] ?? fields[0].name?.toLowerCase();
    if (!Array.isArray(value) || name === undefined) return false;
    this.unroll(body, name, value);
    return true;
  }

  private forInteger(body: Record<string, unknown>, lineno: number | undefined): void {
    const lower = Number(this.evaluate((body.lower as PlExpr | undefined)?.PLpgSQL_expr?.query ?? ''));
    const upper = Number(this.evaluate((body.upper as PlExpr | undefined)?.PLpgSQL_expr?.query ?? ''));
    const step = body.step ? Number(this.evaluate((body.step as PlExpr).PLpgSQL_expr?.query ?? '')) : 1;
    const name = String(unwrap(body.var)[1].refname ?? '').toLowerCase();
    const reverse = !!body.reverse;
    if (![lower, upper, step].every(Number.isInteger) || step <= 0 || Math.abs(upper - lower) / step > 1000) return this.unknownLoop('PLpgSQL_stmt_fori', body, lineno);
    const values: number[] = [];
    if (reverse) for (let i = lower; i >= upper; i -= step) values.push(i);
    else for (let i = lower; i <= upper; i += step) values.push(i);
    this.unroll(body, name, values);
  }

  /** Runs the loop's body once per value, with the loop variable `name` set to it. */
  private unroll(body: Record<string, unknown>, name: string, values: readonly Known[]): void {
    const label = body.label as string | undefined;
    for (const value of values) {
      this.variables.set(name, value);
      try {
        this.statements(body.body);
      } catch (error) {
        if (!(error instanceof LoopControl) || (error.label !== undefined && error.label !== label)) throw error;
        if (error.exit) return;
      }
    }
  }

  /** A loop whose iterations the replay cannot know (over rows, WHILE, a plain LOOP). */
  private unknownLoop(kind: string, body: Record<string, unknown>, lineno: number | undefined): void {
    if (!changesModelledState(body.body) && !callsUnknown(body.body, this.host)) return;
    const range = this.place.range(lineno, undefined);
    const what = kind === 'PLpgSQL_stmt_fors' || kind === 'PLpgSQL_stmt_dynfors' || kind === 'PLpgSQL_stmt_forc' ? 'a loop over rows read at run time' : 'a loop whose iterations are not known before it runs';
    this.host.uncertain(range, firstLine(this.place.excerptAt(lineno)), `${what}, whose body changes the schema`, this.host.tablesIn(sqlOf(body)));
  }

  private unknownConstruct(kind: string, node: PlStmt, lineno: number | undefined): void {
    if (!changesModelledState([node]) && !callsUnknown([node], this.host)) return;
    const range = this.place.range(lineno, undefined);
    const construct = kind.replace(/^PLpgSQL_stmt_/, '').toUpperCase();
    this.host.uncertain(range, firstLine(this.place.excerptAt(lineno)), `a PL/pgSQL ${construct} statement the replay does not interpret`, this.host.tablesIn(sqlOf(node)));
  }

  private dynamicExecute(body: Record<string, unknown>, lineno: number | undefined): void {
    const expression = (body.query as PlExpr | undefined)?.PLpgSQL_expr?.query ?? '';
    const range = this.place.range(lineno, expression);
    const sql = this.evaluate(expression);
    if (typeof sql !== 'string') {
      this.host.uncertain(range, `EXECUTE ${firstLine(expression)}`, 'dynamic SQL built from values the replay does not know (rows, function results)', this.host.tablesIn(expression));
      return;
    }
    if (body.into) this.forget(body.target);
    this.runSql(sql, range, true);
  }

  /** PERFORM f(...) / a top-level SELECT f(...): harmless unless f is a function the migrations created. */
  private callsForEffect(excerpt: string, query: string, range: Range): void {
    const tables = functionCallTables(query, this.host);
    if (tables) this.host.uncertain(range, firstLine(excerpt), 'a function the migrations created, called for its side effects', tables);
  }

  /** Parses SQL found in the block and applies each statement at `range` (or, for text written in the block, where it is). */
  private runSql(sql: string, range: Range, generated = false): void {
    let parsed;
    try {
      parsed = parsePostgresStatements(sql);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.notes.length > 0) {
      throw new Raised({ condition: 'syntax_error', message: `PostgreSQL cannot parse ${generated ? 'the SQL this EXECUTE builds' : 'this statement'}${generated ? ` (${shorten(sql)})` : ''}` }, range, firstLine(sql));
    }
    for (const inner of parsed.statements) {
      const placed: ParsedStatement = { ...inner, range: generated ? range : shift(inner.range, range.start) };
      delete placed.leadingComment;
      const [kind] = unwrap(inner.ast);
      if (kind === 'SelectStmt' || kind === 'CallStmt') {
        const tables = functionCallTables(inner.text, this.host);
        if (tables) this.host.uncertain(placed.range, firstLine(inner.text), 'a function the migrations created, called for its side effects', tables);
      }
      const refusal = this.host.run(placed);
      if (refusal) throw new Raised(refusal, placed.range, firstLine(inner.text));
    }
  }

  private forget(target: unknown): void {
    walkParseTree(target, (record) => {
      if (typeof record.refname === 'string') this.variables.set(record.refname.toLowerCase(), undefined);
      if (typeof record.varno === 'number' && this.datumNames[record.varno] !== undefined) this.variables.set(this.datumNames[record.varno], undefined);
      if (typeof record.target === 'number' && this.datumNames[record.target] !== undefined) this.variables.set(this.datumNames[record.target], undefined);
    });
  }

  // -------------------------------------------------------------------------
  // Expressions

  /** The value of a PL/pgSQL expression made of constants and known variables; undefined otherwise. */
  private evaluate(expression: string): Known {
    const node = selectTarget(expression);
    return node === undefined ? undefined : this.value(node);
  }

  private value(node: unknown): Known {
    const [kind, body] = unwrap(node);
    switch (kind) {
      case 'A_Const': {
        if (body.isnull) return null;
        const [type, inner] = unwrap(Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'location')));
        if (type === 'sval') return String((inner as unknown as { sval?: string }).sval ?? '');
        if (type === 'ival') return Number((inner as unknown as { ival?: number }).ival ?? 0);
        if (type === 'fval') return Number((inner as unknown as { fval?: string }).fval ?? 0);
        if (type === 'boolval') return !!(inner as unknown as { boolval?: boolean }).boolval;
        return undefined;
      }
      case 'ColumnRef': {
        const fields = names(body.fields as Node[] | undefined);
        if (fields.length !== 1) return undefined;
        const name = fields[0].toLowerCase();
        return this.variables.has(name) ? this.variables.get(name) : undefined;
      }
      case 'TypeCast':
        return this.value(body.arg);
      case 'A_ArrayExpr': {
        const elements = ((body.elements ?? []) as unknown[]).map((e) => this.value(e));
        return elements.every((e) => e !== undefined) ? (elements as Value[]) : undefined;
      }
      case 'A_Expr': {
        const op = names(body.name as Node[] | undefined).join('');
        if (body.kind !== 'AEXPR_OP' || op !== '||') return undefined;
        const left = this.value(body.lexpr);
        const right = this.value(body.rexpr);
        if (left === undefined || right === undefined) return undefined;
        if (left === null || right === null) return null;
        if (Array.isArray(left) || Array.isArray(right)) return undefined;
        return text(left) + text(right);
      }
      case 'FuncCall':
        return this.call(names(body.funcname as Node[] | undefined).pop()?.toLowerCase() ?? '', ((body.args ?? []) as unknown[]).map((a) => this.value(a)));
      default:
        return undefined;
    }
  }

  private call(name: string, args: Known[]): Known {
    if (args.some((a) => a === undefined || Array.isArray(a))) return undefined;
    const values = args as (string | number | boolean | null)[];
    switch (name) {
      case 'format':
        return typeof values[0] === 'string' ? format(values[0], values.slice(1)) : undefined;
      case 'concat':
        return values.map((v) => (v === null ? '' : text(v))).join('');
      case 'quote_ident':
        return values[0] === null ? null : quoteIdentifier(text(values[0]));
      case 'quote_literal':
        return values[0] === null ? null : quoteLiteral(text(values[0]));
      case 'quote_nullable':
        return values[0] === null ? 'NULL' : quoteLiteral(text(values[0]));
      case 'lower':
        return values[0] === null ? null : text(values[0]).toLowerCase();
      case 'upper':
        return values[0] === null ? null : text(values[0]).toUpperCase();
      default:
        return undefined;
    }
  }

  /** A condition: true / false when decided on constants and the replayed catalog, undefined when it cannot be. */
  private condition(expression: string): boolean | undefined {
    const node = selectTarget(expression);
    return node === undefined ? undefined : this.truth(node);
  }

  private truth(node: unknown): boolean | undefined {
    const [kind, body] = unwrap(node);
    switch (kind) {
      case 'BoolExpr': {
        const args = ((body.args ?? []) as unknown[]).map((a) => this.truth(a));
        if (body.boolop === 'NOT_EXPR') return args[0] === undefined ? undefined : !args[0];
        if (body.boolop === 'AND_EXPR') return args.includes(false) ? false : args.includes(undefined) ? undefined : true;
        return args.includes(true) ? true : args.includes(undefined) ? undefined : false;
      }
      case 'SubLink': {
        if (body.subLinkType !== 'EXISTS_SUBLINK') return undefined;
        const question = catalogQuestion(body.subselect, (n) => this.value(n));
        return question ? answer(question, this.host.catalog()) : undefined;
      }
      case 'NullTest': {
        const [argKind, arg] = unwrap(body.arg);
        if (argKind !== 'FuncCall') {
          const v = this.value(body.arg);
          if (v === undefined) return undefined;
          return body.nulltesttype === 'IS_NULL' ? v === null : v !== null;
        }
        const fn = names(arg.funcname as Node[] | undefined).pop()?.toLowerCase() ?? '';
        const parameter = this.value(((arg.args ?? []) as unknown[])[0]);
        if (typeof parameter !== 'string') return undefined;
        const found = fn === 'to_regclass' ? relationExists(parameter, undefined, this.host.catalog()) : fn === 'to_regtype' ? typeExists(parseQualified(parameter), this.host.catalog()) : fn === 'to_regnamespace' ? schemaExists(parseQualified(parameter).name, this.host.catalog()) : undefined;
        if (found === undefined) return undefined;
        return body.nulltesttype === 'IS_NULL' ? !found : found;
      }
      case 'A_Const':
      case 'ColumnRef':
      case 'TypeCast': {
        const v = this.value(node);
        return typeof v === 'boolean' ? v : undefined;
      }
      case 'A_Expr': {
        const op = names(body.name as Node[] | undefined).join('');
        if (body.kind !== 'AEXPR_OP' || (op !== '=' && op !== '<>' && op !== '!=')) return undefined;
        const left = this.value(body.lexpr);
        const right = this.value(body.rexpr);
        if (left === undefined || right === undefined || Array.isArray(left) || Array.isArray(right)) return undefined;
        if (left === null || right === null) return undefined;
        return (text(left) === text(right)) === (op === '=');
      }
      default:
        return undefined;
    }
  }
}

/** The SQL texts of PL/pgSQL statements (their expressions and queries), one per line. */
function sqlOf(node: unknown): string {
  const texts: string[] = [];
  walkParseTree(node, (record) => {
    if (typeof record.query === 'string') texts.push(record.query);
  });
  return texts.join('\n');
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

function text(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}

function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** PostgreSQL's format(): %s, %I, %L, %%, and positional %n$. */
function format(template: string, args: (string | number | boolean | null)[]): string | undefined {
  let next = 0;
  let failed = false;
  const result = template.replace(/%(?:(\d+)\$)?([sIL%])/g, (_, position: string | undefined, type: string) => {
    if (type === '%') return '%';
    const index = position ? Number(position) - 1 : next;
    next = index + 1;
    if (index >= args.length) {
      failed = true;
      return '';
    }
    const arg = args[index];
    if (type === 's') return arg === null ? '' : text(arg);
    if (type === 'I') {
      if (arg === null) failed = true;
      return arg === null ? '' : quoteIdentifier(text(arg));
    }
    return arg === null ? 'NULL' : quoteLiteral(text(arg));
  });
  return failed ? undefined : result;
}

/** The expression of `SELECT <expression>`, parsed by PostgreSQL's grammar. */
function selectTarget(expression: string): unknown {
  const parsed = parseQuiet(`SELECT ${expression}`);
  const select = unwrap(parsed?.stmts?.[0]?.stmt)[1];
  const targets = (select.targetList ?? []) as unknown[];
  if (targets.length !== 1 || select.fromClause || select.whereClause) return undefined;
  return unwrap(targets[0])[1].val;
}

/** The array of `SELECT unnest(<array>)` or `SELECT * FROM unnest(<array>) [AS x]` (one array, nothing else); undefined for any other query. */
function unnestedArray(query: string): unknown {
  const select = unwrap(parseQuiet(query)?.stmts?.[0]?.stmt);
  if (select[0] !== 'SelectStmt') return undefined;
  const body = select[1];
  if (body.whereClause || body.groupClause || body.sortClause || body.limitCount) return undefined;
  const targets = (body.targetList ?? []) as unknown[];
  const from = (body.fromClause ?? []) as unknown[];
  const unnestArgument = (call: unknown): unknown => {
    const [kind, fn] = unwrap(call);
    const args = (fn.args ?? []) as unknown[];
    return kind === 'FuncCall' && names(fn.funcname as Node[] | undefined).pop()?.toLowerCase() === 'unnest' && args.length === 1 ? args[0] : undefined;
  };
  if (from.length === 0) return targets.length === 1 ? unnestArgument(unwrap(targets[0])[1].val) : undefined;
  const [fromKind, range] = unwrap(from[0]);
  if (from.length !== 1 || fromKind !== 'RangeFunction' || targets.length !== 1) return undefined;
  const functions = (range.functions ?? []) as unknown[];
  const first = unwrap(functions[0])[1].items as unknown[] | undefined;
  return functions.length === 1 ? unnestArgument(first?.[0]) : undefined;
}

function parseQuiet(sql: string): ParseResult | undefined {
  try {
    const parsed = parsePostgresStatements(sql);
    if (parsed.notes.length > 0 || parsed.statements.length !== 1) return undefined;
    return { version: 0, stmts: [{ stmt: parsed.statements[0].ast as Node }] } as unknown as ParseResult;
  } catch {
    return undefined;
  }
}

/** Whether a handler's condition list catches `condition`. */
function catches(conditions: unknown[], condition: string): boolean {
  return conditions.some((c) => {
    const name = String(unwrap(c)[1].condname ?? '').toLowerCase();
    if (name === 'others') return condition !== 'query_canceled' && condition !== 'assert_failure';
    return name === condition || CONDITION_CLASS[condition] === name;
  });
}

/** Whether PL/pgSQL statements could change what the replay models (any SQL that is not data, any EXECUTE). */
function changesModelledState(list: unknown): boolean {
  let found = false;
  walkParseTree(list, (record) => {
    if (record.PLpgSQL_stmt_dynexecute || record.PLpgSQL_stmt_dynfors) {
      found = true;
      return 'stop';
    }
    const execsql = record.PLpgSQL_stmt_execsql as { sqlstmt?: PlExpr } | undefined;
    if (!execsql) return undefined;
    const parsed = parseQuiet(execsql.sqlstmt?.PLpgSQL_expr?.query ?? '');
    const [kind, body] = unwrap(parsed?.stmts?.[0]?.stmt);
    if (!parsed) found = true;
    else if (kind === 'SelectStmt') found = !!body.intoClause;
    else if (kind === 'DropStmt') found = !UNMODELLED_DROPS.has(String(body.removeType ?? ''));
    else found = !DATA_KINDS.has(kind) && !UNMODELLED_KINDS.has(kind);
    return found ? 'stop' : 'skip';
  });
  return found;
}

/** Whether PL/pgSQL statements call, for its effects, a function or procedure the migrations created. */
function callsUnknown(list: unknown, host: PlpgsqlHost): boolean {
  const call = findInParseTree(list, (record) => {
    if (record.PLpgSQL_stmt_call) return true;
    const perform = record.PLpgSQL_stmt_perform as { expr?: PlExpr } | undefined;
    return perform && functionCallTables(perform.expr?.PLpgSQL_expr?.query ?? '', host) !== undefined ? true : undefined;
  });
  return call ?? false;
}

/**
 * The tables a SELECT / CALL may touch through functions the migrations
 * created (their bodies name them), or undefined when it calls none: built-in
 * and extension functions read, they do not change the schema.
 */
export function functionCallTables(sql: string, host: Pick<PlpgsqlHost, 'userFunction'>): string[] | undefined {
  const parsed = parseQuiet(sql);
  if (!parsed) return undefined;
  let tables: string[] | undefined;
  walkParseTree(parsed.stmts?.[0]?.stmt, (record) => {
    const call = (record.FuncCall ?? record.CallStmt) as { funcname?: Node[]; funccall?: { FuncCall?: { funcname?: Node[] } } } | undefined;
    const fn = call?.funcname ?? call?.funccall?.FuncCall?.funcname;
    if (fn) {
      const touched = host.userFunction(names(fn).pop() ?? '');
      if (touched) tables = [...new Set([...(tables ?? []), ...touched])];
    }
  });
  return tables;
}

// ---------------------------------------------------------------------------
// Catalog questions

/** `SELECT ... FROM <catalogs> WHERE col = constant AND ...`, reduced to what it asks. */
interface CatalogQuestion {
  catalogs: string[];
  /** Lower-case column name (without its alias) → constant compared with it. */
  equals: Record<string, string>;
}

/** Predicates that only skip dropped or system columns: they do not change the answer about a named object. */
const IGNORED_PREDICATE_COLUMNS = new Set(['attisdropped', 'attnum']);

function catalogQuestion(subselect: unknown, value: (node: unknown) => Known): CatalogQuestion | undefined {
  const [kind, select] = unwrap(subselect);
  if (kind !== 'SelectStmt' || select.op && select.op !== 'SETOP_NONE') return undefined;
  const catalogs: string[] = [];
  const equals: Record<string, string> = {};
  let understood = true;
  const constant = (node: unknown): string | undefined => {
    const [k, b] = unwrap(node);
    if (k === 'FuncCall') {
      const fn = names(b.funcname as Node[] | undefined).pop()?.toLowerCase();
      if (fn === 'current_schema' && !((b.args ?? []) as unknown[]).length) return 'public';
      return undefined;
    }
    if (k === 'SQLValueFunction' && b.op === 'SVFOP_CURRENT_SCHEMA') return 'public';
    const v = value(node);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const predicate = (node: unknown): void => {
    const [k, b] = unwrap(node);
    if (k === 'BoolExpr' && b.boolop === 'AND_EXPR') {
      ((b.args ?? []) as unknown[]).forEach(predicate);
      return;
    }
    if (k === 'A_Expr' && b.kind === 'AEXPR_OP' && names(b.name as Node[] | undefined).join('') === '=') {
      const [lk, lb] = unwrap(b.lexpr);
      const [rk, rb] = unwrap(b.rexpr);
      const column = (n: Record<string, unknown>): string => (names(n.fields as Node[] | undefined).pop() ?? '').toLowerCase();
      if (lk === 'ColumnRef' && rk === 'ColumnRef') return; // A join condition.
      const [col, other] = lk === 'ColumnRef' ? [column(lb), b.rexpr] : rk === 'ColumnRef' ? [column(rb), b.lexpr] : [undefined, undefined];
      const v = col === undefined ? undefined : constant(other);
      if (col === undefined || v === undefined) understood = false;
      else equals[col] = v;
      return;
    }
    // NOT attisdropped, attnum > 0 ...
    const mentioned = JSON.stringify(node).match(/"sval":"([a-z_]+)"/g)?.map((m) => m.slice(8, -1)) ?? [];
    if (mentioned.length > 0 && mentioned.every((c) => IGNORED_PREDICATE_COLUMNS.has(c))) return;
    understood = false;
  };
  const from = (node: unknown): void => {
    const [k, b] = unwrap(node);
    if (k === 'RangeVar') {
      const schema = b.schemaname as string | undefined;
      const name = String(b.relname ?? '').toLowerCase();
      catalogs.push(schema === 'information_schema' ? `information_schema.${name}` : name);
    } else if (k === 'JoinExpr') {
      from(b.larg);
      from(b.rarg);
      if (b.quals) predicate(b.quals);
    } else {
      understood = false;
    }
  };
  ((select.fromClause ?? []) as unknown[]).forEach(from);
  if (select.whereClause) predicate(select.whereClause);
  return understood && catalogs.length > 0 ? { catalogs, equals } : undefined;
}

/** `"Name"`, `schema."Name"`, `name` (folded to lower case) as PostgreSQL reads a regclass or regtype literal. */
function parseQualified(text: string): { schema?: string; name: string } {
  const parts: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([^."]+))\s*(?:\.|$)/gy;
  for (let m = pattern.exec(text); m && m[0] !== ''; m = pattern.exec(text)) parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].trim().toLowerCase());
  return splitQualified(parts.length > 0 ? parts : [text]);
}

function schemaFilter(equals: Record<string, string>): ((schema: string | undefined) => boolean) | undefined {
  const wanted = equals.nspname ?? equals.schemaname ?? equals.table_schema ?? equals.constraint_schema;
  if (wanted === undefined) return undefined;
  return (schema) => (schema ?? 'public') === wanted;
}

function tablesNamed(name: string, inSchema: ((schema: string | undefined) => boolean) | undefined, catalog: CatalogView): [string, DbState['tables'][string]][] {
  return Object.entries(catalog.state.tables).filter(([, t]) => t.name === name && (!inSchema || inSchema(t.schema)));
}

function relationExists(text: string, relkind: string | undefined, catalog: CatalogView): boolean | undefined {
  const { schema, name } = parseQualified(text);
  return relationNamed(name, (s) => (s ?? undefined) === schema, relkind, catalog);
}

function relationNamed(name: string, inSchema: ((schema: string | undefined) => boolean) | undefined, relkind: string | undefined, catalog: CatalogView): boolean | undefined {
  const tables = Object.values(catalog.state.tables).filter((t) => !inSchema || inSchema(t.schema));
  const isTable = tables.some((t) => t.name === name);
  const isIndex = tables.some((t) => t.primaryKey?.name === name || t.indexes.some((i) => i.name === name));
  const other = Object.entries(catalog.otherRelations).find(([key]) => {
    const { schema, name: n } = splitQualified(key.split('.'));
    return n === name && (!inSchema || inSchema(schema));
  })?.[1];
  if (relkind === undefined) return isTable || isIndex || other !== undefined;
  if (relkind === 'r' || relkind === 'p') return isTable;
  if (relkind === 'i') return isIndex;
  if (relkind === 'v' || relkind === 'm' || relkind === 'S') return other === relkind;
  return undefined;
}

function typeExists(qualified: { schema?: string; name: string }, catalog: CatalogView): boolean {
  const key = tableKey(qualified.schema, qualified.name);
  return !!catalog.state.enums[key] || catalog.otherTypes.includes(key) || !!catalog.state.tables[key] || key in catalog.otherRelations;
}

function schemaExists(name: string, catalog: CatalogView): boolean {
  return name === 'public' || catalog.schemas.includes(name) || Object.values(catalog.state.tables).some((t) => t.schema === name) || Object.values(catalog.state.enums).some((e) => e.schema === name);
}

/** The answer the replayed state gives to a catalog question, or undefined when it does not model what is asked. */
function answer(question: CatalogQuestion, catalog: CatalogView): boolean | undefined {
  const { equals } = question;
  const inSchema = schemaFilter(equals);
  const main = question.catalogs.find((c) => c !== 'pg_namespace') ?? question.catalogs[0];
  const relation = (regclass: string | undefined): [string, DbState['tables'][string]] | undefined => {
    if (regclass === undefined) return undefined;
    const { schema, name } = parseQualified(regclass);
    const key = tableKey(schema, name);
    const table = catalog.state.tables[key];
    return table ? [key, table] : undefined;
  };
  switch (main) {
    case 'pg_namespace':
      return equals.nspname === undefined ? undefined : schemaExists(equals.nspname, catalog);
    case 'pg_type': {
      if (equals.typname === undefined) return undefined;
      const enums = Object.values(catalog.state.enums).filter((e) => e.name === equals.typname && (!inSchema || inSchema(e.schema)));
      if (equals.typtype === 'e') return enums.length > 0;
      const others = catalog.otherTypes.concat(Object.keys(catalog.otherRelations)).some((key) => {
        const { schema, name } = splitQualified(key.split('.'));
        return name === equals.typname && (!inSchema || inSchema(schema));
      });
      return enums.length > 0 || others || tablesNamed(equals.typname, inSchema, catalog).length > 0;
    }
    case 'pg_enum': {
      if (equals.enumlabel === undefined) return undefined;
      const typeName = equals.enumtypid !== undefined ? parseQualified(equals.enumtypid) : equals.typname !== undefined ? { name: equals.typname } : undefined;
      if (!typeName) return undefined;
      const found = Object.values(catalog.state.enums).filter((e) => e.name === typeName.name && (!inSchema || inSchema(e.schema)));
      return found.some((e) => e.values.includes(equals.enumlabel));
    }
    case 'pg_class':
      return equals.relname === undefined ? undefined : relationNamed(equals.relname, inSchema, equals.relkind, catalog);
    case 'pg_tables':
      return equals.tablename === undefined ? undefined : tablesNamed(equals.tablename, inSchema, catalog).length > 0;
    case 'pg_views':
    case 'pg_matviews': {
      const name = equals.viewname ?? equals.matviewname;
      return name === undefined ? undefined : relationNamed(name, inSchema, main === 'pg_views' ? 'v' : 'm', catalog);
    }
    case 'pg_indexes': {
      if (equals.indexname === undefined) return undefined;
      return Object.values(catalog.state.tables).some(
        (t) => (!inSchema || inSchema(t.schema)) && (equals.tablename === undefined || t.name === equals.tablename) && (t.primaryKey?.name === equals.indexname || t.indexes.some((i) => i.name === equals.indexname)),
      );
    }
    case 'pg_constraint':
    case 'information_schema.table_constraints': {
      const name = equals.conname ?? equals.constraint_name;
      if (name === undefined) return undefined;
      let candidates = Object.entries(catalog.state.tables).filter(([, t]) => !inSchema || inSchema(t.schema));
      if (equals.conrelid !== undefined) {
        const owner = relation(equals.conrelid);
        candidates = owner ? [owner] : [];
      } else if (equals.table_name !== undefined) {
        candidates = candidates.filter(([, t]) => t.name === equals.table_name);
      }
      let uniqueIndexOnly = false;
      for (const [key, t] of candidates) {
        if (t.primaryKey?.name === name || t.foreignKeys.some((f) => f.name === name) || catalog.unmodelledConstraints[key]?.includes(name)) return true;
        // A unique index made by CREATE UNIQUE INDEX is not a constraint; the state does not tell the two apart.
        if (t.indexes.some((i) => i.name === name && i.unique)) uniqueIndexOnly = true;
      }
      return uniqueIndexOnly ? undefined : false;
    }
    case 'pg_attribute': {
      if (equals.attname === undefined) return undefined;
      const owner = relation(equals.attrelid);
      if (!owner) return equals.attrelid === undefined ? undefined : false;
      if (catalog.queryTables.includes(owner[0])) return undefined;
      return owner[1].columns.some((c) => c.name === equals.attname);
    }
    case 'information_schema.tables':
      if (equals.table_name === undefined) return undefined;
      return tablesNamed(equals.table_name, inSchema, catalog).length > 0 || relationNamed(equals.table_name, inSchema, 'v', catalog) === true;
    case 'information_schema.columns': {
      if (equals.table_name === undefined || equals.column_name === undefined) return undefined;
      const tables = tablesNamed(equals.table_name, inSchema, catalog);
      if (tables.some(([key]) => catalog.queryTables.includes(key))) return undefined;
      return tables.some(([, t]) => t.columns.some((c) => c.name === equals.column_name));
    }
    default:
      return undefined;
  }
}
