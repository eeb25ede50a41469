/**
 * A required `@default(autoincrement())` column added to a table that has
 * rows. Every existing row needs a number, and the direct way gets it by
 * rewriting the table:
 * - PostgreSQL: `ADD COLUMN ... SERIAL` evaluates nextval() for every row, a
 *   table rewrite under ACCESS EXCLUSIVE (seen on PGlite: the table's
 *   relfilenode changes). A nullable column with the sequence as its default
 *   set afterwards rewrites nothing, so the numbers can come in batches.
 * - MySQL: an AUTO_INCREMENT column must be part of a key and is numbered by
 *   rebuilding the table; MariaDB refuses INSTANT and LOCK=NONE for it ("Adding
 *   an auto-increment column requires a lock. Try LOCK=SHARED"), and turning an
 *   existing column into AUTO_INCREMENT later is a COPY, so no path avoids a
 *   rebuild with writes blocked: the plan is that one rebuild, bounded.
 * - SQLite: only the INTEGER PRIMARY KEY auto-increments (Prisma allows
 *   autoincrement() on the id alone), so the column comes with a new primary
 *   key, which only Prisma's table copy makes.
 */
import type { DbIndex } from '../../core/dbState';
import { type AddColumn, type Change, summarizeChange } from '../../diff/changes';
import { migrationSlug, suffixed } from '../naming';
import { addColumnStatement, indexColumns, literal, quote, tableName } from '../sql';
import { PlanBuilder, type Planned, type PlannerInput, backfillStep, fieldLabel, lt, migration, modelAndField, snakeWhat } from './common';
import { backfillPhase, requireAddedColumnPhase } from './columns';
import { mysqlColumn } from './providerSql';

const ROLLBACK_DOWN = 'Apply the down.sql of each of its migrations, newest first, then mark them rolled back (`prisma migrate resolve --rolled-back <name>`) and delete their folders.';

const SEQUENCE_TYPES: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };

/** Whether a pending change is an auto-increment column added to a table that exists (the plans below). */
export function isAutoincrementColumnAdded(change: Change): change is AddColumn {
  return change.kind === 'addColumn' && change.after.default?.kind === 'autoincrement';
}

/** The index a MySQL AUTO_INCREMENT column needs, from the edited schema: one that starts with the column. */
export function mysqlAutoincrementKey(input: PlannerInput, change: AddColumn): DbIndex | undefined {
  const target = input.ctx.target.tables[change.tableKey];
  const keys = (target?.indexes ?? []).filter((index) => index.columns[0] === change.column);
  return keys.find((index) => index.unique) ?? keys[0];
}

export function planAddAutoincrementColumn(input: PlannerInput, change: AddColumn): Planned {
  const { ctx } = input;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is a new table: its auto-increment column needs no phases.`;
  const found = modelAndField(ctx, change.model, change.field);
  if (typeof found === 'string') return `Cannot plan \`${fieldLabel(change)}\`: ${found}.`;
  const label = fieldLabel(change);
  const model = change.model as string;
  const field = change.field as string;
  const what = snakeWhat(field, 'in', model);
  const provider = ctx.provider;
  const builderFor = (title: string, risk: string): PlanBuilder => new PlanBuilder(input, 'add-required-column', 'add-required-column', change, migrationSlug('add', field, 'to', model), title, risk);

  if (provider === 'sqlite') {
    return `SQLite auto-increments only a table's INTEGER PRIMARY KEY, so \`${label}\` comes with a new primary key: Prisma copies the table into a new one (RedefineTables), and SQLite numbers the existing rows in that copy. The copy locks the database while it runs, and no phase avoids it: deploy it at a quiet moment, or plan the primary key change (change-primary-key).`;
  }

  if (provider === 'mysql') {
    const other = table.columns.find((c) => c.default?.kind === 'autoincrement');
    if (other) return `\`${table.name}\` already has the AUTO_INCREMENT column "${other.name}", and MySQL allows one per table: \`${label}\` cannot be added as another.`;
    const key = mysqlAutoincrementKey(input, change);
    if (!key) return `MySQL needs an index on an AUTO_INCREMENT column: give \`${label}\` \`@unique\` (or an @@index that starts with it), then plan again.`;
    const builder = builderFor(
      `Add the auto-increment field ${label} (MySQL)`,
      'MySQL numbers the existing rows of a new AUTO_INCREMENT column by rebuilding the table, and blocks writes to it until the rebuild ends: no algorithm adds one with concurrent writes.',
    );
    const t = tableName(table, 'mysql');
    const kind = key.unique ? 'UNIQUE INDEX' : 'INDEX';
    builder.phase({
      key: 'build',
      title: `Add ${label} and its key in one rebuild`,
      does: `Adds "${change.column}" with its ${key.unique ? 'unique ' : ''}index \`${key.name}\` in one ALTER TABLE, ALGORITHM=INPLACE, LOCK=SHARED: InnoDB rebuilds ${table.name} once, numbering the existing rows in primary-key order; reads go on, writes to ${table.name} wait until the rebuild ends. Deploy it at a quiet moment.`,
      requires: [],
      beforeNext: '',
      rollback: `${ROLLBACK_DOWN} The down script drops the index and the column (both in one statement: MySQL refuses an AUTO_INCREMENT column without a key).`,
      migrations: [migration(
        migrationSlug('add', 'autoincrement', what),
        `Add ${table.name}.${change.column} AUTO_INCREMENT with ${key.name}`,
        [
          '-- MySQL allows an AUTO_INCREMENT column only with a key, so both come in one statement. Numbering the existing rows',
          '-- rebuilds the table: LOCK=SHARED (reads go on, writes wait until it ends) is the least MySQL takes for it, and',
          "-- LOCK=NONE is refused (\"Adding an auto-increment column requires a lock\"); spelled out so that MySQL refuses rather",
          '-- than take more. A nullable column filled later does not help: making it AUTO_INCREMENT then is a full table copy.',
          `-- AlterTable\nALTER TABLE ${t} ADD COLUMN ${mysqlColumn(change.after, ctx.before)}, ADD ${kind} ${quote(key.name, 'mysql')}(${indexColumns(key, 'mysql')}), ALGORITHM=INPLACE, LOCK=SHARED;`,
        ],
        [`ALTER TABLE ${t} DROP INDEX ${quote(key.name, 'mysql')}, DROP COLUMN ${quote(change.column, 'mysql')};`],
      )],
      schema: [],
    });
    builder.notes.push(`The rebuild blocks writes to ${table.name} for as long as it takes, which grows with the table; on a large table run the statement with an online schema-change tool (gh-ost, pt-online-schema-change) and mark the migration applied (\`prisma migrate resolve --applied <name>\`).`);
    return builder.build(summarizeChange(change));
  }

  const sequenceType = SEQUENCE_TYPES[change.after.type.name];
  if (!sequenceType) return `\`${label}\` has the type ${change.after.type.name}, which a sequence cannot fill.`;
  const builder = builderFor(
    `Add the auto-increment field ${label}`,
    'Adding a SERIAL column draws a number for every existing row in the ALTER TABLE itself, which rewrites the whole table under an ACCESS EXCLUSIVE lock (no reads, no writes) for as long as it takes.',
  );
  const t = tableName(table, 'postgresql');
  const c = quote(change.column, 'postgresql');
  // The name Prisma gives a SERIAL column's sequence, so that the database ends as `prisma migrate` would have left it.
  const sequenceName = suffixed(`${table.name}_${change.column}`, '_seq', 'postgresql');
  const sequence = table.schema && table.schema !== 'public' ? `${quote(table.schema, 'postgresql')}.${quote(sequenceName, 'postgresql')}` : quote(sequenceName, 'postgresql');
  const nextval = `nextval(${literal(sequence)})`;
  const nullable = { ...change.after, nullable: true };
  delete nullable.default;
  builder.phase({
    key: 'expand',
    title: `Add ${label} as optional, numbered for new rows`,
    does: `Creates the sequence ${sequenceName}, adds "${change.column}" without NOT NULL and then gives it the sequence as its default: no rewrite, since existing rows keep NULL, and every new row gets the next number. The schema gets \`${field}\` as optional for now.`,
    requires: [],
    beforeNext: 'Nothing has to be deployed: new rows are numbered by the column default. The next phase numbers the existing rows.',
    rollback: `${ROLLBACK_DOWN} The down script drops the column, and the sequence with it.`,
    migrations: [migration(
      migrationSlug('expand', 'add', field, 'to', model),
      `Add ${table.name}.${change.column} as nullable, with a sequence default for new rows`,
      [
        lt(builder),
        `-- CreateSequence\nCREATE SEQUENCE ${sequence} AS ${sequenceType};`,
        '-- Added without a default and given it afterwards: the rows already there stay NULL instead of being rewritten with a number each.',
        addColumnStatement(table, nullable, 'postgresql', ctx.before),
        `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${nextval};`,
        `ALTER SEQUENCE ${sequence} OWNED BY ${t}.${c};`,
      ],
      [lt(builder), `-- The sequence is owned by the column and goes with it.\nALTER TABLE ${t} DROP COLUMN ${c};`],
    )],
    schema: [{ op: 'setOptional', model, field, optional: true }],
  });

  const step = backfillStep(table, 'postgresql', ctx.before, [{ column: change.column, expression: nextval }], `${c} IS NULL`, `${table.name}.${change.column}`);
  if (typeof step === 'string') return `Cannot number the existing rows of \`${label}\` in batches: ${step}.`;
  const backfill = backfillPhase(builder, what, `Number the existing rows of ${label}`, [step], [], {
    requires: ['Phase 1 is deployed: new rows already get a number.'],
    beforeNext: 'Nothing to deploy. The backfill must have finished: the next phase checks and stops, changing nothing, while a row has no number.',
    schema: [],
  });
  if (typeof backfill === 'string') return backfill;
  builder.notes.push(`Existing rows are numbered after the rows inserted since phase 1, a batch at a time along the primary key: the numbers are unique, not in the order the rows were created.`);

  requireAddedColumnPhase(builder, table, change, 'numbers');
  return builder.build(summarizeChange(change));
}
