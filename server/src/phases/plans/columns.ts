/**
 * Plans for column changes: a required column added, a field made required,
 * a column renamed, a column type changed. All follow expand → backfill →
 * contract; they differ in what the code must do between the phases.
 */
import { type DbColumn, type DbTable, formatType, providerName } from '../../core/dbState';
import type { AddColumn, AlterColumnType, RenameColumn, SetNotNull } from '../../diff/changes';
import { freeName, migrationSlug, prismaIdentifier, suffixed } from '../naming';
import { columnRoles, fieldDeclaration, prismaTypeFor } from '../prismaText';
import { keyColumnMove, postgresKeyMove } from './keys';
import { guardBlock, mysqlGuard, quote, redefineTableSqlite, renderDefault, renderType, sqliteGuard, tableName } from '../sql';
import type { Phase, PlannedMigration } from '../types';
import {
  PlanBuilder,
  type Planned,
  type PlannerInput,
  backfillArtifacts,
  backfillStep,
  fieldLabel,
  fillValue,
  lt,
  markerMigration,
  migration,
  modelAndField,
  notNullCheckName,
  rewrite,
  snakeWhat,
} from './common';
import { planAddAutoincrementColumn } from './autoincrement';
import { addNullableColumn, dropColumn, dropNotNull, mysqlColumn, plannedDrop, replaceColumn, requireColumn, withColumns } from './providerSql';
import { summarizeChange } from '../../diff/changes';

const ROLLBACK_DOWN = 'Apply the down.sql of each of its migrations, newest first, then mark them rolled back (`prisma migrate resolve --rolled-back <name>`) and delete their folders.';

export function backfillPhase(builder: PlanBuilder, what: string, title: string, steps: Parameters<typeof backfillArtifacts>[5], review: string[], phase: Pick<Phase, 'requires' | 'beforeNext' | 'schema'>): Phase | string {
  const number = builder.phases.length + 1;
  const { migration: m, backfill } = backfillArtifacts(builder, number, 'backfill', what, title, steps, review);
  return builder.phase({
    key: 'backfill',
    title,
    does: builder.provider === 'postgresql'
      ? `Fills existing rows in batches of ${backfill.batchSize} along the primary key, one short transaction per batch. The migration runs the batches itself on deploy; on a large table run the script \`${backfill.scriptName}\` first (it has --dry-run and resumes where it stopped), and the migration then finds nothing left to do.`
      : `Fills existing rows in batches of ${backfill.batchSize} along the primary key, one short transaction per batch, with the script \`${backfill.scriptName}\` (it has --dry-run and resumes where it stopped). A ${builder.provider === 'mysql' ? 'MySQL' : 'SQLite'} migration file cannot loop, so the migration is one idempotent UPDATE that only finishes the rows the script left.`,
    requires: builder.provider === 'postgresql' ? phase.requires : [...phase.requires, `The script \`${backfill.scriptName}\` has run to the end (the preflight query then counts 0).`],
    beforeNext: phase.beforeNext,
    rollback: 'Nothing to undo in the schema: the backfill only wrote values into rows that needed one.',
    migrations: [m],
    schema: phase.schema,
    backfill,
    preflight: { description: 'Rows the backfill still has to update (0 when it is done):', sql: steps.map((s) => `SELECT count(*) FROM ${tableName({ name: s.table, ...(s.schema ? { schema: s.schema } : {}) }, builder.provider)} WHERE ${s.pending};`).join('\n') },
  });
}

// ---------------------------------------------------------------------------
// Required column added

export function planAddRequiredColumn(input: PlannerInput, change: AddColumn): Planned {
  const { ctx, options } = input;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is a new table: a required column in it needs no phases.`;
  if (change.after.default && change.after.default.kind !== 'autoincrement') return `\`${fieldLabel(change)}\` has a database default: adding it is already safe.`;
  if (change.after.default?.kind === 'autoincrement') return planAddAutoincrementColumn(input, change);
  const found = modelAndField(ctx, change.model, change.field);
  if (typeof found === 'string') return `Cannot plan \`${fieldLabel(change)}\`: ${found}.`;
  const fill = fillValue(change.after, ctx.provider, ctx.target, options, change.prismaDefault);
  if (typeof fill === 'string') return `Cannot choose a value for existing rows of \`${fieldLabel(change)}\` (${fill}): plan again with --backfill '<sql expression>'.`;
  const label = fieldLabel(change);
  const model = change.model as string;
  const field = change.field as string;
  const what = snakeWhat(field, 'in', model);
  const builder = new PlanBuilder(
    input,
    'add-required-column',
    'add-required-column',
    change,
    migrationSlug('add', field, 'to', model),
    `Add the required field ${label}`,
    'Adding a NOT NULL column without a database default fails on a table that has rows, and running code inserts rows without it.',
  );
  const provider = ctx.provider;

  builder.phase({
    key: 'expand',
    title: `Add ${label} as optional`,
    does: `Adds column "${change.column}" to "${table.name}" without NOT NULL: instant, and the running code, which does not know the column, keeps working. The schema gets \`${field}\` as optional for now.`,
    requires: [],
    beforeNext: `Deploy code that sets \`${label}\` on every create (Prisma Client has it as optional now; treat it as required in your code), so that no new row is left without a value.`,
    rollback: `${ROLLBACK_DOWN} The down script drops the new column; nothing else uses it yet.`,
    migrations: [addNullableColumn(builder, table, change.after, migrationSlug('expand', 'add', field, 'to', model), `Add ${table.name}.${change.column} as nullable`)],
    schema: [{ op: 'setOptional', model, field, optional: true }],
  });

  const step = backfillStep(table, provider, ctx.before, [{ column: change.column, expression: fill.sql }], `${quote(change.column, provider)} IS NULL`, `${table.name}.${change.column}`);
  if (typeof step === 'string') return `Cannot backfill \`${label}\` in batches: ${step}.`;
  const backfill = backfillPhase(builder, what, `Backfill ${label} for existing rows`, [step], fill.review ? [fill.review] : [], {
    requires: [`The code from phase 1 is deployed: new rows already get \`${label}\`.`],
    beforeNext: 'Nothing to deploy. The backfill must have finished: the next phase checks and stops, changing nothing, while any row still lacks a value.',
    schema: [],
  });
  if (typeof backfill === 'string') return backfill;
  if (fill.review) builder.notes.push(fill.review);

  requireAddedColumnPhase(builder, table, change, 'values');
  return builder.build(summarizeChange(change));
}

/** The last phase of a required column added in phases: NOT NULL the provider's safe way, the field required again. */
export function requireAddedColumnPhase(builder: PlanBuilder, table: DbTable, change: AddColumn, kept: string): Phase {
  const provider = builder.provider;
  const label = fieldLabel(change);
  const model = change.model as string;
  const field = change.field as string;
  const what = snakeWhat(field, 'in', model);
  const nullableTable = withColumns(table, (cols) => [...cols, { ...change.after, nullable: true }]);
  return builder.phase({
    key: 'contract',
    title: `Make ${label} required`,
    does: provider === 'postgresql'
      ? `Adds \`CHECK ("${change.column}" IS NOT NULL) NOT VALID\` (instant), validates it in a migration of its own (a scan that does not block writes), then sets NOT NULL, which PostgreSQL proves from the check without another scan, and drops the check. The schema gets the field back as required.`
      : provider === 'sqlite'
        ? `SQLite cannot alter a column: the table is copied into one where "${change.column}" is NOT NULL (Prisma's table redefinition), which stops at a NULL; a guard checks first and stops the migration, changing nothing, while a row still holds NULL. The whole database is locked while it copies.`
        : `Makes the column NOT NULL in place (InnoDB online DDL: reads and writes continue).`,
    requires: ['The backfill of phase 2 has finished.'],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down scripts make the column nullable again; the ${kept} stay.`,
    migrations: requireColumn(builder, nullableTable, change.column, what, `Run the backfill of phase 2 (its migration, or the script in migration-plans/${builder.id}/phase-2-backfill) until it reports 0 rows, then deploy again.`),
    schema: [{ op: 'setOptional', model, field, optional: false }],
  });
}

// ---------------------------------------------------------------------------
// Optional field made required

export function planMakeColumnRequired(input: PlannerInput, change: SetNotNull): Planned {
  const { ctx, options } = input;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is not in the migrated database.`;
  const found = modelAndField(ctx, change.model, change.field);
  if (typeof found === 'string') return `Cannot plan \`${fieldLabel(change)}\`: ${found}.`;
  const fill = fillValue(change.before, ctx.provider, ctx.before, options);
  if (typeof fill === 'string') return `Cannot choose a value for the NULLs of \`${fieldLabel(change)}\` (${fill}): plan again with --backfill '<sql expression>'.`;
  const label = fieldLabel(change);
  const model = change.model as string;
  const field = change.field as string;
  const what = snakeWhat(field, 'in', model);
  const builder = new PlanBuilder(
    input,
    'make-column-required',
    'make-column-required',
    change,
    migrationSlug('require', field, 'in', model),
    `Make ${label} required`,
    'SET NOT NULL fails if any row holds NULL, and on PostgreSQL it scans the whole table under an ACCESS EXCLUSIVE lock.',
  );
  const step = backfillStep(table, ctx.provider, ctx.before, [{ column: change.column, expression: fill.sql }], `${quote(change.column, ctx.provider)} IS NULL`, `${table.name}.${change.column}`);
  if (typeof step === 'string') return `Cannot backfill \`${label}\` in batches: ${step}.`;
  const backfill = backfillPhase(builder, what, `Backfill the NULLs of ${label}`, [step], fill.review ? [fill.review] : [], {
    requires: [`Running code never writes NULL into \`${label}\`: deploy that first, or new NULLs appear behind the backfill.`],
    beforeNext: 'Nothing to deploy. The backfill must have finished: the next phase checks and stops, changing nothing, while a NULL remains.',
    schema: [{ op: 'setOptional', model, field, optional: true }],
  });
  if (typeof backfill === 'string') return backfill;
  if (fill.review) builder.notes.push(fill.review);
  builder.phase({
    key: 'contract',
    title: `Make ${label} required`,
    does: ctx.provider === 'postgresql'
      ? 'CHECK ... NOT VALID, VALIDATE in its own migration, then SET NOT NULL without a scan and drop the check. The schema gets the field as required.'
      : ctx.provider === 'sqlite'
        ? 'Copies the table into one where the column is NOT NULL (SQLite cannot alter a column); a guard first stops the migration, changing nothing, while a row still holds NULL.'
        : 'Makes the column NOT NULL in place.',
    requires: ['The backfill of phase 1 has finished.'],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The column becomes nullable again; the values stay.`,
    migrations: requireColumn(builder, table, change.column, what, `Run the backfill of phase 1 until it reports 0 rows, then deploy again.`),
    schema: [{ op: 'setOptional', model, field, optional: false }],
  });
  return builder.build(summarizeChange(change));
}

// ---------------------------------------------------------------------------
// Column renamed

export function planRenameColumn(input: PlannerInput, change: RenameColumn): Planned {
  const { ctx } = input;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is not in the migrated database.`;
  const roles = columnRoles(table, change.from);
  if (roles.length > 0) return `"${change.from}" is part of ${roles.join(', ')}; this plan does not move keys and indexes yet. Keep the column with \`@map("${change.from}")\` (a rename in code only), or move the ${roles.length > 1 ? 'keys' : 'key'} by hand.`;
  const fieldName = change.field ?? change.fieldName;
  const found = modelAndField(ctx, change.model, fieldName);
  if (typeof found === 'string') return `Cannot plan the rename of \`${change.table}.${change.from}\`: ${found}.`;
  const model = found.model.name;
  const provider = ctx.provider;
  const taken = new Set(found.model.fields.map((f) => f.name));
  const oldField = freeName(prismaIdentifier(change.from), (n) => taken.has(n));
  const what = snakeWhat(change.from, 'to', change.column, 'in', model);
  const builder = new PlanBuilder(
    input,
    'rename-column',
    'rename-column',
    change,
    migrationSlug('rename', change.from, 'to', change.column, 'in', model),
    `Rename ${change.table}.${change.from} to ${change.column}`,
    'Prisma renames a column as DROP COLUMN plus ADD COLUMN: every value is lost, and running code that reads the old name breaks.',
  );

  const oldDecl = (ignored: boolean): string => {
    const r = rewrite(found).rename(oldField).removeAttribute('unique').removeAttribute('id').optional(change.before.nullable || ignored);
    if (oldField !== change.from) r.map(change.from);
    else r.removeAttribute('map');
    if (ignored) r.append('@ignore');
    return r.text();
  };
  const targetDecl = rewrite(found).original();
  const expandDecl = rewrite(found).optional(true).removeAttribute('default').text();

  builder.phase({
    key: 'expand',
    title: `Add "${change.column}" next to "${change.from}"`,
    does: `Adds column "${change.column}" (nullable, no default yet). The schema keeps the old column as \`${oldField}\` and has \`${fieldName}\` as optional, so the code can write both.`,
    requires: [],
    beforeNext: `Deploy code that writes both \`${oldField}\` and \`${fieldName}\` with the same value on every create and update.`,
    rollback: `${ROLLBACK_DOWN} The down script drops the new column.`,
    migrations: [addNullableColumn(builder, table, change.after, migrationSlug('expand', 'add', change.column, 'to', model), `Add ${table.name}.${change.column} as nullable`)],
    schema: [
      { op: 'replaceField', model, field: fieldName, declaration: expandDecl },
      { op: 'addField', model, field: oldField, declaration: oldDecl(false), after: fieldName },
    ],
  });

  const step = backfillStep(table, provider, ctx.before, [{ column: change.column, expression: quote(change.from, provider) }], `${quote(change.column, provider)} IS NULL AND ${quote(change.from, provider)} IS NOT NULL`, `${table.name}.${change.column} from ${change.from}`);
  if (typeof step === 'string') return `Cannot copy \`${change.from}\` in batches: ${step}.`;
  const backfill = backfillPhase(builder, snakeWhat(change.column, 'in', model), `Copy "${change.from}" into "${change.column}"`, [step], [], {
    requires: ['The dual-writing code from phase 1 is deployed.'],
    beforeNext: `Deploy code that reads \`${fieldName}\` instead of \`${oldField}\` (keep writing both until phase 3 is deployed).`,
    schema: [],
  });
  if (typeof backfill === 'string') return backfill;

  const withNew = withColumns(table, (cols) => [...cols, { ...change.after, nullable: true }]);
  delete (withNew.columns[withNew.columns.length - 1] as DbColumn).default;
  const t = tableName(table, provider);
  const relax = change.before.nullable ? undefined : dropNotNull(builder, withNew, change.from);
  const setDefault = renderDefault(change.after.default, change.after.type, provider, ctx.target);
  const switchMigrations: PlannedMigration[] = [];
  if (!change.after.nullable) {
    if (provider === 'postgresql') {
      switchMigrations.push(...requireColumn(builder, withNew, change.column, snakeWhat(change.column, 'in', model), 'Run the copy of phase 2 until it reports 0 rows, then deploy again.', {
        postgresSql: [...(relax?.sql ?? []), ...(setDefault ? [`ALTER TABLE ${t} ALTER COLUMN ${quote(change.column, provider)} SET DEFAULT ${setDefault};`] : [])],
        postgresDown: [...(setDefault ? [`ALTER TABLE ${t} ALTER COLUMN ${quote(change.column, provider)} DROP DEFAULT;`] : []), ...(relax?.down ?? [])],
      }));
    } else {
      const final = replaceColumn(replaceColumn(withNew, change.column, (c) => ({ ...c, nullable: false, ...(change.after.default ? { default: change.after.default } : {}) })), change.from, (c) => ({ ...c, nullable: true }));
      switchMigrations.push(...requireColumn(builder, withNew, change.column, snakeWhat(change.column, 'in', model), 'Run the copy of phase 2 first.', { finalTable: final }));
    }
  } else if (relax || setDefault) {
    switchMigrations.push(migration(migrationSlug('switch', what), `Prepare ${table.name} for code that no longer writes "${change.from}"`, [
      ...(provider === 'postgresql' ? [lt(builder)] : []),
      ...(relax?.sql ?? []),
      ...(setDefault && provider !== 'sqlite' ? [`ALTER TABLE ${t} ALTER COLUMN ${quote(change.column, provider)} SET DEFAULT ${setDefault};`] : []),
    ], [...(relax?.down ?? [])]));
  } else {
    switchMigrations.push(markerMigration(migrationSlug('switch', what), `Code stops using ${table.name}.${change.from}`, `"${change.from}" is kept, ignored by Prisma Client, until phase 4 drops it.`));
  }
  builder.phase({
    key: 'switch',
    title: `Switch to "${change.column}"`,
    does: `${change.after.nullable ? '' : `Makes "${change.column}" NOT NULL the safe way and `}${relax ? `makes "${change.from}" nullable, so that code which no longer writes it can insert. ` : ''}The schema gets \`${fieldName}\` as you wrote it and keeps the old column as \`${oldField}\` with \`@ignore\`: Prisma Client stops reading and writing it.`,
    requires: ['The copy of phase 2 has finished.', `The deployed code reads \`${fieldName}\`.`],
    beforeNext: `Deploy code built from this schema: it reads and writes only \`${fieldName}\`. Old instances must be gone before phase 4 drops the column.`,
    rollback: `${ROLLBACK_DOWN} "${change.from}" becomes required again; fill any NULLs written since first.`,
    migrations: switchMigrations,
    schema: [
      { op: 'replaceField', model, field: fieldName, declaration: targetDecl },
      { op: 'replaceField', model, field: oldField, declaration: oldDecl(true) },
    ],
  });

  // The table as phase 3 leaves it: SQLite's drop copies it, so the new column must carry its final shape.
  const finalTable = replaceColumn(
    replaceColumn(withNew, change.column, (c) => ({ ...c, nullable: change.after.nullable, ...(change.after.default ? { default: change.after.default } : {}) })),
    change.from,
    (c) => ({ ...c, nullable: true }),
  );
  const restore = [`-- Restore the values from "${change.column}", which held the same data until this phase.\nUPDATE ${t} SET ${quote(change.from, provider)} = ${quote(change.column, provider)};`];
  builder.phase({
    key: 'contract',
    title: `Drop the old column "${change.from}"`,
    does: `Drops "${change.from}"; its values live on in "${change.column}". The schema loses \`${oldField}\`.`,
    requires: [`No running code uses "${change.from}" (the code from phase 3 is deployed everywhere).`],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down script adds "${change.from}" back and copies the values from "${change.column}".`,
    migrations: [dropColumn(builder, finalTable, { ...change.before, nullable: true }, migrationSlug('contract', 'remove', change.from, 'from', model), `Drop ${table.name}.${change.from}`, restore, `phase 4 of plan ${builder.id}: every value lives on in "${change.column}", and the code stopped using "${change.from}" in phase 3.`)],
    schema: [{ op: 'removeField', model, field: oldField }],
  });
  return builder.build(summarizeChange(change));
}

// ---------------------------------------------------------------------------
// Column type changed

/** SQLite's affinity for a declared type, by its rules (https://www.sqlite.org/datatype3.html, 3.1): CAST converts by it. */
function sqliteAffinity(type: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const name = type.toUpperCase();
  if (name.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(name)) return 'TEXT';
  if (name.includes('BLOB') || name === '') return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(name)) return 'REAL';
  return 'NUMERIC';
}

/**
 * SQL that is true when the non-NULL value `ref` comes out of `CAST(ref AS type)`
 * as the same value. SQLite's CAST never fails: it converts what it can and
 * makes up the rest (CAST('abc' AS INTEGER) is 0, CAST('2024-01-31' AS
 * DATETIME) is 2024), so the plans check before they copy. The test is the
 * text of the value before and after; where the text of the same number
 * differs by type it is a per-type check of the number instead:
 * - INTEGER, BIGINT: or a REAL that is a whole number within 64 bits (12.0 → 12).
 * - REAL: or an integer (or its exact text) a double holds exactly (12 → 12.0; beyond 2^53 it rounds).
 * - TEXT, BLOB: any text, integer or blob; a REAL only if its text reads back as the same double
 *   (older SQLite versions write a double with 15 significant digits).
 * - BOOLEAN: the same text and 0 or 1, the two values Prisma writes for a Boolean.
 * - NUMERIC affinity (DECIMAL, DATETIME, JSONB, ...): the same text.
 */
function sqliteKeepsValue(ref: string, type: string): string {
  const cast = `CAST(${ref} AS ${type})`;
  const sameText = `CAST(${cast} AS TEXT) IS CAST(${ref} AS TEXT)`;
  switch (sqliteAffinity(type)) {
    case 'INTEGER':
      return `${sameText} OR (typeof(${ref}) = 'real' AND ${ref} = ${cast} AND ${ref} >= -9223372036854775808.0 AND ${ref} < 9223372036854775808.0)`;
    case 'REAL':
      return `${sameText} OR (CAST(CAST(${ref} AS INTEGER) AS TEXT) IS CAST(${ref} AS TEXT) AND CAST(${ref} AS INTEGER) BETWEEN -9007199254740992 AND 9007199254740992)`;
    case 'TEXT':
    case 'BLOB':
      return `typeof(${ref}) <> 'real' OR CAST(CAST(${ref} AS TEXT) AS REAL) = ${ref}`;
    case 'NUMERIC':
      return type.toUpperCase() === 'BOOLEAN' ? `${sameText} AND ${cast} IN (0, 1)` : sameText;
  }
}

/** A guard that stops a SQLite migration, changing nothing, when a value of `column` would not come out of CAST(... AS type) unchanged. */
function sqliteConversionGuard(tableSql: string, tableLabel: string, column: string, type: string, back: boolean): string {
  const ref = quote(column, 'sqlite');
  const name = `values_of_${tableLabel}_${column}_do_not_convert${back ? '_back' : ''}_to_${type.replace(/\W+/g, '_')}`;
  return sqliteGuard(`SELECT 1 FROM ${tableSql} WHERE ${ref} IS NOT NULL AND NOT (${sqliteKeepsValue(ref, type)})`, name);
}

export function planChangeColumnType(input: PlannerInput, change: AlterColumnType): Planned {
  const { ctx, options } = input;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is not in the migrated database.`;
  const found = modelAndField(ctx, change.model, change.field);
  if (typeof found === 'string') return `Cannot plan the type change of \`${fieldLabel(change)}\`: ${found}.`;
  const label = fieldLabel(change);
  const model = found.model.name;
  const field = found.field.name;
  const provider = ctx.provider;
  // The keys and indexes of the column move with it (PostgreSQL), or come along with the table copy (MySQL, SQLite).
  const keyMove = keyColumnMove(ctx.before, change.tableKey, table, change.column);
  if (typeof keyMove === 'string') return keyMove;
  const newType = renderType(change.to, provider, ctx.target);
  if (provider === 'sqlite' && !options.backfill && newType.toUpperCase() === 'DATETIME') {
    const c = quote(change.column, 'sqlite');
    return `Prisma stores a DateTime on SQLite as the number of milliseconds since 1970-01-01 UTC, and no CAST produces that: CAST(${c} AS DATETIME) keeps a number as it is and turns text into its leading number ('2024-01-31' becomes 2024). Plan again with a conversion expression that gives milliseconds: for dates written as text, --backfill 'CAST(ROUND((julianday(${c}) - 2440587.5) * 86400000) AS INTEGER)' (a guard stops the migration, changing nothing, if a text does not read as a date); for a number that already counts milliseconds, --backfill '${c}'.`;
  }
  const builder = new PlanBuilder(
    input,
    'change-column-type',
    'change-column-type',
    change,
    migrationSlug('change', field, 'to', change.to.name, 'in', model),
    `Change ${label} from ${formatType(change.from)} to ${formatType(change.to)}`,
    'ALTER COLUMN TYPE rewrites the table under an ACCESS EXCLUSIVE lock, can fail on values that do not convert, and for types Prisma cannot cast it drops the column with its values.',
  );
  const what = snakeWhat(field, 'in', model);
  // Prisma keeps Json on SQLite as JSON text in a JSONB-declared column: CAST(... AS JSONB) would make the text a number.
  const sqliteJson = provider === 'sqlite' && !options.backfill && /^JSONB?$/i.test(newType);
  const castOf = (ref: string): string => options.backfill
    ? options.backfill.replace(new RegExp(`"${change.column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`, 'g'), ref)
    : sqliteJson ? ref
    : change.from.isEnum || change.to.isEnum ? `CAST(CAST(${ref} AS text) AS ${newType})` : `CAST(${ref} AS ${newType})`;

  if (provider === 'sqlite' && keyMove.sequence && newType.toUpperCase() !== 'INTEGER') {
    return `"${change.column}" is an AUTOINCREMENT primary key, which SQLite only allows on a column declared exactly INTEGER; a copy into a ${newType} column fails. SQLite's INTEGER already holds 64-bit values (up to 2^63 - 1): keep \`Int\` in the schema, or drop the auto-increment first.`;
  }
  // A MySQL column changed to or from an ENUM keeps the one MODIFY here (ENUM to ENUM lists are planned in mysqlEnums.ts);
  // every other MySQL type change goes through a new column below: InnoDB changes a type only by a copy with writes blocked.
  const mysqlEnum = provider === 'mysql' && (change.from.isEnum || change.to.isEnum || !!change.from.enumValues || !!change.to.enumValues);
  if (provider === 'sqlite' || mysqlEnum) {
    const after = replaceColumn(table, change.column, (c) => ({ ...c, type: change.to }));
    const fromType = renderType(change.from, 'sqlite', ctx.before);
    const sqliteTable = tableName(table, 'sqlite');
    const sql = provider === 'sqlite'
      ? [
          '-- SQLite cannot change a column type: Prisma copies the table. This copy converts every value explicitly instead of',
          '-- relying on type affinity.',
          ...(options.backfill
            ? [
                '-- The conversion is the expression given for it (--backfill), and SQLite never rejects what it produces. The guard',
                `-- stops the migration first, changing nothing, if the expression turns a value of "${change.column}" into NULL.`,
                sqliteGuard(`SELECT 1 FROM ${sqliteTable} WHERE ${quote(change.column, 'sqlite')} IS NOT NULL AND (${castOf(quote(change.column, 'sqlite'))}) IS NULL`, `values_of_${table.name}_${change.column}_become_NULL_in_the_conversion`),
              ]
            : sqliteJson
              ? [
                  `-- Json is stored as its text: the values are copied as they are, after a guard that stops the migration, changing`,
                  `-- nothing, if a value of "${change.column}" is not valid JSON (Prisma Client could not read it).`,
                  sqliteGuard(`SELECT 1 FROM ${sqliteTable} WHERE ${quote(change.column, 'sqlite')} IS NOT NULL AND NOT json_valid(${quote(change.column, 'sqlite')})`, `values_of_${table.name}_${change.column}_are_not_valid_JSON`),
                ]
              : [
                  `-- SQLite's CAST never fails: a value it cannot convert comes out as something else (CAST('abc' AS INTEGER) is 0).`,
                  `-- The guard stops the migration first, changing nothing, if any value of "${change.column}" would not come out unchanged.`,
                  sqliteConversionGuard(sqliteTable, table.name, change.column, newType, false),
                ]),
          redefineTableSqlite(after, ctx.before, new Map(after.columns.map((c) => [c.name, c.name === change.column ? castOf(quote(c.name, 'sqlite')) : quote(c.name, 'sqlite')]))),
        ]
      : [
          '-- InnoDB copies the table for most type changes (writes wait for the copy); on a large table use an online',
          '-- schema-change tool (gh-ost, pt-online-schema-change) instead of this statement.',
          `-- AlterTable\nALTER TABLE ${tableName(table, 'mysql')} MODIFY ${mysqlColumn({ ...change.before, type: change.to, nullable: change.after.nullable }, ctx.before)};`,
        ];
    const down = provider === 'sqlite'
      ? [
          `-- Converts back with CAST; the guard stops first, changing nothing, if a value of "${change.column}" would not come out unchanged as ${fromType}.`,
          sqliteConversionGuard(sqliteTable, table.name, change.column, fromType, true),
          redefineTableSqlite(table, ctx.before, new Map(table.columns.map((c) => [c.name, c.name === change.column ? `CAST(${quote(c.name, 'sqlite')} AS ${fromType})` : quote(c.name, 'sqlite')]))),
        ]
      : [`ALTER TABLE ${tableName(table, 'mysql')} MODIFY ${mysqlColumn(change.before, ctx.before)};`];
    builder.notes.push(`${providerName(provider)} has no way to change a column type without copying the table; this plan makes the copy explicit and reversible, and says when to schedule it.`);
    if (provider === 'sqlite') {
      builder.notes.push(options.backfill
        ? `Values convert with \`${castOf(quote(change.column, 'sqlite'))}\` (from --backfill); a guard stops the migration, changing nothing, if it turns a value into NULL, and nothing else checks what it produces.`
        : sqliteJson
          ? `Values are copied as they are (Json is stored as text), after a guard that stops the migration, changing nothing, if one is not valid JSON.`
          : `Values convert with \`${castOf(quote(change.column, 'sqlite'))}\`, after a guard that stops the migration, changing nothing, if a value would not come out unchanged. To convert differently, plan again with --backfill '<sql using "${change.column}">'.`);
    }
    builder.phase({
      key: 'convert',
      title: `Convert ${label}`,
      does: provider === 'sqlite'
        ? `${options.backfill ? 'Checks that the given expression turns no value into NULL (a guard stops the migration, changing nothing, if it does), then copies the table, converting the column with it' : sqliteJson ? 'Checks that every value is valid JSON (a guard stops the migration, changing nothing, if one is not), then copies the table with the values as they are' : 'Checks that every value converts unchanged (a guard stops the migration, changing nothing, if one does not), then copies the table with the converted column'} (SQLite locks the whole database while it copies).`
        : 'Modifies the column; InnoDB copies the table.',
      requires: ['A quiet period: the table is copied while writes wait.', 'Code that copes with both types is deployed.'],
      beforeNext: '',
      rollback: provider === 'sqlite'
        ? `${ROLLBACK_DOWN} The down script converts back with CAST${options.backfill ? ' (not the inverse of the given expression)' : ''}; its guard stops it, changing nothing, on a value the old type would not hold unchanged.`
        : `${ROLLBACK_DOWN} The down script converts back, which fails on values the old type cannot hold.`,
      migrations: [migration(migrationSlug('convert', what), `Convert ${table.name}.${change.column} to ${newType}`, sql, down)],
      schema: [],
    });
    return builder.build(summarizeChange(change));
  }

  // PostgreSQL and MySQL: a shadow column kept in step by a trigger, filled in batches, then swapped in.
  const temp = freeName(suffixed(change.column, '_new', provider), (n) => table.columns.some((c) => c.name === n));
  const tempField = freeName(prismaIdentifier(`${field}_new`), (n) => found.model.fields.some((f) => f.name === n));
  const t = tableName(table, provider);
  const c = quote(change.column, provider);
  const tc = quote(temp, provider);
  const oldType = prismaTypeFor(change.from, provider, ctx.names);
  const targetDecl = rewrite(found).original();
  const oldDecl = rewrite(found).type(oldType.base, oldType.native).text();
  const tempColumn: DbColumn = { name: temp, type: change.to, nullable: true };
  const tempDecl = fieldDeclaration(tempField, tempColumn, provider, ctx.names, { attributes: ['@ignore'] });
  const shadow: Shadow = { builder, change, table, temp, tempField, tempColumn, field, model, label, newType, what, targetDecl, oldDecl, tempDecl };
  if (provider === 'mysql') {
    const keyed = [...(keyMove.primaryKey ? ['the primary key'] : []), ...keyMove.indexes.map((i) => i.name), ...(keyMove.sequence ? ['AUTO_INCREMENT'] : [])];
    // The MySQL swap drops the old column with ALGORITHM=INSTANT, which InnoDB cannot do to an indexed column, and the rebuilt indexes would need a copy anyway.
    if (keyed.length > 0) return `"${change.column}" carries ${keyed.join(', ')}, which the new column would have to take over with a rebuild of the table; that is not planned for MySQL yet. The safe path: one \`ALTER TABLE ... MODIFY\` at a quiet time (InnoDB copies the table, writes wait), or an online schema-change tool (gh-ost, pt-online-schema-change) on a large table.`;
    return planMysqlTypeChange(shadow, options.backfill);
  }
  const fn = quote(suffixed(`${table.name}_${change.column}`, '_sync', provider), provider);
  const trigger = [
    `-- CreateFunction: keeps "${temp}" in step with every write of "${change.column}" until the swap.`,
    `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $sync$\nBEGIN\n  NEW.${tc} := ${castOf(`NEW.${c}`)};\n  RETURN NEW;\nEND\n$sync$;`,
    `-- CreateTrigger\nCREATE TRIGGER ${fn} BEFORE INSERT OR UPDATE OF ${c} ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
  ];
  const dropTrigger = [`DROP TRIGGER IF EXISTS ${fn} ON ${t};`, `DROP FUNCTION IF EXISTS ${fn}();`];
  builder.phase({
    key: 'expand',
    title: `Add "${temp}" of type ${newType}, kept in step by a trigger`,
    does: `Adds column "${temp}" (${newType}, nullable) and a trigger that sets it from "${change.column}" on every insert and update. The running code does not change: it keeps using "${change.column}". The schema keeps \`${field}\` with its old type for now and lists the new column as \`${tempField}\` with \`@ignore\`.`,
    requires: [],
    beforeNext: 'Nothing to deploy: the trigger copies every write.',
    rollback: `${ROLLBACK_DOWN} The down script drops the trigger, its function and the new column.`,
    migrations: [migration(migrationSlug('expand', 'add', temp, 'to', model), `Add ${table.name}.${temp} and its sync trigger`, [lt(builder), `-- AlterTable\nALTER TABLE ${t} ADD COLUMN     ${tc} ${newType};`, ...trigger], [lt(builder), ...dropTrigger, `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${tc};`])],
    schema: [
      { op: 'replaceField', model, field, declaration: oldDecl },
      { op: 'addField', model, field: tempField, declaration: tempDecl, after: field },
    ],
  });

  const backfill = conversionBackfill(shadow, castOf(c), 'the swap checks and stops, changing nothing, while a value is missing');
  if (backfill) return backfill;
  if (options.backfill) builder.notes.push(`Values convert with \`${castOf(c)}\` (from --backfill).`);
  else builder.notes.push(`Values convert with \`${castOf(c)}\`; a value that does not convert stops the batch with PostgreSQL's error. To convert differently, edit the expression in the trigger, the backfill and the script, or plan again with --backfill '<sql using "${change.column}">'.`);

  const withTemp = withColumns(table, (cols) => [...cols, tempColumn]);
  const migrations: PlannedMigration[] = [];
  const notNull = !change.before.nullable;
  const check = quote(notNullCheckName(withTemp, temp, provider), provider);
  const missing = `SELECT 1 FROM ${t} WHERE ${tc} IS NULL AND ${c} IS NOT NULL`;
  const guard = guardBlock(missing, `${table.name}.${temp} is missing converted values`, 'Run the conversion of phase 2 (its migration or its script) until it reports 0 rows, then deploy again.');
  if (notNull) {
    const [addCheck, validate] = requireColumn(builder, withTemp, temp, snakeWhat(temp, 'in', model), 'Run the conversion of phase 2 until it reports 0 rows, then deploy again.');
    migrations.push(addCheck, validate);
  }
  if (keyMove.sequence && !['int2', 'int4', 'int8'].includes(change.to.name)) return `"${change.column}" draws its values from the sequence ${keyMove.sequence}, which only an integer column can keep: give the new column its own default, or keep an integer type.`;
  const moved = postgresKeyMove(withTemp, change.column, temp, newType, renderType(change.from, provider, ctx.before), keyMove);
  migrations.push(...moved.builds);
  const movedWhat = [...(keyMove.primaryKey ? [`the primary key ${keyMove.primaryKey.name}`] : []), ...keyMove.indexes.map((i) => i.name), ...(keyMove.sequence ? [`the sequence ${keyMove.sequence}`] : [])];
  if (movedWhat.length > 0) builder.notes.push(`${movedWhat.join(', ')} move${movedWhat.length > 1 ? '' : 's'} to the converted column: each index is built again on "${temp}" CONCURRENTLY before the swap, which renames it${keyMove.primaryKey ? ' and attaches the key with ADD PRIMARY KEY USING INDEX (no build, no scan)' : ''}${keyMove.sequence ? `; the sequence is detached before the old column goes, widened to ${newType} and given to the new one` : ''}.`);
  const fallback = renderDefault(change.after.default, change.to, provider, ctx.target);
  const oldFallback = renderDefault(change.before.default, change.from, provider, ctx.before);
  const swap = [
    '-- Swap: one short transaction under ACCESS EXCLUSIVE; no scan, no rewrite.',
    guard,
    lt(builder),
    ...dropTrigger,
    // NOT NULL goes on while the column still has the name its validated check was written for.
    ...(notNull ? [`-- AlterTable\nALTER TABLE ${t} ALTER COLUMN ${tc} SET NOT NULL;`, `ALTER TABLE ${t} DROP CONSTRAINT ${check};`] : []),
    ...moved.beforeDrop,
    plannedDrop('sql-drop-column', `phase 3 of plan ${builder.id}: every value lives on, converted, in "${temp}", which takes its name next.`),
    `-- AlterTable\nALTER TABLE ${t} DROP COLUMN ${c};`,
    `ALTER TABLE ${t} RENAME COLUMN ${tc} TO ${c};`,
    ...moved.afterRename,
    ...(fallback ? [`ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${fallback};`] : []),
  ];
  const oldTypeSql = renderType(change.from, provider, ctx.before);
  const unswap = [
    lt(builder),
    `ALTER TABLE ${t} RENAME COLUMN ${c} TO ${tc};`,
    ...moved.undoAfterRename,
    ...(fallback ? [`ALTER TABLE ${t} ALTER COLUMN ${tc} DROP DEFAULT;`] : []),
    ...(notNull ? [`ALTER TABLE ${t} ALTER COLUMN ${tc} DROP NOT NULL;`, `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${tc} IS NOT NULL);`] : []),
    `ALTER TABLE ${t} ADD COLUMN ${c} ${oldTypeSql};`,
    `-- Converts every value back in one statement (a rollback, not a routine step).\nUPDATE ${t} SET ${c} = CAST(${options.backfill ? `CAST(${tc} AS text)` : change.from.isEnum || change.to.isEnum ? `CAST(${tc} AS text)` : tc} AS ${oldTypeSql});`,
    ...(notNull ? [`ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`] : []),
    ...(oldFallback ? [`ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${oldFallback};`] : []),
    ...moved.undoAtEnd,
    ...trigger,
  ];
  migrations.push(migration(migrationSlug('swap', what), `Swap "${temp}" in as ${table.name}.${change.column}`, swap, unswap));
  builder.phase({
    key: 'swap',
    title: `Swap the converted column in`,
    does: `Drops the trigger and the old column and renames "${temp}" to "${change.column}" in one short transaction${notNull ? ', after validating a NOT NULL check on it in migrations of their own' : ''}. Code built from either schema keeps working against the same column name. The schema gets \`${field}\` as you wrote it.`,
    requires: ['The conversion of phase 2 has finished.', `Running code copes with reading ${newType} values from "${change.column}" (for example BigInt instead of Int) — deploy that first if it does not.`],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down script of the swap converts the values back into a column of the old type and restores the trigger.`,
    migrations,
    schema: [
      { op: 'replaceField', model, field, declaration: targetDecl },
      { op: 'removeField', model, field: tempField },
    ],
  });
  builder.notes.push(`After the swap "${change.column}" is the last column of "${table.name}": PostgreSQL adds columns at the end, and Prisma does not mind the order.`);
  return builder.build(summarizeChange(change));
}

/** What the shadow-column plans of a type change share: the column kept in step, its field, and the declarations on each side. */
interface Shadow {
  builder: PlanBuilder;
  change: AlterColumnType;
  table: DbTable;
  temp: string;
  tempField: string;
  tempColumn: DbColumn;
  field: string;
  model: string;
  label: string;
  newType: string;
  what: string;
  targetDecl: string;
  oldDecl: string;
  tempDecl: string;
}

/** The phase that fills the shadow column from the old one with `expression`, in batches; a reason when it cannot be planned. */
function conversionBackfill(shadow: Shadow, expression: string, stops: string): string | undefined {
  const { builder, change, table, temp, label, model } = shadow;
  const provider = builder.provider;
  const [c, tc] = [quote(change.column, provider), quote(temp, provider)];
  const step = backfillStep(table, provider, builder.input.ctx.before, [{ column: temp, expression }], `${tc} IS NULL AND ${c} IS NOT NULL`, `${table.name}.${temp} from ${change.column}`);
  if (typeof step === 'string') return `Cannot convert \`${label}\` in batches: ${step}.`;
  const backfill = backfillPhase(builder, snakeWhat(temp, 'in', model), `Convert existing values of ${label} into "${temp}"`, [step], [], {
    requires: [],
    beforeNext: `Nothing to deploy. The conversion must have finished: ${stops}.`,
    schema: [],
  });
  return typeof backfill === 'string' ? backfill : undefined;
}

/**
 * MySQL: InnoDB changes a column's type only with ALGORITHM=COPY, writes
 * blocked for the whole copy (observed on MariaDB 10.11: INPLACE, INSTANT and
 * LOCK=NONE are all refused, "Cannot change column type"). Instead: a new
 * column added instantly, kept in step by two triggers, filled in batches;
 * made NOT NULL online; then swapped in under a write lock that lasts only as
 * long as an instant ALTER and two DROP TRIGGERs, so no write falls between
 * the triggers going and the old column going.
 */
function planMysqlTypeChange(shadow: Shadow, backfillExpression: string | undefined): Planned {
  const { builder, change, table, temp, tempField, tempColumn, field, model, newType, what } = shadow;
  const state = builder.input.ctx.before;
  const t = tableName(table, 'mysql');
  const c = quote(change.column, 'mysql');
  const tc = quote(temp, 'mysql');
  // The column's own type converts on assignment; strict mode (Prisma's default sql_mode) rejects a value that does not fit.
  const convert = (ref: string): string => backfillExpression
    ? backfillExpression.replace(new RegExp(`[\`"]${change.column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\`"]`, 'g'), ref)
    : ref;
  const triggers = (['insert', 'update'] as const).map((event) => ({ event, name: quote(suffixed(`${table.name}_${change.column}`, `_sync_${event}`, 'mysql'), 'mysql') }));
  const createTriggers = triggers.map(({ event, name }) => `-- CreateTrigger\nCREATE TRIGGER ${name} BEFORE ${event.toUpperCase()} ON ${t} FOR EACH ROW SET NEW.${tc} = ${convert(`NEW.${c}`)};`);
  const dropTriggers = triggers.map(({ name }) => `DROP TRIGGER IF EXISTS ${name};`);
  builder.phase({
    key: 'expand',
    title: `Add "${temp}" of type ${newType}, kept in step by triggers`,
    does: `Adds column "${temp}" (${newType}, nullable; ALGORITHM=INSTANT: no copy) and two triggers that set it from "${change.column}" on every insert and update. The running code does not change. The schema keeps \`${field}\` with its old type for now and lists the new column as \`${tempField}\` with \`@ignore\`.`,
    requires: [],
    beforeNext: 'Nothing to deploy: the triggers copy every write.',
    rollback: `${ROLLBACK_DOWN} The down script drops the triggers and the new column.`,
    migrations: [migration(
      migrationSlug('expand', 'add', temp, 'to', model),
      `Add ${table.name}.${temp} and its sync triggers`,
      [`-- AlterTable\nALTER TABLE ${t} ADD COLUMN ${mysqlColumn(tempColumn, state)}, ALGORITHM=INSTANT;`, `-- The triggers keep ${tc} in step with every write of ${c} until the swap.`, ...createTriggers],
      [...dropTriggers, `ALTER TABLE ${t} DROP COLUMN ${tc};`],
    )],
    schema: [
      { op: 'replaceField', model, field, declaration: shadow.oldDecl },
      { op: 'addField', model, field: tempField, declaration: shadow.tempDecl, after: field },
    ],
  });

  const backfill = conversionBackfill(shadow, convert(c), 'the next phase stops, changing nothing, while a value is missing');
  if (backfill) return backfill;
  builder.notes.push(backfillExpression
    ? `Values convert with \`${convert(c)}\` (from --backfill), in the triggers and the backfill alike.`
    : `Values convert by assignment to ${newType}; in strict mode (Prisma's default) a value that does not fit stops the write or the batch with MySQL's error. To convert differently, plan again with --backfill '<sql using \`${change.column}\`>'.`);

  const withTemp = withColumns(table, (cols) => [...cols, tempColumn]);
  const finalTemp: DbColumn = { ...tempColumn, nullable: change.after.nullable, ...(change.after.default ? { default: change.after.default } : {}) };
  const migrations: PlannedMigration[] = [];
  if (!change.after.nullable) {
    migrations.push(...requireColumn(builder, withTemp, temp, snakeWhat(temp, 'in', model), 'Run the conversion of phase 2 until it reports 0 rows, then deploy again.', { finalTable: replaceColumn(withTemp, temp, () => finalTemp) }));
  }
  const missing = `SELECT 1 FROM ${t} WHERE ${tc} IS NULL AND ${c} IS NOT NULL`;
  const final: DbColumn = { ...finalTemp, name: change.column };
  const swap = [
    // A NOT NULL column was checked by the migration before this one (MySQL refuses NOT NULL over a NULL).
    ...(change.after.nullable ? [mysqlGuard(missing, `${table.name}_${temp}_is_missing_converted_values`)] : []),
    '-- Swap: writes to the table wait only while the triggers go and the columns are renamed (ALGORITHM=INSTANT: no copy,',
    '-- no rebuild; MySQL 8.0.29+ and MariaDB 10.4+), so no write falls between the triggers and the old column going.',
    `LOCK TABLES ${t} WRITE;`,
    plannedDrop('sql-drop-column', `phase 3 of plan ${builder.id}: every value lives on, converted, in "${temp}", which takes its name in the same statement.`),
    `-- AlterTable\nALTER TABLE ${t} DROP COLUMN ${c}, CHANGE ${tc} ${mysqlColumn(final, state)}, ALGORITHM=INSTANT;`,
    ...triggers.map(({ name }) => `DROP TRIGGER ${name};`),
    'UNLOCK TABLES;',
  ];
  const oldNullable: DbColumn = { ...change.before, nullable: true };
  delete oldNullable.default;
  const unswap = [
    `ALTER TABLE ${t} CHANGE ${c} ${mysqlColumn({ ...finalTemp, name: temp }, state)}, ADD COLUMN ${mysqlColumn(oldNullable, state)}, ALGORITHM=INSTANT;`,
    ...createTriggers,
    `-- Converts every value back in one statement (a rollback, not a routine step); the triggers keep "${temp}" as it is.\nUPDATE ${t} SET ${c} = ${tc};`,
    `ALTER TABLE ${t} MODIFY ${mysqlColumn(change.before, state)}, ALGORITHM=INPLACE, LOCK=NONE;`,
  ];
  migrations.push(migration(migrationSlug('swap', what), `Swap "${temp}" in as ${table.name}.${change.column}`, swap, unswap));
  builder.phase({
    key: 'swap',
    title: 'Swap the converted column in',
    does: `${change.after.nullable ? '' : `Makes "${temp}" NOT NULL in place (reads and writes continue; it stops, changing nothing, while a value is missing), then `}drops the old column and renames "${temp}" to "${change.column}" in one instant ALTER, and drops the triggers, with writes held for that moment only (LOCK TABLES). Code built from either schema keeps working against the same column name. The schema gets \`${field}\` as you wrote it.`,
    requires: ['The conversion of phase 2 has finished.', `Running code copes with reading ${newType} values from "${change.column}" (for example BigInt instead of Int) — deploy that first if it does not.`],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down script of the swap renames the column back, adds a column of the old type, converts the values back and restores the triggers.`,
    migrations,
    schema: [
      { op: 'replaceField', model, field, declaration: shadow.targetDecl },
      { op: 'removeField', model, field: tempField },
    ],
  });
  builder.notes.push(`After the swap "${change.column}" is the last column of "${table.name}": Prisma does not mind the order.`);
  return builder.build(summarizeChange(change));
}
