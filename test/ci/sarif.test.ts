import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type * as Sarif from 'sarif';
import { region } from '../../server/src/cli/formatSarif';
import { docsUri } from '../../server/src/lsp/paths';
import { allRules } from '../../server/src/rules';
import { repo, runCli, sarifSchemaErrors, tempDir, writeFiles } from './support';

const shop = path.join(repo, 'examples/shop');

describe('check --format sarif', () => {
  let log: Sarif.Log;

  before(() => {
    const result = runCli(['check', shop, '--format', 'sarif']);
    assert.strictEqual(result.code, 1, result.stderr);
    log = JSON.parse(result.stdout) as Sarif.Log;
  });

  it('is valid against the official SARIF 2.1.0 schema', () => {
    assert.deepStrictEqual(sarifSchemaErrors(log), []);
    assert.strictEqual(log.version, '2.1.0');
    assert.strictEqual(log.runs.length, 1);
  });

  it('the schema check is real: a broken log fails it', () => {
    const broken = JSON.parse(JSON.stringify(log)) as Sarif.Log;
    (broken.runs[0].results![0] as { level: string }).level = 'fatal';
    assert.notDeepStrictEqual(sarifSchemaErrors(broken), []);
  });

  it('has exactly the expected results for examples/shop', () => {
    const expected = JSON.parse(fs.readFileSync(path.join(repo, 'test/ci/expected-shop-sarif-results.json'), 'utf8')) as Sarif.Result[];
    const results = log.runs[0].results ?? [];
    assert.deepStrictEqual(
      results.map(({ ruleIndex: _index, ...rest }) => rest),
      expected,
    );
    const rules = log.runs[0].tool.driver.rules ?? [];
    for (const result of results) assert.strictEqual(rules[result.ruleIndex!]?.id, result.ruleId, 'ruleIndex points at the result\'s rule');
  });

  it('agrees with the JSON findings of the example (same places, 1-based; same severities)', () => {
    const findings = JSON.parse(fs.readFileSync(path.join(repo, 'test/cli/expected-shop-findings.json'), 'utf8')) as {
      ruleId: string;
      severity: string;
      file: string;
      range: Parameters<typeof region>[0];
    }[];
    const levels: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };
    assert.deepStrictEqual(
      (log.runs[0].results ?? []).map((r) => [r.ruleId, r.level, r.locations?.[0].physicalLocation?.artifactLocation?.uri, r.locations?.[0].physicalLocation?.region]),
      findings.map((f) => [f.ruleId, levels[f.severity], f.file, region(f.range)]),
    );
  });

  it('describes every rule: title, why, safe path and its documentation', () => {
    const driver = log.runs[0].tool.driver;
    assert.strictEqual(driver.name, 'prisma-migration-guard');
    assert.strictEqual(driver.version, (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version);
    assert.deepStrictEqual(
      driver.rules,
      allRules.map((rule) => ({
        id: rule.id,
        name: rule.id.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase()),
        shortDescription: { text: rule.title },
        fullDescription: { text: rule.why },
        help: { text: rule.safePath, markdown: `**Safe path:** ${rule.safePath}\n\nSee \`docs/rules/${rule.id}.md\` in prisma-migration-guard.` },
        helpUri: docsUri(`docs/rules/${rule.id}.md`),
        defaultConfiguration: { level: rule.defaultSeverity === 'info' ? 'note' : rule.defaultSeverity },
        properties: { tags: ['prisma', 'migration', rule.target] },
      })),
    );
    for (const rule of driver.rules ?? []) assert.ok(fs.existsSync(new URL(rule.helpUri!)), `${rule.id}: ${rule.helpUri} exists`);
  });

  it('resolves %SRCROOT% to the project folder and declares UTF-16 columns', () => {
    const run = log.runs[0];
    assert.deepStrictEqual(run.originalUriBaseIds, {
      '%SRCROOT%': { uri: `${pathToFileURL(shop).href}/`, description: { text: 'The Prisma project folder that was checked.' } },
    });
    assert.strictEqual(run.columnKind, 'utf16CodeUnits');
    assert.deepStrictEqual(run.invocations, [{ executionSuccessful: true }]);
  });

  it('a project with unreadable SQL and outside git: still valid, notes become notifications', () => {
    const dir = tempDir('pmg-sarif-');
    writeFiles(dir, {
      'app/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel Author {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n',
      'app/prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'app/prisma/migrations/20240101000000_init/migration.sql':
        'CREATE TABLE "Author" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Author_pkey" PRIMARY KEY ("id"));\nNOT SQL AT ALL;\n',
    });
    const result = runCli(['check', path.join(dir, 'app'), '--format', 'sarif']);
    assert.strictEqual(result.code, 0, result.stderr);
    const other = JSON.parse(result.stdout) as Sarif.Log;
    assert.deepStrictEqual(sarifSchemaErrors(other), []);
    const notifications = other.runs[0].invocations?.[0].toolExecutionNotifications ?? [];
    assert.ok(notifications.some((n) => n.level === 'warning' && n.locations?.[0].physicalLocation?.artifactLocation?.uri === 'prisma/migrations/20240101000000_init/migration.sql'), JSON.stringify(notifications));
    assert.ok(notifications.some((n) => n.level === 'note' && /Not in a git repository/.test(n.message.text ?? '')), JSON.stringify(notifications));
  });
});
