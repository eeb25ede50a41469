/**
 * check --preflight against a real PostgreSQL server (Debian's, started here):
 * a project whose pending changes cover every count the preflight makes, a
 * database seeded so that each count has a known answer, and a table over
 * the scan limit. The whole list of findings is asserted, messages included.
 */
import * as assert from 'assert';
import { postgresBinDir, runCli, startPostgres, type PostgresServer } from './support';

import { expectedFindings as expected, type Row, SCHEMA, seedPreflightDatabase, type TableBytes as Sizes, writePreflightProject } from './preflightFixture';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  file: string;
  range: { start: { line: number } };
  preflight?: { check?: string; method?: string; count?: number; groups?: number; examples?: string[]; samplePercent?: number; database: string };
}

interface JsonOutput {
  findings: JsonFinding[];
  notes: { level: string; message: string }[];
  preflight?: { database: string; engine: string };
}

function rowsOf(output: JsonOutput): Row[] {
  return output.findings.map((f) => {
    const p = f.preflight;
    const counted = p?.check ? `${p.check} ${p.method} ${p.count ?? ''}${p.groups !== undefined ? ` in ${p.groups}` : ''}${p.samplePercent !== undefined ? ` @${p.samplePercent}%` : ''}` : p ? 'size only' : '-';
    return [f.file, f.range.start.line, f.ruleId, f.severity, f.message, counted];
  });
}

describe('check --preflight on a real PostgreSQL server', function () {
  this.timeout(300000);
  let server: PostgresServer | undefined;
  let project: string;
  let sizes: Sizes;
  let version: string;
  const readerPassword = 'pf-reader-Z8k1';
  const readerUrl = (): string => `postgresql://pf_reader:${readerPassword}@127.0.0.1:${server?.port}/app`;
  const masked = (): string => `postgresql://pf_reader:****@127.0.0.1:${server?.port}/app`;
  const check = (...args: string[]): { code: number | null; stdout: string; stderr: string } =>
    runCli(['check', project, ...args, '--database-url-env', 'PMG_PF_URL'], { env: { ...process.env, PMG_PF_URL: readerUrl() } });

  before(async function () {
    if (!postgresBinDir()) {
      // .ci/run installs Debian's postgresql; a developer machine without it skips, and says so.
      console.log('      PostgreSQL is not installed: skipped');
      this.skip();
    }
    server = await startPostgres();
    ({ sizes, version } = await seedPreflightDatabase(server, readerPassword));
    project = writePreflightProject();
  });

  after(() => server?.stop());

  it('turns each condition into a count: positive counts are errors that say the count, an exact zero takes the failure away, a sample proves nothing; read-only, each count asked once', () => {
    const logBefore = server!.log().length;
    const result = check('--format', 'json', '--preflight', '--preflight-scan-limit', '1');
    assert.strictEqual(result.code, 1, result.stderr);
    assert.strictEqual(result.stderr, '');
    const output = JSON.parse(result.stdout) as JsonOutput;
    assert.deepStrictEqual(rowsOf(output), expected(sizes));
    assert.deepStrictEqual(output.preflight && { database: output.preflight.database, engine: output.preflight.engine }, { database: masked(), engine: `PostgreSQL ${version}` });
    assert.ok(output.findings.every((f) => !f.preflight || f.preflight.database === masked()));
    assert.deepStrictEqual(output.notes, [
      { level: 'info', message: "Table sizes from the database's row estimates (5 table(s)): lock-only risks on tables under 10k rows are shown as info; data loss keeps its severity." },
      { level: 'info', message: `Preflight against ${masked()} (PostgreSQL ${version}), read-only, statement timeout 30 s: 10 count(s), 4 table size(s).` },
      { level: 'info', message: 'Preflight: 1 count(s) read a sample of a table over the 1 MB scan limit; a count of 0 in a sample proves nothing. A full scan reads them whole.' },
    ]);
    assert.ok(!result.stdout.includes(readerPassword));

    // What reached the server from the preflight's session: read-only transaction, timeouts, then only reads.
    const sent = server!
      .log()
      .slice(logBefore)
      .split('\n')
      .filter((line) => line.startsWith('[prisma-migration-guard] ') && /(statement|execute <unnamed>): /.test(line))
      .map((line) => line.replace(/^.*?(statement|execute <unnamed>): /, '').trim());
    const preflight = sent.slice(sent.indexOf('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'));
    assert.deepStrictEqual(preflight.slice(0, 5), ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', 'SET LOCAL statement_timeout = 30000', 'SET LOCAL lock_timeout = 1000', 'SHOW transaction_read_only', 'SHOW server_version']);
    assert.strictEqual(preflight[preflight.length - 1], 'ROLLBACK');
    const verbs = new Set(preflight.slice(5, -1).map((statement) => statement.split(/\s+/)[0]));
    assert.deepStrictEqual([...verbs].sort(), ['DO', 'RELEASE', 'SAVEPOINT', 'SELECT']);
    assert.ok(preflight.filter((s) => s.startsWith('ROLLBACK TO SAVEPOINT')).length === 0, 'no question failed');
    // Two findings ask about the NULLs of Account.nickname, two about the orphans of Comment.postId: each is counted once.
    const counts = preflight.filter((s) => (s.startsWith('SELECT') && !s.includes('reltuples')) || s.startsWith('DO')).length;
    assert.strictEqual(counts, 10, preflight.join('\n'));
    assert.strictEqual(preflight.filter((s) => s.includes('reltuples')).length, 5, 'one size query per table (Tag is sized for its row count)');
  });

  it('--preflight-full-scan reads the table over the limit whole, and --preflight-show-values shows duplicate keys', () => {
    const result = check('--format', 'json', '--preflight', '--preflight-scan-limit', '1', '--preflight-full-scan', '--preflight-show-values');
    assert.strictEqual(result.code, 1, result.stderr);
    const output = JSON.parse(result.stdout) as JsonOutput;
    assert.deepStrictEqual(rowsOf(output), expected(sizes, { full: true, shown: true }));
    assert.deepStrictEqual(output.notes.map((n) => n.message).slice(1), [`Preflight against ${masked()} (PostgreSQL ${version}), read-only, statement timeout 30 s: 10 count(s), 4 table size(s).`]);
  });

  it('text output carries the counts in the messages; without a URL --preflight stops with exit 2; a wrong password leaves the findings as they were, masked', () => {
    const text = check('--preflight', '--preflight-scan-limit', '1');
    assert.strictEqual(text.code, 1, text.stderr);
    assert.ok(
      text.stdout.split('\n').includes(`${SCHEMA}:15:3 error add-required-column ${expected(sizes)[7][4]}`),
      text.stdout,
    );
    const noUrl = runCli(['check', project, '--preflight']);
    assert.strictEqual(noUrl.code, 2);
    assert.strictEqual(noUrl.stderr, 'prisma-migration-guard: --preflight counts rows in a database: pass --database-url-env NAME (or --database-url URL) with a read-only connection string\n');

    const wrong = `postgresql://pf_reader:Wrong-Pw-77@127.0.0.1:${server!.port}/app`;
    const failed = runCli(['check', project, '--format', 'json', '--preflight', '--database-url', wrong]);
    assert.strictEqual(failed.code, 1);
    assert.ok(!(failed.stdout + failed.stderr).includes('Wrong-Pw-77'));
    const problem = `could not start the preflight on postgresql://pf_reader:****@127.0.0.1:${server!.port}/app: password authentication failed for user "pf_reader"`;
    assert.strictEqual(failed.stderr.split('\n').filter((l) => l.includes('preflight')).join('\n'), `prisma-migration-guard: preflight not run: ${problem}`);
    const output = JSON.parse(failed.stdout) as JsonOutput;
    assert.ok(output.findings.every((f) => f.preflight === undefined && !f.message.includes('Preflight')));
    assert.deepStrictEqual(output.notes.filter((n) => n.message.includes('reflight')), [{ level: 'warning', message: `Preflight not run: ${problem}` }]);
  });
});
