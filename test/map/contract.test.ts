import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbState } from '../../server/src/core/dbState';
import { mapSchema } from '../../server/src/map';
import { createReplayer } from '../../server/src/replay/migrations';
import { scanSchema } from '../../server/src/scan';

/**
 * The contract between the two producers of DbState: a schema mapped here must
 * equal, value for value, the replay of the SQL Prisma writes for it. Any
 * difference would show up in the editor as drift that does not exist.
 */

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/map');

function sorted(state: DbState): DbState {
  // Replays list indexes and foreign keys by name; the mapping lists them in schema order.
  const copy = structuredClone(state);
  for (const table of Object.values(copy.tables)) {
    table.indexes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    table.foreignKeys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return copy;
}

async function replayed(provider: 'postgresql' | 'sqlite', file: string): Promise<DbState> {
  const replayer = await createReplayer(provider);
  const sqlFile = path.join(FIXTURES, file);
  const notes = replayer.apply({ name: '20240101000000_init', file: sqlFile, sql: fs.readFileSync(sqlFile, 'utf8') });
  assert.deepStrictEqual(notes, []);
  const state = replayer.state();
  replayer.dispose();
  return state;
}

function mapped(file: string): DbState {
  const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
  return mapSchema(scanSchema([{ path: path.join(FIXTURES, file), text }])).state;
}

describe('map: contract with the migrations replay', () => {
  it('PostgreSQL: the mapped fixture equals the replay of the SQL Prisma writes for it', async () => {
    assert.deepStrictEqual(sorted(mapped('postgres.prisma')), sorted(await replayed('postgresql', 'postgres.migration.sql')));
  });

  it('SQLite: the mapped fixture equals the replay of the SQL Prisma writes for it', async () => {
    assert.deepStrictEqual(sorted(mapped('sqlite.prisma')), sorted(await replayed('sqlite', 'sqlite.migration.sql')));
  });
});
