/**
 * The SQLite rules' claims, run on a real SQLite (sql.js): the fixtures'
 * deployed migrations are applied, rows are inserted, and the pending
 * migration the rule judged is executed as Prisma would (foreign_keys ON on
 * the connection). What the rule says fails must fail with the error its
 * message quotes; what it says passes unchecked must pass, with the bad rows
 * still there for `PRAGMA foreign_key_check` to list.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/rules');

function migrationsOf(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
}

describe('SQLite rules agree with SQLite (sql.js)', () => {
  let SQL: SqlJsStatic;

  before(async () => {
    SQL = await initSqlJs();
  });

  /** The fixture's deployed database with `rows` inserted, and a function running its pending migrations. */
  function deployed(fixture: string, rows: string): { db: Database; migrate(): string | undefined } {
    const dir = path.join(fixtures, fixture);
    const db = new SQL.Database();
    db.exec('PRAGMA foreign_keys=ON;');
    for (const sql of migrationsOf(path.join(dir, 'before'))) db.exec(sql);
    db.exec(rows);
    return {
      db,
      migrate() {
        try {
          for (const sql of migrationsOf(path.join(dir, 'pending'))) db.exec(sql);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    };
  }

  const orphanCheck = (db: Database): unknown[][] => db.exec('PRAGMA foreign_key_check;')[0]?.values ?? [];

  it('a new required column with no value and no DEFAULT: the copy fails on the first row', () => {
    const { migrate } = deployed('sql-sqlite-table-redefinition/err-required-column-without-value', `INSERT INTO "Team" ("name") VALUES ('core'); INSERT INTO "User" ("email") VALUES ('a@x.test');`);
    assert.match(migrate() ?? 'no error', /NOT NULL constraint failed: new_User\.teamId/);
  });

  it('... and on an empty table the same migration passes (the risk is the rows)', () => {
    const { migrate } = deployed('sql-sqlite-table-redefinition/err-required-column-without-value', '');
    assert.strictEqual(migrate(), undefined);
  });

  it('a nullable column made NOT NULL: one NULL row fails the copy', () => {
    const { migrate } = deployed('sql-sqlite-table-redefinition/err-nickname-made-required-and-unique', `INSERT INTO "User" ("email", "nickname") VALUES ('a@x.test', 'ann'), ('b@x.test', NULL);`);
    assert.match(migrate() ?? 'no error', /NOT NULL constraint failed: new_User\.nickname/);
  });

  it('a new UNIQUE: duplicates fail the migration after the copy', () => {
    const { migrate } = deployed('sql-sqlite-table-redefinition/err-nickname-made-required-and-unique', `INSERT INTO "User" ("email", "nickname") VALUES ('a@x.test', 'ann'), ('b@x.test', 'ann');`);
    assert.match(migrate() ?? 'no error', /UNIQUE constraint failed: User\.nickname/);
  });

  it('... and with clean rows it passes', () => {
    const { migrate } = deployed('sql-sqlite-table-redefinition/err-nickname-made-required-and-unique', `INSERT INTO "User" ("email", "nickname") VALUES ('a@x.test', 'ann'), ('b@x.test', 'bob');`);
    assert.strictEqual(migrate(), undefined);
  });

  it('a new foreign key copied with foreign_keys OFF: rows pointing nowhere pass silently, and only foreign_key_check finds them', () => {
    const { db, migrate } = deployed('sql-sqlite-table-redefinition/err-foreign-key-never-checked', `INSERT INTO "User" ("email") VALUES ('a@x.test');`);
    assert.strictEqual(migrate(), undefined);
    assert.deepStrictEqual(orphanCheck(db), [['User', 1, 'Team', 0]]);
  });

  it('the ok case: COALESCE fills the NULLs, the DEFAULT fills the new columns, and its foreign_key_check finds nothing orphaned', () => {
    const { db, migrate } = deployed('sql-sqlite-table-redefinition/ok-values-given-and-checked', `INSERT INTO "Team" ("name") VALUES ('core'); INSERT INTO "User" ("email", "nickname") VALUES ('a@x.test', NULL);`);
    assert.strictEqual(migrate(), undefined);
    assert.deepStrictEqual(db.exec('SELECT "nickname", "teamId", "active" FROM "User"')[0].values, [['', 1, 1]]);
    assert.deepStrictEqual(orphanCheck(db), []);
  });

  it('DROP COLUMN of an indexed column: SQLite refuses it', () => {
    const { migrate } = deployed('sql-drop-column/err-sqlite-drop-indexed-column', `INSERT INTO "User" ("email", "nickname") VALUES ('a@x.test', 'ann');`);
    assert.match(migrate() ?? 'no error', /error in index User_nickname_idx after drop column/);
  });

  it('a redefinition that leaves a column behind: its values are gone after the migration', () => {
    const { db, migrate } = deployed('sql-drop-column/err-sqlite-redefinition-leaves-column', `INSERT INTO "User" ("email", "legacyId") VALUES ('a@x.test', 'L-1');`);
    assert.strictEqual(migrate(), undefined);
    const columns = db.exec('SELECT name FROM pragma_table_info(\'User\')')[0].values.map((row) => row[0]);
    assert.deepStrictEqual(columns, ['id', 'email', 'nickname']);
  });

  it('a redefinition that renames a column in the copy keeps its values', () => {
    const { db, migrate } = deployed('sql-drop-column/ok-sqlite-redefinition-keeps-every-column', `INSERT INTO "User" ("email", "nickname", "legacyId") VALUES ('a@x.test', 'ann', 'L-1');`);
    assert.strictEqual(migrate(), undefined);
    assert.deepStrictEqual(db.exec('SELECT "nick", "legacyId" FROM "User"')[0].values, [['ann', 'L-1']]);
  });
});
