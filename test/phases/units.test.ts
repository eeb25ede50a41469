/**
 * The pure parts of the planner: names, the Prisma text written for columns
 * and models (mapped back, it must give exactly the column it came from),
 * schema edits and their undoing, and plans for MySQL (whose migrations are
 * not replayed yet, so its states come from schemas here).
 */
import * as assert from 'assert';
import { type DbColumn, type DbState, sameDefault, sameType } from '../../server/src/core/dbState';
import { diffStates } from '../../server/src/diff/diff';
import { mapSchema } from '../../server/src/map/mapSchema';
import { applyEditsToText, contextFrom, planForChange, plannableChanges, schemaEditsFor } from '../../server/src/phases';
import { migrationSlug, nextTimestamps, snake, timestamp } from '../../server/src/phases/naming';
import { fieldDeclaration, modelDeclaration, resolverFor } from '../../server/src/phases/prismaText';
import { scanSchema } from '../../server/src/scan/scanner';

const PG_HEADER = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nenum Mood {\n  HAPPY\n  SAD\n}\n';

function mapped(text: string, provider: 'postgresql' | 'sqlite' | 'mysql' = 'postgresql'): DbState {
  return mapSchema(scanSchema([{ path: '/p/schema.prisma', text }]), { provider }).state;
}

/** A planning context from two schema texts: the migrated database (`before`) and the edited schema. */
function planContext(provider: 'postgresql' | 'sqlite' | 'mysql', before: string, after: string): ReturnType<typeof contextFrom> {
  const scanned = scanSchema([{ path: '/p/schema.prisma', text: after }]);
  const from = mapped(before, provider);
  const to = mapSchema(scanned, { provider });
  return contextFrom({
    provider,
    before: from,
    target: to.state,
    schema: scanned,
    texts: new Map([['/p/schema.prisma', after]]),
    unmigrated: diffStates({ baseline: from, expected: to.state, sources: to.sources, prismaDefaults: to.prismaDefaults }),
    prismaDir: '/p',
    root: '/',
    warnings: [],
  });
}

describe('phases: names', () => {
  it('writes snake_case Prisma migration names and 14-digit UTC timestamps that sort after the folder', () => {
    assert.strictEqual(snake('shippingAddress'), 'shipping_address');
    assert.strictEqual(snake('OrderItem'), 'order_item');
    assert.strictEqual(snake('HTTPLog'), 'http_log');
    assert.strictEqual(snake('user-id (old)'), 'user_id_old');
    assert.strictEqual(migrationSlug('expand', 'add', 'phone', 'to', 'User'), 'expand_add_phone_to_user');
    const long = migrationSlug('expand', 'x'.repeat(200));
    assert.ok(long.length <= 80 && /^[a-z0-9_]+$/.test(long));
    assert.strictEqual(timestamp(new Date('2025-01-02T03:04:05.678Z')), '20250102030405');
    const next = nextTimestamps(['20250102030405_a', '20250102030406_b', 'migration_lock.toml'], 2, new Date('2025-01-02T03:04:05.999Z'));
    assert.deepStrictEqual(next.map(timestamp), ['20250102030407', '20250102030408']);
  });
});

describe('phases: Prisma text for database columns', () => {
  const columns: DbColumn[] = [];
  const types: [string, number[], boolean?][] = [
    ['text', []], ['varchar', [200]], ['bpchar', [3]], ['uuid', []], ['int2', []], ['int4', []], ['int8', []], ['float4', []], ['float8', []],
    ['numeric', [65, 30]], ['numeric', [10, 2]], ['bool', []], ['timestamp', [3]], ['timestamp', [6]], ['timestamptz', [6]], ['date', []],
    ['time', [6]], ['jsonb', []], ['json', []], ['bytea', []], ['text', [], true], ['int4', [], true],
  ];
  types.forEach(([name, args, array], i) => columns.push({ name: `c${i}`, type: { name, args, array: !!array, isEnum: false }, nullable: !!array || i % 2 === 0 }));
  columns.push({ name: 'mood', type: { name: 'Mood', args: [], array: false, isEnum: true }, nullable: false, default: { kind: 'value', sql: "'SAD'" } });
  columns.push({ name: 'created', type: { name: 'timestamp', args: [3], array: false, isEnum: false }, nullable: false, default: { kind: 'expression', sql: 'current_timestamp', volatile: false } });
  columns.push({ name: 'label', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: "'it''s'" } });
  columns.push({ name: 'n', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: '-3' } });
  columns.push({ name: 'flag', type: { name: 'bool', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'value', sql: 'true' } });
  columns.push({ name: 'token', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false, default: { kind: 'expression', sql: 'gen_random_uuid()', volatile: true } });
  columns.push({ name: 'weird name', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: true });

  it('declares fields that map back to exactly the same PostgreSQL column', () => {
    const state = mapped(PG_HEADER);
    const names = resolverFor(scanSchema([{ path: '/p/schema.prisma', text: PG_HEADER }]), state);
    const fields = columns.map((c) => fieldDeclaration(c.name === 'weird name' ? 'weird_name' : c.name, c, 'postgresql', names));
    const text = `${PG_HEADER}\nmodel T {\n  id Int @id\n${fields.map((f) => `  ${f}`).join('\n')}\n}\n`;
    const table = mapped(text).tables.T;
    for (const column of columns) {
      const back = table.columns.find((c) => c.name === column.name);
      assert.ok(back, `${column.name} is mapped (${fields.join('\n')})`);
      assert.ok(sameType(back.type, column.type), `${column.name}: ${JSON.stringify(back.type)} vs ${JSON.stringify(column.type)}`);
      assert.strictEqual(back.nullable, column.nullable, column.name);
      assert.ok(sameDefault(back.default, column.default), `${column.name}: ${JSON.stringify(back.default)}`);
    }
  });

  it('declares a whole ignored model, relations and indexes included, that maps back to the table', () => {
    const before = `${PG_HEADER}\nmodel Owner {\n  id   Int    @id @default(autoincrement())\n  pets Pet[]\n}\n\nmodel Pet {\n  id      Int      @id @default(autoincrement())\n  ownerId Int\n  owner   Owner    @relation(fields: [ownerId], references: [id], onDelete: Cascade)\n  name    String   @db.VarChar(40)\n  born    DateTime @default(now())\n\n  @@unique([ownerId, name])\n  @@index([born(sort: Desc)], map: "pet_born")\n}\n`;
    const after = `${PG_HEADER}\nmodel Owner {\n  id Int @id @default(autoincrement())\n}\n`;
    const state = mapped(before);
    const scanned = scanSchema([{ path: '/p/schema.prisma', text: after }]);
    const model = modelDeclaration('Pet', 'Pet', state, 'postgresql', resolverFor(scanned, state), () => new Set(['id']));
    assert.ok(typeof model !== 'string', String(model));
    const restored = `${after.replace('model Owner {\n  id Int @id @default(autoincrement())\n', `model Owner {\n  id Int @id @default(autoincrement())\n  ${model.backRelations[0].declaration}\n`)}\n${model.text}\n`;
    assert.deepStrictEqual(mapped(restored).tables.Pet, state.tables.Pet);
    assert.match(model.text, /@@ignore/);
    assert.deepStrictEqual(model.backRelations, [{ model: 'Owner', field: 'pet', declaration: 'pet Pet[] @ignore' }]);
  });
});

describe('phases: schema edits', () => {
  const file = '/p/schema.prisma';
  const text = `${PG_HEADER}\nmodel User {\n  id    Int     @id\n  /// How to reach them\n  email String  @unique\n  name  String?\n}\n`;

  function edit(ops: Parameters<typeof schemaEditsFor>[0], source = text): string {
    const outcome = schemaEditsFor(ops, new Map([[file, source]]));
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    return applyEditsToText(source, outcome.edits);
  }

  it('adds and removes fields, models and enum values so that undoing gives the text back', () => {
    const added = edit([{ op: 'addField', model: 'User', field: 'phone', declaration: 'phone String? @ignore', after: 'email' }]);
    assert.match(added, /^ {2}email String {2}@unique\n {2}phone String\? @ignore\n {2}name {2}String\?$/m);
    assert.strictEqual(edit([{ op: 'removeField', model: 'User', field: 'phone' }], added), text);
    const model = edit([{ op: 'addModel', model: 'Old', text: 'model Old {\n  id Int @id\n\n  @@ignore\n}' }]);
    assert.ok(model.endsWith('}\n\nmodel Old {\n  id Int @id\n\n  @@ignore\n}\n'));
    assert.strictEqual(edit([{ op: 'removeModel', model: 'Old' }], model), text);
    const withValue = edit([{ op: 'addEnumValue', enum: 'Mood', value: 'MEH', before: 'SAD' }]);
    assert.match(withValue, /HAPPY\n {2}MEH\n {2}SAD/);
    assert.strictEqual(edit([{ op: 'removeEnumValue', enum: 'Mood', value: 'MEH' }], withValue), text);
    const optional = edit([{ op: 'setOptional', model: 'User', field: 'email', optional: true }]);
    assert.match(optional, /email String\? +@unique/);
    assert.strictEqual(edit([{ op: 'setOptional', model: 'User', field: 'email', optional: false }], optional), text);
    assert.strictEqual(edit([{ op: 'removeField', model: 'User', field: 'email' }]).includes('How to reach them'), false, 'a field goes with its documentation');
  });

  it('sets referential actions in a relation, replacing the ones it has and adding the others', () => {
    const related = `${text}\nmodel Post {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id], onUpdate: Cascade)\n}\n`;
    const set = edit([{ op: 'setRelationActions', model: 'Post', field: 'user', actions: { onDelete: 'NoAction', onUpdate: 'NoAction' } }], related);
    assert.strictEqual(set, related.replace('references: [id], onUpdate: Cascade)', 'references: [id], onUpdate: NoAction, onDelete: NoAction)'));
    assert.deepStrictEqual(schemaEditsFor([{ op: 'setRelationActions', model: 'Post', field: 'userId', actions: { onDelete: 'NoAction' } }], new Map([[file, related]])), {
      ok: false,
      reason: 'Cannot set `onDelete: NoAction` on the relation of `Post.userId`: `Post.userId` has no readable `@relation(...)`',
    });
  });

  it('refuses, with the reason, when the schema does not have what an edit needs', () => {
    assert.deepStrictEqual(schemaEditsFor([{ op: 'setOptional', model: 'User', field: 'phone', optional: true }], new Map([[file, text]])), { ok: false, reason: 'Cannot make `User.phone` optional: model `User` has no field `phone`' });
    assert.deepStrictEqual(schemaEditsFor([{ op: 'addEnumValue', enum: 'Mood', value: 'SAD' }], new Map([[file, text]])), { ok: false, reason: 'Cannot add `SAD` to enum `Mood`: enum `Mood` already has `SAD`' });
  });
});

describe('phases: MySQL plans', () => {
  const header = 'datasource db {\n  provider = "mysql"\n  url      = env("DATABASE_URL")\n}\n\n';
  const before = `${header}model User {\n  id    Int     @id @default(autoincrement())\n  email String\n  name  String?\n  old   Int?\n}\n`;
  const after = `${header}model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  name  String\n  phone String\n}\n`;

  const context = (): ReturnType<typeof contextFrom> => planContext('mysql', before, after);

  it('plans in place, online DDL where InnoDB has it, and batched backfills through the script', () => {
    const ctx = context();
    const plans = new Map(plannableChanges(ctx).map((change) => {
      const outcome = planForChange(ctx, change, { backfill: `'n/a'` });
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
      return [outcome.plan.kind, outcome.plan] as const;
    }));
    assert.deepStrictEqual([...plans.keys()].sort(), ['add-required-column', 'add-unique-constraint', 'drop-column', 'make-column-required']);
    const add = plans.get('add-required-column');
    assert.ok(add);
    assert.match(add.phases[0].migrations[0].sql, /ALTER TABLE `User` ADD COLUMN `phone` VARCHAR\(191\) NULL, ALGORITHM=INSTANT;/);
    assert.match(add.phases[1].migrations[0].sql, /UPDATE `User` SET `phone` = 'n\/a' WHERE `phone` IS NULL;/);
    assert.match(add.phases[1].backfill?.script ?? '', /SELECT `id` FROM `User` WHERE \(`phone` IS NULL\) AND `id` > \? ORDER BY `id` LIMIT \?/);
    assert.match(add.phases[2].migrations[0].sql, /ALTER TABLE `User` MODIFY `phone` VARCHAR\(191\) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;/);
    assert.match(plans.get('add-unique-constraint')?.phases[0].migrations[0].sql ?? '', /CREATE UNIQUE INDEX `User_email_key` ON `User`\(`email`\) ALGORITHM=INPLACE LOCK=NONE;/);
    assert.match(plans.get('drop-column')?.phases[1].migrations[0].sql ?? '', /ALTER TABLE `User` DROP COLUMN `old`, ALGORITHM=INPLACE, LOCK=NONE;/);
    assert.match(plans.get('drop-column')?.phases[1].backup?.sql ?? '', /CREATE TABLE `migration_guard_archive`\.`User_old_\d{14}` AS SELECT `id`, `old` FROM `User`;/);
  });

  it('plans a value removed from an ENUM that two tables use: rows moved in batches, then one guarded COPY per table', () => {
    const withEnum = (values: string): string => `${header}enum Status {\n${values}\n}\n\nmodel Post {\n  id     Int    @id\n  status Status @default(DRAFT)\n}\n\nmodel Page {\n  id    Int    @id\n  state Status\n}\n`;
    const text = withEnum('  DRAFT\n  PUBLISHED');
    const ctx = planContext('mysql', withEnum('  DRAFT\n  ARCHIVED\n  PUBLISHED'), text);
    const outcomes = plannableChanges(ctx).map((change) => planForChange(ctx, change, { now: new Date('2030-06-01T12:00:00Z') }));
    assert.strictEqual(outcomes.length, 2, 'one change per column');
    const [post, page] = outcomes;
    assert.ok(post.ok && page.ok);
    assert.deepStrictEqual(page.plan.phases.map((p) => p.migrations.map((m) => m.sql)), post.plan.phases.map((p) => p.migrations.map((m) => m.sql)), 'either column gives the plan of the whole enum');
    const plan = post.plan;
    assert.deepStrictEqual(plan.phases.map((p) => [p.key, p.schema]), [
      ['backfill', [{ op: 'setEnumValues', enum: 'Status', values: ['DRAFT', 'ARCHIVED', 'PUBLISHED'] }]],
      ['contract', [{ op: 'setEnumValues', enum: 'Status', values: ['DRAFT', 'PUBLISHED'] }]],
    ]);
    assert.deepStrictEqual(plan.notes, [
      'Rows holding ARCHIVED move to DRAFT (the column default); change it in the backfill migration and script, or plan again with --replace-with <value>.',
      'The last phase copies Post, Page (ALGORITHM=COPY, LOCK=SHARED): writes wait for as long as the copy takes, which grows with the table. On a large table run that statement with an online schema-change tool instead of prisma migrate deploy, and mark the migration applied (`prisma migrate resolve --applied <name>`).',
      '`Status` is used by Post.status, Page.state: the plan changes all of them, since they share one enum block in the schema.',
    ]);
    assert.deepStrictEqual(plan.phases[0].backfill?.steps.map((s) => [s.table, s.set, s.pending]), [
      ['Post', [{ column: 'status', expression: "'DRAFT'" }], "`status` = 'ARCHIVED'"],
      ['Page', [{ column: 'state', expression: "'DRAFT'" }], "`state` = 'ARCHIVED'"],
    ]);
    assert.strictEqual(plan.phases[1].migrations[0].sql, [
      '-- Guard: stops here, before anything changes, when existing rows would make the next step fail or lose data.',
      'CREATE TEMPORARY TABLE IF NOT EXISTS `Status_values_removed_still_used_guard` (`found` BIGINT, CONSTRAINT `Status_values_removed_still_used` CHECK (`found` = 0));',
      "INSERT INTO `Status_values_removed_still_used_guard` (`found`) SELECT COUNT(*) FROM (SELECT 1 FROM `Post` WHERE `status` IN ('ARCHIVED') UNION ALL SELECT 1 FROM `Page` WHERE `state` IN ('ARCHIVED')) AS `rows_found`;",
      '',
      '-- Removing, inserting before the end or reordering ENUM values copies Post, Page: MySQL accepts it only with ALGORITHM=COPY, and at best with',
      '-- LOCK=SHARED (reads go on, writes wait until the copy ends; LOCK=NONE is refused). Spelled out so that MySQL refuses',
      '-- rather than take an exclusive lock. Deploy it at a quiet moment, or run this statement with gh-ost or pt-online-schema-change.',
      '-- AlterTable',
      "ALTER TABLE `Post` MODIFY `status` ENUM('DRAFT', 'PUBLISHED') NOT NULL DEFAULT 'DRAFT', ALGORITHM=COPY, LOCK=SHARED;",
      '',
      '-- AlterTable',
      "ALTER TABLE `Page` MODIFY `state` ENUM('DRAFT', 'PUBLISHED') NOT NULL, ALGORITHM=COPY, LOCK=SHARED;",
      '',
    ].join('\n'));

    // The enum block as each phase leaves it, and back: the value comes back on a line of its own, then goes.
    const kept = schemaEditsFor(plan.phases[0].schema, new Map([['/p/schema.prisma', text]]));
    assert.ok(kept.ok);
    const middle = applyEditsToText(text, kept.edits);
    assert.match(middle, /enum Status \{\n {2}DRAFT\n {2}ARCHIVED\n {2}PUBLISHED\n\}/);
    const done = schemaEditsFor(plan.phases[1].schema, new Map([['/p/schema.prisma', middle]]));
    assert.ok(done.ok);
    assert.strictEqual(applyEditsToText(middle, done.edits), text);
  });

  it('lists enum values in a new order keeping each value\'s comments and attributes with it', () => {
    const text = 'enum Level {\n  LOW @map("low")\n  /// the default\n  HIGH\n  // trailing note\n}\n';
    const reordered = schemaEditsFor([{ op: 'setEnumValues', enum: 'Level', values: ['HIGH', 'MEDIUM', 'LOW'] }], new Map([['/p/schema.prisma', text]]));
    assert.ok(reordered.ok);
    const result = applyEditsToText(text, reordered.edits);
    assert.strictEqual(result, 'enum Level {\n  /// the default\n  HIGH\n  MEDIUM\n  LOW @map("low")\n  // trailing note\n}\n');
    const back = schemaEditsFor([{ op: 'setEnumValues', enum: 'Level', values: ['LOW', 'HIGH'] }], new Map([['/p/schema.prisma', result]]));
    assert.ok(back.ok);
    assert.strictEqual(applyEditsToText(result, back.edits), text);
  });
});

describe('phases: auto-increment columns added to a table with rows', () => {
  function contextFor(provider: 'sqlite' | 'mysql', before: string, after: string): ReturnType<typeof contextFrom> {
    const header = `datasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n\n`;
    return planContext(provider, header + before, header + after);
  }

  function outcomeFor(ctx: ReturnType<typeof contextFrom>): ReturnType<typeof planForChange> {
    const change = ctx.unmigrated.find((c) => c.kind === 'addColumn');
    assert.ok(change, 'an added column');
    return planForChange(ctx, change);
  }

  it('says why SQLite has no phases for one: it comes with a new INTEGER PRIMARY KEY, which only the table copy makes', () => {
    const ctx = contextFor('sqlite', 'model Code {\n  code String @id\n}\n', 'model Code {\n  id   Int    @id @default(autoincrement())\n  code String @unique\n}\n');
    assert.deepStrictEqual(outcomeFor(ctx), {
      ok: false,
      reason: 'SQLite auto-increments only a table\'s INTEGER PRIMARY KEY, so `Code.id` comes with a new primary key: Prisma copies the table into a new one (RedefineTables), and SQLite numbers the existing rows in that copy. The copy locks the database while it runs, and no phase avoids it: deploy it at a quiet moment, or plan the primary key change (change-primary-key).',
    });
  });

  it('refuses a second AUTO_INCREMENT column on MySQL, which allows one per table', () => {
    const ctx = contextFor('mysql', 'model Order {\n  id Int @id @default(autoincrement())\n}\n', 'model Order {\n  id  Int @id @default(autoincrement())\n  seq Int @unique @default(autoincrement())\n}\n');
    assert.deepStrictEqual(outcomeFor(ctx), { ok: false, reason: '`Order` already has the AUTO_INCREMENT column "id", and MySQL allows one per table: `Order.seq` cannot be added as another.' });
  });
});

describe('phases: MySQL ENUM values with @map', () => {
  it('keeps a removed value in the schema under a name Prisma accepts, mapped to the database value, until the contract phase', () => {
    const header = 'datasource db {\n  provider = "mysql"\n  url      = env("DATABASE_URL")\n}\n\n';
    const model = 'model Job {\n  id    Int   @id\n  level Level @default(LOW)\n}\n';
    const text = `${header}enum Level {\n  LOW  @map("low")\n  HIGH @map("high")\n}\n\n${model}`;
    const ctx = planContext('mysql', `${header}enum Level {\n  LOW         @map("low")\n  IN_PROGRESS @map("in-progress")\n  HIGH        @map("high")\n}\n\n${model}`, text);
    const [outcome] = plannableChanges(ctx).map((change) => planForChange(ctx, change));
    assert.ok(outcome?.ok, outcome && !outcome.ok ? outcome.reason : 'a plan');
    assert.deepStrictEqual(outcome.plan.phases.map((p) => [p.key, p.schema]), [
      ['backfill', [{ op: 'setEnumValues', enum: 'Level', values: ['LOW', 'in_progress', 'HIGH'], declarations: { in_progress: 'in_progress @map("in-progress")' } }]],
      ['contract', [{ op: 'setEnumValues', enum: 'Level', values: ['LOW', 'HIGH'] }]],
    ]);
    assert.match(outcome.plan.phases[0].migrations[0].sql, /UPDATE `Job` SET `level` = 'low' WHERE `level` = 'in-progress';/);
    const kept = schemaEditsFor(outcome.plan.phases[0].schema, new Map([['/p/schema.prisma', text]]));
    assert.ok(kept.ok);
    const middle = applyEditsToText(text, kept.edits);
    assert.match(middle, /enum Level \{\n {2}LOW {2}@map\("low"\)\n {2}in_progress @map\("in-progress"\)\n {2}HIGH @map\("high"\)\n\}/);
    // The schema of that phase describes the database the backfill runs on: the values map back to the same ENUM list.
    assert.deepStrictEqual(mapped(middle, 'mysql').tables.Job.columns.find((c) => c.name === 'level')?.type.enumValues, ['low', 'in-progress', 'high']);
    const done = schemaEditsFor(outcome.plan.phases[1].schema, new Map([['/p/schema.prisma', middle]]));
    assert.ok(done.ok);
    assert.strictEqual(applyEditsToText(middle, done.edits), text);
  });
});
