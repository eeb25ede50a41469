/**
 * check --preflight against a real MariaDB (Debian's mariadb-server, started
 * here as the MySQL replay tests start it): each count of the issue on a
 * MySQL project, a read-only user, and a table over the scan limit, which
 * MySQL cannot sample and so skips with a note. Whole findings are asserted.
 */
import * as assert from 'assert';
import { formatBytes } from '../../server/src/analysis/preflight';
import { formatRows } from '../../server/src/analysis/tableSizes';
import { startMariaDbOrSkip, type MariaDb } from '../replay/mysql-server';
import { runCli, tempDir, writeFiles } from './support';

const DATASOURCE = 'datasource db {\n  provider = "mysql"\n}\n\n';

const INIT_SQL = `-- CreateTable
CREATE TABLE \`Account\` (
    \`id\` INTEGER NOT NULL AUTO_INCREMENT,
    \`email\` VARCHAR(191) NOT NULL,
    \`nickname\` VARCHAR(191) NULL,
    \`role\` ENUM('USER', 'ADMIN', 'GUEST') NOT NULL DEFAULT 'USER',
    \`code\` VARCHAR(40) NULL,

    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE \`Post\` (
    \`id\` INTEGER NOT NULL AUTO_INCREMENT,
    \`accountId\` INTEGER NOT NULL,
    \`title\` VARCHAR(191) NOT NULL,

    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE \`Event\` (
    \`id\` INTEGER NOT NULL AUTO_INCREMENT,
    \`kind\` VARCHAR(191) NULL,
    \`payload\` TEXT NOT NULL,

    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
`;

const EDITED_SCHEMA = `${DATASOURCE}enum Role {
  USER
  ADMIN
}

model Account {
  id       Int     @id @default(autoincrement())
  email    String  @unique
  nickname String
  role     Role    @default(USER)
  code     String? @db.VarChar(8)
  plan     String
  posts    Post[]
}

model Post {
  id        Int     @id @default(autoincrement())
  accountId Int
  title     String
  account   Account @relation(fields: [accountId], references: [id])
}

model Event {
  id      Int    @id @default(autoincrement())
  kind    String
  payload String @db.Text
}
`;

/** A number sequence without MariaDB's sequence engine: a recursive CTE in a derived table. */
const numbers = (count: number): string => `(WITH RECURSIVE s AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM s WHERE n < ${count}) SELECT n FROM s) AS g`;

/**
 * Account 300 rows: 9 without a nickname, e-mails shared by 2 + 2 rows, 6 GUESTs, 3 codes longer than 8;
 * Post 40 rows, 5 pointing at no account; Event 20,000 rows of 200 bytes, over the 1 MB scan limit.
 */
const SEED_SQL = `
SET SESSION max_recursive_iterations = 100000;
INSERT INTO \`Account\` (\`email\`, \`nickname\`, \`role\`, \`code\`)
  SELECT CASE WHEN g.n <= 2 THEN 'twin@example.com' WHEN g.n <= 4 THEN 'pair@example.com' ELSE CONCAT('user', g.n, '@example.com') END,
         CASE WHEN g.n % 33 = 0 THEN NULL ELSE CONCAT('nick', g.n) END,
         CASE WHEN g.n <= 6 THEN 'GUEST' WHEN g.n <= 20 THEN 'ADMIN' ELSE 'USER' END,
         CASE WHEN g.n <= 3 THEN CONCAT('long-code-', g.n) WHEN g.n <= 10 THEN NULL ELSE CONCAT('c', g.n) END
    FROM ${numbers(300)};
INSERT INTO \`Post\` (\`accountId\`, \`title\`) SELECT CASE WHEN g.n <= 5 THEN 5000 + g.n ELSE 1 + g.n % 300 END, CONCAT('Post ', g.n) FROM ${numbers(40)};
INSERT INTO \`Event\` (\`kind\`, \`payload\`) SELECT CONCAT('kind-', g.n % 7), REPEAT('x', 200) FROM ${numbers(20000)};
ANALYZE TABLE \`Account\`, \`Post\`, \`Event\`;
`;

interface JsonOutput {
  findings: { ruleId: string; severity: string; message: string; file: string; range: { start: { line: number } }; preflight?: { check?: string; method?: string; count?: number } }[];
  notes: { level: string; message: string }[];
}

describe('check --preflight on a real MariaDB', function () {
  this.timeout(600000);
  let db: MariaDb | undefined;
  let project: string;
  let port: number;
  let sizes: Record<string, { rows: number; data: number; indexes: number }>;
  const password = 'My-Reader-4q';

  before(async function () {
    db = await startMariaDbOrSkip(this);
    db.createDatabase('app');
    for (const sql of [INIT_SQL, SEED_SQL]) {
      const result = db.run(sql, 'app');
      assert.ok(result.ok, result.error);
    }
    const user = db.run(`CREATE USER 'pf_reader'@'127.0.0.1' IDENTIFIED BY '${password}'; GRANT SELECT ON app.* TO 'pf_reader'@'127.0.0.1';`);
    assert.ok(user.ok, user.error);
    port = db.json<number>('SELECT @@port');
    const rows = db.json<{ name: string; rows: number; data: number; indexes: number }[]>(
      "SELECT JSON_ARRAYAGG(JSON_OBJECT('name', TABLE_NAME, 'rows', TABLE_ROWS, 'data', DATA_LENGTH, 'indexes', INDEX_LENGTH)) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app'",
    );
    sizes = Object.fromEntries(rows.map((r) => [r.name, { rows: r.rows, data: r.data, indexes: r.indexes }]));
    project = tempDir('pmg-preflight-mysql-');
    writeFiles(project, {
      'prisma/schema.prisma': EDITED_SCHEMA,
      'prisma/migrations/migration_lock.toml': 'provider = "mysql"\n',
      'prisma/migrations/20250101000000_init/migration.sql': INIT_SQL,
    });
  });

  after(async () => {
    await db?.stop();
  });

  it('counts each risk on MariaDB read-only: NULLs, duplicates (masked), removed enum values, values too long, orphans, rows a new column leaves empty; a table over the limit is skipped', () => {
    const url = `mysql://pf_reader:${password}@127.0.0.1:${port}/app`;
    const result = runCli(['check', project, '--format', 'json', '--preflight', '--preflight-scan-limit', '1', '--database-url-env', 'PMG_PF_MYSQL'], { env: { ...process.env, PMG_PF_MYSQL: url } });
    assert.strictEqual(result.code, 1, result.stderr);
    assert.strictEqual(result.stderr, '');
    assert.ok(!result.stdout.includes(password));
    const output = JSON.parse(result.stdout) as JsonOutput;
    const rewrite = (table: string): string =>
      `\`${table}\`: ~${formatRows(sizes[table].rows)} rows, ${formatBytes(sizes[table].data + sizes[table].indexes)} with its indexes; rewriting it under the lock takes under a second (at ~50 MB/s).`;
    const copyEnum = "Prisma's `MODIFY ... ENUM(...)` copies the whole table (ALGORITHM=COPY, writes blocked until it ends) and, in strict mode, fails if any row still holds `GUEST` — without strict mode those rows silently become ''.";
    const notNull = "`MODIFY ... NOT NULL` rebuilds the table in place (writes continue, but it reads and rewrites every row), and in strict mode it fails if any row holds NULL — without strict mode those NULLs silently become '' or 0.";
    const version = db!.version.split('-')[0];
    assert.deepStrictEqual(
      output.findings.map((f) => [f.range.start.line, f.ruleId, f.severity, f.message, f.preflight ? `${f.preflight.check} ${f.preflight.method} ${f.preflight.count ?? ''}` : '-']),
      [
        [11, 'add-unique-constraint', 'error',
          'New unique constraint `Account_email_key` on `Account` (email): the migration fails if existing rows hold duplicate values; InnoDB builds it in place without blocking writes (ALGORITHM=INPLACE, LOCK=NONE), but a duplicate written while it builds makes it fail too. ' +
          'Preflight: 2 values of (`email`) are shared by 4 rows of `Account`, e.g. p******** ×2, t******** ×2.',
          'duplicates exact 4'],
        [12, 'make-column-required', 'error', `\`Account.nickname\` made required: ${notNull} Preflight: 9 rows of \`Account\` hold NULL in \`nickname\`. ${rewrite('Account')}`, 'nulls exact 9'],
        [13, 'remove-enum-value', 'error', `Enum value \`GUEST\` removed from \`Account.role\`: ${copyEnum} Preflight: 6 rows hold \`GUEST\` in \`Account.role\`. ${rewrite('Account')}`, 'enumValue exact 6'],
        [14, 'change-column-type', 'error',
          '`Account.code` changes type from `varchar(40)` to `varchar(8)`: MySQL copies the whole table (ALGORITHM=COPY, writes blocked until it ends), and in strict mode the copy fails on a value that does not fit the new type — without strict mode it is silently cut or clamped. ' +
          `Preflight: 3 rows of \`Account\` hold a \`code\` that does not convert to \`varchar(8)\`. ${rewrite('Account')}`,
          'cast exact 3'],
        [15, 'add-required-column', 'error',
          "Required column `Account.plan` added to `Account` without a database default: MySQL does not fail, existing rows silently get '', a value nobody chose, and running code inserts rows without it. Preflight: 300 rows of `Account` have no `plan`.",
          'rows exact 300'],
        [23, 'add-foreign-key', 'error',
          'New foreign key `Post_accountId_fkey` on `Post` (accountId → `Account`): prisma migrate runs with foreign_key_checks on, so MySQL adds it by copying the whole table (ALGORITHM=COPY), blocking writes until the copy ends, and fails if a row points at a missing `Account` row. InnoDB also builds an index on (accountId) for it, since none exists. ' +
          `Preflight: 5 rows of \`Post\` point at no \`Account\` row (\`accountId\`). ${rewrite('Post')}`,
          'orphans exact 5'],
        [23, 'schema-drift', 'warning', 'No migration yet for this change (index `Post_accountId_fkey` added on `Post`): code built from this schema fails against a database that lacks it.', '-'],
        [28, 'make-column-required', 'error',
          `\`Event.kind\` made required: ${notNull} Preflight: Not counted: \`Event\` (${formatBytes(sizes.Event.data)}) is over the 1 MB scan limit and MariaDB cannot read a sample of it, so it was not read. ${rewrite('Event')}`,
          'nulls skipped '],
      ],
    );
    assert.deepStrictEqual(output.notes, [
      { level: 'info', message: 'Not in a git repository: all 1 migration(s) count as deployed.' },
      { level: 'info', message: `Preflight against mysql://pf_reader:****@127.0.0.1:${port}/app (MariaDB ${version}), read-only, statement timeout 30 s: 7 count(s), 3 table size(s).` },
      { level: 'info', message: 'Preflight: 1 count(s) skipped on tables over the 1 MB scan limit; a full scan reads them whole.' },
    ]);
  });

  it('--preflight-full-scan counts the big table too: no NULL, so the failure goes away and the rebuild stays', () => {
    const url = `mysql://pf_reader:${password}@127.0.0.1:${port}/app`;
    const result = runCli(['check', project, '--format', 'json', '--preflight', '--preflight-full-scan', '--database-url', url]);
    assert.strictEqual(result.code, 1, result.stderr);
    const event = (JSON.parse(result.stdout) as JsonOutput).findings.filter((f) => f.message.startsWith('`Event.kind`'));
    assert.deepStrictEqual(
      event.map((f) => [f.severity, f.message]),
      [[
        'warning',
        "`Event.kind` made required: `MODIFY ... NOT NULL` rebuilds the table in place (writes continue, but it reads and rewrites every row), and in strict mode it fails if any row holds NULL — without strict mode those NULLs silently become '' or 0. " +
          `Preflight: No row of \`Event\` holds NULL in \`kind\`: the migration will not fail on existing rows. \`Event\`: ~${formatRows(sizes.Event.rows)} rows, ${formatBytes(sizes.Event.data + sizes.Event.indexes)} with its indexes; rewriting it under the lock takes under a second (at ~50 MB/s).`,
      ]],
    );
  });
});
