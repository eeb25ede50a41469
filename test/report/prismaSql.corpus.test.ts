/**
 * "The SQL Prisma will generate" on real projects (../shared/corpus): for each
 * pair whose "before" database can be rebuilt, the SQL we render for the
 * changes between that database and after.prisma, applied by our replay to
 * the "before" database, must give exactly the database after.prisma
 * describes (no change left). Agreement figures are printed per project;
 * every miss must be listed with its reason in known-sql-misses.json.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbState, Provider } from '../../server/src/core/dbState';
import { type Change, summarizeChange } from '../../server/src/diff/changes';
import { diffStates } from '../../server/src/diff/diff';
import { mapSchema } from '../../server/src/map/mapSchema';
import { prismaMigrationSql } from '../../server/src/report/prismaSql';
import { createReplayer } from '../../server/src/replay/migrations';
import { loadPostgresParser } from '../../server/src/replay/statements';
import { scanSchema } from '../../server/src/scan/scanner';
import { corpusRoot } from '../support/corpus';

const repo = path.resolve(__dirname, '../../..');
const corpus = corpusRoot('report: the SQL Prisma will generate, on the corpus');
const knownMisses = loadJson<Record<string, string>>(path.join(repo, 'test', 'report', 'known-sql-misses.json'), {});

function loadJson<T>(file: string, fallback: T): T {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : fallback;
}

function providerOf(project: string): Provider | undefined {
  const lock = path.join(project, 'head/migrations/migration_lock.toml');
  const match = /provider\s*=\s*"(\w+)"/.exec(fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8') : '');
  return match?.[1] as Provider | undefined;
}

function migrationNames(project: string): string[] {
  const dir = path.join(project, 'head/migrations');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

const NO_SOURCES = { tables: {}, columns: {}, indexes: {}, foreignKeys: {}, primaryKeys: {}, enums: {}, enumValues: {}, fallback: { file: '', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } };

function changesBetween(before: DbState, after: DbState): Change[] {
  return diffStates({ baseline: before, expected: after, sources: NO_SOURCES });
}

/** Statements without comments, one per entry, whitespace runs collapsed. */
function statementsOf(sql: string): string[] {
  const text = sql.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^--.*$/gm, '');
  return text.split(/;\s*\n/).map((s) => s.replace(/\s+/g, ' ').replace(/;$/, '').trim()).filter((s) => s.length > 0);
}

const RENAMES = new Set(['renameColumn', 'renameTable']);

describe('report: the SQL Prisma will generate, replayed on the corpus', function () {
  this.timeout(600000);
  const figures: string[] = [];
  const totals = { pairs: 0, agree: 0, renamePairs: 0, renameAgree: 0, empty: 0, engineStatements: 0, sameStatements: 0 };

  before(async function () {
    if (!corpus) this.skip();
    await loadPostgresParser();
  });

  after(() => {
    if (figures.length === 0) return;
    const other = totals.pairs - totals.renamePairs;
    figures.push(
      `all: ${totals.agree}/${totals.pairs} pairs agree (${other > 0 ? `${totals.agree - totals.renameAgree}/${other} without renames` : 'none without renames'}, ${totals.renameAgree}/${totals.renamePairs} with renames); ${totals.empty} pairs change nothing at the database level`,
      `text: ${totals.sameStatements}/${totals.engineStatements} statements of Prisma's engine (prisma-engine.sql) appear verbatim in ours`,
    );
    console.log('\n    SQL agreement on the corpus (rendered SQL replayed on the state before each pair equals after.prisma):\n' + figures.map((l) => `      ${l}`).join('\n'));
  });

  const projects = corpus ? fs.readdirSync(corpus).filter((name) => fs.existsSync(path.join(corpus, name, 'head'))).sort() : [];
  for (const name of projects) {
    it(name, async function () {
      const project = path.join(corpus as string, name);
      const provider = providerOf(project);
      if (!provider) this.skip();
      const headNames = migrationNames(project);
      const pairsDir = path.join(project, 'pairs');
      const misses: string[] = [];
      let pairs = 0;
      let agree = 0;
      let empty = 0;
      let renamePairs = 0;
      let renameAgree = 0;
      let refused = 0;
      for (const pair of fs.readdirSync(pairsDir).filter((p) => fs.statSync(path.join(pairsDir, p)).isDirectory()).sort()) {
        const dir = path.join(pairsDir, pair);
        const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { provider: string; missing_from_head: string[] };
        const names = fs.readFileSync(path.join(dir, 'migrations_before.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
        if (meta.provider !== provider || meta.missing_from_head.length > 0 || names.some((n) => !headNames.includes(n))) continue;
        const replayer = await createReplayer(provider);
        for (const migration of names) {
          const file = path.join(project, 'head/migrations', migration, 'migration.sql');
          replayer.apply({ name: migration, file, sql: fs.readFileSync(file, 'utf8') });
        }
        const afterFile = path.join(dir, 'after.prisma');
        const expected = mapSchema(scanSchema([{ path: afterFile, text: fs.readFileSync(afterFile, 'utf8') }]), { provider }).state;
        const before = replayer.state();
        const changes = changesBetween(before, expected);
        if (changes.length === 0) {
          empty++;
          replayer.dispose();
          continue;
        }
        pairs++;
        const renames = changes.some((c) => RENAMES.has(c.kind));
        if (renames) renamePairs++;
        const { sql } = prismaMigrationSql(changes, { provider, before, after: expected });
        const engineFile = path.join(dir, 'prisma-engine.sql');
        if (fs.existsSync(engineFile)) {
          const ours = new Set(statementsOf(sql));
          for (const statement of statementsOf(fs.readFileSync(engineFile, 'utf8'))) {
            totals.engineStatements++;
            if (ours.has(statement)) totals.sameStatements++;
          }
        }
        const applied = replayer.fork();
        const dropsBefore = applied.dropEvents?.().length ?? 0;
        const notes = applied.apply({ name: 'rendered', file: path.join(dir, 'rendered.sql'), sql });
        const left = changesBetween(applied.state(), expected);
        const residue = left.map((c) => JSON.stringify(summarizeChange(c))).sort();
        // A statement the replay could not read or apply is a miss even when the end state happens to agree.
        const problems = notes.filter((n) => n.level !== 'info').map((n) => n.message);
        // Prisma's own SQL refused by PostgreSQL: it drops a column or table that hand-written views read. Prisma
        // would write the same drop (it does not know the views), so this is the database's answer, not our SQL's.
        const refusedDrops = (applied.dropEvents?.() ?? []).slice(dropsBefore).filter((e) => !e.cascade && e.action === 'drop');
        const viewsLost = new Set(refusedDrops.flatMap((e) => e.dependants.filter((d) => d.kind === 'view' || d.kind === 'materializedView').map((d) => d.key.slice('relation:'.length))));
        const unexplained = problems.filter((p) => !refusedDrops.some((e) => p.toLowerCase().includes(`${e.target.toLowerCase()} is used by`)));
        const unexplainedResidue = left.filter((c) => !(c.kind === 'addTable' && viewsLost.has(c.table)));
        if (unexplainedResidue.length === 0 && unexplained.length === 0) {
          if (refusedDrops.length > 0) refused++;
          agree++;
          if (renames) renameAgree++;
        } else if (!knownMisses[`${name}/${pair}`]) {
          misses.push(`${pair}: still ${residue.join(' ')}${problems.length > 0 ? `; replay: ${problems.join(' | ')}` : ''}${process.env.SQL_DEBUG ? `\n${sql}` : ''}`);
        }
        applied.dispose();
        replayer.dispose();
      }
      figures.push(`${name} (${provider}): ${agree}/${pairs} pairs agree (${renameAgree}/${renamePairs} with renames)${empty ? `, ${empty} with no database change` : ''}${refused ? ` (${refused} of them refused by PostgreSQL as Prisma's SQL would be: a drop that hand-written views depend on)` : ''}`);
      totals.pairs += pairs;
      totals.agree += agree;
      totals.renamePairs += renamePairs;
      totals.renameAgree += renameAgree;
      totals.empty += empty;
      assert.deepStrictEqual(misses, []);
    });
  }
});
