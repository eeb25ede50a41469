/**
 * The extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3),
 * packaged and installed as a user gets it, its own mocha suite run inside the
 * extension host, one look at the Problems panel and the quick-fix menu in
 * headless Chromium, and the lock trace run from the Command Palette, on the
 * PGlite the .vsix ships (screenshots in .e2e/screenshots/). See test/vscode/codeServer.ts.
 *
 * Needs .ci/install-e2e.sh (CI runs it). Without code-server or Chromium this
 * fails under CI and is skipped, with a message, elsewhere.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SUMMARY } from '../support/driftingProject';
import { cliFindings, CodeServerE2E, missingTools, type SuiteResult } from '../vscode/codeServer';

describe('VS Code (code-server + headless Chromium)', function () {
  this.timeout(240000);
  let e2e: CodeServerE2E | undefined;

  before(async function () {
    const missing = missingTools();
    if (missing.length > 0) {
      const message = `missing ${missing.join(', ')}: run .ci/install-e2e.sh`;
      if (process.env.CI) throw new Error(`${message} (CI requires the VS Code end-to-end test)`);
      console.log(`    ${message} — skipping the VS Code tests`);
      this.skip();
    }
    e2e = new CodeServerE2E();
  });

  after(async () => {
    await e2e?.dispose();
    if (e2e) console.log(e2e.log.map((l) => `    ${l.replace(/\n/g, '\n    ')}`).join('\n'));
  });

  it('packages the extension as a .vsix and installs it with code-server --install-extension', async () => {
    assert.ok(e2e);
    e2e.packageExtension();
    e2e.installExtension();
    await e2e.start();
  });

  it('passes its own mocha suite inside the extension host (diagnostics, quick fix, report, commands)', async function () {
    assert.ok(e2e?.url, 'code-server did not start');
    const suite: SuiteResult = await e2e.runSuite();
    const hostErrors = suite.console.filter((l) => /^\[error\]/.test(l)).slice(-20).join('\n');
    assert.strictEqual(suite.exitCode, 0, `the in-host suite failed (exit ${suite.exitCode}):\n${suite.results}\nlast browser errors:\n${hostErrors}`);
    // Every in-host test ran and passed: the suite's own summary says so.
    assert.match(suite.results, /^in-host: 5 passed, 0 failed/m, suite.results);
  });

  it('shows the diagnostics in the Problems panel, the quick fix in the Ctrl+. menu, the status bar, the output channel and the report', async function () {
    assert.ok(e2e?.url, 'code-server did not start');
    const look = await e2e.look();
    const findings = cliFindings(e2e.workspace('expected'));
    // The file's row with the count, then per finding its row ("message migration-guard(rule) [Ln l, Col c]")
    // and its related location (the migration that created the object).
    assert.match(look.problemRows[0], new RegExp(`^schema\\.prisma\\s*prisma\\s*${findings.length}$`));
    const shown = look.problemRows
      .map((row) => /migration-guard\s*\(?([a-z-]+)\)?\s*\[Ln (\d+), Col (\d+)\]$/.exec(row))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]} ${m[2]}:${m[3]}`);
    // (The panel lists errors before warnings; compared in one order.)
    const expected = findings.map((f) => `${f.ruleId} ${f.range.start.line + 1}:${f.range.start.character + 1}`);
    assert.deepStrictEqual([...shown].sort(), [...expected].sort(), look.problemRows.join('\n'));
    for (const f of findings) assert.ok(look.problemRows.some((row) => row.startsWith(f.message.replace(/\s+/g, ' ').slice(0, 40))), `no row shows: ${f.message}`);

    assert.ok(look.quickFixMenu.some((item) => item.includes('Make `User.phone` optional')), look.quickFixMenu.join('\n'));
    const unsafe = findings.filter((f) => f.severity !== 'info').length;
    assert.strictEqual(look.statusBar, `Migration Guard: ${unsafe} unsafe changes`);
    assert.match(look.outputChannel, /Prisma Migration Guard's own grammar highlights \.prisma files/);
    // "Check migration safety" from the Command Palette: the rendered report names every rule that fired.
    assert.match(look.report, /^Migration safety report/);
    for (const id of new Set(findings.map((f) => f.ruleId))) assert.ok(look.report.includes(id), `the report preview does not mention ${id}`);
    // Its places are links (not raw file: text), and one leads to the schema at that line.
    assert.ok(!look.report.includes('](file:'), 'the report shows raw file: links');
    const linked = /^prisma\/schema\.prisma:(\d+)$/.exec(look.reportLink.text);
    assert.ok(linked && findings.some((f) => f.range.start.line + 1 === Number(linked[1])), `the link ${look.reportLink.text} names no finding's line`);
    assert.strictEqual(look.reportLink.tab, 'schema.prisma');
    assert.match(look.reportLink.cursor, new RegExp(`^Ln ${linked[1]}, Col \\d+$`));
    for (const shot of look.screenshots) assert.ok(fs.statSync(shot).size > 10000, `${path.basename(shot)} is empty`);
  });

  it('on a git checkout whose HEAD already drifts: one pre-existing-drift problem on the datasource block, and its report section', async function () {
    assert.ok(e2e?.url, 'code-server did not start');
    const look = await e2e.lookPreexisting();
    assert.deepStrictEqual(look.problemRows, [
      'schema.prismaprisma 1',
      `${SUMMARY} migration-guard schema-drift [Ln 1, Col 1]`,
    ]);
    const lines = look.report.split('\n').map((l) => l.trim());
    const from = lines.indexOf('Pre-existing drift (committed at HEAD)');
    assert.deepStrictEqual(
      lines.slice(from).filter((l) => /^(Pre-existing drift|\d+\. )/.test(l)),
      [
        'Pre-existing drift (committed at HEAD)',
        '1. new column User.bio — safe',
        '2. index Post_authorId_idx added on Post — risk: warning',
        '3. foreign key Post_authorId_fkey added on Post — risk: warning',
      ],
    );
    for (const shot of look.screenshots) assert.ok(fs.statSync(shot).size > 10000, `${path.basename(shot)} is empty`);
  });

  it('runs "Trace locks of pending migrations" from the installed .vsix: its worker starts the PGlite it ships and reports the lock', async function () {
    assert.ok(e2e?.url, 'code-server did not start');
    const trace = await e2e.traceLocks();
    const lines = trace.text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter((l) => l !== '');
    assert.strictEqual(lines[0], 'Lock trace of pending migrations', trace.text);
    assert.strictEqual(lines[1], 'shop');
    assert.match(lines[2], /^Lock trace \(PGlite \(PostgreSQL [\d.]+\)\)$/);
    // The table's row: the statement, its place, and the lock PostgreSQL took (cells are tab-separated in the rendered text).
    assert.ok(
      lines.includes('CREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt") prisma/migrations/20240401000000_add_order_created_index/migration.sql:2 SHARE on Order (blocks writes)'),
      trace.text,
    );
    assert.ok(!/not available/.test(trace.text), trace.text);
    assert.ok(fs.statSync(trace.screenshot).size > 10000, 'lock-trace.png is empty');
  });
});
