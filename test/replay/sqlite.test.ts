import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { emptyState, type ColumnType, type DbColumn, type DbDefault, type DbState } from '../../server/src/core/dbState';
import type { Note } from '../../server/src/core/notes';
import { createSqliteReplayer } from '../../server/src/replay/sqlite';
import type { MigrationInput, ProvenanceEntry, Replayer } from '../../server/src/replay/types';
import { corpusRoot } from '../support/corpus';

// Compiled to out/test/replay; fixtures stay in the source tree.
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/replay-sqlite');
const SEEDED_ROWS = path.resolve(__dirname, '../../../test/fixtures/replay/seeded-rows-sqlite/migrations');


/** Migration folders in byte order of their names, as Prisma applies them. */
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

function fixture(name: string): MigrationInput[] {
  return readMigrations(path.join(FIXTURES, name));
}

function type(name: string, args: number[] = []): ColumnType {
  return { name, args, array: false, isEnum: false };
}

function column(name: string, typeName: string, nullable: boolean, dbDefault?: DbDefault, args: number[] = []): DbColumn {
  const result: DbColumn = { name, type: type(typeName, args), nullable };
  if (dbDefault) result.default = dbDefault;
  return result;
}

const value = (sql: string): DbDefault => ({ kind: 'value', sql });
const autoincrement: DbDefault = { kind: 'autoincrement' };

/** Provenance as `migration@startLine:startChar-endLine:endChar` (0-based), so whole maps stay readable. */
function compact(provenance: Record<string, ProvenanceEntry>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(provenance)) {
    const { start, end } = entry.range;
    out[key] = `${entry.migration}@${start.line}:${start.character}-${end.line}:${end.character}`;
  }
  return out;
}

function applyAll(replayer: Replayer, migrations: MigrationInput[]): Note[] {
  return migrations.flatMap((migration) => replayer.apply(migration));
}

describe('SQLite replayer', () => {
  const open: Replayer[] = [];
  async function replayer(): Promise<Replayer> {
    const created = await createSqliteReplayer();
    open.push(created);
    return created;
  }
  afterEach(() => {
    for (const r of open.splice(0)) r.dispose();
  });

  it('reads every type Prisma writes for SQLite, with defaults and autoincrement', async () => {
    const r = await replayer();
    const migrations = fixture('all-types');
    assert.deepStrictEqual(applyAll(r, migrations), []);
    const expected: DbState = {
      provider: 'sqlite',
      enums: {},
      tables: {
        Everything: {
          name: 'Everything',
          columns: [
            column('id', 'INTEGER', false, autoincrement),
            column('text', 'TEXT', false, value("'it''s'")),
            column('optionalText', 'TEXT', true),
            column('int', 'INTEGER', false, value('0')),
            column('negative', 'INTEGER', false, value('-1')),
            column('bigInt', 'BIGINT', false, value('42')),
            column('float', 'REAL', false, value('1.5')),
            column('decimal', 'DECIMAL', false, value('0')),
            column('decimalWithPrecision', 'DECIMAL', true, undefined, [65, 30]),
            column('bool', 'BOOLEAN', false, value('true')),
            column('legacyBool', 'BOOLEAN', false, value('true')),
            column('createdAt', 'DATETIME', false, value('current_timestamp')),
            column('updatedAt', 'DATETIME', false),
            column('json', 'JSONB', false, value("'{}'")),
            column('bytes', 'BLOB', true),
            column('role', 'TEXT', false, value("'USER'")),
            column('token', 'TEXT', false, { kind: 'expression', sql: 'lower(hex(randomblob(16)))', volatile: true }),
            column('day', 'DATETIME', true, { kind: 'expression', sql: "date('now')", volatile: false }),
            column('nullDefault', 'TEXT', true),
          ],
          primaryKey: { columns: ['id'] },
          indexes: [],
          foreignKeys: [],
        },
        // `Int @id` without @default(autoincrement()): still the rowid, so still autoincrement.
        Counter: {
          name: 'Counter',
          columns: [column('id', 'INTEGER', false, autoincrement), column('value', 'INTEGER', false)],
          primaryKey: { columns: ['id'] },
          indexes: [],
          foreignKeys: [],
        },
        Session: {
          name: 'Session',
          columns: [column('id', 'TEXT', false), column('expires', 'DATETIME', false)],
          primaryKey: { columns: ['id'] },
          indexes: [],
          foreignKeys: [],
        },
      },
    };
    assert.deepStrictEqual(r.state(), expected);

    const init = '20240101000000_init';
    const everything = `${init}@1:0-21:2`;
    const expectedProvenance: Record<string, string> = {
      Everything: everything,
      Counter: `${init}@24:0-27:2`,
      'Counter.id': `${init}@24:0-27:2`,
      'Counter.value': `${init}@24:0-27:2`,
      Session: `${init}@30:0-33:2`,
      'Session.id': `${init}@30:0-33:2`,
      'Session.expires': `${init}@30:0-33:2`,
    };
    for (const c of expected.tables.Everything.columns) expectedProvenance[`Everything.${c.name}`] = everything;
    assert.deepStrictEqual(compact(r.provenance()), expectedProvenance);
    assert.strictEqual(r.provenance().Everything.file, migrations[0].file);
  });

  it('reads composite primary keys, unique and plain indexes, and foreign keys with their actions', async () => {
    const r = await replayer();
    assert.deepStrictEqual(applyAll(r, fixture('relations')), []);
    const expected: DbState = {
      provider: 'sqlite',
      enums: {},
      tables: {
        User: {
          name: 'User',
          columns: [
            column('id', 'TEXT', false),
            column('email', 'TEXT', false),
            column('handle', 'TEXT', false),
            column('code', 'TEXT', true),
            column('createdAt', 'DATETIME', false, value('current_timestamp')),
          ],
          primaryKey: { columns: ['id'] },
          indexes: [
            // Inline UNIQUE without a name: Prisma's conventional name, not sqlite_autoindex_User_2.
            { name: 'User_code_key', columns: ['code'], unique: true },
            { name: 'User_createdAt_idx', columns: ['"createdAt" DESC'], unique: false },
            { name: 'User_email_key', columns: ['email'], unique: true },
            { name: 'User_handle_unique', columns: ['handle'], unique: true },
          ],
          foreignKeys: [],
        },
        Team: {
          name: 'Team',
          columns: [column('id', 'INTEGER', false, autoincrement), column('name', 'TEXT', false)],
          primaryKey: { columns: ['id'] },
          indexes: [],
          foreignKeys: [],
        },
        Membership: {
          name: 'Membership',
          columns: [
            column('userId', 'TEXT', false),
            column('teamId', 'INTEGER', false),
            column('role', 'TEXT', false, value("'MEMBER'")),
            column('invitedById', 'TEXT', true),
          ],
          // Key order, not column order; and no name, whatever the SQL wrote.
          primaryKey: { columns: ['teamId', 'userId'] },
          indexes: [{ name: 'Membership_role_idx', columns: ['role'], unique: false }],
          foreignKeys: [
            {
              name: 'Membership_invitedById_fkey',
              columns: ['invitedById'],
              referencedTable: 'User',
              referencedColumns: ['id'],
              onDelete: 'SET NULL',
              onUpdate: 'CASCADE',
            },
            {
              name: 'Membership_teamId_fkey',
              columns: ['teamId'],
              referencedTable: 'Team',
              referencedColumns: ['id'],
              onDelete: 'RESTRICT',
              onUpdate: 'CASCADE',
            },
            {
              name: 'Membership_userId_fkey',
              columns: ['userId'],
              referencedTable: 'User',
              referencedColumns: ['id'],
              onDelete: 'CASCADE',
              onUpdate: 'CASCADE',
            },
          ],
        },
        Note: {
          name: 'Note',
          columns: [
            column('id', 'TEXT', false),
            column('version', 'INTEGER', false),
            column('authorId', 'TEXT', true),
            column('teamId', 'INTEGER', true),
          ],
          primaryKey: { columns: ['id', 'version'] },
          // The index on lower("id") is left out: no Prisma schema can describe it.
          indexes: [
            { name: 'Note_authorId_idx', columns: ['authorId'], unique: false, where: '"authorId" IS NOT NULL' },
            { name: 'Note_teamId_version_key', columns: ['teamId', 'version'], unique: true },
          ],
          foreignKeys: [
            // REFERENCES "User" without columns means User's primary key; SQLite's default action is NO ACTION.
            {
              name: 'Note_authorId_fkey',
              columns: ['authorId'],
              referencedTable: 'User',
              referencedColumns: ['id'],
              onDelete: 'NO ACTION',
              onUpdate: 'NO ACTION',
            },
            {
              name: 'Note_teamId_fkey',
              columns: ['teamId'],
              referencedTable: 'Team',
              referencedColumns: ['id'],
              onDelete: 'SET DEFAULT',
              onUpdate: 'NO ACTION',
            },
          ],
        },
      },
    };
    assert.deepStrictEqual(r.state(), expected);
    const p = compact(r.provenance());
    assert.strictEqual(p['User#User_email_key'], '20240101000000_init@40:0-40:56');
    assert.strictEqual(p['User#User_code_key'], '20240101000000_init@1:0-7:2');
    assert.strictEqual(p['Membership#Membership_teamId_fkey'], '20240101000000_init@16:0-26:2');
  });

  it("follows Prisma's table redefinition exactly and keeps the original provenance", async () => {
    const r = await replayer();
    const [init, postChanges, authorColumns] = fixture('redefine');

    assert.deepStrictEqual(r.apply(init), []);
    const author = {
      name: 'Author',
      columns: [column('id', 'TEXT', false), column('name', 'TEXT', false)],
      primaryKey: { columns: ['id'] },
      indexes: [],
      foreignKeys: [],
    };
    const comment = {
      name: 'Comment',
      columns: [column('id', 'TEXT', false), column('postId', 'TEXT', false)],
      primaryKey: { columns: ['id'] },
      indexes: [],
      foreignKeys: [
        {
          name: 'Comment_postId_fkey',
          columns: ['postId'],
          referencedTable: 'Post',
          referencedColumns: ['id'],
          onDelete: 'CASCADE' as const,
          onUpdate: 'CASCADE' as const,
        },
      ],
    };
    const postIndexes = [{ name: 'Post_title_key', columns: ['title'], unique: true }];
    assert.deepStrictEqual(r.state(), {
      provider: 'sqlite',
      enums: {},
      tables: {
        Author: author,
        Comment: comment,
        Post: {
          name: 'Post',
          columns: [
            column('id', 'TEXT', false),
            column('title', 'TEXT', true),
            column('body', 'TEXT', false),
            column('legacy', 'TEXT', true),
            column('authorId', 'TEXT', false),
          ],
          primaryKey: { columns: ['id'] },
          indexes: postIndexes,
          foreignKeys: [
            {
              name: 'Post_authorId_fkey',
              columns: ['authorId'],
              referencedTable: 'Author',
              referencedColumns: ['id'],
              onDelete: 'RESTRICT',
              onUpdate: 'CASCADE',
            },
          ],
        },
      },
    });

    // Column made required, column dropped, column added with a default, FK action changed.
    assert.deepStrictEqual(r.apply(postChanges), []);
    const post = {
      name: 'Post',
      columns: [
        column('id', 'TEXT', false),
        column('title', 'TEXT', false),
        column('body', 'TEXT', false),
        column('views', 'INTEGER', false, value('0')),
        column('authorId', 'TEXT', false),
      ],
      primaryKey: { columns: ['id'] },
      indexes: postIndexes,
      foreignKeys: [
        {
          name: 'Post_authorId_fkey',
          columns: ['authorId'],
          referencedTable: 'Author',
          referencedColumns: ['id'],
          onDelete: 'CASCADE' as const,
          onUpdate: 'CASCADE' as const,
        },
      ],
    };
    // Comment still points at "Post": dropping the old table and renaming new_Post left the reference intact.
    assert.deepStrictEqual(r.state(), { provider: 'sqlite', enums: {}, tables: { Author: author, Comment: comment, Post: post } });

    assert.deepStrictEqual(r.apply(authorColumns), []);
    assert.deepStrictEqual(r.state(), {
      provider: 'sqlite',
      enums: {},
      tables: {
        Author: {
          ...author,
          columns: [column('id', 'TEXT', false), column('displayName', 'TEXT', false), column('bio', 'TEXT', true)],
        },
        Comment: comment,
        Post: post,
      },
    });

    const i = '20240101000000_init';
    const createAuthor = `${i}@1:0-4:2`;
    const createPost = `${i}@7:0-14:2`;
    const createComment = `${i}@17:0-21:2`;
    assert.deepStrictEqual(compact(r.provenance()), {
      Author: createAuthor,
      'Author.id': createAuthor,
      // Renamed, not created: keeps where "name" was created.
      'Author.displayName': createAuthor,
      'Author.bio': '20240301000000_author_columns@1:0-1:43',
      Comment: createComment,
      'Comment.id': createComment,
      'Comment.postId': createComment,
      'Comment#Comment_postId_fkey': createComment,
      Post: createPost,
      'Post.id': createPost,
      'Post.title': createPost,
      'Post.body': createPost,
      'Post.views': '20240201000000_post_changes@10:0-17:2',
      'Post.authorId': createPost,
      'Post#Post_title_key': `${i}@24:0-24:56`,
      'Post#Post_authorId_fkey': createPost,
    });
  });

  it('reports a failing statement with its line and applies the statements after it', async () => {
    const r = await replayer();
    const [migration] = fixture('failing');
    const where = (startLine: number, startChar: number, endLine: number, endChar: number) => ({
      file: migration.file,
      range: { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } },
    });
    const note = (line: number, error: string, range: ReturnType<typeof where>, capped = 'findings on "A" stay at warning'): Note => ({
      level: 'warning',
      message: `This migration fails on a fresh database at line ${line}: SQLite rejects the statement (${error}). The replay skipped it and applied the rest of the migration, and ${capped}.`,
      where: range,
    });
    assert.deepStrictEqual(r.apply(migration), [
      note(5, 'no such table: Missing', where(4, 0, 4, 44)),
      note(8, 'near "TABL": syntax error', where(7, 0, 8, 20)),
      note(12, 'no such table: main.Nowhere', where(11, 0, 14, 4)),
      // A data error of a statement that is not a schema change: skipped like the others.
      note(20, 'UNIQUE constraint failed: A.id', where(19, 9, 19, 45)),
      // DROP TRIGGER is no trigger body: its own ';' ends it.
      note(21, 'no such trigger: missing', where(20, 0, 20, 23)),
    ]);
    const uncertain = (line: number, excerpt: string, error: string, range: ReturnType<typeof where>) => ({
      migration: migration.name,
      file: migration.file,
      range: range.range,
      excerpt,
      reason: `SQLite rejects it (${error})`,
      tables: ['A'],
      fails: true,
    });
    assert.deepStrictEqual(r.uncertain?.(), [
      uncertain(5, `INSERT INTO "Missing" ("id") VALUES ('a;b')`, 'no such table: Missing', where(4, 0, 4, 44)),
      uncertain(8, 'CREATE TABL "Broken" (', 'near "TABL": syntax error', where(7, 0, 8, 20)),
      uncertain(12, 'CREATE TRIGGER "t" AFTER INSERT ON "Nowhere" BEGIN', 'no such table: main.Nowhere', where(11, 0, 14, 4)),
      uncertain(20, `INSERT INTO "A" ("id") VALUES ('1')`, 'UNIQUE constraint failed: A.id', where(19, 9, 19, 45)),
      uncertain(21, 'DROP TRIGGER "missing"', 'no such trigger: missing', where(20, 0, 20, 23)),
    ]);
    assert.deepStrictEqual(r.state(), {
      provider: 'sqlite',
      enums: {},
      tables: {
        A: {
          name: 'A',
          columns: [column('id', 'TEXT', false), column('name', 'TEXT', true)],
          primaryKey: { columns: ['id'] },
          indexes: [],
          foreignKeys: [],
        },
        C: { name: 'C', columns: [column('id', 'TEXT', false)], primaryKey: { columns: ['id'] }, indexes: [], foreignKeys: [] },
      },
    });
    assert.deepStrictEqual(compact(r.provenance()), {
      A: `${migration.name}@1:0-1:50`,
      'A.id': `${migration.name}@1:0-1:50`,
      'A.name': `${migration.name}@16:0-16:39`,
      C: `${migration.name}@21:0-21:49`,
      'C.id': `${migration.name}@21:0-21:49`,
    });
  });

  it("says a migration creating prisma migrate's own table fails, since prisma migrate made it first, and keeps that table out of the state", async () => {
    const r = await replayer();
    const migration = { name: '1', file: '/virtual/1/migration.sql', sql: 'CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL);\nCREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY);' };
    assert.deepStrictEqual(r.apply(migration), [
      {
        level: 'warning',
        message: 'This migration fails on a fresh database at line 1: SQLite rejects the statement (table "_prisma_migrations" already exists). The replay skipped it and applied the rest of the migration, and it names no table the replay knows.',
        where: { file: migration.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 67 } } },
      },
    ]);
    assert.deepStrictEqual(Object.keys(r.state().tables), ['User']);
  });

  it('applies a schema change SQLite refuses only because of rows the migrations inserted, and reports the migration as failing on a fresh database', async () => {
    const r = await replayer();
    const [init, accountName, teamSlug, sessionRebuild] = readMigrations(SEEDED_ROWS);
    assert.deepStrictEqual(r.apply(init), []);
    const addAccountName = { start: { line: 1, character: 0 }, end: { line: 1, character: 97 } };
    assert.deepStrictEqual(r.apply(accountName), [
      {
        level: 'warning',
        message:
          'This migration fails on a fresh database at line 2: SQLite rejects the statement while "users" has rows (Cannot add a column with non-constant default), ' +
          "and the migrations' own INSERT statements put rows there. The replay applied it to the emptied table, so later migrations and the schema see its change, " +
          'and findings on "users" stay at warning.',
        where: { file: accountName.file, range: addAccountName },
      },
    ]);
    // Inside BEGIN ... COMMIT foreign keys cannot be switched off, and the team's member keeps "Team" from being emptied.
    const addSlug = { start: { line: 2, character: 0 }, end: { line: 2, character: 51 } };
    assert.deepStrictEqual(r.apply(teamSlug), [
      {
        level: 'warning',
        message:
          'This migration fails on a fresh database at line 3: SQLite rejects the statement (Cannot add a NOT NULL column with default value NULL). ' +
          'The replay skipped it and applied the rest of the migration, and findings on "Team" stay at warning.',
        where: { file: teamSlug.file, range: addSlug },
      },
    ]);
    // Emptying "users" also deleted the session that pointed at a seeded user, so copying "Session" with foreign keys on succeeds.
    assert.deepStrictEqual(r.apply(sessionRebuild), []);
    const state = r.state();
    assert.deepStrictEqual(state.tables.Session.foreignKeys, [
      { name: 'Session_userId_fkey', columns: ['userId'], referencedTable: 'users', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'CASCADE' },
    ]);
    assert.deepStrictEqual(state.tables.users, {
      name: 'users',
      columns: [
        column('id', 'TEXT', false),
        column('name', 'TEXT', false),
        column('account_name', 'TEXT', false, { kind: 'expression', sql: 'lower(hex(randomblob(16)))', volatile: true }),
      ],
      primaryKey: { columns: ['id'] },
      // The index after the refused column applies too: the column exists and the emptied table has no duplicates.
      indexes: [{ name: 'users_account_name_key', columns: ['account_name'], unique: true }],
      foreignKeys: [],
    });
    assert.deepStrictEqual(
      state.tables.Team.columns.map((c) => c.name),
      ['id', 'name'],
    );
    assert.deepStrictEqual(r.uncertain?.(), [
      {
        migration: accountName.name,
        file: accountName.file,
        range: addAccountName,
        excerpt: 'ALTER TABLE "users" ADD COLUMN "account_name" TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))',
        reason: 'SQLite rejects it while "users" has rows (Cannot add a column with non-constant default)',
        tables: ['users'],
        fails: true,
      },
      {
        migration: teamSlug.name,
        file: teamSlug.file,
        range: addSlug,
        excerpt: 'ALTER TABLE "Team" ADD COLUMN "slug" TEXT NOT NULL',
        reason: 'SQLite rejects it (Cannot add a NOT NULL column with default value NULL)',
        tables: ['Team'],
        fails: true,
      },
    ]);
    // A fork carries what the replay could not apply.
    const copy = r.fork();
    open.push(copy);
    assert.deepStrictEqual(copy.uncertain?.(), r.uncertain?.());
  });

  it('names four of the tables a failing migration names in its note, and all of them in the uncertain statement', async () => {
    const r = await replayer();
    const file = '/project/migrations/20240101000000_many/migration.sql';
    const sql = ['A', 'B', 'C', 'D', 'E', 'F'].map((t) => `CREATE TABLE "${t}" ("id" INTEGER NOT NULL PRIMARY KEY);`).join('\n') + '\nINSERT INTO "Nope" VALUES (1);\n';
    const range = { start: { line: 6, character: 0 }, end: { line: 6, character: 30 } };
    assert.deepStrictEqual(r.apply({ name: '20240101000000_many', file, sql }), [
      {
        level: 'warning',
        message:
          'This migration fails on a fresh database at line 7: SQLite rejects the statement (no such table: Nope). The replay skipped it and applied the rest of the migration, ' +
          'and findings on "A", "B", "C", "D" and 2 more tables stay at warning.',
        where: { file, range },
      },
    ]);
    assert.deepStrictEqual(r.uncertain?.(), [
      { migration: '20240101000000_many', file, range, excerpt: 'INSERT INTO "Nope" VALUES (1)', reason: 'SQLite rejects it (no such table: Nope)', tables: ['A', 'B', 'C', 'D', 'E', 'F'], fails: true },
    ]);
  });

  it("says a statement needing what the replay's SQLite lacks was skipped, without calling the migration failing", async () => {
    const r = await replayer();
    const file = '/project/migrations/20240101000000_search/migration.sql';
    const sql = 'CREATE TABLE "Doc" ("id" INTEGER NOT NULL PRIMARY KEY, "body" TEXT NOT NULL);\nCREATE VIRTUAL TABLE "DocSearch" USING fts5("body");\n';
    const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 52 } };
    assert.deepStrictEqual(r.apply({ name: '20240101000000_search', file, sql }), [
      {
        level: 'warning',
        message: "Line 2: the replay's SQLite cannot run this statement (no such module: fts5); it was skipped and the rest of the migration applied, and findings on \"Doc\" stay at warning.",
        where: { file, range },
      },
    ]);
    assert.deepStrictEqual(r.uncertain?.(), [
      { migration: '20240101000000_search', file, range, excerpt: 'CREATE VIRTUAL TABLE "DocSearch" USING fts5("body")', reason: "the replay's SQLite lacks what it needs (no such module: fts5)", tables: ['Doc'] },
    ]);
  });

  it('never throws, even on text SQLite cannot read at all', async () => {
    const r = await replayer();
    const file = '/nowhere/migration.sql';
    const notes = r.apply({ name: 'm', file, sql: "CREATE TABLE \"X\" ('unterminated" });
    assert.strictEqual(notes.length, 1);
    assert.strictEqual(notes[0].level, 'warning');
    assert.deepStrictEqual(notes[0].where, { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 31 } } });
    assert.deepStrictEqual(r.state(), emptyState('sqlite'));
  });

  it('forks into an independent replayer', async () => {
    const r = await replayer();
    const [init, postChanges, authorColumns] = fixture('redefine');
    r.apply(init);
    const afterInit = structuredClone(r.state());
    const provenanceAfterInit = structuredClone(r.provenance());

    const fork = r.fork();
    open.push(fork);
    assert.strictEqual(fork.provider, 'sqlite');
    assert.deepStrictEqual(fork.state(), afterInit);
    assert.deepStrictEqual(fork.provenance(), provenanceAfterInit);

    assert.deepStrictEqual(fork.apply(postChanges), []);
    assert.deepStrictEqual(fork.apply(authorColumns), []);
    assert.deepStrictEqual(r.state(), afterInit);
    assert.deepStrictEqual(r.provenance(), provenanceAfterInit);

    // The original keeps working after export() reopened its connection, and does not leak into the fork.
    const forkState = structuredClone(fork.state());
    assert.deepStrictEqual(r.apply(authorColumns), []);
    assert.deepStrictEqual(
      r.state().tables.Author.columns.map((c) => c.name),
      ['id', 'displayName', 'bio'],
    );
    assert.deepStrictEqual(r.state().tables.Post, afterInit.tables.Post);
    assert.deepStrictEqual(fork.state(), forkState);

    // A fork of a fork, replayed to the end, equals a replay from zero.
    const fresh = await replayer();
    applyAll(fresh, [init, postChanges, authorColumns]);
    assert.deepStrictEqual(fork.state(), fresh.state());
    assert.deepStrictEqual(fork.provenance(), fresh.provenance());
  });

  it('applies an empty migration without notes or changes', async () => {
    const r = await replayer();
    const [empty] = fixture('empty');
    assert.deepStrictEqual(r.apply(empty), []);
    assert.deepStrictEqual(r.state(), emptyState('sqlite'));
    assert.deepStrictEqual(r.provenance(), {});

    const [init] = fixture('redefine');
    r.apply(init);
    const before = structuredClone(r.state());
    assert.deepStrictEqual(r.apply(empty), []);
    assert.deepStrictEqual(r.apply({ ...empty, sql: '' }), []);
    assert.deepStrictEqual(r.state(), before);
  });

  it('caches the state until the next apply', async () => {
    const r = await replayer();
    const [init, postChanges] = fixture('redefine');
    r.apply(init);
    const first = r.state();
    assert.strictEqual(r.state(), first);
    r.apply(postChanges);
    assert.notStrictEqual(r.state(), first);
    assert.deepStrictEqual(first.tables.Post.columns.map((c) => c.name), ['id', 'title', 'body', 'legacy', 'authorId']);
  });

  it('answers with a note after dispose()', async () => {
    const r = await createSqliteReplayer();
    r.dispose();
    r.dispose();
    const notes = r.apply(fixture('empty')[0]);
    assert.strictEqual(notes.length, 1);
    assert.strictEqual(notes[0].level, 'error');
  });

  it('replays the pingvin-share corpus (SQLite) without warnings', async function () {
    const corpus = corpusRoot('replay/sqlite: the pingvin-share head');
    if (!corpus) this.skip();
    const dir = path.join(corpus, 'stonith404__pingvin-share/head/migrations');
    const migrations = readMigrations(dir);
    assert.ok(migrations.length > 0, `no migrations in ${dir}`);

    const started = performance.now();
    const r = await replayer();
    const ready = performance.now();
    const perMigration: number[] = [];
    const notes: Note[] = [];
    for (const migration of migrations) {
      const t = performance.now();
      notes.push(...r.apply(migration));
      perMigration.push(performance.now() - t);
    }
    const applied = performance.now();
    const state = r.state();
    const introspected = performance.now();
    r.state();
    const cached = performance.now();

    assert.deepStrictEqual(
      notes.filter((n) => n.level !== 'info'),
      [],
    );
    // The head schema's models, none of them @@map-ped.
    assert.deepStrictEqual(Object.keys(state.tables).sort(), [
      'Config',
      'File',
      'LoginToken',
      'OAuthUser',
      'RefreshToken',
      'ResetPasswordToken',
      'ReverseShare',
      'Share',
      'ShareRecipient',
      'ShareSecurity',
      'User',
    ]);
    assert.deepStrictEqual(state.tables.Config.primaryKey, { columns: ['name', 'category'] });
    assert.deepStrictEqual(
      state.tables.Share.columns.map((c) => c.name),
      ['id', 'createdAt', 'name', 'uploadLocked', 'isZipReady', 'views', 'expiration', 'description', 'removedReason', 'creatorId', 'reverseShareId', 'storageProvider'],
    );
    // Redefined in v0_10_0 through new_ReverseShare; the "remainingUses" column came from there, the table from before.
    const provenance = r.provenance();
    assert.strictEqual(provenance.ReverseShare.migration, '20230126125501_reverse_shares');
    assert.strictEqual(provenance['ReverseShare.remainingUses'].migration, '20230209205230_v0_10_0');
    assert.strictEqual(provenance['User.email'].migration, '20221011172612_init');

    const columns = Object.values(state.tables).reduce((n, t) => n + t.columns.length, 0);
    const sorted = [...perMigration].sort((a, b) => a - b);
    console.log(
      `    pingvin-share: ${migrations.length} migrations, ${Object.keys(state.tables).length} tables, ${columns} columns; ` +
        `replayer ${(ready - started).toFixed(1)} ms, apply ${(applied - ready).toFixed(1)} ms ` +
        `(median ${sorted[sorted.length >> 1].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms), ` +
        `state ${(introspected - applied).toFixed(1)} ms, cached state ${(cached - introspected).toFixed(3)} ms`,
    );

    // Warm: the same replay again in this process, as the language server does after its first run.
    const again = await replayer();
    const warmStart = performance.now();
    applyAll(again, migrations);
    const warmApplied = performance.now();
    assert.deepStrictEqual(again.state(), state);
    console.log(
      `    warm replay: ${(warmApplied - warmStart).toFixed(1)} ms (${((warmApplied - warmStart) / migrations.length).toFixed(2)} ms per migration)`,
    );
  });
});
