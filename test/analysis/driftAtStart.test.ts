/**
 * The drift at HEAD is computed once per migrations snapshot. When the schema
 * being analysed is the committed one (a clean checkout, the usual start), the
 * session takes the committed mapping from its own mapping of the schema
 * instead of mapping the same text twice. These tests hold that path to the
 * other one: the drift must be what a separate mapping of the committed text
 * gives, and must not move when the edited schema's mapping is updated in place
 * by later keystrokes.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProjectSession } from '../../server/src/analysis/session';
import type { ProjectAnalysis } from '../../server/src/analysis/types';
import { locateProject } from '../../server/src/project/locate';
import { driftingRepository, SCHEMA } from '../support/driftingProject';

/**
 * What the drift contributes to an analysis: which changes pre-exist (told apart by content, their places are
 * the edited schema's), which pending migration carries each, and the states the report renders SQL from.
 */
function driftOf(analysis: ProjectAnalysis | undefined): unknown {
  const preexisting = analysis?.preexisting;
  if (!preexisting) return undefined;
  return {
    ref: preexisting.ref,
    changes: preexisting.changes.map((entry) => {
      const { source: _source, model: _model, field: _field, ...content } = entry.change;
      return { content, carriedBy: entry.carriedBy };
    }),
    // Copied: a later analysis must not be able to change what an earlier one returned.
    before: structuredClone(preexisting.before),
    after: structuredClone(preexisting.after),
  };
}

describe('drift at HEAD: the committed mapping taken from the analysed schema', function () {
  this.timeout(60000);
  let root: string;
  let schemaPath: string;

  before(() => {
    root = driftingRepository(fs.mkdtempSync(path.join(os.tmpdir(), 'mg-drift-start-')));
    schemaPath = path.join(root, 'prisma', 'schema.prisma');
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a clean checkout gives the drift a session reaches when it maps the committed text on its own', async () => {
    // This session's first analysis reads an edited text, so it maps the committed schema separately.
    const separately = new ProjectSession(locateProject(root), { deployed: 'git' });
    const edited = SCHEMA.replace('  label String\n', '  label String\n  color String?\n');
    const reference = driftOf(await separately.analyze(new Map([[schemaPath, edited]])));

    const fromAnalysed = new ProjectSession(locateProject(root), { deployed: 'git' });
    const clean = await fromAnalysed.analyze();
    assert.deepStrictEqual(driftOf(clean), reference);
    assert.deepStrictEqual(
      clean?.preexisting?.changes.map((entry) => `${entry.change.kind} ${entry.change.table} ${entry.change.source.range.start.line}:${entry.change.source.range.start.character}`),
      ['addColumn User 8:2', 'addIndex Post 18:2', 'addForeignKey Post 16:18'],
    );
  });

  it('keystrokes that move every block of the schema leave the drift where the committed file has it', async () => {
    const session = new ProjectSession(locateProject(root), { deployed: 'git' });
    const atStart = driftOf(await session.analyze());
    // Lines inserted above every model: the scanner moves the blocks' ranges in place, and the mapping's records are updated in place.
    const moved = SCHEMA.replace('model User {', '// a comment\n// another\nmodel User {');
    const edited = await session.analyze(new Map([[schemaPath, moved]]));
    assert.deepStrictEqual(driftOf(edited), atStart);
    const typed = await session.analyze(new Map([[schemaPath, moved.replace('  email String\n', '  email String\n  nick  String?\n')]]));
    assert.deepStrictEqual(driftOf(typed), atStart);
  });
});
