/**
 * A statement the replay cannot interpret keeps findings on the tables it may
 * have touched below error, names itself in their message and related
 * information, and gets a section of the "Check migration safety" report.
 */
import * as assert from 'assert';
import * as path from 'path';
import { analyzeProjectDir } from '../../server/src/analysis/analyzeProject';
import type { ProjectAnalysis } from '../../server/src/analysis/types';
import { range } from '../../server/src/core/source';
import { renderMarkdown } from '../../server/src/lsp/report';
import { projectReport } from '../../server/src/report/projectReport';

const PROJECT = path.resolve(__dirname, '../../../test/fixtures/replay/unread-project');
const INIT = path.join(PROJECT, 'migrations/20240101000000_init/migration.sql');
const ROTATE = path.join(PROJECT, 'migrations/20240102000000_rotate_audit/migration.sql');

const UNREAD_SECTION_START = [
  '### What the replay could not read',
  '',
  'The migrations below contain statements the replay could not interpret, or that the database rejects when the migrations run on a fresh one. Findings on the tables they name stay at warning at most: check those tables in the database itself.',
  '',
];

/** The report's section on what the replay could not read, as Markdown. */
function unreadSection(analysis: ProjectAnalysis): string {
  const markdown = renderMarkdown([projectReport(analysis, '.', (docs) => docs)]);
  const start = markdown.indexOf('### What the replay could not read');
  return markdown.slice(start, markdown.indexOf('\n### ', start + 1));
}

describe('replay/unread findings: what the replay could not read is never a confident error', () => {
  let analysis: ProjectAnalysis;

  before(async () => {
    analysis = await analyzeProjectDir(PROJECT, { deployed: 'all' });
  });

  it('caps the finding on a table an uninterpreted statement may have touched at warning, naming the statement, and leaves the others alone', () => {
    assert.deepStrictEqual(
      analysis.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, related: f.related })),
      [
        {
          ruleId: 'drop-column',
          severity: 'error',
          message: 'Column `User.legacy` is no longer in `User`: the migration drops it with all its data, and the running code still selects it until it is redeployed.',
          related: [{ file: INIT, range: range(1, 0, 7, 1), message: 'column `User.legacy` created by migration 20240101000000_init' }],
        },
        {
          ruleId: 'drop-table',
          severity: 'warning',
          message:
            'Table `Audit` is no longer in the schema: the migration drops it with all its rows, and the running code still queries it until it is redeployed. ' +
            'The replay could not read `SELECT rotate_audit()` in migration 20240102000000_rotate_audit, line 2 (a function the migrations created, called for its side effects); ' +
            'what the database really holds for `Audit` may differ, so check it before relying on this finding.',
          related: [
            { file: INIT, range: range(10, 0, 15, 1), message: 'table `Audit` created by migration 20240101000000_init' },
            { file: ROTATE, range: range(1, 0, 1, 21), message: 'migration 20240102000000_rotate_audit, line 2: the replay could not interpret this statement' },
          ],
        },
      ],
    );
  });

  it('lists the statement in a note with its line', () => {
    assert.deepStrictEqual(
      analysis.notes.filter((n) => n.level !== 'info').map((n) => [n.level, n.message, n.where?.file, n.where?.range.start.line]),
      [['warning', 'Line 2: the replay cannot interpret a function the migrations created, called for its side effects: what it did to "Audit" is unknown, so findings on that table stay at warning.', ROTATE, 1]],
    );
  });

  it('gives the report a section listing what the replay could not read', () => {
    const section = unreadSection(analysis);
    assert.strictEqual(
      section,
      [
        ...UNREAD_SECTION_START,
        `- [migrations/20240102000000_rotate_audit/migration.sql:2](${'file://' + ROTATE}#L2) (\`20240102000000_rotate_audit\`) \`SELECT rotate_audit()\` — not interpreted: a function the migrations created, called for its side effects. Tables: \`Audit\`.`,
        '',
      ].join('\n'),
    );
  });
});

describe('replay/unread findings on SQLite: a migration SQLite rejects keeps findings on its tables below error', () => {
  const SEEDED = path.resolve(__dirname, '../../../test/fixtures/replay/seeded-rows-sqlite');
  const migration = (name: string): string => path.join(SEEDED, 'migrations', name, 'migration.sql');
  let analysis: ProjectAnalysis;

  before(async () => {
    analysis = await analyzeProjectDir(SEEDED, { deployed: 'all' });
  });

  it('compares the schema with the column a seeded table refused, and caps the findings on the tables of failing migrations', () => {
    // users.account_name and its unique index are in the schema and come from the refused statement: no drift.
    assert.deepStrictEqual(
      analysis.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, range: f.range, related: f.related })),
      [
        {
          ruleId: 'add-required-column',
          severity: 'warning',
          message:
            'Required column `Team.slug` added to `Team` without a database default: SQLite cannot add it in place, so Prisma copies the table into a new one (`INSERT INTO new_Team ... SELECT ...`), and the copy fails on the first existing row, which has no value for it; running code inserts rows without it. ' +
            'SQLite rejects `ALTER TABLE "Team" ADD COLUMN "slug" TEXT NOT NULL` in migration 20240301000000_team_slug, line 3, so that migration fails on a fresh database; what the database really holds for `Team` may differ, so check it before relying on this finding.',
          range: range(15, 2, 15, 16),
          related: [
            { file: migration('20240101000000_init'), range: range(7, 0, 10, 2), message: 'table `Team` created by migration 20240101000000_init' },
            { file: migration('20240301000000_team_slug'), range: range(2, 0, 2, 51), message: 'migration 20240301000000_team_slug, line 3: SQLite rejects this statement' },
          ],
        },
        {
          ruleId: 'drop-column',
          severity: 'warning',
          message:
            'Column `User.name` is no longer in `User`: Prisma copies the table into a new one without it (`INSERT INTO new_users ... SELECT` of the other columns) and drops the old table, so every value of the column is silently gone; the running code still selects it until it is redeployed. ' +
            'SQLite rejects `ALTER TABLE "users" ADD COLUMN "account_name" TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))` in migration 20240201000000_account_name, line 2, so that migration fails on a fresh database; what the database really holds for `users` may differ, so check it before relying on this finding.',
          range: range(4, 6, 4, 10),
          related: [
            { file: migration('20240101000000_init'), range: range(1, 0, 4, 2), message: 'column `users.name` created by migration 20240101000000_init' },
            { file: migration('20240201000000_account_name'), range: range(1, 0, 1, 97), message: 'migration 20240201000000_account_name, line 2: SQLite rejects this statement' },
          ],
        },
      ],
    );
  });

  it('lists the refused statements in the report as failing on a fresh database', () => {
    const section = unreadSection(analysis);
    const place = (name: string, line: number): string => `[migrations/${name}/migration.sql:${line}](file://${migration(name)}#L${line})`;
    assert.strictEqual(
      section,
      [
        ...UNREAD_SECTION_START,
        `- ${place('20240201000000_account_name', 2)} (\`20240201000000_account_name\`) \`ALTER TABLE "users" ADD COLUMN "account_name" TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))\` — **fails on a fresh database**: SQLite rejects it while "users" has rows (Cannot add a column with non-constant default). Tables: \`users\`.`,
        `- ${place('20240301000000_team_slug', 3)} (\`20240301000000_team_slug\`) \`ALTER TABLE "Team" ADD COLUMN "slug" TEXT NOT NULL\` — **fails on a fresh database**: SQLite rejects it (Cannot add a NOT NULL column with default value NULL). Tables: \`Team\`.`,
        '',
      ].join('\n'),
    );
  });
});
