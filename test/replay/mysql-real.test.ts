/**
 * The strongest check of the MySQL replay: the same migrations run on a real
 * MariaDB server (Debian's mariadb-server, started here on 127.0.0.1 with a
 * throwaway data directory), and what information_schema reports must equal
 * the state our replay computes, table by table. Skipped, with the reason
 * printed, where MariaDB is not installed (.ci/run installs it).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbState } from '../../server/src/core/dbState';
import { createMysqlReplayer } from '../../server/src/replay/mysql';
import type { MigrationInput } from '../../server/src/replay/types';
import { readMysqlState, startMariaDbOrSkip, type MariaDb } from './mysql-server';
import { corpusRoot } from '../support/corpus';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/replay-mysql');
const corpus = corpusRoot('replay/mysql-real: the umami MySQL head on MariaDB');

function readMigrations(dir: string): MigrationInput[] {
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'migration.sql')))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      return { name, file, sql: fs.readFileSync(file, 'utf8') };
    });
}

/** Tables in key order; everything inside already has a fixed order (columns by position, indexes and keys by name). */
function ordered(state: DbState): DbState {
  const tables: DbState['tables'] = {};
  for (const key of Object.keys(state.tables).sort()) tables[key] = state.tables[key];
  return { ...state, tables };
}

describe('MySQL replay equals a real MariaDB', function () {
  this.timeout(600000);
  let db: MariaDb | undefined;
  const figures: string[] = [];

  before(async function () {
    db = await startMariaDbOrSkip(this);
  });

  after(async () => {
    await db?.stop();
    if (figures.length) console.log('\n    MariaDB comparison:\n' + figures.map((l) => `      ${l}`).join('\n'));
  });

  async function compare(database: string, migrations: MigrationInput[]): Promise<void> {
    const server = db as MariaDb;
    server.createDatabase(database);
    // MySQL 8 functions MariaDB lacks, used by data statements (umami's visit-id backfill): same result type, no schema effect.
    const shim = server.run(
      "CREATE FUNCTION IF NOT EXISTS BIN_TO_UUID(b BINARY(16)) RETURNS CHAR(36) DETERMINISTIC RETURN LOWER(CONCAT_WS('-', HEX(SUBSTR(b, 1, 4)), HEX(SUBSTR(b, 5, 2)), HEX(SUBSTR(b, 7, 2)), HEX(SUBSTR(b, 9, 2)), HEX(SUBSTR(b, 11))))",
      database,
    );
    assert.ok(shim.ok, shim.error);
    for (const migration of migrations) {
      const result = server.run(migration.sql, database);
      assert.ok(result.ok, `${migration.name} failed on MariaDB: ${result.error}`);
    }
    const real = readMysqlState(server, database);
    const replayer = await createMysqlReplayer();
    const warnings = migrations.flatMap((m) => replayer.apply(m)).filter((n) => n.level !== 'info');
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(ordered(replayer.state()), ordered(real));
    const tables = Object.values(real.tables);
    figures.push(
      `${database}: ${migrations.length} migrations on MariaDB ${server.version}: ${tables.length} tables, ${tables.reduce((n, t) => n + t.columns.length, 0)} columns, ` +
        `${tables.reduce((n, t) => n + t.indexes.length, 0)} indexes, ${tables.reduce((n, t) => n + t.foreignKeys.length, 0)} foreign keys: identical to the replay`,
    );
  }

  it('says a migration fails on a fresh database exactly where MariaDB refuses it', async () => {
    const server = db as MariaDb;
    server.createDatabase('fails');
    const migrations = readMigrations(path.join(FIXTURES, 'fails', 'migrations'));
    const refused: string[] = [];
    for (const migration of migrations) if (!server.run(migration.sql, 'fails').ok) refused.push(migration.name);
    const replayer = await createMysqlReplayer();
    for (const migration of migrations) replayer.apply(migration);
    const failing = [...new Set((replayer.uncertain?.() ?? []).filter((u) => u.fails).map((u) => u.migration))];
    assert.deepStrictEqual(refused, ['20240201000000_drop_parent', '20240301000000_drop_needed_index', '20240401000000_missing_column', '20240450000000_truncate_parent', '20240701000000_reused_key_name']);
    assert.deepStrictEqual(failing, refused);
  });

  it('the umami MySQL head migrations', async function () {
    const dir = corpus && path.join(corpus, 'umami-software__umami__mysql', 'head', 'migrations');
    if (!dir || !fs.existsSync(dir)) this.skip();
    await compare('umami', readMigrations(dir as string));
  });

  it('Prisma-style migrations with foreign keys, enums, renames and InnoDB-made indexes', async () => {
    await compare('features', readMigrations(path.join(FIXTURES, 'prisma-features')));
  });

  it('the migration of the mapping contract schema (every type, default and name convention; test/map/mysql.test.ts)', async () => {
    await compare('contract', readMigrations(path.join(FIXTURES, 'contract', 'migrations')));
  });
});
