/**
 * The project and data the preflight tests share (the CLI's and the editor's):
 * pending changes that cover every count of the preflight, and a database
 * seeded so that each count has a known answer.
 */
import { Client } from 'pg';
import { formatBytes, formatPercent } from '../../server/src/analysis/preflight';
import { samplePercent } from '../../server/src/analysis/preflightDatabase';
import { git, type PostgresServer, tempDir, writeFiles } from './support';

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n\n';

/** The deployed migration, as Prisma writes it. */
const INIT_SQL = `-- CreateEnum
CREATE TYPE "Status" AS ENUM ('DRAFT', 'PUBLISHED', 'ARCHIVED');

-- CreateTable
CREATE TABLE "Account" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "nickname" TEXT,
    "region" TEXT,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "status" "Status" NOT NULL DEFAULT 'DRAFT',
    "rating" BIGINT,
    "slug" VARCHAR(40),

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Comment" (
    "id" SERIAL NOT NULL,
    "postId" INTEGER NOT NULL,
    "body" TEXT,

    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" SERIAL NOT NULL,
    "kind" TEXT,
    "payload" TEXT NOT NULL,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" SERIAL NOT NULL,
    "label" TEXT NOT NULL,

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);
`;

const INIT_SCHEMA = `${DATASOURCE}enum Status {
  DRAFT
  PUBLISHED
  ARCHIVED
}

model Account {
  id       Int     @id @default(autoincrement())
  email    String
  nickname String?
  region   String?
}

model Post {
  id        Int     @id @default(autoincrement())
  accountId Int
  title     String
  status    Status  @default(DRAFT)
  rating    BigInt?
  slug      String? @db.VarChar(40)
}

model Comment {
  id     Int     @id @default(autoincrement())
  postId Int
  body   String?
}

model Event {
  id      Int     @id @default(autoincrement())
  kind    String?
  payload String
}

model Tag {
  id    Int    @id @default(autoincrement())
  label String
}
`;

/** The pending migration: it carries three of the changes; the others are only in the edited schema. */
const PENDING_SQL = `-- AlterTable
ALTER TABLE "Account" ALTER COLUMN "nickname" SET NOT NULL;

-- AlterTable
ALTER TABLE "Post" ALTER COLUMN "rating" SET DATA TYPE INTEGER USING ("rating" / 1000);

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`;

const EDITED_SCHEMA = `${DATASOURCE}enum Status {
  DRAFT
  PUBLISHED
}

model Account {
  id       Int    @id @default(autoincrement())
  email    String @unique
  nickname String
  region   String
  plan     String
}

model Post {
  id        Int       @id @default(autoincrement())
  accountId Int
  title     String
  status    Status    @default(DRAFT)
  rating    Int?
  slug      String?   @db.VarChar(10)
  comments  Comment[]

  @@index([accountId])
}

model Comment {
  id     Int     @id @default(autoincrement())
  postId Int
  body   String?
  post   Post    @relation(fields: [postId], references: [id])
}

model Event {
  id      Int    @id @default(autoincrement())
  kind    String
  payload String
}

model Tag {
  id    Int    @id @default(autoincrement())
  label String
  color String
}
`;

/**
 * The data, each count known: Account 1,204 rows (37 of the generated ones without a nickname, every region set, e-mails shared
 * by 3 + 2 + 2 rows; one of bob's has no nickname either, 38 in all); Post 60 rows (5 ARCHIVED; ratings: 2 too big even divided by 1000, 3 that fit only
 * divided; 4 slugs longer than 10); Comment 30 rows, 4 pointing at no post; Event 20,000 rows, over the
 * scan limit, every kind set; Tag empty.
 */
const SEED_SQL = `
INSERT INTO "Account" ("email", "nickname", "region")
  SELECT 'user' || g || '@example.com', CASE WHEN g % 32 = 0 THEN NULL ELSE 'nick' || g END, 'eu' FROM generate_series(1, 1197) g;
INSERT INTO "Account" ("email", "nickname", "region") VALUES
  ('carol@example.com', 'c1', 'us'), ('carol@example.com', 'c2', 'us'), ('carol@example.com', 'c3', 'us'),
  ('bob@example.com', NULL, 'us'), ('bob@example.com', 'b2', 'us'),
  ('al@example.com', 'a1', 'us'), ('al@example.com', 'a2', 'us');
INSERT INTO "Post" ("accountId", "title", "status", "rating", "slug")
  SELECT 1 + g % 50, 'Post ' || g,
         (CASE WHEN g <= 5 THEN 'ARCHIVED' ELSE 'PUBLISHED' END)::"Status",
         CASE WHEN g <= 2 THEN 5000000000000 WHEN g <= 5 THEN 3000000000 WHEN g <= 10 THEN NULL ELSE g * 10 END,
         CASE WHEN g <= 4 THEN 'a-rather-long-slug-' || g WHEN g <= 8 THEN NULL ELSE 'p-' || g END
    FROM generate_series(1, 60) g;
INSERT INTO "Comment" ("postId", "body")
  SELECT CASE WHEN g <= 4 THEN 9000 + g ELSE 1 + g % 60 END, 'Comment ' || g FROM generate_series(1, 30) g;
INSERT INTO "Event" ("kind", "payload") SELECT 'kind-' || (g % 7), repeat('x', 200) FROM generate_series(1, 20000) g;
ANALYZE;
`;


/** Bytes of each table as the server stores them (page layout differs between PostgreSQL versions, so they are read, not written down). */
export interface TableBytes {
  table: Record<string, number>;
  total: Record<string, number>;
}

/** Creates database `app` with the deployed schema and the data, and a SELECT-only role `pf_reader`. */
export async function seedPreflightDatabase(server: PostgresServer, readerPassword: string): Promise<{ sizes: TableBytes; version: string }> {
  const admin = new Client({ connectionString: server.adminUrl() });
  await admin.connect();
  await admin.query('CREATE DATABASE app');
  await admin.end();
  const app = new Client({ connectionString: server.adminUrl('app') });
  await app.connect();
  try {
    await app.query(INIT_SQL);
    await app.query(SEED_SQL);
    await app.query(`CREATE ROLE pf_reader LOGIN PASSWORD '${readerPassword}'`);
    await app.query('GRANT USAGE ON SCHEMA public TO pf_reader');
    await app.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO pf_reader');
    await app.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    const measured = await app.query<{ name: string; table: string; total: string }>(
      `SELECT relname AS name, pg_table_size(oid)::text AS table, pg_total_relation_size(oid)::text AS total FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`,
    );
    const sizes: TableBytes = { table: {}, total: {} };
    for (const row of measured.rows) {
      sizes.table[row.name] = Number(row.table);
      sizes.total[row.name] = Number(row.total);
    }
    const version = (await app.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version.split(' ')[0];
    return { sizes, version };
  } finally {
    await app.end();
  }
}

/** The project: the init migration committed, the pending migration and the edited schema not yet. */
export function writePreflightProject(): string {
  const project = tempDir('pmg-preflight-');
  git(project, 'init', '-q', '-b', 'main');
  writeFiles(project, {
    'prisma/schema.prisma': INIT_SCHEMA,
    'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    'prisma/migrations/20250101000000_init/migration.sql': INIT_SQL,
  });
  git(project, 'add', '.');
  git(project, 'commit', '-q', '-m', 'init');
  writeFiles(project, { 'prisma/schema.prisma': EDITED_SCHEMA, 'prisma/migrations/20250201000000_tighten/migration.sql': PENDING_SQL });
  return project;
}

export type Row = [file: string, line: number, ruleId: string, severity: string, message: string, counted: string];

export const MIGRATION = 'prisma/migrations/20250201000000_tighten/migration.sql';
export const SCHEMA = 'prisma/schema.prisma';

/** The findings as the preflight must leave them. `full`: the big table read whole; `shown`: duplicate keys unmasked. */
export function expectedFindings(sizes: TableBytes, options: { full?: boolean; shown?: boolean } = {}): Row[] {
  const read = (t: string, rows: string): string => `\`${t}\`: ~${rows} rows, ${formatBytes(sizes.table[t])}; reading it under the lock takes under a second (at ~200 MB/s).`;
  const build = (t: string, rows: string): string => `\`${t}\`: ~${rows} rows, ${formatBytes(sizes.table[t])}; building the index under the lock takes under a second (at ~50 MB/s).`;
  const rewrite = (t: string, rows: string): string =>
    `\`${t}\`: ~${rows} rows, ${formatBytes(sizes.total[t])} with its indexes; rewriting it under the lock takes under a second (at ~50 MB/s).`;
  const percent = samplePercent(1e6, sizes.table.Event);
  const examples = options.shown ? "'carol@example.com' ×3, 'al@example.com' ×2, 'bob@example.com' ×2" : 'c******** ×3, a******** ×2, b******** ×2';
  const event: Row = options.full
    ? [SCHEMA, 38, 'make-column-required', 'warning',
        '`Event.kind` made required: SET NOT NULL fails if any row holds NULL, and it scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes. (`Event` has ~20k rows.) ' +
        `Preflight: No row of \`Event\` holds NULL in \`kind\`: the migration will not fail on existing rows. ${read('Event', '20k')}`,
        'nulls exact 0']
    : [SCHEMA, 38, 'make-column-required', 'error',
        '`Event.kind` made required: SET NOT NULL fails if any row holds NULL, and it scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes. (`Event` has ~20k rows.) ' +
        `Preflight: No NULL in \`kind\` found in a ${formatPercent(percent)} sample of \`Event\` (it is over the 1 MB scan limit, so it was not read whole): not proven for the whole table. ${read('Event', '20k')}`,
        `nulls sampled 0 @${percent}%`];
  return [
    [MIGRATION, 1, 'sql-missing-lock-timeout', 'warning',
      'This statement needs an ACCESS EXCLUSIVE lock on "Account" and no lock_timeout is in force: if any transaction is using the table, the migration waits for it, and every query that arrives meanwhile — plain SELECTs included — queues behind the migration. 2 later statements of this file need such locks too, on "Post" and "Comment".',
      '-'],
    [MIGRATION, 1, 'sql-set-not-null-scan', 'error',
      'SET NOT NULL on "Account"."nickname" reads the whole table under an ACCESS EXCLUSIVE lock to prove no row is NULL: nobody can read or write "Account" until the scan ends, and one NULL fails the migration. (`Account` has ~1,204 rows.) ' +
      `Preflight: 38 rows of \`Account\` hold NULL in \`nickname\`. ${read('Account', '1,204')}`,
      'nulls exact 38'],
    [MIGRATION, 7, 'sql-foreign-key-not-valid', 'error',
      'Foreign key "Comment_postId_fkey" is added without NOT VALID: PostgreSQL reads every row of "Comment" and looks it up in "Post" while holding SHARE ROW EXCLUSIVE locks on both tables, so writes to both wait for the whole check, and a single orphan row fails the migration. (`Post` has ~60 rows.) ' +
      `Preflight: 4 rows of \`Comment\` point at no \`Post\` row (\`postId\`). ${read('Comment', '30')}`,
      'orphans exact 4'],
    [SCHEMA, 4, 'remove-enum-value', 'error',
      'Enum value `ARCHIVED` removed from `Status`: the migration fails if any row still holds it (used by `Post.status`), and the type change rewrites those tables under lock. ' +
      `Preflight: 5 rows hold \`ARCHIVED\` in \`Post.status\`. ${rewrite('Post', '60')}`,
      'enumValue exact 5'],
    [SCHEMA, 11, 'add-unique-constraint', 'error',
      'New unique constraint `Account_email_key` on `Account` (email): the migration fails if existing rows hold duplicate values, and the build blocks writes to the table while it runs. (`Account` has ~1,204 rows.) ' +
      `Preflight: 3 values of (\`email\`) are shared by 7 rows of \`Account\`, e.g. ${examples}. ${build('Account', '1,204')}`,
      'duplicates exact 7 in 3'],
    [SCHEMA, 12, 'make-column-required', 'error',
      '`Account.nickname` made required: SET NOT NULL fails if any row holds NULL, and it scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes. (`Account` has ~1,204 rows.) ' +
      `Preflight: 38 rows of \`Account\` hold NULL in \`nickname\`. ${read('Account', '1,204')}`,
      'nulls exact 38'],
    [SCHEMA, 13, 'make-column-required', 'warning',
      '`Account.region` made required: SET NOT NULL fails if any row holds NULL, and it scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes. (`Account` has ~1,204 rows.) ' +
      `Preflight: No row of \`Account\` holds NULL in \`region\`: the migration will not fail on existing rows. ${read('Account', '1,204')}`,
      'nulls exact 0'],
    [SCHEMA, 14, 'add-required-column', 'error',
      'Required column `Account.plan` added to `Account` without a database default: the migration fails if the table has rows, and running code inserts rows without it. (`Account` has ~1,204 rows.) ' +
      'Preflight: 1,204 rows of `Account` have no `plan`.',
      'rows exact 1204'],
    [SCHEMA, 22, 'change-column-type', 'error',
      '`Post.rating` changes type from `int8` to `int4`: the cast fails on values that do not fit, and the table is rewritten under an exclusive lock. (`Post` has ~60 rows.) ' +
      `Preflight: 2 rows of \`Post\` hold a \`rating\` that does not convert to \`INTEGER\` (with \`USING ("rating" / 1000)\`). ${rewrite('Post', '60')}`,
      'cast exact 2'],
    [SCHEMA, 23, 'change-column-type', 'error',
      '`Post.slug` changes type from `varchar(40)` to `varchar(10)`: the cast fails on values that do not fit, and the table is rewritten under an exclusive lock. (`Post` has ~60 rows.) ' +
      `Preflight: 4 rows of \`Post\` hold a \`slug\` that does not convert to \`varchar(10)\`. ${rewrite('Post', '60')}`,
      'cast exact 4'],
    [SCHEMA, 26, 'create-index-blocking', 'info',
      'New index `Post_accountId_idx` on `Post` (accountId): CREATE INDEX blocks all writes to the table until the build finishes. (`Post` has ~60 rows: the lock is held only briefly.) ' +
      `Preflight: ${build('Post', '60')}`,
      'size only'],
    [SCHEMA, 33, 'add-foreign-key', 'error',
      'New foreign key `Comment_postId_fkey` on `Comment` (postId → `Post`): adding it checks every existing row while blocking writes to both tables, and fails if any row points at a missing `Post` row. (`Post` has ~60 rows.) ' +
      `Preflight: 4 rows of \`Comment\` point at no \`Post\` row (\`postId\`). ${read('Comment', '30')}`,
      'orphans exact 4'],
    event,
    [SCHEMA, 45, 'add-required-column', 'warning',
      'Required column `Tag.color` added to `Tag` without a database default: the migration fails if the table has rows, and running code inserts rows without it. (`Tag` looks empty, per the database\'s row estimates: no existing row can make it fail, if the estimate is current.) ' +
      'Preflight: `Tag` has no rows, so adding the column cannot fail on existing rows.',
      'rows exact 0'],
  ];
}

