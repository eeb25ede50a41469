/**
 * The extension in a real VS Code: code-server (VS Code 1.100.3, from npm,
 * installed by .ci/install-e2e.sh into .e2e/tools) driven by headless Chromium.
 *
 *   1. package the extension as a user gets it: `vsce package` → .e2e/prisma-migration-guard.vsix
 *   2. install it: `code-server --install-extension` into a fresh extensions folder
 *   3. start code-server on a free loopback port
 *   4. run the extension's mocha suite (test/vscode/suite) in the remote extension
 *      host: a workbench opened with an `extensionTestsPath` payload, on a temp copy
 *      of examples/shop; `extensionDevelopmentPath` is the INSTALLED folder, so the
 *      code under test is what the .vsix carries
 *   5. look at it as a person would, on a second fresh copy: the Problems panel,
 *      the quick-fix menu, the status bar, the output channel and the report's
 *      preview, with screenshots in .e2e/screenshots/ (CI artifacts)
 *
 * Used by test/e2e/vscode.test.ts; also runs alone: `node out/test/vscode/codeServer.js`.
 * Everything it writes stays under .e2e/ (git ignores it) and the temp folder.
 */
import * as assert from 'assert';
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { driftingRepository } from '../support/driftingProject';
import { type Browser, launchChromium, type Page } from './browser';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const E2E_DIR = path.join(REPO_ROOT, '.e2e');
export const TOOLS_DIR = path.join(E2E_DIR, 'tools');
export const SCREENSHOTS_DIR = path.join(E2E_DIR, 'screenshots');
export const CHROMIUM = process.env.MG_CHROMIUM ?? '/usr/bin/chromium';
const CODE_SERVER = path.join(TOOLS_DIR, 'node_modules', '.bin', 'code-server');
const CODE_SERVER_VERSION = '4.100.3';
const EXTENSION_ID = 'migration-guard.prisma-migration-guard';
const SUITE = path.join(REPO_ROOT, 'out', 'test', 'vscode', 'suite', 'index.js');
const CLI = path.join(REPO_ROOT, 'out', 'server', 'src', 'cli.js');

/** What is missing to run this on this machine; empty when everything is there. */
export function missingTools(): string[] {
  const missing: string[] = [];
  const pkg = path.join(TOOLS_DIR, 'node_modules', 'code-server', 'package.json');
  if (!fs.existsSync(CODE_SERVER) || !fs.existsSync(pkg)) missing.push(`code-server ${CODE_SERVER_VERSION} in .e2e/tools`);
  else if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version !== CODE_SERVER_VERSION) missing.push(`code-server ${CODE_SERVER_VERSION} (another version is in .e2e/tools)`);
  if (!fs.existsSync(path.join(TOOLS_DIR, 'node_modules', 'playwright-core', 'package.json'))) missing.push('playwright-core in .e2e/tools');
  if (!fs.existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM})`);
  return missing;
}

export interface Finding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  file: string;
  range: { start: { line: number; character: number } };
}

/** The CLI's findings for a project folder: what the editor must show. */
export function cliFindings(root: string): Finding[] {
  const run = spawnSync(process.execPath, [CLI, 'check', root, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.strictEqual(run.status, 0, `the CLI failed:\n${run.stderr}`);
  return (JSON.parse(run.stdout) as { findings: Finding[] }).findings;
}

/** Polls until `probe` returns a value `done` accepts, or fails at the deadline with the last value. */
export async function until<T>(what: string, probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.setTimeout(2000, () => request.destroy());
  });
}

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export interface SuiteResult {
  exitCode: number | 'timeout';
  /** What the in-host mocha suite reported (test/vscode/suite/index.ts). */
  results: string;
  /** The browser's console: the workbench's and the extension host's messages. */
  console: string[];
}

export interface LookResult {
  problemRows: string[];
  quickFixMenu: string[];
  statusBar: string;
  outputChannel: string;
  /** The text of the report's Markdown preview, opened from the Command Palette. */
  report: string;
  /** The report's first link to a schema line (`prisma/schema.prisma:13`), followed: the editor tab and cursor position it led to. */
  reportLink: { text: string; tab: string; cursor: string };
  screenshots: string[];
}

export class CodeServerE2E {
  readonly runDir = path.join(E2E_DIR, 'run');
  readonly vsix = path.join(E2E_DIR, 'prisma-migration-guard.vsix');
  readonly extensionsDir = path.join(this.runDir, 'extensions');
  readonly userDataDir = path.join(this.runDir, 'user-data');
  readonly log: string[] = [];
  installedExtension = '';
  url = '';
  private server: ChildProcess | undefined;
  private browser: Browser | undefined;
  private readonly workspaces: string[] = [];

  constructor(private readonly verbose = false) {}

  private say(line: string): void {
    this.log.push(line);
    if (this.verbose) console.log(line);
  }

  /** An environment that keeps code-server's state under .e2e/ and away from any VS Code this runs inside. */
  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(VSCODE_|ELECTRON_)/.test(key)) env[key] = value;
    const dirs = { TMPDIR: path.join(this.runDir, 'tmp'), XDG_CONFIG_HOME: path.join(E2E_DIR, 'xdg', 'config'), XDG_DATA_HOME: path.join(E2E_DIR, 'xdg', 'data'), XDG_CACHE_HOME: path.join(E2E_DIR, 'xdg', 'cache') };
    for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
    return { ...env, ...dirs, ...extra };
  }

  /** A fresh copy of examples/shop outside any git repository, where every migration counts as deployed. */
  workspace(label: string): string {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), `mg-vscode-${label}-`));
    this.workspaces.push(parent);
    const root = path.join(parent, 'shop');
    fs.cpSync(path.join(REPO_ROOT, 'examples', 'shop'), root, { recursive: true });
    // Also said in the project's configuration, for a temp folder that happens to sit inside a git work tree.
    fs.writeFileSync(path.join(root, '.migration-guard.json'), '{ "deployed": "all" }\n');
    return root;
  }

  /** examples/shop committed to a git repository of its own, plus one migration folder not committed yet: pending. */
  workspaceWithPendingMigration(label: string): string {
    const root = this.workspace(label);
    fs.rmSync(path.join(root, '.migration-guard.json'));
    // The schema stays out of the commit: its edits are the user's (committed, they would be pre-existing drift).
    for (const args of [['init', '-q'], ['add', '-A'], ['reset', '-q', '--', 'prisma/schema.prisma'], ['commit', '-q', '-m', 'shop']]) {
      const run = spawnSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
      assert.strictEqual(run.status, 0, `git ${args[0]} failed: ${run.stderr}`);
    }
    const folder = path.join(root, 'prisma', 'migrations', '20240401000000_add_order_created_index');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'migration.sql'), '-- CreateIndex\nCREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt");\n');
    return root;
  }

  /** Step 1: `vsce package`, which runs the manifest's vscode:prepublish (the minified bundle into dist/). */
  packageExtension(): void {
    const started = Date.now();
    fs.mkdirSync(E2E_DIR, { recursive: true });
    fs.rmSync(this.vsix, { force: true });
    const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const run = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', this.vsix], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 180000,
    });
    assert.ok(run.status === 0 && fs.existsSync(this.vsix), `vsce package failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
    this.say(`packaged ${path.relative(REPO_ROOT, this.vsix)} (${(fs.statSync(this.vsix).size / 1e6).toFixed(1)} MB) in ${seconds(started)}`);
  }

  /** Step 2: installs the .vsix with code-server's own CLI into a fresh extensions folder. */
  installExtension(): void {
    const started = Date.now();
    fs.rmSync(this.runDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(this.userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(this.userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.enableExperiments': false,
          'workbench.welcomePage.walkthroughs.openOnInstall': false,
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'extensions.ignoreRecommendations': true,
          'security.workspace.trust.enabled': false,
          'git.openRepositoryInParentFolders': 'never',
          'chat.commandCenter.enabled': false,
          'window.commandCenter': false,
        },
        null,
        2,
      ),
    );
    const run = spawnSync(CODE_SERVER, ['--extensions-dir', this.extensionsDir, '--user-data-dir', this.userDataDir, '--install-extension', this.vsix], {
      encoding: 'utf8',
      env: this.env(),
      timeout: 120000,
    });
    assert.strictEqual(run.status, 0, `code-server --install-extension failed:\n${run.stdout}\n${run.stderr}`);
    const folder = fs.readdirSync(this.extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
    assert.ok(folder, `no ${EXTENSION_ID} folder in ${this.extensionsDir}: ${run.stdout}`);
    this.installedExtension = path.join(this.extensionsDir, folder);
    for (const file of ['package.json', 'dist/extension.js', 'dist/server.js']) assert.ok(fs.existsSync(path.join(this.installedExtension, file)), `the installed extension has no ${file}`);
    this.say(`installed ${folder} in ${seconds(started)}`);
  }

  /** Step 3: starts code-server on a free port and waits for it to answer. */
  async start(): Promise<void> {
    const started = Date.now();
    const logFile = path.join(this.runDir, 'code-server.log');
    const out = fs.openSync(logFile, 'w');
    this.server = spawn(
      CODE_SERVER,
      ['--bind-addr', '127.0.0.1:0', '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--extensions-dir', this.extensionsDir, '--user-data-dir', this.userDataDir],
      {
        env: this.env({ MG_VSCODE_RESULTS: path.join(this.runDir, 'suite-results.txt'), MG_VSCODE_EXTENSION_DIR: this.installedExtension }),
        stdio: ['ignore', out, out],
      },
    );
    fs.closeSync(out);
    const exited = new Promise<string>((resolve) => this.server?.on('exit', (code, signal) => resolve(`code-server exited (${code ?? signal})`)));
    const port = await Promise.race([
      until('code-server listening', () => /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(logFile, 'utf8'))?.[1], (p) => !!p, 60000),
      exited.then((why) => Promise.reject(new Error(`${why}:\n${fs.readFileSync(logFile, 'utf8')}`))),
    ]);
    this.url = `http://127.0.0.1:${port}`;
    await until('code-server /healthz', () => httpOk(`${this.url}/healthz`), (ok) => ok, 30000);
    this.browser = await launchChromium(TOOLS_DIR, CHROMIUM);
    this.say(`code-server ${CODE_SERVER_VERSION} at ${this.url} and chromium ready in ${seconds(started)}`);
  }

  private async newPage(consoleLines?: string[]): Promise<Page> {
    assert.ok(this.browser, 'start() first');
    const page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (message) => consoleLines?.push(`[${message.type()}] ${message.text().slice(0, 2000)}`));
    page.on('pageerror', (error) => consoleLines?.push(`[pageerror] ${error.message}`));
    return page;
  }

  /** Step 4: the extension's mocha suite in the remote extension host, on a fresh copy of the example. */
  async runSuite(timeoutMs = 150000): Promise<SuiteResult> {
    const started = Date.now();
    const workspace = this.workspace('suite');
    const consoleLines: string[] = [];
    const page = await this.newPage(consoleLines);
    const exitCode = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    const authority = new URL(this.url).host;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${authority}${this.installedExtension}`],
      ['extensionTestsPath', `vscode-remote://${authority}${SUITE}`],
    ]);
    await page.goto(`${this.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exitCode, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    await page.close();
    const resultsFile = path.join(this.runDir, 'suite-results.txt');
    const results = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '(the suite wrote no results)';
    fs.writeFileSync(path.join(this.runDir, 'suite-browser-console.txt'), consoleLines.join('\n') + '\n');
    this.say(`in-host suite: exit ${code} in ${seconds(started)}\n${results.trimEnd()}`);
    return { exitCode: code, results, console: consoleLines };
  }

  /**
   * Step 5: as a person sees it, on a fresh copy: the Problems panel, the quick-fix menu (Ctrl+.), the status
   * bar, the output channel, and the report opened from the Command Palette; a screenshot of each.
   */
  async look(): Promise<LookResult> {
    const started = Date.now();
    const workspace = this.workspace('look');
    const findings = cliFindings(workspace);
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    for (const old of fs.readdirSync(SCREENSHOTS_DIR)) fs.rmSync(path.join(SCREENSHOTS_DIR, old), { force: true });
    const consoleLines: string[] = [];
    const page = await this.newPage(consoleLines);
    const shots: string[] = [];
    const shoot = async (name: string): Promise<void> => {
      const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      shots.push(file);
    };
    const timings: string[] = [];
    let step = '';
    let stepStarted = Date.now();
    const begin = (next: string): void => {
      if (step) timings.push(`${step}: ${seconds(stepStarted)}`);
      step = next;
      stepStarted = Date.now();
    };
    begin('open the workbench');
    try {
      await page.goto(`${this.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });

      begin('open prisma/schema.prisma from the Explorer');
      await openSchemaFromExplorer(page);

      begin('open the Problems panel');
      await page.keyboard.press('Control+Shift+M');
      const markerRows = page.locator('.markers-panel .monaco-list-row');
      await markerRows.first().waitFor({ timeout: 30000 });
      // Maximized, the panel shows every row at once (the list renders only the rows in view): the file,
      // then each finding followed by its related location (the migration that created the object).
      await page.locator('.part.panel .action-label[aria-label="Maximize Panel Size"]').first().click({ timeout: 15000 });
      const findingRow = /migration-guard\s*\(?[a-z-]+\)?\s*\[Ln \d+, Col \d+\]$/;
      const rows = async (): Promise<string[]> => (await markerRows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      const problemRows = await until('a Problems row per finding', rows, (all) => all.filter((r) => findingRow.test(r)).length >= findings.length, 60000);
      await shoot('problems-panel');
      await page.locator('.part.panel .action-label[aria-label="Restore Panel Size"]').first().click({ timeout: 15000 });

      begin('read the status bar');
      const statusItem = page.locator('.statusbar-item', { hasText: 'Migration Guard' }).first();
      const statusBar = (await statusItem.innerText({ timeout: 30000 })).replace(/\s+/g, ' ').trim();

      begin('open the quick-fix menu at the add-required-column problem');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'add-required-column' }).first();
      await row.dblclick({ timeout: 30000 });
      await page.locator('.monaco-editor.focused').first().waitFor({ timeout: 30000 });
      // Right after opening, the editor may answer "No code actions available": the server's first diagnostics
      // were computed from the file on disk, and code actions come only for those of the open document (and
      // VS Code drops a request while extensions are still registering providers). A person presses Ctrl+. again.
      const menu = page.locator('.action-widget');
      let presses = 0;
      await until(
        'the quick-fix menu',
        async () => {
          if (await menu.first().isVisible()) return true;
          if (presses++ > 0) await page.keyboard.press('Escape');
          await page.keyboard.press('Control+.');
          return menu
            .first()
            .waitFor({ state: 'visible', timeout: 3000 })
            .then(() => true)
            .catch(() => false);
        },
        (open) => open,
        45000,
      );
      if (presses > 1) this.say(`look: the quick-fix menu opened after ${presses} presses of Ctrl+.`);
      await until('quick-fix menu items', () => menu.locator('.monaco-list-row').count(), (n) => n > 0, 30000);
      const quickFixMenu = (await menu.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      await shoot('quick-fix-menu');
      await page.keyboard.press('Escape');

      begin('show the extension\'s output channel');
      await runCommand(page, 'Output: Show Output Channels');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Prisma Migration Guard' }).first().click({ timeout: 15000 });
      const output = page.locator('.part.panel .monaco-editor .view-lines').first();
      const outputChannel = await until('the output channel\'s text', async () => (await output.innerText()).replace(/\u00a0/g, ' '), (t) => /Prisma Migration Guard/.test(t), 20000);
      await shoot('output-channel');

      begin('run "Check migration safety" from the Command Palette');
      const preview = await openReportPreview(page);
      const report = await until('the rendered report', () => preview.locator('body').first().innerText({ timeout: 30000 }), (t) => t.includes('add-required-column'), 30000);
      await shoot('report-preview');

      begin('follow the report\'s first link to a schema line');
      const link = preview.locator('a', { hasText: /^prisma\/schema\.prisma:\d+$/ }).first();
      const linkText = await link.innerText({ timeout: 15000 });
      await link.click({ timeout: 15000 });
      const line = linkText.split(':')[1];
      const cursor = await until(
        'the schema at the linked line',
        () => page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+$/ }).first().innerText({ timeout: 5000 }),
        (t) => t.startsWith(`Ln ${line},`),
        20000,
      );
      const tab = await page.locator('.tabs-container .tab.active').first().innerText();
      await shoot('report-link-followed');
      const reportLink = { text: linkText, tab: tab.split('\n')[0].trim(), cursor };

      begin('');
      this.say(`look: ${problemRows.length} Problems rows, ${quickFixMenu.length} quick fixes, status "${statusBar}" in ${seconds(started)} (${timings.join('; ')})`);
      return { problemRows, quickFixMenu, statusBar, outputChannel, report, reportLink, screenshots: shots };
    } catch (error) {
      await shoot('failed').catch(() => undefined);
      fs.writeFileSync(path.join(this.runDir, 'look-browser-console.txt'), consoleLines.join('\n') + '\n');
      throw new Error(`look: "${step}" failed (see .e2e/screenshots/failed.png): ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await page.close();
    }
  }

  /**
   * Step 6: "Trace locks of pending migrations" from the Command Palette, on a project with a pending
   * migration: the packaged extension's worker runs it on PGlite (shipped in the .vsix) and opens the
   * trace; its rendered text and a screenshot (lock-trace.png).
   */
  async traceLocks(): Promise<{ text: string; screenshot: string }> {
    const started = Date.now();
    const workspace = this.workspaceWithPendingMigration('trace');
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    const consoleLines: string[] = [];
    const page = await this.newPage(consoleLines);
    const screenshot = path.join(SCREENSHOTS_DIR, 'lock-trace.png');
    let step = 'open the workbench';
    try {
      await page.goto(`${this.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });
      step = 'wait for the language server (the status bar item)';
      await page.locator('.statusbar-item', { hasText: /Migration Guard: \d+ unsafe/ }).first().waitFor({ timeout: 90000 });
      step = 'run "Trace locks of pending migrations" from the Command Palette';
      await runCommand(page, 'Prisma Migration Guard: Trace locks of pending migrations');
      step = 'wait for the trace (PGlite starts in a worker: tens of seconds here)';
      await page.locator('.tabs-container .tab', { hasText: 'migration-lock-trace.md' }).first().waitFor({ timeout: 180000 });
      const preview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      const text = await until('the rendered lock trace', () => preview.locator('body').first().innerText({ timeout: 30000 }), (t) => t.includes('CREATE INDEX'), 60000);
      await page.screenshot({ path: screenshot });
      this.say(`trace: "Trace locks of pending migrations" answered in ${seconds(started)}`);
      return { text, screenshot };
    } catch (error) {
      await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'failed-trace.png') }).catch(() => undefined);
      fs.writeFileSync(path.join(this.runDir, 'trace-browser-console.txt'), consoleLines.join('\n') + '\n');
      throw new Error(`trace: "${step}" failed (see .e2e/screenshots/failed-trace.png): ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await page.close();
    }
  }

  /**
   * A git repository whose HEAD already drifts (test/support/driftingProject.ts), opened as a new
   * user would: the Problems panel's rows (one: the pre-existing drift on the datasource block) and the
   * report's "Pre-existing drift" section, with screenshots (preexisting-problems.png, preexisting-report.png).
   */
  async lookPreexisting(): Promise<{ problemRows: string[]; report: string; screenshots: string[] }> {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-vscode-drift-'));
    this.workspaces.push(parent);
    const workspace = path.join(parent, 'drifting');
    fs.mkdirSync(workspace);
    driftingRepository(workspace);
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    const consoleLines: string[] = [];
    const page = await this.newPage(consoleLines);
    const shots: string[] = [];
    const shoot = async (name: string): Promise<void> => {
      const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      shots.push(file);
    };
    let step = 'open the workbench';
    try {
      await page.goto(`${this.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });
      step = 'open prisma/schema.prisma from the Explorer';
      await openSchemaFromExplorer(page);
      step = 'open the Problems panel';
      await page.keyboard.press('Control+Shift+M');
      const markerRows = page.locator('.markers-panel .monaco-list-row');
      const rows = async (): Promise<string[]> => (await markerRows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      const problemRows = await until('the pre-existing drift row', rows, (all) => all.some((r) => /schema-drift/.test(r)), 90000);
      await shoot('preexisting-problems');
      step = 'run "Check migration safety" from the Command Palette';
      const preview = await openReportPreview(page);
      const report = await until('the rendered report', () => preview.locator('body').first().innerText({ timeout: 30000 }), (t) => t.includes('Pre-existing drift'), 30000);
      await shoot('preexisting-report');
      this.say(`look at pre-existing drift: ${problemRows.length} Problems rows`);
      return { problemRows, report, screenshots: shots };
    } catch (error) {
      await shoot('failed-preexisting').catch(() => undefined);
      fs.writeFileSync(path.join(this.runDir, 'preexisting-browser-console.txt'), consoleLines.join('\n') + '\n');
      throw new Error(`look at pre-existing drift: "${step}" failed (see .e2e/screenshots/failed-preexisting.png): ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await page.close();
    }
  }

  async dispose(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    this.browser = undefined;
    const server = this.server;
    this.server = undefined;
    if (server && server.exitCode === null && server.signalCode === null) {
      const gone = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    for (const dir of this.workspaces.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** prisma/schema.prisma opened from the Explorer, as a person does. */
async function openSchemaFromExplorer(page: Page): Promise<void> {
  const explorerRow = (name: string) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^\\s*${name.replace('.', '\\.')}\\s*$`) });
  await explorerRow('prisma').click({ timeout: 60000 });
  await explorerRow('schema.prisma').click({ timeout: 30000 });
  await page.locator('.monaco-editor .view-lines', { hasText: 'model User' }).first().waitFor({ timeout: 30000 });
}

/** "Check migration safety" from the Command Palette; the report's Markdown preview. */
/**
 * Runs a command from the Command Palette by its full title. The palette's text is set with `fill` (typed keys
 * can land before the input has focus, right after another menu closed), and when the command's row does not
 * show, the palette is closed and opened again, as a person would: a CI run once waited 15 s for a row that
 * never came.
 */
async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input').first();
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15000 });
    await input.fill(`>${title}`);
    const shown = await row.waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false);
    if (shown) {
      await row.click({ timeout: 15000 });
      return;
    }
    if (attempt === 3) throw new Error(`the Command Palette did not list "${title}" (3 tries; it showed: ${JSON.stringify(await page.locator('.quick-input-list .monaco-list-row').allInnerTexts())})`);
  }
}

async function openReportPreview(page: Page) {
  await runCommand(page, 'Prisma Migration Guard: Check migration safety');
  await page.locator('.tabs-container .tab', { hasText: 'migration-safety-report.md' }).first().waitFor({ timeout: 30000 });
  // The Markdown preview is a webview: an iframe holding the active frame with the rendered report.
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** `node out/test/vscode/codeServer.js`: the whole flow, printing what it does; exit 1 on any failure. */
async function main(): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')} — run .ci/install-e2e.sh`);
  const e2e = new CodeServerE2E(true);
  const started = Date.now();
  try {
    e2e.packageExtension();
    e2e.installExtension();
    await e2e.start();
    const suite = await e2e.runSuite();
    if (suite.exitCode !== 0) throw new Error(`the in-host suite failed (exit ${suite.exitCode}); browser console in .e2e/run/suite-browser-console.txt`);
    const look = await e2e.look();
    const trace = await e2e.traceLocks();
    console.log(`Lock trace:\n${trace.text}`);
    console.log(`Report preview (start):\n${look.report.slice(0, 600)}\nProblems panel:\n  ${look.problemRows.join('\n  ')}\nQuick fixes:\n  ${look.quickFixMenu.join('\n  ')}\nStatus bar: ${look.statusBar}\nOutput channel:\n${look.outputChannel}\nScreenshots: ${look.screenshots.map((f) => path.relative(REPO_ROOT, f)).join(', ')}`);
  } finally {
    await e2e.dispose();
    console.log(`total ${seconds(started)}`);
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
