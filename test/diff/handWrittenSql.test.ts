/**
 * Hand-written PostgreSQL migrations against a schema, compared as Prisma's
 * engine compares them: one folder per construct in
 * test/fixtures/hand-written-sql/<case>/ with the migrations (`1.sql`, `2.sql`,
 * ... applied in order), `schema.prisma`, a one-line `README` saying what it
 * shows, and `expected.json`: `changes` (every change the diff finds,
 * summarised), `objects` (the views, functions, triggers, ... the replay
 * recorded) and `notes` (every warning or error of the replay; info left out).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { summarizeChange } from '../../server/src/diff/changes';
import { diffStates, markStable } from '../../server/src/diff/diff';
import { mapSchema } from '../../server/src/map/mapSchema';
import { createPostgresReplayer } from '../../server/src/replay/postgres';
import { loadPostgresParser } from '../../server/src/replay/statements';
import { scanSchema } from '../../server/src/scan/scanner';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/hand-written-sql');

interface Expected {
  changes: Record<string, unknown>[];
  objects?: Record<string, unknown>;
  notes?: string[];
}

function run(dir: string): Expected {
  const replayer = createPostgresReplayer();
  const notes: string[] = [];
  const migrations = fs.readdirSync(dir).filter((f) => /^\d+\.sql$/.test(f)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  for (const file of migrations) {
    for (const note of replayer.apply({ name: file, file: path.join(dir, file), sql: fs.readFileSync(path.join(dir, file), 'utf8') })) {
      if (note.level !== 'info') notes.push(`${file}:${note.where?.range.start.line ?? 0} ${note.level}: ${note.message}`);
    }
  }
  const schemaFile = path.join(dir, 'schema.prisma');
  const mapped = mapSchema(scanSchema([{ path: schemaFile, text: fs.readFileSync(schemaFile, 'utf8') }]), { provider: 'postgresql' });
  const changes = diffStates({ baseline: replayer.state(), expected: mapped.state, sources: mapped.sources, prismaDefaults: mapped.prismaDefaults }).map((c) => ({ ...summarizeChange(c), ...(c.tableKey !== c.table ? { tableKey: c.tableKey } : {}) }));
  const result: Expected = { changes };
  if (replayer.state().objects) result.objects = replayer.state().objects;
  if (notes.length > 0) result.notes = notes;
  return JSON.parse(JSON.stringify(result)) as Expected;
}

describe('diff: hand-written PostgreSQL migrations compared as Prisma\'s engine compares them', () => {
  before(async () => {
    await loadPostgresParser();
  });
  it('a table found equal without partialIndexes is compared again when the feature is on (the diff cache keys on it)', () => {
    const replayer = createPostgresReplayer();
    replayer.apply({ name: '1', file: '/p/1/migration.sql', sql: 'CREATE TABLE "T" ("id" INTEGER NOT NULL, "a" INTEGER, CONSTRAINT "T_pkey" PRIMARY KEY ("id")); CREATE INDEX "T_a_idx" ON "T" ("a") WHERE "a" > 0;' });
    const schema = (features: string): string => `generator client {\n  provider = "prisma-client-js"\n  previewFeatures = [${features}]\n}\ndatasource db {\n  provider = "postgresql"\n}\nmodel T {\n  id Int @id\n  a  Int?\n  @@index([a])\n}\n`;
    const without = mapSchema(scanSchema([{ path: '/p/schema.prisma', text: schema('') }]), { provider: 'postgresql' });
    const withPartial = { ...without.state, partialIndexes: true };
    markStable(replayer.state());
    markStable(without.state);
    const diff = (expected: typeof without.state) => diffStates({ baseline: replayer.state(), expected, sources: without.sources }).map(summarizeChange);
    assert.deepStrictEqual(diff(without.state), []);
    assert.deepStrictEqual(diff(withPartial), [
      { kind: 'dropIndex', table: 'T', index: 'T_a_idx', columns: ['a'], unique: false, where: 'a > 0' },
      { kind: 'addIndex', table: 'T', index: 'T_a_idx', columns: ['a'], unique: false },
    ]);
  });

  for (const name of fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).sort() : []) {
    const dir = path.join(FIXTURES, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    const description = fs.readFileSync(path.join(dir, 'README'), 'utf8').trim();
    it(`${name}: ${description}`, () => {
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
      assert.deepStrictEqual(run(dir), expected);
    });
  }
});
