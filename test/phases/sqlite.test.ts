/**
 * Phased migrations on a real SQLite (sql.js): every plan of the sqlite-notes
 * fixture applied on seeded rows, with the same promises as on PostgreSQL —
 * Prisma accepts the schema and our replay agrees with it after every phase,
 * every down script restores the structure, no row or value is lost, and the
 * guards stop a plan before it changes anything.
 */
import * as assert from 'assert';
import * as path from 'path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';
import { summarizeChange } from '../../server/src/diff/changes';
import { type PhaseWritten, type PlanOptions, advancePhase, applyFirstPhase, applySchemaEditsToDisk, planForFinding, planProject } from '../../server/src/phases';
import { phaseFolder } from '../../server/src/phases/plans/common';
import type { PrismaProject } from '../../server/src/project/locate';
import * as fs from 'fs';
import { type RawClient, addDeployedMigration, assertValidSchema, cleanUp, copyFixture, key, runBackfillScript, sameObject, schemaText, unmigrated } from './support';

const SEED = `
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)
INSERT INTO "User" ("email", "name") SELECT 'u' || n || '@example.com', CASE WHEN n % 4 = 0 THEN NULL ELSE 'User ' || n END FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000)
INSERT INTO "Note" ("id", "userId", "title", "body", "score") SELECT 'note-' || n, 1 + (n % 2000), 'Title ' || n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'body' END, n * 11 FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1500)
INSERT INTO "Tag" ("userId", "label", "legacy") SELECT 1 + (n % 2000), 'tag-' || n, 'old-' || n FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 500)
INSERT INTO "Folder" ("path") SELECT '/f/' || n FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 40)
INSERT INTO "Project" ("name") SELECT 'project-' || n FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1200)
INSERT INTO "Task" ("projectId", "title") SELECT 1 + (n % 40), 'task-' || n FROM g;
`;
const SEEDED_ROWS = 2000 + 3000 + 1500 + 500 + 40 + 1200;
/** Note.body as the text of a number: 'note-12' gets '12' (the 2000 bodies that are not NULL). */
const NUMERIC_BODIES = `UPDATE "Note" SET "body" = substr("id", 6) WHERE "body" IS NOT NULL;`;

function rows(db: Database, sql: string, params: unknown[] = []): Record<string, unknown>[] {
  const statement = db.prepare(sql);
  try {
    statement.bind(params as never);
    const out: Record<string, unknown>[] = [];
    while (statement.step()) out.push(statement.getAsObject());
    return out;
  } finally {
    statement.free();
  }
}

function value(db: Database, sql: string): unknown {
  const row = rows(db, sql)[0];
  return row ? row[Object.keys(row)[0]] : undefined;
}

function sqlJsClient(db: Database): RawClient {
  return {
    query: async (sql, params) => rows(db, sql, params),
    execute: async (sql, params) => {
      db.run(sql, params as never);
      return db.getRowsModified();
    },
  };
}

/** The structure SQLite reports, table by table (the stored CREATE text changes form across table copies). */
function structure(db: Database): unknown {
  const tables = rows(db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).map((r) => r.name as string);
  return tables.map((table) => ({
    table,
    columns: rows(db, `PRAGMA table_info("${table}")`).map((c) => ({ name: c.name, type: c.type, notnull: c.notnull, default: c.dflt_value, pk: c.pk })).sort((a, b) => String(a.name).localeCompare(String(b.name))),
    indexes: rows(db, `PRAGMA index_list("${table}")`).map((i) => ({ name: i.name, unique: i.unique, columns: rows(db, `PRAGMA index_info("${i.name as string}")`).map((c) => c.name) })).sort((a, b) => String(a.name).localeCompare(String(b.name))),
    foreignKeys: rows(db, `PRAGMA foreign_key_list("${table}")`).map((f) => ({ table: f.table, from: f.from, to: f.to, onUpdate: f.on_update, onDelete: f.on_delete })),
  }));
}

function run(db: Database, file: string): void {
  db.exec(fs.readFileSync(file, 'utf8'));
}

interface Case {
  title: string;
  rule: string;
  table: string;
  /** The column of the change, when the table has more than one of its kind. */
  column?: string;
  /** SQL run after the seed. */
  seed?: string;
  /** SQL of one more deployed migration, after the fixture's own (an index the edited schema replaces). */
  deployed?: string;
  /** Text of the fixture's schema replaced before planning: [as written, replacement], or several such pairs. */
  schema?: [string, string] | [string, string][];
  options?: PlanOptions;
  script?: boolean;
  afterPhase?: Record<number, string>;
  /** Pending changes the plan settles besides its own (the foreign keys to a dropped table), in their short form. */
  settles?: Record<string, unknown>[];
  capture(db: Database): Record<string, unknown>;
  verify(db: Database, before: Record<string, unknown>): void;
}

const cases: Case[] = [
  {
    title: 'add-required-column: User.handle, backfilled by the TypeScript script, table copied to require it',
    rule: 'add-required-column',
    table: 'User',
    options: { backfill: `'user_' || "id"`, batchSize: 300 },
    script: true,
    afterPhase: { 1: `INSERT INTO "User" ("email", "name", "handle") VALUES ('new@example.com', 'New', 'newbie');` },
    capture: (db) => ({ users: JSON.stringify(rows(db, 'SELECT "id", "email", "name", "createdAt" FROM "User" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, 'SELECT "id", "email", "name", "createdAt" FROM "User" WHERE "id" <= 2000 ORDER BY "id"')), before.users);
      assert.strictEqual(value(db, `SELECT count(*) FROM "User" WHERE "handle" = 'user_' || "id"`), 2000);
      assert.strictEqual(value(db, `SELECT "handle" FROM "User" WHERE "email" = 'new@example.com'`), 'newbie');
      assert.strictEqual(value(db, `SELECT "notnull" FROM pragma_table_info('User') WHERE "name" = 'handle'`), 1);
    },
  },
  {
    title: 'make-column-required: User.name (500 NULLs)',
    rule: 'make-column-required',
    table: 'User',
    options: { backfill: `'Anonymous ' || "id"` },
    capture: (db) => ({ kept: JSON.stringify(rows(db, 'SELECT "id", "name" FROM "User" WHERE "name" IS NOT NULL ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, `SELECT "id", "name" FROM "User" WHERE "name" NOT LIKE 'Anonymous %' ORDER BY "id"`)), before.kept);
      assert.strictEqual(value(db, `SELECT count(*) FROM "User" WHERE "name" = 'Anonymous ' || "id"`), 500);
      assert.strictEqual(value(db, `SELECT "notnull" FROM pragma_table_info('User') WHERE "name" = 'name'`), 1);
    },
  },
  {
    title: 'rename-column: Note.title → heading',
    rule: 'rename-column',
    table: 'Note',
    afterPhase: { 1: `INSERT INTO "Note" ("id", "userId", "title", "heading") VALUES ('dual', 1, 'Both', 'Both');` },
    capture: (db) => ({ titles: JSON.stringify(rows(db, 'SELECT "id", "title" AS t FROM "Note" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, `SELECT "id", "heading" AS t FROM "Note" WHERE "id" <> 'dual' ORDER BY "id"`)), before.titles);
      assert.strictEqual(value(db, `SELECT count(*) FROM pragma_table_info('Note') WHERE "name" = 'title'`), 0);
    },
  },
  {
    title: 'change-column-type: Note.score INTEGER → BIGINT, converted in one explicit copy',
    rule: 'change-column-type',
    table: 'Note',
    capture: (db) => ({ scores: JSON.stringify(rows(db, 'SELECT "id", "score" FROM "Note" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, 'SELECT "id", "score" FROM "Note" ORDER BY "id"')), before.scores);
      assert.strictEqual(value(db, `SELECT "type" FROM pragma_table_info('Note') WHERE "name" = 'score'`), 'BIGINT');
    },
  },
  {
    title: 'change-column-type: Note.body TEXT → INTEGER, every value numeric text, kept as the same numbers',
    rule: 'change-column-type',
    table: 'Note',
    column: 'body',
    seed: NUMERIC_BODIES,
    schema: ['body    String?', 'body    Int?'],
    capture: (db) => ({ bodies: rows(db, 'SELECT "id", "body" FROM "Note" ORDER BY "id"') }),
    verify: (db, before) => {
      const expected = (before.bodies as { id: string; body: string | null }[]).map((r) => ({ id: r.id, body: r.body === null ? null : Number(r.body) }));
      assert.strictEqual(expected.filter((r) => r.body !== null).length, 2000);
      assert.deepStrictEqual(rows(db, 'SELECT "id", "body" FROM "Note" ORDER BY "id"'), expected);
      assert.deepStrictEqual(rows(db, 'SELECT typeof("body") AS t, count(*) AS n FROM "Note" GROUP BY 1 ORDER BY 1'), [{ t: 'integer', n: 2000 }, { t: 'null', n: 1000 }]);
      assert.strictEqual(value(db, `SELECT "type" FROM pragma_table_info('Note') WHERE "name" = 'body'`), 'INTEGER');
    },
  },
  {
    title: 'change-column-type: Note.score INTEGER → REAL (Int → Float), 11 becomes 11.0',
    rule: 'change-column-type',
    table: 'Note',
    column: 'score',
    schema: ['score   BigInt  @default(0)', 'score   Float   @default(0)'],
    capture: (db) => ({ scores: rows(db, 'SELECT "id", "score" FROM "Note" ORDER BY "id"') }),
    verify: (db, before) => {
      assert.deepStrictEqual(rows(db, 'SELECT "id", "score" FROM "Note" ORDER BY "id"'), before.scores);
      assert.deepStrictEqual(rows(db, 'SELECT typeof("score") AS t, count(*) AS n FROM "Note" GROUP BY 1'), [{ t: 'real', n: 3000 }]);
      assert.strictEqual(value(db, `SELECT "type" FROM pragma_table_info('Note') WHERE "name" = 'score'`), 'REAL');
    },
  },
  {
    title: 'create-index-blocking: Note.userId',
    rule: 'create-index-blocking',
    table: 'Note',
    capture: () => ({}),
    verify: (db) => assert.strictEqual(value(db, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'Note_userId_idx'`), 1),
  },
  {
    title: 'add-foreign-key: Note.userId, table copied with the key after the orphan guard',
    rule: 'add-foreign-key',
    table: 'Note',
    capture: (db) => ({ notes: JSON.stringify(rows(db, 'SELECT * FROM "Note" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, 'SELECT * FROM "Note" ORDER BY "id"')), before.notes);
      assert.deepStrictEqual(rows(db, `SELECT "table", "from", "to" FROM pragma_foreign_key_list('Note')`), [{ table: 'User', from: 'userId', to: 'id' }]);
    },
  },
  {
    title: 'add-unique-constraint: Tag (userId, label)',
    rule: 'add-unique-constraint',
    table: 'Tag',
    capture: () => ({}),
    verify: (db) => assert.strictEqual(value(db, `SELECT "unique" FROM pragma_index_list('Tag') WHERE "name" = 'Tag_userId_label_key'`), 1),
  },
  {
    title: 'drop-column: Tag.legacy',
    rule: 'drop-column',
    table: 'Tag',
    capture: (db) => ({ tags: JSON.stringify(rows(db, 'SELECT "id", "userId", "label" FROM "Tag" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, 'SELECT "id", "userId", "label" FROM "Tag" ORDER BY "id"')), before.tags);
      assert.strictEqual(value(db, `SELECT count(*) FROM pragma_table_info('Tag') WHERE "name" = 'legacy'`), 0);
    },
  },
  {
    title: 'drop-table: Folder',
    rule: 'drop-table',
    table: 'Folder',
    capture: () => ({}),
    verify: (db) => assert.strictEqual(value(db, `SELECT count(*) FROM sqlite_master WHERE name = 'Folder'`), 0),
  },
  {
    title: 'drop-table: Project, referenced by Task: Task copied without the key in phase 1, the table dropped in phase 2',
    rule: 'drop-table',
    table: 'Project',
    settles: [{ kind: 'dropForeignKey', table: 'Task', constraint: 'Task_projectId_fkey', columns: ['projectId'], references: 'Project' }],
    afterPhase: { 1: `INSERT INTO "Task" ("projectId", "title") VALUES (999, 'no project');` },
    capture: (db) => ({ tasks: JSON.stringify(rows(db, 'SELECT * FROM "Task" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(value(db, `SELECT count(*) FROM sqlite_master WHERE name = 'Project'`), 0);
      assert.deepStrictEqual(rows(db, `PRAGMA foreign_key_list("Task")`), []);
      assert.deepStrictEqual(rows(db, `PRAGMA index_list("Task")`).map((i) => i.name), ['Task_projectId_idx']);
      assert.strictEqual(JSON.stringify(rows(db, `SELECT * FROM "Task" WHERE "projectId" <> 999 ORDER BY "id"`)), before.tasks, 'every task row is kept');
    },
  },
  {
    title: 'change-primary-key: Note moves from (id) to (userId, id), id stays unique: the table copied once, guarded',
    rule: 'change-primary-key',
    table: 'Note',
    schema: [['  id      String  @id\n  userId  Int', '  id      String  @unique\n  userId  Int'], ['  score   BigInt  @default(0)\n\n  @@index([userId])', '  score   BigInt  @default(0)\n\n  @@id([userId, id])\n  @@index([userId])']],
    settles: [{ kind: 'addIndex', table: 'Note', index: 'Note_id_key', columns: ['id'], unique: true }],
    capture: (db) => ({ notes: JSON.stringify(rows(db, 'SELECT * FROM "Note" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, 'SELECT * FROM "Note" ORDER BY "id"')), before.notes, 'every row and value is kept');
      assert.deepStrictEqual(rows(db, `SELECT name, pk FROM pragma_table_info('Note') WHERE pk > 0 ORDER BY pk`), [{ name: 'userId', pk: 1 }, { name: 'id', pk: 2 }]);
      assert.deepStrictEqual(rows(db, `SELECT name, "unique", origin FROM pragma_index_list('Note') ORDER BY name`), [
        { name: 'Note_id_key', unique: 1, origin: 'c' },
        { name: 'sqlite_autoindex_Note_1', unique: 1, origin: 'pk' },
      ]);
      assert.throws(() => db.exec(`INSERT INTO "Note" ("id", "userId", "title") VALUES ('note-1', 2, 'again')`), /UNIQUE constraint failed: Note\.id/);
    },
  },
  {
    title: 'add-unique-constraint replacing another: Tag (label) → (userId, label), built before the old one is dropped',
    rule: 'add-unique-constraint',
    table: 'Tag',
    deployed: 'CREATE UNIQUE INDEX "Tag_label_key" ON "Tag"("label");\n',
    settles: [{ kind: 'dropIndex', table: 'Tag', index: 'Tag_label_key', columns: ['label'], unique: true }],
    capture: (db) => ({ tags: JSON.stringify(rows(db, 'SELECT * FROM "Tag" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, 'SELECT * FROM "Tag" ORDER BY "id"')), before.tags);
      assert.deepStrictEqual(rows(db, `SELECT name FROM pragma_index_list('Tag') WHERE "unique" = 1 ORDER BY name`), [{ name: 'Tag_userId_label_key' }]);
    },
  },
  {
    title: 'change-column-type of an indexed column: Note.score INTEGER → BIGINT, the table copied with the index built again',
    rule: 'change-column-type',
    table: 'Note',
    column: 'score',
    deployed: 'CREATE INDEX "Note_score_idx" ON "Note"("score");\n',
    schema: ['  score   BigInt  @default(0)\n\n  @@index([userId])', '  score   BigInt  @default(0)\n\n  @@index([userId])\n  @@index([score])'],
    capture: (db) => ({ notes: JSON.stringify(rows(db, 'SELECT * FROM "Note" ORDER BY "id"')) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(rows(db, 'SELECT * FROM "Note" ORDER BY "id"')), before.notes);
      assert.deepStrictEqual(rows(db, `SELECT name, type FROM pragma_table_info('Note') WHERE name = 'score'`), [{ name: 'score', type: 'BIGINT' }]);
      assert.deepStrictEqual(rows(db, `SELECT il.name, ii.name AS col FROM pragma_index_list('Note') il, pragma_index_info(il.name) ii WHERE il.origin = 'c' ORDER BY 1`), [{ name: 'Note_score_idx', col: 'score' }]);
    },
  },
];

describe('phases on SQLite (sql.js)', function () {
  this.timeout(300000);
  let SQL: SqlJsStatic;
  const timings: string[] = [];

  before(async () => {
    SQL = await initSqlJs();
  });

  after(() => {
    cleanUp();
    console.log(`\n      ${SEEDED_ROWS} seeded rows per case; timings:\n      ${timings.join('\n      ')}`);
  });

  function prepare(extra = '', edit?: [string, string] | [string, string][], deployed?: string): { project: PrismaProject; db: Database } {
    const project = copyFixture('sqlite-notes');
    if (deployed) addDeployedMigration(project, deployed);
    const edits = edit === undefined ? [] : typeof edit[0] === 'string' ? [edit as [string, string]] : (edit as [string, string][]);
    for (const [written, replacement] of edits) {
      const text = schemaText(project);
      assert.ok(text.includes(written), `the fixture's schema has ${written}`);
      fs.writeFileSync(project.schemaFiles[0], text.replace(written, replacement));
    }
    const db = new SQL.Database();
    // Prisma turns foreign keys on for every SQLite connection.
    db.exec('PRAGMA foreign_keys = ON;');
    for (const name of fs.readdirSync(project.migrationsDir).filter((n) => /^\d{14}_/.test(n)).sort()) run(db, path.join(project.migrationsDir, name, 'migration.sql'));
    db.exec(SEED + extra);
    return { project, db };
  }

  async function execute(db: Database, project: PrismaProject, written: PhaseWritten, c: Case): Promise<void> {
    const phase = written.phase;
    if (phase.backfill && c.script) {
      const script = path.join(written.planDir, phaseFolder(phase), phase.backfill.scriptName);
      const result = await runBackfillScript(sqlJsClient(db), script);
      assert.ok(result.output.some((l) => /done, \d+ rows updated/.test(l)), result.output.join('\n'));
    }
    for (const folder of written.migrationFolders) {
      const dir = path.join(project.migrationsDir, folder);
      const start = structure(db);
      run(db, path.join(dir, 'migration.sql'));
      const done = structure(db);
      run(db, path.join(dir, 'down.sql'));
      assert.deepStrictEqual(structure(db), start, `${folder}: down.sql restores the structure`);
      run(db, path.join(dir, 'migration.sql'));
      assert.deepStrictEqual(structure(db), done, `${folder}: applies again after its down script`);
    }
    assert.strictEqual(value(db, 'PRAGMA foreign_key_check'), undefined, 'no foreign key is broken');
  }

  for (const c of cases) {
    it(c.title, async () => {
      const t0 = performance.now();
      const { project, db } = prepare(c.seed, c.schema, c.deployed);
      try {
        const before = c.capture(db);
        const original = schemaText(project);
        const others = await unmigrated(project);
        const { entries } = await planProject(project, c.options ?? {});
        const entry = entries.find((e) => e.ruleId === c.rule && e.change.table === c.table && (!c.column || summarizeChange(e.change).column === c.column));
        assert.ok(entry, `a plannable ${c.rule} change on ${c.table}`);
        const outcome = await planForFinding(project, { ruleId: c.rule, change: summarizeChange(entry.change) }, c.options ?? {});
        assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
        const settled = new Set((c.settles ?? []).map(key));
        assert.ok((c.settles ?? []).every((s) => others.some((o) => key(o) === key(s))), 'the changes the plan settles are pending');
        const expectedLeft = others.filter((s) => !sameObject(s, entry.change) && !settled.has(key(s))).map(key).sort();
        let written: PhaseWritten = applyFirstPhase(project, outcome.plan);
        for (let n = 1; n <= outcome.plan.phases.length; n++) {
          if (n > 1) {
            const next = advancePhase(project);
            assert.ok(next.ok, next.ok ? '' : next.reason);
            written = next;
          }
          applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
          assertValidSchema(project, `after phase ${n}`);
          assert.deepStrictEqual((await unmigrated(project)).map(key).sort(), expectedLeft, `after phase ${n} the schema and the migrations agree about the change`);
          await execute(db, project, written, c);
          if (c.afterPhase?.[n]) db.exec(c.afterPhase[n]);
        }
        assert.strictEqual(schemaText(project), original);
        c.verify(db, before);
        timings.push(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${c.title} (${outcome.plan.phases.length} phases)`);
      } finally {
        db.close();
      }
    });
  }

  it('stops before building a unique index over duplicates, naming the problem', async () => {
    const { project, db } = prepare(`INSERT INTO "Tag" ("userId", "label") VALUES (5, 'same'), (5, 'same'), (5, 'same');`);
    try {
      const { entries } = await planProject(project);
      const entry = entries.find((e) => e.ruleId === 'add-unique-constraint');
      assert.ok(entry?.outcome.ok);
      const written = applyFirstPhase(project, entry.outcome.plan);
      const start = structure(db);
      assert.throws(() => run(db, path.join(project.migrationsDir, written.migrationFolders[0], 'migration.sql')), /CHECK constraint failed: duplicates_in_Tag_userId_label_must_be_resolved_first/);
      assert.deepStrictEqual(structure(db), start);
    } finally {
      db.close();
    }
  });

  it('stops the table copy that makes User.name required, changing nothing, while a row still holds NULL (a stopped copy would leave "new_User" behind)', async () => {
    const { project, db } = prepare();
    try {
      const { entries } = await planProject(project);
      const entry = entries.find((e) => e.ruleId === 'make-column-required');
      assert.ok(entry?.outcome.ok);
      const require = entry.outcome.plan.phases.flatMap((p) => p.migrations).find((m) => m.slug === 'require_name_in_user');
      assert.ok(require);
      const start = structure(db);
      assert.throws(() => db.exec(require.sql), /^Error: CHECK constraint failed: rows_of_User_still_have_NULL_name$/);
      assert.deepStrictEqual(structure(db), start);
      db.exec(`UPDATE "User" SET "name" = '' WHERE "name" IS NULL;`);
      db.exec(require.sql);
      assert.strictEqual(value(db, `SELECT "notnull" FROM pragma_table_info('User') WHERE "name" = 'name'`), 1);
    } finally {
      db.close();
    }
  });

  it('checks the rows copied with the new foreign key and stops before the old Note is dropped when one points to no User (written after the guard ran)', async () => {
    const { project, db } = prepare();
    try {
      const { entries } = await planProject(project);
      const entry = entries.find((e) => e.ruleId === 'add-foreign-key');
      assert.ok(entry?.outcome.ok);
      const [migration] = entry.outcome.plan.phases[0].migrations;
      // The orphan arrives between the guard and the copy: run the guard, write the row, then the rest of the file.
      const redefine = migration.sql.indexOf('-- RedefineTables');
      db.exec(migration.sql.slice(0, redefine));
      db.exec(`INSERT INTO "Note" ("id", "userId", "title", "score") VALUES ('orphan', 99999, 'no user', 0);`);
      assert.throws(() => db.exec(migration.sql.slice(redefine)), /^Error: CHECK constraint failed: rows_of_Note_point_to_missing_User_rows$/);
      assert.strictEqual(value(db, `SELECT count(*) FROM "Note"`), 3001, 'the old table keeps every row');
      assert.deepStrictEqual(rows(db, `SELECT "table", "parent" FROM pragma_foreign_key_check('new_Note')`), [{ table: 'new_Note', parent: 'User' }]);
    } finally {
      db.close();
    }
  });
  /** The first phase of the type change of Note.`column` planned and written, on the fixture with `edit` made and `seed` run. */
  async function typeChange(seed: string, edit: [string, string], column: string, options: PlanOptions = {}): Promise<{ project: PrismaProject; db: Database; written: PhaseWritten }> {
    const { project, db } = prepare(seed, edit);
    const { entries } = await planProject(project, options);
    const entry = entries.find((e) => e.ruleId === 'change-column-type' && summarizeChange(e.change).column === column);
    assert.ok(entry?.outcome.ok, entry?.outcome.ok === false ? entry.outcome.reason : `a change-column-type on Note.${column}`);
    return { project, db, written: applyFirstPhase(project, entry.outcome.plan) };
  }

  /** Runs a script that must stop at a guard: the error is exactly the guard's, and no table, column or row changed. */
  function assertStops(db: Database, file: string, error: string): void {
    const start = structure(db);
    const notes = rows(db, 'SELECT "id", "userId", "title", "body", "score", typeof("body") AS bodyType, typeof("score") AS scoreType FROM "Note" ORDER BY "id"');
    assert.throws(() => run(db, file), (e: Error) => {
      assert.strictEqual(e.message, error);
      return true;
    });
    assert.deepStrictEqual(structure(db), start);
    assert.deepStrictEqual(rows(db, 'SELECT "id", "userId", "title", "body", "score", typeof("body") AS bodyType, typeof("score") AS scoreType FROM "Note" ORDER BY "id"'), notes);
  }

  it('stops a TEXT → INTEGER copy, changing nothing, when one value is not the text of an integer (CAST would make it 0)', async () => {
    const { project, db, written } = await typeChange(`${NUMERIC_BODIES}\nUPDATE "Note" SET "body" = 'eleven' WHERE "id" = 'note-11';`, ['body    String?', 'body    Int?'], 'body');
    try {
      assert.deepStrictEqual(rows(db, 'SELECT typeof("body") AS t, count(*) AS n FROM "Note" GROUP BY 1 ORDER BY 1'), [{ t: 'null', n: 1000 }, { t: 'text', n: 2000 }]);
      assertStops(db, path.join(project.migrationsDir, written.migrationFolders[0], 'migration.sql'), 'CHECK constraint failed: values_of_Note_body_do_not_convert_to_INTEGER');
      assert.strictEqual(value(db, `SELECT "body" FROM "Note" WHERE "id" = 'note-11'`), 'eleven');
      assert.strictEqual(value(db, `SELECT "type" FROM pragma_table_info('Note') WHERE "name" = 'body'`), 'TEXT');
    } finally {
      db.close();
    }
  });

  it('stops the down script of INTEGER → REAL, changing nothing, when a value written since is not a whole number', async () => {
    const { project, db, written } = await typeChange('', ['score   BigInt  @default(0)', 'score   Float   @default(0)'], 'score');
    try {
      const dir = path.join(project.migrationsDir, written.migrationFolders[0]);
      run(db, path.join(dir, 'migration.sql'));
      db.exec(`INSERT INTO "Note" ("id", "userId", "title", "score") VALUES ('half', 1, 'Half', 2.5);`);
      assertStops(db, path.join(dir, 'down.sql'), 'CHECK constraint failed: values_of_Note_score_do_not_convert_back_to_INTEGER');
      assert.strictEqual(value(db, `SELECT "score" FROM "Note" WHERE "id" = 'half'`), 2.5);
      assert.strictEqual(value(db, `SELECT "type" FROM pragma_table_info('Note') WHERE "name" = 'score'`), 'REAL');
    } finally {
      db.close();
    }
  });

  it('refuses TEXT → DATETIME without a conversion expression: Prisma stores milliseconds, which no CAST produces', async () => {
    const { project, db } = prepare('', ['body    String?', 'body    DateTime?']);
    try {
      const reason = `Prisma stores a DateTime on SQLite as the number of milliseconds since 1970-01-01 UTC, and no CAST produces that: CAST("body" AS DATETIME) keeps a number as it is and turns text into its leading number ('2024-01-31' becomes 2024). Plan again with a conversion expression that gives milliseconds: for dates written as text, --backfill 'CAST(ROUND((julianday("body") - 2440587.5) * 86400000) AS INTEGER)' (a guard stops the migration, changing nothing, if a text does not read as a date); for a number that already counts milliseconds, --backfill '"body"'.`;
      const { entries } = await planProject(project);
      const entry = entries.find((e) => e.ruleId === 'change-column-type' && summarizeChange(e.change).column === 'body');
      assert.ok(entry, 'the type change of Note.body is a change-column-type finding');
      assert.deepStrictEqual(entry.outcome, { ok: false, reason });
      assert.deepStrictEqual(await planForFinding(project, { ruleId: 'change-column-type', change: summarizeChange(entry.change) }), { ok: false, reason });
    } finally {
      db.close();
    }
  });

  it('copies TEXT → Json as it is, after a guard that stops, changing nothing, on text that is not JSON (CAST AS JSONB would make it a number)', async () => {
    const seed = `UPDATE "Note" SET "body" = json_object('n', CAST(substr("id", 6) AS INTEGER), 'tags', json_array('a', 'b')) WHERE "body" IS NOT NULL;`;
    const { project, db, written } = await typeChange(`${seed}\nUPDATE "Note" SET "body" = 'not json' WHERE "id" = 'note-11';`, ['body    String?', 'body    Json?'], 'body');
    try {
      const file = path.join(project.migrationsDir, written.migrationFolders[0], 'migration.sql');
      assertStops(db, file, 'CHECK constraint failed: values_of_Note_body_are_not_valid_JSON');
      db.run(`UPDATE "Note" SET "body" = '{"n":11,"tags":["a","b"]}' WHERE "id" = 'note-11'`);
      const before = rows(db, 'SELECT "id", "body" FROM "Note" ORDER BY "id"');
      assert.deepStrictEqual(before.find((r) => r.id === 'note-2'), { id: 'note-2', body: '{"n":2,"tags":["a","b"]}' });
      run(db, file);
      assert.deepStrictEqual(rows(db, 'SELECT "id", "body" FROM "Note" ORDER BY "id"'), before);
      assert.strictEqual(value(db, `SELECT "type" FROM pragma_table_info('Note') WHERE "name" = 'body'`), 'JSONB');
    } finally {
      db.close();
    }
  });

  it('converts TEXT → DATETIME with the expression the refusal suggests into milliseconds; the down script gives the text of the number, and applying again stops at the NULL guard', async () => {
    const seed = `UPDATE "Note" SET "body" = '2024-01-' || printf('%02d', 1 + substr("id", 6) % 28) || ' 10:00:00.123' WHERE "body" IS NOT NULL;`;
    const backfill = 'CAST(ROUND((julianday("body") - 2440587.5) * 86400000) AS INTEGER)';
    const { project, db, written } = await typeChange(seed, ['body    String?', 'body    DateTime?'], 'body', { backfill });
    try {
      const before = rows(db, 'SELECT "id", "body" FROM "Note" ORDER BY "id"') as { id: string; body: string | null }[];
      // What Prisma writes for a DateTime on SQLite: milliseconds since 1970.
      const millis = before.map((r) => ({ id: r.id, body: r.body === null ? null : Date.parse(`${r.body.replace(' ', 'T')}Z`) }));
      assert.strictEqual(millis.filter((r) => r.body !== null).length, 2000);
      assert.deepStrictEqual(millis.find((r) => r.id === 'note-1'), { id: 'note-1', body: Date.UTC(2024, 0, 2, 10, 0, 0, 123) });
      const dir = path.join(project.migrationsDir, written.migrationFolders[0]);
      run(db, path.join(dir, 'migration.sql'));
      assert.deepStrictEqual(rows(db, 'SELECT "id", "body" FROM "Note" ORDER BY "id"'), millis);
      assert.strictEqual(value(db, `SELECT "type" FROM pragma_table_info('Note') WHERE "name" = 'body'`), 'DATETIME');
      run(db, path.join(dir, 'down.sql'));
      assert.deepStrictEqual(rows(db, 'SELECT "id", "body" FROM "Note" ORDER BY "id"'), millis.map((r) => ({ id: r.id, body: r.body === null ? null : String(r.body) })));
      assertStops(db, path.join(dir, 'migration.sql'), 'CHECK constraint failed: values_of_Note_body_become_NULL_in_the_conversion');
    } finally {
      db.close();
    }
  });
});
