import { type ColumnType, type DbDefault, type Provider, normalizeDefaultSql, NON_VOLATILE_FUNCTIONS } from '../core/dbState';
import type { ScannedValue } from '../scan/types';
import { renderPostgresType } from './columnTypes';

/**
 * `@default(...)` → the database default Prisma creates, or none.
 *
 * `uuid()`, `cuid()`, `nanoid()`, `ulid()` (and `@updatedAt`, handled by the
 * caller) are filled in by Prisma Client: the column gets no database default,
 * which is exactly what makes "add a required column with @default(uuid())"
 * fail on a populated table. They come back as `prisma` so the rules can say so.
 */
export interface MappedDefault {
  db?: DbDefault;
  /** Prisma-level default as written, e.g. `uuid()`, `cuid(2)`. */
  prisma?: string;
  /** Why the default could not be mapped. */
  problem?: string;
}

export interface DefaultContext {
  provider: Provider;
  /** Prisma scalar type (`String`, `DateTime`, ...) or 'enum' / 'unsupported'. */
  scalar: string;
  columnType: ColumnType;
  list: boolean;
  /** For enum fields: Prisma value name → database value (after `@map`). */
  enumValues?: Map<string, string>;
  /** SQL name of the enum type, for the cast in list defaults. */
  enumSqlName?: string;
}

const PRISMA_LEVEL_FUNCTIONS = new Set(['uuid', 'cuid', 'nanoid', 'ulid', 'auto']);


/** SQL keywords that look like calls in default expressions but are not functions. */
const NOT_FUNCTIONS = new Set(['array', 'and', 'or', 'not', 'in', 'is', 'as', 'cast', 'case', 'when', 'then', 'else', 'end', 'any', 'all']);

/** Names of the functions an SQL expression calls, outside string literals. */
function calledFunctions(normalized: string): string[] {
  const code = normalized.replace(/'(?:[^']|'')*'/g, "''");
  const names: string[] = [];
  for (const match of code.matchAll(/([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)\s*\(/g)) {
    const name = match[1].split('.').pop() as string;
    if (!NOT_FUNCTIONS.has(name)) names.push(name);
  }
  return names;
}

/** A constant default (literal, optionally cast) as opposed to an expression evaluated on insert. */
function isLiteralSql(normalized: string, provider: Provider): boolean {
  if (/^'(?:[^']|'')*'$/.test(normalized)) return true;
  if (/^e'(?:[^'\\]|''|\\.)*'$/.test(normalized)) return true;
  if (/^[-+]?\d+(\.\d+)?(e[-+]?\d+)?$/.test(normalized)) return true;
  if (normalized === 'true' || normalized === 'false' || normalized === 'null') return true;
  if (/^array\[.*\]$/.test(normalized) && calledFunctions(normalized).length === 0) return true;
  // SQLite's own describer (and our replay of it) counts the time keywords as constants.
  if (provider === 'sqlite' && /^current_(timestamp|date|time)$/.test(normalized)) return true;
  return false;
}

/**
 * The one place where default SQL becomes a DbDefault on the schema side:
 * normalised with core's `normalizeDefaultSql`, literals as 'value', anything
 * else as 'expression', volatile when it calls a function not known to be
 * stable (PostgreSQL) or random()/randomblob() (SQLite).
 */
export function defaultFromSql(sql: string, provider: Provider = 'postgresql'): DbDefault {
  const normalized = normalizeDefaultSql(sql);
  if (isLiteralSql(normalized, provider)) return { kind: 'value', sql: normalized };
  if (provider === 'sqlite') return { kind: 'expression', sql: normalized, volatile: /\brandom(?:blob)?\s*\(/.test(normalized) };
  const functions = calledFunctions(normalized);
  // `current_timestamp` and friends are keywords, not calls; they are stable.
  return { kind: 'expression', sql: normalized, volatile: functions.some((name) => !NON_VOLATILE_FUNCTIONS.has(name)) };
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Prisma stores DateTime defaults as `'YYYY-MM-DD HH:MM:SS[.fff] +HH:MM'` (chrono's display form). */
function renderDateTime(value: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2}))?(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [, date, hm = '00:00', seconds = '00', fraction = '', zone = 'Z'] = match;
  let frac = '';
  const digits = fraction.slice(1).replace(/0+$/, '');
  if (digits.length > 0) frac = `.${digits.padEnd(digits.length <= 3 ? 3 : digits.length <= 6 ? 6 : 9, '0')}`;
  let offset = '+00:00';
  if (zone.toUpperCase() !== 'Z') {
    const z = zone.replace(':', '');
    offset = `${z.slice(0, 3)}:${z.length > 3 ? z.slice(3, 5) : '00'}`;
  }
  return `${date} ${hm}:${seconds}${frac} ${offset}`;
}

function bytesHex(base64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return undefined;
  return Buffer.from(base64, 'base64').toString('hex');
}

/** Renders one constant as Prisma writes it in SQL; undefined when the value does not fit the type. */
function renderConstant(value: ScannedValue, context: DefaultContext): string | undefined {
  const { scalar } = context;
  switch (value.kind) {
    case 'string':
      if (scalar === 'DateTime') return renderDateTime(value.value) !== undefined ? quote(renderDateTime(value.value) as string) : undefined;
      if (scalar === 'Bytes') {
        const hex = bytesHex(value.value);
        if (hex === undefined) return undefined;
        return context.provider === 'postgresql' ? `'\\x${hex}'` : quote(hex);
      }
      if (scalar === 'enum') return undefined;
      return quote(value.value);
    case 'number':
      if (scalar === 'Int' || scalar === 'BigInt' || scalar === 'Float' || scalar === 'Decimal' || scalar === 'unsupported') return value.raw;
      return undefined;
    case 'identifier':
      if (scalar === 'Boolean' && (value.name === 'true' || value.name === 'false')) return value.name;
      if (scalar === 'enum') {
        const dbValue = context.enumValues?.get(value.name);
        return dbValue === undefined ? undefined : quote(dbValue);
      }
      return undefined;
    default:
      return undefined;
  }
}

export function mapDefault(value: ScannedValue | undefined, context: DefaultContext): MappedDefault {
  if (!value) return { problem: '`@default` needs a value.' };
  if (value.kind === 'call') {
    const name = value.name;
    if (PRISMA_LEVEL_FUNCTIONS.has(name)) return { prisma: `${name}(${value.argsText.trim()})` };
    if (name === 'autoincrement' || name === 'sequence') return { db: { kind: 'autoincrement' } };
    if (name === 'now') return { db: defaultFromSql('CURRENT_TIMESTAMP', context.provider) };
    if (name === 'dbgenerated') {
      const arg = value.args[0]?.value;
      // `dbgenerated()` without text tells Prisma "the database has some default, leave it alone".
      if (!arg) return {};
      if (arg.kind !== 'string') return { problem: '`dbgenerated` takes the SQL expression as a string.' };
      return { db: defaultFromSql(arg.value, context.provider) };
    }
    return { problem: `Unknown default function \`${name}()\`.` };
  }
  if (value.kind === 'array') {
    if (!context.list) return { problem: 'A list default needs a list field.' };
    if (context.provider !== 'postgresql') return { problem: 'Scalar lists are only supported on PostgreSQL.' };
    const items: string[] = [];
    for (const item of value.items) {
      const rendered = renderConstant(item, context);
      if (rendered === undefined) return { problem: `Default list item \`${textOf(item)}\` does not fit the field type.` };
      items.push(rendered);
    }
    return { db: defaultFromSql(`ARRAY[${items.join(', ')}]::${renderPostgresType(context.columnType, context.enumSqlName)}`, context.provider) };
  }
  const rendered = renderConstant(value, context);
  if (rendered === undefined) return { problem: `Default \`${textOf(value)}\` does not fit the field type.` };
  return { db: defaultFromSql(rendered, context.provider) };
}

/** A scanned value as the schema writes it, for messages. */
export function textOf(value: ScannedValue): string {
  switch (value.kind) {
    case 'string':
      return value.raw;
    case 'number':
      return value.raw;
    case 'identifier':
      return value.name;
    case 'call':
      return `${value.name}(${value.argsText})`;
    case 'array':
      return `[${value.items.map(textOf).join(', ')}]`;
    case 'object':
      return `{ ${value.fields.map((field) => `${field.name ? `${field.name}: ` : ''}${field.value ? textOf(field.value) : ''}`).join(', ')} }`;
    case 'invalid':
      return value.text;
  }
}
