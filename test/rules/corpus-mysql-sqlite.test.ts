/**
 * The MySQL and SQLite SQL rules on the corpus' MySQL and SQLite projects
 * (umami's MySQL setup, pingvin-share): every migration of each history is
 * judged as if it were the one pending, on the state the earlier ones
 * replay to. The complete list of findings is asserted; each was read
 * against its migration and is true (see corpus-mysql-sqlite-expected.json
 * for the list, and the report of the change that added it for the review).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { judgeMigrationSql } from '../../server/src/analysis/sqlAnalysis';
import { cloneState, type Provider } from '../../server/src/core/dbState';
import { defaultConfig } from '../../server/src/project/config';
import { createReplayer, readMigrationsFolder } from '../../server/src/replay/migrations';
import { corpusRoot } from '../support/corpus';

const corpus = corpusRoot('rules/corpus-mysql-sqlite: MySQL and SQLite histories judged migration by migration');
const expectedFile = path.resolve(__dirname, '../../../test/rules/corpus-mysql-sqlite-expected.json');
const PROJECTS: [string, Provider][] = [
  ['umami-software__umami__mysql', 'mysql'],
  ['stonith404__pingvin-share', 'sqlite'],
];

describe('MySQL and SQLite SQL rules on real histories, each migration judged as pending', function () {
  this.timeout(120000);
  for (const [project, provider] of PROJECTS) {
    it(`${project}: the exact findings`, async function () {
      if (!corpus) this.skip();
      const folder = readMigrationsFolder(path.join(corpus as string, project, 'head/migrations'));
      const replayer = await createReplayer(provider);
      const found: string[] = [];
      for (const migration of folder.migrations) {
        const baseline = cloneState(replayer.state());
        const judged = judgeMigrationSql({ provider, baseline, pending: [{ name: migration.name, file: migration.file, sql: migration.sql }], config: defaultConfig });
        for (const f of judged.findings) found.push(`${migration.name}:${f.range.start.line + 1} ${f.ruleId} ${f.severity}: ${f.message}`);
        replayer.apply({ name: migration.name, file: migration.file, sql: migration.sql });
      }
      const all = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as Record<string, string[]>;
      if (process.env.UPDATE_FIXTURES) fs.writeFileSync(expectedFile, JSON.stringify({ ...all, [project]: found }, null, 2) + '\n');
      else assert.deepStrictEqual(found, all[project]);
    });
  }
});
