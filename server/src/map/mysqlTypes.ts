import type { ColumnType, DbDefault, DbIndex, DbTable } from '../core/dbState';
import { defaultFromSql } from './defaults';

/**
 * MySQL's canonical column types and defaults: the single definition both the
 * schema mapping and the migration replay (and the real-server test) use, so
 * that the two sides of the diff meet on the same values.
 *
 * The canonical form is what MySQL 8 itself reports in `COLUMN_TYPE`, lower-cased:
 * - aliases resolved: INTEGER → int, BOOLEAN/BOOL → tinyint(1), NUMERIC/DEC/FIXED
 *   → decimal, REAL/DOUBLE PRECISION → double, FLOAT(p>24) → double;
 * - integer display widths dropped (MySQL 8.0.19 stopped reporting them), except
 *   tinyint(1), which MySQL keeps because it is how booleans are stored;
 * - UNSIGNED is part of the name (`int unsigned`), as in Prisma's native types;
 * - implicit arguments written out: decimal → decimal(10,0), decimal(p) →
 *   decimal(p,0), char/binary → (1), bit → bit(1);
 * - fractional-second precision 0 of datetime/timestamp/time is no argument
 *   (`TIMESTAMP(0)` is reported as `timestamp`);
 * - inline ENUM is `enum` with `enumValues`; SET keeps its values in the name.
 */

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);
const TEMPORAL_WITH_PRECISION = new Set(['datetime', 'timestamp', 'time']);

const ALIASES: Record<string, string> = {
  integer: 'int',
  int4: 'int',
  int8: 'bigint',
  int2: 'smallint',
  int3: 'mediumint',
  int1: 'tinyint',
  middleint: 'mediumint',
  numeric: 'decimal',
  dec: 'decimal',
  fixed: 'decimal',
  real: 'double',
  'double precision': 'double',
  float8: 'double',
  float4: 'float',
  'character varying': 'varchar',
  'national varchar': 'varchar',
  nvarchar: 'varchar',
  character: 'char',
  nchar: 'char',
  'national char': 'char',
  'long varchar': 'mediumtext',
  long: 'mediumtext',
  'long varbinary': 'mediumblob',
};

export interface MysqlTypeInput {
  /** The type name as written (`INTEGER`, `VARCHAR`, `double precision`). */
  name: string;
  args?: number[];
  unsigned?: boolean;
  /** ENUM / SET members, unquoted. */
  values?: string[];
}

export function canonicalMysqlType(input: MysqlTypeInput): ColumnType {
  let name = input.name.trim().toLowerCase().replace(/\s+/g, ' ');
  let args = [...(input.args ?? [])];
  let unsigned = input.unsigned ?? false;
  if (name.endsWith(' unsigned')) {
    unsigned = true;
    name = name.slice(0, -' unsigned'.length);
  }
  if (name.endsWith(' zerofill')) {
    // ZEROFILL implies UNSIGNED and only changes how values are displayed.
    unsigned = true;
    name = name.slice(0, -' zerofill'.length).replace(/ unsigned$/, '');
  }
  if (name === 'bool' || name === 'boolean') return type('tinyint', [1]);
  if (name === 'serial') return type('bigint unsigned');
  name = ALIASES[name] ?? name;
  if (name === 'enum') return { name: 'enum', args: [], array: false, isEnum: false, enumValues: [...(input.values ?? [])] };
  if (name === 'set') return type(`set(${(input.values ?? []).map(quoteString).join(',')})`);
  if (INTEGER_TYPES.has(name)) {
    const keepsWidth = name === 'tinyint' && !unsigned && args[0] === 1;
    return type(unsigned ? `${name} unsigned` : name, keepsWidth ? [1] : []);
  }
  if (name === 'float' && args.length === 1) {
    // FLOAT(p) picks single or double precision by p and keeps no argument.
    return type(args[0] > 24 ? 'double' : 'float');
  }
  if (name === 'decimal') {
    if (args.length === 0) args = [10, 0];
    else if (args.length === 1) args = [args[0], 0];
    return type(unsigned ? 'decimal unsigned' : 'decimal', args);
  }
  if ((name === 'double' || name === 'float') && unsigned) return type(`${name} unsigned`, args);
  if (TEMPORAL_WITH_PRECISION.has(name)) return type(name, args.length > 0 && args[0] !== 0 ? [args[0]] : []);
  if (name === 'year') return type('year');
  if ((name === 'char' || name === 'binary' || name === 'bit') && args.length === 0) return type(name, [1]);
  return type(name, args);
}

function type(name: string, args: number[] = []): ColumnType {
  return { name, args, array: false, isEnum: false };
}

/** A string literal as MySQL would print it back in standard form: single quotes, embedded quotes doubled. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The characters a MySQL string literal stands for. node-sql-parser keeps the
 * literal's body as written, escapes included, so `'it''s'` and `'it\'s'`
 * both come back as `it's` here.
 */
export function unescapeMysqlString(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "'" && body[i + 1] === "'") {
      out += "'";
      i++;
    } else if (ch === '\\' && i + 1 < body.length) {
      const next = body[++i];
      const escapes: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a', "'": "'", '"': '"', '\\': '\\' };
      // `\%` and `\_` keep their backslash (they matter only to LIKE).
      out += escapes[next] ?? (next === '%' || next === '_' ? `\\${next}` : next);
    } else {
      out += ch;
    }
  }
  return out;
}

export function isMysqlTemporal(columnType: ColumnType): boolean {
  return ['datetime', 'timestamp', 'date', 'time', 'year'].includes(columnType.name);
}

/**
 * A date-time literal in the form MySQL stores (`YYYY-MM-DD HH:MM:SS[.ffffff]`,
 * trailing zero fractions dropped), converting a written UTC offset to UTC.
 * Prisma writes RFC 3339 (`2020-01-01T00:00:00+00:00`) and MySQL 8 converts it
 * on the way in, so both spellings must meet here. Undefined when the text is
 * not a date-time.
 */
export function canonicalMysqlDateTime(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = match;
  let date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    date = new Date(date.getTime() - sign * minutes * 60000);
  }
  if (Number.isNaN(date.getTime())) return undefined;
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const frac = fraction.replace(/0+$/, '');
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${frac ? `.${frac}` : ''}`;
}

const CURRENT_TIME_FUNCTIONS = new Set(['current_timestamp', 'now', 'localtime', 'localtimestamp']);

/** `CURRENT_TIMESTAMP(3)`, `NOW()`, `LOCALTIMESTAMP`: the precision follows the column, so one canonical spelling. */
export function isMysqlCurrentTime(functionName: string): boolean {
  return CURRENT_TIME_FUNCTIONS.has(functionName.toLowerCase());
}

/**
 * The default a MySQL column has, in canonical form, from the pieces a reader
 * found: a string literal (unescaped), another literal or an expression as SQL
 * text. Classification is the schema side's own (`defaultFromSql`), so both
 * sides agree on value/expression and volatility too.
 */
export function mysqlDefault(
  columnType: ColumnType,
  value: { kind: 'string'; value: string } | { kind: 'bool'; value: boolean } | { kind: 'null' } | { kind: 'currentTime' } | { kind: 'sql'; sql: string },
): DbDefault | undefined {
  switch (value.kind) {
    case 'null':
      return undefined;
    case 'currentTime':
      return defaultFromSql('CURRENT_TIMESTAMP', 'mysql');
    case 'bool':
      return defaultFromSql(isBooleanColumn(columnType) ? String(value.value) : value.value ? '1' : '0', 'mysql');
    case 'string': {
      let text = value.value;
      if (isMysqlTemporal(columnType) && columnType.name !== 'year' && columnType.name !== 'time') text = canonicalMysqlDateTime(text) ?? text;
      return defaultFromSql(quoteString(text), 'mysql');
    }
    case 'sql': {
      let sql = value.sql.trim();
      // On tinyint(1) the 0/1 a hand-written migration (or MySQL itself) uses is the false/true Prisma writes.
      if (isBooleanColumn(columnType) && (sql === '0' || sql === '1')) sql = sql === '1' ? 'true' : 'false';
      // MySQL reports a decimal default padded to the column's scale (`0.000...`): the same number as `0`.
      else if (/^[+-]?\d+\.\d*$/.test(sql)) sql = trimFraction(sql);
      return defaultFromSql(stripIdentifierQuotes(sql), 'mysql');
    }
  }
}

function trimFraction(number: string): string {
  let end = number.length;
  while (number[end - 1] === '0') end--;
  if (number[end - 1] === '.') end--;
  return number.slice(0, end);
}

export function isBooleanColumn(columnType: ColumnType): boolean {
  return columnType.name === 'tinyint' && columnType.args.length === 1 && columnType.args[0] === 1;
}

/** `` `a` + 1 `` → `a + 1`: identifier quoting is not part of what a default means. */
function stripIdentifierQuotes(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      // Copy string literals untouched.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\') j += 2;
        else if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      out += sql.slice(i, j + 1);
      i = j;
    } else if (ch === '`') {
      const close = sql.indexOf('`', i + 1);
      if (close < 0) return out + sql.slice(i);
      const name = sql.slice(i + 1, close);
      out += /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : sql.slice(i, close + 1);
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

/** An index column without its ` DESC`. */
export function indexColumnBase(column: string): string {
  return column.endsWith(' DESC') ? column.slice(0, -' DESC'.length) : column;
}

/** Whether InnoDB can use `index` for a foreign key on `columns`: they are its first columns, in order (a FULLTEXT or SPATIAL index cannot serve). */
export function indexServesForeignKey(index: DbIndex, columns: string[]): boolean {
  if (index.method === 'fulltext' || index.method === 'spatial') return false;
  return startsWithColumns(index.columns.map(indexColumnBase), columns);
}

/**
 * Whether the primary key or an index of `table` (other than `except`) serves a
 * foreign key on `columns`. Where none does, InnoDB creates an index named after
 * the key, and dropping the key leaves that index behind.
 */
export function foreignKeyServed(table: DbTable, columns: string[], except?: string): boolean {
  if (table.primaryKey && startsWithColumns(table.primaryKey.columns, columns)) return true;
  return table.indexes.some((index) => index.name !== except && indexServesForeignKey(index, columns));
}

function startsWithColumns(columns: string[], prefix: string[]): boolean {
  return prefix.length > 0 && prefix.length <= columns.length && prefix.every((c, i) => columns[i] === c);
}
