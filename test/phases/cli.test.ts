/**
 * `prisma-migration-guard plan`: listing, writing the first phase, status,
 * advancing to the end, and the exit codes and messages of refusals.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../server/src/cli';
import { cleanUp, copyFixture, schemaText, unmigrated } from './support';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

describe('cli: plan', function () {
  this.timeout(60000);
  after(cleanUp);

  it('lists the plans of every unsafe pending change without writing anything', async () => {
    const project = copyFixture('pg-blog');
    const result = await cli('plan', project.root);
    assert.strictEqual(result.code, 0, result.err);
    const heads = result.out.split('\n').filter((l) => /^\d+\. /.test(l));
    assert.deepStrictEqual(heads, [
      '1. drop-table --target AuditLog',
      '2. drop-table --target Team',
      '3. add-required-column --target Account.phone',
      '4. make-column-required --target Account.nickname',
      '5. rename-column --target Author.displayName',
      '6. drop-column --target Post.legacyCode',
      '7. change-column-type --target Post.views',
      '8. add-unique-constraint --target Post_slug_key',
      '9. create-index-blocking --target Post_publishedAt_idx',
      '10. add-foreign-key --target Post_accountId_fkey',
      '11. add-required-column --target Membership.role',
      '12. add-required-column --target Receipt.number',
      '13. remove-enum-value --target Status.DELETED',
      '14. remove-enum-value --target Tier.LEGACY',
    ]);
    assert.match(result.out, /^ {3}Add the required field Account\.phone \(add-required-column, PostgreSQL\): 3 phase\(s\)$/m);
    assert.ok(!fs.existsSync(path.join(project.root, 'prisma', 'migration-plans')));
    const json = await cli('plan', project.root, '--format', 'json', '--rule', 'drop-table');
    const parsed = JSON.parse(json.out) as { ruleId: string; plan: { phases: unknown[] } }[];
    assert.deepStrictEqual(parsed.map((p) => [p.ruleId, p.plan.phases.length]), [['drop-table', 2], ['drop-table', 2]]);
  });

  it('writes the first phase of one change, then advances to the end', async () => {
    const project = copyFixture('pg-blog');
    const ambiguous = await cli('plan', project.root, '--apply-first-phase', '--rule', 'add-required-column');
    assert.strictEqual(ambiguous.code, 1);
    assert.strictEqual(ambiguous.err, 'prisma-migration-guard: 3 changes match; pick one with --rule and --target:\n  --rule add-required-column --target Account.phone\n  --rule add-required-column --target Membership.role\n  --rule add-required-column --target Receipt.number\n');

    const first = await cli('plan', project.root, '--apply-first-phase', '--rule', 'add-required-column', '--target', 'Membership.role', '--backfill', `'member'`, '--batch-size', '250');
    assert.strictEqual(first.code, 0, first.err);
    assert.match(first.out, /^Wrote phase 1 of 3 of \d{14}_add_role_to_membership: Add Membership\.role as optional\n {2}\+ prisma\/migrations\/\d{14}_expand_add_role_to_membership\/migration\.sql \(and down\.sql\)\n {2}~ prisma\/schema\.prisma\n {2}plan: prisma\/migration-plans\/\d{14}_add_role_to_membership\/plan\.md\nDeploy this phase; then, before the next one: Deploy code that sets `Membership\.role` on every create/);
    assert.match(schemaText(project), /^ {2}role {6}String\?$/m);
    assert.ok(!(await unmigrated(project)).some((c) => c.table === 'Membership' && c.kind !== 'dropForeignKey'), 'phase 1 and the schema agree (the key to the dropped Team is another plan\'s)');
    const planDir = fs.readdirSync(path.join(project.root, 'prisma', 'migration-plans'))[0];
    const backfill = fs.readFileSync(path.join(project.root, 'prisma', 'migration-plans', planDir, 'phase-2-backfill', 'backfill_role_in_membership', 'migration.sql'), 'utf8');
    assert.match(backfill, /batch_size CONSTANT integer := 250;/);
    assert.match(backfill, /SET "role" = 'member'/);
    assert.match(backfill, /AND \("accountId", "teamId"\) > \(cursor_1_1, cursor_1_2\)/);

    const status = await cli('plan', project.root, '--status');
    assert.match(status.out, /^ {2}1\. \[applied\] Add Membership\.role as optional\n {2}2\. \[pending\] Backfill Membership\.role for existing rows\n {2}3\. \[pending\] Make Membership\.role required$/m);

    const second = await cli('plan', project.root, '--advance');
    assert.strictEqual(second.code, 0, second.err);
    assert.match(second.out, /^Moved phase 2 of 3 .*\n {2}\+ prisma\/migrations\/\d{14}_backfill_role_in_membership\/migration\.sql \(and down\.sql\)\n {2}\(no schema edit in this phase\)/);
    const third = await cli('plan', project.root, '--advance', '--format', 'json');
    assert.strictEqual(third.code, 0, third.err);
    const moved = JSON.parse(third.out) as { phase: number; migrations: string[]; schemaEdited: string[] };
    assert.strictEqual(moved.phase, 3);
    assert.deepStrictEqual(moved.migrations.map((m) => m.replace(/^\d{14}_/, '')), ['check_not_null_role_in_membership', 'validate_not_null_role_in_membership', 'require_role_in_membership']);
    assert.deepStrictEqual(moved.schemaEdited, ['prisma/schema.prisma']);
    assert.match(schemaText(project), /^ {2}role {6}String$/m);
    const done = await cli('plan', project.root, '--advance');
    assert.strictEqual(done.code, 1);
    assert.strictEqual(done.err, 'prisma-migration-guard: not advanced: Every plan in prisma/migration-plans is complete: nothing to advance.\n');
  });

  it('exits 1 with the reason when nothing matches, 2 when it cannot run', async () => {
    const project = copyFixture('pg-blog');
    const none = await cli('plan', project.root, '--apply-first-phase', '--target', 'Nope.nothing');
    assert.strictEqual(none.code, 1);
    assert.strictEqual(none.err, 'prisma-migration-guard: no pending change matches a phased migration (target Nope.nothing).\n');
    const missing = await cli('plan', path.join(project.root, 'does-not-exist'));
    assert.strictEqual(missing.code, 2);
    assert.match(missing.err, /does not exist/);
  });
});
