/**
 * Preflight, the database half: asks the questions of preflight.ts of a real
 * PostgreSQL or MySQL/MariaDB database, and nothing else.
 *
 * Safety, in order: the session is read-only (PostgreSQL: the connection's
 * default and `BEGIN ... READ ONLY`, checked before anything is counted;
 * MySQL: `SET SESSION TRANSACTION READ ONLY` and `START TRANSACTION READ
 * ONLY`) and ends with ROLLBACK; every statement has a timeout and never
 * waits long for a lock; a table over the scan limit is never read whole
 * unless asked (PostgreSQL reads a TABLESAMPLE of it, MySQL skips it); every
 * distinct question is asked once; the URL appears only masked, in messages
 * and errors alike. Example keys of duplicates are masked unless values may
 * be shown.
 */
import type { Client, ClientConfig } from 'pg';
import type { Note } from '../core/notes';
import { loadMysqlDriver, loadPostgresDriver } from './drivers';
import { type CountAnswer, type CountQuestion, formatBytes, type PreflightAnswer, type PreflightFacts, type PreflightQuestion, questionKey, type SizeAnswer, type TableRef } from './preflight';
import { estimateOf, maskConnectionString, redact } from './tableSizes';

export interface PreflightOptions {
  /** Tables bigger than this (bytes of data) are sampled or skipped, never read whole. Default 256 MB. */
  scanLimitBytes?: number;
  /** Read every table whole, whatever its size: the user asked for it. */
  fullScan?: boolean;
  /** Show duplicate keys as they are instead of masked. */
  showValues?: boolean;
  /** Per statement. Default 30 s. */
  statementTimeoutMs?: number;
  /** Longest wait for a lock (a table another session holds exclusively). Default 1 s. */
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Checked between statements; when true, the session is closed and PreflightCancelled thrown. */
  isCancelled?: () => boolean;
  /** After each question: how many are answered, of how many. */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_SCAN_LIMIT_BYTES = 256e6;
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const DEFAULT_LOCK_TIMEOUT_MS = 1_000;

/** The preflight could not run at all (no connection, not read-only); the message never holds the URL unmasked. */
export class PreflightError extends Error {}
export class PreflightCancelled extends Error {}

/** A session on one database that answers questions. */
interface Session {
  engine: string;
  size(table: TableRef): Promise<SizeAnswer>;
  count(question: CountQuestion, sample: number | undefined): Promise<CountAnswer>;
  /** Whether the engine can read a sample of a table (PostgreSQL's TABLESAMPLE); otherwise a big table is skipped. */
  samples: boolean;
  close(): Promise<void>;
}

/** Answers every question (each once) on the database at `url`, read-only. */
export async function measurePreflight(url: string, questions: readonly PreflightQuestion[], options: PreflightOptions = {}): Promise<PreflightFacts> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const database = maskConnectionString(url);
  const limit = options.fullScan ? Number.POSITIVE_INFINITY : (options.scanLimitBytes ?? DEFAULT_SCAN_LIMIT_BYTES);
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const lockTimeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const measuredAt = new Date().toISOString();
  let session: Session;
  try {
    if (scheme === 'postgres' || scheme === 'postgresql') session = await openPostgres(url, statementTimeout, lockTimeout, options);
    else if (scheme === 'mysql' || scheme === 'mariadb') session = await openMysql(url, statementTimeout, lockTimeout, options);
    else throw new PreflightError(`the database URL must start with postgresql:// or mysql:// (got ${scheme ? `${scheme}:` : 'no scheme'})`);
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    throw new PreflightError(`could not start the preflight on ${database}: ${redact(messageOf(error), url)}`);
  }

  const answers = new Map<string, PreflightAnswer>();
  const sizes = new Map<string, Promise<SizeAnswer>>();
  const sizeOf = (table: TableRef): Promise<SizeAnswer> => {
    const key = `${table.schema ?? ''}.${table.name}`;
    let answer = sizes.get(key);
    if (!answer) {
      answer = session.size(table).catch((error: unknown) => ({ method: 'failed' as const, reason: redact(messageOf(error), url) }));
      sizes.set(key, answer);
    }
    return answer;
  };
  let sampled = 0;
  let skipped = 0;
  try {
    let done = 0;
    for (const question of questions) {
      if (options.isCancelled?.()) throw new PreflightCancelled('the preflight was cancelled');
      const key = questionKey(question);
      if (answers.has(key)) continue;
      if (question.kind === 'size') {
        answers.set(key, await sizeOf(question.table));
      } else {
        const size = await sizeOf(question.table);
        if (size.method === 'failed') {
          answers.set(key, { method: 'failed', reason: size.reason ?? 'the table size could not be read' });
        } else {
          const bytes = size.tableBytes ?? 0;
          const over = bytes > limit;
          if (over && !session.samples) {
            skipped++;
            answers.set(key, {
              method: 'skipped',
              reason: `\`${question.table.name}\` (${formatBytes(bytes)}) is over the ${formatBytes(limit)} scan limit and ${session.engine.split(' ')[0]} cannot read a sample of it, so it was not read`,
            });
          } else {
            if (over) sampled++;
            const percent = over ? samplePercent(limit, bytes) : undefined;
            answers.set(key, await session.count(question, percent).catch((error: unknown) => failed(error, url, statementTimeout)));
          }
        }
      }
      options.onProgress?.(++done, questions.length);
    }
  } finally {
    await session.close().catch(() => undefined);
  }
  const notes: Note[] = [
    {
      level: 'info',
      message: `Preflight against ${database} (${session.engine}), read-only, statement timeout ${Math.round(statementTimeout / 1000)} s: ${questions.filter((q) => q.kind !== 'size').length} count(s), ${questions.filter((q) => q.kind === 'size').length} table size(s).`,
    },
  ];
  if (sampled > 0) notes.push({ level: 'info', message: `Preflight: ${sampled} count(s) read a sample of a table over the ${formatBytes(limit)} scan limit; a count of 0 in a sample proves nothing. A full scan reads them whole.` });
  if (skipped > 0) notes.push({ level: 'info', message: `Preflight: ${skipped} count(s) skipped on tables over the ${formatBytes(limit)} scan limit; a full scan reads them whole.` });
  return { database, engine: session.engine, measuredAt, answers, scanLimitBytes: limit, notes };
}

/** The share of a table that reads about `limit` bytes, in percent, two significant digits, at least 0.01. */
export function samplePercent(limit: number, bytes: number): number {
  const percent = Math.min(100, (limit / bytes) * 100);
  // Rounded down, so that the sample stays under the limit.
  const step = 10 ** (Math.floor(Math.log10(percent)) - 1);
  return Math.max(0.01, Number((Math.floor(percent / step) * step).toPrecision(2)));
}

function failed(error: unknown, url: string, statementTimeout: number): CountAnswer {
  if (error instanceof PreflightCancelled) throw error;
  const code = (error as { code?: string | number; errno?: number }).code;
  const errno = (error as { errno?: number }).errno;
  if (code === '57014' || errno === 1969 || errno === 3024) return { method: 'failed', reason: `the count took longer than the ${Math.round(statementTimeout / 1000)} s statement timeout` };
  if (code === '55P03' || errno === 1205) return { method: 'failed', reason: 'a lock the count needed was held by another session' };
  return { method: 'failed', reason: redact(messageOf(error), url) };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** First character, then one `*` per character up to 8: enough to tell keys apart, not to read them. */
export function maskValue(value: string | null): string {
  if (value === null) return 'NULL';
  if (value.length <= 1) return '*';
  return `${value[0]}${'*'.repeat(Math.min(value.length - 1, 8))}`;
}

function exampleKey(values: (string | null)[], showValues: boolean): string {
  const shown = values.map((v) => (showValues ? (v === null ? 'NULL' : `'${v}'`) : maskValue(v)));
  return shown.length === 1 ? shown[0] : `(${shown.join(', ')})`;
}

// ---------------------------------------------------------------------------
// PostgreSQL

function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function pgTable(table: TableRef): string {
  return table.schema ? `${pgIdent(table.schema)}.${pgIdent(table.name)}` : pgIdent(table.name);
}

async function openPostgres(url: string, statementTimeout: number, lockTimeout: number, options: PreflightOptions): Promise<Session> {
  const pg = loadPostgresDriver();
  // Prisma's `?schema=` names the schema its tables live in; node-postgres does not know it.
  let schema: string | undefined;
  try {
    schema = new URL(url).searchParams.get('schema') ?? undefined;
  } catch {
    schema = undefined;
  }
  const config: ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    query_timeout: statementTimeout + 5000,
    application_name: 'prisma-migration-guard',
    options: '-c default_transaction_read_only=on',
  };
  const client: Client = new pg.Client(config);
  // A connection dropped later would be an unhandled 'error' event and crash the process, message and all.
  client.on('error', () => undefined);
  let notice = '';
  client.on('notice', (message) => {
    if (message.message?.startsWith('pmg-preflight ')) notice = message.message;
  });
  await client.connect();
  try {
    // One snapshot for every count: they describe the same moment of the data.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(statementTimeout))}`);
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeout))}`);
    if (schema) await client.query(`SET LOCAL search_path TO ${pgIdent(schema)}`);
    const readOnly = (await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only')).rows[0]?.transaction_read_only;
    if (readOnly !== 'on') throw new PreflightError('the database session is not read-only, so nothing was counted');
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
    const engine = `PostgreSQL ${version.split(' ')[0]}`;

    /** Each question in a savepoint: one that fails (a timeout) does not end the transaction for the others. */
    const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
      await client.query('SAVEPOINT pmg_question');
      try {
        const result = await run();
        await client.query('RELEASE SAVEPOINT pmg_question');
        return result;
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT pmg_question').catch(() => undefined);
        throw error;
      }
    };

    return {
      engine,
      samples: true,
      async size(table) {
        const result = await guarded(() =>
          client.query<{ reltuples: number; relpages: number; live: string | null; table_bytes: string; total_bytes: string }>(
            `SELECT c.reltuples::float8 AS reltuples, c.relpages::int AS relpages, s.n_live_tup::text AS live,
                    pg_table_size(c.oid)::text AS table_bytes, pg_total_relation_size(c.oid)::text AS total_bytes
               FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
              WHERE c.relname = $1 AND n.nspname = coalesce($2, current_schema()) AND c.relkind IN ('r', 'p')`,
            [table.name, table.schema ?? null],
          ),
        );
        const row = result.rows[0];
        if (!row) return { method: 'failed', reason: `the database has no table \`${table.name}\`${table.schema ? ` in schema \`${table.schema}\`` : ''}` };
        const rows = estimateOf({ ...row, partition_rows: null });
        return { method: 'exact', ...(rows !== undefined ? { rows } : {}), tableBytes: Number(row.table_bytes), totalBytes: Number(row.total_bytes) };
      },
      async count(question, percent) {
        const sample = percent === undefined ? '' : ` TABLESAMPLE SYSTEM (${percent}) REPEATABLE (7)`;
        const from = `${pgTable(question.table)} AS t${sample}`;
        const method = percent === undefined ? ('exact' as const) : ('sampled' as const);
        const scaled = (n: number): number => (percent === undefined ? n : Math.round((n * 100) / percent));
        const withPercent = percent === undefined ? {} : { percent };
        const countOf = async (sql: string, params: unknown[] = []): Promise<number> =>
          Number((await guarded(() => client.query<{ n: string }>(sql, params))).rows[0]?.n ?? 0);
        switch (question.kind) {
          case 'rows':
            return { method, count: scaled(await countOf(`SELECT count(*)::text AS n FROM ${from}`)), ...withPercent };
          case 'nulls':
            return { method, count: scaled(await countOf(`SELECT count(*)::text AS n FROM ${from} WHERE t.${pgIdent(question.column)} IS NULL`)), ...withPercent };
          case 'enumValue':
            return { method, count: scaled(await countOf(`SELECT count(*)::text AS n FROM ${from} WHERE t.${pgIdent(question.column)}::text = $1`, [question.value])), ...withPercent };
          case 'orphans': {
            const notNull = question.columns.map((c) => `t.${pgIdent(c)} IS NOT NULL`).join(' AND ');
            const match = question.columns.map((c, i) => `p.${pgIdent(question.referencedColumns[i])} = t.${pgIdent(c)}`).join(' AND ');
            const sql = `SELECT count(*)::text AS n FROM ${from} WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${pgTable(question.references)} AS p WHERE ${match})`;
            return { method, count: scaled(await countOf(sql)), ...withPercent };
          }
          case 'duplicates': {
            const keys = question.columns.map((c, i) => `t.${pgIdent(c)}::text AS k${i}`).join(', ');
            const group = question.columns.map((c) => `t.${pgIdent(c)}`).join(', ');
            const notNull = question.columns.map((c) => `t.${pgIdent(c)} IS NOT NULL`).join(' AND ');
            const order = question.columns.map((_, i) => `k${i}`).join(', ');
            const sql = `SELECT d.*, count(*) OVER ()::text AS groups, sum(d.n) OVER ()::text AS rows FROM (
                SELECT ${keys}, count(*)::int8 AS n FROM ${from} WHERE ${notNull} GROUP BY ${group} HAVING count(*) > 1
              ) d ORDER BY d.n DESC, ${order} LIMIT 5`;
            const result = await guarded(() => client.query<Record<string, string | null>>(sql));
            const rows = result.rows;
            return {
              method,
              count: Number(rows[0]?.rows ?? 0),
              groups: Number(rows[0]?.groups ?? 0),
              examples: rows.map((row) => ({ key: exampleKey(question.columns.map((_, i) => row[`k${i}`] ?? null), options.showValues === true), rows: Number(row.n) })),
              ...withPercent,
            };
          }
          case 'cast': {
            const expression = question.using ?? `t.${pgIdent(question.column)}`;
            if ([expression, question.toType].some((text) => text.includes('$pmg$'))) return { method: 'failed', reason: 'the conversion cannot be tried safely' };
            // Each row is converted in a subtransaction of its own: one value that fails does not stop the count. Assigning to a
            // variable of the new type converts the way ALTER COLUMN ... TYPE does (assignment casts, length and precision checks).
            const block = `DO $pmg$
DECLARE r record; v ${question.toType}; bad bigint := 0; seen bigint := 0;
BEGIN
  FOR r IN SELECT t.ctid AS tid FROM ${from} LOOP
    seen := seen + 1;
    BEGIN
      SELECT ${expression} INTO v FROM ${pgTable(question.table)} AS t WHERE t.ctid = r.tid;
    EXCEPTION WHEN others THEN bad := bad + 1;
    END;
  END LOOP;
  RAISE NOTICE 'pmg-preflight % %', bad, seen;
END
$pmg$`;
            notice = '';
            await guarded(() => client.query(block));
            const match = /^pmg-preflight (\d+) (\d+)$/.exec(notice);
            if (!match) return { method: 'failed', reason: 'the conversion count did not report back' };
            return { method, count: scaled(Number(match[1])), ...withPercent };
          }
        }
      },
      async close() {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end();
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------
// MySQL and MariaDB

interface MysqlConnection {
  query<T>(sql: string, values?: unknown[]): Promise<[T, unknown]>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}

function myIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

async function openMysql(url: string, statementTimeout: number, lockTimeout: number, options: PreflightOptions): Promise<Session> {
  const mysql = loadMysqlDriver() as unknown as { createConnection(config: Record<string, unknown>): Promise<MysqlConnection> };
  const connection = await mysql.createConnection({ uri: url, connectTimeout: options.connectTimeoutMs ?? 10_000, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  connection.on('error', () => undefined);
  try {
    const [versionRows] = await connection.query<{ v: string }[]>('SELECT VERSION() AS v');
    const version = versionRows[0]?.v ?? '?';
    const mariadb = /mariadb/i.test(version);
    const seconds = Math.max(1, Math.ceil(statementTimeout / 1000));
    // MariaDB times any statement out (max_statement_time, seconds); MySQL only SELECTs (max_execution_time, ms), which is all this sends.
    await connection.query(mariadb ? `SET SESSION max_statement_time = ${seconds}` : `SET SESSION max_execution_time = ${Math.round(statementTimeout)}`);
    const lockSeconds = Math.max(1, Math.ceil(lockTimeout / 1000));
    await connection.query(`SET SESSION lock_wait_timeout = ${lockSeconds}, SESSION innodb_lock_wait_timeout = ${lockSeconds}`);
    await connection.query('SET SESSION TRANSACTION READ ONLY');
    const [readOnlyRows] = await connection.query<{ ro: string | number }[]>(mariadb ? 'SELECT @@session.tx_read_only AS ro' : 'SELECT @@session.transaction_read_only AS ro');
    if (Number(readOnlyRows[0]?.ro) !== 1) throw new PreflightError('the database session is not read-only, so nothing was counted');
    await connection.query('START TRANSACTION READ ONLY');
    const engine = mariadb ? `MariaDB ${version.split('-')[0]}` : `MySQL ${version.split('-')[0]}`;
    const countOf = async (sql: string, params: unknown[] = []): Promise<number> => {
      const [rows] = await connection.query<{ n: string | number }[]>(sql, params);
      return Number(rows[0]?.n ?? 0);
    };
    return {
      engine,
      samples: false,
      async size(table) {
        const [rows] = await connection.query<{ rows: string | null; data: string | null; indexes: string | null }[]>(
          'SELECT TABLE_ROWS AS `rows`, DATA_LENGTH AS `data`, INDEX_LENGTH AS `indexes` FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?',
          [table.schema ?? null, table.name],
        );
        const row = rows[0];
        if (!row) return { method: 'failed', reason: `the database has no table \`${table.name}\`` };
        const data = Number(row.data ?? 0);
        return { method: 'exact', ...(row.rows !== null ? { rows: Number(row.rows) } : {}), tableBytes: data, totalBytes: data + Number(row.indexes ?? 0) };
      },
      async count(question) {
        const from = `${table(question.table)} AS t`;
        switch (question.kind) {
          case 'rows':
            return { method: 'exact', count: await countOf(`SELECT COUNT(*) AS n FROM ${from}`) };
          case 'nulls':
            return { method: 'exact', count: await countOf(`SELECT COUNT(*) AS n FROM ${from} WHERE t.${myIdent(question.column)} IS NULL`) };
          case 'enumValue':
            return { method: 'exact', count: await countOf(`SELECT COUNT(*) AS n FROM ${from} WHERE t.${myIdent(question.column)} = ?`, [question.value]) };
          case 'orphans': {
            const notNull = question.columns.map((c) => `t.${myIdent(c)} IS NOT NULL`).join(' AND ');
            const match = question.columns.map((c, i) => `p.${myIdent(question.referencedColumns[i])} = t.${myIdent(c)}`).join(' AND ');
            return { method: 'exact', count: await countOf(`SELECT COUNT(*) AS n FROM ${from} WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${table(question.references)} AS p WHERE ${match})`) };
          }
          case 'duplicates': {
            const keys = question.columns.map((c, i) => `CAST(t.${myIdent(c)} AS CHAR) AS k${i}`).join(', ');
            const group = question.columns.map((c) => `t.${myIdent(c)}`).join(', ');
            const notNull = question.columns.map((c) => `t.${myIdent(c)} IS NOT NULL`).join(' AND ');
            const order = question.columns.map((_, i) => `k${i}`).join(', ');
            const [rows] = await connection.query<Record<string, string | number | null>[]>(
              `SELECT d.*, COUNT(*) OVER () AS \`groups\`, SUM(d.n) OVER () AS \`rows\` FROM (
                 SELECT ${keys}, COUNT(*) AS n FROM ${from} WHERE ${notNull} GROUP BY ${group} HAVING COUNT(*) > 1
               ) d ORDER BY d.n DESC, ${order} LIMIT 5`,
            );
            return {
              method: 'exact',
              count: Number(rows[0]?.rows ?? 0),
              groups: Number(rows[0]?.groups ?? 0),
              examples: rows.map((row) => ({ key: exampleKey(question.columns.map((_, i) => (row[`k${i}`] === null ? null : String(row[`k${i}`]))), options.showValues === true), rows: Number(row.n) })),
            };
          }
          case 'cast': {
            const column = `t.${myIdent(question.column)}`;
            const check = question.check;
            if (!check) return { method: 'skipped', reason: `there is no check for a conversion to \`${question.toType}\` on MySQL` };
            let predicate: string;
            let params: unknown[] = [];
            if (check.kind === 'length') predicate = `CHAR_LENGTH(${column}) > ${check.max}`;
            else if (check.kind === 'range') predicate = `${column} NOT BETWEEN ${check.min} AND ${check.max}`;
            else if (check.kind === 'digits') predicate = `ABS(${column}) >= POW(10, ${check.integerDigits})`;
            else {
              predicate = `${column} NOT IN (${check.values.map(() => '?').join(', ')})`;
              params = check.values;
            }
            return { method: 'exact', count: await countOf(`SELECT COUNT(*) AS n FROM ${from} WHERE ${column} IS NOT NULL AND ${predicate}`, params) };
          }
        }
      },
      async close() {
        await connection.query('ROLLBACK').catch(() => undefined);
        await connection.end();
      },
    };
  } catch (error) {
    await connection.end().catch(() => undefined);
    throw error;
  }

  function table(ref: TableRef): string {
    return ref.schema ? `${myIdent(ref.schema)}.${myIdent(ref.name)}` : myIdent(ref.name);
  }
}
