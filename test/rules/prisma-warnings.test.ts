/**
 * Our findings against Prisma's own warnings, on real projects (../shared/corpus).
 * For every PostgreSQL pair whose "before" can be rebuilt from head/migrations,
 * the pair's migration.sql is judged by the SQL rules (baseline: the replayed
 * migrations_before.txt) and after.prisma by the schema rules. Each bullet of
 * Prisma's `Warnings:` comment (meta.json `prisma_warnings`) must correspond to
 * a finding about the same table (and column): a miss is allowed only with a
 * reason in prisma-warnings-known-misses.json. Findings of the rules that play
 * Prisma's part, with no warning behind them, are counted as extra.
 * Also checks that our parser of the comment agrees with the corpus' kinds.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { judgeSchema } from '../../server/src/analysis/judge';
import { judgeMigrationSql, prismaWarnings } from '../../server/src/analysis/sqlAnalysis';
import { mapSchema } from '../../server/src/map/mapSchema';
import { defaultConfig } from '../../server/src/project/config';
import { createReplayer } from '../../server/src/replay/migrations';
import { loadPostgresParser } from '../../server/src/replay/statements';
import type { Replayer } from '../../server/src/replay/types';
import { identPattern, parsePrismaWarnings, type PrismaWarning } from '../../server/src/rules/support/sqlAst';
import type { Finding } from '../../server/src/rules/types';
import { scanSchema } from '../../server/src/scan/scanner';
import { corpusRoot } from '../support/corpus';

const repo = path.resolve(__dirname, '../../..');
const corpus = corpusRoot("corpus: Prisma's warnings and our findings");
/**
 * The corpus files one kind for both of Prisma's "dropped and recreated" sentences, which our
 * parser tells apart (the second says the column is required); compare under the corpus' name.
 */
const CORPUS_KIND: Record<string, string> = {
  column_recreated: 'column_type_change_drop_recreate',
  required_column_recreated: 'column_type_change_drop_recreate',
};
const knownMissesFile = path.join(repo, 'test/rules/prisma-warnings-known-misses.json');

/** Which of our rules speak for each kind of Prisma warning: SQL rules on the statement, schema rules on the model. */
const COUNTERPARTS: Record<string, string[]> = {
  drop_column: ['sql-drop-column'],
  column_recreated: ['sql-drop-column', 'change-column-type'],
  required_column_recreated: ['sql-drop-column', 'change-column-type'],
  drop_table: ['sql-drop-table'],
  unique_constraint_added: ['sql-index-not-concurrent', 'add-unique-constraint'],
  required_column_no_default: ['add-required-column'],
  required_column_prisma_default: ['add-required-column'],
  made_required: ['sql-set-not-null-scan', 'make-column-required'],
  alter_column_cast: ['change-column-type'],
  scalar_to_list: ['change-column-type'],
  primary_key_changed: ['change-primary-key'],
  enum_values_removed: ['remove-enum-value'],
};

/** SQL rules whose findings Prisma's warnings would be expected to name too: the rest are counted as extra. */
const EXTRA_CANDIDATES: Record<string, (finding: Finding) => boolean> = {
  'sql-drop-column': () => true,
  'sql-drop-table': () => true,
  'sql-set-not-null-scan': () => true,
  'sql-index-not-concurrent': (f) => /^CREATE\s+UNIQUE\s+INDEX/i.test(f.statement?.text ?? ''),
};

interface Meta {
  provider: string;
  migration_name: string;
  missing_from_head: string[];
  prisma_warnings: { kind: string; text: string }[];
}

/** Whether a finding is about the warning's subject: same table (and column, or the unique columns). */
function about(finding: Finding, warning: PrismaWarning): boolean {
  if (finding.change) {
    const change = finding.change as { table: string; column?: string; from?: string };
    if (warning.enumName) return change.table === warning.enumName;
    if (change.table !== warning.table) return false;
    return !warning.column || change.column === warning.column || change.from === warning.column;
  }
  const text = finding.statement?.text ?? '';
  const table = warning.table ?? warning.enumName ?? '';
  if (!new RegExp(identPattern(table)).test(text)) return false;
  const columns = warning.column ? [warning.column] : (warning.columns ?? []);
  return columns.every((c) => new RegExp(identPattern(c)).test(text));
}

function warningKey(project: string, pair: string, warning: PrismaWarning): string {
  const subject = warning.enumName ?? `${warning.table ?? '?'}${warning.column ? `.${warning.column}` : warning.columns ? `(${warning.columns.join(',')})` : ''}`;
  return `${project}/${pair}: ${warning.kind} ${subject}`;
}

describe('Prisma\'s Warnings: comment', () => {
  it('reads every kind of bullet prisma-engines writes, with its subject', () => {
    const sql = [
      '/*',
      '  Warnings:',
      '',
      '  - You are about to drop the column `legacyId` on the `User` table, which still contains 3 non-null values.',
      '  - You are about to drop the `Review` table, which is not empty (12 rows).',
      '  - The `total` column on the `Order` table would be dropped and recreated. This will lead to data loss.',
      '  - Changed the type of `kind` on the `Order` table. No cast exists, the column would be dropped and recreated, which cannot be done if there is data, since the column is required.',
      '  - You are about to alter the column `price` on the `Item` table, which contains 4 non-null values. The data in that column will be cast from `Decimal(65,30)` to `Integer`.',
      '  - The primary key for the `Tag` table will be changed. If it partially fails, the table could be left without primary key constraint.',
      '  - A unique constraint covering the columns `[userId,name]` on the table `Tag` will be added. If there are existing duplicate values, this will fail.',
      '  - The values [LEGACY,OLD] on the enum `Role` will be removed. If these variants are still used in the database, this will fail.',
      '  - Added the required column `phone` to the `User` table without a default value. There are 3 rows in this table, it is not possible to execute this step.',
      '  - The required column `slug` was added to the `Post` table with a prisma-level default value. This is not possible if the table is not empty. Please add this column as optional, then populate it before making it required.',
      '  - Made the column `name` on table `User` required, but there are 2 existing NULL values.',
      '  - Changed the column `tags` on the `Post` table from a scalar field to a list field. If there are non-null values in that column, this step will fail.',
      '  - Something Prisma will say one day.',
      '',
      '*/',
      'ALTER TABLE "User" DROP COLUMN "legacyId";',
    ].join('\n');
    assert.deepStrictEqual(prismaWarnings(sql), [
      'drop_column', 'drop_table', 'column_recreated', 'required_column_recreated', 'alter_column_cast', 'primary_key_changed',
      'unique_constraint_added', 'enum_values_removed', 'required_column_no_default', 'required_column_prisma_default', 'made_required',
      'scalar_to_list', 'other',
    ]);
    const parsed = parsePrismaWarnings(sql);
    assert.deepStrictEqual([parsed[0].table, parsed[0].column], ['User', 'legacyId']);
    assert.deepStrictEqual(parsed[1].table, 'Review');
    assert.deepStrictEqual([parsed[6].table, parsed[6].columns], ['Tag', ['userId', 'name']]);
    assert.deepStrictEqual([parsed[7].enumName, parsed[7].values], ['Role', ['LEGACY', 'OLD']]);
  });

  it('joins a bullet re-wrapped by hand, and finds nothing without the comment', () => {
    const wrapped = '/*\n  Warnings:\n\n  - You are about to drop the column `a` on the `T` table.\n    All the data in the column will be lost.\n*/\n';
    assert.deepStrictEqual(parsePrismaWarnings(wrapped).map((w) => [w.kind, w.text]), [['drop_column', 'You are about to drop the column `a` on the `T` table. All the data in the column will be lost.']]);
    assert.deepStrictEqual(prismaWarnings('-- DropTable\nDROP TABLE "T";\n'), []);
  });
});

describe('corpus: Prisma\'s warnings and our findings', function () {
  this.timeout(900000);
  const knownMisses = fs.existsSync(knownMissesFile) ? (JSON.parse(fs.readFileSync(knownMissesFile, 'utf8')) as Record<string, string>) : {};
  const perKind = new Map<string, { warnings: number; matched: number; missed: number }>();
  const extraPerRule = new Map<string, number>();
  const extras: string[] = [];
  const misses: string[] = [];
  const unexplained: string[] = [];
  const explainedUsed = new Set<string>();
  const kindMismatches: string[] = [];
  let pairsJudged = 0;
  let pairsSkipped = 0;

  before(async function () {
    if (!corpus) this.skip();
    await loadPostgresParser();
  });

  after(() => {
    if (!corpus) return;
    const lines = [`pairs judged ${pairsJudged} (${pairsSkipped} skipped: not PostgreSQL, or the state before them cannot be rebuilt from head)`];
    let matched = 0;
    let missed = 0;
    for (const [kind, n] of [...perKind].sort()) {
      lines.push(`${kind}: ${n.warnings} warning(s), ${n.matched} matched, ${n.missed} missed`);
      matched += n.matched;
      missed += n.missed;
    }
    const extra = [...extraPerRule.values()].reduce((a, b) => a + b, 0);
    lines.push(`total: matched ${matched}, missed ${missed}, extra ${extra} (${[...extraPerRule].sort().map(([rule, n]) => `${rule} ${n}`).join(', ') || 'none'})`);
    for (const miss of misses) lines.push(`missed: ${miss}`);
    if (process.env.CORPUS_DEBUG) for (const extra of extras) lines.push(`extra: ${extra}`);
    console.log('\n    prisma warnings vs findings:\n' + lines.map((l) => `      ${l}`).join('\n'));
  });

  it('every warning Prisma wrote has a finding of ours about the same object (or a recorded reason)', async function () {
    if (!corpus) this.skip();
    for (const project of fs.readdirSync(corpus!).sort()) {
      const dir = path.join(corpus!, project);
      const headDir = path.join(dir, 'head/migrations');
      if (!fs.existsSync(headDir)) continue;
      const headNames = fs
        .readdirSync(headDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(headDir, e.name, 'migration.sql')))
        .map((e) => e.name)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const headSql = (name: string): string => fs.readFileSync(path.join(headDir, name, 'migration.sql'), 'utf8');

      // Pairs in history order share one replayer that moves forward along head's order; a pair whose
      // "before" is not a prefix of it is replayed on its own.
      const pairs = fs.readdirSync(path.join(dir, 'pairs')).filter((p) => fs.statSync(path.join(dir, 'pairs', p)).isDirectory()).sort();
      let shared: Replayer | undefined;
      let sharedAt = 0;
      for (const pair of pairs) {
        const pairDir = path.join(dir, 'pairs', pair);
        const meta = JSON.parse(fs.readFileSync(path.join(pairDir, 'meta.json'), 'utf8')) as Meta;
        const before = fs.readFileSync(path.join(pairDir, 'migrations_before.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
        const sqlFile = path.join(pairDir, 'migration.sql');
        const sql = fs.readFileSync(sqlFile, 'utf8');
        // Our parser of the comment against the kinds the corpus recorded (every pair: the comment does not depend on the provider).
        const ours = prismaWarnings(sql).map((kind) => CORPUS_KIND[kind] ?? kind);
        const theirs = meta.prisma_warnings.map((w) => w.kind);
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) kindMismatches.push(`${project}/${pair}: ours ${JSON.stringify(ours)}, corpus ${JSON.stringify(theirs)}`);
        if (meta.provider !== 'postgresql' || meta.missing_from_head.length > 0 || before.some((n) => !headNames.includes(n))) {
          pairsSkipped++;
          continue;
        }
        pairsJudged++;
        let replayer: Replayer;
        const prefix = before.every((name, i) => headNames[i] === name);
        if (prefix && before.length >= sharedAt) {
          shared ??= await createReplayer('postgresql');
          for (; sharedAt < before.length; sharedAt++) shared.apply({ name: headNames[sharedAt], file: path.join(headDir, headNames[sharedAt], 'migration.sql'), sql: headSql(headNames[sharedAt]) });
          replayer = shared.fork();
        } else {
          replayer = await createReplayer('postgresql');
          for (const name of before) replayer.apply({ name, file: path.join(headDir, name, 'migration.sql'), sql: headSql(name) });
        }
        const baseline = replayer.state();

        const sqlFindings = judgeMigrationSql({
          provider: 'postgresql',
          baseline,
          pending: [{ name: meta.migration_name, file: sqlFile, sql }],
          deployed: before.map((name) => ({ name, sql: headSql(name) })),
          config: defaultConfig,
        }).findings;
        const afterFile = path.join(pairDir, 'after.prisma');
        const scanned = scanSchema([{ path: afterFile, text: fs.readFileSync(afterFile, 'utf8') }]);
        const mapped = mapSchema(scanned, { provider: 'postgresql' });
        const schemaFindings = judgeSchema({
          provider: 'postgresql',
          baseline,
          migrated: baseline,
          expected: mapped.state,
          sources: mapped.sources,
          prismaDefaults: mapped.prismaDefaults ?? {},
          config: defaultConfig,
          provenance: () => undefined,
          suppressions: [],
        }).findings;
        const findings = [...sqlFindings, ...schemaFindings];
        replayer.dispose();

        const warnings = parsePrismaWarnings(sql);
        const used = new Set<Finding>();
        for (const warning of warnings) {
          const counts = perKind.get(warning.kind) ?? { warnings: 0, matched: 0, missed: 0 };
          perKind.set(warning.kind, counts);
          counts.warnings++;
          const rules = COUNTERPARTS[warning.kind] ?? [];
          const match = findings.filter((f) => rules.includes(f.ruleId) && about(f, warning));
          if (match.length > 0) {
            counts.matched++;
            match.forEach((f) => used.add(f));
            continue;
          }
          counts.missed++;
          const key = warningKey(project, pair, warning);
          misses.push(knownMisses[key] ? `${key} (${knownMisses[key]})` : key);
          if (knownMisses[key]) explainedUsed.add(key);
          else unexplained.push(key);
        }
        for (const finding of sqlFindings) {
          const candidate = EXTRA_CANDIDATES[finding.ruleId];
          if (!candidate || !candidate(finding) || used.has(finding)) continue;
          // A finding about a warned object counts as matched even when another finding took the warning.
          if (warnings.some((w) => (COUNTERPARTS[w.kind] ?? []).includes(finding.ruleId) && about(finding, w))) continue;
          extraPerRule.set(finding.ruleId, (extraPerRule.get(finding.ruleId) ?? 0) + 1);
          extras.push(`${project}/${pair}: ${finding.ruleId} ${(finding.statement?.text ?? '').replace(/\s+/g, ' ').slice(0, 90)}${warnings.length === 0 ? ' (file has no Warnings: comment)' : ''}`);
        }
      }
      shared?.dispose();
    }
    assert.deepStrictEqual(kindMismatches, [], 'our parser of Prisma\'s Warnings: comment disagrees with the corpus');
    assert.deepStrictEqual(unexplained, [], 'warnings with no finding of ours (explain them in prisma-warnings-known-misses.json)');
    assert.deepStrictEqual(Object.keys(knownMisses).filter((k) => !explainedUsed.has(k)), [], 'recorded misses that no longer happen: remove them');
  });
});
