/**
 * Phased migrations on a real MariaDB (Debian's mariadb-server, started by the
 * test on 127.0.0.1): every plan of the mysql-notes fixture applied on seeded
 * rows. After every phase Prisma accepts the schema, the schema and the
 * migrations agree about the change, our replay of the migrations folder
 * equals what the server reports, every down.sql restores the structure and
 * the migration applies again after it, and no row or value is lost.
 * Skipped, with the reason printed, where MariaDB is not installed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbState } from '../../server/src/core/dbState';
import { summarizeChange } from '../../server/src/diff/changes';
import { type PhaseWritten, type PlanOptions, advancePhase, applyFirstPhase, applySchemaEditsToDisk, planForFinding, planProject } from '../../server/src/phases';
import type { PrismaProject } from '../../server/src/project/locate';
import { readMigrationsFolder, replayMigrations } from '../../server/src/replay/migrations';
import { addDeployedMigration, assertValidSchema, cleanUp, copyFixture, key, sameObject, schemaText, unmigrated } from '../phases/support';
import { type MariaDb, readMysqlState, startMariaDbOrSkip } from '../replay/mysql-server';

const SEED = `
SET SESSION max_recursive_iterations = 10000;
INSERT INTO \`User\` (\`email\`, \`name\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)
  SELECT CONCAT('u', n, '@example.com'), CASE WHEN n % 4 = 0 THEN NULL ELSE CONCAT('User ', n) END FROM g;
INSERT INTO \`Note\` (\`id\`, \`userId\`, \`title\`, \`body\`, \`score\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000)
  SELECT CONCAT('note-', n), 1 + (n % 2000), CONCAT('Title ', n), CASE WHEN n % 3 = 0 THEN NULL ELSE 'body' END, n * 11 FROM g;
INSERT INTO \`Tag\` (\`userId\`, \`label\`, \`legacy\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1500)
  SELECT 1 + (n % 2000), CONCAT('tag-', n), CONCAT('old-', n) FROM g;
INSERT INTO \`Folder\` (\`path\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 500)
  SELECT CONCAT('/f/', n) FROM g;
INSERT INTO \`Project\` (\`name\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 40)
  SELECT CONCAT('project-', n) FROM g;
INSERT INTO \`Task\` (\`projectId\`, \`title\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1200)
  SELECT 1 + (n % 40), CONCAT('task-', n) FROM g;
INSERT INTO \`Ticket\` (\`subject\`, \`status\`, \`channel\`, \`priority\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1000)
  SELECT CONCAT('ticket-', n), ELT(1 + n % 4, 'OPEN', 'WAITING', 'CLOSED', 'SPAM'), ELT(1 + n % 3, 'EMAIL', 'PHONE', 'CHAT'), ELT(1 + n % 2, 'LOW', 'HIGH') FROM g;
INSERT INTO \`Receipt\` (\`id\`, \`total\`) WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 800)
  SELECT CONCAT('r-', LPAD(n, 5, '0')), n * 3 FROM g;
`;
/** The ticket rows with every value the enum plans move or keep, to compare before and after. */
const TICKETS = rowsAsJson('SELECT `id`, `subject`, `status`, `channel`, `priority` FROM `Ticket` ORDER BY `id`', ['id', 'subject', 'status', 'channel', 'priority']);

interface Case {
  title: string;
  rule: string;
  table: string;
  /** The changed column, where the table has several plannable changes under one rule. */
  column?: string;
  /** The whole shape of the plan: each phase's key and its migrations' names. */
  phases?: string[];
  options?: PlanOptions;
  afterPhase?: Record<number, string>;
  /** Pending changes the plan settles besides its own (the foreign keys to a dropped table), in their short form. */
  settles?: Record<string, unknown>[];
  /** A problem of the generated plan this test found and its owner has not fixed yet: the case is reported pending with it. */
  knownIssue?: string;
  /** An edit of the fixture's edited schema that only this case plans (the fixture's own edits are shared by every case). */
  editSchema?(schema: string): string;
  /** SQL of one more deployed migration, after the fixture's own (an index the edited schema replaces). */
  deployed?: string;
  /** The edited schema as the plan leaves it, when the plan changes more than the migrations (else the edited schema itself). */
  schemaAfter?(edited: string): string;
  capture(db: Database): Record<string, unknown>;
  /** Checks the server after each migration's down.sql ran (before the migration is applied again). */
  afterDown?(db: Database): void;
  verify(db: Database, before: Record<string, unknown>): void;
}

/** One database of the server, for one case. */
interface Database {
  name: string;
  run(sql: string): void;
  rows(sql: string): Record<string, unknown>[];
  value(sql: string): unknown;
  state(): DbState;
}

/** `SELECT ...` as JSON rows, through the server's own JSON functions (the client prints text only). */
function rowsAsJson(select: string, columns: string[]): string {
  const pairs = columns.map((c) => `'${c}', t.\`${c}\``).join(', ');
  return `SELECT COALESCE(JSON_ARRAYAGG(JSON_OBJECT(${pairs})), JSON_ARRAY()) FROM (${select}) t`;
}

function notesById(db: Database): string {
  const notes = db.rows(rowsAsJson('SELECT `id`, `userId`, `title`, `body`, `score` FROM `Note`', ['id', 'userId', 'title', 'body', 'score']));
  return JSON.stringify(notes.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1)));
}

const cases: Case[] = [
  {
    title: 'add-required-column: User.handle, backfilled, then required',
    rule: 'add-required-column',
    table: 'User',
    options: { backfill: "CONCAT('user_', `id`)", batchSize: 300 },
    afterPhase: { 1: "INSERT INTO `User` (`email`, `name`, `handle`) VALUES ('new@example.com', 'New', 'newbie');" },
    capture: (db) => ({ users: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `email`, `name` FROM `User` ORDER BY `id`', ['id', 'email', 'name']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `email`, `name` FROM `User` WHERE `id` <= 2000 ORDER BY `id`', ['id', 'email', 'name']))), before.users);
      assert.strictEqual(db.value("SELECT COUNT(*) FROM `User` WHERE `handle` = CONCAT('user_', `id`)"), 2000);
      assert.strictEqual(db.value("SELECT `handle` FROM `User` WHERE `email` = 'new@example.com'"), 'newbie');
      assert.strictEqual(db.state().tables.User.columns.find((c) => c.name === 'handle')?.nullable, false);
    },
  },
  {
    title: 'make-column-required: User.name (500 NULLs)',
    rule: 'make-column-required',
    table: 'User',
    options: { backfill: "CONCAT('Anonymous ', `id`)" },
    capture: (db) => ({ kept: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `name` FROM `User` WHERE `name` IS NOT NULL ORDER BY `id`', ['id', 'name']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson("SELECT `id`, `name` FROM `User` WHERE `name` NOT LIKE 'Anonymous %' ORDER BY `id`", ['id', 'name']))), before.kept);
      assert.strictEqual(db.value("SELECT COUNT(*) FROM `User` WHERE `name` = CONCAT('Anonymous ', `id`)"), 500);
      assert.strictEqual(db.state().tables.User.columns.find((c) => c.name === 'name')?.nullable, false);
    },
  },
  {
    title: 'rename-column: Note.title → heading',
    rule: 'rename-column',
    table: 'Note',
    afterPhase: { 1: "INSERT INTO `Note` (`id`, `userId`, `title`, `heading`) VALUES ('dual', 1, 'Both', 'Both');" },
    capture: (db) => ({ titles: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `title` AS t FROM `Note` ORDER BY `id`', ['id', 't']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson("SELECT `id`, `heading` AS t FROM `Note` WHERE `id` <> 'dual' ORDER BY `id`", ['id', 't']))), before.titles);
      assert.ok(!db.state().tables.Note.columns.some((c) => c.name === 'title'));
    },
  },
  {
    // Writes of the old code while the triggers run (after the expand, and after the backfill) reach the new column.
    title: 'change-column-type: Note.score INT → BIGINT through a new column kept in step by triggers, swapped in under a short write lock',
    rule: 'change-column-type',
    table: 'Note',
    afterPhase: {
      1: "INSERT INTO `Note` (`id`, `userId`, `title`, `score`) VALUES ('written-after-expand', 1, 'x', 77); UPDATE `Note` SET `score` = 12345 WHERE `id` = 'note-1';",
      2: "UPDATE `Note` SET `score` = 54321 WHERE `id` = 'note-2';",
    },
    capture: (db) => ({ scores: JSON.stringify(db.rows(rowsAsJson("SELECT `id`, `score` FROM `Note` WHERE `id` NOT IN ('note-1', 'note-2') ORDER BY `id`", ['id', 'score']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson("SELECT `id`, `score` FROM `Note` WHERE `id` NOT IN ('note-1', 'note-2', 'written-after-expand') ORDER BY `id`", ['id', 'score']))), before.scores);
      assert.deepStrictEqual(db.rows(rowsAsJson("SELECT `id`, `score` FROM `Note` WHERE `id` IN ('note-1', 'note-2', 'written-after-expand') ORDER BY `id`", ['id', 'score'])), [{ id: 'note-1', score: 12345 }, { id: 'note-2', score: 54321 }, { id: 'written-after-expand', score: 77 }]);
      assert.deepStrictEqual(db.state().tables.Note.columns.find((c) => c.name === 'score'), { name: 'score', type: { name: 'bigint', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: '0' } });
      assert.strictEqual(db.value('SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()'), 0, 'the sync triggers are gone');
      db.run("UPDATE `Note` SET `score` = 5000000000 WHERE `id` = 'note-3';");
    },
  },
  {
    title: 'change-column-type: Note.body VARCHAR(191) → VARCHAR(100), nullable: the swap checks that every value was converted',
    rule: 'change-column-type',
    table: 'Note',
    editSchema: (schema) => schema.replace(/^( {2}body +String\?)$/m, '$1 @db.VarChar(100)'),
    afterPhase: { 1: "UPDATE `Note` SET `body` = 'written after the expand' WHERE `id` = 'note-3';" },
    capture: (db) => ({ bodies: JSON.stringify(db.rows(rowsAsJson("SELECT `id`, `body` FROM `Note` WHERE `id` <> 'note-3' ORDER BY `id`", ['id', 'body']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson("SELECT `id`, `body` FROM `Note` WHERE `id` <> 'note-3' ORDER BY `id`", ['id', 'body']))), before.bodies);
      assert.strictEqual(db.value("SELECT `body` FROM `Note` WHERE `id` = 'note-3'"), 'written after the expand');
      assert.deepStrictEqual(db.state().tables.Note.columns.find((c) => c.name === 'body'), { name: 'body', type: { name: 'varchar', args: [100], array: false, isEnum: false }, nullable: true });
    },
  },
  {
    title: 'create-index-blocking: Note.userId',
    rule: 'create-index-blocking',
    table: 'Note',
    capture: () => ({}),
    verify: (db) => assert.ok(db.state().tables.Note.indexes.some((i) => i.name === 'Note_userId_idx')),
  },
  {
    // InnoDB builds a FULLTEXT index only with LOCK=SHARED, and CREATE INDEX takes no USING FULLTEXT: both were rejected before.
    title: 'create-index-blocking: @@fulltext on User.name',
    rule: 'create-index-blocking',
    table: 'User',
    editSchema: (schema) => schema.replace(/(model User \{[^}]*?)\n\}/, '$1\n\n  @@fulltext([name])\n}'),
    capture: () => ({}),
    afterDown: (db) => assert.ok(!db.state().tables.User.indexes.some((i) => i.name === 'User_name_idx'), 'down.sql drops the FULLTEXT index'),
    verify: (db) => assert.deepStrictEqual(db.state().tables.User.indexes.find((i) => i.name === 'User_name_idx'), { name: 'User_name_idx', columns: ['name'], unique: false, method: 'fulltext' }),
  },
  {
    title: 'add-foreign-key: Note.userId',
    rule: 'add-foreign-key',
    table: 'Note',
    // Added in place, MariaDB records RESTRICT as NO ACTION: the plan says NoAction in the schema too, so Prisma sees no difference.
    schemaAfter: (edited) => {
      const note = edited.indexOf('model Note {');
      const relation = '@relation(fields: [userId], references: [id])';
      const at = edited.indexOf(relation, note);
      return `${edited.slice(0, at)}@relation(fields: [userId], references: [id], onDelete: NoAction)${edited.slice(at + relation.length)}`;
    },
    capture: (db) => ({ notes: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `userId`, `score` FROM `Note` ORDER BY `id`', ['id', 'userId', 'score']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `userId`, `score` FROM `Note` ORDER BY `id`', ['id', 'userId', 'score']))), before.notes);
      assert.deepStrictEqual(db.state().tables.Note.foreignKeys.map((f) => `${f.name}:${f.columns.join()}->${f.referencedTable}`), ['Note_userId_fkey:userId->User']);
    },
  },
  {
    title: 'add-unique-constraint: Tag (userId, label)',
    rule: 'add-unique-constraint',
    table: 'Tag',
    capture: () => ({}),
    verify: (db) => assert.strictEqual(db.state().tables.Tag.indexes.find((i) => i.name === 'Tag_userId_label_key')?.unique, true),
  },
  {
    title: 'drop-column: Tag.legacy',
    rule: 'drop-column',
    table: 'Tag',
    capture: (db) => ({ tags: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `userId`, `label` FROM `Tag` ORDER BY `id`', ['id', 'userId', 'label']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `userId`, `label` FROM `Tag` ORDER BY `id`', ['id', 'userId', 'label']))), before.tags);
      assert.ok(!db.state().tables.Tag.columns.some((c) => c.name === 'legacy'));
    },
  },
  {
    title: 'drop-table: Folder',
    rule: 'drop-table',
    table: 'Folder',
    capture: () => ({}),
    verify: (db) => {
      assert.strictEqual(db.state().tables.Folder, undefined);
      // backup.sql kept every row in the archive database before the drop.
      const archive = (db.rows("SELECT COALESCE(JSON_ARRAYAGG(TABLE_NAME), JSON_ARRAY()) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'migration_guard_archive' AND TABLE_NAME LIKE 'Folder%'") as unknown as string[]).slice(-1)[0];
      assert.ok(archive, 'an archive table of Folder');
      assert.strictEqual(db.value(`SELECT COUNT(*) FROM \`migration_guard_archive\`.\`${archive}\``), 500);
    },
  },
  {
    title: 'drop-table: Project, referenced by Task: the foreign key dropped in phase 1, the table in phase 2',
    rule: 'drop-table',
    table: 'Project',
    settles: [{ kind: 'dropForeignKey', table: 'Task', constraint: 'Task_projectId_fkey', columns: ['projectId'], references: 'Project' }],
    afterPhase: { 1: "INSERT INTO `Task` (`projectId`, `title`) VALUES (999, 'no project');" },
    capture: (db) => ({ tasks: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `projectId`, `title` FROM `Task` ORDER BY `id`', ['id', 'projectId', 'title']))) }),
    verify: (db, before) => {
      assert.strictEqual(db.state().tables.Project, undefined);
      assert.deepStrictEqual(db.state().tables.Task.foreignKeys, []);
      assert.deepStrictEqual(db.state().tables.Task.indexes.map((i) => i.name), ['Task_projectId_idx']);
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `projectId`, `title` FROM `Task` WHERE `projectId` <> 999 ORDER BY `id`', ['id', 'projectId', 'title']))), before.tasks, 'every task row is kept');
    },
  },
  {
    title: 'change-primary-key: Note moves from (id) to (userId, id), id stays unique: one online rebuild',
    rule: 'change-primary-key',
    table: 'Note',
    phases: ['rekey: move_primary_key_of_note'],
    editSchema: (schema) => schema.replace('  id      String  @id\n  userId  Int', '  id      String  @unique\n  userId  Int').replace('  score   BigInt  @default(0)\n\n  @@index([userId])', '  score   BigInt  @default(0)\n\n  @@id([userId, id])\n  @@index([userId])'),
    settles: [{ kind: 'addIndex', table: 'Note', index: 'Note_id_key', columns: ['id'], unique: true }],
    // JSON_ARRAYAGG follows the clustered (primary-key) order, which this plan changes: the rows are compared sorted by id.
    capture: (db) => ({ notes: notesById(db) }),
    verify: (db, before) => {
      assert.strictEqual(notesById(db), before.notes, 'every row and value is kept');
      const note = db.state().tables.Note;
      assert.deepStrictEqual(note.primaryKey?.columns, ['userId', 'id']);
      assert.deepStrictEqual(note.indexes.find((i) => i.name === 'Note_id_key'), { name: 'Note_id_key', columns: ['id'], unique: true });
    },
  },
  {
    title: 'remove-enum-value: SPAM taken off Ticket.status, its rows moved to the default OPEN first',
    rule: 'remove-enum-value',
    table: 'Ticket',
    column: 'status',
    phases: ['backfill: backfill_spam_in_ticket_status', 'contract: contract_remove_spam_from_ticket_status'],
    capture: (db) => ({ tickets: db.rows(TICKETS) }),
    verify: (db, before) => {
      const expected = (before.tickets as Record<string, unknown>[]).map((t) => ({ ...t, status: t.status === 'SPAM' ? 'OPEN' : t.status }));
      assert.deepStrictEqual(db.rows(TICKETS), expected);
      assert.deepStrictEqual(db.state().tables.Ticket.columns.find((c) => c.name === 'status'), { name: 'status', type: { name: 'enum', args: [], array: false, isEnum: false, enumValues: ['OPEN', 'WAITING', 'CLOSED'] }, nullable: false, default: { kind: 'value', sql: "'OPEN'" } });
    },
  },
  {
    title: 'remove-enum-value: Ticket.channel PHONE renamed to CALL (appended, rows moved, PHONE dropped)',
    rule: 'remove-enum-value',
    table: 'Ticket',
    column: 'channel',
    phases: ['expand: expand_append_call_to_channel', 'backfill: backfill_phone_in_channel', 'contract: contract_remove_phone_from_channel'],
    afterPhase: { 1: "INSERT INTO `Ticket` (`subject`, `channel`) VALUES ('written by the new code', 'CALL');" },
    capture: (db) => ({ tickets: db.rows(TICKETS) }),
    verify: (db, before) => {
      const expected = (before.tickets as Record<string, unknown>[]).map((t) => ({ ...t, channel: t.channel === 'PHONE' ? 'CALL' : t.channel }));
      const [added, ...none] = db.rows(TICKETS).slice(expected.length);
      assert.deepStrictEqual([db.rows(TICKETS).slice(0, expected.length), { ...added, id: 'new' }, none], [expected, { id: 'new', subject: 'written by the new code', status: 'OPEN', channel: 'CALL', priority: 'LOW' }, []]);
      assert.deepStrictEqual(db.state().tables.Ticket.columns.find((c) => c.name === 'channel')?.type.enumValues, ['EMAIL', 'CALL', 'CHAT']);
    },
  },
  {
    title: 'change-column-type: MEDIUM inserted before HIGH in Ticket.priority (appended at once, reordered by the copy)',
    rule: 'change-column-type',
    table: 'Ticket',
    column: 'priority',
    phases: ['expand: expand_append_medium_to_priority', 'contract: contract_reorder_priority'],
    afterPhase: { 1: "INSERT INTO `Ticket` (`subject`, `priority`) VALUES ('medium already', 'MEDIUM');" },
    capture: (db) => ({ tickets: db.rows(TICKETS) }),
    verify: (db, before) => {
      const tickets = before.tickets as Record<string, unknown>[];
      const [added, ...none] = db.rows(TICKETS).slice(tickets.length);
      assert.deepStrictEqual([db.rows(TICKETS).slice(0, tickets.length), { ...added, id: 'new' }, none], [tickets, { id: 'new', subject: 'medium already', status: 'OPEN', channel: 'EMAIL', priority: 'MEDIUM' }, []]);
      assert.deepStrictEqual(db.state().tables.Ticket.columns.find((c) => c.name === 'priority')?.type.enumValues, ['LOW', 'MEDIUM', 'HIGH']);
      // The ENUM order is the sort order: MEDIUM now sorts between LOW and HIGH.
      assert.strictEqual(db.value('SELECT GROUP_CONCAT(DISTINCT `priority` ORDER BY `priority`) FROM `Ticket`'), 'LOW,MEDIUM,HIGH');
    },
  },
  {
    title: 'add-required-column: Receipt.number AUTO_INCREMENT with its unique key, in one rebuild (LOCK=SHARED)',
    rule: 'add-required-column',
    table: 'Receipt',
    phases: ['build: add_autoincrement_number_in_receipt'],
    settles: [{ kind: 'addIndex', table: 'Receipt', index: 'Receipt_number_key', columns: ['number'], unique: true }],
    capture: (db) => ({ receipts: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `total` FROM `Receipt` ORDER BY `id`', ['id', 'total']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `total` FROM `Receipt` ORDER BY `id`', ['id', 'total']))), before.receipts);
      // InnoDB numbers the rows while it rebuilds the table, in clustered (primary-key) order.
      assert.strictEqual(db.value("SELECT COUNT(*) FROM `Receipt` WHERE `number` <> CAST(SUBSTRING(`id`, 3) AS UNSIGNED)"), 0);
      const receipt = db.state().tables.Receipt;
      assert.deepStrictEqual(receipt.columns.find((c) => c.name === 'number'), { name: 'number', type: { name: 'int', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'autoincrement' } });
      assert.deepStrictEqual(receipt.indexes, [{ name: 'Receipt_number_key', columns: ['number'], unique: true }]);
      db.run("INSERT INTO `Receipt` (`id`, `total`) VALUES ('r-new', 1);");
      assert.strictEqual(db.value("SELECT `number` FROM `Receipt` WHERE `id` = 'r-new'"), 801);
    },
  },
  {
    title: 'add-unique-constraint replacing another: Tag (label) → (userId, label) in one online ALTER',
    rule: 'add-unique-constraint',
    table: 'Tag',
    deployed: 'CREATE UNIQUE INDEX `Tag_label_key` ON `Tag`(`label`);\n',
    phases: ['build: replace_unique_index_tag_label_key'],
    settles: [{ kind: 'dropIndex', table: 'Tag', index: 'Tag_label_key', columns: ['label'], unique: true }],
    capture: (db) => ({ tags: JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `userId`, `label` FROM `Tag` ORDER BY `id`', ['id', 'userId', 'label']))) }),
    verify: (db, before) => {
      assert.strictEqual(JSON.stringify(db.rows(rowsAsJson('SELECT `id`, `userId`, `label` FROM `Tag` ORDER BY `id`', ['id', 'userId', 'label']))), before.tags);
      assert.deepStrictEqual(db.state().tables.Tag.indexes.filter((i) => i.unique), [{ name: 'Tag_userId_label_key', columns: ['userId', 'label'], unique: true }]);
    },
  },
];

describe('phases on a real MariaDB', function () {
  this.timeout(600000);
  let server: MariaDb | undefined;
  let databases = 0;
  const timings: string[] = [];

  before(async function () {
    server = await startMariaDbOrSkip(this);
  });

  after(async () => {
    cleanUp();
    await server?.stop();
    if (timings.length) console.log(`\n      MariaDB ${server?.version ?? ''}, 10040 seeded rows per case; timings:\n      ${timings.join('\n      ')}`);
  });

  function database(): Database {
    const mariadb = server as MariaDb;
    const name = `phases_${++databases}`;
    mariadb.createDatabase(name);
    const db: Database = {
      name,
      run(sql) {
        const result = mariadb.run(sql, name);
        assert.ok(result.ok, result.error);
      },
      rows: (sql) => mariadb.json<Record<string, unknown>[]>(sql, name),
      value: (sql) => mariadb.json<unknown[]>(`SELECT JSON_ARRAY((${sql}))`, name)[0],
      state: () => readMysqlState(mariadb, name),
    };
    return db;
  }

  function prepare(c: Case): { project: PrismaProject; db: Database } {
    const project = copyFixture('mysql-notes');
    if (c.editSchema) {
      const edited = c.editSchema(schemaText(project));
      assert.notStrictEqual(edited, schemaText(project), 'the case edits the schema');
      fs.writeFileSync(project.schemaFiles[0], edited);
    }
    if (c.deployed) addDeployedMigration(project, c.deployed);
    const db = database();
    for (const folder of fs.readdirSync(project.migrationsDir).filter((n) => /^\d{14}_/.test(n)).sort()) db.run(fs.readFileSync(path.join(project.migrationsDir, folder, 'migration.sql'), 'utf8'));
    db.run(SEED);
    return { project, db };
  }

  /** Our replay of every migration folder on disk equals what the server reports. */
  async function assertReplayMatches(project: PrismaProject, db: Database, when: string): Promise<void> {
    const replayed = await replayMigrations(readMigrationsFolder(project.migrationsDir), 'mysql');
    assert.deepStrictEqual(replayed.notes.filter((n) => n.level !== 'info').map((n) => n.message), [], `${when}: the replay reads every migration`);
    assert.deepStrictEqual(ordered(replayed.state), ordered(db.state()), `${when}: the replay equals MariaDB`);
  }

  async function execute(db: Database, project: PrismaProject, written: PhaseWritten, c: Case): Promise<void> {
    const backup = written.written.find((file) => path.basename(file) === 'backup.sql');
    // The backup a destructive phase asks for is run by hand before the phase; here, for real.
    if (backup) db.run(fs.readFileSync(backup, 'utf8'));
    for (const folder of written.migrationFolders) {
      const dir = path.join(project.migrationsDir, folder);
      const start = db.state();
      db.run(fs.readFileSync(path.join(dir, 'migration.sql'), 'utf8'));
      const done = db.state();
      const down = fs.readFileSync(path.join(dir, 'down.sql'), 'utf8');
      // A down script that only says how to restore from the backup (DROP TABLE) is instructions, not SQL to run.
      if (down.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'))) continue;
      db.run(down);
      c.afterDown?.(db);
      // Column order is cosmetic in MySQL (a re-added column goes last); everything else must come back.
      assert.deepStrictEqual(structure(db.state()), structure(start), `${folder}: down.sql restores the structure`);
      db.run(fs.readFileSync(path.join(dir, 'migration.sql'), 'utf8'));
      assert.deepStrictEqual(structure(db.state()), structure(done), `${folder}: applies again after its down script`);
    }
  }

  for (const c of cases) {
    it(c.title, async function () {
      if (c.knownIssue) {
        try {
          await runCase(c);
        } catch (error) {
          console.log(`      known issue of the generated plan (${c.rule}): ${c.knownIssue}\n        ${(error as Error).message.split('\n')[0]}`);
          this.skip();
        }
        return;
      }
      await runCase(c);
    });
  }

  it('MariaDB refuses what the MySQL plans say it refuses: an ENUM list changed other than by appending, or an AUTO_INCREMENT column added, without a lock', async () => {
    const { db } = prepare({ title: 'refusals', rule: '', table: '', capture: () => ({}), verify: () => undefined });
    const refused = (sql: string): string => {
      const result = (server as MariaDb).run(sql, db.name);
      assert.strictEqual(result.ok, false, sql);
      // The client echoes the statement between dashed lines, then the error.
      return result.error.trim().split('\n').slice(-1)[0].replace(/^ERROR \d+ \(\w+\) at line \d+: /, '');
    };
    const list = "ENUM('LOW', 'MEDIUM', 'HIGH') NOT NULL DEFAULT 'LOW'";
    assert.deepStrictEqual([
      refused(`ALTER TABLE \`Ticket\` MODIFY \`priority\` ${list}, ALGORITHM=INSTANT;`),
      refused(`ALTER TABLE \`Ticket\` MODIFY \`priority\` ${list}, ALGORITHM=INPLACE;`),
      refused(`ALTER TABLE \`Ticket\` MODIFY \`priority\` ${list}, ALGORITHM=COPY, LOCK=NONE;`),
      refused("ALTER TABLE `Receipt` ADD COLUMN `number` INTEGER NOT NULL AUTO_INCREMENT, ADD UNIQUE INDEX `Receipt_number_key`(`number`), ALGORITHM=INSTANT;"),
      refused("ALTER TABLE `Receipt` ADD COLUMN `number` INTEGER NOT NULL AUTO_INCREMENT, ADD UNIQUE INDEX `Receipt_number_key`(`number`), ALGORITHM=INPLACE, LOCK=NONE;"),
    ], [
      'ALGORITHM=INSTANT is not supported. Reason: Cannot change column type. Try ALGORITHM=COPY',
      'ALGORITHM=INPLACE is not supported. Reason: Cannot change column type. Try ALGORITHM=COPY',
      'LOCK=NONE is not supported. Reason: COPY algorithm requires a lock. Try LOCK=SHARED',
      'ALGORITHM=INSTANT is not supported for this operation. Try ALGORITHM=INPLACE',
      'LOCK=NONE is not supported. Reason: Adding an auto-increment column requires a lock. Try LOCK=SHARED',
    ]);
    // Appending at the end is accepted as INSTANT.
    db.run("ALTER TABLE `Ticket` MODIFY `priority` ENUM('LOW', 'HIGH', 'MEDIUM') NOT NULL DEFAULT 'LOW', ALGORITHM=INSTANT;");
  });

  it('remove-enum-value: the contract stops, changing nothing, while a row still holds the removed value, even without strict mode', async () => {
    const { project, db } = prepare({ title: 'guard', rule: 'remove-enum-value', table: 'Ticket', capture: () => ({}), verify: () => undefined });
    const { entries } = await planProject(project);
    const entry = entries.find((e) => e.ruleId === 'remove-enum-value' && 'column' in e.change && e.change.column === 'status');
    assert.ok(entry?.outcome.ok);
    const first = applyFirstPhase(project, entry.outcome.plan);
    applySchemaEditsToDisk(first.schemaEdits, first.schemaTexts);
    db.run(fs.readFileSync(path.join(project.migrationsDir, first.migrationFolders[0], 'migration.sql'), 'utf8'));
    // Code that still writes SPAM after the backfill (what the phase asked not to deploy).
    db.run("INSERT INTO `Ticket` (`subject`, `status`) VALUES ('late spam', 'SPAM');");
    const before = { tickets: db.rows(TICKETS), state: db.state() };
    const contract = advancePhase(project, { force: true });
    assert.ok(contract.ok, contract.ok ? '' : contract.reason);
    // Without strict mode MariaDB's copy would turn the row into '' with a warning (seen on 10.11): the guard, not the sql_mode, must stop it.
    const result = (server as MariaDb).run(`SET SESSION sql_mode = '';\n${fs.readFileSync(path.join(project.migrationsDir, contract.migrationFolders[0], 'migration.sql'), 'utf8')}`, db.name);
    assert.strictEqual(result.ok, false);
    assert.match(result.error, /CONSTRAINT `TicketStatus_values_removed_still_used` failed/);
    assert.deepStrictEqual({ tickets: db.rows(TICKETS), state: db.state() }, before);
  });

  /** The plan of the type change of Note.`column`, its expand migration run on the seeded rows, and nothing converted yet. */
  async function expandedOnly(column: string, editSchema?: (schema: string) => string): Promise<{ db: Database; sql: (slug: string) => string }> {
    const { project, db } = prepare({ title: '', rule: 'change-column-type', table: 'Note', ...(editSchema ? { editSchema } : {}), capture: () => ({}), verify: () => undefined });
    const { entries } = await planProject(project);
    const entry = entries.find((e) => e.ruleId === 'change-column-type' && summarizeChange(e.change).column === column);
    assert.ok(entry?.outcome.ok);
    const migrations = entry.outcome.plan.phases.flatMap((p) => p.migrations);
    const sql = (slug: string): string => {
      const found = migrations.find((m) => m.slug === slug);
      assert.ok(found, slug);
      return found.sql;
    };
    db.run(sql(`expand_add_${column}_new_to_note`));
    return { db, sql };
  }

  it('change-column-type: the swap of a nullable column stops, changing nothing, while a value is not converted yet', async () => {
    const { db, sql } = await expandedOnly('body', (schema) => schema.replace(/^( {2}body +String\?)$/m, '$1 @db.VarChar(100)'));
    const start = db.state();
    const result = (server as MariaDb).run(sql('swap_body_in_note'), db.name);
    assert.match(result.error, /CONSTRAINT `Note_body_new_is_missing_converted_values` failed for `phases_\d+`\.`Note_body_new_is_missing_converted_values_guard`/);
    assert.deepStrictEqual(db.state(), start);
    assert.strictEqual(db.value('SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()'), 2, 'the sync triggers stay');
  });

  it('change-column-type: making the new column of a required one NOT NULL stops, changing nothing, while a value is not converted yet', async () => {
    const { db, sql } = await expandedOnly('score');
    const start = db.state();
    const result = (server as MariaDb).run(sql('require_score_new_in_note'), db.name);
    assert.match(result.error, /Data truncated for column 'score_new' at row 1/);
    assert.deepStrictEqual(db.state(), start);
  });

  async function runCase(c: Case): Promise<void> {
    {
      const t0 = performance.now();
      const { project, db } = prepare(c);
      const before = c.capture(db);
      const original = schemaText(project);
      const others = await unmigrated(project);
      const { entries } = await planProject(project, c.options ?? {});
      const entry = entries.find((e) => e.ruleId === c.rule && e.change.table === c.table && (!c.column || ('column' in e.change && e.change.column === c.column)));
      assert.ok(entry, `a plannable ${c.rule} change on ${c.table}`);
      const outcome = await planForFinding(project, { ruleId: c.rule, change: summarizeChange(entry.change) }, c.options ?? {});
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
      if (c.phases) assert.deepStrictEqual(outcome.plan.phases.map((p) => `${p.key}: ${p.migrations.map((m) => m.slug).join(', ')}`), c.phases);
      const settled = new Set((c.settles ?? []).map(key));
      assert.ok((c.settles ?? []).every((s) => others.some((o) => key(o) === key(s))), 'the changes the plan settles are pending');
      const left = others.filter((s) => !sameObject(s, entry.change) && !settled.has(key(s)));
      const expectedLeft = left.map(key).sort();
      let written: PhaseWritten = applyFirstPhase(project, outcome.plan);
      for (let n = 1; n <= outcome.plan.phases.length; n++) {
        if (n > 1) {
          const next = advancePhase(project);
          assert.ok(next.ok, next.ok ? '' : next.reason);
          written = next;
        }
        applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
        assertValidSchema(project, `after phase ${n}`);
        assert.deepStrictEqual((await unmigrated(project)).map((s) => key(asPlainIndex(s, left))).sort(), expectedLeft, `after phase ${n} the schema and the migrations agree about the change`);
        await execute(db, project, written, c);
        await assertReplayMatches(project, db, `after phase ${n}`);
        if (c.afterPhase?.[n]) db.run(c.afterPhase[n]);
      }
      assert.strictEqual(schemaText(project), c.schemaAfter ? c.schemaAfter(original) : original);
      c.verify(db, before);
      timings.push(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${c.title} (${outcome.plan.phases.length} phases)`);
    }
  }
});

/**
 * A foreign key added before the schema's own index on its columns gets an
 * index from InnoDB, named after the key; the schema's index is then what
 * Prisma writes as RENAME INDEX of that one. Either way the index is still to
 * come, so it counts as the same pending change.
 */
function asPlainIndex(summary: Record<string, unknown>, pending: Record<string, unknown>[]): Record<string, unknown> {
  if (summary.kind !== 'renameIndex') return summary;
  const same = pending.find((p) => p.kind === 'addIndex' && p.table === summary.table && p.index === summary.to);
  return same ?? summary;
}

/** The structure with columns in name order. */
function structure(state: DbState): DbState {
  const sorted = ordered(state);
  for (const key of Object.keys(sorted.tables)) {
    const table = sorted.tables[key];
    sorted.tables[key] = { ...table, columns: [...table.columns].sort((a, b) => (a.name < b.name ? -1 : 1)) };
  }
  return sorted;
}

function ordered(state: DbState): DbState {
  const tables: DbState['tables'] = {};
  for (const key of Object.keys(state.tables).sort()) tables[key] = state.tables[key];
  return { ...state, tables };
}
