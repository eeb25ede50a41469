/**
 * "Preflight pending changes against the database" over stdio: the server
 * connects only when asked, reports progress, puts the counts into the
 * diagnostics (message and related information) and the report, keeps them
 * while the user types without connecting again, and refuses a URL that a
 * committed workspace file holds. A real PostgreSQL server, as in the CLI's test.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { PreflightProgressNotification, type PreflightProgressParams, PreflightRequest, type PreflightResult } from '../../server/src/lsp/protocol';
import { expectedFindings, MIGRATION, SCHEMA, seedPreflightDatabase, type TableBytes, writePreflightProject } from '../ci/preflightFixture';
import { postgresBinDir, startPostgres, type PostgresServer } from '../ci/support';
import { LspClient, uriOf } from './lspClient';

const SEVERITY: Record<string, number> = { error: 1, warning: 2, info: 3 };

describe('language server: preflight against the database', function () {
  this.timeout(300000);
  let server: PostgresServer | undefined;
  let sizes: TableBytes;
  const password = 'lsp-reader-P4q';
  const url = (): string => `postgresql://pf_reader:${password}@127.0.0.1:${server?.port}/app`;
  const masked = (): string => `postgresql://pf_reader:****@127.0.0.1:${server?.port}/app`;
  const preflightSessions = (): number => server!.log().split('\n').filter((l) => l.startsWith('[prisma-migration-guard] ') && l.includes('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')).length;

  before(async function () {
    if (!postgresBinDir()) {
      console.log('      PostgreSQL is not installed: skipped');
      this.skip();
    }
    server = await startPostgres();
    ({ sizes } = await seedPreflightDatabase(server, password));
  });

  after(() => server?.stop());

  function runPreflight(client: LspClient): Promise<PreflightResult> {
    return client.connection.sendRequest<PreflightResult>(PreflightRequest.method, {});
  }

  /** [line, severity, code, message] of a file's diagnostics, and the preflight's related information. */
  function shown(diagnostics: Diagnostic[]): [number, number, string, string, string][] {
    return diagnostics.map((d) => [
      d.range.start.line,
      d.severity ?? 0,
      String(d.code),
      d.message,
      (d.relatedInformation ?? []).filter((r) => r.message.startsWith('Preflight (')).map((r) => r.message).join(' | '),
    ]);
  }

  function expectedShown(file: string): [number, number, string, string, string][] {
    return expectedFindings(sizes)
      .filter((row) => row[0] === file)
      .map(([, line, ruleId, severity, message]) => {
        const summary = message.split(' Preflight: ')[1];
        return [line, SEVERITY[severity], ruleId, message, summary ? `Preflight (${masked()}): ${summary}` : ''];
      });
  }

  it('counts only when asked, with progress; the diagnostics and the report carry the counts, and typing keeps them without connecting again', async () => {
    const root = writePreflightProject();
    const client = await LspClient.start({ workspaceFolders: [root], settings: { database: { url: url() }, preflight: { scanLimitMb: 1 } } });
    const progress: PreflightProgressParams[] = [];
    client.connection.onNotification(PreflightProgressNotification.method, (params: PreflightProgressParams) => progress.push(params));
    try {
      const schema = path.join(root, SCHEMA);
      const first = await client.diagnostics(uriOf(schema));
      assert.ok(first.every((d) => !d.message.includes('Preflight')));
      await client.until('the table sizes', () => client.logs.find((l) => l.includes('Table sizes: ')));
      assert.strictEqual(preflightSessions(), 0, 'nothing is counted before the command');

      const result = await runPreflight(client);
      assert.strictEqual(result.counted, 1, result.message);
      assert.strictEqual(result.message, undefined);
      assert.deepStrictEqual(progress[progress.length - 1], { project: path.basename(root), done: 14, total: 14 });
      assert.deepStrictEqual(progress.map((p) => p.done), [...Array(14).keys()].map((i) => i + 1));

      const lines = result.markdown.split('\n');
      assert.deepStrictEqual(lines.slice(0, 5), ['# Preflight of pending changes', '', `## ${path.basename(root)}`, '', '### Preflight against the database']);
      assert.match(lines[6], new RegExp(`^PostgreSQL [\\d.]+, ${masked().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, read-only, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.$`));
      const rows = lines.filter((l) => l.startsWith('| `'));
      const measured = expectedFindings(sizes).filter((row) => row[4].includes(' Preflight: '));
      assert.deepStrictEqual(
        rows,
        measured
          .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2].localeCompare(b[2]))
          .map(([file, line, ruleId, severity, message]) => {
            // Before the counts: the rule's default, lowered by the table sizes on the empty `Tag` and the 60-row `Post` index.
            const warnings = ['add-foreign-key', 'sql-foreign-key-not-valid', 'add-unique-constraint', 'sql-set-not-null-scan'];
            const before = warnings.includes(ruleId) || (ruleId === 'add-required-column' && line === 45) ? 'warning' : ruleId === 'create-index-blocking' ? 'info' : 'error';
            const cell = (text: string): string => text.replace(/\|/g, '\\|');
            return `| \`${ruleId}\` | ${file}:${line + 1} | ${cell(message.split(' Preflight: ')[1])} | ${before === severity ? severity : `${severity} (was ${before})`} |`;
          }),
      );

      const schemaDiagnostics = await client.diagnostics(uriOf(schema), (p) => p.diagnostics.some((d) => d.message.includes('Preflight')));
      assert.deepStrictEqual(shown(schemaDiagnostics), expectedShown(SCHEMA));
      const migration = path.join(root, MIGRATION);
      const sqlDiagnostics = await client.diagnostics(uriOf(migration), (p) => p.diagnostics.some((d) => d.message.includes('Preflight')));
      assert.deepStrictEqual(shown(sqlDiagnostics), expectedShown(MIGRATION));

      // Typing analyses again with the counts kept; nothing connects.
      const text = fs.readFileSync(schema, 'utf8');
      await client.open(schema, text, 1);
      await client.change(schema, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// edited\n' }]);
      const edited = await client.diagnostics(uriOf(schema), (p) => p.version === 2);
      assert.deepStrictEqual(shown(edited), expectedShown(SCHEMA).map(([line, ...rest]) => [line + 1, ...rest] as [number, number, string, string, string]));
      assert.strictEqual(preflightSessions(), 1);

      const report = await client.report();
      assert.ok(report.markdown.includes('### Preflight against the database'), report.markdown);
      assert.ok(!JSON.stringify(client.logs).includes(password) && !report.markdown.includes(password) && !result.markdown.includes(password));
    } finally {
      await client.stop();
    }
  });

  it('refuses a URL from a committed .vscode/settings.json unless the user allows it, and says what to set when none is configured', async () => {
    const root = writePreflightProject();
    fs.mkdirSync(path.join(root, '.vscode'));
    fs.writeFileSync(path.join(root, '.vscode', 'settings.json'), JSON.stringify({ 'migrationGuard.database.url': url() }, null, 2));
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', 'add', '.vscode/settings.json'], { cwd: root });
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'settings'], { cwd: root });
    const sessions = preflightSessions();
    const name = path.basename(root);
    const refused = await LspClient.start({ workspaceFolders: [root], settings: { database: { url: url() } } });
    try {
      const result = await runPreflight(refused);
      assert.deepStrictEqual({ counted: result.counted, message: result.message }, {
        counted: 0,
        message: `The database URL for ${name} comes from .vscode/settings.json, which is committed to git, so it is not used: move it to your user settings, or allow it with \`migrationGuard.preflight.allowUrlFromCommittedFile\` in your user settings.`,
      });
    } finally {
      await refused.stop();
    }
    assert.strictEqual(preflightSessions(), sessions);

    const allowed = await LspClient.start({ workspaceFolders: [root], settings: { database: { url: url() }, preflight: { allowUrlFromCommittedFile: true } } });
    try {
      const result = await runPreflight(allowed);
      assert.deepStrictEqual({ counted: result.counted, message: result.message }, { counted: 1, message: undefined });
    } finally {
      await allowed.stop();
    }
    assert.strictEqual(preflightSessions(), sessions + 1);

    const none = await LspClient.start({ workspaceFolders: [root], settings: {} });
    try {
      const result = await runPreflight(none);
      assert.deepStrictEqual({ counted: result.counted, message: result.message }, {
        counted: 0,
        message: `No database is configured for ${name}: set \`migrationGuard.database.url\` (user settings) to a read-only connection string. The editor never connects otherwise.`,
      });
    } finally {
      await none.stop();
    }
  });
});
