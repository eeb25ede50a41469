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

function shape(plan: Plan): unknown {
  return plan.phases.map((p) => ({ key: p.key, migrations: p.migrations.map((m) => `${m.slug}${m.transactional ? '' : ' (alone, outside a transaction)'}`) }));
}

const POST_SLUG_WIDE = 'CREATE UNIQUE INDEX "Post_slug_key" ON "Post"("slug", "accountId");\n';
const TAG_LABEL_MYSQL = 'CREATE UNIQUE INDEX `Tag_label_key` ON `Tag`(`label`);\n';
const TAG_LABEL_SQLITE = 'CREATE UNIQUE INDEX "Tag_label_key" ON "Tag"("label");\n';

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

  // What our own SQL rules say about the pending phases (plan rule: finding rule in migration), per provider.
  const heardPerFixture: [string, [string, string][], string | undefined, string, string, string[]][] = [
    ['pg-blog', ACCOUNT_BY_EMAIL, undefined, 'change-primary-key', 'Account', []],
    ['mysql-notes', NOTE_BY_USER, undefined, 'change-primary-key', 'Note', []],
    ['sqlite-notes', NOTE_BY_USER, undefined, 'change-primary-key', 'Note', []],
    ['pg-blog', [], POST_SLUG_WIDE, 'add-unique-constraint', 'Post', []],
    ['mysql-notes', [], TAG_LABEL_MYSQL, 'add-unique-constraint', 'Tag', []],
    ['sqlite-notes', [], TAG_LABEL_SQLITE, 'add-unique-constraint', 'Tag', []],
  ];
  for (const [fixture, edits, deployed, rule, table, expected] of heardPerFixture) {
    it(`writes ${rule} phases on ${table} (${fixture}${deployed ? ', replacing a deployed index' : ''}) that our own SQL rules say nothing false about`, async () => {
      const project = edited(fixture, edits, deployed);
      const { entries } = await planProject(project);
      const entry = entries.find((e) => e.ruleId === rule && e.change.table === table);
      assert.ok(entry);
      const heard = (await findingsOnPendingPhases(project, rule, entry.change)).map((f) => `${f.ruleId} in ${f.statement?.migration.replace(/^\d{14}_/, '')}: ${f.message}`);
      assert.deepStrictEqual(heard, expected);
    });
  }
});
