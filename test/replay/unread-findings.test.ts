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
    const markdown = renderMarkdown([projectReport(analysis, '.', (docs) => docs)]);
    const start = markdown.indexOf('### What the replay could not read');
    const section = markdown.slice(start, markdown.indexOf('\n### ', start + 1));
    assert.strictEqual(
      section,
      [
        '### What the replay could not read',
        '',
        'The migrations below contain statements the replay could not interpret, or that PostgreSQL rejects on a fresh database. Findings on the tables they name stay at warning at most: check those tables in the database itself.',
        '',
        `- [migrations/20240102000000_rotate_audit/migration.sql:2](${'file://' + ROTATE}#L2) (\`20240102000000_rotate_audit\`) \`SELECT rotate_audit()\` — not interpreted: a function the migrations created, called for its side effects. Tables: \`Audit\`.`,
        '',
      ].join('\n'),
    );
  });
});
