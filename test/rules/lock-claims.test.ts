/**
 * The lock, rewrite and scan claims of the rules, checked on a real PostgreSQL
 * server (Debian's, as .ci/run installs it) against populated tables.
 *
 * For each statement: session A runs it inside an open transaction; session B
 * reads A's granted table locks from `pg_locks`; A compares the table's
 * `pg_relation_filenode` before and after (a rewrite gives the table new
 * storage) and the rows its own transaction read from each table
 * (`pg_stat_xact_user_tables`: a validating scan reads every row). Then A
 * rolls back.
 *
 * What is claimed is read from the code, not copied here: the lock modes from
 * `locksTaken` (what the SQL rules and their messages are built on), and the
 * words of every finding the SQL rules give for the statement plus the `why`
 * of the schema rules that judge the same change. The whole table of
 * observations must equal the table of claims.
 */
import * as assert from 'assert';
import { Client } from 'pg';
import { judgeMigrationSql } from '../../server/src/analysis/sqlAnalysis';
import { defaultConfig } from '../../server/src/project/config';
import { createPostgresReplayer } from '../../server/src/replay/postgres';
import { loadPostgresParser, parsePostgresStatements } from '../../server/src/replay/statements';
import { allRules } from '../../server/src/rules';
import { blocksTraffic, indexOwner, locksTaken, stronger, type LockMode } from '../../server/src/rules/support/sqlAst';
import { postgresBinDir, startPostgres, type PostgresServer } from '../ci/support';

const ROWS = 20000;

/** The deployed database every case starts from: two filled tables. */
const DEPLOYED = [
  'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, "name" TEXT, "age" INTEGER, "nick" VARCHAR(50), CONSTRAINT "User_pkey" PRIMARY KEY ("id"));',
  'CREATE TABLE "Post" ("id" SERIAL NOT NULL, "authorId" INTEGER NOT NULL, "title" TEXT NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));',
  'CREATE INDEX "Post_title_idx" ON "Post"("title");',
].join('\n');
const FILL = [
  `INSERT INTO "User" ("email", "name", "age", "nick") SELECT 'u' || g || '@example.com', 'name ' || g, g % 90, 'n' || g FROM generate_series(1, ${ROWS}) g;`,
  `INSERT INTO "Post" ("authorId", "title") SELECT g, 'title ' || g FROM generate_series(1, ${ROWS}) g;`,
  'ANALYZE;',
].join('\n');

interface LockCase {
  name: string;
  /** Deployed before the statement, on top of DEPLOYED (a NOT VALID constraint validated earlier, ...). */
  before?: string;
  statement: string;
  /** Schema rules that judge the change this statement carries out: their `why` is a claim about it. */
  schemaRules: string[];
  /** Rules whose safe path has this statement as a step: the step of their `safePath` that names `step` is a claim about it. */
  safePathOf?: { rules: string[]; step: string };
}

const CASES: LockCase[] = [
  { name: 'CREATE INDEX', statement: 'CREATE INDEX "User_email_idx" ON "User"("email");', schemaRules: ['create-index-blocking'] },
  { name: 'ADD UNIQUE constraint', statement: 'ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE ("email");', schemaRules: ['add-unique-constraint'] },
  { name: 'ADD FOREIGN KEY', statement: 'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");', schemaRules: ['add-foreign-key'] },
  {
    name: 'ADD FOREIGN KEY ... NOT VALID',
    statement: 'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") NOT VALID;',
    schemaRules: [],
    safePathOf: { rules: ['sql-foreign-key-not-valid', 'add-foreign-key'], step: 'NOT VALID' },
  },
  {
    name: 'VALIDATE CONSTRAINT (foreign key)',
    before: 'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") NOT VALID;',
    statement: 'ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_authorId_fkey";',
    schemaRules: [],
    safePathOf: { rules: ['sql-foreign-key-not-valid', 'add-foreign-key'], step: 'VALIDATE CONSTRAINT' },
  },
  { name: 'ADD CHECK', statement: 'ALTER TABLE "User" ADD CONSTRAINT "User_age_check" CHECK ("age" >= 0);', schemaRules: [] },
  {
    name: 'ADD CHECK ... NOT VALID',
    statement: 'ALTER TABLE "User" ADD CONSTRAINT "User_age_check" CHECK ("age" >= 0) NOT VALID;',
    schemaRules: [],
    safePathOf: { rules: ['sql-check-not-valid'], step: 'NOT VALID' },
  },
  {
    name: 'VALIDATE CONSTRAINT (check)',
    before: 'ALTER TABLE "User" ADD CONSTRAINT "User_age_check" CHECK ("age" >= 0) NOT VALID;',
    statement: 'ALTER TABLE "User" VALIDATE CONSTRAINT "User_age_check";',
    schemaRules: [],
    safePathOf: { rules: ['sql-check-not-valid'], step: 'VALIDATE CONSTRAINT' },
  },
  { name: 'SET NOT NULL', statement: 'ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;', schemaRules: ['make-column-required'] },
  {
    name: 'SET NOT NULL after a validated CHECK (name IS NOT NULL)',
    before: 'ALTER TABLE "User" ADD CONSTRAINT "User_name_not_null" CHECK ("name" IS NOT NULL) NOT VALID;\nALTER TABLE "User" VALIDATE CONSTRAINT "User_name_not_null";',
    statement: 'ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;',
    schemaRules: [],
    safePathOf: { rules: ['sql-set-not-null-scan'], step: 'SET NOT NULL' },
  },
  { name: 'ALTER COLUMN TYPE integer to bigint', statement: 'ALTER TABLE "User" ALTER COLUMN "age" SET DATA TYPE BIGINT;', schemaRules: ['change-column-type'] },
  { name: 'ALTER COLUMN TYPE varchar(50) to varchar(100)', statement: 'ALTER TABLE "User" ALTER COLUMN "nick" SET DATA TYPE VARCHAR(100);', schemaRules: [] },
  { name: 'ALTER COLUMN TYPE varchar(50) to text', statement: 'ALTER TABLE "User" ALTER COLUMN "nick" SET DATA TYPE TEXT;', schemaRules: [] },
  { name: 'ADD COLUMN ... GENERATED ALWAYS AS ... STORED', statement: 'ALTER TABLE "User" ADD COLUMN "ageNext" INTEGER GENERATED ALWAYS AS ("age" + 1) STORED;', schemaRules: [] },
  { name: 'ADD COLUMN with a volatile default', statement: 'ALTER TABLE "User" ADD COLUMN "token" UUID NOT NULL DEFAULT gen_random_uuid();', schemaRules: ['volatile-default'] },
  { name: 'ADD COLUMN with a constant default', statement: 'ALTER TABLE "User" ADD COLUMN "score" INTEGER NOT NULL DEFAULT 0;', schemaRules: [] },
  { name: 'DROP INDEX', statement: 'DROP INDEX "Post_title_idx";', schemaRules: [] },
  { name: 'RENAME COLUMN', statement: 'ALTER TABLE "User" RENAME COLUMN "nick" TO "nickname";', schemaRules: [] },
];

/**
 * One row of the table: per table, the strongest lock of SHARE UPDATE
 * EXCLUSIVE and up; then, for the table the statement alters, whether that
 * lock blocks the application's writes, whether the table was rewritten, and
 * whether every row was read while writes were blocked (a validating scan,
 * an index build, the copy of a rewrite). A full read under a lock that lets
 * traffic through (VALIDATE CONSTRAINT) is harmless and is not a column.
 */
interface Row {
  name: string;
  locks: Record<string, LockMode>;
  blocksWrites: boolean;
  rewritten: boolean;
  readWholeWhileBlocking: boolean;
}

const PG_LOCK_NAMES: Record<string, LockMode> = {
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};
const MODE_WORDS = /ACCESS EXCLUSIVE|SHARE ROW EXCLUSIVE|SHARE UPDATE EXCLUSIVE|EXCLUSIVE|SHARE/g;
const REWRITE_WORDS = /\brewrit(?:e|es|ing)\b/i;
const NO_SCAN_WORDS = /\binstant\b|\bskip the scan\b|\bwithout a scan\b/i;
const SCAN_WORDS = /\bscans?\b|\breads every row\b|\breads the whole table\b|\bchecks every existing row\b|\bthe (?:whole )?build\b|\bbuilds? its index\b|\bthe build\b/i;
const NOT_BLOCKING_WORDS = /lets reads and writes continue|does not block writes|writes continue/i;
const BLOCKING_WORDS = /\bblocks? (?:every write|writes|reads and writes|every insert)|nobody can read or write|every insert, update and delete on the table waits|writes to both (?:tables )?wait|stops reads too/i;

interface Claims {
  modes: LockMode[];
  rewrite: boolean;
  /** true: the text says every row is read; false: it says none is; undefined: it does not say. */
  scan?: boolean;
  blocks?: boolean;
}

/** What a text says about the statement: the lock modes it names, a rewrite, a full read, blocked traffic. */
function claimsIn(text: string): Claims {
  const scan = NO_SCAN_WORDS.test(text) ? false : SCAN_WORDS.test(text) ? true : undefined;
  const blocks = NOT_BLOCKING_WORDS.test(text) ? false : BLOCKING_WORDS.test(text) ? true : undefined;
  return { modes: [...new Set((text.match(MODE_WORDS) ?? []) as LockMode[])], rewrite: REWRITE_WORDS.test(text), ...(scan !== undefined ? { scan } : {}), ...(blocks !== undefined ? { blocks } : {}) };
}

describe('Lock, rewrite and scan claims agree with PostgreSQL', function () {
  this.timeout(300000);
  let server: PostgresServer | undefined;
  const observed: Row[] = [];
  const claimed: Row[] = [];
  const findingsSaid: { name: string; rule: string; modes: LockMode[] }[] = [];

  before(async function () {
    if (!postgresBinDir()) {
      console.log('      PostgreSQL is not installed (apt-get install postgresql; .ci/run does it): skipped');
      this.skip();
    }
    await loadPostgresParser();
    server = await startPostgres();
    const admin = new Client({ connectionString: server.adminUrl() });
    await admin.connect();
    await admin.query('CREATE DATABASE deployed');
    const deployed = new Client({ connectionString: server.adminUrl('deployed') });
    await deployed.connect();
    await deployed.query(`${DEPLOYED}\n${FILL}`);
    await deployed.end();

    for (const [index, testCase] of CASES.entries()) {
      const database = `case_${index}`;
      await admin.query(`CREATE DATABASE ${database} TEMPLATE deployed`);
      observed.push(await observe(server, database, testCase));
      claimed.push(claim(testCase, findingsSaid));
    }
    await admin.end();
  });

  after(() => server?.stop());

  it('observations on PostgreSQL equal the claims, statement by statement', () => {
    assert.deepStrictEqual(observed, claimed);
  });

  it('every lock mode a finding names is the one PostgreSQL takes', () => {
    for (const said of findingsSaid) {
      const row = observed.find((r) => r.name === said.name);
      const taken = Object.values(row?.locks ?? {});
      for (const mode of said.modes) assert.ok(taken.includes(mode), `${said.name}: ${said.rule} says ${mode}, PostgreSQL took ${taken.join(', ') || 'nothing'}`);
    }
  });

  it('the cases cover every claim: each rule consulted says something that was observed', () => {
    // A case list that no longer reaches the rules would make the table above vacuous.
    const rulesHeard = new Set(findingsSaid.map((f) => f.rule));
    for (const id of ['sql-index-not-concurrent', 'sql-foreign-key-not-valid', 'sql-check-not-valid', 'sql-set-not-null-scan', 'sql-stored-generated-column']) {
      assert.ok(rulesHeard.has(id), `no case gets a finding from ${id}`);
    }
    assert.ok(observed.some((r) => r.rewritten) && observed.some((r) => r.readWholeWhileBlocking && !r.rewritten) && observed.some((r) => !r.blocksWrites));
  });
});

/** Runs the case's statement in an open transaction and reads what PostgreSQL did. */
async function observe(server: PostgresServer, database: string, testCase: LockCase): Promise<Row> {
  const a = new Client({ connectionString: server.adminUrl(database) });
  const b = new Client({ connectionString: server.adminUrl(database) });
  await a.connect();
  await b.connect();
  try {
    if (testCase.before) await a.query(testCase.before);
    const tables = ['User', 'Post'];
    const filenodes = async (): Promise<Record<string, string>> => {
      const result = await a.query<{ relname: string; node: string }>(`SELECT c.relname, pg_relation_filenode(c.oid)::text AS node FROM pg_class c WHERE c.relname = ANY($1)`, [tables]);
      return Object.fromEntries(result.rows.map((r) => [r.relname, r.node]));
    };
    const readRows = async (): Promise<Record<string, number>> => {
      const result = await a.query<{ relname: string; read: string }>('SELECT relname, (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text AS read FROM pg_stat_xact_user_tables');
      return Object.fromEntries(result.rows.map((r) => [r.relname, Number(r.read)]));
    };
    const pid = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await a.query('BEGIN');
    const nodesBefore = await filenodes();
    const readBefore = await readRows();
    await a.query(testCase.statement);
    const locks = await b.query<{ relname: string; mode: string }>(
      `SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = $1 AND l.granted AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace`,
      [pid],
    );
    const nodesAfter = await filenodes();
    const readAfter = await readRows();
    await a.query('ROLLBACK');
    const strongest: Record<string, LockMode> = {};
    for (const { relname, mode } of locks.rows) {
      const named = PG_LOCK_NAMES[mode];
      if (named) strongest[relname] = strongest[relname] ? stronger(strongest[relname], named) : named;
    }
    const target = tableOfStatement(testCase.statement) || Object.keys(strongest)[0];
    const blocksWrites = strongest[target] !== undefined && blocksTraffic(strongest[target]);
    return {
      name: testCase.name,
      locks: sortedRecord(strongest),
      blocksWrites,
      rewritten: nodesBefore[target] !== nodesAfter[target],
      // Every row read by the statement's own transaction: a validating scan, an index build or the copy of a rewrite.
      readWholeWhileBlocking: blocksWrites && (readAfter[target] ?? 0) - (readBefore[target] ?? 0) >= ROWS,
    };
  } finally {
    await a.end();
    await b.end();
  }
}

/** What the code says about the case: the locks from locksTaken, rewrite and scan from the rules' own words. */
function claim(testCase: LockCase, findingsSaid: { name: string; rule: string; modes: LockMode[] }[]): Row {
  const replayer = createPostgresReplayer();
  replayer.apply({ name: '20240101000000_init', file: 'deployed/20240101000000_init/migration.sql', sql: DEPLOYED });
  if (testCase.before) replayer.apply({ name: '20240102000000_before', file: 'deployed/20240102000000_before/migration.sql', sql: testCase.before });
  const baseline = replayer.state();
  const statement = parsePostgresStatements(testCase.statement).statements[0];
  const locks: Record<string, LockMode> = {};
  for (const taken of locksTaken(statement, (schema, index) => indexOwner(baseline, schema, index))) locks[taken.table] = taken.mode;

  const judged = judgeMigrationSql({
    provider: 'postgresql',
    baseline,
    pending: [{ name: '20240201000000_change', file: 'pending/20240201000000_change/migration.sql', sql: testCase.statement }],
    deployed: [{ name: '20240101000000_init', sql: DEPLOYED }, ...(testCase.before ? [{ name: '20240102000000_before', sql: testCase.before }] : [])],
    config: defaultConfig,
  });
  const texts: string[] = [];
  for (const finding of judged.findings) {
    texts.push(finding.message);
    findingsSaid.push({ name: testCase.name, rule: finding.ruleId, modes: claimsIn(finding.message).modes });
  }
  for (const id of testCase.schemaRules) texts.push(ruleById(id).why);
  for (const id of testCase.safePathOf?.rules ?? []) {
    // "Add ... NOT VALID (instant ...), then VALIDATE CONSTRAINT ..., which lets reads and writes continue": the step about this statement.
    const steps = ruleById(id).safePath.split(/,\s*then\s+/);
    const step = steps.find((s) => s.includes(testCase.safePathOf!.step));
    if (!step) throw new Error(`${id}'s safe path has no step naming ${testCase.safePathOf!.step}`);
    texts.push(step);
  }
  const said = texts.map(claimsIn);
  const target = tableOfStatement(testCase.statement) || Object.keys(locks)[0];
  const rewrite = said.some((c) => c.rewrite);
  // A lock nobody describes is judged by its mode; a text that says what it blocks is the claim.
  const blocksSaid = said.find((c) => c.blocks !== undefined)?.blocks;
  const blocksWrites = blocksSaid ?? (locks[target] !== undefined && blocksTraffic(locks[target]));
  // Unless a text says every row is read (or a rewrite copies them), none is: silence about a blocking scan is a claim too.
  const scanSaid = said.some((c) => c.scan === false) ? false : rewrite || said.some((c) => c.scan === true);
  return {
    name: testCase.name,
    locks: sortedRecord(locks),
    blocksWrites,
    rewritten: rewrite,
    readWholeWhileBlocking: blocksWrites && scanSaid,
  };
}

function ruleById(id: string): (typeof allRules)[number] {
  const rule = allRules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
}

/** The first table the statement names. */
function tableOfStatement(sql: string): string {
  return /"(User|Post)"/.exec(sql)?.[1] ?? '';
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
