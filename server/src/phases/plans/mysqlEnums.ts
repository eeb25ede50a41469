/**
 * MySQL enum changes. MySQL has no enum types: every column spells its
 * `ENUM('A','B')` list, and Prisma changes it with `MODIFY`. Measured on
 * MariaDB 10.11 (MySQL 8's documentation says the same of InnoDB): values
 * appended at the end are ALGORITHM=INSTANT; any other change of the list
 * (a value removed, inserted before the end, renamed, reordered) is accepted
 * only as ALGORITHM=COPY, with at most LOCK=SHARED ("COPY algorithm requires a
 * lock"): the table is copied and writes wait for the copy. In strict mode the
 * copy fails on a row holding a removed value; without it that row becomes ''.
 *
 * The plan: append what is new (instant), move the rows off what goes (in
 * batches, after the code stopped writing it), then the one copy, behind a
 * guard, with the algorithm and lock spelled out so that MySQL refuses rather
 * than taking more.
 */
import type { DbColumn, DbTable } from '../../core/dbState';
import { type AlterColumnType, type Change, summarizeChange } from '../../diff/changes';
import { freeName, migrationSlug, prismaIdentifier, suffixed } from '../naming';
import { literal, mysqlGuard, quote, tableName } from '../sql';
import type { BackfillStep, PlannedMigration, SchemaOp } from '../types';
import { PlanBuilder, type Planned, type PlannerInput, backfillArtifacts, backfillStep, migration, settings, snakeWhat } from './common';
import { mysqlColumn } from './providerSql';

const ROLLBACK_DOWN = 'Apply the down.sql of each of its migrations, newest first, then mark them rolled back (`prisma migrate resolve --rolled-back <name>`) and delete their folders.';

/** One ENUM byte holds 255 values; a list that grows past that changes the column's storage, which is a copy. */
const ONE_BYTE_ENUM = 255;

interface EnumColumn {
  change: AlterColumnType;
  table: DbTable;
  before: DbColumn;
  after: DbColumn;
}

/** What changes in an ENUM list from `from` to `to`, values renamed read the way remove-enum-value reads them. */
export function enumListChange(from: string[], to: string[]): { removed: string[]; added: string[]; renamed: Map<string, string>; appendOnly: boolean } {
  const removed = from.filter((v) => !to.includes(v));
  const added = to.filter((v) => !from.includes(v));
  const renamed = new Map<string, string>();
  for (const value of removed) {
    const candidate = to[from.indexOf(value)];
    if (candidate !== undefined && added.includes(candidate) && removed.length === added.length) renamed.set(value, candidate);
  }
  const appendOnly = removed.length === 0 && from.every((v, i) => to[i] === v);
  return { removed, added, renamed, appendOnly };
}

/** The Prisma enum a changed column's field has, read from the edited schema. */
function enumOfField(input: PlannerInput, change: Change & { column: string }): string | undefined {
  const model = input.ctx.schema.models.find((m) => m.name === change.model);
  const field = model?.fields.find((f) => f.name === change.field);
  const type = field?.typeName;
  return type && input.ctx.schema.enums.some((e) => e.name === type) ? type : undefined;
}

/** Every pending change of an ENUM column whose field has the same Prisma enum: one enum block edits all of them. */
function columnsOfEnum(input: PlannerInput, enumName: string, from: string[], to: string[]): EnumColumn[] | string {
  const found: EnumColumn[] = [];
  for (const change of input.ctx.unmigrated) {
    if (change.kind !== 'alterColumnType' || !change.to.enumValues || !change.from.enumValues) continue;
    if (enumOfField(input, change) !== enumName) continue;
    if (JSON.stringify(change.from.enumValues) !== JSON.stringify(from) || JSON.stringify(change.to.enumValues) !== JSON.stringify(to)) {
      return `${change.table}.${change.column} had other ENUM values than the rest of \`${enumName}\`: migrate the columns to one list first.`;
    }
    const table = input.ctx.before.tables[change.tableKey];
    const after = input.ctx.target.tables[change.tableKey]?.columns.find((c) => c.name === change.column);
    if (!table || !after) return `\`${change.table}\` is not in both the migrated database and the schema.`;
    found.push({ change, table, before: change.before, after });
  }
  return found;
}

/**
 * The schema op that lists `values` (database values) in the enum block: a
 * value the block has keeps its line (and its `@map`), one it lacks (a value
 * kept until the contract phase) gets a name Prisma accepts, mapped to the
 * database value when they differ.
 */
function listOp(input: PlannerInput, enumName: string, values: string[]): SchemaOp {
  const scanned = input.ctx.schema.enums.find((e) => e.name === enumName);
  const names = new Map<string, string>();
  for (const value of scanned?.values ?? []) {
    const map = value.attributes.find((a) => !a.block && a.name === 'map')?.args[0]?.value;
    names.set(map?.kind === 'string' ? map.value : value.name, value.name);
  }
  const taken = new Set(names.values());
  const declarations: Record<string, string> = {};
  const listed = values.map((value) => {
    const known = names.get(value);
    if (known) return known;
    const name = freeName(prismaIdentifier(value), (n) => taken.has(n));
    taken.add(name);
    if (name !== value) declarations[name] = `${name} @map(${JSON.stringify(value)})`;
    return name;
  });
  return { op: 'setEnumValues', enum: enumName, values: listed, ...(Object.keys(declarations).length > 0 ? { declarations } : {}) };
}

function modify(columns: EnumColumn[], values: string[], algorithm: string, state: PlannerInput['ctx']['before'], which: 'after' | 'before' = 'after'): string[] {
  const byTable = new Map<string, EnumColumn[]>();
  for (const column of columns) byTable.set(column.change.tableKey, [...(byTable.get(column.change.tableKey) ?? []), column]);
  // One ALTER per table: MySQL copies a table once for all the columns the statement changes.
  return [...byTable.values()].map((group) => {
    const modifies = group.map((c) => `MODIFY ${mysqlColumn({ ...c[which], type: { ...c[which].type, enumValues: values } }, state)}`);
    return `-- AlterTable\nALTER TABLE ${tableName(group[0].table, 'mysql')} ${modifies.join(', ')}${algorithm ? `, ${algorithm}` : ''};`;
  });
}

export function planMysqlEnumChange(input: PlannerInput, change: AlterColumnType): Planned {
  const { ctx, options } = input;
  const from = change.from.enumValues;
  const to = change.to.enumValues;
  if (!from || !to) return 'Only a change of the values of an ENUM column is planned here.';
  const enumName = enumOfField(input, change);
  if (!enumName) return `\`${change.model ?? change.table}.${change.field ?? change.column}\` has no Prisma enum in the schema to plan the values of.`;
  const columns = columnsOfEnum(input, enumName, from, to);
  if (typeof columns === 'string') return columns;
  const { removed, added, renamed, appendOnly } = enumListChange(from, to);
  if (appendOnly) return 'Values appended at the end of a MySQL ENUM are an instant change: the migration Prisma writes is already safe.';
  const expanded = [...from, ...added];
  if (from.length <= ONE_BYTE_ENUM && expanded.length > ONE_BYTE_ENUM) return `\`${enumName}\` would grow past ${ONE_BYTE_ENUM} values, which changes how MySQL stores the column: no instant step exists; run the change with an online schema-change tool (gh-ost, pt-online-schema-change).`;

  const replacements = new Map<string, string>();
  const review: string[] = [];
  for (const value of removed) {
    let replacement = renamed.get(value) ?? options.replaceWith;
    if (!replacement) {
      const defaults = columns.map((c) => c.before.default).flatMap((d) => (d?.kind === 'value' ? [d.sql.replace(/^'|'$/g, '')] : []));
      replacement = defaults.find((d) => d !== value && to.includes(d)) ?? to.find((v) => from.includes(v)) ?? to[0];
      review.push(`Rows holding ${value} move to ${replacement} (${defaults.includes(replacement) ? 'the column default' : 'the first value left'}); change it in the backfill migration and script, or plan again with --replace-with <value>.`);
    }
    if (!replacement || !to.includes(replacement)) return `\`${replacement ?? '(none)'}\` is not a value of \`${enumName}\` in the schema: choose the value rows move to with --replace-with.`;
    replacements.set(value, replacement);
  }

  const list = (values: string[]): string => values.map((v) => `'${v}'`).join(', ');
  const removal = removed.length > 0;
  const renaming = removal && renamed.size === removed.length;
  const builder = new PlanBuilder(
    input,
    removal ? 'remove-enum-value' : 'change-column-type',
    removal ? 'remove-enum-value' : 'change-column-type',
    change,
    renaming
      ? migrationSlug('rename', ...removed, 'to', ...removed.map((v) => renamed.get(v) as string), 'in', enumName)
      : removal ? migrationSlug('remove', ...removed, 'from', enumName) : migrationSlug('reorder', enumName, 'values'),
    renaming
      ? `Rename ${removed.map((v) => `${enumName}.${v} to ${renamed.get(v)}`).join(', ')} (MySQL)`
      : removal ? `Remove ${removed.join(', ')} from ${enumName} (MySQL)` : `Change the order of the values of ${enumName} (MySQL)`,
    removal
      ? 'Prisma removes an ENUM value with one MODIFY: MySQL copies the whole table (ALGORITHM=COPY, writes blocked until it ends) and, in strict mode, fails on a row that still holds the value — without strict mode that row silently becomes \'\'.'
      : 'Prisma inserts an ENUM value before the end of the list with one MODIFY: MySQL copies the whole table (ALGORITHM=COPY) and blocks writes to it until the copy ends, while a value appended at the end is instant.',
  );
  builder.notes.push(...review);
  const state = ctx.before;
  const uses = columns.map((c) => `${c.table.name}.${c.change.column}`).join(', ');
  const tables = [...new Set(columns.map((c) => c.table.name))].join(', ');

  // Phase 1: what is new goes at the end (instant), and the column default already becomes the target's, so that the
  // schema (which lists every value from here on) and the database agree.
  const defaultChanges = columns.some((c) => JSON.stringify(c.before.default) !== JSON.stringify(c.after.default));
  if (added.length > 0 || defaultChanges) {
    const sql = [
      `-- Appending at the end of an ENUM list is an in-place metadata change (ALGORITHM=INSTANT: no copy, no lock on rows); MySQL refuses the statement rather than copy the table.`,
      ...modify(columns, expanded, 'ALGORITHM=INSTANT', state),
    ];
    const down = [
      added.length > 0
        ? `-- Takes ${list(added)} off the list again: a table copy, which fails in strict mode while a row holds ${added.length === 1 ? 'it' : 'one of them'}.`
        : '-- Puts the previous default back.',
      ...modify(columns, from, '', state, 'before'),
    ];
    builder.phase({
      key: 'expand',
      title: added.length > 0 ? `Append ${added.join(', ')} to ${enumName}` : `Set the new default of ${enumName} columns`,
      does: `${added.length > 0 ? `Appends ${list(added)} at the end of the ENUM of ${uses}` : `Gives ${uses} the default the schema asks for`} (ALGORITHM=INSTANT: no copy). The schema lists ${removal ? 'the old and the new values' : 'the new values at the end'} for now.`,
      requires: [],
      beforeNext: renaming
        ? `Deploy code that writes ${removed.map((v) => `${renamed.get(v)} wherever it wrote ${v}`).join(', ')}, and reads both.`
        : removal
          ? `Deploy code that no longer writes ${removed.join(', ')}.`
          : `Nothing has to be deployed: the code may write ${list(added)} from now on. The next phase only puts the values in the order the schema asks for, which is a table copy: deploy it at a quiet moment (until then ${added.length === 1 ? 'the value sorts' : 'the values sort'} last in ORDER BY on the column).`,
      rollback: `${ROLLBACK_DOWN} The down script takes the appended values off again (a table copy).`,
      migrations: [migration(
        added.length > 0 ? migrationSlug('expand', 'append', ...added, 'to', enumName) : migrationSlug('expand', 'default', 'of', enumName),
        added.length > 0 ? `Append ${added.join(', ')} to the ENUM of ${uses}` : `Set the default of ${uses}`,
        sql,
        down,
      )],
      schema: [listOp(input, enumName, expanded)],
    });
  }

  const keep: SchemaOp[] = builder.phases.length === 0 ? [listOp(input, enumName, from)] : [];
  if (removal) {
    const steps: BackfillStep[] = [];
    for (const column of columns) {
      const c = quote(column.change.column, 'mysql');
      for (const value of removed) {
        const step = backfillStep(column.table, 'mysql', state, [{ column: column.change.column, expression: literal(replacements.get(value) as string) }], `${c} = ${literal(value)}`, `${column.table.name}.${column.change.column}: ${value} → ${replacements.get(value)}`);
        if (typeof step === 'string') return `Cannot move the rows of ${column.table.name} in batches: ${step}.`;
        steps.push({ ...step, selectsByValue: true });
      }
    }
    const what = snakeWhat(...removed, 'in', enumName);
    const moves = removed.map((v) => `${v} to ${replacements.get(v)}`).join(', ');
    const { migration: m, backfill } = backfillArtifacts(builder, builder.phases.length + 1, 'backfill', what, `Move rows from ${moves}`, steps, review);
    builder.phase({
      key: 'backfill',
      title: `Move rows from ${moves}`,
      does: `Updates every row that holds ${list(removed)} in batches of ${settings(options).batchSize} along the primary key, one short transaction per batch, with the script \`${backfill.scriptName}\` (it has --dry-run and resumes where it stopped). A MySQL migration file cannot loop, so the migration is one idempotent UPDATE that only finishes the rows the script left.`,
      requires: [
        renaming ? 'The code from phase 1 is deployed: it writes the new value.' : `Deployed code no longer writes ${removed.join(', ')}: deploy that first, or new rows appear behind the backfill.`,
        `The script \`${backfill.scriptName}\` has run to the end (the preflight query then counts 0).`,
      ],
      beforeNext: 'Nothing to deploy. The backfill must have finished: the next phase checks and stops, changing nothing, while a row holds a removed value.',
      rollback: 'Nothing to undo in the schema; the rows keep their new value.',
      migrations: [m],
      schema: keep,
      backfill,
      preflight: { description: `Rows still holding ${list(removed)} (0 when done):`, sql: steps.map((s) => `SELECT COUNT(*) FROM ${quote(s.table, 'mysql')} WHERE ${s.pending};`).join('\n') },
    });
  }

  const guardName = suffixed(`${enumName}_values_removed`, '_still_used', 'mysql');
  const guard = removal
    ? [mysqlGuard(columns.map((c) => `SELECT 1 FROM ${tableName(c.table, 'mysql')} WHERE ${quote(c.change.column, 'mysql')} IN (${removed.map(literal).join(', ')})`).join(' UNION ALL '), guardName)]
    : [];
  const sql: string[] = [
    ...guard,
    `-- Removing, inserting before the end or reordering ENUM values copies ${tables}: MySQL accepts it only with ALGORITHM=COPY, and at best with`,
    '-- LOCK=SHARED (reads go on, writes wait until the copy ends; LOCK=NONE is refused). Spelled out so that MySQL refuses',
    '-- rather than take an exclusive lock. Deploy it at a quiet moment, or run this statement with gh-ost or pt-online-schema-change.',
    ...modify(columns, to, 'ALGORITHM=COPY, LOCK=SHARED', state),
  ];
  const expandedFirst = builder.phases[0]?.key === 'expand';
  const contract: PlannedMigration = migration(
    migrationSlug('contract', removal ? 'remove' : 'reorder', ...(removal ? removed : []), removal ? 'from' : '', enumName),
    removal ? `Take ${removed.join(', ')} off the ENUM of ${uses}` : `Put the values of ${uses} in the schema's order`,
    sql,
    [`-- ${removal ? `Puts ${list(removed)} back on the list (rows keep their new values)` : 'Puts the values back in their previous order'}: also a table copy.`, ...modify(columns, expandedFirst ? expanded : from, '', state, expandedFirst ? 'after' : 'before')],
  );
  builder.phase({
    key: 'contract',
    title: removal ? `Drop ${removed.join(', ')} from ${enumName}` : `Put ${enumName} in the schema's order`,
    does: `${removal ? 'Stops, changing nothing, while a row still holds a removed value; then changes' : 'Changes'} the ENUM list of ${uses} to ${list(to)}. MySQL does that only by copying the table (ALGORITHM=COPY, LOCK=SHARED): reads go on, writes to ${tables} wait until the copy ends.`,
    requires: removal ? ['The backfill has finished.', `No deployed code writes ${removed.join(', ')}.`] : [],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down script changes the list back (another table copy).`,
    migrations: [contract],
    schema: [listOp(input, enumName, to)],
  });
  builder.notes.push(`The last phase copies ${tables} (ALGORITHM=COPY, LOCK=SHARED): writes wait for as long as the copy takes, which grows with the table. On a large table run that statement with an online schema-change tool instead of prisma migrate deploy, and mark the migration applied (\`prisma migrate resolve --applied <name>\`).`);
  if (columns.length > 1) builder.notes.push(`\`${enumName}\` is used by ${uses}: the plan changes all of them, since they share one enum block in the schema.`);
  return builder.build(summarizeChange(change));
}
