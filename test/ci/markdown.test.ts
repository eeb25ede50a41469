import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { git, repo, runCli, tempDir, writeFiles } from './support';

const AUTHOR_SQL = 'CREATE TABLE "Author" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Author_pkey" PRIMARY KEY ("id"));\n';
const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n';

describe('check --format markdown: the migration request for a pull request', () => {
  it('examples/shop: the whole document (request, risks, SQL, plan, checklist), places relative to the repository', () => {
    const result = runCli(['check', path.join(repo, 'examples/shop'), '--format', 'markdown'], { cwd: path.join(repo, 'examples') });
    assert.strictEqual(result.code, 1, result.stderr);
    const expected = fs.readFileSync(path.join(repo, 'test/ci/expected-shop-markdown.md'), 'utf8');
    assert.deepStrictEqual(result.stdout.split('\n'), expected.split('\n'));
  });

  it('a project whose only pending change is a safe, uncommitted migration file: no risks, the pending migration named, the checklist answered (migration before code)', () => {
    const dir = tempDir('pmg-markdown-');
    writeFiles(dir, {
      'prisma/schema.prisma': `${DATASOURCE}model Author {\n  id   Int     @id @default(autoincrement())\n  name String\n}\n`,
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101000000_init/migration.sql': AUTHOR_SQL,
    });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'init');
    writeFiles(dir, {
      'prisma/schema.prisma': `${DATASOURCE}model Author {\n  id   Int     @id @default(autoincrement())\n  name String\n  bio  String?\n}\n`,
      'prisma/migrations/20240102000000_bio/migration.sql': 'SET lock_timeout = \'5s\';\nALTER TABLE "Author" ADD COLUMN "bio" TEXT;\n',
    });
    const result = runCli(['check', '.', '--format', 'markdown'], { cwd: dir });
    assert.strictEqual(result.code, 0, result.stderr);
    assert.strictEqual(result.stdout, expectedSafe(path.basename(dir)));
  });

  it('a checkout that already drifts, with a migration the replay cannot read: the document has the pre-existing drift and the unread statement sections, and the JSON lists both', () => {
    const dir = driftingProjectWithUnreadLoop();
    const markdown = runCli(['check', '.', '--format', 'markdown'], { cwd: dir });
    assert.strictEqual(markdown.code, 1, markdown.stderr);
    const expected = fs.readFileSync(path.join(repo, 'test/ci/expected-drift-markdown.md'), 'utf8').replace('{{project}}', path.basename(dir));
    assert.deepStrictEqual(markdown.stdout.split('\n'), expected.split('\n'));

    const json = runCli(['check', '.', '--format', 'json'], { cwd: dir });
    assert.strictEqual(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepStrictEqual(report.uncertain, [
      {
        migration: '20240102000000_rename_legacy',
        file: 'prisma/migrations/20240102000000_rename_legacy/migration.sql',
        range: { start: { line: 4, character: 2 }, end: { line: 4, character: 79 } },
        excerpt: "FOR t IN SELECT tablename FROM pg_tables WHERE tablename LIKE 'legacy_%' LOOP",
        reason: 'a loop over rows read at run time, whose body changes the schema',
        tables: [],
        fails: false,
      },
    ]);
    assert.deepStrictEqual(report.preexisting, [
      { kind: 'addColumn', table: 'Author', column: 'nickname', description: 'new column `Author.nickname`', file: 'prisma/schema.prisma', range: { start: { line: 8, character: 2 }, end: { line: 8, character: 18 } }, risk: [] },
    ]);
    assert.strictEqual(report.preexistingRef, 'HEAD');
  });
});

/**
 * Committed at HEAD: `Author.nickname` in the schema with no migration for it (pre-existing drift), and a migration whose
 * DO block renames tables it finds at run time (unreadable). The edit on top: a required `Author.email`.
 */
function driftingProjectWithUnreadLoop(): string {
  const dir = tempDir('pmg-markdown-drift-');
  const schema = (fields: string): string => `${DATASOURCE}model Author {\n  id       Int     @id @default(autoincrement())\n  name     String\n${fields}}\n`;
  writeFiles(dir, {
    'prisma/schema.prisma': schema('  nickname String?\n'),
    'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    'prisma/migrations/20240101000000_init/migration.sql': AUTHOR_SQL,
    'prisma/migrations/20240102000000_rename_legacy/migration.sql': [
      '-- Rename every legacy table the team created by hand.',
      'DO $$',
      'DECLARE t record;',
      'BEGIN',
      "  FOR t IN SELECT tablename FROM pg_tables WHERE tablename LIKE 'legacy_%' LOOP",
      "    EXECUTE format('ALTER TABLE %I RENAME TO %I', t.tablename, 'old_' || t.tablename);",
      '  END LOOP;',
      'END $$;',
      '',
    ].join('\n'),
  });
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  writeFiles(dir, { 'prisma/schema.prisma': schema('  nickname String?\n  email    String\n') });
  return dir;
}

/** A new optional column in a pending migration that sets lock_timeout: nothing unsafe, but the migration must go before the code. */
function expectedSafe(name: string): string {
  return `## Migration request: ${name}

**Change**

- new column \`Author.bio\`

Migrations: \`20240102000000_bio\`

**Tables affected:** \`Author\`

**Risk (Prisma Migration Guard):** 0 error(s), 0 warning(s), 0 info

**Deploy order:** migration first, then the code

**Backfill:** No: existing rows need nothing.

**Rollback plan:** Yes: every pending change can be reversed by a down migration without losing data (drop or relax what was added).

**Backup:** No data is dropped: the routine backup is enough.

**Testing**

- [ ] \`prisma migrate deploy\` run against a copy of production data (or staging), timing noted
- [ ] the application's tests pass against the migrated schema
- [ ] the code that runs during the deploy was tested against both schemas
- [ ] lock trace reviewed (\`npx prisma-migration-guard check --lock-trace\`)
- [ ] \`npx prisma-migration-guard check\` passes, or each finding above is accepted with its reason

### Risks

No finding: every pending change is safe to deploy as it is.

### SQL

Every change is in a migration file already: the pending migrations below are what will run.

Pending migrations (in \`prisma/migrations\`): \`20240102000000_bio\`

### Plan

No phased migration needed.

### Before deploying

- [x] **Is the new schema backward compatible with the code running now?** Yes: for the running code every pending change is additive.
- [ ] **Can the new code run against the old schema (while the migration runs, or after rolling it back)?** No: the new code selects \`Author.bio\`, which the old schema does not have. Deploy the migration (prisma migrate deploy) before the code, and roll the code back before the schema.
- [x] **Is a backfill needed?** No: existing rows need nothing.
- [x] **Is there a rollback plan?** Yes: every pending change can be reversed by a down migration without losing data (drop or relax what was added).
- [x] **Is a backup needed before deploying?** No data is dropped: the routine backup is enough.
`;
}
