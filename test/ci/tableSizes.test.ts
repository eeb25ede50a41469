import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { applyTableSizes, formatRows, maskConnectionString, redact } from '../../server/src/analysis/tableSizes';
import { defaultConfig } from '../../server/src/project/config';
import type { Finding } from '../../server/src/rules/types';
import { postgresBinDir, repo, runCli, startPostgres, tempDir, type PostgresServer } from './support';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
}

const shop = path.join(repo, 'examples/shop');
const baseFindings = JSON.parse(fs.readFileSync(path.join(repo, 'test/cli/expected-shop-findings.json'), 'utf8')) as JsonFinding[];

/** The example's findings as they read with these sizes: User ~12M, Order 500, Product empty, OrderItem ~2.5M, Category 100. */
function expectedWithSizes(source: string): { ruleId: string; severity: string; message: string }[] {
  const adjust: Record<string, { severity?: string; suffix?: string }> = {
    'remove-enum-value': {},
    'add-required-column': { suffix: '`User` has ~12M rows: the migration fails unless every one of them gets a value.' },
    'drop-column': { suffix: '(`Product` looks empty.)' },
    'rename-column': { suffix: '(`Product` looks empty.)' },
    'add-unique-constraint': { severity: 'info', suffix: `(\`Product\` looks empty, per ${source}: no existing row can make it fail, if the estimate is current.)` },
    'schema-drift': {},
    'make-column-required': { suffix: '(`Order` has ~500 rows.)' },
    'create-index-blocking': { severity: 'info', suffix: '(`Order` has ~500 rows: the lock is held only briefly.)' },
    'change-column-type': { suffix: '`OrderItem` has ~2.5M rows: rewriting it holds an ACCESS EXCLUSIVE lock for minutes.' },
  };
  return baseFindings.map((f) => {
    const change = adjust[f.ruleId];
    assert.ok(change, `the test has no expectation for ${f.ruleId}: update it with the example`);
    return { ruleId: f.ruleId, severity: change.severity ?? f.severity, message: change.suffix ? `${f.message} ${change.suffix}` : f.message };
  });
}

function findingsOf(stdout: string): { ruleId: string; severity: string; message: string }[] {
  const json = JSON.parse(stdout) as { findings: JsonFinding[] };
  return json.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message }));
}

function notesOf(stdout: string): string[] {
  return (JSON.parse(stdout) as { notes: { message: string }[] }).notes.map((n) => n.message);
}

describe('table sizes from a stats file (--stats)', () => {
  it('lock-only risks on small tables drop to info, empty tables lower row failures, data loss keeps its severity, large tables are named', () => {
    const dir = tempDir('pmg-stats-');
    const stats = path.join(dir, 'stats.json');
    fs.writeFileSync(stats, JSON.stringify({ User: 12_000_000, Order: 500, Product: 0, OrderItem: 2_500_000, Category: 100 }));
    const result = runCli(['check', shop, '--format', 'json', '--stats', stats]);
    assert.strictEqual(result.code, 1, result.stderr);
    assert.deepStrictEqual(findingsOf(result.stdout), expectedWithSizes(`stats file ${stats}`));
    assert.deepStrictEqual(notesOf(result.stdout), [
      `Table sizes from stats file ${stats} (5 table(s)): lock-only risks on tables under 10k rows are shown as info; data loss keeps its severity.`,
    ]);
  });

  it('without sizes nothing changes (sizes are never read by default)', () => {
    const result = runCli(['check', shop, '--format', 'json']);
    assert.deepStrictEqual(findingsOf(result.stdout), baseFindings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message })));
  });

  it('a stats file that is not a table → rows object stops the check with exit 2 and says why', () => {
    const dir = tempDir('pmg-stats-');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ User: 'many' }));
    const result = runCli(['check', shop, '--stats', bad]);
    assert.strictEqual(result.code, 2);
    assert.strictEqual(result.stderr, `prisma-migration-guard: the stats file ${bad}: "User" must be a row count (a number of 0 or more)\n`);
    const missing = runCli(['check', shop, '--stats', path.join(dir, 'none.json')]);
    assert.strictEqual(missing.code, 2);
    assert.strictEqual(missing.stderr, `prisma-migration-guard: cannot read the stats file ${path.join(dir, 'none.json')} (ENOENT)\n`);
  });

  it('a severity the project set by hand is kept, and the size is still said', () => {
    const finding: Finding = {
      ruleId: 'create-index-blocking',
      severity: 'error',
      message: 'New index.',
      help: '',
      file: '/p/schema.prisma',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
      change: {
        kind: 'addIndex',
        table: 'Post',
        tableKey: 'Post',
        unique: false,
        index: { name: 'Post_a_idx', columns: ['a'], unique: false },
        source: { file: '/p/schema.prisma', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } },
      } as unknown as Finding['change'],
      related: [],
      docs: 'docs/rules/create-index-blocking.md',
    };
    const sizes = { source: 'stats file s.json', rows: new Map([['Post', 20]]) };
    const pinned = applyTableSizes([finding], sizes, { provider: 'postgresql', config: { ...defaultConfig, rules: { 'create-index-blocking': 'error' } } });
    assert.deepStrictEqual(pinned.findings.map((f) => [f.severity, f.message]), [['error', 'New index. (`Post` has ~20 rows: the lock is held only briefly.)']]);
    const free = applyTableSizes([finding], sizes, { provider: 'postgresql', config: defaultConfig });
    assert.deepStrictEqual(free.findings.map((f) => f.severity), ['info']);
    const unknown = applyTableSizes([finding], { source: 's', rows: new Map([['Other', 1]]) }, { provider: 'postgresql' });
    assert.strictEqual(unknown.findings[0], finding, 'a table the sizes do not know is left alone');
  });

  it('row counts read the way people say them', () => {
    assert.deepStrictEqual([0, 7, 2500, 9999, 10_000, 123_456, 1_000_000, 2_540_000, 12_345_678].map(formatRows), ['0', '7', '2,500', '9,999', '10k', '123k', '1M', '2.5M', '12M']);
  });

  it('connection strings are masked, passwords removed from any text', () => {
    const url = 'postgresql://app:s3cr%40t@db.internal:5432/shop?sslmode=require&password=other';
    assert.strictEqual(maskConnectionString(url), 'postgresql://app:****@db.internal:5432/shop?…');
    assert.strictEqual(redact(`failed for ${url} with s3cr@t and s3cr%40t`, url), 'failed for postgresql://app:****@db.internal:5432/shop?… with **** and ****');
    assert.strictEqual(redact('see postgres://x:pw@h/db', 'postgresql://a@b/c'), 'see postgres://x:****@h/db');
    assert.strictEqual(maskConnectionString('not a url'), '<the database URL>');
  });
});

describe('table sizes from a real PostgreSQL server, read-only (--database-url, --database-url-env)', function () {
  this.timeout(180000);
  let server: PostgresServer | undefined;
  const readerPassword = 'reader-pw-7Q2x';
  const readerUrl = (): string => `postgresql://guard_reader:${readerPassword}@127.0.0.1:${server?.port}/shop`;

  before(async function () {
    if (!postgresBinDir()) {
      // .ci/run installs Debian's postgresql; a developer machine without it skips, and says so.
      this.skip();
    }
    server = await startPostgres();
    const admin = new Client({ connectionString: server.adminUrl() });
    await admin.connect();
    await admin.query('CREATE DATABASE shop');
    await admin.end();
    const shopAdmin = new Client({ connectionString: server.adminUrl('shop') });
    await shopAdmin.connect();
    try {
      const migrations = path.join(shop, 'prisma/migrations');
      for (const name of fs.readdirSync(migrations).filter((n) => fs.existsSync(path.join(migrations, n, 'migration.sql'))).sort()) {
        await shopAdmin.query(fs.readFileSync(path.join(migrations, name, 'migration.sql'), 'utf8'));
      }
      await shopAdmin.query(`INSERT INTO "User" ("email", "name") SELECT 'u' || g || '@example.com', 'U' || g FROM generate_series(1, 600) g`);
      await shopAdmin.query(`INSERT INTO "Order" ("userId", "status", "updatedAt") SELECT 1 + (g % 600), 'PAID', now() FROM generate_series(1, 500) g`);
      await shopAdmin.query(`INSERT INTO "Category" ("name", "slug") SELECT 'C' || g, 'c-' || g FROM generate_series(1, 100) g`);
      await shopAdmin.query('ANALYZE');
      // Millions of rows would take the test's time; the planner's estimate is what the tool reads, so set it.
      await shopAdmin.query(`UPDATE pg_class SET reltuples = 12000000 WHERE relname = 'User' AND relkind = 'r'`);
      await shopAdmin.query(`UPDATE pg_class SET reltuples = 2500000 WHERE relname = 'OrderItem' AND relkind = 'r'`);
      await shopAdmin.query(`CREATE ROLE guard_reader LOGIN PASSWORD '${readerPassword}'`);
      await shopAdmin.query('GRANT CONNECT ON DATABASE shop TO guard_reader');
      await shopAdmin.query('GRANT USAGE ON SCHEMA public TO guard_reader');
      await shopAdmin.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO guard_reader');
      await shopAdmin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    } finally {
      await shopAdmin.end();
    }
  });

  after(() => server?.stop());

  it('reads the estimates with a SELECT-only role: the same severities as from a stats file, and only reads reached the server', async () => {
    const admin = new Client({ connectionString: server!.adminUrl('shop') });
    await admin.connect();
    try {
      const rights = await admin.query<{ insert: boolean; update: boolean; delete: boolean; create: boolean }>(
        `SELECT has_table_privilege('guard_reader', '"User"', 'INSERT') AS insert, has_table_privilege('guard_reader', '"User"', 'UPDATE') AS update,
                has_table_privilege('guard_reader', '"User"', 'DELETE') AS delete, has_schema_privilege('guard_reader', 'public', 'CREATE') AS create`,
      );
      assert.deepStrictEqual(rights.rows[0], { insert: false, update: false, delete: false, create: false }, 'the role can only read');
    } finally {
      await admin.end();
    }

    const result = runCli(['check', shop, '--format', 'json', '--database-url-env', 'PMG_TEST_DATABASE_URL'], { env: { ...process.env, PMG_TEST_DATABASE_URL: readerUrl() } });
    assert.strictEqual(result.code, 1, result.stderr);
    assert.strictEqual(result.stderr, '');
    assert.deepStrictEqual(findingsOf(result.stdout), expectedWithSizes("the database's row estimates"));
    assert.deepStrictEqual(notesOf(result.stdout), [
      "Table sizes from the database's row estimates (6 table(s)): lock-only risks on tables under 10k rows are shown as info; data loss keeps its severity.",
    ]);

    // Every statement the tool sent, as the server logged it under its application_name.
    const sent = server!
      .log()
      .split('\n')
      .filter((line) => line.startsWith('[prisma-migration-guard] ') && line.includes('statement: '))
      .map((line) => line.slice(line.indexOf('statement: ') + 'statement: '.length).trim().split(/\s+/).slice(0, 3).join(' '));
    assert.deepStrictEqual(sent, ['BEGIN READ ONLY', 'SHOW transaction_read_only', 'SELECT n.nspname AS', 'ROLLBACK']);
    assert.ok(!result.stdout.includes(readerPassword));
  });

  it('a wrong password: the check still runs with default severities; the error is masked and the URL never shown', () => {
    const wrong = `postgresql://guard_reader:Wrong-Pass-x91@127.0.0.1:${server!.port}/shop`;
    for (const format of ['text', 'github']) {
      const result = runCli(['check', shop, '--format', format, '--database-url', wrong]);
      assert.strictEqual(result.code, 1, result.stderr);
      const output = result.stdout + result.stderr;
      assert.ok(!output.includes('Wrong-Pass-x91'), `${format}: the password leaked`);
      assert.ok(!output.includes(wrong), `${format}: the connection string leaked`);
      assert.strictEqual(
        result.stderr,
        `prisma-migration-guard: table sizes not used: could not read table sizes from postgresql://guard_reader:****@127.0.0.1:${server!.port}/shop: password authentication failed for user "guard_reader"\n`,
      );
    }
    const json = runCli(['check', shop, '--format', 'json', '--database-url', wrong]);
    assert.deepStrictEqual(findingsOf(json.stdout), baseFindings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message })));
    assert.deepStrictEqual(notesOf(json.stdout), [
      `Table sizes not used: could not read table sizes from postgresql://guard_reader:****@127.0.0.1:${server!.port}/shop: password authentication failed for user "guard_reader"`,
    ]);
  });

  it('MySQL is not supported yet, an unset variable is named, and neither stops the check', () => {
    const mysql = runCli(['check', shop, '--database-url', 'mysql://root:My-Secret-5@127.0.0.1:3306/shop']);
    assert.strictEqual(mysql.code, 1);
    assert.strictEqual(mysql.stderr, 'prisma-migration-guard: table sizes not used: reading table sizes from MySQL is not supported yet; pass --stats FILE with a table → rows JSON object instead\n');
    const env = { ...process.env };
    delete env.PMG_UNSET_URL;
    const unset = runCli(['check', shop, '--database-url-env', 'PMG_UNSET_URL'], { env });
    assert.strictEqual(unset.code, 1);
    assert.strictEqual(unset.stderr, 'prisma-migration-guard: table sizes not used: the environment variable PMG_UNSET_URL (--database-url-env) is not set.\n');
  });
});
