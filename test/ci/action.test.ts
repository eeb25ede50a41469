import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FakeGithub } from './fakeGithub';
import { git, repo, tempDir } from './support';

interface ActionStep {
  name?: string;
  uses?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface Action {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  runs: { using: string; steps: ActionStep[] };
}

// js-yaml without its @types package: load() is all this test needs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };
const action = yaml.load(fs.readFileSync(path.join(repo, 'action.yml'), 'utf8')) as Action;

/** `${{ inputs.x }}` and `${{ github.x }}`, the only expressions the action's step environment uses. */
function evaluate(value: string, inputs: Record<string, string>, github: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}/g, (_, scope: string, name: string) => (scope === 'inputs' ? inputs[name] : github[name]) ?? '');
}

/** Runs the action's check step the way a runner does (`bash --noprofile --norc -eo pipefail`), with the action's inputs and GitHub's variables. */
function runCheckStep(workspace: string, inputs: Record<string, string>, github: Record<string, string>, runnerEnv: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const step = action.runs.steps.find((s) => s.name === 'Check migration safety');
  assert.ok(step?.run && step.env, 'action.yml has a "Check migration safety" step');
  const withDefaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) withDefaults[name] = inputs[name] ?? evaluate(input.default ?? '', {}, github);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...runnerEnv };
  for (const [name, value] of Object.entries(step.env)) env[name] = evaluate(value, withDefaults, github);
  const cwd = path.join(workspace, evaluate(step['working-directory'] ?? '.', withDefaults, github));
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run as string], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

describe('action.yml (composite): inputs, annotations and the sticky comment, its check step run as a runner runs it', () => {
  let github: FakeGithub;
  let apiUrl: string;
  let workspace: string;
  let runnerEnv: Record<string, string>;
  const expectedAnnotations = fs.readFileSync(path.join(repo, 'test/ci/expected-shop-github.txt'), 'utf8');
  const expectedMarkdown = fs.readFileSync(path.join(repo, 'test/ci/expected-shop-markdown.md'), 'utf8');

  before(() => {
    // A repository holding examples/shop at the same path as here, with its base branch fetched as origin/main.
    // The base holds the migrations, not the schema's edits: committed there, they would be pre-existing drift
    // (reported once), not what the pull request adds.
    workspace = tempDir('pmg-action-');
    copyDir(path.join(repo, 'examples/shop'), path.join(workspace, 'examples/shop'));
    git(workspace, 'init', '-q');
    git(workspace, 'add', '.');
    git(workspace, 'reset', '-q', '--', 'examples/shop/prisma/schema.prisma');
    git(workspace, 'commit', '-q', '-m', 'shop');
    git(workspace, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
    fs.writeFileSync(path.join(workspace, '..', `${path.basename(workspace)}-event.json`), JSON.stringify({ number: 7, pull_request: { number: 7, base: { ref: 'main' } } }));
  });

  beforeEach(async () => {
    github = new FakeGithub();
    apiUrl = await github.start();
    runnerEnv = {
      GITHUB_ACTION_PATH: repo,
      RUNNER_TEMP: tempDir('pmg-runner-'),
      GITHUB_RUN_ID: '42',
      GITHUB_JOB: 'check',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_EVENT_PATH: path.join(workspace, '..', `${path.basename(workspace)}-event.json`),
      GITHUB_API_URL: apiUrl,
    };
  });

  afterEach(() => github.stop());

  it('declares the inputs: working directory, base ref, fail-on, comment (and the token), with their defaults', () => {
    assert.strictEqual(action.runs.using, 'composite');
    assert.deepStrictEqual(
      Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default])),
      { 'working-directory': '.', 'base-ref': '', 'fail-on': 'error', comment: 'true', 'github-token': '${{ github.token }}' },
    );
  });

  it("annotates the diff, fails on errors, and creates one comment with the migration request, then updates it on the next push", async () => {
    const inputs = { 'working-directory': 'examples/shop' };
    const ctx = { base_ref: 'main', token: 'token-write' };
    const first = await runCheckStep(workspace, inputs, ctx, runnerEnv);
    assert.strictEqual(first.code, 1, first.stderr);
    assert.strictEqual(first.stdout, `${expectedAnnotations}prisma-migration-guard: pull-request comment created (#7, comment 1000, https://github.test/acme/shop/pull/7#issuecomment-1000)\n`);
    assert.deepStrictEqual(github.comments, [{ id: 1000, body: `<!-- prisma-migration-guard:examples/shop -->\n${expectedMarkdown}`, user: 'github-actions[bot]' }]);

    const second = await runCheckStep(workspace, inputs, ctx, runnerEnv);
    assert.strictEqual(second.code, 1, second.stderr);
    assert.ok(second.stdout.endsWith('prisma-migration-guard: pull-request comment updated (#7, comment 1000, https://github.test/acme/shop/pull/7#issuecomment-1000)\n'), second.stdout);
    assert.strictEqual(github.comments.length, 1);
  });

  it("a fork's pull request (no token): the same annotations, a log line instead of the comment, and the step still fails on errors", async () => {
    const result = await runCheckStep(workspace, { 'working-directory': 'examples/shop' }, { base_ref: 'main', token: '' }, runnerEnv);
    assert.strictEqual(result.code, 1, result.stderr);
    assert.strictEqual(
      result.stdout,
      `${expectedAnnotations}prisma-migration-guard: pull-request comment skipped: no GITHUB_TOKEN: a pull request from a fork runs without secrets, so no comment is written. The annotations above still show every finding.\n`,
    );
    assert.deepStrictEqual(github.requests, []);
  });

  it('comment: false and fail-on: never: annotations only, the step passes', async () => {
    const result = await runCheckStep(workspace, { 'working-directory': 'examples/shop', comment: 'false', 'fail-on': 'never' }, { base_ref: 'main', token: 'token-write' }, runnerEnv);
    assert.strictEqual(result.code, 0, result.stderr);
    assert.strictEqual(result.stdout, expectedAnnotations);
    assert.deepStrictEqual(github.requests, []);
  });
});
