/**
 * The MySQL rules' claims, checked on a real MariaDB (Debian's mariadb-server,
 * started by test/replay/mysql-server.ts; skipped with the reason where it is
 * not installed). For each ALTER TABLE below, on a table with rows:
 *   - our rules judge the statement as written (no ALGORITHM, no LOCK), and
 *     say it blocks writes (a finding above info) or not;
 *   - MariaDB runs the same statement with `ALGORITHM=INPLACE, LOCK=NONE`
 *     appended, which it refuses exactly when it cannot do it online.
 * The two must agree, and the refusal must give the reason our message
 * quotes. What the rules say about MySQL 8 alone (read from its documentation)
 * is named as such in the rule pages; it is not checked here.
 */
import * as assert from 'assert';
import { judgeMigrationSql } from '../../server/src/analysis/sqlAnalysis';
import { defaultConfig } from '../../server/src/project/config';
import { createMysqlReplayer } from '../../server/src/replay/mysql';
import type { DbState } from '../../server/src/core/dbState';
import sqlMysqlForeignKeyChecks from '../../server/src/rules/sql-mysql-foreign-key-checks';
import sqlMysqlIndexNotOnline from '../../server/src/rules/sql-mysql-index-not-online';
import sqlMysqlTableCopy from '../../server/src/rules/sql-mysql-table-copy';
import type { Finding } from '../../server/src/rules/types';
import { startMariaDbOrSkip, type MariaDb } from '../replay/mysql-server';

const INIT = `
CREATE TABLE \`User\` (
  \`id\` INTEGER NOT NULL AUTO_INCREMENT,
  \`email\` VARCHAR(191) NOT NULL,
  \`name\` VARCHAR(100) NULL,
  \`code\` VARCHAR(50) NULL,
  \`age\` INTEGER NULL,
  \`role\` ENUM('USER', 'ADMIN') NOT NULL DEFAULT 'USER',
  UNIQUE INDEX \`User_email_key\`(\`email\`),
  PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE \`Post\` (
  \`id\` INTEGER NOT NULL AUTO_INCREMENT,
  \`title\` VARCHAR(191) NOT NULL,
  \`body\` TEXT NULL,
  \`authorId\` INTEGER NOT NULL,
  PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE \`Tag\` (
  \`name\` VARCHAR(50) NOT NULL,
  PRIMARY KEY (\`name\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
`;

const ROWS = `
INSERT INTO \`User\` (\`email\`, \`name\`, \`code\`, \`age\`) VALUES ('a@x.test', 'Ann', 'A1', 31), ('b@x.test', 'Bob', 'B2', 42);
INSERT INTO \`Post\` (\`title\`, \`body\`, \`authorId\`) VALUES ('Hello', 'first post', 1), ('Again', 'second post', 2);
INSERT INTO \`Tag\` (\`name\`) VALUES ('news'), ('tips');
`;

interface Case {
  name: string;
  /** One ALTER TABLE without ALGORITHM or LOCK. */
  sql: string;
  /** MariaDB's reason when it refuses ALGORITHM=INPLACE, LOCK=NONE (when our rules say the statement blocks). */
  refusal?: RegExp;
}

const CASES: Case[] = [
  { name: 'INT to BIGINT', sql: 'ALTER TABLE `User` MODIFY `age` BIGINT NULL', refusal: /Cannot change column type/ },
  { name: 'VARCHAR(50) to VARCHAR(70): the length prefix grows to 2 bytes', sql: 'ALTER TABLE `User` MODIFY `code` VARCHAR(70) NULL', refusal: /Cannot change column type/ },
  { name: 'VARCHAR(50) to VARCHAR(40): narrowing', sql: 'ALTER TABLE `User` MODIFY `code` VARCHAR(40) NULL', refusal: /Cannot change column type/ },
  { name: 'VARCHAR(100) to VARCHAR(150): same 2-byte prefix', sql: 'ALTER TABLE `User` MODIFY `name` VARCHAR(150) NULL' },
  { name: 'VARCHAR to TEXT', sql: 'ALTER TABLE `User` MODIFY `name` TEXT NULL', refusal: /Cannot change column type/ },
  { name: 'ENUM member appended', sql: "ALTER TABLE `User` MODIFY `role` ENUM('USER', 'ADMIN', 'OWNER') NOT NULL DEFAULT 'USER'" },
  { name: 'ENUM member inserted before others', sql: "ALTER TABLE `User` MODIFY `role` ENUM('USER', 'OWNER', 'ADMIN') NOT NULL DEFAULT 'USER'", refusal: /Cannot change column type/ },
  { name: 'ENUM member removed', sql: "ALTER TABLE `User` MODIFY `role` ENUM('USER') NOT NULL DEFAULT 'USER'", refusal: /Cannot change column type/ },
  { name: 'CONVERT TO CHARACTER SET', sql: 'ALTER TABLE `Post` CONVERT TO CHARACTER SET latin1', refusal: /Cannot change column type/ },
  { name: 'AUTO_INCREMENT column added', sql: 'ALTER TABLE `Tag` ADD COLUMN `seq` INTEGER NOT NULL AUTO_INCREMENT UNIQUE', refusal: /auto-increment column requires a lock/ },
  { name: 'index added', sql: 'ALTER TABLE `User` ADD INDEX `User_code_idx`(`code`)' },
  { name: 'unique index added', sql: 'ALTER TABLE `User` ADD UNIQUE INDEX `User_code_key`(`code`)' },
  { name: 'index added with a type change', sql: 'ALTER TABLE `User` ADD INDEX `User_code_idx`(`code`), MODIFY `age` BIGINT NULL', refusal: /Cannot change column type/ },
  { name: 'FULLTEXT index added', sql: 'ALTER TABLE `Post` ADD FULLTEXT INDEX `Post_body_idx`(`body`)', refusal: /Fulltext index creation requires a lock/ },
  { name: 'foreign key added, checks on', sql: 'ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE', refusal: /Adding foreign keys needs foreign_key_checks=OFF/ },
  { name: 'foreign key added, checks off', sql: 'SET FOREIGN_KEY_CHECKS=0;\nALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE' },
  { name: 'primary key dropped without a new one', sql: 'ALTER TABLE `Tag` DROP PRIMARY KEY', refusal: /Dropping a primary key is not allowed without also adding a new primary key/ },
  { name: 'primary key replaced', sql: 'ALTER TABLE `Tag` DROP PRIMARY KEY, ADD PRIMARY KEY (`name`)' },
  { name: 'nullable column added at the end', sql: 'ALTER TABLE `User` ADD COLUMN `phone` VARCHAR(20) NULL' },
  { name: 'column dropped', sql: 'ALTER TABLE `User` DROP COLUMN `age`' },
];

describe('MySQL rules agree with a real MariaDB about what blocks writes', function () {
  this.timeout(600000);
  let db: MariaDb | undefined;
  let baseline: DbState;
  let counter = 0;

  before(async function () {
    db = await startMariaDbOrSkip(this);
    const replayer = await createMysqlReplayer();
    replayer.apply({ name: '20240101000000_init', file: 'init/migration.sql', sql: INIT });
    baseline = replayer.state();
  });

  after(async () => {
    await db?.stop();
  });

  function judged(sql: string): Finding[] {
    return judgeMigrationSql({
      provider: 'mysql',
      baseline,
      pending: [{ name: '20240610120000_change', file: 'change/migration.sql', sql: `${sql};\n` }],
      config: defaultConfig,
      rules: [sqlMysqlTableCopy, sqlMysqlIndexNotOnline, sqlMysqlForeignKeyChecks],
    }).findings;
  }

  /** A fresh database with the tables and a few rows. */
  function populated(): string {
    const name = `online_ddl_${++counter}`;
    const server = db as MariaDb;
    server.createDatabase(name);
    const setup = server.run(INIT + ROWS, name);
    assert.ok(setup.ok, setup.error);
    return name;
  }

  for (const c of CASES) {
    it(`${c.name}: ${c.refusal ? 'reported as blocking, and MariaDB refuses LOCK=NONE' : 'not reported as blocking, and MariaDB runs it with LOCK=NONE'}`, () => {
      const blocking = judged(c.sql).filter((f) => f.severity !== 'info');
      assert.strictEqual(blocking.length > 0, c.refusal !== undefined, `our rules: ${JSON.stringify(blocking.map((f) => f.message))}`);
      const result = (db as MariaDb).run(`${c.sql}, ALGORITHM=INPLACE, LOCK=NONE;`, populated());
      if (c.refusal) {
        assert.strictEqual(result.ok, false, 'MariaDB accepted ALGORITHM=INPLACE, LOCK=NONE');
        assert.match(result.error, c.refusal);
        // The message quotes the same reason, so the person editing recognises the error when they try.
        const asked = judged(`${c.sql}, ALGORITHM=INPLACE, LOCK=NONE`);
        assert.ok(asked.some((f) => f.severity === 'error' && c.refusal!.test(f.message)), `no error quoting ${c.refusal}: ${JSON.stringify(asked.map((f) => f.message))}`);
      } else {
        assert.strictEqual(result.ok, true, result.error);
      }
    });
  }

  it('a foreign key added with checks on fails on a row that points nowhere; with checks off it is added unchecked', () => {
    const server = db as MariaDb;
    const database = populated();
    assert.ok(server.run('INSERT INTO `Post` (`title`, `authorId`) VALUES (\'orphan\', 99);', database).ok);
    const fk = 'ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`)';
    const checked = server.run(`${fk};`, database);
    assert.strictEqual(checked.ok, false);
    assert.match(checked.error, /foreign key constraint fails/i);
    const unchecked = server.run(`SET FOREIGN_KEY_CHECKS=0;\n${fk}, ALGORITHM=INPLACE, LOCK=NONE;\nSET FOREIGN_KEY_CHECKS=1;`, database);
    assert.ok(unchecked.ok, unchecked.error);
    const [finding] = judged(fk);
    assert.match(finding.message, /one row whose `authorId` matches no `User` row fails the migration/);
  });
});
