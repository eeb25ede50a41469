/**
 * SQL rule fixtures: test/fixtures/rules/<sql-rule-id>/<ok-|err-case>/ with
 *   before/    a migrations folder (<timestamp>_<name>/migration.sql): the deployed database, replayed;
 *   pending/   the migration folder(s) not yet deployed, judged in order;
 *   config.json (optional): project configuration, plus `provider` (default postgresql);
 *   expected.json: the complete list of findings of every SQL rule, with ranges and messages.
 * UPDATE_FIXTURES=1 writes expected.json from the current output, for review.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { judgeMigrationSql } from '../../server/src/analysis/sqlAnalysis';
import type { Provider } from '../../server/src/core/dbState';
import { defaultConfig, mergeConfig } from '../../server/src/project/config';
import { readMigrationsFolder, replayMigrations } from '../../server/src/replay/migrations';
import { loadPostgresParser } from '../../server/src/replay/statements';
import { allRules } from '../../server/src/rules';
import { expectedForm, type ExpectedSqlFinding } from '../support/expectedFindings';

const repo = path.resolve(__dirname, '../../..');
const root = path.join(repo, 'test/fixtures/rules');



async function runCase(dir: string): Promise<{ findings: ExpectedSqlFinding[]; notes: string[] }> {
  const configFile = path.join(dir, 'config.json');
  const raw = fs.existsSync(configFile) ? (JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>) : {};
  const { provider = 'postgresql', ...projectConfig } = raw as { provider?: Provider };
  const config = mergeConfig(defaultConfig, projectConfig, [], 'config.json');
  const before = readMigrationsFolder(path.join(dir, 'before'));
  const replayed = await replayMigrations(before, provider);
  const pending = readMigrationsFolder(path.join(dir, 'pending'));
  const result = judgeMigrationSql({
    provider,
    baseline: replayed.state,
    pending: pending.migrations.map((m) => ({ name: m.name, file: m.file, sql: m.sql })),
    deployed: before.migrations.map((m) => ({ name: m.name, sql: m.sql })),
    config,
  });
  const findings = result.findings.map((f) => expectedForm(dir, f));
  // Suppression notes belong to the expectation too: a missing reason or an unused ignore is reported.
  const notes = result.notes.filter((n) => n.message.includes('migration-guard-ignore') || n.message.startsWith('Unused suppression')).map((n) => n.message);
  return { findings, notes };
}

describe('SQL rule fixtures', () => {
  before(async () => {
    await loadPostgresParser();
  });
  const sqlRuleIds = new Set(allRules.filter((r) => r.target === 'sql').map((r) => r.id));
  const folders = fs.existsSync(root) ? fs.readdirSync(root).filter((id) => sqlRuleIds.has(id)).sort() : [];
  for (const ruleId of folders) {
    describe(ruleId, () => {
      for (const name of fs.readdirSync(path.join(root, ruleId)).sort()) {
        const dir = path.join(root, ruleId, name);
        it(name, async () => {
          const { findings, notes } = await runCase(dir);
          const expectedFile = path.join(dir, 'expected.json');
          const notesFile = path.join(dir, 'expected-notes.json');
          if (process.env.UPDATE_FIXTURES) {
            fs.writeFileSync(expectedFile, JSON.stringify(findings, null, 2) + '\n');
            if (notes.length > 0) fs.writeFileSync(notesFile, JSON.stringify(notes, null, 2) + '\n');
            else if (fs.existsSync(notesFile)) fs.unlinkSync(notesFile);
          }
          const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as ExpectedSqlFinding[];
          assert.deepStrictEqual(findings, expected);
          assert.deepStrictEqual(notes, fs.existsSync(notesFile) ? (JSON.parse(fs.readFileSync(notesFile, 'utf8')) as string[]) : []);
          // An info-level rule's ok case must be silent; others may still mention small tables at info.
          const infoRule = allRules.find((r) => r.id === ruleId)?.defaultSeverity === 'info';
          if (name.startsWith('ok-')) assert.ok(!findings.some((f) => f.ruleId === ruleId && (infoRule || f.severity !== 'info')), `${name} is an ok case but ${ruleId} reports`);
          if (name.startsWith('err-')) assert.ok(findings.some((f) => f.ruleId === ruleId), `${name} is an err case but ${ruleId} is silent`);
        });
      }
    });
  }
});

describe('SQL rules: deployed history read from disk', () => {
  before(async () => {
    await loadPostgresParser();
  });

  it('without the deployed files, reads the CHECKs of earlier migrations from the pending files\' folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-sql-'));
    try {
      const write = (name: string, sql: string): void => {
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
      };
      write('20240101000000_init', 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "name" TEXT);\n');
      write('20240102000000_add_user_name_check', 'ALTER TABLE "User" ADD CONSTRAINT "User_name_not_null" CHECK ("name" IS NOT NULL) NOT VALID;\n');
      write('20240103000000_validate_user_name_check', 'ALTER TABLE "User" VALIDATE CONSTRAINT "User_name_not_null";\n');
      write('20240104000000_make_name_required_in_user', 'SET lock_timeout = \'5s\';\nALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;\n');
      const folder = readMigrationsFolder(dir);
      const deployed = { ...folder, migrations: folder.migrations.slice(0, 3) };
      const baseline = (await replayMigrations(deployed, 'postgresql')).state;
      const pending = folder.migrations.slice(3).map((m) => ({ name: m.name, file: m.file, sql: m.sql }));
      const judged = (config: typeof defaultConfig) => judgeMigrationSql({ provider: 'postgresql', baseline, pending, config }).findings.map((f) => f.ruleId);
      assert.deepStrictEqual(judged(defaultConfig), []);
      assert.deepStrictEqual(judged({ ...defaultConfig, postgresVersion: 11 }), ['sql-set-not-null-scan']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
