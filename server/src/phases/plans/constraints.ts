/**
 * Plans for constraints and indexes on tables that have rows: a unique
 * constraint (duplicates stop the plan before anything is built), an index
 * built without blocking writes, a foreign key added NOT VALID and validated
 * separately.
 */
import type { DbTable } from '../../core/dbState';
import type { Range } from '../../core/source';
import type { ScannedSchema } from '../../scan/types';
import { type AddForeignKey, type AddIndex, summarizeChange } from '../../diff/changes';
import { foreignKeyServed } from '../../map/mysqlTypes';
import { migrationSlug } from '../naming';
import {
  addColumnStatement,
  createIndexStatement,
  dropColumnStatement,
  dropIndexStatement,
  foreignKeyClause,
  guardBlock,
  indexColumnNames,
  indexColumns,
  quote,
  redefineTableSqlite,
  sameColumns,
  sqliteForeignKeyCheck,
  sqliteGuard,
  tableName,
} from '../sql';
import type { PlannedMigration, SchemaOp } from '../types';
import { PlanBuilder, type Planned, type PlannerInput, lt, migration, snakeWhat } from './common';
import { buildingName, replaceIndexMigrations, replacedIndex } from './keys';
import { withColumns } from './providerSql';

const ROLLBACK_DOWN = 'Apply the down.sql of each of its migrations, newest first, then mark them rolled back (`prisma migrate resolve --rolled-back <name>`) and delete their folders.';

function modelOf(change: { model?: string; table: string }): string {
  return change.model ?? change.table;
}

function duplicatesQuery(table: DbTable, columns: string[], provider: PlanBuilder['provider']): string {
  const cols = columns.map((c) => quote(c, provider));
  return `SELECT ${cols.join(', ')} FROM ${tableName(table, provider)} WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')} GROUP BY ${cols.join(', ')} HAVING count(*) > 1`;
}

export function planAddIndex(input: PlannerInput, change: AddIndex): Planned {
  const { ctx } = input;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is a new table: its indexes are built while it is empty, which needs no phases.`;
  const columns = indexColumnNames(change.index);
  const missing = columns.filter((c) => !table.columns.some((col) => col.name === c));
  if (missing.length > 0) return `The index uses new column(s) ${missing.map((m) => `"${m}"`).join(', ')}: migrate ${missing.length > 1 ? 'them' : 'it'} first (a new column holds only NULLs, so ${change.unique ? 'no duplicates' : 'nothing to index'} yet).`;
  const provider = ctx.provider;
  const model = modelOf(change);
  const unique = change.unique;
  const kind = unique ? 'add-unique-constraint' : 'create-index';
  const builder = new PlanBuilder(
    input,
    kind,
    unique ? 'add-unique-constraint' : 'create-index-blocking',
    change,
    migrationSlug('add', unique ? 'unique' : 'index', ...columns, 'to', model),
    `${unique ? 'Unique constraint' : 'Index'} ${change.index.name} on ${model} (${columns.join(', ')})`,
    unique
      ? 'Building a unique index fails on duplicate values, and CREATE INDEX blocks every write to the table while it builds.'
      : 'CREATE INDEX blocks every write to the table for as long as the build takes.',
  );
  const what = snakeWhat(...columns, 'on', model);
  const migrations: PlannedMigration[] = [];
  // MySQL's FULLTEXT (the only kind @@fulltext maps to) and SPATIAL indexes cannot be built with LOCK=NONE.
  const special = provider === 'mysql' && (change.index.method === 'fulltext' || change.index.method === 'spatial') ? change.index.method.toUpperCase() : undefined;
  const firstFulltext = !table.indexes.some((i) => i.method === 'fulltext');
  const dupes = duplicatesQuery(table, columns, provider);
  const hint = `Find them with: ${dupes}; resolve them, mark this migration rolled back (prisma migrate resolve --rolled-back <its folder name>) and deploy again.`;
  const replaced = replacedIndex(ctx.unmigrated, change, ctx.before);
  if (typeof replaced === 'string') return replaced;
  const building = { ...change.index, name: buildingName(table, change, replaced) };
  const sqliteDuplicates = unique ? sqliteGuard(dupes, `duplicates_in_${table.name}_${columns.join('_')}_must_be_resolved_first`) : undefined;
  if (provider === 'postgresql') {
    if (unique) {
      migrations.push(migration(
        migrationSlug('guard', 'unique', what),
        `Stop if ${table.name} holds duplicates of (${columns.join(', ')})`,
        [
          '-- Its own migration: the index build that follows must be alone in its file, and a failed concurrent build',
          '-- leaves an invalid index behind; this check fails first, cleanly.',
          guardBlock(dupes, `Unique index "${change.index.name}" cannot be built: values of ${table.name}(${columns.join(', ')}) occur more than once`, hint),
        ],
        ['-- Nothing to undo: the guard only reads.'],
      ));
    }
    migrations.push({
      slug: migrationSlug('build', unique ? 'unique_index' : 'index', what),
      summary: `Build ${building.name} without blocking writes`,
      sql: [
        '-- CONCURRENTLY builds the index while reads and writes go on. It cannot run in a transaction block, so this',
        '-- statement is alone in its migration. No lock_timeout here: a timeout while the build waits for older',
        '-- transactions would cancel it halfway and leave an INVALID index behind.',
        createIndexStatement(table, building, provider, { concurrently: true }),
        '',
      ].join('\n'),
      down: `-- Also removes an INVALID index left by a failed build.\n${dropIndexStatement(table, building, provider, { concurrently: true })}\n`,
      transactional: false,
    });
  } else if (provider === 'sqlite') {
    migrations.push(migration(
      migrationSlug('build', unique ? 'unique_index' : 'index', what),
      `Build ${change.index.name}`,
      [
        ...(sqliteDuplicates ? [sqliteDuplicates] : []),
        '-- SQLite locks the database while it builds the index.',
        createIndexStatement(table, change.index, provider),
      ],
      [dropIndexStatement(table, change.index, provider)],
    ));
  } else if (special) {
    // CREATE FULLTEXT|SPATIAL INDEX, as Prisma writes it: MySQL has no USING FULLTEXT. InnoDB refuses LOCK=NONE for both
    // ("Fulltext index creation requires a lock. Try LOCK=SHARED"), and the options take no comma in CREATE INDEX.
    migrations.push(migration(
      migrationSlug('build', 'index', what),
      `Build ${change.index.name} in place`,
      [
        `-- InnoDB builds the ${special} index in place with LOCK=SHARED: reads go on, writes to ${table.name} wait until it is built.`,
        ...(special === 'FULLTEXT' ? [`-- ${firstFulltext ? `${table.name} has no FULLTEXT index yet: InnoDB also rebuilds the table to add its hidden FTS_DOC_ID column (unless an earlier FULLTEXT index left it).` : `${table.name} has a FULLTEXT index already: this one does not rebuild the table.`}`] : []),
        `-- CreateIndex\nCREATE ${special} INDEX ${quote(change.index.name, provider)} ON ${tableName(table, provider)}(${indexColumns(change.index, provider)}) ALGORITHM=INPLACE LOCK=SHARED;`,
      ],
      [
        ...(special === 'FULLTEXT' ? ["-- InnoDB's hidden FTS_DOC_ID column stays: building the index again does not rebuild the table."] : []),
        dropIndexStatement(table, change.index, provider),
      ],
    ));
  } else {
    migrations.push(migration(
      migrationSlug('build', unique ? 'unique_index' : 'index', what),
      `Build ${change.index.name} online`,
      [
        '-- InnoDB builds the index in place while reads and writes continue.',
        createIndexStatement(table, change.index, provider).replace(/;$/, ' ALGORITHM=INPLACE LOCK=NONE;'),
      ],
      [dropIndexStatement(table, change.index, provider)],
    ));
  }
  const replacing = replaced ? replaceIndexMigrations(builder, table, change, replaced, migrations, sqliteDuplicates) : '';
  builder.phase({
    key: 'build',
    title: `Build ${change.index.name}`,
    does: (provider === 'postgresql'
      ? `${unique ? 'Checks for duplicates in a migration of its own, then builds' : 'Builds'} the index with CREATE ${unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY, alone in its migration. The schema already describes it.`
      : special
        ? `Builds the ${special} index in place with LOCK=SHARED: reads go on, but writes to ${table.name} wait until the build ends (InnoDB cannot build it with LOCK=NONE).${special === 'FULLTEXT' && firstFulltext ? ` As the table's first FULLTEXT index it also rebuilds ${table.name} to add InnoDB's hidden FTS_DOC_ID column (unless an earlier, dropped FULLTEXT index left that column behind).` : ''} Deploy it when the table takes few writes.`
        : `${unique ? 'Checks for duplicates, then builds' : 'Builds'} the index.`) + replacing,
    requires: unique
      ? ['Resolve existing duplicates (the preflight query lists them).', 'Deploy code that never writes a duplicate: a duplicate written during the build makes the build fail.']
      : [],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} If a concurrent build failed, its down.sql also drops the invalid index it left; resolve the migration as rolled back and deploy again.`,
    migrations,
    schema: [],
    ...(unique ? { preflight: { description: 'Duplicate values (must return no rows):', sql: `${dupes};` } } : {}),
  });
  return builder.build(summarizeChange(change));
}

export function planAddForeignKey(input: PlannerInput, change: AddForeignKey): Planned {
  const { ctx } = input;
  const provider = ctx.provider;
  const table = ctx.before.tables[change.tableKey];
  if (!table) return `\`${change.table}\` is a new table: its foreign keys are checked while it is empty, which needs no phases.`;
  const fk = change.foreignKey;
  const referenced = ctx.before.tables[fk.referencedTable];
  if (!referenced) return `The foreign key points to \`${fk.referencedTable}\`, which no migration creates yet: migrate that table first.`;
  const target = ctx.target.tables[change.tableKey];
  const newColumns = fk.columns.filter((c) => !table.columns.some((col) => col.name === c)).map((c) => target?.columns.find((col) => col.name === c));
  if (newColumns.some((c) => !c)) return 'The foreign key names columns the schema does not have.';
  const required = newColumns.filter((c) => c && !c.nullable);
  if (required.length > 0) return `The foreign key needs the new required column(s) ${required.map((c) => `"${c?.name}"`).join(', ')}: plan them first (add-required-column), then the relation.`;
  const model = modelOf(change);
  const what = snakeWhat(...fk.columns, 'on', model);
  const builder = new PlanBuilder(
    input,
    'add-foreign-key',
    'add-foreign-key',
    change,
    migrationSlug('add', 'foreign_key', ...fk.columns, 'to', model),
    `Foreign key ${fk.name} from ${model} (${fk.columns.join(', ')}) to ${fk.referencedTable}`,
    'ADD FOREIGN KEY checks every existing row while it holds locks that block writes to both tables, and fails on a row that points nowhere.',
  );
  const t = tableName(table, provider);
  const r = tableName(referenced, provider);
  const existing = newColumns.length === 0;
  const match = fk.columns.map((c, i) => `p.${quote(fk.referencedColumns[i], provider)} = c.${quote(c, provider)}`).join(' AND ');
  const orphans = `SELECT 1 FROM ${t} AS c WHERE ${fk.columns.map((col) => `c.${quote(col, provider)} IS NOT NULL`).join(' AND ')} AND NOT EXISTS (SELECT 1 FROM ${r} AS p WHERE ${match})`;
  const hint = `Find them with: ${orphans}; point them at existing rows or set them to NULL, mark this migration rolled back and deploy again.`;
  const addColumns = newColumns.map((c) => (c ? addColumnStatement(table, c, provider, ctx.before) : ''));
  const dropColumns = newColumns.map((c) => (c ? dropColumnStatement(table, c.name, provider) : ''));
  const migrations: PlannedMigration[] = [];
  const schemaOps: SchemaOp[] = [];
  if (provider === 'postgresql') {
    const name = quote(fk.name, provider);
    migrations.push(migration(
      migrationSlug('add', 'foreign_key', what),
      `Add ${fk.name} NOT VALID (no scan; new writes are checked)`,
      [
        ...(existing ? [guardBlock(orphans, `Foreign key "${fk.name}" cannot be validated: rows of ${table.name} point to missing ${referenced.name} rows`, hint)] : []),
        lt(builder),
        ...addColumns,
        `-- AddForeignKey\nALTER TABLE ${t} ADD ${foreignKeyClause(fk, provider, ctx.before)} NOT VALID;`,
      ],
      [lt(builder), `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${name};`, ...dropColumns.reverse()],
    ));
    migrations.push(migration(
      migrationSlug('validate', 'foreign_key', what),
      `Validate ${fk.name} (scans without blocking writes)`,
      [
        '-- Alone in its migration: VALIDATE scans under SHARE UPDATE EXCLUSIVE (reads and writes go on), not under the',
        '-- stronger lock the ADD CONSTRAINT took.',
        lt(builder),
        `-- ValidateConstraint\nALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`,
      ],
      ['-- A validated constraint cannot be made NOT VALID again; dropping and re-adding it restores the catalog state.', lt(builder), `ALTER TABLE ${t} DROP CONSTRAINT ${name};\nALTER TABLE ${t} ADD ${foreignKeyClause(fk, provider, ctx.before)} NOT VALID;`],
    ));
  } else if (provider === 'sqlite') {
    const withNew = withColumns(table, (cols) => [...cols, ...newColumns.filter((c): c is NonNullable<typeof c> => !!c)]);
    const after: DbTable = { ...withNew, foreignKeys: [...withNew.foreignKeys, fk] };
    migrations.push(migration(
      migrationSlug('add', 'foreign_key', what),
      `Copy ${table.name} into a table with ${fk.name} (SQLite cannot add a foreign key in place)`,
      [
        ...(existing ? [sqliteGuard(orphans, `rows_of_${table.name}_point_to_missing_${referenced.name}_rows`)] : []),
        // The guard above checks the rows before anything changes; this check covers rows written between it and the copy.
        redefineTableSqlite(after, ctx.before, sameColumns(table, after), { afterCopy: [sqliteForeignKeyCheck(`new_${after.name}`, `rows_of_${table.name}_point_to_missing_${referenced.name}_rows`)] }),
      ],
      [redefineTableSqlite(table, ctx.before, sameColumns(after, table))],
    ));
  } else {
    // Measured on MariaDB 10.11: the in-place path (the only one without a table copy) stores RESTRICT as NO ACTION.
    // InnoDB enforces the two alike; the key is written as it will be stored, so the migrations say what the database has.
    const restrict = (action: string): boolean => action === 'RESTRICT';
    const stored = { ...fk, onDelete: restrict(fk.onDelete) ? 'NO ACTION' as const : fk.onDelete, onUpdate: restrict(fk.onUpdate) ? 'NO ACTION' as const : fk.onUpdate };
    if (restrict(fk.onDelete) || restrict(fk.onUpdate)) {
      const actions = { ...(restrict(fk.onDelete) ? { onDelete: 'NoAction' } : {}), ...(restrict(fk.onUpdate) ? { onUpdate: 'NoAction' } : {}) };
      const spelled = Object.entries(actions).map(([name, value]) => `${name}: ${value}`).join(', ');
      const field = relationFieldOf(ctx.schema, change);
      // With Restrict left in the schema, Prisma's next migration would drop and re-add the key (a table copy) to get RESTRICT back.
      if (field) schemaOps.push({ op: 'setRelationActions', model: field.model, field: field.field, actions });
      builder.notes.push(
        `Added in place, InnoDB records RESTRICT as NO ACTION (it enforces both the same way), so this plan writes NO ACTION${field ? ` and sets \`${spelled}\` on the relation of \`${field.model}.${field.field}\`` : `; set \`${spelled}\` on the relation in the schema`}: with Restrict in the schema, Prisma's next migration would drop and re-add the key, copying the table.`,
      );
    }
    migrations.push(migration(
      migrationSlug('add', 'foreign_key', what),
      `Add ${fk.name} in place`,
      [
        '-- With foreign_key_checks off InnoDB adds the key in place without checking existing rows: run the preflight',
        '-- query first, it must return no rows.',
        'SET FOREIGN_KEY_CHECKS=0;',
        ...addColumns,
        `-- AddForeignKey\nALTER TABLE ${t} ADD ${foreignKeyClause(stored, provider, ctx.before)}, ALGORITHM=INPLACE, LOCK=NONE;`,
        'SET FOREIGN_KEY_CHECKS=1;',
      ],
      [
        `ALTER TABLE ${t} DROP FOREIGN KEY ${quote(fk.name, provider)};`,
        ...(!foreignKeyServed(table, fk.columns) ? [`-- InnoDB made this index for the key (no index began with its columns); dropping the key leaves it.\nDROP INDEX ${quote(fk.name, provider)} ON ${t};`] : []),
        ...dropColumns.reverse(),
      ],
    ));
  }
  builder.phase({
    key: 'constrain',
    title: `Add ${fk.name}`,
    does: provider === 'postgresql'
      ? 'Adds the foreign key NOT VALID (instant; every new write is checked from then on), then validates the existing rows in a migration of its own, which does not block writes. The schema already describes it.'
      : provider === 'sqlite'
        ? 'Copies the table into one with the foreign key (Prisma\'s table redefinition), after checking that no row points nowhere.'
        : 'Adds the foreign key in place, without checking existing rows (the preflight query does that).',
    requires: ['Rows that point to nothing are fixed (the preflight query lists them).', 'Deployed code never writes a reference to a missing row.'],
    beforeNext: '',
    rollback: `${ROLLBACK_DOWN} The down scripts drop the constraint${newColumns.length > 0 ? ' and the column(s) it added' : ''}.`,
    migrations,
    schema: schemaOps,
    preflight: { description: 'Rows that point to a missing row (must return no rows):', sql: `${orphans};` },
  });
  return builder.build(summarizeChange(change));
}

/** The relation field whose `@relation(...)` the foreign key change comes from (its source range lies inside it). */
function relationFieldOf(schema: ScannedSchema, change: AddForeignKey): { model: string; field: string } | undefined {
  const at = change.source.range.start;
  const inside = (range: Range): boolean =>
    (range.start.line < at.line || (range.start.line === at.line && range.start.character <= at.character)) &&
    (at.line < range.end.line || (at.line === range.end.line && at.character <= range.end.character));
  for (const model of schema.models) {
    if (model.file !== change.source.file) continue;
    for (const field of model.fields) {
      if (field.attributes.some((a) => a.name === 'relation' && !a.block && inside(a.range))) return { model: model.name, field: field.name };
    }
  }
  return undefined;
}
