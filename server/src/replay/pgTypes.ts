/**
 * PostgreSQL knowledge the replayer needs that is not DDL itself: canonical
 * column types, SQL text of expressions (defaults, index expressions, partial
 * index predicates), how defaults are classified, and how PostgreSQL names
 * constraints and indexes nobody named.
 *
 * libpg-query in WASM has no deparser, so expressions are printed here. The
 * output is canonical (independent of the author's spacing, casing, E'' strings
 * and redundant parentheses) so the same default written two ways compares equal.
 */
import type {
  A_ArrayExpr,
  A_Const,
  A_Expr,
  A_Indirection,
  BoolExpr,
  BooleanTest,
  CaseExpr,
  CaseWhen,
  CoalesceExpr,
  CollateClause,
  ColumnRef,
  FuncCall,
  MinMaxExpr,
  NamedArgExpr,
  Node,
  NullTest,
  RowExpr,
  SQLValueFunction,
  TypeCast,
  TypeName,
} from 'libpg-query';
import { normalizeDefaultSql, type ColumnType, type DbDefault, NON_VOLATILE_FUNCTIONS } from '../core/dbState';
import { walkParseTree } from './parseTree';

/** A node's type name and body: libpg-query wraps every node as `{ Kind: body }`. */
export function unwrap(node: unknown): [string, Record<string, unknown>] {
  if (!node || typeof node !== 'object') return ['', {}];
  const key = Object.keys(node)[0] ?? '';
  return [key, ((node as Record<string, unknown>)[key] ?? {}) as Record<string, unknown>];
}

/** The strings of a list of `String` nodes (qualified names, column lists). */
export function names(list: Node[] | undefined): string[] {
  const result: string[] = [];
  for (const item of list ?? []) {
    const [kind, body] = unwrap(item);
    if (kind === 'String') result.push(String((body as { sval?: string }).sval ?? ''));
  }
  return result;
}

/** A qualified name as (schema, name); `public` is the default schema and becomes undefined. */
export function splitQualified(parts: string[]): { schema?: string; name: string } {
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return schema && schema !== 'public' ? { schema, name } : { name };
}

// ---------------------------------------------------------------------------
// Types

/** Names of PostgreSQL's built-in types as the catalog spells them, for the spellings a user may quote. */
const TYPE_ALIASES: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  real: 'float4',
  float: 'float8',
  'double precision': 'float8',
  decimal: 'numeric',
  boolean: 'bool',
  'character varying': 'varchar',
  character: 'bpchar',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
  'bit varying': 'varbit',
};

const SERIAL_TYPES: Record<string, string> = {
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
  smallserial: 'int2',
  serial2: 'int2',
};

export interface ResolvedType {
  type: ColumnType;
  /** `serial` and friends: the column also gets an autoincrement default and NOT NULL. */
  serial: boolean;
}

/**
 * Canonical form of a declared type. `enumKey` answers whether (schema, name)
 * is a known enum and returns its key in `DbState.enums`.
 */
export function resolveType(typeName: TypeName | undefined, enumKey: (schema: string | undefined, name: string) => string | undefined): ResolvedType {
  const parts = names(typeName?.names);
  const array = (typeName?.arrayBounds?.length ?? 0) > 0;
  const args: number[] = [];
  for (const mod of typeName?.typmods ?? []) {
    const [kind, body] = unwrap(mod);
    if (kind === 'A_Const') {
      const value = (body as A_Const).ival;
      if (value) args.push(value.ival ?? 0);
    }
  }
  const qualifier = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const last = parts[parts.length - 1] ?? 'unknown';
  if (qualifier === undefined && !array && SERIAL_TYPES[last]) {
    return { type: { name: SERIAL_TYPES[last], args: [], array: false, isEnum: false }, serial: true };
  }
  const key = enumKey(qualifier === 'public' ? undefined : qualifier, last);
  if (key !== undefined) return { type: { name: key, args, array, isEnum: true }, serial: false };
  const name = qualifier === 'pg_catalog' || qualifier === undefined ? (TYPE_ALIASES[last] ?? last) : last;
  // PostgreSQL reads `bit` without a length as bit(1); the parser already does so for `char`.
  if (name === 'bit' && args.length === 0) args.push(1);
  return { type: { name, args, array, isEnum: false }, serial: false };
}

/**
 * The column types of extensions Prisma projects use (as their `.control`
 * scripts create them): DROP EXTENSION ... CASCADE drops the columns of these
 * types, and without CASCADE PostgreSQL refuses while one exists. An
 * extension not listed is taken to define no column type.
 */
export const EXTENSION_COLUMN_TYPES: Readonly<Record<string, readonly string[]>> = {
  citext: ['citext'],
  hstore: ['hstore'],
  ltree: ['ltree', 'lquery', 'ltxtquery'],
  cube: ['cube'],
  seg: ['seg'],
  isn: ['ean13', 'isbn', 'isbn13', 'ismn', 'ismn13', 'issn', 'issn13', 'upc'],
  vector: ['vector', 'halfvec', 'sparsevec'],
  postgis: ['geometry', 'geography', 'box2d', 'box3d'],
};

/**
 * Operator classes of extensions that Prisma schemas name in indexes
 * (`@@index([title(ops: raw("gin_trgm_ops"))], type: Gin)`): DROP EXTENSION ...
 * CASCADE drops the indexes that use them, and without CASCADE PostgreSQL refuses.
 */
export const EXTENSION_OPERATOR_CLASSES: Readonly<Record<string, readonly string[]>> = {
  pg_trgm: ['gin_trgm_ops', 'gist_trgm_ops'],
  vector: ['vector_l2_ops', 'vector_ip_ops', 'vector_cosine_ops', 'vector_l1_ops', 'halfvec_l2_ops', 'halfvec_ip_ops', 'halfvec_cosine_ops', 'halfvec_l1_ops', 'sparsevec_l2_ops', 'sparsevec_ip_ops', 'sparsevec_cosine_ops', 'sparsevec_l1_ops'],
};

/**
 * Functions of common extensions that views, defaults and index expressions call
 * (lower case): DROP EXTENSION ... CASCADE drops what calls them, and without
 * CASCADE PostgreSQL refuses. PostGIS's are its `st_` functions.
 */
export const EXTENSION_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  pg_trgm: ['similarity', 'word_similarity', 'strict_word_similarity', 'show_trgm', 'show_limit', 'set_limit'],
  unaccent: ['unaccent'],
  'uuid-ossp': ['uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v3', 'uuid_generate_v4', 'uuid_generate_v5', 'uuid_nil'],
  pgcrypto: ['gen_random_bytes', 'gen_salt', 'crypt', 'digest', 'hmac', 'pgp_sym_encrypt', 'pgp_sym_decrypt', 'armor', 'dearmor'],
  fuzzystrmatch: ['levenshtein', 'levenshtein_less_equal', 'soundex', 'difference', 'metaphone', 'dmetaphone', 'dmetaphone_alt'],
  vector: ['l2_distance', 'inner_product', 'cosine_distance', 'l1_distance', 'vector_dims', 'vector_norm'],
  earthdistance: ['earth_distance', 'll_to_earth', 'earth_box'],
};

/** The extension (lower case) a function of that list is from, by its lower-case name; undefined for any other. */
export function extensionOf(name: string): string | undefined {
  if (name.startsWith('st_')) return 'postgis';
  return Object.keys(EXTENSION_FUNCTIONS).find((extension) => EXTENSION_FUNCTIONS[extension].includes(name));
}

/** A type as SQL, for casts inside expressions. */
function typeSql(typeName: TypeName | undefined): string {
  const parts = names(typeName?.names);
  const last = parts[parts.length - 1] ?? 'unknown';
  const qualifier = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  let text = qualifier && qualifier !== 'pg_catalog' ? `${quoteIdent(qualifier)}.${quoteIdent(last)}` : (qualifier === 'pg_catalog' ? (TYPE_ALIASES[last] ?? last) : quoteIdent(last));
  const mods = (typeName?.typmods ?? []).map(expressionSql);
  if (mods.length > 0) text += `(${mods.join(', ')})`;
  for (let i = 0; i < (typeName?.arrayBounds?.length ?? 0); i++) text += '[]';
  return text;
}

// ---------------------------------------------------------------------------
// Expressions

const SAFE_IDENT = /^[a-z_][a-z0-9_$]*$/;
/** Reserved words that must stay quoted even when lower-case; the ones that show up as column names. */
const RESERVED = new Set([
  'all', 'and', 'any', 'array', 'as', 'asc', 'both', 'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create',
  'current_date', 'current_role', 'current_time', 'current_timestamp', 'current_user', 'default', 'desc', 'distinct', 'do',
  'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially',
  'intersect', 'into', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or',
  'order', 'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then',
  'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
]);

/** Quotes an identifier the way PostgreSQL's quote_ident does (only when needed). */
export function quoteIdent(name: string): string {
  return SAFE_IDENT.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const SQL_VALUE_FUNCTIONS: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE',
  SVFOP_CURRENT_TIME: 'CURRENT_TIME',
  SVFOP_CURRENT_TIME_N: 'CURRENT_TIME',
  SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
  SVFOP_CURRENT_TIMESTAMP_N: 'CURRENT_TIMESTAMP',
  SVFOP_LOCALTIME: 'LOCALTIME',
  SVFOP_LOCALTIME_N: 'LOCALTIME',
  SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP',
  SVFOP_LOCALTIMESTAMP_N: 'LOCALTIMESTAMP',
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE',
  SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER',
  SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG',
  SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

/** Nodes printed without parentheses when they are an operand or a cast's argument. */
const ATOMIC = new Set(['A_Const', 'ColumnRef', 'FuncCall', 'SQLValueFunction', 'A_ArrayExpr', 'TypeCast', 'CoalesceExpr', 'MinMaxExpr', 'ParamRef', 'RowExpr', 'CaseExpr']);

function operand(node: Node | undefined): string {
  const [kind] = unwrap(node);
  const text = expressionSql(node);
  if (ATOMIC.has(kind)) {
    // A negative number before `::` would bind the cast to the number only.
    if (kind === 'A_Const' && text.startsWith('-')) return `(${text})`;
    return text;
  }
  return `(${text})`;
}

function funcName(parts: string[]): string {
  const visible = parts[0] === 'pg_catalog' && parts.length > 1 ? parts.slice(1) : parts;
  return visible.map(quoteIdent).join('.');
}

/** SQL text of an expression node, in one canonical spelling. */
export function expressionSql(node: Node | undefined): string {
  const [kind, body] = unwrap(node);
  switch (kind) {
    case 'A_Const': {
      const c = body as A_Const;
      if (c.isnull) return 'NULL';
      if (c.ival) return String(c.ival.ival ?? 0);
      if (c.fval) return c.fval.fval ?? '0';
      if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
      if (c.sval) return quoteLiteral(c.sval.sval ?? '');
      if (c.bsval) {
        const bits = c.bsval.bsval ?? '';
        return `${bits.charAt(0).toUpperCase()}'${bits.slice(1)}'`;
      }
      return 'NULL';
    }
    case 'TypeCast': {
      const c = body as TypeCast;
      return `${operand(c.arg)}::${typeSql(c.typeName)}`;
    }
    case 'FuncCall': {
      const f = body as FuncCall;
      const args = f.agg_star ? '*' : (f.args ?? []).map(expressionSql).join(', ');
      return `${funcName(names(f.funcname))}(${f.agg_distinct ? 'DISTINCT ' : ''}${args})`;
    }
    case 'NamedArgExpr': {
      const n = body as NamedArgExpr;
      return `${quoteIdent(n.name ?? '')} => ${expressionSql(n.arg)}`;
    }
    case 'SQLValueFunction': {
      const f = body as SQLValueFunction;
      const name = SQL_VALUE_FUNCTIONS[f.op ?? ''] ?? 'CURRENT_TIMESTAMP';
      // In the *_N forms an omitted typmod is 0 (protobuf leaves zero out).
      return f.op?.endsWith('_N') ? `${name}(${f.typmod ?? 0})` : name;
    }
    case 'ColumnRef': {
      const fields = ((body as ColumnRef).fields ?? []).map((field) => {
        const [k, b] = unwrap(field);
        return k === 'A_Star' ? '*' : quoteIdent(String((b as { sval?: string }).sval ?? ''));
      });
      return fields.join('.');
    }
    case 'ParamRef':
      return `$${String((body as { number?: number }).number ?? 0)}`;
    case 'A_ArrayExpr':
      return `ARRAY[${((body as A_ArrayExpr).elements ?? []).map(expressionSql).join(', ')}]`;
    case 'A_Expr':
      return aExprSql(body as A_Expr);
    case 'BoolExpr': {
      const b = body as BoolExpr;
      const args = (b.args ?? []).map(operand);
      if (b.boolop === 'NOT_EXPR') return `NOT ${args[0] ?? ''}`;
      return args.join(b.boolop === 'OR_EXPR' ? ' OR ' : ' AND ');
    }
    case 'NullTest': {
      const t = body as NullTest;
      return `${operand(t.arg)} ${t.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL'}`;
    }
    case 'BooleanTest': {
      const t = body as BooleanTest;
      return `${operand(t.arg)} ${(t.booltesttype ?? 'IS_TRUE').replace(/_/g, ' ')}`;
    }
    case 'CoalesceExpr':
      return `COALESCE(${((body as CoalesceExpr).args ?? []).map(expressionSql).join(', ')})`;
    case 'MinMaxExpr': {
      const m = body as MinMaxExpr;
      return `${m.op === 'IS_LEAST' ? 'LEAST' : 'GREATEST'}(${(m.args ?? []).map(expressionSql).join(', ')})`;
    }
    case 'CaseExpr': {
      const c = body as CaseExpr;
      let text = 'CASE';
      if (c.arg) text += ` ${expressionSql(c.arg)}`;
      for (const when of c.args ?? []) {
        const w = unwrap(when)[1] as CaseWhen;
        text += ` WHEN ${expressionSql(w.expr)} THEN ${expressionSql(w.result)}`;
      }
      if (c.defresult) text += ` ELSE ${expressionSql(c.defresult)}`;
      return `${text} END`;
    }
    case 'RowExpr':
      return `ROW(${((body as RowExpr).args ?? []).map(expressionSql).join(', ')})`;
    case 'CollateClause': {
      const c = body as CollateClause;
      return `${operand(c.arg)} COLLATE ${names(c.collname).map(quoteIdent).join('.')}`;
    }
    case 'A_Indirection': {
      const a = body as A_Indirection;
      let text = operand(a.arg);
      for (const step of a.indirection ?? []) {
        const [k, b] = unwrap(step);
        if (k === 'String') text += `.${quoteIdent(String((b as { sval?: string }).sval ?? ''))}`;
        else if (k === 'A_Star') text += '.*';
        else if (k === 'A_Indices') {
          const idx = b as { is_slice?: boolean; lidx?: Node; uidx?: Node };
          text += idx.is_slice
            ? `[${idx.lidx ? expressionSql(idx.lidx) : ''}:${idx.uidx ? expressionSql(idx.uidx) : ''}]`
            : `[${expressionSql(idx.uidx)}]`;
        }
      }
      return text;
    }
    case 'List':
      return `(${((body as { items?: Node[] }).items ?? []).map(expressionSql).join(', ')})`;
    case 'SubLink':
      return '(SELECT ...)';
    default:
      return `/* ${kind || 'unknown'} */`;
  }
}

const LIKE_OPERATORS: Record<string, string> = { '~~': 'LIKE', '!~~': 'NOT LIKE', '~~*': 'ILIKE', '!~~*': 'NOT ILIKE' };

function aExprSql(e: A_Expr): string {
  const op = names(e.name);
  const opText = op.length > 1 ? `OPERATOR(${op.join('.')})` : (op[0] ?? '?');
  const left = e.lexpr ? operand(e.lexpr) : undefined;
  const right = e.rexpr ? operand(e.rexpr) : '';
  switch (e.kind) {
    case 'AEXPR_OP_ANY':
      return `${left} ${opText} ANY (${expressionSql(e.rexpr)})`;
    case 'AEXPR_OP_ALL':
      return `${left} ${opText} ALL (${expressionSql(e.rexpr)})`;
    case 'AEXPR_DISTINCT':
      return `${left} IS DISTINCT FROM ${right}`;
    case 'AEXPR_NOT_DISTINCT':
      return `${left} IS NOT DISTINCT FROM ${right}`;
    case 'AEXPR_NULLIF':
      return `NULLIF(${expressionSql(e.lexpr)}, ${expressionSql(e.rexpr)})`;
    case 'AEXPR_IN':
      return `${left} ${opText === '<>' ? 'NOT IN' : 'IN'} ${expressionSql(e.rexpr)}`;
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
      return `${left} ${LIKE_OPERATORS[opText] ?? opText} ${right}`;
    case 'AEXPR_SIMILAR':
      return `${left} ${opText.startsWith('!') ? 'NOT SIMILAR TO' : 'SIMILAR TO'} ${right}`;
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const [kind, body] = unwrap(e.rexpr);
      const bounds = kind === 'List' ? ((body as { items?: Node[] }).items ?? []) : [];
      const word = e.kind.replace('AEXPR_', '').replace('_SYM', ' SYMMETRIC').replace(/_/g, ' ');
      return `${left} ${word} ${operand(bounds[0])} AND ${operand(bounds[1])}`;
    }
    default:
      // A prefix operator (`-x`, `NOT` is a BoolExpr) has no left operand.
      return left === undefined ? `${opText}${right}` : `${left} ${opText} ${right}`;
  }
}

// ---------------------------------------------------------------------------
// Defaults


interface Calls {
  functions: string[];
  /** Anything besides constants, casts, arrays and function calls (operators, column references, subqueries, ...). */
  other: boolean;
}

const CONSTANT_NODES = new Set(['A_Const', 'TypeCast', 'A_ArrayExpr', 'String', 'Integer', 'Float', 'Boolean', 'BitString', 'TypeName', 'List']);

function collectCalls(node: unknown, calls: Calls): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectCalls(item, calls);
    return;
  }
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'typeName') continue;
    if (/^[A-Z]/.test(key)) {
      if (key === 'FuncCall' || key === 'SQLValueFunction') {
        const parts = key === 'FuncCall' ? names((value as FuncCall).funcname) : [];
        calls.functions.push((parts[parts.length - 1] ?? 'current_timestamp').toLowerCase());
      } else if (key === 'A_Expr' && isNegativeLiteral(value as A_Expr)) {
        continue;
      } else if (!CONSTANT_NODES.has(key)) {
        calls.other = true;
      }
    }
    collectCalls(value, calls);
  }
}

/** `-(1)` style negation of a literal, which the parser does not fold into the constant. */
function isNegativeLiteral(e: A_Expr): boolean {
  return !e.lexpr && names(e.name)[0] === '-' && unwrap(e.rexpr)[0] === 'A_Const';
}

function isNextval(node: Node | undefined): boolean {
  let current: Node | undefined = node;
  for (;;) {
    const [kind, body] = unwrap(current);
    if (kind === 'TypeCast') {
      current = (body as TypeCast).arg;
      continue;
    }
    if (kind !== 'FuncCall') return false;
    const parts = names((body as FuncCall).funcname);
    return parts[parts.length - 1] === 'nextval';
  }
}

/**
 * Classifies a column default (the rule documented on `DbDefault` in dbState.ts,
 * shared with the schema-side mapping):
 * - `DEFAULT NULL` is no default at all (PostgreSQL reads it so, and so does Prisma);
 * - `nextval(...)` is `autoincrement`;
 * - literals, casts of literals and arrays of literals are `value`;
 * - anything else (`CURRENT_TIMESTAMP`, `now()`, `gen_random_uuid()`, operators) is
 *   `expression`, `volatile` when it calls a function that is not known to be
 *   IMMUTABLE or STABLE: the "current time" family is STABLE (evaluated once per
 *   statement, so adding a column with it does not rewrite the table), and a
 *   user-defined function is VOLATILE unless declared otherwise, so unknown
 *   functions count as volatile.
 * The SQL is stored normalised (`normalizeDefaultSql`) in both kinds.
 */
export function classifyDefault(expr: Node | undefined): DbDefault | undefined {
  if (!expr) return undefined;
  const [kind, body] = unwrap(expr);
  if (kind === 'A_Const' && (body as A_Const).isnull) return undefined;
  if (kind === 'TypeCast') {
    const [argKind, argBody] = unwrap((body as TypeCast).arg);
    if (argKind === 'A_Const' && (argBody as A_Const).isnull) return undefined;
  }
  if (isNextval(expr)) return { kind: 'autoincrement' };
  const sql = normalizeDefaultSql(expressionSql(expr));
  const calls: Calls = { functions: [], other: false };
  collectCalls(expr, calls);
  if (calls.functions.length === 0 && !calls.other) return { kind: 'value', sql };
  const volatile = calls.functions.some((name) => !NON_VOLATILE_FUNCTIONS.has(name));
  return { kind: 'expression', sql, volatile };
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

/**
 * On an array column, the array-literal string `'{a,b}'` and `ARRAY['a', 'b']`
 * are the same default (PostgreSQL and Prisma read them alike). The schema side
 * writes the ARRAY form, so the literal is rewritten into it.
 */
export function canonicalArrayDefault(value: DbDefault, type: ColumnType): DbDefault {
  if (!type.array || value.kind !== 'value') return value;
  const match = /^'\{(.*)\}'$/s.exec(value.sql);
  if (!match) return value;
  const body = match[1].replace(/''/g, "'").trim();
  const items: string[] = [];
  if (body !== '') {
    // Elements: bare words or double-quoted strings with backslash escapes; nested arrays stay as they were.
    const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,"{}]*?))\s*(?:,|$)/gy;
    let consumed = 0;
    for (let m = pattern.exec(body); m && consumed < body.length; m = pattern.exec(body)) {
      consumed = pattern.lastIndex;
      const quoted = m[1] !== undefined;
      const text = quoted ? m[1].replace(/\\(.)/g, '$1') : m[2];
      if (!quoted && /^null$/i.test(text)) items.push('NULL');
      else if (type.isEnum || !NUMERIC_TYPES.has(type.name) && type.name !== 'bool') items.push(`'${text.replace(/'/g, "''")}'`);
      else if (type.name === 'bool') items.push(/^(t|true|y|yes|on|1)$/i.test(text) ? 'true' : 'false');
      else items.push(text);
      if (pattern.lastIndex >= body.length) break;
    }
    if (consumed < body.length) return value;
  }
  return { kind: 'value', sql: normalizeDefaultSql(`ARRAY[${items.join(', ')}]`) };
}

/** Enum-like types an expression casts to (`'A'::"Role"`): a default depends on them in PostgreSQL. */
/** The column names an expression reads: the last part of each column reference (`OLD."status"` is `status`). */
export function columnNamesIn(node: unknown): string[] {
  const found = new Set<string>();
  walkParseTree(node, (record) => {
    if (!record.ColumnRef) return undefined;
    const fields = names((record.ColumnRef as ColumnRef).fields);
    const name = fields[fields.length - 1];
    if (name) found.add(name);
    return 'skip';
  });
  return [...found];
}

export function castTypes(node: unknown): string[][] {
  const types: string[][] = [];
  walkParseTree(node, (record) => {
    if (record.TypeCast) types.push(names((record.TypeCast as TypeCast).typeName?.names));
  });
  return types;
}

// ---------------------------------------------------------------------------
// Names PostgreSQL chooses

const NAMEDATALEN = 64;

/** Cuts a string to at most `bytes` UTF-8 bytes without splitting a character. */
function clipBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > bytes) break;
    out += ch;
    used += size;
  }
  return out;
}

/** PostgreSQL's makeObjectName: `name1_name2_label`, shortening the longer part until it fits in 63 bytes. */
export function makeObjectName(name1: string, name2: string | undefined, label: string): string {
  let overhead = label ? Buffer.byteLength(label, 'utf8') + 1 : 0;
  if (name2) overhead += 1;
  const available = NAMEDATALEN - 1 - overhead;
  let chars1 = Buffer.byteLength(name1, 'utf8');
  let chars2 = name2 ? Buffer.byteLength(name2, 'utf8') : 0;
  while (chars1 + chars2 > available) {
    if (chars1 > chars2) chars1--;
    else chars2--;
  }
  let result = clipBytes(name1, chars1);
  if (name2) result += `_${clipBytes(name2, chars2)}`;
  if (label) result += `_${label}`;
  return result;
}

/**
 * PostgreSQL's ChooseRelationName / ChooseConstraintName: the first of
 * `t_cols_label`, `t_cols_label1`, ... that `taken` does not hold.
 */
export function chooseName(table: string, columns: string[], label: string, taken: (name: string) => boolean): string {
  // ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition stop once the joined text reaches NAMEDATALEN.
  let joined = '';
  for (const column of columns) {
    if (joined) joined += '_';
    joined += column;
    if (Buffer.byteLength(joined, 'utf8') >= NAMEDATALEN) break;
  }
  let candidate = makeObjectName(table, joined || undefined, label);
  for (let pass = 1; taken(candidate); pass++) {
    candidate = makeObjectName(table, joined || undefined, `${label}${pass}`);
  }
  return candidate;
}

const STRING_TYPES = new Set(['text', 'varchar', 'bpchar']);
/** Types with no assignment cast from text, varchar or char: PostgreSQL's conversions out of string types are explicit only (checked one by one on PostgreSQL 15). */
const NOT_ASSIGNABLE_FROM_STRING = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', 'date', 'timestamp', 'timestamptz', 'time', 'timetz', 'interval', 'uuid', 'json', 'jsonb', 'bytea', 'inet', 'cidr', 'macaddr', 'money', 'xml']);
const INTEGER_TYPES = new Set(['int2', 'int4', 'int8']);

/**
 * Whether ALTER COLUMN ... TYPE fails on the column's default ("default for column
 * cannot be cast automatically", 42804): PostgreSQL casts the default to the new
 * type with an assignment cast, and a string literal has none to a number, a date,
 * a boolean or a uuid, nor a boolean to an integer or back. Only literal defaults
 * are judged: an expression's own type may have the cast (text column, DEFAULT
 * gen_random_uuid(), to uuid works).
 */
export function defaultCastFails(from: ColumnType, to: ColumnType, value: DbDefault): boolean {
  if (value.kind !== 'value' || from.isEnum || to.isEnum || from.array !== to.array) return false;
  if (STRING_TYPES.has(from.name)) return value.sql.startsWith("'") && NOT_ASSIGNABLE_FROM_STRING.has(to.name);
  if (from.name === 'bool') return INTEGER_TYPES.has(to.name);
  if (INTEGER_TYPES.has(from.name)) return to.name === 'bool';
  return false;
}
