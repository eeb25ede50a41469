import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { commentBody, commentMarker } from '../../server/src/cli/prComment';
import { FakeGithub } from './fakeGithub';
import { repo, tempDir } from './support';

const script = path.join(repo, 'out/server/src/cli/prComment.js');

function runScript(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Only what GitHub Actions would set: no token of this machine leaks into the run.
    const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', ...env };
    execFile(process.execPath, [script, ...args], { env: clean, encoding: 'utf8', timeout: 60000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the GitHub Action\'s sticky pull-request comment (cli/prComment) against a fake GitHub API', () => {
  let github: FakeGithub;
  let apiUrl: string;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    github = new FakeGithub();
    apiUrl = await github.start();
    dir = tempDir('pmg-comment-');
    fs.writeFileSync(path.join(dir, 'event.json'), JSON.stringify({ action: 'synchronize', number: 7, pull_request: { number: 7 } }));
    fs.writeFileSync(path.join(dir, 'first.md'), '## Migration request: shop\n\n**Risk (Prisma Migration Guard):** 2 error(s), 0 warning(s), 0 info\n');
    fs.writeFileSync(path.join(dir, 'second.md'), '## Migration request: shop\n\n**Risk (Prisma Migration Guard):** 0 error(s), 0 warning(s), 0 info\n');
    env = { GITHUB_TOKEN: 'token-write', GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_PATH: path.join(dir, 'event.json'), GITHUB_API_URL: apiUrl };
  });

  afterEach(() => github.stop());

  it('creates the comment once, then updates that same comment on the next push, never a second one (past the first page of comments too)', async () => {
    for (let i = 0; i < 120; i++) github.addComment(`review remark ${i}`);
    const first = await runScript([path.join(dir, 'first.md'), '--key', 'apps/api'], env);
    assert.strictEqual(first.code, 0, first.stderr);
    assert.strictEqual(first.stdout, 'prisma-migration-guard: pull-request comment created (#7, comment 1120, https://github.test/acme/shop/pull/7#issuecomment-1120)\n');
    assert.deepStrictEqual(github.requests, [
      'GET /repos/acme/shop/issues/7/comments?per_page=100&page=1',
      'GET /repos/acme/shop/issues/7/comments?per_page=100&page=2',
      'POST /repos/acme/shop/issues/7/comments',
    ]);

    github.requests = [];
    github.addComment('a later review remark');
    const second = await runScript([path.join(dir, 'second.md'), '--key', 'apps/api'], env);
    assert.strictEqual(second.code, 0, second.stderr);
    assert.strictEqual(second.stdout, 'prisma-migration-guard: pull-request comment updated (#7, comment 1120, https://github.test/acme/shop/pull/7#issuecomment-1120)\n');
    assert.deepStrictEqual(github.requests, [
      'GET /repos/acme/shop/issues/7/comments?per_page=100&page=1',
      'GET /repos/acme/shop/issues/7/comments?per_page=100&page=2',
      'PATCH /repos/acme/shop/issues/comments/1120',
    ]);
    const ours = github.comments.filter((c) => c.body.includes('prisma-migration-guard'));
    assert.deepStrictEqual(ours, [
      {
        id: 1120,
        body: '<!-- prisma-migration-guard:apps/api -->\n## Migration request: shop\n\n**Risk (Prisma Migration Guard):** 0 error(s), 0 warning(s), 0 info\n',
        user: 'github-actions[bot]',
      },
    ]);
    assert.strictEqual(github.comments.length, 122);
  });

  it('each project folder keeps a comment of its own', async () => {
    await runScript([path.join(dir, 'first.md'), '--key', 'apps/api'], env);
    await runScript([path.join(dir, 'first.md'), '--key', 'apps/web'], env);
    await runScript([path.join(dir, 'second.md'), '--key', 'apps/web'], env);
    assert.deepStrictEqual(
      github.comments.map((c) => c.body.split('\n')[0]),
      ['<!-- prisma-migration-guard:apps/api -->', '<!-- prisma-migration-guard:apps/web -->'],
    );
  });

  it("a fork's pull request without a token: no request at all, exit 0, and a log line that says why", async () => {
    const withoutToken = { ...env };
    delete (withoutToken as Partial<typeof env>).GITHUB_TOKEN;
    const result = await runScript([path.join(dir, 'first.md')], withoutToken);
    assert.strictEqual(result.code, 0);
    assert.strictEqual(
      result.stdout,
      'prisma-migration-guard: pull-request comment skipped: no GITHUB_TOKEN: a pull request from a fork runs without secrets, so no comment is written. The annotations above still show every finding.\n',
    );
    assert.deepStrictEqual(github.requests, []);
  });

  it("a fork's read-only token: the refused write is a log line, not a failed job", async () => {
    github.readOnlyTokens.add('token-read');
    const result = await runScript([path.join(dir, 'first.md')], { ...env, GITHUB_TOKEN: 'token-read' });
    assert.strictEqual(result.code, 0);
    assert.strictEqual(
      result.stdout,
      'prisma-migration-guard: pull-request comment skipped: the token may not write to this pull request (POST /repos/acme/shop/issues/7/comments: 403 Resource not accessible by integration); a pull request from a fork gets a read-only token. The annotations above still show every finding.\n',
    );
    assert.deepStrictEqual(github.comments, []);
  });

  it('a push (no pull request in the event) writes nothing and says so', async () => {
    fs.writeFileSync(path.join(dir, 'event.json'), JSON.stringify({ ref: 'refs/heads/main' }));
    const result = await runScript([path.join(dir, 'first.md')], env);
    assert.strictEqual(result.stdout, 'prisma-migration-guard: pull-request comment skipped: this run is not for a pull request (no pull_request in the event), so there is nothing to comment on.\n');
    assert.deepStrictEqual(github.requests, []);
  });

  it('the marker is an HTML comment GitHub hides, and a body above GitHub\'s limit is cut with a note', () => {
    assert.strictEqual(commentMarker('a--b'), '<!-- prisma-migration-guard:a-b -->');
    const long = commentBody('x'.repeat(70000), '.');
    assert.strictEqual(long.length, 65536);
    assert.ok(long.startsWith('<!-- prisma-migration-guard:. -->\nxxx'));
    assert.ok(long.endsWith('\n\n… cut here: GitHub limits a comment to 65,536 characters. The job log holds the complete report (`--format markdown`).\n'));
  });
});
