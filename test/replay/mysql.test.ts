import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbState } from '../../server/src/core/dbState';
import type { Note } from '../../server/src/core/notes';
import { range } from '../../server/src/core/source';
import { createMysqlReplayer, splitMysqlStatements } from '../../server/src/replay/mysql';
import type { MigrationInput, ProvenanceEntry, Replayer } from '../../server/src/replay/types';
import { corpusRoot } from '../support/corpus';

// Compiled to out/test/replay; fixtures stay in the source tree.
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/replay-mysql');
const corpus = corpusRoot('replay/mysql: the umami MySQL head');

function readMigrations(dir: string): MigrationInput[] {
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'migration.sql')))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      return { name, file, sql: fs.readFileSync(file, 'utf8') };
    });
}

function migration(name: string, sql: string): MigrationInput {
  return { name, file: `/virtual/${name}/migration.sql`, sql };
}

async function replay(...migrations: MigrationInput[]): Promise<{ replayer: Replayer; notes: Note[] }> {
  const replayer = await createMysqlReplayer();
  const notes = migrations.flatMap((m) => replayer.apply(m));
  return { replayer, notes };
}

/** One line per table: `col:type?=default`, indexes (`!` unique), foreign keys. */
function compact(state: DbState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, table] of Object.entries(state.tables)) {
    out[key] = {
      columns: table.columns.map((c) => {
        const args = c.type.args.length ? `(${c.type.args.join(',')})` : '';
        const values = c.type.enumValues ? `[${c.type.enumValues.join(',')}]` : '';
        const dflt = c.default ? `=${c.default.kind === 'autoincrement' ? 'autoincrement' : c.default.sql}` : '';
        return `${c.name}:${c.type.name}${args}${values}${c.nullable ? '?' : ''}${dflt}`;
      }),
      primaryKey: table.primaryKey?.columns.join(','),
      indexes: table.indexes.map((i) => `${i.name}${i.unique ? '!' : ''}(${i.columns.join(',')})${i.method ? ` ${i.method}` : ''}`),
      foreignKeys: table.foreignKeys.map((f) => `${f.name}(${f.columns.join(',')})->${f.referencedTable}(${f.referencedColumns.join(',')}) ${f.onDelete}/${f.onUpdate}`),
    };
  }
  return out;
}

function messages(notes: Note[]): string[] {
  return notes.map((n) => `${n.level}: ${n.message}`);
}

function at(entry: ProvenanceEntry | undefined): string {
  return entry ? `${entry.migration}@${entry.range.start.line + 1}` : 'none';
}

describe('MySQL replayer', () => {
  describe('statement splitting', () => {
    it('cuts at top-level semicolons only, past quotes, backticks and comments', () => {
      const sql = [
        "INSERT INTO `a;b` VALUES ('x;y', \"p;q\", 'it''s;', 'back\\'slash;');",
        '-- a comment; with a semicolon',
        '# another one;',
        '/* block; comment */ SELECT 1;',
        'SELECT 2',
      ].join('\n');
      const pieces = splitMysqlStatements(sql).map((p) => sql.slice(p.start, p.end));
      assert.deepStrictEqual(pieces, ["INSERT INTO `a;b` VALUES ('x;y', \"p;q\", 'it''s;', 'back\\'slash;')", 'SELECT 1', 'SELECT 2']);
    });

    it('keeps the body of a stored program together', () => {
      const sql = 'CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN IF NEW.a IS NULL THEN SET NEW.a = 1; END IF; SET NEW.b = CASE WHEN 1 THEN 2 END; END;\nSELECT 3;';
      const pieces = splitMysqlStatements(sql).map((p) => sql.slice(p.start, p.end));
      assert.strictEqual(pieces.length, 2);
      assert.ok(pieces[0].endsWith('END'));
      assert.strictEqual(pieces[1], 'SELECT 3');
      const withDefiner = 'CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END;\nSELECT 4;';
      assert.deepStrictEqual(splitMysqlStatements(withDefiner).map((p) => withDefiner.slice(p.start, p.end)), ['CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END', 'SELECT 4']);
    });

    it('does not take `--` without a following space for a comment (MySQL reads it as two minus signs)', () => {
      const sql = 'SELECT 1 --1;\nSELECT 2;';
      assert.deepStrictEqual(splitMysqlStatements(sql).map((p) => sql.slice(p.start, p.end)), ['SELECT 1 --1', 'SELECT 2']);
    });
  });

  describe('Prisma-style migrations', () => {
    it('replays foreign keys, enums, renames and the indexes InnoDB makes by itself, as MariaDB does', async () => {
      const { replayer, notes } = await replay(...readMigrations(path.join(FIXTURES, 'prisma-features')));
      assert.deepStrictEqual(messages(notes), [
        'info: INSERT: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
        'info: UPDATE: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
      ]);
      // The same state information_schema reports after running these files on MariaDB (mysql-real.test.ts).
      assert.deepStrictEqual(compact(replayer.state()), {
        User: {
          columns: [
            'id:int=autoincrement',
            "email:varchar(191)",
            "name:varchar(191)=''",
            'nickname:varchar(50)?',
            "role:enum[USER,ADMIN,EDITOR]='USER'",
            'active:tinyint(1)=true',
            'balance:decimal(65,30)=0',
            'score:double=2',
            "motto:varchar(191)='it''s fine'",
            'createdAt:datetime(3)=current_timestamp',
            'updatedAt:datetime(3)',
            'birthday:date?',
            'profile:json?',
            'visits:bigint unsigned',
            'level:int=0',
            "plan:enum[FREE,PRO]='FREE'",
          ],
          primaryKey: 'id',
          indexes: ['User_email_key!(email)'],
          foreignKeys: [],
        },
        Post: {
          columns: ['id:int=autoincrement', 'title:varchar(191)', 'authorId:int', "status:enum[DRAFT,PUBLISHED]='DRAFT'", 'published_at:datetime(3)?', 'body:text?', 'editorId:int?'],
          primaryKey: 'id',
          // Post_authorId_fkey (made by InnoDB for the key) gave way to Post_authorId_idx; `editorId` is InnoDB's name for an unnamed key's index.
          indexes: ['Post_authorId_idx(authorId)', 'Post_heading_idx(title DESC)', 'editorId(editorId)'],
          foreignKeys: ['Post_authorId_fkey(authorId)->User(id) RESTRICT/CASCADE', 'Post_ibfk_1(editorId)->User(id) RESTRICT/RESTRICT'],
        },
        _PostToTag: {
          columns: ['A:int', 'B:int'],
          primaryKey: undefined,
          indexes: ['_PostToTag_AB_unique!(A,B)'],
          foreignKeys: ['_PostToTag_A_fkey(A)->Post(id) CASCADE/CASCADE'],
        },
        ArchivedPost: {
          columns: ['id:int=autoincrement', 'title:varchar(191)', 'authorId:int', "status:enum[DRAFT,PUBLISHED]='DRAFT'", 'published_at:datetime(3)?', 'body:text?', 'editorId:int?', 'archivedAt:timestamp?=current_timestamp'],
          primaryKey: 'id',
          indexes: ['ArchivedPost_archivedAt_idx(archivedAt)', 'Post_authorId_idx(authorId)', 'Post_heading_idx(title DESC)', 'editorId(editorId)'],
          foreignKeys: [],
        },
        Legacy: {
          columns: ['id:int', 'tagId:int'],
          primaryKey: 'id',
          indexes: ['Legacy_tagId_fkey(tagId)'],
          foreignKeys: ['Legacy_tagId_fkey(tagId)->Tag(id) RESTRICT/RESTRICT'],
        },
        // Created as `Badge`: InnoDB renamed the keys it named (Badge_ibfk_1, Badge_ibfk_2) with the table, not the one named by hand.
        Award: {
          columns: ['id:int=autoincrement', 'ownerId:int', 'giverId:int?', 'parentId:int?'],
          primaryKey: 'id',
          indexes: ['Badge_parent_fkey(parentId)', 'giverId(giverId)', 'ownerId(ownerId)'],
          foreignKeys: ['Award_ibfk_1(ownerId)->Award(id) RESTRICT/RESTRICT', 'Award_ibfk_2(giverId)->Award(id) RESTRICT/RESTRICT', 'Badge_parent_fkey(parentId)->Award(id) RESTRICT/RESTRICT'],
        },
      });
    });

    it('records where each object was made, and keeps a renamed column\'s origin', async () => {
      const { replayer } = await replay(...readMigrations(path.join(FIXTURES, 'prisma-features')));
      const provenance = replayer.provenance();
      assert.strictEqual(at(provenance.Post), '01_init@24');
      assert.strictEqual(at(provenance['Post.published_at']), '01_init@24');
      assert.strictEqual(at(provenance['Post#Post_authorId_fkey']), '01_init@54');
      assert.strictEqual(at(provenance['Post#Post_heading_idx']), '01_init@24');
      assert.strictEqual(at(provenance['User.nickname']), '02_evolve@7');
      assert.strictEqual(at(provenance['User.avatar']), 'none');
    });
  });

  it('replays the umami MySQL head without a warning', async function () {
    const dir = corpus && path.join(corpus, 'umami-software__umami__mysql/head/migrations');
    if (!dir || !fs.existsSync(dir)) this.skip();
    const { replayer, notes } = await replay(...readMigrations(dir as string));
    assert.deepStrictEqual(notes.filter((n) => n.level !== 'info'), []);
    assert.deepStrictEqual(Object.keys(replayer.state().tables).sort(), ['event_data', 'report', 'session', 'session_data', 'team', 'team_user', 'user', 'website', 'website_event']);
    const session = replayer.state().tables.session;
    assert.deepStrictEqual(session.columns.map((c) => c.name), ['session_id', 'website_id', 'browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city', 'created_at', 'distinct_id']);
    assert.ok(!session.indexes.some((i) => i.name === 'session_website_id_created_at_subdivision1_idx'));
  });

  describe('what MySQL would refuse, and what is not modelled', () => {
    it('skips a statement it cannot parse with a warning naming the line, and reads on', async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `a` (`id` INT NOT NULL, PRIMARY KEY (`id`));\n\nALTER TABLE "a" ADD COLUMN "b" INT NULL;\nALTER TABLE `a` ADD COLUMN `c` INT NULL;'),
      );
      assert.deepStrictEqual(messages(notes), ['warning: Line 3: MySQL syntax not understood (unexpected `I`); the statement is skipped and the rest of the file is still read.']);
      assert.deepStrictEqual(replayer.state().tables.a.columns.map((c) => c.name), ['id', 'c']);
      assert.deepStrictEqual(notes[0].where?.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 39 } });
    });

    it('reads the ALTER TABLE clauses the parser lacks token by token (RENAME INDEX, ALTER COLUMN ... DEFAULT)', async () => {
      const { replayer, notes } = await replay(
        migration('1', "CREATE TABLE `a` (`id` INT NOT NULL, `n` INT NOT NULL DEFAULT 1, `s` VARCHAR(5) NULL, INDEX `a_n_idx`(`n`), PRIMARY KEY (`id`));"),
        migration('2', "ALTER TABLE `a` RENAME INDEX `a_n_idx` TO `a_n_key`, ALTER COLUMN `n` DROP DEFAULT, ALTER `s` SET DEFAULT 'x', MODIFY `id` BIGINT NOT NULL;"),
      );
      assert.deepStrictEqual(notes, []);
      assert.deepStrictEqual(compact(replayer.state()).a, { columns: ['id:bigint', 'n:int', "s:varchar(5)?='x'"], primaryKey: 'id', indexes: ['a_n_key(n)'], foreignKeys: [] });
    });

    it('reads DROP CONSTRAINT with a quoted name, and counts stored routines and events as not modelled', async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `p` (`id` INT NOT NULL, PRIMARY KEY (`id`));\nCREATE TABLE `c` (`id` INT NOT NULL, `p` INT NOT NULL, `n` INT NULL, PRIMARY KEY (`id`), CONSTRAINT `c_p_fkey` FOREIGN KEY (`p`) REFERENCES `p`(`id`));'),
        migration(
          '2',
          [
            'ALTER TABLE `c` ADD CONSTRAINT `c_n_check` CHECK (`n` > 0);',
            'ALTER TABLE `c` DROP CONSTRAINT `c_n_check`;',
            'ALTER TABLE `c` DROP CONSTRAINT `c_p_fkey`;',
            'CREATE DEFINER=`root`@`%` PROCEDURE `touch`(IN x INT)\nBEGIN\n  UPDATE `c` SET `n` = x;\nEND;',
            'CREATE FUNCTION `plus`(a INT) RETURNS INT DETERMINISTIC RETURN a + 1;',
            'DROP PROCEDURE IF EXISTS `touch`;',
            'DROP EVENT IF EXISTS `nightly`;',
          ].join('\n'),
        ),
      );
      assert.deepStrictEqual(messages(notes), [
        'info: CHECK constraint: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
        'info: CREATE PROCEDURE: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
        'info: CREATE FUNCTION: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
        'info: DROP PROCEDURE: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
        'info: DROP EVENT: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
      ]);
      // The foreign key is gone; the index InnoDB made for it stays, as in MySQL.
      assert.deepStrictEqual(compact(replayer.state()).c, { columns: ['id:int', 'p:int', 'n:int?'], primaryKey: 'id', indexes: ['c_p_fkey(p)'], foreignKeys: [] });
    });

    it('says ADD COLUMN ... AFTER a column the table does not have fails on a fresh database, and keeps the column, last', async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `User` (`id` INT NOT NULL, `email` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`));'),
        migration('2', 'ALTER TABLE `User` ADD COLUMN `x` INT AFTER `nope`;\nALTER TABLE `User` ADD COLUMN `y` INT AFTER `id`;'),
      );
      // Checked on MariaDB 10.11: "Unknown column 'nope'".
      assert.deepStrictEqual(messages(notes), [
        'warning: This migration fails on a fresh database at line 1: AFTER names column `nope`, which `User` does not have; MySQL rejects the statement ("Unknown column"). The replay puts the column last.',
      ]);
      assert.deepStrictEqual(compact(replayer.state()).User, { columns: ['id:int', 'y:int?', 'email:varchar(191)', 'x:int?'], primaryKey: 'id', indexes: [], foreignKeys: [] });
      assert.deepStrictEqual((replayer.uncertain?.() ?? []).map((u) => [u.migration, u.excerpt, u.fails]), [['2', 'ALTER TABLE `User` ADD COLUMN `x` INT AFTER `nope`', true]]);
    });

    it('reads a partitioned table without its PARTITION BY clause, which the parser does not know and which changes no column, index or key', async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `Log` (`id` INT NOT NULL, `at` DATE NOT NULL, PRIMARY KEY (`id`, `at`)) PARTITION BY RANGE (YEAR(`at`)) (PARTITION p0 VALUES LESS THAN (2025), PARTITION p1 VALUES LESS THAN MAXVALUE);\nALTER TABLE `Log` ADD COLUMN `msg` TEXT;'),
      );
      assert.deepStrictEqual(messages(notes), []);
      assert.deepStrictEqual(compact(replayer.state()), { Log: { columns: ['id:int', 'at:date', 'msg:text?'], primaryKey: 'id,at', indexes: [], foreignKeys: [] } });
    });

    it('does not call a refusal a failure when a statement it could not read created or changed the table, and keeps a table created from a query', async () => {
      const { replayer, notes } = await replay(
        migration('1', "CREATE TABLE `User` (`id` INT NOT NULL, PRIMARY KEY (`id`));\nCREATE TABLE `Log` (`id` INT NOT NULL, `at` DATE NOT NULL, PRIMARY KEY (`id`, `at`)) STATS_PERSISTENT=0;\nCREATE TABLE `UserCopy` AS SELECT `id` FROM `User`;"),
        migration('2', 'ALTER TABLE `Log` ADD COLUMN `msg` TEXT;\nALTER TABLE `UserCopy` ADD PRIMARY KEY (`id`);\nALTER TABLE `User` DROP COLUMN `nope`;'),
      );
      // Checked on MariaDB 10.11: migration 2 fails at its line 3 only.
      assert.deepStrictEqual(messages(notes), [
        'warning: Line 2: MySQL syntax not understood (unexpected `S`); the statement is skipped and the rest of the file is still read.',
        'info: Line 3: table `UserCopy` is created from a query; its columns are not known to the replay, so nothing in it is compared with the schema.',
        'warning: Line 1: on the replayed state MySQL would reject this statement (table `Log` does not exist at this point of the migrations), but line 2 of 1, which the replay could not fully read, created or changed `Log`: it is not reported as failing.',
        'warning: Line 2: on the replayed state MySQL would reject this statement (`UserCopy` has no column `id`), but line 3 of 1, which the replay could not fully read, created or changed `UserCopy`: it is not reported as failing.',
        'warning: This migration fails on a fresh database at line 3: column `User.nope` does not exist; MySQL rejects the statement, so it is skipped.',
      ]);
      assert.deepStrictEqual(replayer.state().tables.UserCopy, { name: 'UserCopy', columns: [], indexes: [], foreignKeys: [], fromQuery: true });
      assert.deepStrictEqual(replayer.uncertain?.(), [
        { migration: '2', file: '/virtual/2/migration.sql', range: range(0, 0, 0, 39), excerpt: 'ALTER TABLE `Log` ADD COLUMN `msg` TEXT', reason: 'an earlier statement the replay could not fully read may have made it valid (table `Log` does not exist at this point of the migrations)', tables: [] },
        { migration: '2', file: '/virtual/2/migration.sql', range: range(1, 0, 1, 45), excerpt: 'ALTER TABLE `UserCopy` ADD PRIMARY KEY (`id`)', reason: 'an earlier statement the replay could not fully read may have made it valid (`UserCopy` has no column `id`)', tables: ['UserCopy'] },
        { migration: '2', file: '/virtual/2/migration.sql', range: range(2, 0, 2, 37), excerpt: 'ALTER TABLE `User` DROP COLUMN `nope`', reason: 'MySQL rejects it (column `User.nope` does not exist; MySQL rejects the statement, so it is skipped.)', tables: ['User', 'UserCopy'], fails: true },
      ]);
    });

    it('reads foreign_key_checks in every spelling MariaDB accepts, and leaves SET GLOBAL to later sessions', async () => {
      const init = 'CREATE TABLE `p` (`id` INT NOT NULL, PRIMARY KEY (`id`));\nCREATE TABLE `c` (`id` INT NOT NULL, `p` INT NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `c_p_fkey` FOREIGN KEY (`p`) REFERENCES `p`(`id`));';
      const spellings: [string, boolean][] = [
        ['SET SESSION foreign_key_checks = OFF;', false],
        ['SET @@session.foreign_key_checks = 0;', false],
        ['SET LOCAL foreign_key_checks = 0;', false],
        ["SET foreign_key_checks := 'OFF';", false],
        ['SET foreign_key_checks = OFF;\nSET foreign_key_checks = ON;', true],
        ['SET GLOBAL foreign_key_checks = 0;', true],
        ['SET @@global.foreign_key_checks = 0;', true],
      ];
      // Checked on MariaDB 10.11: the DROP is refused exactly where `refused` is true.
      for (const [set, refused] of spellings) {
        const { replayer } = await replay(migration('1', init), migration('2', `${set}\nDROP TABLE \`p\`;`));
        assert.strictEqual(replayer.state().tables.p !== undefined, refused, set);
        assert.strictEqual((replayer.uncertain?.() ?? []).some((u) => u.fails), refused, set);
      }
    });

    it('refuses to drop a table another one references while foreign_key_checks is on', async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `p` (`id` INT NOT NULL, PRIMARY KEY (`id`));\nCREATE TABLE `c` (`id` INT NOT NULL, `p` INT NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `c_p_fkey` FOREIGN KEY (`p`) REFERENCES `p`(`id`));\nDROP TABLE `p`;'),
      );
      const refusal = 'MySQL refuses to drop `p` while foreign key `c_p_fkey` of `c` references it (foreign_key_checks is on); the statement is skipped.';
      assert.deepStrictEqual(messages(notes), [`warning: This migration fails on a fresh database at line 3: ${refusal}`]);
      assert.ok(replayer.state().tables.p);
      // As on PostgreSQL and SQLite: the migration fails on a fresh database, and every table it names is uncertain.
      assert.deepStrictEqual(replayer.uncertain?.(), [
        { migration: '1', file: '/virtual/1/migration.sql', range: range(2, 0, 2, 14), excerpt: 'DROP TABLE `p`', reason: `MySQL rejects it (${refusal})`, tables: ['p', 'c'], fails: true },
      ]);
    });

    it("says a migration creating prisma migrate's own table fails, and keeps that table out of the state", async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `_prisma_migrations` (`id` VARCHAR(36) NOT NULL, `checksum` VARCHAR(64) NOT NULL, PRIMARY KEY (`id`));\nINSERT INTO `_prisma_migrations` (`id`, `checksum`) VALUES (\'a\', \'b\');\nCREATE TABLE `User` (`id` INT NOT NULL, PRIMARY KEY (`id`));'),
        migration('2', 'CREATE TABLE IF NOT EXISTS `_prisma_migrations` (`id` VARCHAR(36) NOT NULL);\nALTER TABLE `_prisma_migrations` ADD COLUMN `x` INT;'),
        // A mysqldump drops each table before it creates it: then the CREATE is fine.
        migration('3', 'DROP TABLE IF EXISTS `_prisma_migrations`;\nCREATE TABLE `_prisma_migrations` (`id` VARCHAR(36) NOT NULL, PRIMARY KEY (`id`));'),
      );
      assert.deepStrictEqual(messages(notes), [
        'warning: This migration fails on a fresh database at line 1: table `_prisma_migrations` already exists: prisma migrate creates it before it applies the first migration (a mysqldump of a database Prisma manages includes it). Remove its CREATE TABLE, and the statements on it, from the migration.',
        'info: INSERT: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
      ]);
      assert.deepStrictEqual(Object.keys(replayer.state().tables), ['User']);
    });

    it('says DELIMITER, which only the mysql client understands, makes the migration fail, and reads the trigger after it', async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `User` (`id` INT NOT NULL, `email` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`));\nDELIMITER ;;\nCREATE TRIGGER `user_bi` BEFORE INSERT ON `User` FOR EACH ROW SET NEW.`email` = LOWER(NEW.`email`);;\nDELIMITER ;'),
      );
      const refusal = 'DELIMITER is a command of the mysql client, not SQL: prisma migrate sends the file to the server, which rejects it (1064). Delete the DELIMITER lines and end the CREATE TRIGGER or CREATE PROCEDURE with a plain semicolon; the server reads its BEGIN ... END whole.';
      assert.deepStrictEqual(messages(notes), [
        `warning: This migration fails on a fresh database at line 2: ${refusal}`,
        `warning: This migration fails on a fresh database at line 4: ${refusal}`,
        'info: CREATE TRIGGER: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
      ]);
      assert.deepStrictEqual(Object.keys(replayer.state().tables), ['User']);
    });

    it('keeps an index a foreign key needs, and drops a column from the indexes that use it', async () => {
      const { replayer, notes } = await replay(
        migration('1', 'CREATE TABLE `p` (`id` INT NOT NULL, PRIMARY KEY (`id`));\nCREATE TABLE `c` (`id` INT NOT NULL, `p` INT NOT NULL, `x` INT, `y` INT, INDEX `c_x_y_idx`(`x`, `y`), INDEX `c_y_idx`(`y`), PRIMARY KEY (`id`), CONSTRAINT `c_p_fkey` FOREIGN KEY (`p`) REFERENCES `p`(`id`));'),
        migration('2', 'DROP INDEX `c_p_fkey` ON `c`;\nALTER TABLE `c` DROP COLUMN `y`;'),
      );
      assert.deepStrictEqual(messages(notes), ['warning: This migration fails on a fresh database at line 1: MySQL refuses to drop index `c_p_fkey`: foreign key `c_p_fkey` needs it. The statement is skipped.']);
      assert.deepStrictEqual(compact(replayer.state()).c, { columns: ['id:int', 'p:int', 'x:int?'], primaryKey: 'id', indexes: ['c_p_fkey(p)', 'c_x_y_idx(x)'], foreignKeys: ['c_p_fkey(p)->p(id) RESTRICT/RESTRICT'] });
    });

    it('counts data statements and unmodelled objects in one info note per kind', async () => {
      const { notes } = await replay(
        migration('1', "CREATE TABLE `a` (`id` INT NOT NULL);\nINSERT INTO `a` VALUES (1);\nINSERT INTO `a` VALUES (2);\nCREATE VIEW `v` AS SELECT 1;\nSET NAMES utf8mb4;"),
      );
      assert.deepStrictEqual(messages(notes), [
        'info: INSERT: 2 statements not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
        'info: CREATE VIEW: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
        'info: SET (not parsed): 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints).',
      ]);
    });
  });

  it('forks into an independent copy', async () => {
    const { replayer } = await replay(migration('1', 'CREATE TABLE `a` (`id` INT NOT NULL);'));
    const copy = replayer.fork();
    copy.apply(migration('2', 'ALTER TABLE `a` ADD COLUMN `b` INT NULL;'));
    assert.deepStrictEqual(replayer.state().tables.a.columns.map((c) => c.name), ['id']);
    assert.deepStrictEqual(copy.state().tables.a.columns.map((c) => c.name), ['id', 'b']);
  });
});
