/**
 * Plans for removals: an enum value (rows move first), a column and a table
 * (code stops using them first, the data is archived, then they go).
 */
import type { DbColumn, DbEnum, DbState, DbTable } from '../../core/dbState';
import { type DropColumn, type DropTable, type RemoveEnumValue, summarizeChange } from '../../diff/changes';
import { freeName, migrationSlug, prismaIdentifier, suffixed } from '../naming';
import { columnRoles, fieldDeclaration, modelDeclaration } from '../prismaText';
import { addForeignKeyStatement, createTablePostgres, createTableSqlite, enumTypeName, guardBlock, literal, quote, redefineTableSqlite, sameColumns, tableName } from '../sql';
import type { PlannedMigration, SchemaOp } from '../types';
import type { ScannedModel } from '../../scan/types';
import type { PlanContext } from '../context';
import { PlanBuilder, type Planned, type PlannerInput, backfillArtifacts, backfillStep, lt, markerMigration, migration, settings, snakeWhat } from './common';
import { dropColumn, dropNotNull, plannedDrop } from './providerSql';

const ROLLBACK_DOWN = 'Apply the down.sql of each of its migrations, newest first, then mark them rolled back (`prisma migrate resolve --rolled-back <name>`) and delete their folders.';
const ARCHIVE = 'migration_guard_archive';

// ---------------------------------------------------------------------------
// Enum value removed

interface EnumUse {
  table: DbTable;
  column: DbColumn;
}

function enumUses(state: DbState, enumKey: string): EnumUse[] {
  const uses: EnumUse[] = [];
  for (const table of Object.values(state.tables)) {
    for (const column of table.columns) if (column.type.isEnum && column.type.name === enumKey) uses.push({ table, column });
  }
  return uses;
}

/**
 * Prisma's way to drop a value: a new type without it, every column cast over,
 * names swapped. It rewrites those tables, so it runs behind a guard and a
 * lock_timeout, after the rows have moved.
 */
function recreateEnum(ctx: PlanContext, enumKey: string, values: string[], uses: EnumUse[], defaults: (use: EnumUse) => string | undefined): string[] {
  const current = ctx.before.enums[enumKey] as DbEnum;
  const type = enumTypeName(ctx.before, enumKey);
  const schema = current.schema && current.schema !== 'public' ? `${quote(current.schema, 'postgresql')}.` : '';
  const fresh = `${schema}${quote(`${current.name}_new`, 'postgresql')}`;
  const old = `${current.name}_old`;
  const lines = [`-- AlterEnum\nCREATE TYPE ${fresh} AS ENUM (${values.map(literal).join(', ')});`];
  for (const use of uses) {
    const t = tableName(use.table, 'postgresql');
    const c = quote(use.column.name, 'postgresql');
    if (use.column.default) lines.push(`ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT;`);
    const cast = use.column.type.array ? `${c}::text[]::${fresh}[]` : `${c}::text::${fresh}`;
    lines.push(`ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${fresh}${use.column.type.array ? '[]' : ''} USING (${cast});`);
  }
  lines.push(`ALTER TYPE ${type} RENAME TO ${quote(old, 'postgresql')};`, `ALTER TYPE ${fresh} RENAME TO ${quote(current.name, 'postgresql')};`, `DROP TYPE ${schema}${quote(old, 'postgresql')};`);
  for (const use of uses) {
    const fallback = defaults(use);
    if (fallback) lines.push(`ALTER TABLE ${tableName(use.table, 'postgresql')} ALTER COLUMN ${quote(use.column.name, 'postgresql')} SET DEFAULT ${fallback};`);
  }
  return lines;
}

export function planRemoveEnumValue(input: PlannerInput, change: RemoveEnumValue): Planned {
  const { ctx, options } = input;
  if (ctx.provider !== 'postgresql') {
    return ctx.provider === 'mysql'
      ? 'MySQL enums live in each column definition: the plan comes from the finding on a column that uses the enum (its ENUM list changes).'
      : 'SQLite has no enum types: Prisma stores enum fields as text, so removing a value needs no migration.';
  }
  const before = ctx.before.enums[change.tableKey];
  const after = ctx.target.enums[change.tableKey];
  if (!before || !after) return `Enum \`${change.table}\` is not in both the migrated database and the schema.`;
  const enumName = change.model ?? ctx.names.enumName(change.tableKey) ?? change.table;
  const uses = enumUses(ctx.before, change.tableKey);
  const value = change.value;
  let replacement = change.renamedTo ?? options.replaceWith;
  let review: string | undefined;
  if (!replacement) {
    const defaults = uses.map((u) => u.column.default).flatMap((d) => (d?.kind === 'value' ? [d.sql.replace(/^'|'$/g, '')] : []));
    replacement = defaults.find((d) => d !== value && after.values.includes(d)) ?? after.values[0];
    review = `Rows holding ${value} move to ${replacement} (${defaults.includes(replacement) ? 'the column default' : 'the first value left'}); change it in the backfill migration and script, or plan again with --replace-with <value>.`;
  }
  if (!replacement || !after.values.includes(replacement)) return `\`${replacement ?? '(none)'}\` is not a value of \`${enumName}\` in the schema: choose the value rows move to with --replace-with.`;
  const rename = change.renamedTo !== undefined;
  const type = enumTypeName(ctx.before, change.tableKey);
  const builder = new PlanBuilder(
    input,
    'remove-enum-value',
    'remove-enum-value',
    change,
    rename ? migrationSlug('rename', value, 'to', replacement, 'in', enumName) : migrationSlug('remove', value, 'from', enumName),
    rename ? `Rename ${enumName}.${value} to ${replacement}` : `Remove ${value} from ${enumName}`,
    'Prisma drops an enum value by recreating the type and casting every column that uses it: the migration fails while a row holds the value, and the cast rewrites those tables under lock.',
  );
  if (review) builder.notes.push(review);
  const targetDefault = (use: EnumUse): string | undefined => {
    const now = ctx.target.tables[Object.keys(ctx.target.tables).find((k) => ctx.target.tables[k].name === use.table.name && ctx.target.tables[k].schema === use.table.schema) ?? '']?.columns.find((c) => c.name === use.column.name);
    const d = (now ?? use.column).default;
    return d && d.kind !== 'autoincrement' ? d.sql : undefined;
  };
  const beforeDefault = (use: EnumUse): string | undefined => (use.column.default && use.column.default.kind !== 'autoincrement' ? use.column.default.sql : undefined);
  const what = snakeWhat(value, 'in', enumName);
  const lock = lt(builder);

  if (rename) {
    const withBoth = [...before.values];
    withBoth.splice(withBoth.indexOf(value) + 1, 0, replacement);
    builder.phase({
      key: 'expand',
      title: `Add ${replacement} to ${enumName}`,
      does: `Adds the value ${replacement} right after ${value} (ALTER TYPE ... ADD VALUE: no rewrite). The schema lists both for now.`,
      requires: [],
      beforeNext: `Deploy code that writes ${replacement} wherever it wrote ${value}, and reads both.`,
      rollback: `${ROLLBACK_DOWN} The down script recreates the type without ${replacement} (it fails while a row holds it).`,
      migrations: [migration(
        migrationSlug('expand', 'add', replacement, 'to', enumName),
        `Add ${replacement} to ${before.name}`,
        [`-- AlterEnum\nALTER TYPE ${type} ADD VALUE ${literal(replacement)} AFTER ${literal(value)};`],
        [lock, ...recreateEnum(ctx, change.tableKey, before.values, uses, beforeDefault)],
      )],
      schema: [{ op: 'addEnumValue', enum: enumName, value, before: replacement }],
    });
  }
  const steps = [];
  for (const use of uses) {
    const c = quote(use.column.name, 'postgresql');
    const set = use.column.type.array ? `array_replace(${c}, ${literal(value)}::${type}, ${literal(replacement)}::${type})` : `${literal(replacement)}::${type}`;
    const pending = use.column.type.array ? `${literal(value)}::${type} = ANY(${c})` : `${c} = ${literal(value)}::${type}`;
    const step = backfillStep(use.table, 'postgresql', ctx.before, [{ column: use.column.name, expression: set }], pending, `${use.table.name}.${use.column.name}: ${value} → ${replacement}`);
    if (typeof step === 'string') return `Cannot move the rows of ${use.table.name} in batches: ${step}.`;
    steps.push(step);
  }
  const schemaKeep: SchemaOp[] = rename ? [] : [{ op: 'addEnumValue', enum: enumName, value, ...(nextKept(before, after, value) ? { before: nextKept(before, after, value) as string } : {}) }];
  const number = builder.phases.length + 1;
  if (steps.length > 0) {
    const { migration: m, backfill } = backfillArtifacts(builder, number, 'backfill', what, `Move rows from ${value} to ${replacement}`, steps, review ? [review] : []);
    builder.phase({
      key: 'backfill',
      title: `Move rows from ${value} to ${replacement}`,
      does: `Updates every row that holds ${value} to ${replacement}, in batches of ${settings(options).batchSize} along the primary key.`,
      requires: [rename ? 'The code from phase 1 is deployed: it writes the new value.' : `Deployed code no longer writes ${value}: deploy that first, or new rows appear behind the backfill.`],
      beforeNext: 'Nothing to deploy. The backfill must have finished: the next phase checks and stops, changing nothing, while a row holds the old value.',
      rollback: 'Nothing to undo in the schema; the rows keep their new value.',
      migrations: [m],
      schema: schemaKeep,
      backfill,
      preflight: { description: `Rows still holding ${value} (0 when done):`, sql: steps.map((s) => `SELECT count(*) FROM ${tableName({ name: s.table, ...(s.schema ? { schema: s.schema } : {}) }, 'postgresql')} WHERE ${s.pending};`).join('\n') },
    });
  }
  const guardQuery = uses.map((u) => `SELECT 1 FROM ${tableName(u.table, 'postgresql')} WHERE ${u.column.type.array ? `${literal(value)} = ANY(${quote(u.column.name, 'postgresql')}::text[])` : `${quote(u.column.name, 'postgresql')}::text = ${literal(value)}`}`).join(' UNION ALL ');
  const contractSql = [
    ...(uses.length > 0 ? [guardBlock(guardQuery, `Rows still hold ${before.name} value ${value}`, 'Run the backfill that moves them (migration or script) until it reports 0 rows, then deploy again.')] : []),
    '-- Recreating the type rewrites every table that uses it under ACCESS EXCLUSIVE: schedule it for a quiet moment.',
    lock,
    ...recreateEnum(ctx, change.tableKey, after.values.filter((v) => before.values.includes(v) || v === replacement), uses, targetDefault),
  ];
  const valuesBefore = rename ? [...before.values.slice(0, before.values.indexOf(value) + 1), replacement, ...before.values.slice(before.values.indexOf(value) + 1)] : before.values;
  builder.phase({
    key: 'contract',
    title: `Drop ${value} from ${enumName}`,
    does: `Recreates the enum type without ${value}, casting the ${uses.length} column(s) that use it, behind a guard that stops while any row still holds it. The schema loses the value.`,
    requires: ['The backfill has finished.', `No deployed code writes ${value}.`],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down script recreates the type with ${value} back in its place; rows keep ${replacement}.`,
    migrations: [migration(migrationSlug('contract', 'remove', value, 'from', enumName), `Recreate ${before.name} without ${value}`, contractSql, [lock, ...recreateEnum(ctx, change.tableKey, valuesBefore, uses, beforeDefault)])],
    schema: [{ op: 'removeEnumValue', enum: enumName, value }],
  });
  if (builder.phases.length === 1) builder.notes.push(`No column uses ${before.name}, so there are no rows to move.`);
  return builder.build(summarizeChange(change));
}

function nextKept(before: DbEnum, after: DbEnum, value: string): string | undefined {
  for (const next of before.values.slice(before.values.indexOf(value) + 1)) if (after.values.includes(next)) return next;
  return undefined;
}

// ---------------------------------------------------------------------------
// Column dropped

function columnOfField(model: ScannedModel, field: ScannedModel['fields'][number]): string {
  const map = field.attributes.find((a) => !a.block && a.name === 'map')?.args[0]?.value;
  return map?.kind === 'string' ? map.value : field.name;
}

function archiveName(planId: string, table: string, column?: string): string {
  return suffixed(`${table}${column ? `_${column}` : ''}`, `_${planId.slice(0, 14)}`, 'postgresql');
}

export function planDropColumn(input: PlannerInput, change: DropColumn): Planned {
  const { ctx } = input;
  const provider = ctx.provider;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is not in the migrated database.`;
  const model = ctx.schema.models.find((m) => m.name === (change.model ?? ctx.names.modelName(change.tableKey)));
  if (!model) return `The schema has no model for table \`${change.table}\`.`;
  const roles = columnRoles(table, change.column);
  if (roles.length > 0) return `"${change.column}" is part of ${roles.join(', ')}: remove ${roles.length > 1 ? 'those' : 'that'} first (its own change and migration), then plan the drop of the column.`;
  const key = table.primaryKey?.columns ?? [];
  const column = change.before;
  const field = freeName(prismaIdentifier(change.column), (n) => model.fields.some((f) => f.name === n));
  const needsRelax = !column.nullable && (!column.default || column.default.kind === 'autoincrement');
  const kept: DbColumn = needsRelax ? { ...column, nullable: true } : column;
  const declaration = fieldDeclaration(field, kept, provider, ctx.names, { attributes: ['@ignore'] });
  const order = table.columns.map((c) => c.name);
  const position = order.indexOf(change.column);
  let after: string | undefined;
  for (let i = position - 1; i >= 0 && !after; i--) after = model.fields.find((f) => columnOfField(model, f) === order[i])?.name;
  const what = snakeWhat(change.column, 'from', model.name);
  const builder = new PlanBuilder(
    input,
    'drop-column',
    'drop-column',
    change,
    migrationSlug('remove', change.column, 'from', model.name),
    `Remove ${model.name}.${change.column}`,
    'Dropping a column deletes its data for good, and code that is still running selects it (Prisma Client reads every scalar field) until it is redeployed.',
  );
  const relax = needsRelax ? dropNotNull(builder, table, change.column) : undefined;
  builder.phase({
    key: 'stop_using',
    title: `Stop using ${model.name}.${change.column}`,
    does: `Keeps the column in the database and in the schema as \`${field}\` with \`@ignore\`, so Prisma Client no longer reads or writes it.${needsRelax ? ' It becomes nullable, so that inserts without it succeed.' : ''}`,
    requires: [],
    beforeNext: 'Deploy code built from this schema, and wait until no instance of the old code runs (it still selects the column).',
    rollback: needsRelax ? `${ROLLBACK_DOWN} The column becomes NOT NULL again (fill NULLs written since first).` : 'Nothing in the database to undo; remove `@ignore` from the field.',
    migrations: [relax
      ? migration(migrationSlug('stop_using', what), `Make ${table.name}.${change.column} nullable`, [...(provider === 'postgresql' ? [lt(builder)] : []), ...relax.sql], relax.down)
      : markerMigration(migrationSlug('stop_using', what), `Code stops using ${table.name}.${change.column}`, 'the column stays; Prisma Client ignores it (`@ignore`).')],
    schema: [{ op: 'addField', model: model.name, field, declaration, ...(after ? { after } : {}) }],
  });

  const archive = archiveName(builder.id, table.name, change.column);
  const cols = [...key, change.column].map((c) => quote(c, provider));
  const backup = provider === 'postgresql'
    ? `CREATE SCHEMA IF NOT EXISTS ${quote(ARCHIVE, provider)};\nCREATE TABLE ${quote(ARCHIVE, provider)}.${quote(archive, provider)} AS SELECT ${cols.join(', ')} FROM ${tableName(table, provider)};`
    : provider === 'sqlite'
      ? `ATTACH DATABASE '${ARCHIVE}.db' AS ${ARCHIVE};\nCREATE TABLE ${ARCHIVE}.${quote(archive, provider)} AS SELECT ${cols.join(', ')} FROM ${quote(table.name, provider)};\nDETACH DATABASE ${ARCHIVE};`
      : `CREATE DATABASE IF NOT EXISTS ${quote(ARCHIVE, provider)};\nCREATE TABLE ${quote(ARCHIVE, provider)}.${quote(archive, provider)} AS SELECT ${cols.join(', ')} FROM ${tableName(table, provider)};`;
  const restore = provider === 'postgresql' && key.length > 0
    ? [[
        `-- Restore the values from the archive the backup step made, when it exists.`,
        'DO $restore$',
        'BEGIN',
        `  IF to_regclass(${literal(`${quote(ARCHIVE, provider)}.${quote(archive, provider)}`)}) IS NOT NULL THEN`,
        `    UPDATE ${tableName(table, provider)} AS t SET ${quote(change.column, provider)} = a.${quote(change.column, provider)} FROM ${quote(ARCHIVE, provider)}.${quote(archive, provider)} AS a WHERE ${key.map((k) => `t.${quote(k, provider)} = a.${quote(k, provider)}`).join(' AND ')};`,
        '  END IF;',
        'END',
        '$restore$;',
      ].join('\n')]
    : [`-- Restore the values from the archive the backup step made (${ARCHIVE}.${archive}) by hand.`];
  builder.phase({
    key: 'drop',
    title: `Drop ${table.name}.${change.column}`,
    does: `Drops the column. Run the backup first: it copies the key and the column into ${provider === 'postgresql' ? `schema ${ARCHIVE}` : provider === 'sqlite' ? `${ARCHIVE}.db` : `database ${ARCHIVE}`}, outside what Prisma manages; ${provider === 'postgresql' && key.length > 0 ? 'the down script restores from it' : 'the down script says how to restore from it by hand'}.`,
    requires: ['No running code uses the column (the code from phase 1 is deployed everywhere).', 'The backup of this phase has run (or a database backup you trust exists).'],
    beforeNext: '',
    rollback: provider === 'postgresql' && key.length > 0
      ? `${ROLLBACK_DOWN} The down script adds the column back (nullable) and copies the values from the archive.`
      : `${ROLLBACK_DOWN} The down script adds the column back (nullable); its values come back from the archive by hand (the script's comment says which table).`,
    migrations: [dropColumn(builder, relax ? withNullable(table, change.column) : table, kept, migrationSlug('drop', what), `Drop ${table.name}.${change.column}`, restore, `phase 2 of plan ${builder.id}: the code stopped using the column in phase 1; run the phase's backup.sql before deploying.`)],
    schema: [{ op: 'removeField', model: model.name, field }],
    backup: { description: 'Copy the column (with the primary key) before dropping it:', sql: backup },
  });
  return builder.build(summarizeChange(change));
}

function withNullable(table: DbTable, column: string): DbTable {
  const copy = structuredClone(table);
  for (const c of copy.columns) if (c.name === column) c.nullable = true;
  return copy;
}

// ---------------------------------------------------------------------------
// Table dropped

export function planDropTable(input: PlannerInput, change: DropTable): Planned {
  const { ctx } = input;
  const provider = ctx.provider;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is not in the migrated database.`;
  if (change.implicitManyToMany) return `\`${change.table}\` is the join table of an implicit many-to-many relation: Prisma manages it; see implicit-m2m-change.`;
  const incoming = Object.entries(ctx.before.tables).filter(([key, t]) => key !== change.tableKey && t.foreignKeys.some((fk) => fk.referencedTable === change.tableKey));
  const modelName = freeName(prismaIdentifier(table.name), (n) => ctx.schema.models.some((m) => m.name === n) || ctx.schema.enums.some((e) => e.name === n));
  const declared = modelDeclaration(modelName, change.tableKey, ctx.before, provider, ctx.names, (m) => new Set(ctx.schema.models.find((x) => x.name === m)?.fields.map((f) => f.name) ?? []));
  if (typeof declared === 'string') return `Cannot write a model that keeps \`${table.name}\`: ${declared}.`;
  const builder = new PlanBuilder(
    input,
    'drop-table',
    'drop-table',
    change,
    migrationSlug('drop', table.name),
    `Drop table ${table.name}`,
    'Removing a model drops its table with every row in it, and code that is still running queries it until it is redeployed.',
  );
  const what = snakeWhat(table.name);
  const referencing = incoming.map(([, t]) => t);
  const incomingKeys = referencing.flatMap((t) => t.foreignKeys.filter((fk) => fk.referencedTable === change.tableKey).map((fk) => `${t.name}.${fk.name}`));
  builder.phase({
    key: referencing.length > 0 ? 'drop_foreign_keys' : 'stop_using',
    title: referencing.length > 0 ? `Drop the foreign keys to ${table.name} and stop using it` : `Stop using ${table.name}`,
    does: `${referencing.length > 0 ? `Drops the foreign key(s) that point to ${table.name} (${incomingKeys.join(', ')}), so that the table can go later without touching the tables that reference it; the referencing columns and their values stay. ` : ''}Keeps the table in the database and puts the model back into the schema as \`${modelName}\` with \`@@ignore\` (relations to it with \`@ignore\`): Prisma Client no longer has it, the table stays.`,
    requires: referencing.length > 0 ? ['No code relies on the database to enforce these keys or their ON DELETE / ON UPDATE actions from now on (old code that deletes a row of the table no longer cascades).'] : [],
    beforeNext: 'Deploy code built from this schema, and wait until no instance of the old code runs.',
    rollback: referencing.length > 0
      ? `${ROLLBACK_DOWN} The down script adds the foreign keys back${provider === 'postgresql' ? ' (checking every row, under a lock_timeout)' : provider === 'sqlite' ? ' (copying each referencing table)' : ' (a table copy with writes blocked: MySQL checks every row)'}; rows written since that point nowhere must be fixed first.`
      : 'Nothing in the database to undo; remove `@@ignore` from the model to use it again.',
    migrations: [referencing.length > 0
      ? dropIncomingForeignKeys(builder, referencing, change.tableKey, migrationSlug('drop_foreign_keys_to', what))
      : markerMigration(migrationSlug('stop_using', what), `Code stops using ${table.name}`, 'the table stays; Prisma Client ignores it (`@@ignore`).')],
    schema: [
      { op: 'addModel', model: modelName, text: declared.text },
      ...declared.backRelations.map((b): SchemaOp => ({ op: 'addField', model: b.model, field: b.field, declaration: b.declaration })),
    ],
  });
  const archive = archiveName(builder.id, table.name);
  const t = tableName(table, provider);
  const backup = provider === 'postgresql'
    ? `CREATE SCHEMA IF NOT EXISTS ${quote(ARCHIVE, provider)};\nCREATE TABLE ${quote(ARCHIVE, provider)}.${quote(archive, provider)} AS TABLE ${t};`
    : provider === 'sqlite'
      ? `ATTACH DATABASE '${ARCHIVE}.db' AS ${ARCHIVE};\nCREATE TABLE ${ARCHIVE}.${quote(archive, provider)} AS SELECT * FROM ${t};\nDETACH DATABASE ${ARCHIVE};`
      : `CREATE DATABASE IF NOT EXISTS ${quote(ARCHIVE, provider)};\nCREATE TABLE ${quote(ARCHIVE, provider)}.${quote(archive, provider)} AS SELECT * FROM ${t};`;
  const dropWhy = `phase 2 of plan ${builder.id}: the code stopped using the table in phase 1; run the phase's backup.sql before deploying.`;
  let sql: string[];
  let down: string[];
  if (provider === 'postgresql') {
    sql = [lt(builder), ...table.foreignKeys.map((fk) => `-- DropForeignKey\nALTER TABLE ${t} DROP CONSTRAINT ${quote(fk.name, provider)};`), plannedDrop('sql-drop-table', dropWhy), `-- DropTable\nDROP TABLE ${t};`];
    const serial = table.columns.filter((c) => c.default?.kind === 'autoincrement');
    down = [
      createTablePostgres(table, ctx.before),
      [
        '-- Restore the rows from the archive the backup step made, when it exists.',
        'DO $restore$',
        'BEGIN',
        `  IF to_regclass(${literal(`${quote(ARCHIVE, provider)}.${quote(archive, provider)}`)}) IS NOT NULL THEN`,
        `    INSERT INTO ${t} (${table.columns.map((c) => quote(c.name, provider)).join(', ')}) SELECT ${table.columns.map((c) => quote(c.name, provider)).join(', ')} FROM ${quote(ARCHIVE, provider)}.${quote(archive, provider)};`,
        ...serial.map((c) => `    PERFORM setval(pg_get_serial_sequence(${literal(t)}, ${literal(c.name)}), coalesce((SELECT max(${quote(c.name, provider)}) FROM ${t}), 0) + 1, false);`),
        '  END IF;',
        'END',
        '$restore$;',
      ].join('\n'),
    ];
  } else if (provider === 'sqlite') {
    sql = ['-- DropTable\nPRAGMA foreign_keys=off;', `${plannedDrop('sql-drop-table', dropWhy)}\nDROP TABLE ${t};`, 'PRAGMA foreign_keys=on;'];
    down = [
      '-- CreateTable',
      createTableSqlite(table.name, table, ctx.before),
      ...table.indexes.map((i) => `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quote(i.name, provider)} ON ${t}(${i.columns.map((c) => quote(c.split(' ')[0], provider)).join(', ')});`),
      `-- Restore the rows from ${ARCHIVE}.db (${archive}) by hand: ATTACH it, then INSERT INTO ${t} SELECT * FROM ${ARCHIVE}.${quote(archive, provider)}.`,
    ];
  } else {
    sql = [plannedDrop('sql-drop-table', dropWhy), `-- DropTable\nDROP TABLE ${t};`];
    down = [`-- Recreate the table from the backup: CREATE TABLE ${t} LIKE ${quote(ARCHIVE, provider)}.${quote(archive, provider)}; INSERT INTO ${t} SELECT * FROM ${quote(ARCHIVE, provider)}.${quote(archive, provider)}; then add its indexes and foreign keys.`];
  }
  const drop: PlannedMigration = migration(migrationSlug('drop', what), `Drop ${table.name}`, sql, down);
  builder.phase({
    key: 'drop',
    title: `Drop ${table.name}`,
    does: `Drops the table. Run the backup first: it copies every row into ${provider === 'postgresql' ? `schema ${ARCHIVE}` : provider === 'sqlite' ? `${ARCHIVE}.db` : `database ${ARCHIVE}`}, outside what Prisma manages; ${provider === 'postgresql' ? 'the down script recreates the table and restores them' : provider === 'sqlite' ? 'the down script recreates the table, and says how to restore the rows by hand' : 'the down script says how to recreate the table from the archive by hand'}.`,
    requires: ['No running code uses the table (the code from phase 1 is deployed everywhere).', 'The backup of this phase has run (or a database backup you trust exists).'],
    beforeNext: '',
    rollback: provider === 'postgresql'
      ? `${ROLLBACK_DOWN} The down script recreates the table with its keys and indexes and copies the rows back from the archive.`
      : provider === 'sqlite'
        ? `${ROLLBACK_DOWN} The down script recreates the table with its keys and indexes; the rows come back from ${ARCHIVE}.db by hand (the script's comment says how).`
        : `${ROLLBACK_DOWN} Recreate the table and its rows from the archive by hand: the down script's comment gives the statements.`,
    migrations: [drop],
    schema: [
      { op: 'removeModel', model: modelName },
      ...declared.backRelations.map((b): SchemaOp => ({ op: 'removeField', model: b.model, field: b.field })),
    ],
    backup: { description: 'Copy every row before dropping the table:', sql: backup },
  });
  return builder.build(summarizeChange(change));
}

/**
 * The foreign keys other tables hold to a table about to be dropped, dropped
 * first in a migration of their own: the table drop then touches nothing
 * else, and a rollback of it does not need every referencing row to be valid.
 */
function dropIncomingForeignKeys(builder: PlanBuilder, referencing: DbTable[], referencedKey: string, slug: string): PlannedMigration {
  const provider = builder.provider;
  const state = builder.input.ctx.before;
  const sql: string[] = [];
  const down: string[] = [];
  if (provider === 'postgresql') {
    // DROP CONSTRAINT takes ACCESS EXCLUSIVE on both tables for an instant: behind a lock_timeout it never queues their traffic.
    sql.push(lt(builder));
    down.push(lt(builder));
  }
  for (const table of referencing) {
    const keys = table.foreignKeys.filter((fk) => fk.referencedTable === referencedKey);
    const t = tableName(table, provider);
    if (provider === 'sqlite') {
      // SQLite cannot drop a constraint: Prisma's table copy, without the keys.
      const without: DbTable = { ...structuredClone(table), foreignKeys: table.foreignKeys.filter((fk) => !keys.includes(fk)) };
      sql.push(redefineTableSqlite(without, state, sameColumns(table, without)));
      down.push(redefineTableSqlite(table, state, sameColumns(without, table)));
      continue;
    }
    for (const fk of keys) {
      sql.push(`-- DropForeignKey\nALTER TABLE ${t} ${provider === 'postgresql' ? 'DROP CONSTRAINT' : 'DROP FOREIGN KEY'} ${quote(fk.name, provider)};`);
      down.push(addForeignKeyStatement(table, fk, provider, state));
    }
  }
  return migration(slug, `Drop the foreign keys to ${state.tables[referencedKey]?.name ?? referencedKey}`, sql, down);
}
