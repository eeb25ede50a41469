/**
 * Rule fixtures: test/fixtures/rules/<rule-id>/<ok-|err-case>/ with
 *   before.prisma (the deployed state, mapped) or migrations/ (replayed),
 *   optional pending/ with migrations/: folders not yet deployed; the changes they
 *     carry are judged on their statements, and the SQL rules run over them too,
 *   after.prisma (the edited schema), optional config.json,
 *   expected.json: the complete list of findings (every rule but schema-drift,
 *   unless the folder is schema-drift's own), with ranges and messages.
 * UPDATE_FIXTURES=1 writes expected.json from the current output, for review.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { judgeSchema } from '../../server/src/analysis/judge';
import { readPendingSql } from '../../server/src/analysis/pendingSql';
import { dialectStatements, judgeMigrationSql } from '../../server/src/analysis/sqlAnalysis';
import type { DbState } from '../../server/src/core/dbState';
import { mapSchema } from '../../server/src/map/mapSchema';
import { defaultConfig, mergeConfig } from '../../server/src/project/config';
import { type MigrationEntry, readMigrationsFolder, replayMigrations } from '../../server/src/replay/migrations';
import type { ProvenanceLookup } from '../../server/src/replay/types';
import { loadPostgresParser } from '../../server/src/replay/statements';
import { schemaRules } from '../../server/src/rules';
import { expectedForm, formatRange } from '../support/expectedFindings';
import { scanSchema } from '../../server/src/scan/scanner';

const repo = path.resolve(__dirname, '../../..');
const root = path.join(repo, 'test/fixtures/rules');

export interface ExpectedFinding {
  ruleId: string;
  severity: string;
  /** Only with pending/: the file the finding is in, relative to the case folder. */
  file?: string;
  range: string;
  message: string;
  help: string;
}


function mapFile(file: string) {
  const scanned = scanSchema([{ path: file, text: fs.readFileSync(file, 'utf8') }]);
  const provider = (scanned.datasource?.provider === 'sqlite' ? 'sqlite' : scanned.datasource?.provider === 'mysql' ? 'mysql' : 'postgresql') as DbState['provider'];
  return { scanned, provider, mapped: mapSchema(scanned, { provider }) };
}

async function runCase(ruleId: string, dir: string): Promise<ExpectedFinding[]> {
  const after = mapFile(path.join(dir, 'after.prisma'));
  let baseline: DbState;
  let migrated: DbState | undefined;
  let provenance: ProvenanceLookup = () => undefined;
  let pendingFiles: MigrationEntry[] = [];
  let deployedFiles: MigrationEntry[] = [];
  if (fs.existsSync(path.join(dir, 'migrations'))) {
    const deployed = readMigrationsFolder(path.join(dir, 'migrations'));
    const replayed = await replayMigrations(deployed, after.provider);
    baseline = replayed.state;
    provenance = replayed.provenance;
    deployedFiles = deployed.migrations;
    if (fs.existsSync(path.join(dir, 'pending'))) {
      pendingFiles = readMigrationsFolder(path.join(dir, 'pending')).migrations;
      const all = await replayMigrations({ ...deployed, migrations: [...deployed.migrations, ...pendingFiles] }, after.provider);
      migrated = all.state;
      provenance = all.provenance;
    }
  } else {
    baseline = mapFile(path.join(dir, 'before.prisma')).mapped.state;
  }
  const configFile = path.join(dir, 'config.json');
  const config = mergeConfig(defaultConfig, fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : undefined, [], 'config.json');
  if (ruleId !== 'schema-drift') {
    for (const rule of schemaRules) if (rule.judges === 'unmigrated') config.rules = { ...config.rules, [rule.id]: 'off' };
  }
  const pending = pendingFiles.map((m) => ({ name: m.name, file: m.file, sql: m.sql }));
  const deployedSql = deployedFiles.map((m) => ({ name: m.name, sql: m.sql }));
  const result = judgeSchema({
    provider: after.provider,
    baseline,
    migrated: migrated ?? baseline,
    expected: after.mapped.state,
    sources: after.mapped.sources,
    prismaDefaults: after.mapped.prismaDefaults ?? {},
    config,
    provenance,
    suppressions: after.scanned.suppressions.map((s) => ({ ruleId: s.ruleId, ...(s.reason ? { reason: s.reason } : {}), file: s.file, range: s.range, model: s.target.model, ...(s.target.field && s.target.kind !== 'enum' ? { field: s.target.field } : {}) })),
    ...(migrated ? { pendingSql: readPendingSql({ provider: after.provider, baseline, pending, deployed: deployedSql, splitPlain: dialectStatements }) } : {}),
  });
  if (!migrated) return result.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, range: formatRange(f.range), message: f.message, help: f.help }));
  // With pending migrations the whole result is both sides: the schema lines and the statements that carry them.
  const sql = judgeMigrationSql({ provider: after.provider, baseline, pending, deployed: deployedSql, config });
  return [...result.findings, ...sql.findings].map((f) => expectedForm(dir, f));
}

describe('rule fixtures', () => {
  before(async () => {
    await loadPostgresParser();
  });
  const rules = fs.existsSync(root) ? fs.readdirSync(root).filter((id) => schemaRules.some((rule) => rule.id === id)).sort() : []; // SQL rules: sql-fixtures.test.ts
  for (const ruleId of rules) {
    describe(ruleId, () => {
      for (const name of fs.readdirSync(path.join(root, ruleId)).sort()) {
        const dir = path.join(root, ruleId, name);
        it(name, async () => {
          const actual = await runCase(ruleId, dir);
          const expectedFile = path.join(dir, 'expected.json');
          if (process.env.UPDATE_FIXTURES) fs.writeFileSync(expectedFile, JSON.stringify(actual, null, 2) + '\n');
          const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as ExpectedFinding[];
          assert.deepStrictEqual(actual, expected);
          if (name.startsWith('ok-')) assert.ok(!actual.some((f) => f.ruleId === ruleId && f.severity !== 'info'), `${name} is an ok case but ${ruleId} reports`);
          if (name.startsWith('err-')) assert.ok(actual.some((f) => f.ruleId === ruleId), `${name} is an err case but ${ruleId} is silent`);
        });
      }
    });
  }
});
