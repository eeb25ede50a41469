/**
 * Table sizes: how many rows the tables a finding touches hold, from a
 * database (read-only, on request only) or from a stats file. A lock on a
 * table of 200 rows lasts milliseconds; on one of 12 million it is an outage.
 * Sizes only ever lower the severity of risks that are about lock duration;
 * what loses data keeps its severity whatever the table holds.
 */
import * as fs from 'fs';
import type { Client, ClientConfig } from 'pg';
import type { Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import type { Change } from '../diff/changes';
import type { GuardConfig } from '../project/config';
import { parsePostgresStatements, postgresParserLoaded } from '../replay/statements';
import { classifyCast } from '../rules/support/typeCasts';
import type { Finding, Severity } from '../rules/types';
import { loadPostgresDriver } from './drivers';

/** Row estimates per table. */
export interface TableSizes {
  /** Where the numbers come from, in words: "the database's row estimates", "stats file stats.json". */
  source: string;
  /** Keys: `table` and `schema.table`, as the database spells them. */
  rows: ReadonlyMap<string, number>;
  /** Set for database reads: the server reported the transaction as read only. */
  readOnly?: boolean;
}

/** Thrown when sizes were asked for and cannot be read; the message never holds the connection string. */
export class TableSizesError extends Error {}

/** Below this many rows, a risk that is only about how long a lock is held drops to info. */
export const SMALL_TABLE_ROWS = 10_000;
/** From this many rows on, findings say how big the table is and what that costs. */
export const LARGE_TABLE_ROWS = 1_000_000;

export interface SizeOptions {
  provider: Provider;
  /** Severities the project set by hand are kept: the team decided. */
  config?: GuardConfig;
  smallRows?: number;
  largeRows?: number;
}

// ---------------------------------------------------------------------------
// What each rule's risk depends on

type Risk = 'lock' | 'failsOnRows' | 'dataLoss';

/** Risks whose cost is the time a lock is held (or a long statement runs): harmless on a small table. */
const LOCK_RULES = new Set(['create-index-blocking', 'sql-index-not-concurrent', 'sql-unbatched-backfill', 'volatile-default']);
/**
 * Risks that existing rows trigger (a NULL, a duplicate, an orphan fails the
 * migration), whatever the lock costs: a small table can hold the one bad row,
 * so only an empty one is spared, and an estimate of 0 is the best evidence there is.
 */
const ROW_FAILURE_RULES = new Set([
  'add-required-column',
  'make-column-required',
  'sql-set-not-null-scan',
  'add-unique-constraint',
  'add-foreign-key',
  'sql-foreign-key-not-valid',
  'change-primary-key',
]);
/** Data is lost however small the table: never lowered. */
const DATA_LOSS_RULES = new Set(['drop-column', 'drop-table', 'rename-column', 'rename-table', 'sql-drop-column', 'sql-drop-table', 'implicit-m2m-change']);
// Deliberately absent: sql-missing-lock-timeout (a DDL statement queued behind a long transaction stalls every
// query on the table, however small it is), sql-concurrently-in-transaction (fails whatever the size), and rules
// not about existing rows (schema-drift, drop-not-null, migration-name, row-level security).

function riskOf(finding: Finding, provider: Provider): Risk | undefined {
  if (finding.ruleId === 'change-column-type' && finding.change?.kind === 'alterColumnType') {
    const cost = classifyCast(provider, finding.change.from, finding.change.to);
    return cost === 'rewrite' ? 'lock' : cost === 'mayFail' ? 'failsOnRows' : cost === 'dropsData' ? 'dataLoss' : undefined;
  }
  if (LOCK_RULES.has(finding.ruleId)) return 'lock';
  if (ROW_FAILURE_RULES.has(finding.ruleId)) return 'failsOnRows';
  if (DATA_LOSS_RULES.has(finding.ruleId)) return 'dataLoss';
  return undefined;
}

const LARGE_COST: Record<string, string> = {
  'create-index-blocking': 'this index build blocks writes for minutes',
  'sql-index-not-concurrent': 'this index build blocks writes for minutes',
  'add-unique-constraint': 'building the unique index blocks writes for minutes',
  'add-foreign-key': 'validating the foreign key reads every row while writes wait',
  'sql-foreign-key-not-valid': 'validating the foreign key reads every row while writes wait',
  'sql-set-not-null-scan': 'the NOT NULL scan reads every row under an ACCESS EXCLUSIVE lock',
  'make-column-required': 'the NOT NULL scan reads every row under an ACCESS EXCLUSIVE lock',
  'sql-unbatched-backfill': 'one UPDATE of every row runs for minutes and holds all their row locks',
  'volatile-default': 'rewriting it holds an ACCESS EXCLUSIVE lock for minutes',
  'change-column-type': 'rewriting it holds an ACCESS EXCLUSIVE lock for minutes',
  'change-primary-key': 'rebuilding its key holds an ACCESS EXCLUSIVE lock for minutes',
  'add-required-column': 'the migration fails unless every one of them gets a value',
};

// ---------------------------------------------------------------------------
// Applying sizes to findings

/**
 * Findings with what the sizes say: lock-only risks on tables under
 * `smallRows` drop to info, row-triggered failures on tables estimated empty
 * drop one level, data loss never drops; large tables are named with their size.
 */
export function applyTableSizes(findings: readonly Finding[], sizes: TableSizes, options: SizeOptions): { findings: Finding[]; notes: Note[] } {
  const small = options.smallRows ?? SMALL_TABLE_ROWS;
  const large = options.largeRows ?? LARGE_TABLE_ROWS;
  const adjusted = findings.map((finding) => {
    const risk = riskOf(finding, options.provider);
    if (!risk) return finding;
    const tables = tablesOfFinding(finding);
    if (tables.length === 0) return finding;
    const known = tables.map((t) => ({ name: t.name, rows: rowsOf(sizes, t.name, t.schema) }));
    if (known.some((t) => t.rows === undefined)) return finding;
    const biggest = known.reduce((a, b) => ((b.rows ?? 0) > (a.rows ?? 0) ? b : a));
    const rows = biggest.rows ?? 0;
    const pinned = Boolean(options.config?.rules[finding.ruleId]);
    const label = rows === 0 ? `\`${biggest.name}\` looks empty` : `\`${biggest.name}\` has ~${formatRows(rows)} rows`;

    if (risk === 'lock' && rows < small) {
      return withSize(finding, pinned ? finding.severity : 'info', `(${label}: the lock is held only briefly.)`);
    }
    if (risk === 'failsOnRows' && rows === 0) {
      return withSize(finding, pinned ? finding.severity : lower(finding.severity), `(${label}, per ${sizes.source}: no existing row can make it fail, if the estimate is current.)`);
    }
    if (rows >= large) {
      const cost = risk === 'dataLoss' ? 'all of them lose this data' : (LARGE_COST[finding.ruleId] ?? 'this takes minutes on a table this size');
      return withSize(finding, finding.severity, `${label}: ${cost}.`);
    }
    return withSize(finding, finding.severity, `(${label}.)`);
  });
  const notes: Note[] = [
    {
      level: 'info',
      message: `Table sizes from ${sizes.source} (${countTables(sizes)} table(s)): lock-only risks on tables under ${formatRows(small)} rows are shown as info; data loss keeps its severity.`,
    },
  ];
  return { findings: adjusted, notes };
}

function withSize(finding: Finding, severity: Severity, sentence: string): Finding {
  return { ...finding, severity, message: `${finding.message} ${sentence}` };
}

function lower(severity: Severity): Severity {
  return severity === 'error' ? 'warning' : 'info';
}

function countTables(sizes: TableSizes): number {
  return [...sizes.rows.keys()].filter((key) => !key.includes('.')).length || sizes.rows.size;
}

/** ~12M, ~1.2M, ~120k, ~2,500, 0. */
export function formatRows(rows: number): string {
  if (rows >= 10_000_000) return `${Math.round(rows / 1_000_000)}M`;
  if (rows >= 1_000_000) return `${trimZero((rows / 1_000_000).toFixed(1))}M`;
  if (rows >= 10_000) return `${Math.round(rows / 1_000)}k`;
  return Math.round(rows).toLocaleString('en-US');
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** Rows of a table: by `schema.table`, then by name, then ignoring case (a stats file typed by hand). */
export function rowsOf(sizes: TableSizes, table: string, schema?: string): number | undefined {
  if (schema) {
    const qualified = sizes.rows.get(`${schema}.${table}`);
    if (qualified !== undefined) return qualified;
  }
  const exact = sizes.rows.get(table);
  if (exact !== undefined) return exact;
  const lowered = table.toLowerCase();
  for (const [key, rows] of sizes.rows) if (key.toLowerCase() === lowered) return rows;
  return undefined;
}

export interface TableRef {
  name: string;
  schema?: string;
}

/** Tables a finding is about: the change's table (and the table a new foreign key references), or those its SQL statement names. */
export function tablesOfFinding(finding: Finding): TableRef[] {
  if (finding.change) return tablesOfChange(finding.change);
  if (finding.statement && postgresParserLoaded()) {
    try {
      const parsed = parsePostgresStatements(finding.statement.text);
      const refs: TableRef[] = [];
      for (const statement of parsed.statements) collectRangeVars(statement.ast, refs);
      return dedupeTables(refs);
    } catch {
      return [];
    }
  }
  return [];
}

function tablesOfChange(change: Change): TableRef[] {
  if (change.kind === 'addEnum' || change.kind === 'dropEnum' || change.kind === 'addEnumValue' || change.kind === 'removeEnumValue') return [];
  const dot = change.tableKey.indexOf('.');
  const own: TableRef = dot > 0 ? { name: change.table, schema: change.tableKey.slice(0, dot) } : { name: change.table };
  if (change.kind === 'addForeignKey') return dedupeTables([own, { name: change.foreignKey.referencedTable }]);
  return [own];
}

/**
 * Tables a libpg-query tree names: every RangeVar (the statement's target and
 * the tables it references; the parser writes them with or without the
 * `RangeVar` wrapper), and the name lists of DROP TABLE.
 */
function collectRangeVars(node: unknown, into: TableRef[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRangeVars(item, into);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.relname === 'string') {
    into.push(typeof record.schemaname === 'string' ? { name: record.relname, schema: record.schemaname } : { name: record.relname });
    return;
  }
  if (record.removeType === 'OBJECT_TABLE' && Array.isArray(record.objects)) {
    for (const object of record.objects as { List?: { items?: { String?: { sval?: string } }[] } }[]) {
      const parts = (object.List?.items ?? []).map((item) => item.String?.sval ?? '');
      const name = parts[parts.length - 1];
      if (name) into.push(parts.length > 1 ? { name, schema: parts[parts.length - 2] } : { name });
    }
    return;
  }
  for (const value of Object.values(record)) collectRangeVars(value, into);
}

export function dedupeTables(refs: TableRef[]): TableRef[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const key = `${ref.schema ?? ''}.${ref.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------
// Reading sizes: a stats file

/** A JSON object of table → rows (`"Post": 12000000` or `"public.Post": 12000000`), for teams that cannot reach the database from CI. */
export function readStatsFile(file: string): TableSizes {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TableSizesError(code ? `cannot read the stats file ${file} (${code})` : `the stats file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TableSizesError(`the stats file ${file} must be a JSON object of table name → row count, e.g. {"Post": 12000000}`);
  }
  const rows = new Map<string, number>();
  for (const [table, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TableSizesError(`the stats file ${file}: "${table}" must be a row count (a number of 0 or more)`);
    }
    rows.set(table, value);
  }
  return { source: `stats file ${file}`, rows };
}

// ---------------------------------------------------------------------------
// Reading sizes: a PostgreSQL database, read-only

export interface DatabaseReadOptions {
  /** Per statement, and for connecting. */
  timeoutMs?: number;
}

/**
 * Row estimates from `pg_class.reltuples` (what the planner believes, kept
 * by ANALYZE and autovacuum; free to read, unlike count(*)). The session is
 * read-only twice over (the connection's default and `BEGIN READ ONLY`) and
 * ends with ROLLBACK: nothing is ever written.
 */
export async function readDatabaseSizes(url: string, options: DatabaseReadOptions = {}): Promise<TableSizes> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'mysql' || scheme === 'mariadb') {
    throw new TableSizesError('reading table sizes from MySQL is not supported yet; pass --stats FILE with a table → rows JSON object instead');
  }
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new TableSizesError(`the database URL must start with postgresql:// (got ${scheme ? `${scheme}:` : 'no scheme'}); for other databases pass --stats FILE`);
  }
  const timeout = options.timeoutMs ?? 5000;
  const pg = loadPostgresDriver();
  const config: ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: timeout,
    statement_timeout: timeout,
    query_timeout: timeout + 1000,
    application_name: 'prisma-migration-guard',
    options: '-c default_transaction_read_only=on',
  };
  let client: Client | undefined;
  try {
    client = new pg.Client(config);
    // A connection dropped later would be an unhandled 'error' event and crash the process, message and all.
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN READ ONLY');
    const readOnly = (await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only')).rows[0]?.transaction_read_only === 'on';
    const result = await client.query<{ schema: string; name: string; reltuples: number; relpages: number; live: string | null; partition_rows: number | null }>(SIZE_QUERY.trim());
    await client.query('ROLLBACK');
    const rows = new Map<string, number>();
    for (const row of result.rows) {
      const estimate = estimateOf(row);
      if (estimate === undefined) continue;
      rows.set(`${row.schema}.${row.name}`, estimate);
      // The unqualified name is the one Prisma uses in the default schema; elsewhere only when no other schema has the name.
      if (row.schema === 'public' || !rows.has(row.name)) rows.set(row.name, estimate);
    }
    return { source: "the database's row estimates", rows, readOnly };
  } catch (error) {
    throw new TableSizesError(`could not read table sizes from ${maskConnectionString(url)}: ${redact(messageOf(error), url)}`);
  } finally {
    if (client) await client.end().catch(() => undefined);
  }
}

/** Ordinary and partitioned tables outside the system schemas; a partitioned table's rows are its partitions'. */
const SIZE_QUERY = `
SELECT n.nspname AS schema,
       c.relname AS name,
       c.reltuples::float8 AS reltuples,
       c.relpages::int AS relpages,
       s.n_live_tup::text AS live,
       (SELECT sum(GREATEST(p.reltuples, 0))::float8 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid) AS partition_rows
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'
   AND n.nspname NOT LIKE 'pg_temp%'`;

/**
 * reltuples is -1 until the first ANALYZE or VACUUM (PostgreSQL 14+), and 0
 * with no pages before 14: then the statistics collector's live-row count is
 * the better guess, and with neither the size is unknown.
 */
export function estimateOf(row: { reltuples: number; relpages: number; live: string | null; partition_rows: number | null }): number | undefined {
  if (row.partition_rows !== null && row.partition_rows !== undefined) return Math.round(Number(row.partition_rows));
  const live = row.live === null ? undefined : Number(row.live);
  if (row.reltuples > 0) return Math.round(row.reltuples);
  if (row.reltuples === 0 && row.relpages > 0) return 0;
  if (live !== undefined && live > 0) return live;
  if (row.reltuples === 0) return live === 0 ? 0 : undefined;
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** `postgresql://user:****@host:5432/db`: enough to tell which database, never the password or query secrets. */
export function maskConnectionString(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${parsed.username}${parsed.password ? ':****' : ''}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '<the database URL>';
  }
}

/** Removes the URL, its password (encoded or not) and any user:password@ pair from a driver's error text. */
export function redact(text: string, url: string): string {
  let out = text.split(url).join(maskConnectionString(url));
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    const match = /:\/\/[^:/@\s]*:([^@\s]*)@/.exec(url);
    password = match?.[1] ?? '';
  }
  if (password) {
    for (const form of new Set([password, safeDecode(password)])) if (form) out = out.split(form).join('****');
  }
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:****@').replace(/(password=)[^&\s]*/gi, '$1****');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
