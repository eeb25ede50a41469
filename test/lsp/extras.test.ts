/**
 * What the editor asks for on demand, over stdio: the lock trace of pending
 * migrations (PGlite in a worker, from the server built with tsc and from the
 * bundled one the .vsix ships), and table
 * sizes from the settings (a stats file; a database URL that never shows up
 * unmasked).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { brief, copyExample, gitInitShop, LspClient, REPO_ROOT, uriOf } from './lspClient';

const INITIAL = [
  '12:5-12:16 1 remove-enum-value migration-guard',
  '22:2-22:18 1 add-required-column migration-guard',
  '28:6-28:13 1 drop-column migration-guard',
  '30:2-30:19 1 rename-column migration-guard',
  '31:25-31:32 2 add-unique-constraint migration-guard',
  '42:2-42:45 2 schema-drift migration-guard',
  '51:2-51:24 1 make-column-required migration-guard',
  '58:2-58:22 2 create-index-blocking migration-guard',
  '68:2-68:23 2 change-column-type migration-guard',
  '71:6-71:12 2 schema-drift migration-guard',
];

describe('language server: lock trace and table sizes', function () {
  this.timeout(180000);
  const cleanup: string[] = [];
  after(() => {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** examples/shop committed to git, plus one pending migration, as `prisma migrate dev` writes one. */
  function shopWithPendingIndex(): string {
    const root = copyExample('shop');
    cleanup.push(root);
    gitInitShop(root);
    const folder = path.join(root, 'prisma', 'migrations', '20240401000000_add_order_created_index');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'migration.sql'), '-- CreateIndex\nCREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt");\n');
    return root;
  }

  /** The trace of shopWithPendingIndex(): PGlite observed the SHARE lock CREATE INDEX takes. */
  async function assertTracesPendingIndex(client: LspClient, root: string): Promise<void> {
    const trace = await client.lockTrace();
    assert.strictEqual(trace.available, true, trace.message);
    assert.strictEqual(trace.message, undefined);
    const lines = trace.markdown.split('\n');
    assert.deepStrictEqual(lines.slice(0, 4), ['# Lock trace of pending migrations', '', `## ${path.basename(root)}`, '']);
    assert.match(lines[4], /^### Lock trace \(PGlite \(PostgreSQL [\d.]+\)\)$/);
    const row = lines.find((l) => l.startsWith('| `CREATE INDEX'));
    assert.ok(row, trace.markdown);
    assert.strictEqual(row, '| `CREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt")` | prisma/migrations/20240401000000_add_order_created_index/migration.sql:2 | SHARE on `Order` (blocks writes) |');
    assert.ok(client.logs.some((l) => /^Lock trace of .*: 1 statement\(s\) in \d+ ms\.$/.test(l)));
  }

  it('traces the locks of the pending migrations on request, and only then', async () => {
    const root = shopWithPendingIndex();
    const client = await LspClient.start({ workspaceFolders: [root] });
    try {
      const report = await client.report();
      // The report offers the trace; it does not run it.
      assert.match(report.markdown, /### Lock trace\n\nRun "Migration Guard: Trace locks of pending migrations" to execute the 1 pending migration on an embedded PostgreSQL/);
      assert.ok(!client.logs.some((l) => l.startsWith('Lock trace of')));
      await assertTracesPendingIndex(client, root);
    } finally {
      await client.stop();
    }
  });

  it('the bundled server (scripts/build-extension.js, no node_modules above it) runs the trace too: the worker and PGlite ship in dist/', async () => {
    const install = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-bundle-trace-'));
    cleanup.push(install);
    const root = shopWithPendingIndex();
    const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-extension.js'), '--outdir', path.join(install, 'dist'), '--no-check'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, build.stderr);
    const client = await LspClient.start({ workspaceFolders: [root], serverJs: path.join(install, 'dist', 'server.js') });
    try {
      await assertTracesPendingIndex(client, root);
    } finally {
      await client.stop();
    }
  });

  it('reads table sizes from migrationGuard.statsFile once, and lowers lock-only risks on small tables', async () => {
    const root = copyExample('shop');
    cleanup.push(root);
    fs.writeFileSync(path.join(root, 'stats.json'), JSON.stringify({ Order: 250, Product: 5000000 }));
    const client = await LspClient.start({ workspaceFolders: [root], settings: { deployed: 'all', statsFile: 'stats.json' } });
    try {
      const schema = path.join(root, 'prisma', 'schema.prisma');
      // An index on a 250-row table blocks writes for milliseconds: info, not warning.
      const diagnostics = await client.diagnostics(uriOf(schema), (p) => p.diagnostics.some((d) => d.code === 'create-index-blocking' && d.severity === 3));
      assert.deepStrictEqual(diagnostics.map(brief), INITIAL.map((d) => d.replace('2 create-index-blocking', '3 create-index-blocking')));
      await client.until('the sizes log line', () => client.logs.find((l) => l === `${root}: Table sizes: 2 table estimate(s) from stats file ${path.join(root, 'stats.json')}.`));
      // Typing does not read the file again.
      const text = fs.readFileSync(schema, 'utf8');
      await client.open(schema, text, 1);
      await client.change(schema, 2, [{ range: { start: { line: 22, character: 18 }, end: { line: 22, character: 18 } }, text: '?' }]);
      await client.diagnostics(uriOf(schema), (p) => p.version === 2);
      assert.strictEqual(client.logs.filter((l) => l.includes('Table sizes:')).length, 1);
    } finally {
      await client.stop();
    }
  });

  it('never shows the database URL unmasked, even when the database cannot be reached', async () => {
    const root = copyExample('shop');
    cleanup.push(root);
    const url = 'postgresql://reader:s3cr3t-pw@127.0.0.1:1/shop?sslmode=disable';
    const client = await LspClient.start({ workspaceFolders: [root], settings: { deployed: 'all', database: { url } } });
    try {
      const schema = path.join(root, 'prisma', 'schema.prisma');
      assert.deepStrictEqual((await client.diagnostics(uriOf(schema))).map(brief), INITIAL);
      const warning = await client.until('the sizes warning', () => client.logs.find((l) => l.includes('Table sizes not used')));
      assert.ok(warning.startsWith(`${root}: Table sizes not used (postgresql://reader:****@127.0.0.1:1/shop?…): could not read table sizes from postgresql://reader:****@127.0.0.1:1/shop?…`), warning);
      for (const text of [...client.logs, ...client.messages, client.stderr]) {
        assert.ok(!text.includes('s3cr3t'), `the password leaked: ${text}`);
      }
    } finally {
      await client.stop();
    }
  });
});
