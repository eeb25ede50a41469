/**
 * Plans for key changes on tables that have rows: a primary key moved to
 * other columns. The new key is proven (no duplicates, no NULLs) and built
 * before the old one goes, and the foreign keys that lean on the old key are
 * moved in the same short transaction.
 */
import type { DbForeignKey, DbIndex, DbTable } from '../../core/dbState';
import { type AddIndex, type Change, type ChangePrimaryKey, type SetNotNull, summarizeChange } from '../../diff/changes';
import { freeName, migrationSlug, suffixed } from '../naming';
import { columnList, createIndexStatement, dropIndexStatement, foreignKeyClause, guardBlock, indexColumnNames, indexColumns, quote, redefineTableSqlite, sameColumns, sqliteGuard, tableName } from '../sql';
import type { PlannedMigration } from '../types';
import { PlanBuilder, type Planned, type PlannerInput, lt, migration, notNullCheckName, requireColumnPostgres, snakeWhat } from './common';
import { mysqlColumn } from './providerSql';

const ROLLBACK_DOWN = 'Apply the down.sql of each of its migrations, newest first, then mark them rolled back (`prisma migrate resolve --rolled-back <name>`) and delete their folders.';

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

/** A foreign key of another table (or this one) that points at `columns` of the table `tableKey`. */
interface Referencing {
  table: DbTable;
  fk: DbForeignKey;
}

/** The pending changes a primary-key plan carries out too: the unique index that keeps the old key unique, NOT NULL on the new key columns. */
export function keyCompanions(unmigrated: Change[], change: ChangePrimaryKey): { keep?: AddIndex; required: SetNotNull[] } {
  const old = change.from?.columns ?? [];
  const keep = unmigrated.find((c): c is AddIndex => c.kind === 'addIndex' && c.tableKey === change.tableKey && c.unique && !c.index.where && !c.index.method && old.length > 0 && sameSet(indexColumnNames(c.index), old) && c.index.columns.every((col) => !col.includes(' ')));
  const required = unmigrated.filter((c): c is SetNotNull => c.kind === 'setNotNull' && c.tableKey === change.tableKey && (change.to?.columns ?? []).includes(c.column));
  return { ...(keep ? { keep } : {}), required };
}

export function planChangePrimaryKey(input: PlannerInput, change: ChangePrimaryKey): Planned {
  const { ctx } = input;
  const provider = ctx.provider;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is a new table: its primary key is built while it is empty, which needs no phases.`;
  if (!change.to) return `The model behind \`${change.table}\` no longer has a primary key: give it an \`@id\` or \`@@id\` (Prisma needs one to find rows), then plan the change of key.`;
  const newKey = change.to.columns;
  const oldKey = change.from?.columns ?? [];
  const missing = newKey.filter((c) => !table.columns.some((col) => col.name === c));
  if (missing.length > 0) return `The new primary key uses the new column(s) ${missing.map((m) => `"${m}"`).join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} and fill existing rows first (add-required-column plans that), then move the key in a later migration.`;
  const retyped = ctx.unmigrated.filter((c) => c.kind === 'alterColumnType' && c.tableKey === change.tableKey && (newKey.includes(c.column) || oldKey.includes(c.column)));
  if (retyped.length > 0) return `The key columns also change type: move the key first (keep the types as deployed), then change the type of the column in a later migration, which moves the key to the converted column.`;
  const { keep, required } = keyCompanions(ctx.unmigrated, change);
  const model = change.model ?? change.table;
  const referencing: Referencing[] = Object.values(ctx.before.tables).flatMap((t) => t.foreignKeys.filter((fk) => fk.referencedTable === change.tableKey && sameSet(fk.referencedColumns, oldKey)).map((fk) => ({ table: t, fk })));
  const oldStaysUnique = !!keep || sameSet(oldKey, newKey);
  if (referencing.length > 0 && !oldStaysUnique) {
    return `Foreign keys ${referencing.map((r) => `${r.fk.name} (from ${r.table.name})`).join(', ')} point at the old key (${oldKey.join(', ')}), which the new schema leaves without a unique index: keep it unique (\`@@unique([${oldKey.join(', ')}])\` or \`@unique\`) so they can point at that, or move those relations to the new key first, then plan the key change again.`;
  }
  const autoOld = oldKey.map((c) => table.columns.find((col) => col.name === c)).find((col) => col?.default?.kind === 'autoincrement');
  if (provider === 'mysql' && autoOld && !keep && newKey[0] !== autoOld.name) {
    return `\`${autoOld.name}\` is AUTO_INCREMENT, and InnoDB refuses an AUTO_INCREMENT column that no index starts with: keep it unique (\`@unique\`) in the schema, or drop the auto-increment first, then plan the key change again.`;
  }
  const nullable = newKey.filter((c) => table.columns.find((col) => col.name === c)?.nullable);
  const what = snakeWhat('primary_key', 'of', model);
  const builder = new PlanBuilder(
    input,
    'change-primary-key',
    'change-primary-key',
    change,
    migrationSlug('move', 'primary_key', 'of', model, 'to', ...newKey),
    `Move the primary key of ${model} from (${oldKey.join(', ')}) to (${newKey.join(', ')})`,
    provider === 'mysql'
      ? 'InnoDB stores rows in primary-key order, so a new primary key rebuilds the whole table and every index on it; it fails on duplicate or NULL values in the new key columns.'
      : provider === 'sqlite'
        ? 'SQLite cannot change a primary key in place: the table is copied into one with the new key, which fails on duplicate or NULL values in the new key columns.'
        : 'Prisma drops the old primary key and builds the new one in one ALTER TABLE: the unique index is built under an ACCESS EXCLUSIVE lock that blocks reads and writes, it fails on duplicates or NULLs, and foreign keys that reference the old key must be dropped and re-checked.',
  );
  const keyList = newKey.join(', ');
  const cols = newKey.map((c) => quote(c, provider));
  const t = tableName(table, provider);
  const duplicates = `SELECT ${cols.join(', ')} FROM ${t} GROUP BY ${cols.join(', ')} HAVING count(*) > 1`;
  const nulls = `SELECT 1 FROM ${t} WHERE ${cols.map((c) => `${c} IS NULL`).join(' OR ')}`;
  const preflight = { description: 'Rows that stop the new key: duplicates, then NULLs (both must return no rows):', sql: `${duplicates};\n${nulls};` };
  const requires = [`Resolve duplicate and NULL values of (${keyList}) (the preflight queries list them).`, `Deploy code that never writes a duplicate of (${keyList}) or a NULL in it: one written during the change makes it fail.`];
  const settles = [keep, ...required].filter((c): c is AddIndex | SetNotNull => !!c).map((c) => (c.kind === 'addIndex' ? `the unique index ${c.index.name} on (${indexColumnNames(c.index).join(', ')})` : `NOT NULL on "${c.column}"`));
  if (settles.length > 0) builder.notes.push(`The plan also makes ${settles.join(' and ')}, which the schema asks for with the new key.`);
  if (referencing.length > 0) builder.notes.push(`Foreign keys moved from the old key: ${referencing.map((r) => `${r.fk.name} (${r.table.name})`).join(', ')}.`);

  if (provider === 'postgresql') return planPostgres(builder, table, change, { newKey, oldKey, nullable, keep: keep?.index, referencing, what, duplicates, nulls, preflight, requires });
  const after: DbTable = structuredClone(table);
  after.primaryKey = { ...change.to };
  after.columns = after.columns.map((col) => (nullable.includes(col.name) ? { ...col, nullable: false } : col));
  if (keep) after.indexes = [...after.indexes, keep.index];
  if (provider === 'sqlite') {
    builder.phase({
      key: 'rekey',
      title: `Copy ${table.name} into a table keyed by (${keyList})`,
      does: `Checks for duplicate and NULL values of (${keyList}) (a guard stops the migration, changing nothing, if it finds one), then copies the table into one with the new primary key${keep ? ` and the unique index ${keep.index.name}` : ''} (Prisma's table redefinition: every column and row is copied, the indexes are built again on the copy, and foreign keys are checked by PRAGMA foreign_key_check afterwards). SQLite locks the whole database while it copies.`,
      requires: [...requires, 'A quiet period: SQLite blocks every write to the database while the table is copied.'],
      beforeNext: '',
      rollback: `${ROLLBACK_DOWN} The down script copies the table back into one with the old key.`,
      migrations: [migration(
        migrationSlug('move', what),
        `Copy ${table.name} into a table with the new primary key`,
        [
          sqliteGuard(duplicates, `duplicates_in_the_new_primary_key_of_${table.name}`),
          sqliteGuard(nulls, `NULLs_in_the_new_primary_key_of_${table.name}`),
          redefineTableSqlite(after, ctx.before, sameColumns(table, after)),
          '-- Lists rows whose foreign keys point nowhere after the copy (none, when the copy kept every row).\nPRAGMA foreign_key_check;',
        ],
        [redefineTableSqlite(table, ctx.before, sameColumns(after, table)), 'PRAGMA foreign_key_check;'],
      )],
      schema: [],
      preflight,
    });
    return builder.build(summarizeChange(change));
  }

  // MySQL: one ALTER, so the table is never without a key and InnoDB rebuilds it once.
  const state = ctx.before;
  const parts = [
    ...nullable.map((c) => `MODIFY ${mysqlColumn({ ...(table.columns.find((col) => col.name === c) as DbTable['columns'][number]), nullable: false }, state)}`),
    'DROP PRIMARY KEY',
    `ADD PRIMARY KEY (${columnList(newKey, 'mysql')})`,
    ...(keep ? [`ADD UNIQUE INDEX ${quote(keep.index.name, 'mysql')}(${columnList(indexColumnNames(keep.index), 'mysql')})`] : []),
  ];
  const downParts = [
    ...(keep ? [`DROP INDEX ${quote(keep.index.name, 'mysql')}`] : []),
    'DROP PRIMARY KEY',
    `ADD PRIMARY KEY (${columnList(oldKey, 'mysql')})`,
    ...nullable.map((c) => `MODIFY ${mysqlColumn(table.columns.find((col) => col.name === c) as DbTable['columns'][number], state)}`),
  ];
  builder.notes.push('MySQL has no way to change a primary key without rebuilding the table: InnoDB keeps the rows in key order. In place with LOCK=NONE, reads and writes go on, but the rebuild takes as long as a full copy and needs free space for one; on a large table run it with an online schema-change tool (gh-ost, pt-online-schema-change) instead.');
  builder.phase({
    key: 'rekey',
    title: `Rebuild ${table.name} with the primary key (${keyList})`,
    does: `Drops the old primary key and adds the new one${keep ? `, with the unique index ${keep.index.name} on the old key columns,` : ''}${nullable.length ? ` and makes ${nullable.map((c) => `"${c}"`).join(', ')} NOT NULL` : ''} in one ALTER TABLE with ALGORITHM=INPLACE, LOCK=NONE: InnoDB rebuilds the table and every index on it while reads and writes go on. It fails, changing nothing, on a duplicate or NULL value in the new key.`,
    requires: [...requires, `Time and disk for a rebuild of ${table.name} (as long as a copy of the table).`],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down script rebuilds the table with the old key.`,
    migrations: [migration(
      migrationSlug('move', what),
      `Rebuild ${table.name} with the new primary key, online`,
      [
        `-- InnoDB stores rows in primary-key order: the new key rebuilds ${table.name} and every index on it, in place (reads and`,
        '-- writes go on, LOCK=NONE) but as long as a copy. A duplicate or NULL in the new key fails it, changing nothing.',
        `-- AlterTable\nALTER TABLE ${t} ${parts.join(', ')}, ALGORITHM=INPLACE, LOCK=NONE;`,
      ],
      [`ALTER TABLE ${t} ${downParts.join(', ')};`],
    )],
    schema: [],
    preflight,
  });
  return builder.build(summarizeChange(change));
}

/** A unique or plain index built CONCURRENTLY, alone in a migration that runs outside a transaction block. */
function concurrentBuild(table: DbTable, index: DbIndex, slug: string, summary: string, lead?: string): PlannedMigration {
  return {
    slug,
    summary,
    sql: [
      ...(lead ? [lead] : []),
      '-- CONCURRENTLY builds the index while reads and writes go on. It cannot run in a transaction block, so this',
      '-- statement is alone in its migration. No lock_timeout here: a timeout while the build waits for older',
      '-- transactions would cancel it halfway and leave an INVALID index behind.',
      createIndexStatement(table, index, 'postgresql', { concurrently: true }),
      '',
    ].join('\n'),
    down: `-- Also removes an INVALID index left by a failed build.\n${dropIndexStatement(table, index, 'postgresql', { concurrently: true })}\n`,
    transactional: false,
  };
}

interface PostgresKeyPlan {
  newKey: string[];
  oldKey: string[];
  nullable: string[];
  keep?: DbIndex;
  referencing: Referencing[];
  what: string;
  duplicates: string;
  nulls: string;
  preflight: { description: string; sql: string };
  requires: string[];
}

/**
 * PostgreSQL: guard → NOT NULL proven by a validated check → unique index
 * built CONCURRENTLY (and the one that keeps the old key unique) → one short
 * swap (`PRIMARY KEY USING INDEX`, foreign keys re-added NOT VALID) → each
 * foreign key validated alone.
 */
function planPostgres(builder: PlanBuilder, table: DbTable, change: ChangePrimaryKey, p: PostgresKeyPlan): Planned {
  const ctx = builder.input.ctx;
  const state = ctx.before;
  const t = tableName(table, 'postgresql');
  const oldName = change.from?.name ?? `${table.name}_pkey`;
  const newName = change.to?.name ?? `${table.name}_pkey`;
  const taken = (n: string): boolean => Object.values(state.tables).some((tb) => tb.indexes.some((i) => i.name === n) || tb.primaryKey?.name === n) || n === oldName || n === newName;
  const building = freeName(suffixed(newName, '_new', 'postgresql'), taken);
  const keyList = p.newKey.join(', ');
  const migrations: PlannedMigration[] = [];
  const hint = `Find them with: ${p.duplicates}; ${p.nulls}; resolve them, mark this migration rolled back (prisma migrate resolve --rolled-back <its folder name>) and deploy again.`;
  migrations.push(migration(
    migrationSlug('guard', p.what),
    `Stop if ${table.name} holds duplicates or NULLs in (${keyList})`,
    [
      '-- Its own migration: the index build that follows must be alone in its file, and a failed concurrent build',
      '-- leaves an invalid index behind; these checks fail first, cleanly.',
      guardBlock(p.duplicates, `The primary key (${keyList}) of ${table.name} cannot be built: values occur more than once`, hint),
      guardBlock(p.nulls, `The primary key (${keyList}) of ${table.name} cannot be built: rows hold NULL in it`, hint),
    ],
    ['-- Nothing to undo: the guards only read.'],
  ));
  const checks: { column: string; check: string }[] = [];
  for (const column of p.nullable) {
    const [addCheck, validate] = requireColumnPostgres(builder, table, column, snakeWhat(column, 'in', table.name), { guardHint: 'Fill the NULLs (a key column needs a value in every row), mark this migration rolled back and deploy again.' });
    migrations.push(addCheck, validate);
    checks.push({ column, check: quote(notNullCheckName(table, column, 'postgresql'), 'postgresql') });
  }
  const concurrent = (slug: string, summary: string, index: DbIndex): PlannedMigration => concurrentBuild(table, index, slug, summary);
  const keyIndex: DbIndex = { name: building, columns: p.newKey, unique: true };
  migrations.push(concurrent(migrationSlug('build', 'key_index', p.what), `Build the unique index of the new key (${keyList}) without blocking writes`, keyIndex));
  if (p.keep) migrations.push(concurrent(migrationSlug('build', 'unique_index', ...indexColumnNames(p.keep), 'on', table.name), `Build ${p.keep.name}, which keeps (${p.oldKey.join(', ')}) unique, without blocking writes`, p.keep));

  const drops = p.referencing.map((r) => `ALTER TABLE ${tableName(r.table, 'postgresql')} DROP CONSTRAINT ${quote(r.fk.name, 'postgresql')};`);
  const adds = p.referencing.map((r) => `-- AddForeignKey\nALTER TABLE ${tableName(r.table, 'postgresql')} ADD ${foreignKeyClause(r.fk, 'postgresql', state)} NOT VALID;`);
  const addsValid = p.referencing.map((r) => `ALTER TABLE ${tableName(r.table, 'postgresql')} ADD ${foreignKeyClause(r.fk, 'postgresql', state)};`);
  const version = builder.input.options.postgresVersion ?? 16;
  const swap = [
    '-- Swap: one short transaction under ACCESS EXCLUSIVE; nothing is built or scanned here.',
    ...(checks.length ? [version >= 12 ? '-- PostgreSQL 12+ proves SET NOT NULL from the validated check, without a scan.' : `-- PostgreSQL ${version} scans the table for SET NOT NULL even with the check in place (12+ does not).`] : []),
    lt(builder),
    ...(drops.length ? ['-- The foreign keys lean on the old key\'s index: they go first and come back NOT VALID below (no scan; every row already', '-- passed them, and new writes are checked from the moment they are back).', ...drops] : []),
    ...checks.flatMap((c) => [`ALTER TABLE ${t} ALTER COLUMN ${quote(c.column, 'postgresql')} SET NOT NULL;`, `ALTER TABLE ${t} DROP CONSTRAINT ${c.check};`]),
    `-- AlterTable\nALTER TABLE ${t} DROP CONSTRAINT ${quote(oldName, 'postgresql')},\nADD CONSTRAINT ${quote(newName, 'postgresql')} PRIMARY KEY USING INDEX ${quote(building, 'postgresql')};`,
    ...adds,
  ];
  const unswap = [
    '-- Rebuilds the old key under ACCESS EXCLUSIVE (a rollback, not a routine step), and the new key\'s index as it was.',
    lt(builder),
    ...drops,
    `ALTER TABLE ${t} DROP CONSTRAINT ${quote(newName, 'postgresql')};`,
    `ALTER TABLE ${t} ADD CONSTRAINT ${quote(oldName, 'postgresql')} PRIMARY KEY (${columnList(p.oldKey, 'postgresql')});`,
    createIndexStatement(table, keyIndex, 'postgresql').replace(/^-- CreateIndex\n/, ''),
    ...checks.flatMap((c) => [`ALTER TABLE ${t} ALTER COLUMN ${quote(c.column, 'postgresql')} DROP NOT NULL;`, `ALTER TABLE ${t} ADD CONSTRAINT ${c.check} CHECK (${quote(c.column, 'postgresql')} IS NOT NULL);`]),
    ...addsValid,
  ];
  migrations.push(migration(migrationSlug('swap', p.what), `Make (${keyList}) the primary key of ${table.name} with the index just built`, swap, unswap));
  for (const r of p.referencing) {
    const rt = tableName(r.table, 'postgresql');
    const name = quote(r.fk.name, 'postgresql');
    migrations.push(migration(
      migrationSlug('validate', 'foreign_key', ...r.fk.columns, 'on', r.table.name),
      `Validate ${r.fk.name} (scans without blocking writes)`,
      [
        '-- Alone in its migration: VALIDATE scans under SHARE UPDATE EXCLUSIVE (reads and writes go on), not under the',
        '-- stronger lock the ADD CONSTRAINT took.',
        lt(builder),
        `-- ValidateConstraint\nALTER TABLE ${rt} VALIDATE CONSTRAINT ${name};`,
      ],
      ['-- A validated constraint cannot be made NOT VALID again; dropping and re-adding it restores the catalog state.', lt(builder), `ALTER TABLE ${rt} DROP CONSTRAINT ${name};\nALTER TABLE ${rt} ADD ${foreignKeyClause(r.fk, 'postgresql', state)} NOT VALID;`],
    ));
  }
  builder.phase({
    key: 'rekey',
    title: `Move the primary key of ${table.name} to (${keyList})`,
    does: [
      `Checks for duplicates and NULLs in (${keyList}) in a migration of its own,`,
      p.nullable.length ? `proves ${p.nullable.map((c) => `"${c}"`).join(', ')} NOT NULL with a CHECK ... NOT VALID validated in a migration of its own,` : '',
      `builds the unique index of the new key with CREATE UNIQUE INDEX CONCURRENTLY${p.keep ? ` (and ${p.keep.name} on the old key columns the same way)` : ''}, each alone in its migration,`,
      `then swaps the key in one short transaction (\`ADD CONSTRAINT ... PRIMARY KEY USING INDEX\`: no build, no scan)${p.referencing.length ? `, re-adding the foreign keys that pointed at the old key NOT VALID, and validates each in a migration of its own (a scan that does not block writes)` : ''}.`,
      'The schema already describes the new key.',
    ].filter(Boolean).join(' '),
    requires: p.requires,
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The swap's down script rebuilds the old key under a lock (a rollback, not a routine step); if a concurrent build failed, its down.sql drops the invalid index it left.`,
    migrations,
    schema: [],
    preflight: p.preflight,
  });
  return builder.build(summarizeChange(change));
}

// ---------------------------------------------------------------------------
// An index or unique constraint whose columns change

/** The deployed index a new one takes the place of: the one of the same name Prisma would drop, or a pending drop of the same kind sharing a column. */
export interface ReplacedIndex {
  index: DbIndex;
  /** The drop is its own pending change (another name), which the plan settles. */
  separateDrop: boolean;
}

/**
 * The index `change` replaces, or why the replacement cannot be planned. Prisma
 * drops the old index before it builds the new one: for a unique constraint
 * that leaves the table without it while the new one builds, so the plans
 * build the new one first and drop the old one after.
 */
export function replacedIndex(unmigrated: Change[], change: AddIndex, state: { tables: Record<string, DbTable> }): ReplacedIndex | string | undefined {
  const newColumns = indexColumnNames(change.index);
  let found: ReplacedIndex | undefined;
  if (change.replaces) found = { index: change.replaces, separateDrop: false };
  else {
    const shared = (index: DbIndex): number => indexColumnNames(index).filter((c) => newColumns.includes(c)).length;
    const drops = unmigrated
      .filter((c): c is Extract<Change, { kind: 'dropIndex' }> => c.kind === 'dropIndex' && c.tableKey === change.tableKey && c.unique === change.unique && !c.implicitManyToMany && shared(c.index) > 0)
      .sort((a, b) => shared(b.index) - shared(a.index));
    if (drops.length > 0) found = { index: drops[0].index, separateDrop: true };
  }
  if (!found) return undefined;
  const plain = (index: DbIndex): boolean => !index.method && !index.where && index.columns.every((c) => !c.includes('('));
  if (!plain(found.index) || !plain(change.index)) return `The index replaces ${found.index.name}, and one of them has a method, a predicate or an expression: build the new index under another name in a migration of its own first (CONCURRENTLY on PostgreSQL), then drop ${found.index.name} in a later one.`;
  const oldColumns = indexColumnNames(found.index);
  const leaning = Object.values(state.tables).flatMap((t) => t.foreignKeys.filter((fk) => fk.referencedTable === change.tableKey && sameSet(fk.referencedColumns, oldColumns)).map((fk) => `${fk.name} (from ${t.name})`));
  if (found.index.unique && leaning.length > 0 && !sameSet(oldColumns, newColumns)) {
    return `Foreign keys ${leaning.join(', ')} point at (${oldColumns.join(', ')}), which only ${found.index.name} keeps unique: keep that unique index (add the new one beside it), or move those relations first, then plan again.`;
  }
  return found;
}

/** The name the new index is built under while the one it replaces, of the same name, still serves (PostgreSQL). */
export function buildingName(table: DbTable, change: AddIndex, replaced: ReplacedIndex | undefined): string {
  if (!replaced || replaced.index.name !== change.index.name) return change.index.name;
  return freeName(suffixed(change.index.name, '_new', 'postgresql'), (n) => table.indexes.some((i) => i.name === n));
}

/**
 * Turns the build of `change` into the replacement of `replaced`: the old index
 * goes only once the new one is built. PostgreSQL drops it CONCURRENTLY in a
 * migration of its own (and renames the new one if they share a name); MySQL
 * swaps both in one online ALTER, which keeps the old index until the new one
 * is ready; SQLite does both in one migration behind the duplicate guard.
 */
export function replaceIndexMigrations(builder: PlanBuilder, table: DbTable, change: AddIndex, replaced: ReplacedIndex, migrations: PlannedMigration[], guard: string | undefined): string {
  const provider = builder.provider;
  const t = tableName(table, provider);
  const old = replaced.index;
  const sameName = old.name === change.index.name;
  const kind = change.unique ? 'unique ' : '';
  const what = snakeWhat(old.name);
  if (provider === 'postgresql') {
    migrations.push({
      slug: migrationSlug('drop', 'replaced', 'index', what),
      summary: `Drop ${old.name}, replaced by the ${kind}index just built, without blocking writes`,
      sql: [
        `-- The ${kind}index that replaces it is built and valid: ${old.name} goes now, CONCURRENTLY (alone in its migration,`,
        '-- outside a transaction block), so reads and writes go on.',
        dropIndexStatement(table, old, provider, { concurrently: true }),
        '',
      ].join('\n'),
      down: `-- Builds ${old.name} again without blocking writes.\n${createIndexStatement(table, old, provider, { concurrently: true })}\n`,
      transactional: false,
    });
    if (sameName) {
      const building = buildingName(table, change, replaced);
      migrations.push(migration(
        migrationSlug('rename', 'index', what),
        `Give the new index the name ${change.index.name}`,
        [lt(builder), `-- RenameIndex\nALTER INDEX ${quote(building, provider)} RENAME TO ${quote(change.index.name, provider)};`],
        [lt(builder), `ALTER INDEX ${quote(change.index.name, provider)} RENAME TO ${quote(building, provider)};`],
      ));
    }
    return ` Then drops ${old.name}, which it replaces, with DROP INDEX CONCURRENTLY in a migration of its own${sameName ? `, and renames the new index (built as "${buildingName(table, change, replaced)}") to ${change.index.name} in a short transaction` : ''}: the table always has one of the two.`;
  }
  const columns = (index: DbIndex): string => indexColumns(index, provider);
  if (provider === 'mysql') {
    migrations.splice(0, migrations.length, migration(
      migrationSlug('replace', change.unique ? 'unique_index' : 'index', what),
      `Replace ${old.name} with ${change.index.name} online`,
      [
        `-- One ALTER: InnoDB builds ${change.index.name} in place while reads and writes go on, and drops ${old.name} only when`,
        `-- the build commits, so the table is never without one of them. A duplicate fails it, changing nothing.`,
        `-- AlterTable\nALTER TABLE ${t} DROP INDEX ${quote(old.name, provider)}, ADD ${change.unique ? 'UNIQUE ' : ''}INDEX ${quote(change.index.name, provider)}(${columns(change.index)}), ALGORITHM=INPLACE, LOCK=NONE;`,
      ],
      [`ALTER TABLE ${t} DROP INDEX ${quote(change.index.name, provider)}, ADD ${old.unique ? 'UNIQUE ' : ''}INDEX ${quote(old.name, provider)}(${columns(old)});`],
    ));
    return ` It replaces ${old.name} in the same ALTER, which drops the old index only when the new one is built.`;
  }
  const create = createIndexStatement(table, change.index, provider);
  const drop = dropIndexStatement(table, old, provider);
  migrations.splice(0, migrations.length, migration(
    migrationSlug('replace', change.unique ? 'unique_index' : 'index', what),
    `Replace ${old.name} with ${change.index.name}`,
    [
      ...(guard ? [guard] : []),
      '-- SQLite locks the database while it builds the index.',
      ...(sameName ? [drop, create] : [create, drop]),
    ],
    [dropIndexStatement(table, change.index, provider), createIndexStatement(table, old, provider)],
  ));
  return ` It drops ${old.name}, which it replaces, in the same migration.`;
}

// ---------------------------------------------------------------------------
// The type of a key or indexed column changed

/** What has to move with a column whose type changes: its primary key, its indexes, its sequence. */
export interface KeyColumnMove {
  primaryKey?: { name: string; columns: string[] };
  indexes: DbIndex[];
  /** The sequence an autoincrement column draws from (PostgreSQL: `<table>_<column>_seq`, owned by the column). */
  sequence?: string;
}

/**
 * The keys and indexes that must follow `column` to its converted copy, or why
 * that is not planned. Foreign keys are refused: Prisma wants both sides of a
 * relation to have one type, so the other side changes too, and the two
 * columns have to move together.
 */
export function keyColumnMove(state: { tables: Record<string, DbTable> }, tableKey: string, table: DbTable, column: string): KeyColumnMove | string {
  const outgoing = table.foreignKeys.filter((fk) => fk.columns.includes(column)).map((fk) => fk.name);
  const incoming = Object.values(state.tables).flatMap((t) => t.foreignKeys.filter((fk) => fk.referencedTable === tableKey && fk.referencedColumns.includes(column)).map((fk) => `${fk.name} (from ${t.name})`));
  if (outgoing.length + incoming.length > 0) {
    return `"${column}" is part of foreign key${outgoing.length + incoming.length > 1 ? 's' : ''} ${[...outgoing, ...incoming].join(', ')}, and Prisma wants both sides of a relation to have the same type, so the column on the other side changes too; that is not planned yet. The safe path by hand: add a column of the new type on each side, keep both in step and backfill them in batches, build their indexes CONCURRENTLY, then in one short migration swap the columns, attach the key with ADD PRIMARY KEY USING INDEX and add the foreign key NOT VALID, and VALIDATE it in a later one.`;
  }
  const indexes = table.indexes.filter((i) => i.columns.some((c) => c.split(' ')[0] === column));
  const odd = indexes.filter((i) => i.method || i.where || i.columns.some((c) => c.includes('(') || (c.includes(' ') && !/^\S+ (ASC|DESC)$/i.test(c))));
  if (odd.length > 0) return `"${column}" is in ${odd.map((i) => i.name).join(', ')}, which ${odd.length > 1 ? 'have' : 'has'} a method, a predicate, an expression or an operator class that may not fit the new type; that is not planned yet. Build the matching index on a column of the new type CONCURRENTLY yourself, then swap the columns in a short migration.`;
  const pk = table.primaryKey?.columns.includes(column) ? { name: table.primaryKey.name ?? `${table.name}_pkey`, columns: table.primaryKey.columns } : undefined;
  const auto = table.columns.find((c) => c.name === column)?.default?.kind === 'autoincrement';
  return { ...(pk ? { primaryKey: pk } : {}), indexes, ...(auto ? { sequence: `${table.name}_${column}_seq` } : {}) };
}

/** A copy of `index` on `temp` instead of `column`, under a name free on the table. */
function onTemp(index: { name: string; columns: string[]; unique: boolean }, column: string, temp: string, taken: (name: string) => boolean): DbIndex {
  return {
    name: freeName(suffixed(index.name, '_new', 'postgresql'), taken),
    columns: index.columns.map((c) => (c.split(' ')[0] === column ? [temp, ...c.split(' ').slice(1)].join(' ') : c)),
    unique: index.unique,
  };
}

/**
 * PostgreSQL SQL that moves the keys and indexes of a column to its converted
 * copy `temp` in the type-change plan: the copies are built CONCURRENTLY before
 * the swap; DROP COLUMN takes the old ones with it; after the rename the copies
 * get the old names and the primary key is attached USING INDEX. The sequence
 * of an autoincrement column is detached before the drop (it would go with the
 * column) and given to the renamed column, widened to the new type.
 */
export function postgresKeyMove(table: DbTable, column: string, temp: string, newType: string, oldType: string, move: KeyColumnMove): { builds: PlannedMigration[]; beforeDrop: string[]; afterRename: string[]; undoAfterRename: string[]; undoAtEnd: string[] } {
  const t = tableName(table, 'postgresql');
  const q = (name: string): string => quote(name, 'postgresql');
  const names = new Set(table.indexes.map((i) => i.name));
  const taken = (n: string): boolean => names.has(n) || n === move.primaryKey?.name;
  const copies = move.indexes.map((index) => {
    const copy = onTemp(index, column, temp, taken);
    names.add(copy.name);
    return { index, copy };
  });
  const pkCopy = move.primaryKey ? onTemp({ ...move.primaryKey, unique: true }, column, temp, taken) : undefined;
  const builds = [...copies.map((c) => ({ of: c.index.name, copy: c.copy })), ...(pkCopy && move.primaryKey ? [{ of: move.primaryKey.name, copy: pkCopy }] : [])].map(({ of, copy }) => concurrentBuild(table, copy, migrationSlug('build', 'index', snakeWhat(of), 'on', temp), `Build ${of} again on "${temp}" without blocking writes`, `-- ${of} on the converted column: the swap gives it the old name.`));
  const seq = move.sequence ? q(move.sequence) : undefined;
  const beforeDrop = seq ? [`-- The sequence belongs to "${column}" and would go with it: it is detached here and given to the converted column below.\nALTER SEQUENCE ${seq} OWNED BY NONE;`] : [];
  const afterRename = [
    ...copies.map((c) => `ALTER INDEX ${q(c.copy.name)} RENAME TO ${q(c.index.name)};`),
    ...(pkCopy && move.primaryKey ? [`-- The key's index was built CONCURRENTLY: attaching it builds nothing.\nALTER TABLE ${t} ADD CONSTRAINT ${q(move.primaryKey.name)} PRIMARY KEY USING INDEX ${q(pkCopy.name)};`] : []),
    ...(seq ? [`ALTER SEQUENCE ${seq} AS ${newType};`, `ALTER TABLE ${t} ALTER COLUMN ${q(column)} SET DEFAULT nextval('${seq.replace(/'/g, "''")}'::regclass);`, `ALTER SEQUENCE ${seq} OWNED BY ${t}.${q(column)};`] : []),
  ];
  // After the column is renamed back to `temp`: the copies take their build names again, the key goes back to a plain unique index.
  const undoAfterRename = [
    ...(seq ? [`ALTER SEQUENCE ${seq} OWNED BY NONE;`, `ALTER TABLE ${t} ALTER COLUMN ${q(temp)} DROP DEFAULT;`, `ALTER SEQUENCE ${seq} AS ${oldType};`] : []),
    ...copies.map((c) => `ALTER INDEX ${q(c.index.name)} RENAME TO ${q(c.copy.name)};`),
    ...(pkCopy && move.primaryKey ? [`ALTER TABLE ${t} DROP CONSTRAINT ${q(move.primaryKey.name)};`, createIndexStatement(table, pkCopy, 'postgresql').replace(/^-- CreateIndex\n/, '')] : []),
  ];
  // Once the old column is back with its values: its key, indexes and sequence (built under locks: a rollback, not a routine step).
  const undoAtEnd = [
    ...(move.primaryKey ? [`ALTER TABLE ${t} ADD CONSTRAINT ${q(move.primaryKey.name)} PRIMARY KEY (${columnList(move.primaryKey.columns, 'postgresql')});`] : []),
    ...copies.map((c) => createIndexStatement(table, c.index, 'postgresql').replace(/^-- CreateIndex\n/, '')),
    ...(seq ? [`ALTER TABLE ${t} ALTER COLUMN ${q(column)} SET DEFAULT nextval('${seq.replace(/'/g, "''")}'::regclass);`, `ALTER SEQUENCE ${seq} OWNED BY ${t}.${q(column)};`] : []),
  ];
  return { builds, beforeDrop, afterRename, undoAfterRename, undoAtEnd };
}
