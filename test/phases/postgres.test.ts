/**
 * Phased migrations executed on a real PostgreSQL (PGlite), one plan per
 * unsafe change of the pg-blog fixture, on thousands of seeded rows (NULLs,
 * duplicates, enum values in use):
 *  - the plan is asked for the way the editor asks (rule id + short change),
 *    phase 1 is written with applyFirstPhase, later ones with advancePhase;
 *  - after every phase the schema passes Prisma's validator and our own check
 *    finds the schema and the migrations agreeing about the change (only the
 *    fixture's other changes are left), and after the last one the schema is
 *    exactly what the user wrote;
 *  - every migration applies; its down.sql brings the catalog back to the
 *    state before it, and it applies again after that;
 *  - backfills run as the migration's batched DO block, or first through the
 *    generated TypeScript script (which the migration then finds done);
 *  - no row or value is lost, and the catalog ends as the target describes.
 * Plans that must stop (duplicates, orphans, NULLs left) stop with a clear
 * error before changing anything.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PGlite } from '@electric-sql/pglite';
import { summarizeChange } from '../../server/src/diff/changes';
import {
  type Phase,
  type PhaseWritten,
  type PlanOptions,
  advancePhase,
  applyFirstPhase,
  applySchemaEditsToDisk,
  planForFinding,
  planProject,
} from '../../server/src/phases';
import { phaseFolder } from '../../server/src/phases/plans/common';
import type { PrismaProject } from '../../server/src/project/locate';
import {
  addDeployedMigration,
  applyMigrationsFolder,
  assertValidSchema,
  catalog,
  cleanUp,
  copyFixture,
  digest,
  key,
  resetDatabase,
  runBackfillScript,
  runFile,
  sameObject,
  scalar,
  schemaText,
  unmigrated,
} from './support';

const SEED = `
INSERT INTO "Account" ("email", "nickname", "tier")
SELECT 'user' || g || '@example.com', CASE WHEN g % 3 = 0 THEN NULL ELSE 'nick' || g END,
       (CASE WHEN g % 5 = 0 THEN 'LEGACY' WHEN g % 2 = 0 THEN 'PRO' ELSE 'FREE' END)::"Tier"
FROM generate_series(1, 3000) AS g;
INSERT INTO "Author" ("fullname") SELECT 'Author ' || (g % 1700) FROM generate_series(1, 2500) AS g;
INSERT INTO "Post" ("accountId", "slug", "status", "views", "legacyCode", "publishedAt")
SELECT 1 + (g % 3000), 'post-' || g,
       (CASE WHEN g % 7 = 0 THEN 'DELETED' WHEN g % 3 = 0 THEN 'ARCHIVED' WHEN g % 2 = 0 THEN 'ACTIVE' ELSE 'DRAFT' END)::"Status",
       g * 37, CASE WHEN g % 4 = 0 THEN NULL ELSE 'L' || g END,
       CASE WHEN g % 6 = 0 THEN NULL ELSE TIMESTAMP '2024-01-01' + g * INTERVAL '1 hour' END
FROM generate_series(1, 4000) AS g;
INSERT INTO "AuditLog" ("accountId", "action") SELECT 1 + (g % 3000), 'action-' || (g % 13) FROM generate_series(1, 2000) AS g;
INSERT INTO "Team" ("name") SELECT 'team-' || g FROM generate_series(1, 20) AS g;
INSERT INTO "Membership" ("accountId", "teamId") SELECT a, t FROM generate_series(1, 150) AS a, generate_series(1, 20) AS t;
INSERT INTO "Receipt" ("id", "total") SELECT 'r-' || lpad(g::text, 5, '0'), g * 3 FROM generate_series(1, 1500) AS g;
`;
const SEEDED_ROWS = 3000 + 2500 + 4000 + 2000 + 20 + 3000 + 1500;

type Captured = Record<string, unknown>;

interface Case {
  title: string;
  rule: string;
  table: string;
  /** The whole shape of the plan: each phase's key and its migrations' names. */
  phases?: string[];
  options?: PlanOptions;
  /** Extra rows for this case (duplicates, orphans). */
  seed?: string;
  /** What the code deployed after phase N writes (what the plan asked that code to do). */
  afterPhase?: Record<number, string>;
  /** Run backfill phases through the generated TypeScript script first. */
  script?: boolean;
  /** Interrupt the script after this many batches, then rerun it: it must resume after its cursor. */
  interruptScriptAfter?: number;
  /** Pending changes the plan settles besides its own (the foreign keys to a dropped table), in their short form. */
  settles?: Record<string, unknown>[];
  /** An edit of the fixture's edited schema that only this case plans (the fixture's own edits are shared by every case). */
  editSchema?(schema: string): string;
  /** SQL of one more deployed migration, after the fixture's own (an index the edited schema replaces). */
  deployed?: string;
  /** The column of the change, when the table has more than one of its kind. */
  column?: string;
  capture(db: PGlite): Promise<Captured>;
  /** After a migration's down.sql ran (data the down script restores). */
  afterDown?(db: PGlite, migration: string, before: Captured): Promise<void>;
  verify(db: PGlite, before: Captured): Promise<void>;
}

interface Figures {
  title: string;
  phases: number;
  migrations: number;
  ms: number;
}

async function isNullable(db: PGlite, table: string, column: string): Promise<string | undefined> {
  const rows = (await db.query<{ is_nullable: string }>(`SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`, [table, column])).rows;
  return rows[0]?.is_nullable;
}

/** The indexes of a table: name, definition, valid. */
async function indexesOf(db: PGlite, table: string): Promise<unknown[]> {
  return (await db.query(`SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass ORDER BY 1`, [`"${table}"`])).rows;
}

/** After a unique index of Post was replaced by one on (slug): every post kept, the old index gone, the new one valid and enforced. */
async function onlySlugUnique(db: PGlite, before: Captured): Promise<void> {
  assert.strictEqual(await digest(db, 'SELECT * FROM "Post" ORDER BY "id"'), before.posts);
  assert.deepStrictEqual(await indexesOf(db, 'Post'), [
    { name: 'Post_pkey', def: 'CREATE UNIQUE INDEX "Post_pkey" ON public."Post" USING btree (id)', valid: true },
    { name: 'Post_slug_key', def: 'CREATE UNIQUE INDEX "Post_slug_key" ON public."Post" USING btree (slug)', valid: true },
  ], 'the old unique index is gone, the new one is valid');
  await assert.rejects(db.exec(`INSERT INTO "Post" ("accountId", "slug") VALUES (2, 'post-1')`), /duplicate key value violates unique constraint "Post_slug_key"/);
}

async function countBy(db: PGlite, sql: string): Promise<Record<string, number>> {
  const rows = (await db.query<{ k: string; n: number }>(sql)).rows;
  return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
}

const cases: Case[] = [
  {
    title: 'add-required-column: Account.phone, backfilled by the TypeScript script',
    rule: 'add-required-column',
    table: 'Account',
    options: { backfill: `'+1-555-' || lpad("id"::text, 7, '0')` },
    script: true,
    afterPhase: { 1: `INSERT INTO "Account" ("email", "phone") VALUES ('new1@example.com', '+44 20 7946 0001'), ('new2@example.com', '+44 20 7946 0002');` },
    capture: async (db) => ({ rows: await scalar(db, 'SELECT count(*) FROM "Account"'), data: await digest(db, 'SELECT "id", "email", "nickname", "tier", "createdAt" FROM "Account" ORDER BY "id"') }),
    verify: async (db, before) => {
      assert.strictEqual(Number(await scalar(db, 'SELECT count(*) FROM "Account"')), Number(before.rows) + 2);
      assert.strictEqual(await digest(db, 'SELECT "id", "email", "nickname", "tier", "createdAt" FROM "Account" WHERE "id" <= 3000 ORDER BY "id"'), before.data);
      assert.strictEqual(await isNullable(db, 'Account', 'phone'), 'NO');
      assert.strictEqual(Number(await scalar(db, `SELECT count(*) FROM "Account" WHERE "id" <= 3000 AND "phone" <> '+1-555-' || lpad("id"::text, 7, '0')`)), 0, 'every old row got the backfill value');
      assert.deepStrictEqual((await db.query('SELECT "phone" FROM "Account" WHERE "id" > 3000 ORDER BY "id"')).rows, [{ phone: '+44 20 7946 0001' }, { phone: '+44 20 7946 0002' }], 'rows written by the new code keep their value');
      assert.strictEqual(Number(await scalar(db, `SELECT count(*) FROM pg_constraint WHERE conname = 'Account_phone_not_null'`)), 0, 'the helper check is gone');
    },
  },
  {
    title: 'add-required-column: Membership.role (compound primary key), script interrupted and resumed',
    rule: 'add-required-column',
    table: 'Membership',
    options: { backfill: `'member'`, batchSize: 400 },
    script: true,
    interruptScriptAfter: 3,
    capture: async (db) => ({ data: await digest(db, 'SELECT "accountId", "teamId" FROM "Membership" ORDER BY 1, 2') }),
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, 'SELECT "accountId", "teamId" FROM "Membership" ORDER BY 1, 2'), before.data);
      assert.strictEqual(Number(await scalar(db, `SELECT count(*) FROM "Membership" WHERE "role" = 'member'`)), 3000);
      assert.strictEqual(await isNullable(db, 'Membership', 'role'), 'NO');
    },
  },
  {
    title: 'make-column-required: Account.nickname (1000 NULLs), backfilled by the migration',
    rule: 'make-column-required',
    table: 'Account',
    options: { backfill: `'user-' || "id"` },
    capture: async (db) => ({ kept: await digest(db, 'SELECT "id", "nickname" FROM "Account" WHERE "nickname" IS NOT NULL ORDER BY "id"'), nulls: Number(await scalar(db, 'SELECT count(*) FROM "Account" WHERE "nickname" IS NULL')) }),
    verify: async (db, before) => {
      assert.strictEqual(before.nulls, 1000);
      assert.strictEqual(await digest(db, `SELECT "id", "nickname" FROM "Account" WHERE "nickname" <> 'user-' || "id" ORDER BY "id"`), before.kept, 'values that were there are untouched');
      assert.strictEqual(Number(await scalar(db, `SELECT count(*) FROM "Account" WHERE "nickname" = 'user-' || "id"`)), 1000);
      assert.strictEqual(await isNullable(db, 'Account', 'nickname'), 'NO');
    },
  },
  {
    title: 'rename-column: Author.fullname → displayName, with dual writes between the phases',
    rule: 'rename-column',
    table: 'Author',
    afterPhase: {
      1: `INSERT INTO "Author" ("fullname", "displayName") VALUES ('Dual Writer', 'Dual Writer');`,
      3: `INSERT INTO "Author" ("displayName") VALUES ('Only The New Column');`,
    },
    capture: async (db) => ({ names: await digest(db, 'SELECT "id", "fullname" AS name FROM "Author" ORDER BY "id"') }),
    afterDown: async (db, migration, before) => {
      if (!migration.includes('contract_remove_fullname')) return;
      assert.strictEqual(await digest(db, 'SELECT "id", "fullname" AS name FROM "Author" WHERE "id" <= 2500 ORDER BY "id"'), before.names, 'the down script restores the old column from the new one');
    },
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, 'SELECT "id", "displayName" AS name FROM "Author" WHERE "id" <= 2500 ORDER BY "id"'), before.names, 'every name moved to the new column');
      assert.strictEqual(Number(await scalar(db, 'SELECT count(*) FROM "Author"')), 2502);
      assert.strictEqual(await isNullable(db, 'Author', 'fullname'), undefined, 'the old column is gone');
      assert.strictEqual(await isNullable(db, 'Author', 'displayName'), 'NO');
    },
  },
  {
    title: 'change-column-type: Post.views INTEGER → BIGINT, old code writing meanwhile',
    rule: 'change-column-type',
    table: 'Post',
    afterPhase: { 1: `UPDATE "Post" SET "views" = "views" + 1 WHERE "id" % 100 = 0; INSERT INTO "Post" ("accountId", "slug", "views") VALUES (1, 'written-after-expand', 42);` },
    capture: async (db) => ({ sum: Number(await scalar(db, 'SELECT sum("views") FROM "Post"')), ids: await digest(db, 'SELECT "id", "slug" FROM "Post" ORDER BY "id"') }),
    verify: async (db, before) => {
      assert.strictEqual(Number(await scalar(db, 'SELECT sum("views") FROM "Post"')), (before.sum as number) + 40 + 42, 'every value, including those written during the migration, survived the swap');
      assert.strictEqual(await scalar(db, `SELECT data_type FROM information_schema.columns WHERE table_name = 'Post' AND column_name = 'views'`), 'bigint');
      assert.strictEqual(await isNullable(db, 'Post', 'views'), 'NO');
      assert.strictEqual(await scalar(db, `SELECT column_default FROM information_schema.columns WHERE table_name = 'Post' AND column_name = 'views'`), '0');
      assert.strictEqual(Number(await scalar(db, `SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal`)), 0, 'the sync trigger is gone');
      assert.strictEqual(await digest(db, 'SELECT "id", "slug" FROM "Post" WHERE "slug" <> \'written-after-expand\' ORDER BY "id"'), before.ids);
    },
  },
  {
    title: 'add-unique-constraint: Post.slug built CONCURRENTLY after the duplicate guard',
    rule: 'add-unique-constraint',
    table: 'Post',
    capture: async (db) => ({ rows: Number(await scalar(db, 'SELECT count(*) FROM "Post"')) }),
    verify: async (db, before) => {
      assert.strictEqual(Number(await scalar(db, 'SELECT count(*) FROM "Post"')), before.rows);
      const index = (await db.query<{ def: string; valid: boolean }>(`SELECT pg_get_indexdef(indexrelid) AS def, indisvalid AS valid FROM pg_index WHERE indexrelid = '"Post_slug_key"'::regclass`)).rows[0];
      assert.deepStrictEqual(index, { def: 'CREATE UNIQUE INDEX "Post_slug_key" ON public."Post" USING btree (slug)', valid: true });
    },
  },
  {
    title: 'create-index-blocking: Post.publishedAt built CONCURRENTLY',
    rule: 'create-index-blocking',
    table: 'Post',
    capture: async () => ({}),
    verify: async (db) => {
      const index = (await db.query<{ def: string; valid: boolean }>(`SELECT pg_get_indexdef(indexrelid) AS def, indisvalid AS valid FROM pg_index WHERE indexrelid = '"Post_publishedAt_idx"'::regclass`)).rows[0];
      assert.deepStrictEqual(index, { def: 'CREATE INDEX "Post_publishedAt_idx" ON public."Post" USING btree ("publishedAt")', valid: true });
    },
  },
  {
    title: 'add-foreign-key: Post.accountId NOT VALID, then VALIDATE',
    rule: 'add-foreign-key',
    table: 'Post',
    capture: async () => ({}),
    verify: async (db) => {
      const fk = (await db.query<{ def: string; valid: boolean }>(`SELECT pg_get_constraintdef(oid) AS def, convalidated AS valid FROM pg_constraint WHERE conname = 'Post_accountId_fkey'`)).rows[0];
      assert.deepStrictEqual(fk, { def: 'FOREIGN KEY ("accountId") REFERENCES "Account"(id) ON UPDATE CASCADE ON DELETE RESTRICT', valid: true });
    },
  },
  {
    title: 'remove-enum-value: Status.DELETED, rows moved to ARCHIVED first',
    rule: 'remove-enum-value',
    table: 'Status',
    options: { replaceWith: 'ARCHIVED' },
    capture: async (db) => ({ counts: await countBy(db, 'SELECT "status"::text AS k, count(*) AS n FROM "Post" GROUP BY 1') }),
    verify: async (db, before) => {
      const counts = before.counts as Record<string, number>;
      assert.ok(counts.DELETED > 500);
      assert.deepStrictEqual(await countBy(db, 'SELECT "status"::text AS k, count(*) AS n FROM "Post" GROUP BY 1'), { DRAFT: counts.DRAFT, ACTIVE: counts.ACTIVE, ARCHIVED: counts.ARCHIVED + counts.DELETED });
      assert.deepStrictEqual((await db.query(`SELECT enumlabel FROM pg_enum WHERE enumtypid = '"Status"'::regtype ORDER BY enumsortorder`)).rows.map((r) => (r as { enumlabel: string }).enumlabel), ['DRAFT', 'ACTIVE', 'ARCHIVED']);
      assert.strictEqual(await scalar(db, `SELECT column_default FROM information_schema.columns WHERE table_name = 'Post' AND column_name = 'status'`), `'DRAFT'::"Status"`);
    },
  },
  {
    title: 'remove-enum-value (a rename): Tier.LEGACY → ENTERPRISE, added, moved, then dropped',
    rule: 'remove-enum-value',
    table: 'Tier',
    afterPhase: { 1: `INSERT INTO "Account" ("email", "nickname", "tier") VALUES ('enterprise@example.com', 'ent', 'ENTERPRISE');` },
    capture: async (db) => ({ counts: await countBy(db, 'SELECT "tier"::text AS k, count(*) AS n FROM "Account" GROUP BY 1') }),
    verify: async (db, before) => {
      const counts = before.counts as Record<string, number>;
      assert.deepStrictEqual(await countBy(db, 'SELECT "tier"::text AS k, count(*) AS n FROM "Account" GROUP BY 1'), { FREE: counts.FREE, PRO: counts.PRO, ENTERPRISE: counts.LEGACY + 1 });
      assert.deepStrictEqual((await db.query(`SELECT enumlabel FROM pg_enum WHERE enumtypid = '"Tier"'::regtype ORDER BY enumsortorder`)).rows.map((r) => (r as { enumlabel: string }).enumlabel), ['FREE', 'PRO', 'ENTERPRISE']);
    },
  },
  {
    title: 'drop-column: Post.legacyCode, archived first, restorable by its down script',
    rule: 'drop-column',
    table: 'Post',
    capture: async (db) => ({ values: await digest(db, 'SELECT "id", "legacyCode" FROM "Post" ORDER BY "id"'), rows: Number(await scalar(db, 'SELECT count(*) FROM "Post"')) }),
    afterDown: async (db, migration, before) => {
      if (!migration.includes('_drop_')) return;
      assert.strictEqual(await digest(db, 'SELECT "id", "legacyCode" FROM "Post" ORDER BY "id"'), before.values, 'the down script restores every value from the archive');
    },
    verify: async (db, before) => {
      assert.strictEqual(await isNullable(db, 'Post', 'legacyCode'), undefined);
      assert.strictEqual(Number(await scalar(db, 'SELECT count(*) FROM "Post"')), before.rows);
      assert.strictEqual(await digest(db, `SELECT "id", "legacyCode" FROM migration_guard_archive.${await archiveTable(db)} ORDER BY "id"`), before.values, 'the archive holds every value');
    },
  },
  {
    title: 'drop-table: AuditLog, archived first, restorable by its down script',
    rule: 'drop-table',
    table: 'AuditLog',
    capture: async (db) => ({ rows: await digest(db, 'SELECT * FROM "AuditLog" ORDER BY "id"') }),
    afterDown: async (db, migration, before) => {
      if (!migration.includes('_drop_')) return;
      assert.strictEqual(await digest(db, 'SELECT * FROM "AuditLog" ORDER BY "id"'), before.rows, 'the down script restores every row');
      await db.exec(`INSERT INTO "AuditLog" ("accountId", "action") VALUES (1, 'after-restore')`);
      assert.strictEqual(Number(await scalar(db, `SELECT "id" FROM "AuditLog" WHERE "action" = 'after-restore'`)), 2001, 'the id sequence continues after the restored rows');
      await db.exec(`DELETE FROM "AuditLog" WHERE "action" = 'after-restore'`);
    },
    verify: async (db, before) => {
      assert.strictEqual(Number(await scalar(db, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'AuditLog'`)), 0);
      assert.strictEqual(await digest(db, `SELECT * FROM migration_guard_archive.${await archiveTable(db)} ORDER BY "id"`), before.rows);
    },
  },
  {
    title: 'drop-table: Team, referenced by Membership: the foreign key goes in phase 1, the table in phase 2',
    rule: 'drop-table',
    table: 'Team',
    settles: [{ kind: 'dropForeignKey', table: 'Membership', constraint: 'Membership_teamId_fkey', columns: ['teamId'], references: 'Team' }],
    capture: async (db) => ({ teams: await digest(db, 'SELECT * FROM "Team" ORDER BY "id"'), memberships: await digest(db, 'SELECT * FROM "Membership" ORDER BY 1, 2') }),
    afterDown: async (db, migration, before) => {
      if (migration.includes('_drop_foreign_keys_to_')) {
        await assert.rejects(db.exec(`INSERT INTO "Membership" ("accountId", "teamId") VALUES (1, 999)`), /violates foreign key constraint "Membership_teamId_fkey"/, 'the down script puts the key back');
      }
      if (migration.includes('_drop_team')) assert.strictEqual(await digest(db, 'SELECT * FROM "Team" ORDER BY "id"'), before.teams, 'the down script restores every row');
    },
    afterPhase: { 1: `INSERT INTO "Membership" ("accountId", "teamId") VALUES (1, 999)` },
    verify: async (db, before) => {
      assert.strictEqual(Number(await scalar(db, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'Team'`)), 0);
      assert.deepStrictEqual((await db.query(`SELECT conname FROM pg_constraint WHERE conrelid = '"Membership"'::regclass AND contype IN ('f', 'p') ORDER BY 1`)).rows, [{ conname: 'Membership_pkey' }]);
      assert.strictEqual(await digest(db, 'SELECT * FROM "Membership" WHERE NOT ("accountId" = 1 AND "teamId" = 999) ORDER BY 1, 2'), before.memberships, 'every membership row is kept');
      assert.strictEqual(await digest(db, `SELECT * FROM migration_guard_archive.${await archiveTable(db)} ORDER BY "id"`), before.teams);
    },
  },
  {
    title: 'change-primary-key: Account moves from (id) to (email); id stays unique, the foreign key from AuditLog moves to it',
    rule: 'change-primary-key',
    table: 'Account',
    phases: ['rekey: guard_primary_key_of_account, build_key_index_primary_key_of_account, build_unique_index_id_on_account, swap_primary_key_of_account, validate_foreign_key_account_id_on_audit_log'],
    editSchema: (schema) => schema.replace('  id        Int      @id @default(autoincrement())\n  email     String\n', '  id        Int      @unique @default(autoincrement())\n  email     String   @id\n'),
    settles: [{ kind: 'addIndex', table: 'Account', index: 'Account_id_key', columns: ['id'], unique: true }],
    capture: async (db) => ({ accounts: await digest(db, 'SELECT * FROM "Account" ORDER BY "id"'), logs: await digest(db, 'SELECT * FROM "AuditLog" ORDER BY "id"') }),
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, 'SELECT * FROM "Account" ORDER BY "id"'), before.accounts, 'every account row is kept');
      assert.strictEqual(await digest(db, 'SELECT * FROM "AuditLog" ORDER BY "id"'), before.logs, 'every audit row is kept');
      assert.deepStrictEqual((await db.query(`SELECT conname, pg_get_constraintdef(oid) AS def, convalidated AS valid FROM pg_constraint WHERE conrelid IN ('"Account"'::regclass, '"AuditLog"'::regclass) AND contype IN ('p', 'f') ORDER BY 1`)).rows, [
        { conname: 'Account_pkey', def: 'PRIMARY KEY (email)', valid: true },
        { conname: 'AuditLog_accountId_fkey', def: 'FOREIGN KEY ("accountId") REFERENCES "Account"(id) ON UPDATE CASCADE ON DELETE CASCADE', valid: true },
        { conname: 'AuditLog_pkey', def: 'PRIMARY KEY (id)', valid: true },
      ]);
      assert.deepStrictEqual(await indexesOf(db, 'Account'), [
        { name: 'Account_id_key', def: 'CREATE UNIQUE INDEX "Account_id_key" ON public."Account" USING btree (id)', valid: true },
        { name: 'Account_pkey', def: 'CREATE UNIQUE INDEX "Account_pkey" ON public."Account" USING btree (email)', valid: true },
      ], 'the old key is gone; id stays unique');
      await assert.rejects(db.exec(`INSERT INTO "Account" ("email") VALUES ('user1@example.com')`), /duplicate key value violates unique constraint "Account_pkey"/);
      await assert.rejects(db.exec(`INSERT INTO "AuditLog" ("accountId", "action") VALUES (999999, 'orphan')`), /violates foreign key constraint "AuditLog_accountId_fkey"/);
    },
  },
  {
    title: 'change-primary-key: Membership (accountId, teamId) → (teamId, accountId), the order of a compound key',
    rule: 'change-primary-key',
    table: 'Membership',
    phases: ['rekey: guard_primary_key_of_membership, build_key_index_primary_key_of_membership, swap_primary_key_of_membership'],
    editSchema: (schema) => schema.replace('  @@id([accountId, teamId])', '  @@id([teamId, accountId])'),
    capture: async (db) => ({ rows: await digest(db, 'SELECT * FROM "Membership" ORDER BY 1, 2') }),
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, 'SELECT "accountId", "teamId" FROM "Membership" ORDER BY 1, 2'), before.rows);
      assert.deepStrictEqual((await db.query(`SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '"Membership"'::regclass ORDER BY 1`)).rows, [
        { name: 'Membership_pkey', def: 'CREATE UNIQUE INDEX "Membership_pkey" ON public."Membership" USING btree ("teamId", "accountId")' },
      ]);
    },
  },
  {
    title: 'add-required-column: Receipt.number @default(autoincrement()), numbered from the sequence in batches without a rewrite',
    rule: 'add-required-column',
    table: 'Receipt',
    phases: [
      'expand: expand_add_number_to_receipt',
      'backfill: backfill_number_in_receipt',
      'contract: check_not_null_number_in_receipt, validate_not_null_number_in_receipt, require_number_in_receipt',
    ],
    options: { batchSize: 400 },
    afterPhase: { 1: `INSERT INTO "Receipt" ("id", "total") VALUES ('r-new', 7)` },
    capture: async (db) => ({
      data: await digest(db, 'SELECT "id", "total" FROM "Receipt" ORDER BY "id"'),
      file: await scalar(db, `SELECT pg_relation_filenode('"Receipt"')`),
    }),
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, `SELECT "id", "total" FROM "Receipt" WHERE "id" <> 'r-new' ORDER BY "id"`), before.data, 'every row and value is kept');
      assert.strictEqual(await scalar(db, `SELECT pg_relation_filenode('"Receipt"')`), before.file, 'no phase rewrote the table');
      // The row written after phase 1 got the first number from the column default; the backfill numbered the rest.
      assert.deepStrictEqual((await db.query(`SELECT "number" FROM "Receipt" WHERE "id" = 'r-new'`)).rows, [{ number: 1 }]);
      assert.deepStrictEqual((await db.query(`SELECT count(DISTINCT "number")::int AS n, min("number") AS lo, max("number") AS hi FROM "Receipt" WHERE "id" <> 'r-new'`)).rows, [{ n: 1500, lo: 2, hi: 1501 }], 'existing rows numbered 2..1501, each once');
      assert.strictEqual(await isNullable(db, 'Receipt', 'number'), 'NO');
      assert.deepStrictEqual((await db.query(`SELECT column_default AS d, pg_get_serial_sequence('"Receipt"', 'number') AS s FROM information_schema.columns WHERE table_name = 'Receipt' AND column_name = 'number'`)).rows, [{ d: `nextval('"Receipt_number_seq"'::regclass)`, s: 'public."Receipt_number_seq"' }]);
      await db.exec(`INSERT INTO "Receipt" ("id", "total") VALUES ('r-after', 1)`);
      assert.deepStrictEqual((await db.query(`SELECT "number" FROM "Receipt" WHERE "id" = 'r-after'`)).rows, [{ number: 1502 }]);
    },
  },
  {
    title: 'add-unique-constraint replacing another: Post (accountId, slug) → (slug), the new one built before the old one goes',
    rule: 'add-unique-constraint',
    table: 'Post',
    deployed: 'CREATE UNIQUE INDEX "Post_accountId_slug_key" ON "Post"("accountId", "slug");\n',
    phases: ['build: guard_unique_slug_on_post, build_unique_index_slug_on_post, drop_replaced_index_post_account_id_slug_key'],
    settles: [{ kind: 'dropIndex', table: 'Post', index: 'Post_accountId_slug_key', columns: ['accountId', 'slug'], unique: true }],
    capture: async (db) => ({ posts: await digest(db, 'SELECT * FROM "Post" ORDER BY "id"') }),
    verify: onlySlugUnique,
  },
  {
    title: 'add-unique-constraint replacing one of the same name: Post_slug_key (slug, accountId) → (slug), built as Post_slug_key_new, renamed after the drop',
    rule: 'add-unique-constraint',
    table: 'Post',
    deployed: 'CREATE UNIQUE INDEX "Post_slug_key" ON "Post"("slug", "accountId");\n',
    phases: ['build: guard_unique_slug_on_post, build_unique_index_slug_on_post, drop_replaced_index_post_slug_key, rename_index_post_slug_key'],
    capture: async (db) => ({ posts: await digest(db, 'SELECT * FROM "Post" ORDER BY "id"') }),
    verify: onlySlugUnique,
  },
  {
    title: 'change-column-type of the primary key: Post.id Int → BigInt, its key and sequence moved to the converted column',
    rule: 'change-column-type',
    table: 'Post',
    column: 'id',
    editSchema: (schema) => schema.replace('  id          Int       @id @default(autoincrement())\n  accountId', '  id          BigInt    @id @default(autoincrement())\n  accountId'),
    phases: [
      'expand: expand_add_id_new_to_post',
      'backfill: backfill_id_new_in_post',
      'swap: check_not_null_id_new_in_post, validate_not_null_id_new_in_post, build_index_post_pkey_on_id_new, swap_id_in_post',
    ],
    afterPhase: { 1: `INSERT INTO "Post" ("accountId", "slug") VALUES (1, 'written-by-old-code')` },
    capture: async (db) => ({ posts: await digest(db, 'SELECT "id"::bigint AS id, "accountId", "slug", "status", "views" FROM "Post" ORDER BY "id"') }),
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, `SELECT "id", "accountId", "slug", "status", "views" FROM "Post" WHERE "slug" <> 'written-by-old-code' ORDER BY "id"`), before.posts, 'every post keeps its id and values');
      assert.deepStrictEqual((await db.query(`SELECT "id" FROM "Post" WHERE "slug" = 'written-by-old-code'`)).rows, [{ id: 4001 }], 'the row the old code wrote got its id from the sequence, copied by the trigger');
      assert.deepStrictEqual((await db.query(`SELECT data_type AS type, is_nullable AS nullable, column_default AS d FROM information_schema.columns WHERE table_name = 'Post' AND column_name IN ('id', 'id_new') ORDER BY column_name`)).rows, [{ type: 'bigint', nullable: 'NO', d: `nextval('"Post_id_seq"'::regclass)` }]);
      assert.deepStrictEqual(await indexesOf(db, 'Post'), [{ name: 'Post_pkey', def: 'CREATE UNIQUE INDEX "Post_pkey" ON public."Post" USING btree (id)', valid: true }], 'the key sits on the converted column; the old one is gone');
      assert.deepStrictEqual((await db.query(`SELECT s.data_type AS type, pg_get_serial_sequence('"Post"', 'id') AS owned FROM information_schema.sequences s WHERE s.sequence_name = 'Post_id_seq'`)).rows, [{ type: 'bigint', owned: 'public."Post_id_seq"' }]);
      await db.exec(`INSERT INTO "Post" ("accountId", "slug") VALUES (1, 'after-the-swap')`);
      assert.deepStrictEqual((await db.query(`SELECT "id" FROM "Post" WHERE "slug" = 'after-the-swap'`)).rows, [{ id: 4002 }]);
    },
  },
  {
    title: 'change-column-type of a unique column: Post.views Int → BigInt, its unique index built again on the converted column',
    rule: 'change-column-type',
    table: 'Post',
    column: 'views',
    deployed: 'CREATE UNIQUE INDEX "Post_views_key" ON "Post"("views");\n',
    editSchema: (schema) => schema.replace('  views       BigInt    @default(0)\n', '  views       BigInt    @default(0) @unique\n'),
    phases: [
      'expand: expand_add_views_new_to_post',
      'backfill: backfill_views_new_in_post',
      'swap: check_not_null_views_new_in_post, validate_not_null_views_new_in_post, build_index_post_views_key_on_views_new, swap_views_in_post',
    ],
    capture: async (db) => ({ posts: await digest(db, 'SELECT "id", "views"::bigint AS views FROM "Post" ORDER BY "id"') }),
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, 'SELECT "id", "views" FROM "Post" ORDER BY "id"'), before.posts);
      assert.deepStrictEqual(await indexesOf(db, 'Post'), [
        { name: 'Post_pkey', def: 'CREATE UNIQUE INDEX "Post_pkey" ON public."Post" USING btree (id)', valid: true },
        { name: 'Post_views_key', def: 'CREATE UNIQUE INDEX "Post_views_key" ON public."Post" USING btree (views)', valid: true },
      ]);
      await assert.rejects(db.exec(`INSERT INTO "Post" ("accountId", "slug", "views") VALUES (1, 'same-views', 37)`), /duplicate key value violates unique constraint "Post_views_key"/);
    },
  },
  {
    title: 'change-primary-key onto an optional column: Account (id) → (nickname), NOT NULL proven by CHECK NOT VALID and VALIDATE before the swap',
    rule: 'change-primary-key',
    table: 'Account',
    seed: `UPDATE "Account" SET "nickname" = 'filled-' || "id" WHERE "nickname" IS NULL;`,
    editSchema: (schema) => schema.replace('  id        Int      @id @default(autoincrement())\n  email     String\n  nickname  String\n', '  id        Int      @unique @default(autoincrement())\n  email     String\n  nickname  String   @id\n'),
    phases: ['rekey: guard_primary_key_of_account, check_not_null_nickname_in_account, validate_not_null_nickname_in_account, build_key_index_primary_key_of_account, build_unique_index_id_on_account, swap_primary_key_of_account, validate_foreign_key_account_id_on_audit_log'],
    settles: [{ kind: 'addIndex', table: 'Account', index: 'Account_id_key', columns: ['id'], unique: true }, { kind: 'setNotNull', table: 'Account', column: 'nickname' }],
    capture: async (db) => ({ accounts: await digest(db, 'SELECT * FROM "Account" ORDER BY "id"') }),
    verify: async (db, before) => {
      assert.strictEqual(await digest(db, 'SELECT * FROM "Account" ORDER BY "id"'), before.accounts);
      assert.strictEqual(await isNullable(db, 'Account', 'nickname'), 'NO');
      assert.deepStrictEqual((await db.query(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"Account"'::regclass AND contype IN ('p', 'c') ORDER BY 1`)).rows, [{ conname: 'Account_pkey', def: 'PRIMARY KEY (nickname)' }], 'the helper check is gone');
    },
  },
];

async function archiveTable(db: PGlite): Promise<string> {
  const name = await scalar<string>(db, `SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'migration_guard_archive'`);
  return name;
}

function scriptFile(written: PhaseWritten, phase: Phase): string {
  return path.join(written.planDir, phaseFolder(phase), phase.backfill?.scriptName ?? '');
}

async function pendingRows(db: PGlite, phase: Phase): Promise<number> {
  let total = 0;
  for (const step of phase.backfill?.steps ?? []) total += Number(await scalar(db, `SELECT count(*) FROM "${step.table}" WHERE ${step.pending}`));
  return total;
}

/** Runs one phase on the database: backup, script, then each migration, its down script, and the migration again. */
async function executePhase(db: PGlite, project: PrismaProject, written: PhaseWritten, c: Case, before: Captured): Promise<void> {
  const phase = written.phase;
  if (phase.backup) await runFile(db, path.join(written.planDir, phaseFolder(phase), 'backup.sql'));
  if (phase.backfill && c.script) {
    const pending = await pendingRows(db, phase);
    assert.ok(pending > 0, 'the backfill has rows to do');
    const dry = await runBackfillScript(db, scriptFile(written, phase), ['--dry-run']);
    assert.ok(dry.output.some((line) => /would change/.test(line)), 'a dry run says what it would change');
    assert.strictEqual(await pendingRows(db, phase), pending, 'a dry run changes nothing');
    assert.ok(dry.executed.every((sql) => sql.startsWith('SELECT')), 'a dry run only reads');
    if (c.interruptScriptAfter) {
      const first = await runBackfillScript(db, scriptFile(written, phase), [], { failAfterUpdates: c.interruptScriptAfter });
      assert.strictEqual(first.exitCode, 1, 'the interrupted run fails');
      assert.ok(await pendingRows(db, phase) > 0 && (await pendingRows(db, phase)) < pending, 'the interrupted run committed some batches');
      const resumed = await runBackfillScript(db, scriptFile(written, phase));
      const selects = resumed.executed.filter((sql) => sql.startsWith('SELECT') && !sql.includes('count(*)'));
      assert.match(selects[0], /\) > \(/, 'the rerun starts after the saved cursor');
    } else {
      const run = await runBackfillScript(db, scriptFile(written, phase));
      assert.ok(run.output.some((line) => /done, \d+ rows updated/.test(line)), run.output.join('\n'));
    }
    assert.strictEqual(await pendingRows(db, phase), 0, 'the script did the whole backfill');
  }
  for (const folder of written.migrationFolders) {
    const dir = path.join(project.migrationsDir, folder);
    const start = await catalog(db);
    await runFile(db, path.join(dir, 'migration.sql'));
    const done = await catalog(db);
    await runFile(db, path.join(dir, 'down.sql'));
    assert.deepStrictEqual(await catalog(db), start, `${folder}: down.sql restores the catalog as it was before`);
    await c.afterDown?.(db, folder, before);
    await runFile(db, path.join(dir, 'migration.sql'));
    assert.deepStrictEqual(await catalog(db), done, `${folder}: applies again after its down script`);
  }
  if (phase.backfill) assert.strictEqual(await pendingRows(db, phase), 0, 'no row is left to backfill');
}

describe('phases on PostgreSQL (PGlite)', function () {
  this.timeout(600000);
  let db: PGlite;
  const figures: Figures[] = [];
  let started = 0;

  before(async () => {
    started = performance.now();
    db = new PGlite();
    await db.waitReady;
    figures.push({ title: 'PGlite start', phases: 0, migrations: 0, ms: performance.now() - started });
  });

  after(async () => {
    await db?.close();
    cleanUp();
    const total = performance.now() - started;
    console.log(`\n      ${SEEDED_ROWS} seeded rows per case (+ case extras); timings:`);
    for (const f of figures) console.log(`      ${f.ms.toFixed(0).padStart(6)} ms  ${f.title}${f.phases ? ` (${f.phases} phases, ${f.migrations} migrations)` : ''}`);
    console.log(`      ${total.toFixed(0).padStart(6)} ms  in all`);
  });

  async function prepare(c: { seed?: string; editSchema?(schema: string): string; deployed?: string }): Promise<PrismaProject> {
    const project = copyFixture('pg-blog');
    if (c.deployed) addDeployedMigration(project, c.deployed);
    if (c.editSchema) {
      const edited = c.editSchema(schemaText(project));
      assert.notStrictEqual(edited, schemaText(project), 'the case edits the schema');
      fs.writeFileSync(project.schemaFiles[0], edited);
    }
    await resetDatabase(db);
    await applyMigrationsFolder(db, project.migrationsDir);
    await db.exec(SEED + (c.seed ?? ''));
    return project;
  }

  for (const c of cases) {
    it(c.title, async () => {
      const t0 = performance.now();
      const project = await prepare(c);
      const before = await c.capture(db);
      const original = schemaText(project);
      const others = await unmigrated(project);
      const { entries } = await planProject(project, c.options ?? {});
      const entry = entries.find((e) => e.ruleId === c.rule && e.change.table === c.table && (!c.column || summarizeChange(e.change).column === c.column));
      assert.ok(entry, `a plannable ${c.rule} change on ${c.table}`);
      const outcome = await planForFinding(project, { ruleId: c.rule, change: summarizeChange(entry.change) }, c.options ?? {});
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
      const plan = outcome.plan;
      if (c.phases) assert.deepStrictEqual(plan.phases.map((p) => `${p.key}: ${p.migrations.map((m) => m.slug).join(', ')}`), c.phases);
      const settled = new Set((c.settles ?? []).map(key));
      assert.ok((c.settles ?? []).every((s) => others.some((o) => key(o) === key(s))), 'the changes the plan settles are pending');
      const expectedLeft = others.filter((s) => !sameObject(s, entry.change) && !settled.has(key(s))).map(key).sort();
      assert.ok(expectedLeft.length < others.length, 'the planned change was pending');

      let written: PhaseWritten = applyFirstPhase(project, plan);
      let migrations = 0;
      for (let n = 1; n <= plan.phases.length; n++) {
        if (n > 1) {
          const next = advancePhase(project);
          assert.ok(next.ok, next.ok ? '' : next.reason);
          written = next;
        }
        assert.strictEqual(written.phase.number, n);
        for (const folder of written.migrationFolders) assert.match(folder, /^\d{14}_[a-z0-9_]+$/, 'a Prisma migration folder name');
        applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
        assertValidSchema(project, `after phase ${n}`);
        assert.deepStrictEqual((await unmigrated(project)).map(key).sort(), expectedLeft, `after phase ${n} the schema and the migrations agree about the change`);
        await executePhase(db, project, written, c, before);
        migrations += written.migrationFolders.length;
        if (c.afterPhase?.[n]) await db.exec(c.afterPhase[n]);
      }
      assert.strictEqual(schemaText(project), original, 'the last phase leaves the schema exactly as written');
      const done = advancePhase(project);
      assert.ok(!done.ok && /complete/.test(done.reason), 'nothing left to advance');
      await c.verify(db, before);
      figures.push({ title: c.title, phases: plan.phases.length, migrations, ms: performance.now() - t0 });
    });
  }

  async function firstPlan(project: PrismaProject, rule: string, table: string): Promise<PhaseWritten> {
    const { entries } = await planProject(project);
    const entry = entries.find((e) => e.ruleId === rule && e.change.table === table);
    assert.ok(entry?.outcome.ok);
    const written = applyFirstPhase(project, entry.outcome.plan);
    applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
    return written;
  }

  it('stops before building a unique index when duplicates exist, with a clear message', async () => {
    const project = await prepare({ seed: `UPDATE "Post" SET "slug" = 'dup-' || ("id" % 10) WHERE "id" <= 50;` });
    const written = await firstPlan(project, 'add-unique-constraint', 'Post');
    const [guard, build] = written.migrationFolders;
    assert.match(guard, /_guard_unique_slug_on_post$/);
    const start = await catalog(db);
    await assert.rejects(runFile(db, path.join(project.migrationsDir, guard, 'migration.sql')), (error: Error & { hint?: string }) => {
      assert.match(error.message, /^Unique index "Post_slug_key" cannot be built: values of Post\(slug\) occur more than once \(10 found\)$/);
      assert.match(error.hint ?? '', /GROUP BY "slug" HAVING count\(\*\) > 1/);
      return true;
    });
    assert.deepStrictEqual(await catalog(db), start, 'nothing changed');
    assert.match(fs.readFileSync(path.join(project.migrationsDir, build, 'migration.sql'), 'utf8'), /^CREATE UNIQUE INDEX CONCURRENTLY "Post_slug_key" ON "Post"\("slug"\);$/m);
    const preflight = fs.readFileSync(path.join(written.planDir, 'phase-1-build', 'preflight.sql'), 'utf8');
    assert.strictEqual((await db.query(preflight.split('\n').filter((l) => !l.startsWith('--')).join('\n'))).rows.length, 10, 'the preflight query lists the duplicates');
  });

  it('stops before moving a primary key onto values that occur twice, changing nothing', async () => {
    const project = await prepare({
      seed: `UPDATE "Account" SET "email" = 'shared@example.com' WHERE "id" IN (7, 8, 9);`,
      editSchema: (schema) => schema.replace('  id        Int      @id @default(autoincrement())\n  email     String\n', '  id        Int      @unique @default(autoincrement())\n  email     String   @id\n'),
    });
    const written = await firstPlan(project, 'change-primary-key', 'Account');
    const start = await catalog(db);
    await assert.rejects(runFile(db, path.join(project.migrationsDir, written.migrationFolders[0], 'migration.sql')), (error: Error & { hint?: string }) => {
      assert.strictEqual(error.message, 'The primary key (email) of Account cannot be built: values occur more than once (1 found)');
      assert.match(error.hint ?? '', /^Find them with: SELECT "email" FROM "Account" GROUP BY "email" HAVING count\(\*\) > 1;/);
      return true;
    });
    assert.deepStrictEqual(await catalog(db), start, 'nothing changed');
  });

  it('stops before adding a foreign key when rows point nowhere', async () => {
    const project = await prepare({ seed: `INSERT INTO "Post" ("accountId", "slug") VALUES (999999, 'orphan-1'), (888888, 'orphan-2');` });
    const written = await firstPlan(project, 'add-foreign-key', 'Post');
    const start = await catalog(db);
    await assert.rejects(runFile(db, path.join(project.migrationsDir, written.migrationFolders[0], 'migration.sql')), /Foreign key "Post_accountId_fkey" cannot be validated: rows of Post point to missing Account rows \(2 found\)/);
    assert.deepStrictEqual(await catalog(db), start, 'nothing changed');
  });

  it('stops before making a column required while the backfill has not run', async () => {
    const project = await prepare({});
    const first = await firstPlan(project, 'add-required-column', 'Account');
    await runFile(db, path.join(project.migrationsDir, first.migrationFolders[0], 'migration.sql'));
    const second = advancePhase(project);
    assert.ok(second.ok);
    applySchemaEditsToDisk(second.schemaEdits, second.schemaTexts);
    // The backfill migration is skipped on purpose: the contract phase must notice.
    const third = advancePhase(project);
    assert.ok(third.ok, third.ok ? '' : third.reason);
    applySchemaEditsToDisk(third.schemaEdits, third.schemaTexts);
    const start = await catalog(db);
    await assert.rejects(runFile(db, path.join(project.migrationsDir, third.migrationFolders[0], 'migration.sql')), /Account\.phone still has NULL values, so it cannot be made required yet \(3000 found\)/);
    assert.deepStrictEqual(await catalog(db), start, 'nothing changed');
  });

  it('what Prisma writes for a new autoincrement() column rewrites the table; the plan\'s first phase does not', async () => {
    await prepare({});
    const file = async (): Promise<unknown> => scalar(db, `SELECT pg_relation_filenode('"Receipt"')`);
    const seeded = await file();
    await db.exec('BEGIN; ALTER TABLE "Receipt" ADD COLUMN "number" SERIAL NOT NULL; ROLLBACK;');
    await db.exec('BEGIN; ALTER TABLE "Receipt" ADD COLUMN "number" SERIAL NOT NULL;');
    const rewritten = await file();
    await db.exec('ROLLBACK;');
    assert.notStrictEqual(rewritten, seeded, 'ADD COLUMN ... SERIAL gives the table a new file: every row is written again under ACCESS EXCLUSIVE');
    await db.exec(`CREATE SEQUENCE "Receipt_number_seq" AS integer; ALTER TABLE "Receipt" ADD COLUMN "number" INTEGER; ALTER TABLE "Receipt" ALTER COLUMN "number" SET DEFAULT nextval('"Receipt_number_seq"');`);
    assert.strictEqual(await file(), seeded, 'a nullable column given the sequence as default afterwards rewrites nothing');
  });
});
