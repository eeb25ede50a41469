import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { allRules } from '../../server/src/rules';

const repo = path.resolve(__dirname, '../../..');
const rulesDir = path.join(repo, 'server/src/rules');
const NOT_RULES = new Set(['index.ts', 'types.ts']);

describe('rule catalogue stays in step', () => {
  const ruleFiles = fs
    .readdirSync(rulesDir)
    .filter((name) => name.endsWith('.ts') && !NOT_RULES.has(name))
    .map((name) => name.replace(/\.ts$/, ''))
    .sort();

  it('every rule file is registered, and every registered rule has its file', () => {
    assert.deepStrictEqual([...allRules.map((r) => r.id)].sort(), ruleFiles);
  });

  it('ids are unique and kebab-case', () => {
    const ids = allRules.map((r) => r.id);
    assert.deepStrictEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
    assert.deepStrictEqual(ids.filter((id) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)), []);
  });

  it('each rule file exports the rule whose id is its file name', () => {
    for (const file of ruleFiles) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(path.join(repo, 'out/server/src/rules', file)) as { default: { id: string } };
      assert.strictEqual(loaded.default.id, file);
    }
  });

  it('every rule has a docs page', () => {
    const missing = allRules.filter((r) => !fs.existsSync(path.join(repo, 'docs/rules', `${r.id}.md`))).map((r) => r.id);
    assert.deepStrictEqual(missing, []);
  });

  it('every docs page says what the rule does on MySQL and on SQLite, each in its own section', () => {
    const page = (id: string): string => path.join(repo, 'docs/rules', `${id}.md`);
    // `## MySQL and SQLite`, then `### MySQL` and `### SQLite` inside it, each with text before the next heading.
    const section = /^## MySQL and SQLite\n(?:(?!^## )[\s\S])*?^### MySQL\n\s*[^#\s](?:(?!^## )[\s\S])*?^### SQLite\n\s*[^#\s]/m;
    const without = allRules.filter((r) => fs.existsSync(page(r.id)) && !section.test(fs.readFileSync(page(r.id), 'utf8'))).map((r) => r.id);
    assert.deepStrictEqual(without, []);
  });

  it('every rule has fixtures with at least one ok and one err case', () => {
    const problems: string[] = [];
    for (const rule of allRules) {
      const dir = path.join(repo, 'test/fixtures/rules', rule.id);
      const cases = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      if (!cases.some((c) => c.startsWith('ok-'))) problems.push(`${rule.id}: no ok- case`);
      if (!cases.some((c) => c.startsWith('err-'))) problems.push(`${rule.id}: no err- case`);
    }
    assert.deepStrictEqual(problems, []);
  });

  it('fixture folders belong to existing rules', () => {
    const dir = path.join(repo, 'test/fixtures/rules');
    const folders = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    assert.deepStrictEqual(folders.filter((f) => !allRules.some((r) => r.id === f)), []);
  });

  it('metadata is complete: title, why, safe path, providers', () => {
    const incomplete = allRules.filter((r) => !r.title || r.why.length < 20 || r.safePath.length < 20 || r.providers.length === 0).map((r) => r.id);
    assert.deepStrictEqual(incomplete, []);
  });
});
