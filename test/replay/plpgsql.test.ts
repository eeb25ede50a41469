/**
 * PL/pgSQL DO blocks, EXECUTE, guards, exception handlers and loops in the
 * PostgreSQL replay, and what it records when it cannot tell. Each fixture in
 * test/fixtures/replay/plpgsql/ is applied after init.sql (tables User and
 * Post, enum Role); every test asserts the whole state, notes and list of
 * uninterpreted statements.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbColumn, DbState } from '../../server/src/core/dbState';
import { range } from '../../server/src/core/source';
import { createPostgresReplayer } from '../../server/src/replay/postgres';
import { loadPostgresParser } from '../../server/src/replay/statements';
import type { UncertainStatement } from '../../server/src/replay/types';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/replay');
const FILE = '/p/m2/migration.sql';

interface Outcome {
  /** The state after init.sql, to build the expected state from. */
  before: DbState;
  state: DbState;
  /** `level line: message` of the fixture's notes. */
  notes: string[];
  uncertain: readonly UncertainStatement[];
}

function replayFixture(name: string): Outcome {
  const replayer = createPostgresReplayer();
  replayer.apply({ name: 'm1', file: '/p/m1/migration.sql', sql: fs.readFileSync(path.join(FIXTURES, 'init.sql'), 'utf8') });
  const before = structuredClone(replayer.state());
  const notes = replayer.apply({ name: 'm2', file: FILE, sql: fs.readFileSync(path.join(FIXTURES, 'plpgsql', name), 'utf8') });
  return {
    before,
    state: replayer.state(),
    notes: notes.map((n) => `${n.level} ${n.where ? n.where.range.start.line + 1 : '-'}: ${n.message}`),
    uncertain: replayer.uncertain?.() ?? [],
  };
}

function text(name: string, nullable = true): DbColumn {
  return { name, type: { name: 'text', args: [], array: false, isEnum: false }, nullable };
}

function int4(name: string): DbColumn {
  return { name, type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: true };
}

const SERIAL_ID: DbColumn = { name: 'id', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'autoincrement' } };

describe('replay/plpgsql: DO blocks and what the replay cannot read', () => {
  before(async () => {
    await loadPostgresParser();
  });

  it('decides IF [NOT] EXISTS guards on pg_type, pg_enum, pg_constraint, pg_class, pg_indexes, pg_namespace, pg_attribute and information_schema from the replayed state', () => {
    const { before, state, notes, uncertain } = replayFixture('guards.sql');
    const expected = structuredClone(before);
    expected.enums.Role.values.push('OWNER');
    expected.enums.Status = { name: 'Status', values: ['DRAFT', 'LIVE'] };
    const user = expected.tables.User;
    user.columns[user.columns.findIndex((c) => c.name === 'name')] = text('fullName');
    expected.tables.Post.columns.push({ name: 'status', type: { name: 'Status', args: [], array: false, isEnum: true }, nullable: false, default: { kind: 'value', sql: "'DRAFT'" } });
    expected.tables.Post.indexes.push({ name: 'Post_title_idx', columns: ['title'], unique: false });
    expected.tables.Tag = { name: 'Tag', columns: [SERIAL_ID], indexes: [], foreignKeys: [], primaryKey: { name: 'Tag_pkey', columns: ['id'] } };
    expected.objects = { 'schema:audit': { kind: 'schema', name: 'audit' } };
    assert.deepStrictEqual(state, expected);
    assert.deepStrictEqual(notes, []);
    assert.deepStrictEqual(uncertain, []);
  });

  it('takes the ELSIF / ELSE branch the replayed state selects, with to_regclass(...) IS [NOT] NULL', () => {
    const { before, state, notes, uncertain } = replayFixture('branches.sql');
    const expected = structuredClone(before);
    expected.tables.Post.columns.push(text('body'));
    expected.tables.Comment = {
      name: 'Comment',
      columns: [SERIAL_ID, { name: 'postId', type: { name: 'uuid', args: [], array: false, isEnum: false }, nullable: false }],
      indexes: [],
      foreignKeys: [],
      primaryKey: { name: 'Comment_pkey', columns: ['id'] },
    };
    assert.deepStrictEqual(state, expected);
    assert.deepStrictEqual(notes, []);
    assert.deepStrictEqual(uncertain, []);
  });

  it("applies EXECUTE of a literal, of format('%I %L', constants) and of a concatenation, at the EXECUTE's line", () => {
    const replayer = createPostgresReplayer();
    replayer.apply({ name: 'm1', file: '/p/m1/migration.sql', sql: fs.readFileSync(path.join(FIXTURES, 'init.sql'), 'utf8') });
    const { before, state, notes, uncertain } = replayFixture('execute.sql');
    const expected = structuredClone(before);
    expected.tables.User.columns.push(text('bio'));
    expected.tables.Post.columns.push({ ...text('slug', false), default: { kind: 'value', sql: "'draft'" } });
    expected.tables.Post.indexes.push({ name: 'Post_slug_idx', columns: ['slug'], unique: false });
    assert.deepStrictEqual(state, expected);
    assert.deepStrictEqual(notes, []);
    assert.deepStrictEqual(uncertain, []);
    // Provenance points at the line of each EXECUTE inside the block.
    replayer.apply({ name: 'm2', file: FILE, sql: fs.readFileSync(path.join(FIXTURES, 'plpgsql', 'execute.sql'), 'utf8') });
    assert.deepStrictEqual(
      ['User.bio', 'Post.slug', 'Post#Post_slug_idx'].map((key) => replayer.provenanceOf?.(key)?.range),
      [range(2, 10, 2, 52), range(3, 10, 3, 98), range(4, 10, 4, 82)],
    );
  });

  it('skips what an exception handler catches (and undoes the rest of its block) and applies what succeeds', () => {
    const { before, state, notes, uncertain } = replayFixture('exceptions.sql');
    const expected = structuredClone(before);
    expected.tables.User.columns.push(text('nickname'));
    assert.deepStrictEqual(state, expected);
    assert.deepStrictEqual(notes, [
      'info 3: Line 3: PostgreSQL rejects this statement here (Type "Role" already exists; CREATE TYPE is skipped.); the block\'s exception handler catches that, and what the block did before it is undone.',
      'info 16: Line 16: PostgreSQL rejects this statement here (Constraint "Post_authorId_fkey" already exists on table "Post"; the foreign key is not added.); the block\'s exception handler catches that, and what the block did before it is undone.',
    ]);
    assert.deepStrictEqual(uncertain, []);
  });

  it('runs nested blocks with their DECLARE sections and unrolls loops over a constant array and a constant range', () => {
    const { before, state, notes, uncertain } = replayFixture('nested_loops.sql');
    const expected = structuredClone(before);
    const updatedAt: DbColumn = { name: 'updatedAt', type: { name: 'timestamp', args: [3], array: false, isEnum: false }, nullable: true };
    expected.tables.User.columns.push(updatedAt);
    expected.tables.Post.columns.push(updatedAt, int4('v1'), int4('v2'));
    expected.tables.Post.indexes.push({ name: 'Post_v1_idx', columns: ['v1'], unique: false });
    assert.deepStrictEqual(state, expected);
    // The UPDATE is data, as outside a block; PERFORM of a built-in function changes nothing.
    assert.deepStrictEqual(notes, ['info 20: UPDATE: 1 statement not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).']);
    assert.deepStrictEqual(uncertain, []);
  });

  it('does not guess a guard it cannot decide, nor dynamic SQL built from rows: it records them with their lines and tables', () => {
    const { before, state, notes, uncertain } = replayFixture('undecidable.sql');
    assert.deepStrictEqual(state, before);
    assert.deepStrictEqual(notes, [
      "warning 4: Line 4: the replay cannot interpret the guard `IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')`, which asks about something the replayed state does not model, with branches that change the schema: what it did to \"Post\" is unknown, so findings on that table stay at warning.",
      "info 10: Line 10: the replay cannot decide the guard `IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')` (it asks about something the replayed state does not model), but no branch changes a table, column, index, constraint or enum.",
      'warning 20: Line 20: the replay cannot interpret a loop over rows read at run time, whose body changes the schema: it names no table the replay knows.',
    ]);
    assert.deepStrictEqual(uncertain, [
      {
        migration: 'm2',
        file: FILE,
        range: range(3, 2, 3, 71),
        excerpt: "IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')",
        reason: "the guard `IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')`, which asks about something the replayed state does not model, with branches that change the schema",
        tables: ['Post'],
      },
      {
        migration: 'm2',
        file: FILE,
        range: range(19, 2, 19, 76),
        excerpt: "FOR r IN SELECT tablename FROM pg_tables WHERE tablename LIKE 'User%' LOOP",
        reason: 'a loop over rows read at run time, whose body changes the schema',
        tables: [],
      },
    ]);
  });

  it('keeps replaying across explicit BEGIN / COMMIT in a file, and says CONCURRENTLY between them still fails', () => {
    const { before, state, notes, uncertain } = replayFixture('transactions.sql');
    const expected = structuredClone(before);
    expected.tables.User.columns.push(text('nickname'));
    expected.tables.User.indexes.push({ name: 'User_nickname_idx', columns: ['nickname'], unique: false });
    expected.tables.Post.columns.push({ name: 'draft', type: { name: 'bool', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: 'true' } });
    assert.deepStrictEqual(state, expected);
    const refusal = 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway.';
    // A COMMIT does not make room: PostgreSQL opens a new implicit block for the rest of a multi-statement script.
    assert.deepStrictEqual(notes, [
      `warning 5: This migration fails on a fresh database at line 5: ${refusal}`,
      'info 1: BEGIN/COMMIT: 4 statements not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).',
    ]);
    assert.deepStrictEqual(uncertain, [
      {
        migration: 'm2',
        file: FILE,
        range: range(4, 0, 4, 67),
        excerpt: 'CREATE INDEX CONCURRENTLY "User_nickname_idx" ON "User"("nickname")',
        reason: `PostgreSQL rejects it (${refusal})`,
        tables: ['User', 'Post'],
        fails: true,
      },
    ]);
  });

  it('reports a statement PostgreSQL rejects as the line where the migration fails on a fresh database, and every table the migration names as uncertain', () => {
    const { before, state, notes, uncertain } = replayFixture('failing.sql');
    const expected = structuredClone(before);
    expected.tables.User.columns.push(text('nickname'));
    expected.tables.Post.columns.push({ name: 'draft', type: { name: 'bool', args: [], array: false, isEnum: false }, nullable: true });
    assert.deepStrictEqual(state, expected);
    assert.deepStrictEqual(notes, ['warning 3: This migration fails on a fresh database at line 3: Column "nick" does not exist in table "User"; this part of the statement is skipped.']);
    assert.deepStrictEqual(uncertain, [
      {
        migration: 'm2',
        file: FILE,
        range: range(2, 0, 2, 51),
        excerpt: 'ALTER TABLE "User" ALTER COLUMN "nick" SET NOT NULL',
        reason: 'PostgreSQL rejects it (Column "nick" does not exist in table "User"; this part of the statement is skipped.)',
        tables: ['User', 'Post'],
        fails: true,
      },
    ]);
  });

  it('records a function the migrations created, called for its side effects, with the tables its body names; built-in and STABLE functions are harmless', () => {
    const { before, state, notes, uncertain } = replayFixture('function_call.sql');
    assert.deepStrictEqual(state, {
      ...before,
      objects: { 'function:backfill_posts': { kind: 'function', name: 'backfill_posts' }, 'function:post_count': { kind: 'function', name: 'post_count' } },
    });
    assert.deepStrictEqual(notes, [
      'warning 6: Line 6: the replay cannot interpret a function the migrations created, called for its side effects: what it did to "Post" is unknown, so findings on that table stay at warning.',
      'info 6: SELECT: 3 statements not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).',
    ]);
    assert.deepStrictEqual(uncertain, [
      { migration: 'm2', file: FILE, range: range(5, 0, 5, 23), excerpt: 'SELECT backfill_posts()', reason: 'a function the migrations created, called for its side effects', tables: ['Post'] },
    ]);
  });
});
