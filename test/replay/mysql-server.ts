/**
 * A throwaway MariaDB server for tests: a fresh data directory in the temp
 * folder, listening on 127.0.0.1 at a free port, driven with Debian's own
 * `mariadb` client. Nothing here reaches beyond this machine; the server is
 * stopped and its directory removed by `stop()`.
 *
 * `readMysqlState` turns what the server reports in information_schema into a
 * DbState with the canonical forms of map/mysqlTypes.ts, so it can be compared
 * with the replay of the same migrations.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { tableKey, type DbColumn, type DbForeignKey, type DbIndex, type DbState, type DbTable, type ReferentialAction } from '../../server/src/core/dbState';
import { canonicalMysqlType, mysqlDefault, unescapeMysqlString } from '../../server/src/map/mysqlTypes';

export interface MariaDb {
  version: string;
  /** Runs an SQL script the way the `mariadb` client does: statement by statement, stopping at the first error. */
  run(sql: string, database?: string): { ok: boolean; error: string };
  /** Runs one SELECT whose single column is a JSON document and parses it. */
  json<T>(sql: string, database?: string): T;
  createDatabase(name: string): void;
  stop(): Promise<void>;
}

function findBinary(names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];
  for (const name of names) {
    for (const dir of dirs) {
      const full = path.join(dir, name);
      try {
        fs.accessSync(full, fs.constants.X_OK);
        return full;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts a server for a suite's `before` hook, or skips the suite with one
 * line saying why (the tests that need MariaDB share this, not a copy each).
 */
export async function startMariaDbOrSkip(suite: Mocha.Context): Promise<MariaDb> {
  const started = await startMariaDb();
  if (typeof started === 'string') {
    console.log(`      MariaDB unavailable: ${started}`);
    suite.skip();
  }
  return started as MariaDb;
}

/** Starts a server, or says why it cannot (no MariaDB installed, or it would not start). */
export async function startMariaDb(): Promise<MariaDb | string> {
  const server = findBinary(['mariadbd', 'mysqld']);
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db']);
  const client = findBinary(['mariadb', 'mysql']);
  if (!server || !installDb || !client) return 'MariaDB is not installed (Debian package mariadb-server)';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mpg-mariadb-'));
  const dataDir = path.join(dir, 'data');
  // A temporary folder of its own: a server clears the `#sql*` files it finds in its tmpdir at start, and in
  // the shared /tmp that pulled the files from under another suite's server (mariadb-install-db failed, Errcode 2).
  const tmpDir = path.join(dir, 'tmp');
  fs.mkdirSync(tmpDir);
  const userArgs: string[] = [];
  if (process.getuid?.() === 0) {
    // mariadbd will not run as root; the package's own system user owns the data directory instead.
    const id = spawnSync('id', ['-u', 'mysql'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'mysql'], { encoding: 'utf8' });
    if (id.status !== 0) return 'running as root and there is no `mysql` user to run mariadbd as';
    for (const owned of [dir, tmpDir]) fs.chownSync(owned, Number(id.stdout.trim()), Number(gid.stdout.trim()));
    userArgs.push('--user=mysql');
  }
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true });
  const install = spawnSync(installDb, ['--no-defaults', `--datadir=${dataDir}`, `--tmpdir=${tmpDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArgs], {
    encoding: 'utf8',
    timeout: 180000,
  });
  if (install.status !== 0) {
    cleanup();
    return `mariadb-install-db failed: ${(install.stderr || install.stdout || String(install.error)).trim().split('\n').slice(-3).join(' ')}`;
  }
  const port = await freePort();
  const log = path.join(dir, 'error.log');
  const child: ChildProcess = spawn(
    server,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--tmpdir=${tmpDir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--log-error=${log}`,
      '--innodb-buffer-pool-size=32M',
      '--skip-log-bin',
      // The SQL mode Prisma projects run with by default on MySQL 8 (strict, no zero dates).
      '--sql-mode=STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',
      ...userArgs,
    ],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const base = ['--no-defaults', '-uroot', '-h127.0.0.1', `-P${port}`, '--protocol=TCP'];
  const call = (args: string[], input?: string): ReturnType<typeof spawnSync> =>
    spawnSync(client, [...base, ...args], { encoding: 'utf8', input, timeout: 120000, maxBuffer: 64 * 1024 * 1024 });
  const started = Date.now();
  for (;;) {
    if (call(['-e', 'SELECT 1']).status === 0) break;
    if (exited || Date.now() - started > 60000) {
      child.kill('SIGKILL');
      const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' ') : '';
      cleanup();
      return `mariadbd did not start: ${tail}`;
    }
    await sleep(250);
  }
  const version = String(call(['-BN', '-e', 'SELECT VERSION()']).stdout).trim();
  return {
    version,
    run(sql, database) {
      const result = call(database ? [database] : [], sql);
      return { ok: result.status === 0, error: String(result.stderr ?? '').trim() };
    },
    json<T>(sql: string, database?: string): T {
      const result = call(['-BNr', ...(database ? [database] : []), '-e', sql]);
      if (result.status !== 0) throw new Error(String(result.stderr));
      const out = String(result.stdout).trim();
      return JSON.parse(out === '' || out === 'NULL' ? 'null' : out) as T;
    },
    createDatabase(name) {
      const result = call(['-e', `CREATE DATABASE \`${name}\` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`]);
      if (result.status !== 0) throw new Error(String(result.stderr));
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const deadline = Date.now() + 20000;
      while (!exited && Date.now() < deadline) await sleep(100);
      if (!exited) child.kill('SIGKILL');
      cleanup();
    },
  };
}

interface ColumnRow {
  table: string;
  name: string;
  position: number;
  columnType: string;
  nullable: string;
  columnDefault: string | null;
  extra: string;
  generated: string | null;
}

interface IndexRow {
  table: string;
  name: string;
  seq: number;
  column: string | null;
  nonUnique: number;
  collation: string | null;
  indexType: string;
}

interface ForeignKeyRow {
  table: string;
  name: string;
  column: string;
  seq: number;
  referencedTable: string;
  referencedColumn: string;
  deleteRule: string;
  updateRule: string;
}

/** `int(10) unsigned`, `enum('a','b')`, `decimal(19,4)` → the canonical type. */
function typeFromColumnType(columnType: string): DbColumn['type'] {
  const unsigned = /\bunsigned\b/.test(columnType);
  const body = columnType.replace(/\s+(unsigned|zerofill)\b/g, '').trim();
  const open = body.indexOf('(');
  const name = open < 0 ? body : body.slice(0, open);
  const inner = open < 0 ? '' : body.slice(open + 1, body.lastIndexOf(')'));
  if (name === 'enum' || name === 'set') {
    const values: string[] = [];
    for (const match of inner.matchAll(/'((?:[^'\\]|''|\\.)*)'/g)) values.push(unescapeMysqlString(match[1]));
    return canonicalMysqlType({ name, values });
  }
  const args = inner === '' ? [] : inner.split(',').map((part) => Number(part.trim()));
  return canonicalMysqlType({ name, args, unsigned });
}

const RULES: Record<string, ReferentialAction> = { CASCADE: 'CASCADE', RESTRICT: 'RESTRICT', 'NO ACTION': 'NO ACTION', 'SET NULL': 'SET NULL', 'SET DEFAULT': 'SET DEFAULT' };

/** The database `schema` of the server as a DbState (tables, columns, keys, indexes, foreign keys). */
export function readMysqlState(db: MariaDb, schema: string): DbState {
  const columns = db.json<ColumnRow[] | null>(
    `SELECT JSON_ARRAYAGG(JSON_OBJECT('table', TABLE_NAME, 'name', COLUMN_NAME, 'position', ORDINAL_POSITION, 'columnType', COLUMN_TYPE,
       'nullable', IS_NULLABLE, 'columnDefault', COLUMN_DEFAULT, 'extra', EXTRA, 'generated', GENERATION_EXPRESSION))
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${schema}'`,
  ) ?? [];
  const indexes = db.json<IndexRow[] | null>(
    `SELECT JSON_ARRAYAGG(JSON_OBJECT('table', TABLE_NAME, 'name', INDEX_NAME, 'seq', SEQ_IN_INDEX, 'column', COLUMN_NAME,
       'nonUnique', NON_UNIQUE, 'collation', COLLATION, 'indexType', INDEX_TYPE))
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '${schema}'`,
  ) ?? [];
  const foreignKeys = db.json<ForeignKeyRow[] | null>(
    `SELECT JSON_ARRAYAGG(JSON_OBJECT('table', k.TABLE_NAME, 'name', k.CONSTRAINT_NAME, 'column', k.COLUMN_NAME, 'seq', k.ORDINAL_POSITION,
       'referencedTable', k.REFERENCED_TABLE_NAME, 'referencedColumn', k.REFERENCED_COLUMN_NAME, 'deleteRule', r.DELETE_RULE, 'updateRule', r.UPDATE_RULE))
     FROM information_schema.KEY_COLUMN_USAGE k
     JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
     WHERE k.TABLE_SCHEMA = '${schema}' AND k.REFERENCED_TABLE_NAME IS NOT NULL`,
  ) ?? [];
  // MariaDB stores JSON as LONGTEXT guarded by a json_valid() check; that pair is MySQL's json.
  const jsonChecks = db.json<{ table: string; clause: string }[] | null>(
    `SELECT JSON_ARRAYAGG(JSON_OBJECT('table', TABLE_NAME, 'clause', CHECK_CLAUSE)) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '${schema}'`,
  ) ?? [];

  const tables: Record<string, DbTable> = {};
  const tableOf = (name: string): DbTable => (tables[tableKey(undefined, name)] ??= { name, columns: [], indexes: [], foreignKeys: [] });
  for (const row of [...columns].sort((a, b) => (a.table === b.table ? a.position - b.position : a.table < b.table ? -1 : 1))) {
    let type = typeFromColumnType(row.columnType);
    if (type.name === 'longtext' && jsonChecks.some((c) => c.table === row.table && c.clause.replace(/\s/g, '') === `json_valid(\`${row.name}\`)`)) type = canonicalMysqlType({ name: 'json' });
    const column: DbColumn = { name: row.name, type, nullable: row.nullable === 'YES' };
    const raw = row.columnDefault;
    if (/auto_increment/i.test(row.extra)) column.default = { kind: 'autoincrement' };
    else if (raw !== null && raw !== 'NULL') {
      let mapped;
      if (raw.startsWith("'")) mapped = mysqlDefault(type, { kind: 'string', value: unescapeMysqlString(raw.slice(1, -1)) });
      else if (/^current_timestamp(\(\d*\))?$/i.test(raw)) mapped = mysqlDefault(type, { kind: 'currentTime' });
      else mapped = mysqlDefault(type, { kind: 'sql', sql: raw });
      if (mapped) column.default = mapped;
    }
    tableOf(row.table).columns.push(column);
  }
  const grouped = new Map<string, IndexRow[]>();
  for (const row of indexes) {
    const id = `${row.table}\u0000${row.name}`;
    grouped.set(id, [...(grouped.get(id) ?? []), row]);
  }
  for (const rows of grouped.values()) {
    rows.sort((a, b) => a.seq - b.seq);
    const table = tableOf(rows[0].table);
    const names = rows.map((r) => r.column ?? '');
    if (rows[0].name === 'PRIMARY') {
      table.primaryKey = { columns: names };
      continue;
    }
    const index: DbIndex = { name: rows[0].name, columns: rows.map((r) => (r.collation === 'D' ? `${r.column} DESC` : r.column ?? '')), unique: Number(rows[0].nonUnique) === 0 };
    if (rows[0].indexType === 'FULLTEXT') index.method = 'fulltext';
    if (rows[0].indexType === 'SPATIAL') index.method = 'spatial';
    table.indexes.push(index);
  }
  const fkGroups = new Map<string, ForeignKeyRow[]>();
  for (const row of foreignKeys) {
    const id = `${row.table}\u0000${row.name}`;
    fkGroups.set(id, [...(fkGroups.get(id) ?? []), row]);
  }
  for (const rows of fkGroups.values()) {
    rows.sort((a, b) => a.seq - b.seq);
    const fk: DbForeignKey = {
      name: rows[0].name,
      columns: rows.map((r) => r.column),
      referencedTable: tableKey(undefined, rows[0].referencedTable),
      referencedColumns: rows.map((r) => r.referencedColumn),
      onDelete: RULES[rows[0].deleteRule] ?? 'NO ACTION',
      onUpdate: RULES[rows[0].updateRule] ?? 'NO ACTION',
    };
    tableOf(rows[0].table).foreignKeys.push(fk);
  }
  for (const table of Object.values(tables)) {
    table.indexes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    table.foreignKeys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return { provider: 'mysql', tables, enums: {} };
}
