import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbState, DbTable } from '../../server/src/core/dbState';
import type { Note } from '../../server/src/core/notes';
import { range } from '../../server/src/core/source';
import { createPostgresReplayer } from '../../server/src/replay/postgres';
import { loadPostgresParser, parsePostgresStatements } from '../../server/src/replay/statements';
import type { Replayer } from '../../server/src/replay/types';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/replay');

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** Applies each SQL text as one migration (`m1`, `m2`, ...); returns the replayer and all notes. */
function replay(...sqls: string[]): { replayer: Replayer; state: DbState; notes: Note[] } {
  const replayer = createPostgresReplayer();
  const notes: Note[] = [];
  sqls.forEach((sql, i) => notes.push(...replayer.apply({ name: `m${i + 1}`, file: `/p/m${i + 1}/migration.sql`, sql })));
  return { replayer, state: replayer.state(), notes };
}

/** Notes without their place, for assertions that are about what was said. */
function said(notes: Note[], level?: Note['level']): string[] {
  return notes.filter((n) => !level || n.level === level).map((n) => `${n.level}: ${n.message}`);
}

const INIT_USER: DbTable = {
  name: 'User',
  columns: [
    { name: 'id', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'autoincrement' } },
    { name: 'email', type: { name: 'varchar', args: [255], array: false, isEnum: false }, nullable: false },
    { name: 'name', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: true },
    { name: 'role', type: { name: 'Role', args: [], array: false, isEnum: true }, nullable: false, default: { kind: 'value', sql: "'USER'" } },
    { name: 'tags', type: { name: 'text', args: [], array: true, isEnum: false }, nullable: true, default: { kind: 'value', sql: 'array[]' } },
    { name: 'balance', type: { name: 'numeric', args: [65, 30], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: '0' } },
    { name: 'settings', type: { name: 'jsonb', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: "'{}'" } },
    { name: 'createdAt', type: { name: 'timestamp', args: [3], array: false, isEnum: false }, nullable: false, default: { kind: 'expression', sql: 'current_timestamp', volatile: false } },
    { name: 'active', type: { name: 'bool', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: 'false' } },
  ],
  primaryKey: { name: 'User_pkey', columns: ['id'] },
  indexes: [{ name: 'User_email_key', columns: ['email'], unique: true }],
  foreignKeys: [],
};

const INIT_POST: DbTable = {
  name: 'Post',
  columns: [
    { name: 'id', type: { name: 'uuid', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'expression', sql: 'gen_random_uuid()', volatile: true } },
    { name: 'authorId', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false },
    { name: 'title', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
    { name: 'score', type: { name: 'float8', args: [], array: false, isEnum: false }, nullable: true },
  ],
  primaryKey: { name: 'Post_pkey', columns: ['id'] },
  indexes: [{ name: 'Post_authorId_title_idx', columns: ['authorId', 'title'], unique: false }],
  foreignKeys: [
    { name: 'Post_authorId_fkey', columns: ['authorId'], referencedTable: 'User', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'CASCADE' },
  ],
};

const INIT_STATE: DbState = {
  provider: 'postgresql',
  tables: { User: INIT_USER, Post: INIT_POST },
  enums: { Role: { name: 'Role', values: ['USER', 'ADMIN'] } },
};

function clone<T>(value: T): T {
  return structuredClone(value);
}

describe('replay/postgres', () => {
  before(async () => {
    await loadPostgresParser();
  });

  describe('parsePostgresStatements', () => {
    it('gives each statement its kind, text, UTF-16 range and leading comment', () => {
      const sql = fixture('non_ascii.sql');
      const parsed = parsePostgresStatements(sql);
      const lines = sql.split('\n');
      const simplified = parsed.statements.map(({ ast: _ast, ...rest }) => rest);
      assert.deepStrictEqual(simplified, [
        {
          text: `ALTER TABLE "User" ADD COLUMN "prénom" TEXT DEFAULT 'Zoë'`,
          startOffset: lines[0].length + 1,
          endOffset: lines[0].length + 1 + lines[1].length - 1,
          range: range(1, 0, 1, lines[1].length - 1),
          kind: 'AlterTableStmt',
          leadingComment: '-- Ajoute la colonne « prénom » 😀 (commentaire non ASCII)',
        },
        {
          text: 'CREATE INDEX "User_prénom_idx" ON "User"("prénom")',
          startOffset: lines[0].length + lines[1].length + lines[2].length + 3,
          endOffset: lines[0].length + lines[1].length + lines[2].length + 3 + lines[3].length - 1,
          range: range(3, 0, 3, lines[3].length - 1),
          kind: 'IndexStmt',
          leadingComment: '-- Ünïcödé',
        },
      ]);
      assert.deepStrictEqual(parsed.notes, []);
      // Parser locations are bytes; byteToOffset brings them back to the string.
      const index = parsed.statements[1].ast as { IndexStmt: { relation: { location: number } } };
      const at = parsed.byteToOffset(index.IndexStmt.relation.location);
      assert.strictEqual(sql.slice(at, at + 6), '"User"');
    });

    it('keeps a comment on the previous statement\'s line with that statement, not the next', () => {
      const parsed = parsePostgresStatements('SELECT 1; -- about select\n/* block */\nSELECT 2');
      assert.deepStrictEqual(
        parsed.statements.map((s) => [s.kind, s.text, s.leadingComment]),
        [
          ['SelectStmt', 'SELECT 1', undefined],
          ['SelectStmt', 'SELECT 2', '/* block */'],
        ],
      );
    });

    it('parses statement by statement after a syntax error, naming the line; quotes and dollar quotes do not split', () => {
      const sql = fixture('invalid_middle.sql');
      const parsed = parsePostgresStatements(sql, '/p/m/migration.sql');
      assert.deepStrictEqual(
        parsed.statements.map((s) => [s.kind, s.range.start.line, s.text]),
        [
          ['AlterTableStmt', 1, 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT'],
          ['Unparsed', 4, 'ALTER TABLE "User" ADD COLUMN "age" INTEGR NOT NUL'],
          ['UpdateStmt', 7, `UPDATE "User" SET "name" = 'a; b' WHERE "id" = 1`],
          ['DoStmt', 8, 'DO $$ BEGIN PERFORM 1; END $$'],
          ['AlterTableStmt', 11, 'ALTER TABLE "User" ADD COLUMN "bio" TEXT'],
        ],
      );
      assert.deepStrictEqual(parsed.notes, [
        {
          level: 'warning',
          message: 'Line 5: PostgreSQL cannot parse this statement (syntax error at or near "NUL"); it is skipped and the rest of the file is still read.',
          where: { file: '/p/m/migration.sql', range: range(4, 0, 4, 50) },
        },
      ]);
      // Locations inside statements parsed one by one are still file-relative.
      const last = parsed.statements[4].ast as { AlterTableStmt: { relation: { location: number } } };
      const at = parsed.byteToOffset(last.AlterTableStmt.relation.location);
      assert.strictEqual(sql.slice(at, at + 6), '"User"');
    });

    it('survives an unterminated string (the tokenizer itself fails)', () => {
      const parsed = parsePostgresStatements("CREATE TABLE a (b int);\nSELECT 'oops;\n");
      assert.deepStrictEqual(
        parsed.statements.map((s) => s.kind),
        ['CreateStmt', 'Unparsed'],
      );
      assert.deepStrictEqual(said(parsed.notes), [
        'warning: Line 2: PostgreSQL cannot parse this statement (unterminated quoted string at or near "\'oops; "); it is skipped and the rest of the file is still read.',
      ]);
    });

    it('returns nothing for a file of comments only', () => {
      const parsed = parsePostgresStatements('-- This is an empty migration.\n');
      assert.deepStrictEqual(parsed.statements, []);
      assert.deepStrictEqual(parsed.notes, []);
    });
  });

  describe('CREATE TABLE / TYPE / INDEX, ALTER TABLE ADD CONSTRAINT', () => {
    it('replays a Prisma init migration into the canonical state', () => {
      const { state, notes } = replay(fixture('init.sql'));
      assert.deepStrictEqual(state, INIT_STATE);
      assert.deepStrictEqual(notes, []);
    });

    it('records provenance for tables, columns, indexes, constraints, enums and enum values', () => {
      const { replayer } = replay(fixture('init.sql'));
      const provenance = replayer.provenance();
      assert.deepStrictEqual(Object.keys(provenance).sort(), [
        'Post', 'Post#Post_authorId_fkey', 'Post#Post_authorId_title_idx', 'Post#Post_pkey', 'Post.authorId', 'Post.id', 'Post.score', 'Post.title',
        'Role', 'Role.ADMIN', 'Role.USER',
        'User', 'User#User_email_key', 'User#User_pkey', 'User.active', 'User.balance', 'User.createdAt', 'User.email', 'User.id', 'User.name',
        'User.role', 'User.settings', 'User.tags',
      ]);
      assert.deepStrictEqual(provenance['Role'], { migration: 'm1', file: '/p/m1/migration.sql', range: range(1, 0, 1, 44) });
      assert.deepStrictEqual(provenance['User.email'], { migration: 'm1', file: '/p/m1/migration.sql', range: range(4, 0, 16, 1) });
      assert.deepStrictEqual(provenance['Post#Post_authorId_fkey'], {
        migration: 'm1',
        file: '/p/m1/migration.sql',
        range: range(35, 0, 35, 139),
      });
    });

    it('looks up one provenance key as the whole record has it, schema-qualified names and enum values included', () => {
      const { replayer } = replay(
        fixture('init.sql'),
        `CREATE SCHEMA "auth";
CREATE TYPE "auth"."Level" AS ENUM ('LOW', 'HIGH');
CREATE TABLE "auth"."User" ("id" TEXT NOT NULL, "level" "auth"."Level" NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
CREATE TABLE "auth"."User.x" ("id" TEXT NOT NULL);`,
      );
      const record = replayer.provenance();
      const keys = Object.keys(record).sort();
      assert.deepStrictEqual(
        keys.filter((key) => key.startsWith('auth.')),
        ['auth.Level', 'auth.Level.HIGH', 'auth.Level.LOW', 'auth.User', 'auth.User#User_pkey', 'auth.User.id', 'auth.User.level', 'auth.User.x', 'auth.User.x.id'],
      );
      assert.deepStrictEqual(keys.filter((key) => replayer.provenanceOf?.(key) !== record[key]), []);
      assert.deepStrictEqual(['auth.User.nope', 'auth.Level.MEDIUM', 'User#nope', 'auth', 'auth.'].map((key) => replayer.provenanceOf?.(key)), [undefined, undefined, undefined, undefined, undefined]);
    });

    it('names unnamed constraints and indexes the way PostgreSQL does, inline constraints included', () => {
      const { state, notes } = replay(`
        CREATE TABLE parent (id bigserial PRIMARY KEY, code text UNIQUE);
        CREATE TABLE child (
          id int GENERATED ALWAYS AS IDENTITY,
          parent_id bigint REFERENCES parent,
          code text REFERENCES parent (code) ON DELETE SET NULL,
          total int GENERATED ALWAYS AS (id * 2) STORED,
          CHECK (id > 0),
          UNIQUE (parent_id, code)
        );
        CREATE INDEX ON child (code);
        CREATE INDEX ON child (code);
        CREATE INDEX ON child (lower(code));
      `);
      assert.deepStrictEqual(state.tables.parent, {
        name: 'parent',
        columns: [
          { name: 'id', type: { name: 'int8', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'autoincrement' } },
          { name: 'code', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: true },
        ],
        primaryKey: { name: 'parent_pkey', columns: ['id'] },
        indexes: [{ name: 'parent_code_key', columns: ['code'], unique: true, constraint: true }],
        foreignKeys: [],
      });
      assert.deepStrictEqual(state.tables.child, {
        name: 'child',
        columns: [
          { name: 'id', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'autoincrement' }, generated: 'GENERATED ALWAYS AS IDENTITY' },
          { name: 'parent_id', type: { name: 'int8', args: [], array: false, isEnum: false }, nullable: true },
          { name: 'code', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: true },
          { name: 'total', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: true, generated: 'GENERATED ALWAYS AS (id * 2) STORED' },
        ],
        indexes: [
          { name: 'child_parent_id_code_key', columns: ['parent_id', 'code'], unique: true, constraint: true },
          { name: 'child_code_idx', columns: ['code'], unique: false },
          { name: 'child_code_idx1', columns: ['code'], unique: false },
          { name: 'child_lower_idx', columns: ['lower(code)'], unique: false },
        ],
        foreignKeys: [
          { name: 'child_parent_id_fkey', columns: ['parent_id'], referencedTable: 'parent', referencedColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
          { name: 'child_code_fkey', columns: ['code'], referencedTable: 'parent', referencedColumns: ['code'], onDelete: 'SET NULL', onUpdate: 'NO ACTION' },
        ],
      });
      assert.deepStrictEqual(said(notes), [
        'info: CHECK constraint: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).',
      ]);
    });

    it('truncates generated names to 63 bytes like makeObjectName', () => {
      const long = 'a_table_name_that_is_quite_long_indeed';
      const { state } = replay(`CREATE TABLE ${long} (some_rather_long_column_name int, another_long_column_name int, UNIQUE (some_rather_long_column_name, another_long_column_name));`);
      assert.deepStrictEqual(state.tables[long].indexes.map((i) => i.name), ['a_table_name_that_is_quite_lo_some_rather_long_column_name__key']);
      assert.strictEqual(state.tables[long].indexes[0].name.length, 63);
    });

    it('keeps index details: UNIQUE, CONCURRENTLY, IF NOT EXISTS, DESC, NULLS, opclass, method, partial WHERE, expressions', () => {
      const { state, notes } = replay(
        fixture('init.sql'),
        // CONCURRENTLY alone in its file, as PostgreSQL requires.
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "User_name_createdAt_key" ON "User" ("name", "createdAt" DESC);',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS "User_name_createdAt_key" ON "User" ("name");',
        `CREATE INDEX "User_tags_idx" ON "User" USING GIN ("tags" array_ops);
         CREATE INDEX "User_settings_idx" ON "User" USING gin ("settings" jsonb_path_ops);
         CREATE INDEX "Post_score_idx" ON "Post" ("score" NULLS FIRST, "title" DESC NULLS LAST) WHERE "score" IS NOT NULL AND "title" <> '';
         CREATE UNIQUE INDEX "User_lower_email_key" ON "User" (lower("email"), ("id" + 1));
         CREATE INDEX "Post_title_hash_idx" ON "Post" USING HASH ("title");`,
      );
      assert.deepStrictEqual(state.tables.User.indexes, [
        { name: 'User_email_key', columns: ['email'], unique: true },
        { name: 'User_name_createdAt_key', columns: ['name', 'createdAt DESC'], unique: true },
        { name: 'User_tags_idx', columns: ['tags array_ops'], unique: false, method: 'gin' },
        { name: 'User_settings_idx', columns: ['settings jsonb_path_ops'], unique: false, method: 'gin' },
        { name: 'User_lower_email_key', columns: ['lower(email)', '(id + 1)'], unique: true },
      ]);
      assert.deepStrictEqual(state.tables.Post.indexes, [
        { name: 'Post_authorId_title_idx', columns: ['authorId', 'title'], unique: false },
        { name: 'Post_score_idx', columns: ['score NULLS FIRST', 'title DESC NULLS LAST'], unique: false, where: "(score IS NOT NULL) AND (title <> '')" },
        { name: 'Post_title_hash_idx', columns: ['title'], unique: false, method: 'hash' },
      ]);
      assert.deepStrictEqual(notes, []);
    });

    it('copies columns with LIKE, and with INCLUDING ALL also defaults, the primary key and indexes, named as PostgreSQL names them', () => {
      const { state, notes } = replay(`
        CREATE TABLE "User" ("id" INTEGER NOT NULL, "email" TEXT NOT NULL DEFAULT '', "name" TEXT, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
        CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
        CREATE INDEX "User_lower_name_idx" ON "User"(lower("name"));
        CREATE TABLE "UserCopy" (LIKE "User");
        CREATE TABLE "UserArchive" (LIKE "User" INCLUDING ALL);
      `);
      const id = { name: 'id', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false };
      const email = { name: 'email', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false };
      const name = { name: 'name', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: true };
      assert.deepStrictEqual(state.tables.UserCopy, { name: 'UserCopy', columns: [id, email, name], indexes: [], foreignKeys: [] });
      // Checked on PostgreSQL 15: pg_indexes lists UserArchive_pkey, UserArchive_email_idx, UserArchive_lower_idx.
      assert.deepStrictEqual(state.tables.UserArchive, {
        name: 'UserArchive',
        columns: [id, { ...email, default: { kind: 'value', sql: "''" } }, name],
        primaryKey: { name: 'UserArchive_pkey', columns: ['id'] },
        indexes: [
          { name: 'UserArchive_email_idx', columns: ['email'], unique: true },
          { name: 'UserArchive_lower_idx', columns: ['lower(name)'], unique: false },
        ],
        foreignKeys: [],
      });
      assert.deepStrictEqual(notes, []);
    });

    it('attaches indexes as constraints (ADD CONSTRAINT ... USING INDEX)', () => {
      const { state, notes } = replay(
        'CREATE TABLE t (id int NOT NULL, code text);',
        'CREATE UNIQUE INDEX CONCURRENTLY t_id_idx ON t (id);',
        'CREATE UNIQUE INDEX CONCURRENTLY t_code_idx ON t (code);',
        `ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;
         ALTER TABLE t ADD CONSTRAINT t_code_key UNIQUE USING INDEX t_code_idx;`,
      );
      assert.deepStrictEqual(state.tables.t.primaryKey, { name: 't_pkey', columns: ['id'] });
      assert.deepStrictEqual(state.tables.t.indexes, [{ name: 't_code_key', columns: ['code'], unique: true, constraint: true }]);
      assert.deepStrictEqual(notes, []);
    });

    it('reads every type spelling into the canonical catalog name', () => {
      const { state } = replay(`CREATE TABLE t (
        a integer, b int, c int4, d smallint, e bigint, f real, g double precision, h float, i decimal(10,2), j numeric,
        k boolean, l bool, m character varying(20), n varchar, o char(3), p character, q timestamp, r timestamp(6) with time zone,
        s timestamptz, t time with time zone, u date, v uuid, w jsonb, x json, y bytea, z citext, aa inet, ab xml, ac money,
        ad bit(4), ae bit varying(8), af text[][], ag smallserial, ah serial8, ai public.citext, aj interval
      );`);
      const types = state.tables.t.columns.map((c) => `${c.name}:${c.type.name}(${c.type.args.join(',')})${c.type.array ? '[]' : ''}${c.default ? `=${c.default.kind}` : ''}`);
      assert.deepStrictEqual(types, [
        'a:int4()', 'b:int4()', 'c:int4()', 'd:int2()', 'e:int8()', 'f:float4()', 'g:float8()', 'h:float8()', 'i:numeric(10,2)', 'j:numeric()',
        'k:bool()', 'l:bool()', 'm:varchar(20)', 'n:varchar()', 'o:bpchar(3)', 'p:bpchar(1)', 'q:timestamp()', 'r:timestamptz(6)',
        's:timestamptz()', 't:timetz()', 'u:date()', 'v:uuid()', 'w:jsonb()', 'x:json()', 'y:bytea()', 'z:citext()', 'aa:inet()', 'ab:xml()', 'ac:money()',
        'ad:bit(4)', 'ae:varbit(8)', 'af:text()[]', 'ag:int2()=autoincrement', 'ah:int8()=autoincrement', 'ai:citext()', 'aj:interval()',
      ]);
    });

    it('classifies defaults: literals are values, functions expressions, nextval autoincrement, NULL nothing', () => {
      const { state } = replay(`CREATE TYPE "Status" AS ENUM ('A', 'B');
        CREATE TABLE d (
          a text DEFAULT E'it''s',
          b int DEFAULT -1,
          c numeric DEFAULT 0.5,
          d "Status" DEFAULT 'A'::"Status",
          e "Status"[] DEFAULT ARRAY['A', 'B']::"Status"[],
          f text[] DEFAULT '{}',
          g int[] DEFAULT '{1,2}',
          h jsonb DEFAULT '[]'::jsonb,
          i timestamptz DEFAULT now(),
          j timestamp(0) DEFAULT CURRENT_TIMESTAMP(0),
          k int DEFAULT nextval('"d_k_seq"'::regclass),
          l text DEFAULT NULL,
          m uuid DEFAULT uuid_generate_v4(),
          n text DEFAULT md5(random()::text),
          o text DEFAULT lower('X'),
          p int DEFAULT (1 + 2),
          q bit(3) DEFAULT B'101',
          r text DEFAULT my_function()
        );`);
      const defaults = Object.fromEntries(state.tables.d.columns.map((c) => [c.name, c.default ?? null]));
      assert.deepStrictEqual(defaults, {
        a: { kind: 'value', sql: "'it''s'" },
        b: { kind: 'value', sql: '-1' },
        c: { kind: 'value', sql: '0.5' },
        d: { kind: 'value', sql: "'A'" },
        e: { kind: 'value', sql: "array['A', 'B']" },
        f: { kind: 'value', sql: 'array[]' },
        g: { kind: 'value', sql: 'array[1, 2]' },
        h: { kind: 'value', sql: "'[]'" },
        i: { kind: 'expression', sql: 'current_timestamp', volatile: false },
        j: { kind: 'expression', sql: 'current_timestamp(0)', volatile: false },
        k: { kind: 'autoincrement' },
        l: null,
        m: { kind: 'expression', sql: 'uuid_generate_v4()', volatile: true },
        n: { kind: 'expression', sql: 'md5(random()::text)', volatile: true },
        o: { kind: 'expression', sql: "lower('X')", volatile: false },
        p: { kind: 'expression', sql: '1 + 2', volatile: false },
        q: { kind: 'value', sql: "b'101'" },
        r: { kind: 'expression', sql: 'my_function()', volatile: true },
      });
    });
  });

  describe('ALTER TABLE', () => {
    it('applies every column subcommand, several per statement', () => {
      const { state, notes } = replay(
        fixture('init.sql'),
        `ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL DEFAULT 0,
           ADD COLUMN IF NOT EXISTS "name" TEXT,
           DROP COLUMN IF EXISTS "missing",
           ALTER COLUMN "email" TYPE TEXT,
           ALTER COLUMN "name" SET NOT NULL,
           ALTER COLUMN "active" DROP NOT NULL,
           ALTER COLUMN "balance" DROP DEFAULT,
           ALTER COLUMN "name" SET DEFAULT 'anonymous',
           ALTER COLUMN "age" SET DATA TYPE BIGINT USING "age"::bigint;
         ALTER TABLE "Post" DROP COLUMN "score";`,
      );
      const expected = clone(INIT_STATE);
      const user = expected.tables.User;
      user.columns.push({ name: 'age', type: { name: 'int8', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: '0' } });
      user.columns[1].type = { name: 'text', args: [], array: false, isEnum: false };
      user.columns[2] = { ...user.columns[2], nullable: false, default: { kind: 'value', sql: "'anonymous'" } };
      user.columns[8].nullable = true;
      delete user.columns[5].default;
      expected.tables.Post.columns.pop();
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(notes, []);
    });

    it('drops the indexes, keys and foreign keys a dropped column takes with it', () => {
      const { state, notes } = replay(
        fixture('init.sql'),
        `CREATE INDEX "Post_partial_idx" ON "Post" ("id") WHERE "authorId" > 0;
         ALTER TABLE "Post" DROP COLUMN "authorId";
         ALTER TABLE "User" DROP COLUMN "id";`,
      );
      const expected = clone(INIT_STATE);
      expected.tables.Post.columns.splice(1, 1);
      expected.tables.Post.indexes = [];
      expected.tables.Post.foreignKeys = [];
      expected.tables.User.columns.shift();
      delete expected.tables.User.primaryKey;
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(notes, []);
    });

    it('warns, and still drops, when PostgreSQL would want CASCADE for a referenced column', () => {
      const { state, notes } = replay(fixture('init.sql'), 'ALTER TABLE "User" DROP COLUMN "id";');
      assert.deepStrictEqual(state.tables.Post.foreignKeys, []);
      assert.deepStrictEqual(said(notes), [
        'warning: This migration fails on a fresh database at line 1: Column "id" of "User" is referenced by foreign key "Post_authorId_fkey"; PostgreSQL refuses to drop it without CASCADE. The replay drops it too.',
      ]);
    });

    it('adds and drops constraints: primary key, unique, foreign key, check', () => {
      const { state, notes } = replay(
        fixture('init.sql'),
        `ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";
         ALTER TABLE "Post" DROP CONSTRAINT "Post_pkey", ADD CONSTRAINT "Post_pkey" PRIMARY KEY ("id", "authorId");
         ALTER TABLE "Post" ADD CONSTRAINT "Post_title_key" UNIQUE ("title");
         ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") NOT VALID;
         ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_authorId_fkey";
         ALTER TABLE "Post" ADD CONSTRAINT "Post_title_check" CHECK (length("title") > 0);
         ALTER TABLE "Post" DROP CONSTRAINT "Post_title_check";
         ALTER TABLE "Post" DROP CONSTRAINT IF EXISTS "nothing";
         ALTER TABLE "User" DROP CONSTRAINT "User_email_key";`,
      );
      const expected = clone(INIT_STATE);
      expected.tables.Post.primaryKey = { name: 'Post_pkey', columns: ['id', 'authorId'] };
      expected.tables.Post.indexes.push({ name: 'Post_title_key', columns: ['title'], unique: true, constraint: true });
      expected.tables.Post.foreignKeys[0] = { ...expected.tables.Post.foreignKeys[0], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' };
      expected.tables.User.indexes = [];
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(said(notes), [
        'info: CHECK constraint: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).',
      ]);
    });

    it('renames columns, tables, constraints and indexes, following every reference', () => {
      const { state, replayer, notes } = replay(
        fixture('init.sql'),
        `CREATE INDEX "User_createdAt_idx" ON "User" ("createdAt" DESC) WHERE "createdAt" > '2020-01-01';
         ALTER TABLE "User" RENAME COLUMN "id" TO "userId";
         ALTER TABLE "User" RENAME COLUMN "createdAt" TO "created_at";
         ALTER TABLE "User" RENAME TO "users";
         ALTER TABLE "users" RENAME CONSTRAINT "User_pkey" TO "users_pkey";
         ALTER INDEX "User_email_key" RENAME TO "users_email_key";
         ALTER INDEX IF EXISTS "nothing" RENAME TO "still_nothing";
         ALTER TABLE "Post" RENAME COLUMN "authorId" TO "author_id";`,
      );
      const expected = clone(INIT_STATE);
      const users = expected.tables.User;
      delete expected.tables.User;
      expected.tables.users = users;
      users.name = 'users';
      users.columns[0].name = 'userId';
      users.columns[7].name = 'created_at';
      users.primaryKey = { name: 'users_pkey', columns: ['userId'] };
      users.indexes = [
        { name: 'users_email_key', columns: ['email'], unique: true },
        { name: 'User_createdAt_idx', columns: ['created_at DESC'], unique: false, where: "created_at > '2020-01-01'" },
      ];
      const post = expected.tables.Post;
      post.columns[1].name = 'author_id';
      post.indexes[0].columns = ['author_id', 'title'];
      post.foreignKeys[0] = { ...post.foreignKeys[0], columns: ['author_id'], referencedTable: 'users', referencedColumns: ['userId'] };
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(notes, []);
      const keys = Object.keys(replayer.provenance());
      for (const key of ['users', 'users.userId', 'users.created_at', 'users#users_pkey', 'users#users_email_key', 'Post.author_id']) assert.ok(keys.includes(key), key);
      for (const key of ['User', 'User.id', 'User#User_pkey', 'Post.authorId']) assert.ok(!keys.includes(key), key);
    });

    it('tracks row-level security (ENABLE / FORCE / DISABLE)', () => {
      const enabled = replay(fixture('init.sql'), 'ALTER TABLE "User" ENABLE ROW LEVEL SECURITY; ALTER TABLE "User" FORCE ROW LEVEL SECURITY;');
      assert.strictEqual(enabled.state.tables.User.rowLevelSecurity, true);
      assert.deepStrictEqual(enabled.notes, []);
      const disabled = replay(fixture('init.sql'), 'ALTER TABLE "User" ENABLE ROW LEVEL SECURITY;', 'ALTER TABLE "User" DISABLE ROW LEVEL SECURITY;');
      assert.deepStrictEqual(disabled.state, INIT_STATE);
    });

    it('adds and drops identity', () => {
      const { state } = replay('CREATE TABLE t (id int NOT NULL, n int NOT NULL); ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY; ALTER TABLE t ALTER COLUMN n ADD GENERATED ALWAYS AS IDENTITY; ALTER TABLE t ALTER COLUMN n DROP IDENTITY;');
      assert.deepStrictEqual(state.tables.t.columns, [
        { name: 'id', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'autoincrement' }, generated: 'GENERATED BY DEFAULT AS IDENTITY' },
        { name: 'n', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false },
      ]);
    });
  });

  describe('DROP', () => {
    it('drops tables; CASCADE also drops the foreign keys that point at them', () => {
      const { state, notes, replayer } = replay(fixture('init.sql'), 'DROP TABLE IF EXISTS "Nope"; DROP TABLE "User" CASCADE;');
      const expected = clone(INIT_STATE);
      delete expected.tables.User;
      expected.tables.Post.foreignKeys = [];
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(notes, []);
      assert.deepStrictEqual(Object.keys(replayer.provenance()).filter((k) => k.startsWith('User') || k === 'Post#Post_authorId_fkey'), []);
    });

    it('warns when PostgreSQL would refuse DROP TABLE without CASCADE', () => {
      const { state, notes } = replay(fixture('init.sql'), 'DROP TABLE "User";');
      assert.deepStrictEqual(Object.keys(state.tables), ['Post']);
      assert.deepStrictEqual(said(notes), [
        'warning: This migration fails on a fresh database at line 1: Table "User" is referenced by foreign key "Post_authorId_fkey" of "Post"; PostgreSQL refuses to drop it without CASCADE. The replay drops it too.',
      ]);
    });

    it('drops indexes, CONCURRENTLY and IF EXISTS included', () => {
      const { state, notes } = replay(fixture('init.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS "Post_authorId_title_idx";', 'DROP INDEX IF EXISTS "nothing"; DROP INDEX "User_email_key";');
      const expected = clone(INIT_STATE);
      expected.tables.Post.indexes = [];
      expected.tables.User.indexes = [];
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(notes, []);
    });

    it('DROP EXTENSION ... CASCADE drops the columns of its types and their indexes, and says what it dropped', () => {
      const { state, notes, replayer } = replay(`
        CREATE EXTENSION "citext";
        CREATE TABLE "Tag" ("id" INTEGER NOT NULL, "name" CITEXT NOT NULL, "aliases" CITEXT[], CONSTRAINT "Tag_pkey" PRIMARY KEY ("id"));
        CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");
        DROP EXTENSION "citext" CASCADE;
      `);
      assert.deepStrictEqual(state.tables, {
        Tag: {
          name: 'Tag',
          columns: [{ name: 'id', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false }],
          primaryKey: { name: 'Tag_pkey', columns: ['id'] },
          indexes: [],
          foreignKeys: [],
        },
      });
      assert.deepStrictEqual(state.objects, {});
      assert.deepStrictEqual(notes, []);
      assert.deepStrictEqual(
        replayer.dropEvents?.().map((e) => ({ target: e.target, cascade: e.cascade, dependants: e.dependants })),
        [
          {
            target: 'extension "citext"',
            cascade: true,
            dependants: [
              { kind: 'column', key: 'Tag.name', label: 'column "Tag"."name"' },
              { kind: 'column', key: 'Tag.aliases', label: 'column "Tag"."aliases"' },
            ],
          },
        ],
      );
    });
  });

  describe('enums', () => {
    it('adds values BEFORE / AFTER / IF NOT EXISTS, renames values and types, drops types', () => {
      const { state, notes } = replay(`
        CREATE TYPE "Color" AS ENUM ('RED', 'BLUE');
        ALTER TYPE "Color" ADD VALUE 'GREEN';
        ALTER TYPE "Color" ADD VALUE 'ORANGE' BEFORE 'BLUE';
        ALTER TYPE "Color" ADD VALUE 'PINK' AFTER 'RED';
        ALTER TYPE "Color" ADD VALUE IF NOT EXISTS 'RED';
        ALTER TYPE "Color" RENAME VALUE 'BLUE' TO 'NAVY';
        CREATE TYPE "Size" AS ENUM ('S');
        ALTER TYPE "Size" RENAME TO "Dimension";
        CREATE TYPE "Gone" AS ENUM ();
        DROP TYPE "Gone";
        DROP TYPE IF EXISTS "Never";
      `);
      assert.deepStrictEqual(state.enums, {
        Color: { name: 'Color', values: ['RED', 'PINK', 'ORANGE', 'NAVY', 'GREEN'] },
        Dimension: { name: 'Dimension', values: ['S'] },
      });
      assert.deepStrictEqual(notes, []);
    });

    it('replays the enum recreate pattern Prisma writes (columns follow the renamed type)', () => {
      const { state, notes, replayer } = replay(fixture('init.sql'), fixture('enum_recreate.sql'));
      const expected = clone(INIT_STATE);
      expected.enums = { Role: { name: 'Role', values: ['USER', 'OWNER'] } };
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(said(notes), [
        'info: BEGIN/COMMIT: 2 statements not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).',
      ]);
      // The enum is the one created in m2 now.
      assert.strictEqual(replayer.provenance()['Role'].migration, 'm2');
      assert.deepStrictEqual(Object.keys(replayer.provenance()).filter((k) => k.startsWith('Role')).sort(), ['Role', 'Role.OWNER', 'Role.USER']);
    });

    it('refuses DROP TYPE while a column uses it; CASCADE drops the columns and the defaults that cast to it', () => {
      const refused = replay(fixture('init.sql'), 'DROP TYPE "Role";');
      assert.deepStrictEqual(refused.state, INIT_STATE);
      assert.deepStrictEqual(said(refused.notes), [
        'warning: This migration fails on a fresh database at line 1: Enum "Role" is still used by column "User"."role"; PostgreSQL refuses to drop it without CASCADE. Skipped.',
      ]);
      // The column changed to TEXT keeps a default cast to the enum; DROP TYPE ... CASCADE removes that default.
      const cascaded = replay(fixture('init.sql'), 'ALTER TABLE "User" ALTER COLUMN "role" TYPE TEXT; DROP TYPE "Role" CASCADE;');
      const expected = clone(INIT_STATE);
      expected.enums = {};
      expected.tables.User.columns[3] = { name: 'role', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false };
      assert.deepStrictEqual(cascaded.state, expected);
      assert.deepStrictEqual(cascaded.notes, []);
    });
  });

  describe('schemas', () => {
    it('keys tables and enums outside public by schema, and resolves qualified references', () => {
      const { state, notes } = replay(`
        CREATE SCHEMA IF NOT EXISTS "auth";
        CREATE TYPE "auth"."Kind" AS ENUM ('A');
        CREATE TABLE "auth"."users" ("id" TEXT NOT NULL, "kind" "auth"."Kind" NOT NULL, CONSTRAINT "users_pkey" PRIMARY KEY ("id"));
        CREATE TABLE "public"."posts" ("id" TEXT NOT NULL, "userId" TEXT NOT NULL);
        ALTER TABLE "posts" ADD CONSTRAINT "posts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth"."users"("id") ON DELETE RESTRICT ON UPDATE SET DEFAULT;
        CREATE INDEX "users_kind_idx" ON "auth"."users" ("kind");
        DROP INDEX "auth"."users_kind_idx";
      `);
      assert.deepStrictEqual(state, {
        provider: 'postgresql',
        tables: {
          'auth.users': {
            name: 'users',
            schema: 'auth',
            columns: [
              { name: 'id', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
              { name: 'kind', type: { name: 'auth.Kind', args: [], array: false, isEnum: true }, nullable: false },
            ],
            primaryKey: { name: 'users_pkey', columns: ['id'] },
            indexes: [],
            foreignKeys: [],
          },
          posts: {
            name: 'posts',
            columns: [
              { name: 'id', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
              { name: 'userId', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
            ],
            indexes: [],
            foreignKeys: [{ name: 'posts_userId_fkey', columns: ['userId'], referencedTable: 'auth.users', referencedColumns: ['id'], onDelete: 'RESTRICT', onUpdate: 'SET DEFAULT' }],
          },
        },
        enums: { 'auth.Kind': { name: 'Kind', schema: 'auth', values: ['A'] } },
        objects: { 'schema:auth': { kind: 'schema', name: 'auth' } },
      });
      assert.deepStrictEqual(notes, []);
    });

    it('moves everything a schema holds when ALTER SCHEMA ... RENAME TO renames it; foreign keys from other schemas follow', () => {
      const { state, notes } = replay(`
        CREATE SCHEMA "auth";
        CREATE TYPE "auth"."Kind" AS ENUM ('A');
        CREATE TABLE "auth"."users" ("id" TEXT NOT NULL, "kind" "auth"."Kind" NOT NULL, CONSTRAINT "users_pkey" PRIMARY KEY ("id"));
        CREATE TABLE "posts" ("id" TEXT NOT NULL, "userId" TEXT NOT NULL);
        ALTER TABLE "posts" ADD CONSTRAINT "posts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "auth"."users"("id");
        CREATE VIEW "auth"."admins" AS SELECT "id" FROM "auth"."users";
        CREATE FUNCTION "auth"."uid"() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'x' $$;
        ALTER SCHEMA "auth" RENAME TO "identity";
      `);
      assert.deepStrictEqual(state, {
        provider: 'postgresql',
        tables: {
          posts: {
            name: 'posts',
            columns: [
              { name: 'id', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
              { name: 'userId', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
            ],
            indexes: [],
            foreignKeys: [{ name: 'posts_userId_fkey', columns: ['userId'], referencedTable: 'identity.users', referencedColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' }],
          },
          'identity.users': {
            name: 'users',
            schema: 'identity',
            columns: [
              { name: 'id', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
              { name: 'kind', type: { name: 'identity.Kind', args: [], array: false, isEnum: true }, nullable: false },
            ],
            primaryKey: { name: 'users_pkey', columns: ['id'] },
            indexes: [],
            foreignKeys: [],
          },
        },
        enums: { 'identity.Kind': { name: 'Kind', schema: 'identity', values: ['A'] } },
        objects: {
          'schema:identity': { kind: 'schema', name: 'identity' },
          'relation:identity.admins': { kind: 'view', name: 'admins', schema: 'identity' },
          'function:identity.uid': { kind: 'function', name: 'uid', schema: 'identity' },
        },
      });
      assert.deepStrictEqual(notes, []);
    });

    it('leaves a rename of the public schema to a note: it is not modelled', () => {
      const { state, notes } = replay('CREATE TABLE "t" ("id" INTEGER NOT NULL); ALTER SCHEMA "public" RENAME TO "app";');
      assert.deepStrictEqual(Object.keys(state.tables), ['t']);
      assert.deepStrictEqual(said(notes), ['info: ALTER SCHEMA public RENAME: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).']);
    });
  });

  describe('what is not modelled', () => {
    it('skips data statements and foreign objects with one info note per kind and migration', () => {
      const { state, notes } = replay(
        fixture('init.sql'),
        `CREATE EXTENSION IF NOT EXISTS "pgcrypto";
         UPDATE "User" SET "name" = 'x';
         UPDATE "User" SET "name" = 'y';
         INSERT INTO "User" ("email") VALUES ('a@b.c');
         DELETE FROM "Post";
         DO $$ BEGIN RAISE NOTICE 'hi'; END $$;
         CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
         CREATE TRIGGER t BEFORE UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION f();
         CREATE POLICY p ON "User" USING (true);
         CREATE VIEW v AS SELECT 1;
         COMMENT ON TABLE "User" IS 'people';
         GRANT SELECT ON "User" TO public;
         SET lock_timeout = '5s';
         SELECT 1;
         CREATE TEMP TABLE tmp AS SELECT * FROM "User";
         ALTER TABLE tmp ADD COLUMN x int;
         DROP TABLE tmp;`,
      );
      // Extensions, functions, triggers and views are recorded as objects, not as tables, and need no note.
      assert.deepStrictEqual(state, {
        ...INIT_STATE,
        objects: {
          'extension:pgcrypto': { kind: 'extension', name: 'pgcrypto' },
          'function:f': { kind: 'function', name: 'f' },
          'trigger:User#t': { kind: 'trigger', name: 't', table: 'User' },
          'relation:v': { kind: 'view', name: 'v' },
        },
      });
      assert.deepStrictEqual(
        notes.map((n) => [n.level, n.message.replace(/ \(not part of.*$/, ''), n.where?.range.start.line]),
        [
          ['info', 'UPDATE: 2 statements not replayed', 1],
          ['info', 'INSERT: 1 statement not replayed', 3],
          ['info', 'DELETE: 1 statement not replayed', 4],
          ['info', 'CREATE POLICY: 1 statement not replayed', 8],
          ['info', 'COMMENT: 1 statement not replayed', 10],
          ['info', 'GRANT/REVOKE: 1 statement not replayed', 11],
          ['info', 'SET: 1 statement not replayed', 12],
          ['info', 'SELECT: 1 statement not replayed', 13],
          ['info', 'CREATE TEMPORARY TABLE ... AS: 1 statement not replayed', 14],
        ],
      );
    });

    it('warns about statements on objects that do not exist, skips them, and goes on', () => {
      const { state, notes } = replay(
        fixture('init.sql'),
        `ALTER TABLE "Nope" ADD COLUMN "x" INT;
         ALTER TABLE IF EXISTS "Nope" ADD COLUMN "x" INT;
         ALTER TABLE "User" ALTER COLUMN "nope" SET NOT NULL;
         CREATE INDEX "i" ON "User" ("nope");
         ALTER TABLE "Post" ADD CONSTRAINT "fk" FOREIGN KEY ("authorId") REFERENCES "Nope"("id");
         ALTER TYPE "Nope" ADD VALUE 'X';
         DROP INDEX "nope";
         CREATE TABLE "User" ("id" INT);
         ALTER TABLE "User" ADD COLUMN "late" INT;`,
      );
      const expected = clone(INIT_STATE);
      expected.tables.User.columns.push({ name: 'late', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: true });
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(
        notes.map((n) => [n.level, n.message, n.where?.range.start.line]),
        [
          ['warning', 'This migration fails on a fresh database at line 1: Table "Nope" does not exist at this point of the migrations; the statement is skipped.', 0],
          ['warning', 'This migration fails on a fresh database at line 3: Column "nope" does not exist in table "User"; this part of the statement is skipped.', 2],
          ['warning', 'This migration fails on a fresh database at line 4: Column "nope" of table "User" does not exist; the constraint is not added.', 3],
          ['warning', 'This migration fails on a fresh database at line 5: Foreign key on "Post" references table "Nope", which does not exist; it is not added.', 4],
          ['warning', 'This migration fails on a fresh database at line 6: Enum "Nope" does not exist at this point of the migrations; ALTER TYPE is skipped.', 5],
          ['warning', 'This migration fails on a fresh database at line 7: Index "nope" does not exist at this point of the migrations; DROP INDEX is skipped.', 6],
          ['warning', 'This migration fails on a fresh database at line 8: Table "User" already exists; the statement is skipped.', 7],
        ],
      );
    });

    it('applies the statements around one it cannot parse, and says on which line', () => {
      const { state, notes } = replay(fixture('init.sql'), fixture('invalid_middle.sql'));
      const expected = clone(INIT_STATE);
      expected.tables.User.columns.push(
        { name: 'nickname', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: true },
        { name: 'bio', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: true },
      );
      assert.deepStrictEqual(state, expected);
      assert.deepStrictEqual(
        notes.map((n) => [n.level, n.message.replace(/ \(not part of.*$/, ''), n.where?.range.start.line]),
        [
          ['warning', 'Line 5: PostgreSQL cannot parse this statement (syntax error at or near "NUL"); it is skipped and the rest of the file is still read.', 4],
          ['info', 'UPDATE: 1 statement not replayed', 7],
        ],
      );
    });
  });

  describe('fork', () => {
    it('gives an independent copy', () => {
      const { replayer } = replay(fixture('init.sql'));
      const fork = replayer.fork();
      fork.apply({ name: 'm2', file: '/p/m2/migration.sql', sql: 'DROP TABLE "Post"; ALTER TABLE "User" ADD COLUMN "x" INT;' });
      assert.deepStrictEqual(replayer.state(), INIT_STATE);
      assert.deepStrictEqual(Object.keys(fork.state().tables), ['User']);
      assert.ok(replayer.provenance()['Post']);
      assert.ok(!fork.provenance()['Post']);
      assert.ok(fork.provenance()['User.x']);
    });
  });
});
