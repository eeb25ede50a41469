import * as assert from 'assert';
import * as path from 'path';
import {
  formatLockTraceText,
  lockTraceRelated,
  renderLockTraceMarkdown,
  withLockTrace,
  type LockTrace,
  type TracedStatement,
} from '../../server/src/analysis/lockTrace';
import type { Finding } from '../../server/src/rules/types';
import { git, runCli, tempDir, writeFiles } from './support';

const INIT = '20240101000000_init';
const LOCKS = '20240201000000_locks';

const INIT_SQL = `-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "n" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- Not available in the embedded engine: skipped with a note, the rest still loads.
CREATE EXTENSION IF NOT EXISTS "postgis";

INSERT INTO "User" ("id") VALUES (1);
INSERT INTO "Post" ("n", "title", "authorId") VALUES (1, 'a', 1), (2, 'b', 1);
`;

// Statement lines (0-based): 1, 4, 7, 10, 13.
const LOCKS_SQL = `-- CreateIndex
CREATE INDEX "Post_n_idx" ON "Post"("n");

-- AlterTable
ALTER TABLE "Post" ADD COLUMN "x" TEXT;

-- AlterTable
ALTER TABLE "Post" ALTER COLUMN "n" SET DATA TYPE BIGINT;

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX CONCURRENTLY "Post_title_idx" ON "Post"("title");
`;

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  posts Post[]
}

model Post {
  id       Int     @id @default(autoincrement())
  n        BigInt
  title    String
  x        String?
  authorId Int
  author   User    @relation(fields: [authorId], references: [id])

  @@index([n])
  @@index([title])
}
`;

interface JsonTrace {
  engine: string;
  deployedMigrations: number;
  statements: (Omit<TracedStatement, 'file' | 'text'> & { file: string; statement: string })[];
  notes: { level: string; message: string; file?: string; range?: TracedStatement['range'] }[];
}

interface JsonOutput {
  findings: { ruleId: string; file: string; range: TracedStatement['range']; statement?: unknown; related: { file: string; message: string }[] }[];
  lockTrace: JsonTrace;
}

const CONCURRENTLY_NOTE =
  'PostgreSQL refuses it inside a transaction block, so its locks could not be read from pg_locks; PostgreSQL documents SHARE UPDATE EXCLUSIVE on the table for CREATE INDEX CONCURRENTLY: reads and writes go on, but it waits for every transaction already running. It was run on its own to keep the trace going.';

describe('check --lock-trace: the locks PostgreSQL takes, observed on PGlite', function () {
  this.timeout(300000);
  let project: string;
  let output: JsonOutput;

  before(() => {
    // One PGlite for the whole file: the CLI starts it once for this run.
    project = tempDir('pmg-locks-');
    git(project, 'init', '-q', '-b', 'main');
    writeFiles(project, {
      'prisma/schema.prisma': SCHEMA,
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      [`prisma/migrations/${INIT}/migration.sql`]: INIT_SQL,
    });
    git(project, 'add', '.');
    git(project, 'commit', '-q', '-m', 'init');
    // Not committed: pending.
    writeFiles(project, { [`prisma/migrations/${LOCKS}/migration.sql`]: LOCKS_SQL });
    const result = runCli(['check', project, '--format', 'json', '--lock-trace', '--fail-on', 'never']);
    assert.strictEqual(result.code, 0, result.stderr);
    output = JSON.parse(result.stdout) as JsonOutput;
  });

  it('reports the exact locks and rewrites of each statement', () => {
    const file = `prisma/migrations/${LOCKS}/migration.sql`;
    assert.match(output.lockTrace.engine, /^PGlite \(PostgreSQL \d+\.\d+/);
    assert.strictEqual(output.lockTrace.deployedMigrations, 1);
    assert.deepStrictEqual(
      output.lockTrace.statements.map((s) => ({ line: s.range.start.line, file: s.file, migration: s.migration, kind: s.kind, outcome: s.outcome, locks: s.locks, rewrites: s.rewrites, note: s.note })),
      [
        {
          line: 1, file, migration: LOCKS, kind: 'IndexStmt', outcome: 'traced', note: undefined, rewrites: [],
          locks: [{ schema: 'public', table: 'Post', modes: ['ShareLock'], strongest: 'SHARE', blocks: 'writes' }],
        },
        {
          line: 4, file, migration: LOCKS, kind: 'AlterTableStmt', outcome: 'traced', note: undefined, rewrites: [],
          locks: [{ schema: 'public', table: 'Post', modes: ['AccessExclusiveLock'], strongest: 'ACCESS EXCLUSIVE', blocks: 'reads and writes' }],
        },
        {
          line: 7, file, migration: LOCKS, kind: 'AlterTableStmt', outcome: 'traced', note: undefined, rewrites: ['Post'],
          locks: [{ schema: 'public', table: 'Post', modes: ['AccessExclusiveLock', 'ShareLock'], strongest: 'ACCESS EXCLUSIVE', blocks: 'reads and writes' }],
        },
        {
          line: 10, file, migration: LOCKS, kind: 'AlterTableStmt', outcome: 'traced', note: undefined, rewrites: [],
          locks: [
            // Validating the existing rows reads Post and locks the User rows it finds (FOR KEY SHARE).
            { schema: 'public', table: 'Post', modes: ['ShareRowExclusiveLock', 'AccessShareLock'], strongest: 'SHARE ROW EXCLUSIVE', blocks: 'writes' },
            { schema: 'public', table: 'User', modes: ['ShareRowExclusiveLock', 'RowShareLock', 'AccessShareLock'], strongest: 'SHARE ROW EXCLUSIVE', blocks: 'writes' },
          ],
        },
        { line: 13, file, migration: LOCKS, kind: 'IndexStmt', outcome: 'outside-transaction', note: CONCURRENTLY_NOTE, rewrites: [], locks: [] },
      ],
    );
  });

  it('notes what it skipped in the deployed history and how the trace differs from a real deploy', () => {
    const notes = output.lockTrace.notes;
    assert.strictEqual(notes.length, 2, JSON.stringify(notes));
    assert.strictEqual(notes[0].file, `prisma/migrations/${INIT}/migration.sql`);
    assert.strictEqual(notes[0].range?.start.line, 18);
    assert.match(notes[0].message, /^Lock trace: skipped a statement of deployed migration 20240101000000_init that the embedded PostgreSQL could not run \(.*postgis.*\)\.$/);
    assert.strictEqual(
      notes[1].message,
      'Each statement was traced in a transaction of its own. Prisma runs a migration file as one script, so on a real deploy a lock taken early in a file is held until the whole file has run.',
    );
  });

  it('attaches the observed locks to the SQL findings as related information', () => {
    for (const finding of output.findings.filter((f) => f.statement)) {
      const traced = output.lockTrace.statements.find((s) => s.range.start.line <= finding.range.end.line && s.range.end.line >= finding.range.start.line);
      if (!traced) continue;
      assert.ok(finding.related.some((r) => r.file === finding.file && r.message.startsWith(`Lock trace (${output.lockTrace.engine}): `)), JSON.stringify(finding));
    }
  });

  it('gives the report and the language server text, markdown and related information from one trace', () => {
    const trace: LockTrace = {
      engine: output.lockTrace.engine,
      deployedMigrations: output.lockTrace.deployedMigrations,
      notes: [],
      statements: output.lockTrace.statements.map(({ statement, file, ...rest }) => ({ ...rest, text: statement, file: path.join(project, file) })),
    };
    const sqlFile = path.join(project, `prisma/migrations/${LOCKS}/migration.sql`);
    const relative = (file: string): string => path.relative(project, file);
    const at = (line: number): Pick<Finding, 'file' | 'range'> => ({ file: sqlFile, range: { start: { line, character: 0 }, end: { line, character: 5 } } });

    assert.deepStrictEqual(lockTraceRelated(trace, at(7)), [
      { file: sqlFile, range: trace.statements[2].range, message: `Lock trace (${trace.engine}): ACCESS EXCLUSIVE on \`Post\` (blocks reads and writes); rewrites \`Post\`` },
    ]);
    assert.deepStrictEqual(lockTraceRelated(trace, at(3)), [], 'a comment line between statements has none');

    const finding: Finding = { ruleId: 'sql-index-not-concurrent', severity: 'warning', message: 'm', help: 'h', ...at(1), statement: { migration: LOCKS, kind: 'IndexStmt', text: '' }, related: [], docs: '' };
    const schemaFinding: Finding = { ...finding, statement: undefined, file: path.join(project, 'prisma/schema.prisma') };
    const [withTrace, untouched] = withLockTrace([finding, schemaFinding], trace);
    assert.deepStrictEqual(withTrace.related.map((r) => r.message), [`Lock trace (${trace.engine}): SHARE on \`Post\` (blocks writes)`]);
    assert.strictEqual(untouched, schemaFinding);

    const text = formatLockTraceText(trace, relative);
    assert.deepStrictEqual(text.slice(0, 5), [
      `Lock trace on ${trace.engine}:`,
      `  prisma/migrations/${LOCKS}/migration.sql:2 CREATE INDEX "Post_n_idx" ON "Post"("n")`,
      '      SHARE on `Post` (blocks writes)',
      `  prisma/migrations/${LOCKS}/migration.sql:5 ALTER TABLE "Post" ADD COLUMN "x" TEXT`,
      '      ACCESS EXCLUSIVE on `Post` (blocks reads and writes)',
    ]);
    assert.strictEqual(text[8], '      SHARE ROW EXCLUSIVE on `Post` (blocks writes), SHARE ROW EXCLUSIVE on `User` (blocks writes)');

    const markdown = renderLockTraceMarkdown(trace, relative).split('\n');
    assert.deepStrictEqual(markdown.slice(0, 5), [
      `### Lock trace (${trace.engine})`,
      '',
      '| statement | where | locks and rewrites |',
      '| --- | --- | --- |',
      `| \`CREATE INDEX "Post_n_idx" ON "Post"("n")\` | prisma/migrations/${LOCKS}/migration.sql:2 | SHARE on \`Post\` (blocks writes) |`,
    ]);
  });
});
