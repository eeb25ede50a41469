/**
 * Plans for key and index changes: what they write, exactly (phase keys,
 * migrations, the SQL of the steps that matter), that our own SQL rules have
 * nothing to say about the files while they are pending (or, where a finding
 * is a true statement, which one and why), and the refusals with the safe
 * path. The plans are executed on PGlite, sql.js and MariaDB in
 * postgres.test.ts, sqlite.test.ts and phases-mysql/mysql.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { type Plan, planProject } from '../../server/src/phases';
import type { PrismaProject } from '../../server/src/project/locate';
import { addDeployedMigration, cleanUp, copyFixture, findingsOnPendingPhases, schemaText } from './support';

const NOW = new Date('2030-06-01T12:00:00Z');

/** The fixture with edits of its schema ([as written, replacement] pairs) and one more deployed migration. */
function edited(fixture: string, edits: [string, string][], deployed?: string): PrismaProject {
  const project = copyFixture(fixture);
  if (deployed) addDeployedMigration(project, deployed);
  let text = schemaText(project);
  for (const [written, replacement] of edits) {
    assert.ok(text.includes(written), `the fixture's schema has ${written}`);
    text = text.replace(written, replacement);
  }
  fs.writeFileSync(project.schemaFiles[0], text);
  return project;
}

async function outcomeFor(project: PrismaProject, rule: string, table: string): Promise<{ ok: true; plan: Plan } | { ok: false; reason: string }> {
  const { entries } = await planProject(project, { now: NOW });
  const entry = entries.find((e) => e.ruleId === rule && e.change.table === table);
  assert.ok(entry, `${rule} on ${table}`);
  return entry.outcome;
}

async function planFor(project: PrismaProject, rule: string, table: string): Promise<Plan> {
  const outcome = await outcomeFor(project, rule, table);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  return outcome.plan;
}

function shape(plan: Plan): unknown[] {
  return plan.phases.map((p) => ({ key: p.key, migrations: p.migrations.map((m) => `${m.slug}${m.transactional ? '' : ' (alone, outside a transaction)'}`) }));
}

const POST_SLUG_WIDE = 'CREATE UNIQUE INDEX "Post_slug_key" ON "Post"("slug", "accountId");\n';
const TAG_LABEL_MYSQL = 'CREATE UNIQUE INDEX `Tag_label_key` ON `Tag`(`label`);\n';
const TAG_LABEL_SQLITE = 'CREATE UNIQUE INDEX "Tag_label_key" ON "Tag"("label");\n';

const POST_ID_BIGINT: [string, string][] = [['  id          Int       @id @default(autoincrement())\n  accountId', '  id          BigInt    @id @default(autoincrement())\n  accountId']];
const POST_VIEWS_UNIQUE: [string, string][] = [['  views       BigInt    @default(0)\n', '  views       BigInt    @default(0) @unique\n']];
const POST_VIEWS_KEY = 'CREATE UNIQUE INDEX "Post_views_key" ON "Post"("views");\n';
const TAG_ID_BIGINT: [string, string][] = [['model Tag {\n  id     Int    @id @default(autoincrement())', 'model Tag {\n  id     BigInt @id @default(autoincrement())']];
const NOTE_SCORE_INDEX: [string, string][] = [['  score   BigInt  @default(0)\n\n  @@index([userId])', '  score   BigInt  @default(0)\n\n  @@index([userId])\n  @@index([score])']];
const NOTE_SCORE_IDX = 'CREATE INDEX "Note_score_idx" ON "Note"("score");\n';

const ACCOUNT_BY_EMAIL: [string, string][] = [['  id        Int      @id @default(autoincrement())\n  email     String\n', '  id        Int      @unique @default(autoincrement())\n  email     String   @id\n']];
const NOTE_BY_USER: [string, string][] = [
  ['  id      String  @id\n  userId  Int', '  id      String  @unique\n  userId  Int'],
  ['  score   BigInt  @default(0)\n\n  @@index([userId])', '  score   BigInt  @default(0)\n\n  @@id([userId, id])\n  @@index([userId])'],
];

describe('phases: key changes', function () {
  this.timeout(120000);
  after(cleanUp);

  it('PostgreSQL: guard, unique indexes built CONCURRENTLY, a short swap USING INDEX that moves the foreign keys, each validated alone', async () => {
    const plan = await planFor(edited('pg-blog', ACCOUNT_BY_EMAIL), 'change-primary-key', 'Account');
    assert.strictEqual(plan.id, '20300601120000_move_primary_key_of_account_to_email');
    assert.strictEqual(plan.kind, 'change-primary-key');
    assert.deepStrictEqual(shape(plan), [{
      key: 'rekey',
      migrations: [
        'guard_primary_key_of_account',
        'build_key_index_primary_key_of_account (alone, outside a transaction)',
        'build_unique_index_id_on_account (alone, outside a transaction)',
        'swap_primary_key_of_account',
        'validate_foreign_key_account_id_on_audit_log',
      ],
    }]);
    const [, build, keep, swap, validate] = plan.phases[0].migrations;
    assert.strictEqual(build.sql.split('\n').filter((l) => !l.startsWith('--')).join('\n'), 'CREATE UNIQUE INDEX CONCURRENTLY "Account_pkey_new" ON "Account"("email");\n');
    assert.strictEqual(keep.sql.split('\n').filter((l) => !l.startsWith('--')).join('\n'), 'CREATE UNIQUE INDEX CONCURRENTLY "Account_id_key" ON "Account"("id");\n');
    assert.strictEqual(swap.sql, [
      '-- Swap: one short transaction under ACCESS EXCLUSIVE; nothing is built or scanned here.',
      "-- Give up rather than queue the table's traffic behind a lock this migration waits for.",
      "SET LOCAL lock_timeout = '5s';",
      '',
      "-- The foreign keys lean on the old key's index: they go first and come back NOT VALID below (no scan; every row already",
      '-- passed them, and new writes are checked from the moment they are back).',
      'ALTER TABLE "AuditLog" DROP CONSTRAINT "AuditLog_accountId_fkey";',
      '',
      '-- AlterTable',
      'ALTER TABLE "Account" DROP CONSTRAINT "Account_pkey",',
      'ADD CONSTRAINT "Account_pkey" PRIMARY KEY USING INDEX "Account_pkey_new";',
      '',
      '-- AddForeignKey',
      'ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE NOT VALID;',
      '',
    ].join('\n'));
    assert.match(validate.sql, /^ALTER TABLE "AuditLog" VALIDATE CONSTRAINT "AuditLog_accountId_fkey";$/m);
    assert.deepStrictEqual(plan.phases[0].schema, []);
    assert.deepStrictEqual(plan.notes, [
      'The plan also makes the unique index Account_id_key on (id), which the schema asks for with the new key.',
      'Foreign keys moved from the old key: AuditLog_accountId_fkey (AuditLog).',
    ]);
  });

  it('MySQL: one ALTER, in place with LOCK=NONE, that keeps the old key unique; the note says it rebuilds the table', async () => {
    const plan = await planFor(edited('mysql-notes', NOTE_BY_USER), 'change-primary-key', 'Note');
    assert.deepStrictEqual(shape(plan), [{ key: 'rekey', migrations: ['move_primary_key_of_note'] }]);
    const [m] = plan.phases[0].migrations;
    assert.strictEqual(m.sql, [
      '-- InnoDB stores rows in primary-key order: the new key rebuilds Note and every index on it, in place (reads and',
      '-- writes go on, LOCK=NONE) but as long as a copy. A duplicate or NULL in the new key fails it, changing nothing.',
      '-- AlterTable',
      'ALTER TABLE `Note` DROP PRIMARY KEY, ADD PRIMARY KEY (`userId`,`id`), ADD UNIQUE INDEX `Note_id_key`(`id`), ALGORITHM=INPLACE, LOCK=NONE;',
      '',
    ].join('\n'));
    assert.strictEqual(m.down, 'ALTER TABLE `Note` DROP INDEX `Note_id_key`, DROP PRIMARY KEY, ADD PRIMARY KEY (`id`);\n');
    assert.match(plan.notes.join('\n'), /InnoDB keeps the rows in key order\. In place with LOCK=NONE, reads and writes go on, but the rebuild takes as long as a full copy/);
  });

  it('SQLite: guards for duplicates and NULLs, then one table copy with the new key and the kept unique index', async () => {
    const plan = await planFor(edited('sqlite-notes', NOTE_BY_USER), 'change-primary-key', 'Note');
    assert.deepStrictEqual(shape(plan), [{ key: 'rekey', migrations: ['move_primary_key_of_note'] }]);
    assert.strictEqual(plan.phases[0].migrations[0].sql, [
      '-- Guard: stops here, before anything changes, when existing rows would make the next step fail.',
      'DROP TABLE IF EXISTS temp."migration_guard_check";',
      'CREATE TEMP TABLE "migration_guard_check" ("found" INTEGER CONSTRAINT "duplicates_in_the_new_primary_key_of_Note" CHECK ("found" = 0));',
      'INSERT INTO "migration_guard_check" ("found") SELECT count(*) FROM (SELECT "userId", "id" FROM "Note" GROUP BY "userId", "id" HAVING count(*) > 1);',
      'DROP TABLE "migration_guard_check";',
      '',
      '-- Guard: stops here, before anything changes, when existing rows would make the next step fail.',
      'DROP TABLE IF EXISTS temp."migration_guard_check";',
      'CREATE TEMP TABLE "migration_guard_check" ("found" INTEGER CONSTRAINT "NULLs_in_the_new_primary_key_of_Note" CHECK ("found" = 0));',
      'INSERT INTO "migration_guard_check" ("found") SELECT count(*) FROM (SELECT 1 FROM "Note" WHERE "userId" IS NULL OR "id" IS NULL);',
      'DROP TABLE "migration_guard_check";',
      '',
      '-- RedefineTables',
      'PRAGMA defer_foreign_keys=ON;',
      'PRAGMA foreign_keys=OFF;',
      'CREATE TABLE "new_Note" (',
      '    "id" TEXT NOT NULL,',
      '    "userId" INTEGER NOT NULL,',
      '    "title" TEXT NOT NULL,',
      '    "body" TEXT,',
      '    "score" INTEGER NOT NULL DEFAULT 0,',
      '',
      '    PRIMARY KEY ("userId", "id")',
      ');',
      'INSERT INTO "new_Note" ("id", "userId", "title", "body", "score") SELECT "id", "userId", "title", "body", "score" FROM "Note";',
      'DROP TABLE "Note";',
      'ALTER TABLE "new_Note" RENAME TO "Note";',
      'CREATE UNIQUE INDEX "Note_id_key" ON "Note"("id");',
      'PRAGMA foreign_keys=ON;',
      'PRAGMA defer_foreign_keys=OFF;',
      '',
      '-- Lists rows whose foreign keys point nowhere after the copy (none, when the copy kept every row).',
      'PRAGMA foreign_key_check;',
      '',
    ].join('\n'));
  });

  it('refuses, with the safe path, a key on a new column or one that leaves referencing foreign keys without a unique target', async () => {
    const added = edited('pg-blog', [['  @@id([accountId, teamId])', '  since     Int\n\n  @@id([accountId, teamId, since])']]);
    assert.deepStrictEqual(await outcomeFor(added, 'change-primary-key', 'Membership'), {
      ok: false,
      reason: 'The new primary key uses the new column(s) "since": add it and fill existing rows first (add-required-column plans that), then move the key in a later migration.',
    });
    const dropped = edited('pg-blog', [['  id        Int      @id @default(autoincrement())\n  email     String\n', '  id        Int      @default(autoincrement())\n  email     String   @id\n']]);
    assert.deepStrictEqual(await outcomeFor(dropped, 'change-primary-key', 'Account'), {
      ok: false,
      reason: 'Foreign keys AuditLog_accountId_fkey (from AuditLog) point at the old key (id), which the new schema leaves without a unique index: keep it unique (`@@unique([id])` or `@unique`) so they can point at that, or move those relations to the new key first, then plan the key change again.',
    });
  });

  it('PostgreSQL: a unique index whose columns change is built first under another name, the old one dropped CONCURRENTLY, then renamed', async () => {
    const plan = await planFor(edited('pg-blog', [], POST_SLUG_WIDE), 'add-unique-constraint', 'Post');
    assert.deepStrictEqual(shape(plan), [{
      key: 'build',
      migrations: [
        'guard_unique_slug_on_post',
        'build_unique_index_slug_on_post (alone, outside a transaction)',
        'drop_replaced_index_post_slug_key (alone, outside a transaction)',
        'rename_index_post_slug_key',
      ],
    }]);
    const [, build, drop, rename] = plan.phases[0].migrations;
    const statements = (sql: string): string => sql.split('\n').filter((l) => !l.startsWith('--')).join('\n');
    assert.strictEqual(statements(build.sql), 'CREATE UNIQUE INDEX CONCURRENTLY "Post_slug_key_new" ON "Post"("slug");\n');
    assert.strictEqual(statements(drop.sql), 'DROP INDEX CONCURRENTLY IF EXISTS "Post_slug_key";\n');
    assert.strictEqual(statements(drop.down), 'CREATE UNIQUE INDEX CONCURRENTLY "Post_slug_key" ON "Post"("slug", "accountId");\n');
    assert.strictEqual(statements(rename.sql), `SET LOCAL lock_timeout = '5s';\n\nALTER INDEX "Post_slug_key_new" RENAME TO "Post_slug_key";\n`);
  });

  it('MySQL: a unique index whose columns change is swapped in one online ALTER', async () => {
    const plan = await planFor(edited('mysql-notes', [], TAG_LABEL_MYSQL), 'add-unique-constraint', 'Tag');
    assert.deepStrictEqual(shape(plan), [{ key: 'build', migrations: ['replace_unique_index_tag_label_key'] }]);
    const [m] = plan.phases[0].migrations;
    assert.strictEqual(m.sql, [
      '-- One ALTER: InnoDB builds Tag_userId_label_key in place while reads and writes go on, and drops Tag_label_key only when',
      '-- the build commits, so the table is never without one of them. A duplicate fails it, changing nothing.',
      '-- AlterTable',
      'ALTER TABLE `Tag` DROP INDEX `Tag_label_key`, ADD UNIQUE INDEX `Tag_userId_label_key`(`userId`, `label`), ALGORITHM=INPLACE, LOCK=NONE;',
      '',
    ].join('\n'));
    assert.strictEqual(m.down, 'ALTER TABLE `Tag` DROP INDEX `Tag_userId_label_key`, ADD UNIQUE INDEX `Tag_label_key`(`label`);\n');
  });

  it('SQLite: a unique index whose columns change: duplicate guard, new index built, old one dropped, in one migration', async () => {
    const plan = await planFor(edited('sqlite-notes', [], TAG_LABEL_SQLITE), 'add-unique-constraint', 'Tag');
    assert.deepStrictEqual(shape(plan), [{ key: 'build', migrations: ['replace_unique_index_tag_label_key'] }]);
    assert.strictEqual(plan.phases[0].migrations[0].sql.replace(/^-- Guard[^]*?DROP TABLE "migration_guard_check";\n\n/, ''), [
      '-- SQLite locks the database while it builds the index.',
      '-- CreateIndex',
      'CREATE UNIQUE INDEX "Tag_userId_label_key" ON "Tag"("userId", "label");',
      '',
      '-- DropIndex',
      'DROP INDEX IF EXISTS "Tag_label_key";',
      '',
    ].join('\n'));
  });

  it('PostgreSQL: the type of a primary key column changes: the key is built again CONCURRENTLY on the converted column and attached USING INDEX in the swap, with its sequence', async () => {
    const plan = await planFor(edited('pg-blog', POST_ID_BIGINT), 'change-column-type', 'Post');
    assert.deepStrictEqual(shape(plan).slice(-1), [{
      key: 'swap',
      migrations: ['check_not_null_id_new_in_post', 'validate_not_null_id_new_in_post', 'build_index_post_pkey_on_id_new (alone, outside a transaction)', 'swap_id_in_post'],
    }]);
    const swap = plan.phases[2].migrations[3].sql;
    assert.strictEqual(swap.slice(swap.indexOf('-- The sequence belongs')), [
      '-- The sequence belongs to "id" and would go with it: it is detached here and given to the converted column below.',
      'ALTER SEQUENCE "Post_id_seq" OWNED BY NONE;',
      '',
      `-- migration-guard-ignore sql-drop-column -- phase 3 of plan ${plan.id}: every value lives on, converted, in "id_new", which takes its name next.`,
      '-- AlterTable',
      'ALTER TABLE "Post" DROP COLUMN "id";',
      '',
      'ALTER TABLE "Post" RENAME COLUMN "id_new" TO "id";',
      '',
      "-- The key's index was built CONCURRENTLY: attaching it builds nothing.",
      'ALTER TABLE "Post" ADD CONSTRAINT "Post_pkey" PRIMARY KEY USING INDEX "Post_pkey_new";',
      '',
      'ALTER SEQUENCE "Post_id_seq" AS BIGINT;',
      '',
      `ALTER TABLE "Post" ALTER COLUMN "id" SET DEFAULT nextval('"Post_id_seq"'::regclass);`,
      '',
      'ALTER SEQUENCE "Post_id_seq" OWNED BY "Post"."id";',
      '',
    ].join('\n'));
  });

  it('refuses the type change of a column in a foreign key, of a MySQL key column, and of an AUTOINCREMENT key on SQLite, with the safe path', async () => {
    const account = edited('pg-blog', [['  id        Int      @id @default(autoincrement())\n  email     String\n', '  id        BigInt   @id @default(autoincrement())\n  email     String\n']]);
    const { entries } = await planProject(account, { now: NOW });
    const entry = entries.find((e) => e.ruleId === 'change-column-type' && e.change.table === 'Account');
    assert.deepStrictEqual(entry?.outcome, {
      ok: false,
      reason: '"id" is part of foreign key AuditLog_accountId_fkey (from AuditLog), and Prisma wants both sides of a relation to have the same type, so the column on the other side changes too; that is not planned yet. The safe path by hand: add a column of the new type on each side, keep both in step and backfill them in batches, build their indexes CONCURRENTLY, then in one short migration swap the columns, attach the key with ADD PRIMARY KEY USING INDEX and add the foreign key NOT VALID, and VALIDATE it in a later one.',
    });
    const mysqlTag = edited('mysql-notes', TAG_ID_BIGINT);
    const mysqlRefused = (await planProject(mysqlTag, { now: NOW })).entries.find((e) => e.ruleId === 'change-column-type' && e.change.table === 'Tag');
    assert.deepStrictEqual(mysqlRefused?.outcome, {
      ok: false,
      reason: '"id" carries the primary key, AUTO_INCREMENT, which the new column would have to take over with a rebuild of the table; that is not planned for MySQL yet. The safe path: one `ALTER TABLE ... MODIFY` at a quiet time (InnoDB copies the table, writes wait), or an online schema-change tool (gh-ost, pt-online-schema-change) on a large table.',
    });
    const tag = edited('sqlite-notes', TAG_ID_BIGINT);
    const refused = (await planProject(tag, { now: NOW })).entries.find((e) => e.ruleId === 'change-column-type' && e.change.table === 'Tag');
    assert.deepStrictEqual(refused?.outcome, {
      ok: false,
      reason: '"id" is an AUTOINCREMENT primary key, which SQLite only allows on a column declared exactly INTEGER; a copy into a BIGINT column fails. SQLite\'s INTEGER already holds 64-bit values (up to 2^63 - 1): keep `Int` in the schema, or drop the auto-increment first.',
    });
  });

  // What our own SQL rules say about the pending phases (plan rule: finding rule in migration), per provider.
  const heardPerFixture: { fixture: string; edits?: [string, string][]; deployed?: string; rule: string; table: string; column?: string; expected: string[] }[] = [
    { fixture: 'pg-blog', edits: ACCOUNT_BY_EMAIL, rule: 'change-primary-key', table: 'Account', expected: [] },
    { fixture: 'mysql-notes', edits: NOTE_BY_USER, rule: 'change-primary-key', table: 'Note', expected: [] },
    { fixture: 'sqlite-notes', edits: NOTE_BY_USER, rule: 'change-primary-key', table: 'Note', expected: [] },
    { fixture: 'pg-blog', deployed: POST_SLUG_WIDE, rule: 'add-unique-constraint', table: 'Post', expected: [] },
    { fixture: 'mysql-notes', deployed: TAG_LABEL_MYSQL, rule: 'add-unique-constraint', table: 'Tag', expected: [] },
    { fixture: 'sqlite-notes', deployed: TAG_LABEL_SQLITE, rule: 'add-unique-constraint', table: 'Tag', expected: [] },
    { fixture: 'pg-blog', edits: POST_ID_BIGINT, rule: 'change-column-type', table: 'Post', column: 'id', expected: [] },
    { fixture: 'pg-blog', edits: POST_VIEWS_UNIQUE, deployed: POST_VIEWS_KEY, rule: 'change-column-type', table: 'Post', column: 'views', expected: [] },
    { fixture: 'sqlite-notes', edits: NOTE_SCORE_INDEX, deployed: NOTE_SCORE_IDX, rule: 'change-column-type', table: 'Note', column: 'score', expected: [] },
  ];
  for (const { fixture, edits, deployed, rule, table, column, expected } of heardPerFixture) {
    it(`writes ${rule} phases on ${table}${column ? `.${column}` : ''} (${fixture}${deployed ? ', replacing a deployed index' : ''}) that our own SQL rules say nothing false about`, async () => {
      const project = edited(fixture, edits ?? [], deployed);
      const { entries } = await planProject(project);
      const entry = entries.find((e) => e.ruleId === rule && e.change.table === table && (!column || ('column' in e.change && e.change.column === column)));
      assert.ok(entry);
      const heard = (await findingsOnPendingPhases(project, rule, entry.change)).map((f) => `${f.ruleId} in ${f.statement?.migration.replace(/^\d{14}_/, '')}: ${f.message}`);
      assert.deepStrictEqual(heard, expected);
    });
  }
});
