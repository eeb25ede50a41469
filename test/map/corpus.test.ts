import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { mapSchema } from '../../server/src/map';
import { type ScannedSchema, scanSchema } from '../../server/src/scan';
import { lintSchema, locateSchema } from '../../server/src/schema';
import { corpusRoot } from '../support/corpus';


function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('map: corpus heads (smoke)', function () {
  const corpus = corpusRoot('map: corpus heads');

  before(function () {
    if (!corpus) this.skip();
  });

  it('every head schema scans without problems, maps without error notes and lints clean', function () {
    const root = corpus as string;
    const rows: string[] = [];
    const failures: Record<string, unknown> = {};
    const projects: { project: string; files: { path: string; text: string }[] }[] = [];
    for (const project of fs.readdirSync(root).sort()) {
      const head = path.join(root, project, 'head');
      if (!fs.existsSync(head)) continue;
      const located = locateSchema(fs.existsSync(path.join(head, 'schema')) ? path.join(head, 'schema', 'schema.prisma') : head);
      assert.ok(located, `${project}: schema not found`);
      projects.push({ project, files: located.files.map((file) => ({ path: file, text: fs.readFileSync(file, 'utf8') })) });
    }
    // Warm the JIT on every project first: an editor maps on every keystroke, so steady state is what matters.
    for (let round = 0; round < 10; round++) for (const { files } of projects) mapSchema(scanSchema(files));
    for (const { project, files } of projects) {
      const lines = files.reduce((sum, file) => sum + file.text.split('\n').length, 0);
      // Best of a few warm runs: what the code costs, not what a busy machine adds.
      let scanned: ScannedSchema = scanSchema(files);
      let mapped = mapSchema(scanned);
      let lint = lintSchema(files);
      let scanMs = Infinity;
      let mapMs = Infinity;
      let lintMs = Infinity;
      for (let run = 0; run < 5; run++) {
        let start = process.hrtime.bigint();
        scanned = scanSchema(files);
        scanMs = Math.min(scanMs, ms(start));
        start = process.hrtime.bigint();
        mapped = mapSchema(scanned);
        mapMs = Math.min(mapMs, ms(start));
        if (run < 2) {
          start = process.hrtime.bigint();
          lint = lintSchema(files);
          lintMs = Math.min(lintMs, ms(start));
        }
      }
      const errors = mapped.notes.filter((note) => note.level === 'error');
      const lintErrors = lint.diagnostics.filter((d) => d.severity === 'error');
      if (scanned.problems.length > 0 || errors.length > 0 || lintErrors.length > 0 || lint.failure) {
        failures[project] = { problems: scanned.problems, errors, lintErrors, failure: lint.failure };
      }
      rows.push(
        `${project.padEnd(30)} files ${String(files.length).padStart(2)}  lines ${String(lines).padStart(5)}  models ${String(scanned.models.length).padStart(3)}  tables ${String(Object.keys(mapped.state.tables).length).padStart(3)}  enums ${String(Object.keys(mapped.state.enums).length).padStart(3)}  scan ${scanMs.toFixed(2)} ms  map ${mapMs.toFixed(2)} ms  lint ${lintMs.toFixed(1)} ms`,
      );
    }
    console.log(`      ${rows.join('\n      ')}`);
    assert.deepStrictEqual(failures, {});
  });

  it('locates the split rallly schema from any of its files', function () {
    const head = path.join(corpus as string, 'lukevella__rallly', 'head');
    if (!fs.existsSync(head)) this.skip();
    const located = locateSchema(path.join(head, 'schema', 'models', 'user.prisma'));
    assert.ok(located);
    assert.deepStrictEqual(
      { schemaPath: located.schemaPath, mainFile: located.mainFile, multiFile: located.multiFile, migrationsDir: located.migrationsDir, count: located.files.length },
      { schemaPath: path.join(head, 'schema'), mainFile: path.join(head, 'schema', 'schema.prisma'), multiFile: true, migrationsDir: path.join(head, 'schema', 'migrations'), count: 13 },
    );
  });
});
