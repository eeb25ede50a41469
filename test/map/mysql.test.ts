/**
 * The MySQL mapping against the SQL Prisma writes for the same schema: one
 * schema using every convention the map follows (scalar and native types,
 * defaults, names and their 64-byte limit, InnoDB's own foreign-key indexes,
 * implicit many-to-many tables), and its migration. The mapped state must
 * equal the replayed one exactly; mysql-real.test.ts checks the replay of the
 * same migration against a real MariaDB, which closes the circle.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbState } from '../../server/src/core/dbState';
import { diffStates } from '../../server/src/diff/diff';
import { summarizeChange } from '../../server/src/diff/changes';
import { mapSchema } from '../../server/src/map/mapSchema';
import { canonicalMysqlDateTime, canonicalMysqlType } from '../../server/src/map/mysqlTypes';
import { createMysqlReplayer } from '../../server/src/replay/mysql';
import { scanSchema } from '../../server/src/scan/scanner';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/replay-mysql/contract');

function mapText(text: string, file = path.join(FIXTURE, 'schema.prisma')) {
  return mapSchema(scanSchema([{ path: file, text }]), { provider: 'mysql' });
}

/** Tables in key order, their indexes and foreign keys by name: the order a state lists them in means nothing. */
function normalised(state: DbState): DbState {
  const tables: DbState['tables'] = {};
  for (const key of Object.keys(state.tables).sort()) {
    const table = state.tables[key];
    tables[key] = {
      ...table,
      indexes: [...table.indexes].sort((a, b) => (a.name < b.name ? -1 : 1)),
      foreignKeys: [...table.foreignKeys].sort((a, b) => (a.name < b.name ? -1 : 1)),
    };
  }
  return { ...state, tables };
}

describe('MySQL mapping', () => {
  it('maps a schema to exactly the database its Prisma migration builds', async () => {
    const mapped = mapText(fs.readFileSync(path.join(FIXTURE, 'schema.prisma'), 'utf8'));
    assert.deepStrictEqual(mapped.notes, []);
    const replayer = await createMysqlReplayer();
    const file = path.join(FIXTURE, 'migrations/20240101000000_init/migration.sql');
    assert.deepStrictEqual(replayer.apply({ name: 'init', file, sql: fs.readFileSync(file, 'utf8') }), []);
    const changes = diffStates({ baseline: replayer.state(), expected: mapped.state, sources: mapped.sources }).map(summarizeChange);
    assert.deepStrictEqual(changes, []);
    assert.deepStrictEqual(normalised(mapped.state), normalised(replayer.state()));
  });

  it('gives a foreign key no index can serve the index InnoDB makes for it, and none otherwise', () => {
    const state = mapText(fs.readFileSync(path.join(FIXTURE, 'schema.prisma'), 'utf8')).state;
    const names = (table: string): string[] => state.tables[table].indexes.map((i) => i.name).sort();
    assert.deepStrictEqual(names('Post'), ['Post_authorId_fkey', 'Post_editorId_idx', 'Post_title_idx']);
    assert.deepStrictEqual(names('Profile'), ['Profile_accountId_key']);
    assert.deepStrictEqual(names('_PostToTag'), ['_PostToTag_AB_unique', '_PostToTag_B_index']);
    assert.deepStrictEqual(state.tables.Post.indexes.find((i) => i.name === 'Post_title_idx')?.method, 'fulltext');
  });

  it('relationMode = "prisma": no foreign keys, so no indexes made for them; @@index on the relation scalar is an ordinary index', () => {
    const text = `datasource db {
  provider     = "mysql"
  url          = env("DATABASE_URL")
  relationMode = "prisma"
}
model User {
  id    Int    @id @default(autoincrement())
  posts Post[]
}
model Post {
  id       Int  @id @default(autoincrement())
  authorId Int
  editorId Int?
  author   User @relation(fields: [authorId], references: [id])

  @@index([authorId])
}
`;
    const state = mapText(text).state;
    assert.deepStrictEqual(state.tables.Post.foreignKeys, []);
    assert.deepStrictEqual(state.tables.Post.indexes, [{ name: 'Post_authorId_idx', columns: ['authorId'], unique: false }]);
  });

  it('writes types and date-time defaults in the form MySQL reports them', () => {
    assert.deepStrictEqual(canonicalMysqlType({ name: 'INTEGER', args: [11] }), { name: 'int', args: [], array: false, isEnum: false });
    assert.deepStrictEqual(canonicalMysqlType({ name: 'BOOLEAN' }), { name: 'tinyint', args: [1], array: false, isEnum: false });
    assert.deepStrictEqual(canonicalMysqlType({ name: 'int', args: [10], unsigned: true }), { name: 'int unsigned', args: [], array: false, isEnum: false });
    assert.deepStrictEqual(canonicalMysqlType({ name: 'TIMESTAMP', args: [0] }), { name: 'timestamp', args: [], array: false, isEnum: false });
    assert.deepStrictEqual(canonicalMysqlType({ name: 'DECIMAL' }), { name: 'decimal', args: [10, 0], array: false, isEnum: false });
    assert.deepStrictEqual(canonicalMysqlType({ name: 'FLOAT', args: [30] }), { name: 'double', args: [], array: false, isEnum: false });
    assert.deepStrictEqual(canonicalMysqlType({ name: 'ENUM', values: ['A', 'B'] }), { name: 'enum', args: [], array: false, isEnum: false, enumValues: ['A', 'B'] });
    assert.strictEqual(canonicalMysqlDateTime('2020-01-01T00:00:00+02:00'), '2019-12-31 22:00:00');
    assert.strictEqual(canonicalMysqlDateTime('2020-01-01 10:11:12.500'), '2020-01-01 10:11:12.5');
  });
});
