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
});

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
