import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const repo = path.resolve(__dirname, '../../..');
const smoke = path.resolve(repo, '..', 'shared', 'checks', 'contract-smoke');

describe('command-line contract (shared/checks/contract-smoke)', () => {
  it('passes the shared contract check', function () {
    if (!fs.existsSync(smoke)) this.skip();
    const result = spawnSync('python3', [smoke], { cwd: repo, encoding: 'utf8', timeout: 300000 });
    assert.strictEqual(result.stdout.trim().split('\n').pop(), 'contract: all checks passed', result.stdout + result.stderr);
    assert.strictEqual(result.status, 0);
  });
});
