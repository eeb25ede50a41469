/**
 * The engine on real projects (../shared/corpus, see its README):
 * (a) every head: replaying the migrations and mapping the head schema give the
 *     same database, except the drift the project really has (recorded with its
 *     reason in expected-head-drift.json);
 * (b) every head: the error and warning findings `check` reports are exactly
 *     the recorded real drift (expected-head-drift.json, each with its
 *     reason): none on a table Prisma's engine leaves alone;
 * (c) every pair whose "before" can be rebuilt: the changes we compute between
 *     the replayed state and after.prisma equal what Prisma's own engine
 *     generates for it (prisma-engine.sql), and we measure how often they also
 *     equal the migration.sql the authors shipped (hand edits allowed; drift
 *     the project already had at the pair's parent is not the pair's change).
 * Figures are printed, with the agreement over all projects; misses must be
 * listed with a reason in known-pair-misses.json / known-shipped-misses.json.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeProjectDir } from '../../server/src/analysis/analyzeProject';
import type { DbState, Provider } from '../../server/src/core/dbState';
import { summarizeChange } from '../../server/src/diff/changes';
import { describeChange } from '../../server/src/diff/describe';
import { diffStates } from '../../server/src/diff/diff';
import { mapSchema } from '../../server/src/map/mapSchema';
import { loadPostgresParser } from '../../server/src/replay/statements';
import { createReplayer } from '../../server/src/replay/migrations';
import type { Replayer } from '../../server/src/replay/types';
import { scanSchema } from '../../server/src/scan/scanner';
import { corpusRoot } from '../support/corpus';

const repo = path.resolve(__dirname, '../../..');
const corpus = corpusRoot('corpus: real projects');
const dataDir = path.join(repo, 'test/corpus');

type Summary = Record<string, unknown>;

/**
 * Differences that are only a convention: index names PostgreSQL cut at 63
 * characters, and implicit many-to-many join tables that Prisma 5 keyed with a
 * unique index `_AB_unique` where Prisma 6+ uses a primary key `_AB_pkey`.
 */
function conventionOnly(change: Summary): boolean {
  if (change.kind === 'renameIndex' || change.kind === 'renameForeignKey') return true;
  const joinTable = String(change.table).startsWith('_');
  const ab = (list: unknown): boolean => JSON.stringify(list) === '["A","B"]';
  if (joinTable && change.kind === 'changePrimaryKey') return ab(change.to) || ab(change.from);
  if (joinTable && (change.kind === 'dropIndex' || change.kind === 'addIndex')) return ab(change.columns) && change.unique === true;
  return false;
}

function readProvider(project: string): Provider | undefined {
  const lock = path.join(project, 'head/migrations/migration_lock.toml');
  const text = fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8') : '';
  const match = /provider\s*=\s*"(\w+)"/.exec(text);
  return (match?.[1] as Provider | undefined) ?? undefined;
}

function headSchemaFiles(project: string): { path: string; text: string }[] {
  const single = path.join(project, 'head/schema.prisma');
  if (fs.existsSync(single)) return [{ path: single, text: fs.readFileSync(single, 'utf8') }];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.prisma')) files.push(full);
    }
  };
  walk(path.join(project, 'head/schema'));
  return files.sort().map((file) => ({ path: file, text: fs.readFileSync(file, 'utf8') }));
}

function mapFiles(files: { path: string; text: string }[], provider: Provider) {
  return mapSchema(scanSchema(files), { provider });
}

function migrationNames(project: string): string[] {
  const dir = path.join(project, 'head/migrations');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function apply(replayer: Replayer, project: string, name: string): Promise<void> {
  const file = path.join(project, 'head/migrations', name, 'migration.sql');
  replayer.apply({ name, file, sql: fs.readFileSync(file, 'utf8') });
}

function changesBetween(before: DbState, after: DbState, provider: Provider): Summary[] {
  const mapped = { tables: {}, columns: {}, indexes: {}, foreignKeys: {}, primaryKeys: {}, enums: {}, enumValues: {}, fallback: { file: '', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } };
  void provider;
  return diffStates({ baseline: before, expected: after, sources: mapped }).map(summarizeChange);
}

function sortSummaries(list: Summary[]): string[] {
  return list.map((s) => JSON.stringify(s)).sort();
}

function loadJson<T>(file: string, fallback: T): T {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : fallback;
}

describe('corpus: real projects', function () {
  this.timeout(600000);
  before(async function () {
    if (!corpus) this.skip();
    await loadPostgresParser();
  });

  const projects = corpus ? fs.readdirSync(corpus).filter((name) => fs.existsSync(path.join(corpus, name, 'head'))).sort() : [];
  const expectedHeadDrift = loadJson<Record<string, { changes: Summary[]; reason: string; findings?: { finding: string; reason: string }[] }>>(path.join(dataDir, 'expected-head-drift.json'), {});
  const knownMisses = loadJson<Record<string, string>>(path.join(dataDir, 'known-pair-misses.json'), {});
  // Where Prisma's engine cannot be asked (MySQL: the wasm engine has no MySQL; pairs without prisma-engine.sql),
  // the shipped migration.sql is the oracle: every such pair must agree with it, or be listed here with a reason.
  const knownShippedMisses = loadJson<Record<string, string>>(path.join(dataDir, 'known-shipped-misses.json'), {});
  const figures: string[] = [];
  const total = { agree: 0, withEngine: 0 };

  after(() => {
    if (total.withEngine > 0) figures.push(`all projects: pairs agree with Prisma's engine ${total.agree}/${total.withEngine} (${((100 * total.agree) / total.withEngine).toFixed(1)} %)`);
    if (figures.length) console.log('\n    corpus figures:\n' + figures.map((l) => `      ${l}`).join('\n'));
  });

  for (const name of projects) {
    const project = path.join(corpus ?? '', name);
    const provider = readProvider(project);
    describe(name, () => {
      it('head: replayed migrations equal the head schema (except recorded real drift)', async function () {
        if (!provider) this.skip();
        const replayer = await createReplayer(provider);
        const started = performance.now();
        const names = migrationNames(project);
        for (const migration of names) await apply(replayer, project, migration);
        const replayMs = performance.now() - started;
        const mapped = mapFiles(headSchemaFiles(project), provider);
        const drift = changesBetween(replayer.state(), mapped.state, provider);
        figures.push(`${name}: head ${names.length} migrations replayed in ${replayMs.toFixed(0)} ms, ${Object.keys(mapped.state.tables).length} tables, ${drift.length} drift change(s)`);
        assert.deepStrictEqual(sortSummaries(drift), sortSummaries(expectedHeadDrift[name]?.changes ?? []));
        replayer.dispose();
      });

      it('head: the error and warning findings of `check` are exactly the recorded real drift', async function () {
        if (!provider) this.skip();
        // rallly keeps its schema folder where only package.json (not read by Prisma 7) points: name it, as its users do.
        const schemaFolder = path.join(project, 'head/schema');
        const options = fs.existsSync(schemaFolder) ? { schema: schemaFolder } : {};
        const analysis = await analyzeProjectDir(path.join(project, 'head'), options);
        const findings = analysis.findings
          .filter((f) => f.severity !== 'info')
          .map((f) => `${f.severity} ${f.ruleId}: ${f.change ? describeChange(f.change) : (f.statement?.text ?? f.message)}`)
          .sort();
        const counts = new Map<string, number>();
        for (const f of analysis.findings) counts.set(`${f.severity} ${f.ruleId}`, (counts.get(`${f.severity} ${f.ruleId}`) ?? 0) + 1);
        figures.push(`${name}: check finds ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing'}`);
        assert.deepStrictEqual(findings, (expectedHeadDrift[name]?.findings ?? []).map((f) => f.finding).sort());
      });

      it('pairs: our changes equal those of Prisma\'s engine and of the shipped migration', async function () {
        if (!provider) this.skip();
        const pairsDir = path.join(project, 'pairs');
        const headNames = migrationNames(project);
        const misses: string[] = [];
        let evaluated = 0;
        let agreeEngine = 0;
        let engineAvailable = 0;
        let agreeShipped = 0;
        let agreeShippedNaming = 0;
        let skipped = 0;
        for (const pair of fs.readdirSync(pairsDir).filter((p) => fs.statSync(path.join(pairsDir, p)).isDirectory()).sort()) {
          const dir = path.join(pairsDir, pair);
          const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { provider: string; missing_from_head: string[] };
          const before = fs.readFileSync(path.join(dir, 'migrations_before.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
          if (meta.provider !== provider || meta.missing_from_head.length > 0 || before.some((n) => !headNames.includes(n))) {
            skipped++;
            continue;
          }
          evaluated++;
          const replayer = await createReplayer(provider);
          for (const migration of before) await apply(replayer, project, migration);
          const afterText = fs.readFileSync(path.join(dir, 'after.prisma'), 'utf8');
          const expected = mapFiles([{ path: path.join(dir, 'after.prisma'), text: afterText }], provider).state;

          const engineFile = path.join(dir, 'prisma-engine.sql');
          if (fs.existsSync(engineFile)) {
            engineAvailable++;
            const engine = replayer.fork();
            engine.apply({ name: 'prisma-engine', file: engineFile, sql: fs.readFileSync(engineFile, 'utf8') });
            // Agreement: the database Prisma's SQL produces is the one we expect from after.prisma.
            const residue = sortSummaries(changesBetween(engine.state(), expected, provider));
            if (residue.length === 0) agreeEngine++;
            else if (!knownMisses[`${name}/${pair}`]) misses.push(`${pair}: after Prisma's SQL, still ${residue.join(' ')}`);
            engine.dispose();
          }
          // Drift the project already had before this commit (its schema and migrations disagreed at the parent) is not the pair's change.
          const beforeText = fs.readFileSync(path.join(dir, 'before.prisma'), 'utf8');
          const carried = new Set(sortSummaries(changesBetween(replayer.state(), mapFiles([{ path: path.join(dir, 'before.prisma'), text: beforeText }], provider).state, provider)));
          const shipped = replayer.fork();
          shipped.apply({ name: pair, file: path.join(dir, 'migration.sql'), sql: fs.readFileSync(path.join(dir, 'migration.sql'), 'utf8') });
          const shippedResidue = changesBetween(shipped.state(), expected, provider).filter((c) => !carried.has(JSON.stringify(c)));
          if (shippedResidue.length === 0) agreeShipped++;
          else if (shippedResidue.every(conventionOnly)) agreeShippedNaming++;
          else {
            if (process.env.CORPUS_DEBUG) console.log(`      shipped ${name}/${pair}: ${sortSummaries(shippedResidue).join(' ')}`);
            if (!fs.existsSync(engineFile) && !knownShippedMisses[`${name}/${pair}`]) misses.push(`${pair}: after the shipped migration.sql, still ${sortSummaries(shippedResidue).join(' ')}`);
          }
          shipped.dispose();
          replayer.dispose();
        }
        total.agree += agreeEngine;
        total.withEngine += engineAvailable;
        figures.push(
          `${name}: pairs ${evaluated} evaluated (${skipped} not rebuildable), agree with Prisma's engine ${agreeEngine}/${engineAvailable}, with the shipped migration.sql ${agreeShipped}/${evaluated}` +
            (agreeShippedNaming ? ` (+${agreeShippedNaming} that differ only by naming conventions)` : ''),
        );
        assert.deepStrictEqual(misses, []);
      });
    });
  }
});
