/**
 * The baseline round trip on a copy of examples/shop: `baseline` writes every
 * current error and warning by rule and object; `check` then counts them as
 * accepted, whatever moved around them; a finding whose object changed comes
 * back at full severity and its old entry is reported as stale;
 * `check --update-baseline` rewrites the file.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'out/server/src/cli.js');

interface JsonOutput {
  findings: { ruleId: string; severity: string; accepted?: string; message: string; range: { start: { line: number } } }[];
  notes: { level: string; message: string; file?: string; range?: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
  baseline?: { file: string; accepted: number; stale: { rule: string; object: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[] };
}

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function checkJson(dir: string, ...args: string[]): { code: number | null; json: JsonOutput; stderr: string } {
  const result = run('check', dir, '--format', 'json', ...args);
  return { code: result.code, json: JSON.parse(result.stdout) as JsonOutput, stderr: result.stderr };
}

/** The shop's ten findings by rule and object, as the baseline file lists them (sorted by rule, then object). */
const ENTRIES = [
  ['add-required-column', 'User.phone'],
  ['add-unique-constraint', 'Product index Product_sku_key'],
  ['change-column-type', 'OrderItem.unitPriceCents'],
  ['create-index-blocking', 'Order index Order_createdAt_idx'],
  ['drop-column', 'Product.description'],
  ['make-column-required', 'Order.shippingAddress'],
  ['remove-enum-value', 'OrderStatus value CANCELLED'],
  ['rename-column', 'Product.title (was name)'],
  ['schema-drift', 'Category.slug'],
  ['schema-drift', 'Review'],
];

/** Rule, severity now, severity before the baseline accepted it; in file order. */
const ALL_ACCEPTED = [
  ['remove-enum-value', 'info', 'error'],
  ['add-required-column', 'info', 'error'],
  ['drop-column', 'info', 'error'],
  ['rename-column', 'info', 'error'],
  ['add-unique-constraint', 'info', 'warning'],
  ['schema-drift', 'info', 'warning'],
  ['make-column-required', 'info', 'error'],
  ['create-index-blocking', 'info', 'warning'],
  ['change-column-type', 'info', 'warning'],
  ['schema-drift', 'info', 'warning'],
];

describe('baseline: write, accept, a changed finding comes back, stale entries are reported', function () {
  this.timeout(180000);
  let dir: string;
  let schema: string;
  let baselineFile: string;

  before(() => {
    // The copy keeps the example's `deployed: all`: every migration counts as deployed wherever the temp folder is.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmg-baseline-'));
    fs.cpSync(path.join(repo, 'examples', 'shop'), dir, { recursive: true });
    schema = path.join(dir, 'prisma', 'schema.prisma');
    baselineFile = path.join(dir, '.migration-guard-baseline.json');
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('baseline writes every error and warning by rule and object, never by line', () => {
    const result = run('baseline', dir);
    assert.strictEqual(result.code, 0, result.stderr);
    assert.deepStrictEqual(result.stdout.split('\n'), [
      'wrote .migration-guard-baseline.json: 10 finding(s) accepted (10 new, 0 kept, 0 dropped).',
      'Later runs of `check` and the editor count these as accepted (info) and report entries that no longer match; commit the file.',
      '',
    ]);
    const written = JSON.parse(fs.readFileSync(baselineFile, 'utf8')) as { findings: { rule: string; object: string }[] };
    assert.deepStrictEqual(written.findings.map((e) => [e.rule, e.object]), ENTRIES);
  });

  it('check counts them as accepted (info) and passes, even after lines moved', () => {
    fs.writeFileSync(schema, `// Three lines that move every finding down.\n\n\n${fs.readFileSync(schema, 'utf8')}`);
    const { code, json } = checkJson(dir);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(json.findings.map((f) => [f.ruleId, f.severity, f.accepted]), ALL_ACCEPTED);
    assert.strictEqual(json.findings[1].range.start.line, 25);
    assert.ok(json.findings[1].message.startsWith('Accepted in .migration-guard-baseline.json: Required column `User.phone`'), json.findings[1].message);
    assert.deepStrictEqual(json.baseline, { file: '.migration-guard-baseline.json', accepted: 10, stale: [] });
    const text = run('check', dir);
    assert.deepStrictEqual(text.stdout.trimEnd().split('\n').slice(-2), [
      '0 error(s), 0 warning(s), 10 info in 10 pending change(s) (3 deployed migration(s), 0 pending, 10 schema change(s) without a migration)',
      'baseline .migration-guard-baseline.json: 10 finding(s) accepted (counted as info)',
    ]);
  });

  it('a finding whose object changed comes back at full severity, and its old entry is reported as stale', () => {
    fs.writeFileSync(schema, fs.readFileSync(schema, 'utf8').replace('  phone     String\n', '  mobile    String\n'));
    const { code, json } = checkJson(dir);
    assert.strictEqual(code, 1);
    assert.deepStrictEqual(json.findings.map((f) => [f.ruleId, f.severity, f.accepted]), [ALL_ACCEPTED[0], ['add-required-column', 'error', undefined], ...ALL_ACCEPTED.slice(2)]);
    const line = fs.readFileSync(baselineFile, 'utf8').split('\n').findIndex((l) => l.includes('"User.phone"'));
    const range = { start: { line, character: 16 }, end: { line, character: 28 } };
    assert.deepStrictEqual(json.baseline, { file: '.migration-guard-baseline.json', accepted: 9, stale: [{ rule: 'add-required-column', object: 'User.phone', range }] });
    assert.deepStrictEqual(json.notes, [
      {
        level: 'warning',
        message: 'Baseline entry no longer matches any finding (add-required-column on User.phone): the risk is gone or the object changed; drop it with `prisma-migration-guard check --update-baseline`.',
        file: '.migration-guard-baseline.json',
        range,
      },
    ]);
  });

  it('check --update-baseline rewrites the file: the new finding accepted, the stale entry gone', () => {
    const { code, json, stderr } = checkJson(dir, '--update-baseline');
    assert.strictEqual(code, 0, stderr);
    assert.strictEqual(stderr, 'prisma-migration-guard: wrote .migration-guard-baseline.json: 10 finding(s) accepted (1 new, 9 kept, 1 dropped).\n');
    assert.deepStrictEqual(json.baseline, { file: '.migration-guard-baseline.json', accepted: 10, stale: [] });
    assert.deepStrictEqual(json.notes, []);
    const written = JSON.parse(fs.readFileSync(baselineFile, 'utf8')) as { findings: { rule: string; object: string }[] };
    assert.deepStrictEqual(written.findings.map((e) => [e.rule, e.object]), [['add-required-column', 'User.mobile'], ...ENTRIES.slice(1)]);
  });

  it('a baseline that is not JSON accepts nothing and says so; check never rewrites it on its own', () => {
    fs.writeFileSync(baselineFile, '{ "findings": [');
    const { code, json } = checkJson(dir);
    assert.strictEqual(code, 1);
    assert.strictEqual(json.baseline, undefined);
    assert.deepStrictEqual(json.notes.map((n) => [n.level, n.file, n.message.split(' (')[0]]), [['warning', '.migration-guard-baseline.json', '.migration-guard-baseline.json is not valid JSON']]);
    assert.strictEqual(fs.readFileSync(baselineFile, 'utf8'), '{ "findings": [');
  });
});
