/**
 * Writing plans and phases without losing the user's work: names, collisions,
 * refusals with their reasons, Advance's checks, and the editor's path (a
 * Finding or a diagnostic's short change, unsaved schema text).
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ProjectSession } from '../../server/src/analysis/session';
import { summarizeChange } from '../../server/src/diff/changes';
import {
  type Plan,
  PlanRefused,
  advancePhase,
  applyEditsToText,
  applyFirstPhase,
  applySchemaEditsToDisk,
  listPlanStatuses,
  planForFinding,
  planProject,
} from '../../server/src/phases';
import type { PrismaProject } from '../../server/src/project/locate';
import { cleanUp, copyFixture, judgePendingPhases, schemaText } from './support';

const NOW = new Date('2030-06-01T12:00:00Z');

async function planFor(project: PrismaProject, rule: string, table: string, texts?: Map<string, string>): Promise<Plan> {
  const { entries } = await planProject(project, { now: NOW, ...(texts ? { texts } : {}) });
  const entry = entries.find((e) => e.ruleId === rule && e.change.table === table);
  assert.ok(entry, `${rule} on ${table}`);
  assert.ok(entry.outcome.ok, entry.outcome.ok ? '' : entry.outcome.reason);
  return entry.outcome.plan;
}

function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      out.push(path.relative(dir, full));
      if (e.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

describe('phases: writing plans and phases', function () {
  this.timeout(60000);
  after(cleanUp);

  it('writes the plan folder and phase 1 the way Prisma names migrations, and the schema edit', async () => {
    const project = copyFixture('pg-blog');
    const plan = await planFor(project, 'add-required-column', 'Account');
    assert.strictEqual(plan.id, '20300601120000_add_phone_to_account');
    const written = applyFirstPhase(project, plan, { now: NOW });
    assert.deepStrictEqual(written.migrationFolders, ['20300601120000_expand_add_phone_to_account']);
    const folder = path.join(project.migrationsDir, written.migrationFolders[0]);
    assert.deepStrictEqual(fs.readdirSync(folder).sort(), ['down.sql', 'migration.sql']);
    assert.strictEqual(
      fs.readFileSync(path.join(folder, 'migration.sql'), 'utf8'),
      `-- Give up rather than queue the table's traffic behind a lock this migration waits for.\nSET LOCAL lock_timeout = '5s';\n\n-- AlterTable\nALTER TABLE "Account" ADD COLUMN     "phone" TEXT;\n`,
    );
    assert.deepStrictEqual(tree(written.planDir), [
      'phase-1-expand',
      'phase-1-expand/expand_add_phone_to_account',
      'phase-1-expand/expand_add_phone_to_account/down.sql',
      'phase-1-expand/expand_add_phone_to_account/migration.sql',
      'phase-2-backfill',
      'phase-2-backfill/backfill_phone_in_account',
      'phase-2-backfill/backfill_phone_in_account.ts',
      'phase-2-backfill/backfill_phone_in_account/down.sql',
      'phase-2-backfill/backfill_phone_in_account/migration.sql',
      'phase-2-backfill/preflight.sql',
      'phase-3-contract',
      'phase-3-contract/check_not_null_phone_in_account',
      'phase-3-contract/check_not_null_phone_in_account/down.sql',
      'phase-3-contract/check_not_null_phone_in_account/migration.sql',
      'phase-3-contract/require_phone_in_account',
      'phase-3-contract/require_phone_in_account/down.sql',
      'phase-3-contract/require_phone_in_account/migration.sql',
      'phase-3-contract/validate_not_null_phone_in_account',
      'phase-3-contract/validate_not_null_phone_in_account/down.sql',
      'phase-3-contract/validate_not_null_phone_in_account/migration.sql',
      'plan.json',
      'plan.md',
    ]);
    assert.strictEqual(path.relative(project.root, written.planDir), path.join('prisma', 'migration-plans', '20300601120000_add_phone_to_account'));
    const md = fs.readFileSync(path.join(written.planDir, 'plan.md'), 'utf8');
    assert.match(md, /^# Phased migration: Add the required field Account\.phone$/m);
    assert.match(md, /\| 1 \| Add Account\.phone as optional \| `expand_add_phone_to_account` \| Deploy code that sets `Account\.phone` on every create/);
    assert.match(md, /Phase 1 is in `prisma\/migrations\/` \(`20300601120000_expand_add_phone_to_account`\)/);
    assert.match(md, /```sql\n(--.*\n)*DO \$backfill\$/);
    assert.match(md, /Existing rows get `''` \(an empty string\)/);
    const script = fs.readFileSync(path.join(written.planDir, 'phase-2-backfill', 'backfill_phone_in_account.ts'), 'utf8');
    assert.match(script, /import \{ PrismaClient \} from "@prisma\/client";/);
    assert.match(script, /npx tsx prisma\/migration-plans\/20300601120000_add_phone_to_account\/phase-2-backfill\/backfill_phone_in_account\.ts --dry-run/);

    // The schema is not touched by the writer; its edit comes back for the editor (or the CLI) to apply.
    const before = schemaText(project);
    assert.deepStrictEqual(written.schemaEdits.map((e) => ({ file: path.basename(e.file), range: e.range, newText: e.newText })), [
      { file: 'schema.prisma', range: { start: { line: 28, character: 18 }, end: { line: 28, character: 18 } }, newText: '?' },
    ]);
    assert.strictEqual(schemaText(project), before);
    assert.deepStrictEqual(applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts), [project.schemaFiles[0]]);
    assert.match(schemaText(project), /^ {2}phone {5}String\?$/m);
  });

  it('never overwrites: a taken second moves the folder on, a taken plan folder too', async () => {
    const project = copyFixture('pg-blog');
    fs.mkdirSync(path.join(project.migrationsDir, '20300601120000_someone_elses'));
    fs.writeFileSync(path.join(project.migrationsDir, '20300601120000_someone_elses', 'migration.sql'), '-- theirs\n');
    const planDir = path.join(path.dirname(project.migrationsDir), 'migration-plans', '20300601120000_add_unique_slug_to_post');
    fs.mkdirSync(planDir, { recursive: true });
    fs.writeFileSync(path.join(planDir, 'notes.txt'), 'mine');
    const plan = await planFor(project, 'add-unique-constraint', 'Post');
    const written = applyFirstPhase(project, plan, { now: NOW });
    assert.deepStrictEqual(written.migrationFolders, ['20300601120001_guard_unique_slug_on_post', '20300601120002_build_unique_index_slug_on_post']);
    assert.strictEqual(fs.readFileSync(path.join(project.migrationsDir, '20300601120000_someone_elses', 'migration.sql'), 'utf8'), '-- theirs\n');
    assert.strictEqual(path.basename(written.planDir), '20300601120001_add_unique_slug_to_post');
    assert.strictEqual(written.plan.id, '20300601120001_add_unique_slug_to_post');
    assert.deepStrictEqual(fs.readdirSync(planDir), ['notes.txt']);
    assert.strictEqual(fs.readFileSync(path.join(planDir, 'notes.txt'), 'utf8'), 'mine');
  });

  it('sorts new migrations after every existing one, even one dated in the future', async () => {
    const project = copyFixture('pg-blog');
    fs.mkdirSync(path.join(project.migrationsDir, '20991231235959_from_the_future'));
    fs.writeFileSync(path.join(project.migrationsDir, '20991231235959_from_the_future', 'migration.sql'), 'SELECT 1;\n');
    const written = applyFirstPhase(project, await planFor(project, 'create-index-blocking', 'Post'), { now: NOW });
    assert.deepStrictEqual(written.migrationFolders, ['21000101000000_build_index_published_at_on_post']);
  });

  it('gives a migration name a fresh suffix when an abandoned folder already uses it', async () => {
    const project = copyFixture('pg-blog');
    fs.mkdirSync(path.join(project.migrationsDir, '20240401000000_build_index_published_at_on_post'));
    fs.writeFileSync(path.join(project.migrationsDir, '20240401000000_build_index_published_at_on_post', 'migration.sql'), '-- an experiment\n');
    const written = applyFirstPhase(project, await planFor(project, 'create-index-blocking', 'Post'), { now: NOW });
    assert.deepStrictEqual(written.migrationFolders, ['20300601120000_build_index_published_at_on_post_2']);
  });

  it('refuses, writing nothing, when a plan for the change is in progress or the schema no longer fits', async () => {
    const project = copyFixture('pg-blog');
    const plan = await planFor(project, 'add-required-column', 'Account');
    const first = applyFirstPhase(project, plan, { now: NOW });
    applySchemaEditsToDisk(first.schemaEdits, first.schemaTexts);
    const snapshot = tree(project.root);
    assert.throws(() => applyFirstPhase(project, plan, { now: NOW }), (error: Error) => {
      assert.ok(error instanceof PlanRefused);
      assert.match(error.message, /A plan for this change is in progress in prisma\/migration-plans\/20300601120000_add_phone_to_account \(phase 2 of 3 is next\)/);
      return true;
    });
    assert.deepStrictEqual(tree(project.root), snapshot);
    const again = await planForFinding(project, { ruleId: 'add-required-column', change: summarizeChange(plan.change as never) });
    assert.deepStrictEqual(again, { ok: false, reason: 'This change is no longer waiting for a migration: either the schema changed since, or a migration in the migrations folder already makes it. If that migration is not deployed yet, delete its folder and generate the phased migration again.' });

    const other = copyFixture('pg-blog');
    const rename = await planFor(other, 'rename-column', 'Author');
    const texts = new Map([[other.schemaFiles[0], schemaText(other).replace('  displayName String\n', '')]]);
    const before = tree(other.root);
    assert.throws(() => applyFirstPhase(other, rename, { now: NOW, texts }), /Cannot change `Author\.displayName` to `displayName String\?`: model `Author` has no field `displayName`\. Nothing was written\./);
    assert.deepStrictEqual(tree(other.root), before);
  });

  it('refuses to write schema edits over a file that changed since they were computed', async () => {
    const project = copyFixture('pg-blog');
    const written = applyFirstPhase(project, await planFor(project, 'make-column-required', 'Account'), { now: NOW });
    fs.appendFileSync(project.schemaFiles[0], '\n// an edit made meanwhile\n');
    assert.throws(() => applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts), /schema\.prisma changed since the edits were computed; the schema was not edited\./);
    assert.match(schemaText(project), /an edit made meanwhile/);
  });

  it('computes the edits against unsaved editor text', async () => {
    const project = copyFixture('pg-blog');
    // In the editor the field has a comment and another attribute the file on disk does not have yet.
    const buffer = schemaText(project).replace('  phone     String\n', '  /// E.164\n  phone     String @db.VarChar(32)\n');
    const texts = new Map([[project.schemaFiles[0], buffer]]);
    const outcome = await planForFinding(project, { ruleId: 'add-required-column', change: { kind: 'addColumn', table: 'Account', column: 'phone' } }, { texts, now: NOW });
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    assert.match(outcome.plan.phases[0].migrations[0].sql, /ADD COLUMN {5}"phone" VARCHAR\(32\);/);
    const written = applyFirstPhase(project, outcome.plan, { now: NOW, texts });
    assert.match(applyEditsToText(buffer, written.schemaEdits), /^ {2}phone {5}String\? @db\.VarChar\(32\)$/m);
  });

  // What our SQL rules still say about the phases they generate, per fixture (plan rule: finding rule in migration), each
  // a true statement the plan answers in its own text:
  // - require_name_in_user: SQLite makes a column NOT NULL only by copying the table, and the copy stops at a NULL written
  //   after the backfill; the phase's guard stops it first, changing nothing, and says to run the backfill again.
  // - contract_remove_spam_from_ticket_status, contract_remove_phone_from_channel, contract_reorder_priority: MySQL changes
  //   an ENUM list other than by appending only with ALGORITHM=COPY (MariaDB refuses INSTANT, INPLACE and LOCK=NONE for
  //   it); the contract phase is that copy, with LOCK=SHARED and behind its guard, and its text says writes wait for it.
  // - add_autoincrement_number_in_receipt: MySQL numbers a new AUTO_INCREMENT column's rows by rebuilding the table with
  //   writes blocked (MariaDB refuses LOCK=NONE for it, and runs it with INPLACE, LOCK=SHARED); a nullable column made
  //   AUTO_INCREMENT later would be a full COPY. The plan is that one rebuild and says writes wait for it. (The column's
  //   key must come in the same statement, so sql-mysql-index-not-online says nothing of it.)
  const stillHeard: Record<string, string[]> = {
    'pg-blog': [],
    'mysql-notes': [
      'remove-enum-value: sql-mysql-table-copy in contract_remove_spam_from_ticket_status',
      'remove-enum-value: sql-mysql-table-copy in contract_remove_phone_from_channel',
      'change-column-type: sql-mysql-table-copy in contract_reorder_priority',
      'add-required-column: sql-mysql-table-copy in add_autoincrement_number_in_receipt',
    ],
    'sqlite-notes': ['make-column-required: sql-sqlite-table-redefinition in require_name_in_user'],
  };
  for (const [fixture, plans] of [['pg-blog', 14], ['mysql-notes', 14], ['sqlite-notes', 10]] as const) {
    it(`writes phases our own SQL rules have nothing to say about, even while they are pending (${fixture}; no unbatched backfill anywhere)`, async () => {
      const base = copyFixture(fixture);
      const { entries } = await planProject(base);
      assert.strictEqual(entries.length, plans);
      const heard: string[] = [];
      for (const entry of entries) {
        const judged = await judgePendingPhases(copyFixture(fixture), entry.ruleId, entry.change);
        for (const finding of judged.findings) heard.push(`${entry.ruleId}: ${finding.ruleId} in ${finding.statement?.migration.replace(/^\d{14}_/, '')}`);
        for (const mark of judged.unusedMarks) heard.push(`${entry.ruleId}: unused suppression of ${mark}`);
      }
      assert.deepStrictEqual(heard, stillHeard[fixture]);
    });
  }

  it('plans from a Finding of the analysis, and says why a SQL finding has no plan', async () => {
    const project = copyFixture('pg-blog');
    const analysis = await new ProjectSession(project, { deployed: 'all' }).analyze();
    assert.ok(analysis);
    const finding = analysis.findings.find((f) => f.ruleId === 'rename-column');
    assert.ok(finding);
    const outcome = await planForFinding(project, finding);
    assert.ok(outcome.ok);
    assert.deepStrictEqual(outcome.plan.phases.map((p) => p.key), ['expand', 'backfill', 'switch', 'contract']);
    assert.deepStrictEqual(await planForFinding(project, { ruleId: 'sql-drop-column' }), { ok: false, reason: 'sql-drop-column is about migration SQL, not a schema change: there is no phased plan for it.' });
  });
});

describe('phases: advancing', function () {
  this.timeout(60000);
  after(cleanUp);

  async function started(rule = 'add-required-column', table = 'Account'): Promise<PrismaProject> {
    const project = copyFixture('pg-blog');
    const written = applyFirstPhase(project, await planFor(project, rule, table), { now: NOW });
    applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
    return project;
  }

  it('says there is nothing to advance without a plan', () => {
    const project = copyFixture('pg-blog');
    assert.deepStrictEqual(advancePhase(project), { ok: false, reason: 'No phased migration plan in prisma/migration-plans: generate one with "Generate phased migration" first.' });
  });

  it('moves the next phase in, from the plan folder as a reviewer edited it, until the plan is complete', async () => {
    const project = await started();
    const planDir = path.join(path.dirname(project.migrationsDir), 'migration-plans', '20300601120000_add_phone_to_account');
    const backfill = path.join(planDir, 'phase-2-backfill', 'backfill_phone_in_account', 'migration.sql');
    fs.writeFileSync(backfill, fs.readFileSync(backfill, 'utf8').replace(/SET "phone" = ''/g, `SET "phone" = 'unknown'`));
    const second = advancePhase(project, { now: new Date('2030-06-02T08:00:00Z') });
    assert.ok(second.ok);
    assert.deepStrictEqual(second.migrationFolders, ['20300602080000_backfill_phone_in_account']);
    assert.deepStrictEqual(second.schemaEdits, []);
    assert.deepStrictEqual(second.notes, ['Phase 1 asked, before this one: Deploy code that sets `Account.phone` on every create (Prisma Client has it as optional now; treat it as required in your code), so that no new row is left without a value.']);
    assert.match(fs.readFileSync(path.join(project.migrationsDir, second.migrationFolders[0], 'migration.sql'), 'utf8'), /SET "phone" = 'unknown'/);
    const third = advancePhase(project, { now: new Date('2030-06-02T08:00:00Z') });
    assert.ok(third.ok);
    assert.deepStrictEqual(third.migrationFolders, ['20300602080001_check_not_null_phone_in_account', '20300602080002_validate_not_null_phone_in_account', '20300602080003_require_phone_in_account']);
    applySchemaEditsToDisk(third.schemaEdits, third.schemaTexts);
    assert.match(schemaText(project), /^ {2}phone {5}String$/m);
    const statuses = listPlanStatuses(project).statuses;
    assert.deepStrictEqual(statuses.map((s) => s.phases.map((p) => p.state)), [['applied', 'applied', 'applied']]);
    assert.deepStrictEqual(advancePhase(project), { ok: false, reason: 'Every plan in prisma/migration-plans is complete: nothing to advance.' });
  });

  it('refuses while the previous phase is missing or only partly in the migrations folder', async () => {
    const project = await started();
    const [phase1] = fs.readdirSync(project.migrationsDir).filter((n) => n.endsWith('_expand_add_phone_to_account'));
    fs.renameSync(path.join(project.migrationsDir, phase1), path.join(project.root, 'moved-away'));
    const refused = advancePhase(project);
    assert.ok(!refused.ok);
    assert.strictEqual(refused.reason, 'Phase 1 of plan 20300601120000_add_phone_to_account is not in prisma/migrations (missing: <timestamp>_expand_add_phone_to_account): it was never applied, or its folder was deleted or renamed. Restore it, or delete prisma/migration-plans/20300601120000_add_phone_to_account and generate the plan again.');
    fs.renameSync(path.join(project.root, 'moved-away'), path.join(project.migrationsDir, phase1));
    assert.ok(advancePhase(project).ok);
    const third = advancePhase(project);
    assert.ok(third.ok);
    fs.rmSync(path.join(project.migrationsDir, third.migrationFolders[1]), { recursive: true });
    const partial = advancePhase(project);
    assert.ok(!partial.ok);
    assert.match(partial.reason, /^Phase 3 of plan 20300601120000_add_phone_to_account is only partly in prisma\/migrations \(missing: <timestamp>_validate_not_null_phone_in_account\)\. Restore the missing folder\(s\) from prisma\/migration-plans\/20300601120000_add_phone_to_account\/phase-3-contract/);
  });

  it('refuses while the previous phase is not committed to git, unless forced', async () => {
    const project = await started('drop-column', 'Post');
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: project.root, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).toString();
    git('init', '-q');
    git('add', 'package.json', 'prisma/schema.prisma', 'prisma/migrations/20240101000000_init', 'prisma/migrations/20240301000000_add_memberships');
    git('commit', '-q', '-m', 'without phase 1');
    const refused = advancePhase(project);
    assert.ok(!refused.ok);
    assert.strictEqual(refused.reason, "Phase 1's migration 20300601120000_stop_using_legacy_code_from_post is not committed yet. It must be deployed before phase 2, and then: Deploy code built from this schema, and wait until no instance of the old code runs (it still selects the column). Commit and deploy it, then advance (or pass --force if it is deployed from elsewhere).");
    assert.ok(advancePhase(project, { force: true }).ok);
  });

  it('refuses when the schema no longer has what the next phase edits', async () => {
    const project = await started();
    assert.ok(advancePhase(project).ok);
    fs.writeFileSync(project.schemaFiles[0], schemaText(project).replace(/^ {2}phone .*\n/m, ''));
    const refused = advancePhase(project);
    assert.deepStrictEqual(refused, { ok: false, reason: 'Cannot make `Account.phone` required: model `Account` has no field `phone`. The schema no longer matches what phase 2 left; nothing was written.' });
  });
});
