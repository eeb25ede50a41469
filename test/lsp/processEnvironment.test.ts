import * as assert from 'assert';
import { serverProcessEnv } from '../../server/src/lsp/processEnvironment';

describe('lsp/processEnvironment: what the client adds to the server\'s environment', () => {
  const ours = 'glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=16777216:glibc.malloc.top_pad=16777216';

  it('sets glibc\'s malloc tunables when the editor has none', () => {
    assert.deepStrictEqual(serverProcessEnv({ PATH: '/usr/bin' }), { GLIBC_TUNABLES: ours });
  });

  it('keeps tunables the user set, after ours, so that theirs win', () => {
    assert.deepStrictEqual(serverProcessEnv({ GLIBC_TUNABLES: 'glibc.malloc.top_pad=0' }), { GLIBC_TUNABLES: `${ours}:glibc.malloc.top_pad=0` });
  });
});
