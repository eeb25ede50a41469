/**
 * A real third-party LSP client: Neovim (Debian's 0.7.2 or later), headless,
 * against the built server on a temp copy of examples/shop. Diagnostics, the
 * code actions of one diagnostic, applying the quick fix, the diagnostics after
 * the edit, and a server command.
 */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { copyExample, REPO_ROOT, SERVER_JS } from '../lsp/lspClient';

const SCRIPT = path.join(REPO_ROOT, 'test', 'e2e', 'lsp-e2e.lua');

function nvimAvailable(): boolean {
  const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && /NVIM v/.test(probe.stdout);
}

interface Run {
  code: number | null;
  lines: string[];
  stderr: string;
}

function runNeovim(root: string, file: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${SCRIPT}`, '--', file], {
      cwd: root,
      env: {
        ...process.env,
        LSP_CMD_JSON: JSON.stringify([process.execPath, SERVER_JS, '--stdio']),
        LSP_ROOT: root,
        // Neovim answers workspace/configuration from these: every migration counts as deployed wherever the temp folder is.
        LSP_SETTINGS_JSON: JSON.stringify({ migrationGuard: { deployed: 'all' } }),
        // Neovim must not read or write the user's state.
        XDG_CONFIG_HOME: path.join(root, '.nvim', 'config'),
        XDG_DATA_HOME: path.join(root, '.nvim', 'data'),
        XDG_STATE_HOME: path.join(root, '.nvim', 'state'),
        XDG_CACHE_HOME: path.join(root, '.nvim', 'cache'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: stdout.split(/\r?\n/).filter((l) => l.length > 0), stderr });
    });
  });
}

function tagged(run: Run, tag: string): string[] {
  return run.lines.filter((l) => l.startsWith(`${tag} `)).map((l) => l.slice(tag.length + 1));
}

const INITIAL = [
  '12:5-12:16 severity=1 code=remove-enum-value source=migration-guard',
  '22:2-22:18 severity=1 code=add-required-column source=migration-guard',
  '28:6-28:13 severity=1 code=drop-column source=migration-guard',
  '30:2-30:19 severity=1 code=rename-column source=migration-guard',
  '31:25-31:32 severity=2 code=add-unique-constraint source=migration-guard',
  '42:2-42:45 severity=2 code=schema-drift source=migration-guard',
  '51:2-51:24 severity=1 code=make-column-required source=migration-guard',
  '58:2-58:22 severity=2 code=create-index-blocking source=migration-guard',
  '68:2-68:23 severity=2 code=change-column-type source=migration-guard',
  '71:6-71:12 severity=2 code=schema-drift source=migration-guard',
];

describe('Neovim (headless) against the language server', function () {
  this.timeout(180000);
  const roots: string[] = [];

  before(function () {
    if (nvimAvailable()) return;
    if (process.env.CI) throw new Error('nvim is not installed, and CI requires this test: apt-get install -y neovim');
    console.log('    nvim is not installed: skipping the Neovim tests (apt-get install -y neovim to run them)');
    this.skip();
  });

  after(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  function project(): { root: string; schema: string; text: string } {
    const root = copyExample('shop');
    roots.push(root);
    const schema = path.join(root, 'prisma', 'schema.prisma');
    return { root, schema, text: fs.readFileSync(schema, 'utf8') };
  }

  function assertBuffer(run: Run, expected: string): void {
    const buffer = run.lines.filter((l) => /^LINE \d+: /.test(l)).map((l) => l.replace(/^LINE \d+: /, ''));
    assert.deepStrictEqual(buffer, expected.replace(/\n$/, '').split('\n'));
  }

  it('shows the diagnostics and applies the "make optional" quick fix', async () => {
    const { root, schema, text } = project();
    const run = await runNeovim(root, schema, { LSP_RULE: 'add-required-column' });
    assert.strictEqual(run.code, 0, `nvim failed:\n${run.lines.join('\n')}\n${run.stderr}`);
    assert.deepStrictEqual(tagged(run, 'DIAG'), INITIAL);
    assert.deepStrictEqual(tagged(run, 'ACTION'), [
      'Make `User.phone` optional kind=quickfix preferred=true',
      'Generate phased migration (add-required-column) kind=quickfix preferred=false',
      'Ignore add-required-column here kind=quickfix preferred=false',
      'Show documentation for add-required-column kind=quickfix preferred=false',
    ]);
    assertBuffer(run, text.replace('  phone     String\n', '  phone     String?\n'));
    assert.deepStrictEqual(tagged(run, 'AFTER'), [INITIAL[0], '22:2-22:19 severity=2 code=schema-drift source=migration-guard', ...INITIAL.slice(2)]);
    // The phased migration asked for after the quick fix: the field is optional now, so there is nothing to phase.
    assert.deepStrictEqual(tagged(run, 'MSG'), ['No phased migration written: This change is safe to migrate in one step: it needs no phases.']);
    assert.ok(!fs.existsSync(path.join(root, 'prisma', 'migration-plans')));
    assert.strictEqual(run.lines[run.lines.length - 1], 'DONE');
  });

  it('keeps a renamed column with @map and then shows what the rename really changes', async () => {
    const { root, schema, text } = project();
    const run = await runNeovim(root, schema, { LSP_RULE: 'rename-column' });
    assert.strictEqual(run.code, 0, `nvim failed:\n${run.lines.join('\n')}\n${run.stderr}`);
    // Product lost `name` and `description` and gained `title`: which one is taken for the rename is the diff's call.
    const column = /^Keep column `(\w+)`/.exec(tagged(run, 'ACTION')[0])?.[1] ?? '';
    assert.ok(['name', 'description'].includes(column), tagged(run, 'ACTION')[0]);
    assert.strictEqual(tagged(run, 'ACTION')[0], `Keep column \`${column}\`: add \`@map("${column}")\` to \`Product.title\` kind=quickfix preferred=true`);
    assertBuffer(run, text.replace('  title      String\n', `  title      String @map("${column}")\n`));
    // The data is kept. `description` was optional, so keeping it under a required field is a make-column-required; `name` was required like `title`.
    const line30 = column === 'description' ? ['30:2-30:' + (32 + column.length) + ' severity=1 code=make-column-required source=migration-guard'] : [];
    assert.deepStrictEqual(tagged(run, 'AFTER'), [INITIAL[0], INITIAL[1], INITIAL[2], ...line30, ...INITIAL.slice(4)]);
  });

  it('applies "Ignore <rule> here" as a suppression comment the server honours', async () => {
    const { root, schema, text } = project();
    const run = await runNeovim(root, schema, { LSP_RULE: 'drop-column', LSP_ACTION: 'Ignore drop-column here' });
    assert.strictEqual(run.code, 0, `nvim failed:\n${run.lines.join('\n')}\n${run.stderr}`);
    assertBuffer(run, text.replace('model Product {\n', '// migration-guard-ignore drop-column -- TODO: say why this is safe here\nmodel Product {\n'));
    const shifted = (entry: string): string => entry.replace(/^(\d+):(\d+)-(\d+):/, (_m, a: string, b: string, c: string) => `${Number(a) + 1}:${b}-${Number(c) + 1}:`);
    assert.deepStrictEqual(tagged(run, 'AFTER'), [INITIAL[0], INITIAL[1], ...INITIAL.slice(3).map(shifted)]);
    // The suppression hides the finding, not the change: the phased migration for it is written, and Neovim applies its schema edit.
    const [message] = tagged(run, 'MSG');
    assert.match(message, /^Phased migration for drop-column on Product: wrote phase 1 of 2 \(.*\) to prisma\/migrations\/\d{14}_\w+\/ and the plan prisma\/migration-plans\/\d{14}_\w+\/plan\.md\./);
    const plans = fs.readdirSync(path.join(root, 'prisma', 'migration-plans'));
    assert.strictEqual(plans.length, 1);
  });
});
