/**
 * Replays the real projects' migration histories (../shared/corpus) and checks
 * that nothing in them is left unmodelled: every warning or error note is
 * something the replayer failed to understand, so the test lists them all.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readMigrationsFolder, replayMigrations } from '../../server/src/replay/migrations';
import { loadPostgresParser, parsePostgresStatements } from '../../server/src/replay/statements';
import { corpusRoot } from '../support/corpus';


/**
 * The warnings each project's replay gives, honestly: what the replay cannot
 * interpret and what PostgreSQL itself rejects on a fresh database (civitai's
 * history does not apply on an empty database; checked on PostgreSQL 15).
 */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  civitai__civitai: [
    'warning: This migration fails on a fresh database at line 25: Column "reactionCount" of table "PostMetric" does not exist; the trigger\'s UPDATE OF cannot name it. (20251117182613_post_metrics_denormalization/migration.sql:25)',
    // Checked on PostgreSQL 15 (fails-on-fresh fixtures, transaction-block/): refused with 25001 in a file of several statements; the files' own comments say these statements are applied by hand.
    'warning: This migration fails on a fresh database at line 32: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway. (20251117182613_post_metrics_denormalization/migration.sql:32)',
    'warning: This migration fails on a fresh database at line 36: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway. (20251117182613_post_metrics_denormalization/migration.sql:36)',
    'warning: This migration fails on a fresh database at line 40: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway. (20251117182613_post_metrics_denormalization/migration.sql:40)',
    'warning: Line 27: PostgreSQL cannot parse this statement (syntax error at or near ""mode""); it is skipped and the rest of the file is still read. (20251123142214_model_metric_overhaul/migration.sql:18)',
    // Verified on PostgreSQL 15 (pg_depend after the history up to it): UserStat and ModelRank_Live read ModelMetric.timeframe, UserRank_Live reads UserStat.
    'warning: This migration fails on a fresh database at line 39: Column "ModelMetric"."timeframe" is used by view "UserStat", view "ModelRank_Live", view "UserRank_Live"; PostgreSQL refuses to drop it without CASCADE. The replay drops them too. (20251123142214_model_metric_overhaul/migration.sql:39)',
    'warning: This migration fails on a fresh database at line 2: Trigger "add_metrics_after_insert" does not exist at this point of the migrations; the DROP is skipped. (20251124081808_model_metric_trigger_drop/migration.sql:2)',
    'warning: This migration fails on a fresh database at line 3: Function "add_model_metrics" does not exist at this point of the migrations; the DROP is skipped. (20251124081808_model_metric_trigger_drop/migration.sql:3)',
    // Verified on PostgreSQL 15: the constant cast 'ImageScan'::"JobQueueType" is rejected even when no row is selected.
    `warning: This migration fails on a fresh database at line 37: It uses enum value 'ImageScan' of "JobQueueType", which line 2 adds in the same transaction, and PostgreSQL refuses a new enum value until the transaction that added it commits ("unsafe use of new value"); Prisma runs the whole migration file as one transaction. (20260113133814_add_image_scan_job_queue/migration.sql:37)`,
    `warning: This migration fails on a fresh database at line 35: It uses enum value 'BlockedImageDelete' of "JobQueueType", which line 2 adds in the same transaction, and PostgreSQL refuses a new enum value until the transaction that added it commits ("unsafe use of new value"); Prisma runs the whole migration file as one transaction. (20260113194750_add_blocked_image_delete_job_queue/migration.sql:35)`,
    'warning: This migration fails on a fresh database at line 31: Constraint "ImageReport_imageId_fkey" already exists on table "ImageReport"; the foreign key is not added. (20260702130000_imagereport_imageid_fk/migration.sql:31)',
    // Checked on PostgreSQL 15 (fails-on-fresh fixtures, transaction-block/): refused with 25001 in a file of several statements; the files' own comments say these statements are applied by hand.
    'warning: This migration fails on a fresh database at line 8: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway. (20260703120000_add_modelfile_replacedat/migration.sql:8)',
    'warning: This migration fails on a fresh database at line 26: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway. (20260707120000_block_scope_invocation_nullable_appblock/migration.sql:26)',
    'warning: This migration fails on a fresh database at line 74: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway. (20260715120000_w13_app_listing_comments/migration.sql:74)',
  ],
};

describe('replay/corpus: real PostgreSQL migration histories', function () {
  const root = corpusRoot('replay/corpus: real PostgreSQL migration histories');
  const projects = root
    ? fs
        .readdirSync(root)
        .filter((name) => fs.existsSync(path.join(root, name, 'head', 'migrations')))
        .sort()
    : [];
  const figures: string[] = [];

  before(async function () {
    if (!root) this.skip();
    await loadPostgresParser();
  });

  after(() => {
    if (figures.length > 0) console.log(`\n      ${figures.join('\n      ')}`);
  });

  if (!root) {
    it('needs the corpus at ../shared/corpus', function () {
      this.skip();
    });
    return;
  }

  for (const project of projects) {
    const dir = path.join(root, project, 'head', 'migrations');
    const folder = readMigrationsFolder(dir);
    if (folder.lockProvider !== 'postgresql') continue;

    it(`${project}: every migration replays, with only the warnings listed for it`, async () => {
      const started = performance.now();
      const outcome = await replayMigrations(folder, 'postgresql');
      const ms = performance.now() - started;
      const statements = folder.migrations.reduce((sum, m) => sum + parsePostgresStatements(m.sql).statements.length, 0);
      figures.push(
        `${project}: ${folder.migrations.length} migrations, ${statements} statements, ${Object.keys(outcome.state.tables).length} tables, ` +
          `${Object.keys(outcome.state.enums).length} enums, replayed in ${ms.toFixed(0)} ms`,
      );
      const problems = outcome.notes
        .filter((n) => n.level !== 'info')
        .map((n) => `${n.level}: ${n.message} (${n.where ? `${path.relative(dir, n.where.file)}:${n.where.range.start.line + 1}` : 'no place'})`);
      assert.deepStrictEqual(problems, EXPECTED_WARNINGS[project] ?? [], `warnings in ${project}:\n${problems.join('\n')}`);
      assert.strictEqual(outcome.applied, folder.migrations.length);
    });
  }

  for (const project of projects) {
    const folder = readMigrationsFolder(path.join(root, project, 'head', 'migrations'));
    const provider = folder.lockProvider;
    if (provider !== 'postgresql' && provider !== 'mysql') continue;
    it(`${project}: the outcome's provenance lookup answers every key as the replayer's whole record does`, async () => {
      const outcome = await replayMigrations(folder, provider);
      const record = outcome.cache.checkpoints[0].replayer.provenance();
      const keys = Object.keys(record);
      // Enough keys to be a real sample (the smallest project, Reactive-Resume, has 4 tables and 64 keys).
      assert.ok(keys.length > 50, `${keys.length} keys`);
      const differing = keys.filter((key) => outcome.provenance(key) !== record[key]);
      assert.deepStrictEqual(differing, []);
      // Keys that are not there: a table's item under another table, a prefix, a made-up column.
      const absent = [`${keys[0]}.no_such_column`, `${keys[0]}#no_such_index`, 'no_such_table', '.', '#'].filter((key) => !(key in record));
      assert.deepStrictEqual(absent.map((key) => outcome.provenance(key)), absent.map(() => undefined));
    });
  }
});
