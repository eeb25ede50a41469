/**
 * Replays Prisma's SQLite migrations on a real SQLite (sql.js, SQLite compiled
 * to WASM) and reads the result back as a DbState.
 *
 * Running the SQL instead of interpreting it makes the table-redefinition
 * pattern Prisma writes for SQLite (new_X, copy, drop, rename, recreate
 * indexes) exact for free, including SQLite's own rewriting of references on
 * rename.
 *
 * Canonical choices (the schema-side mapping for SQLite must make the same):
 * - Column type: the declared type upper-cased, whitespace collapsed, numeric
 *   modifiers in `args` (`DECIMAL(65,30)` → DECIMAL [65,30]); never array/enum.
 * - Defaults: normalised with `normalizeDefaultSql`; literals and
 *   CURRENT_TIMESTAMP/DATE/TIME are `value`, anything else `expression`
 *   (volatile when it calls random()/randomblob()). `DEFAULT NULL` is no
 *   default. On BOOLEAN columns 1/0 are written `true`/`false`.
 * - Autoincrement: like Prisma's own SQLite describer, a single-column primary
 *   key whose declared type is exactly INTEGER is `{kind:'autoincrement'}` and
 *   not nullable, with or without the AUTOINCREMENT keyword: SQLite makes such
 *   a column the rowid, which assigns values by itself. So an `Int @id` maps to
 *   autoincrement on the schema side even without `@default(autoincrement())`.
 * - Primary key: never named. SQLite keeps no constraint name for it and Prisma
 *   does not model one on SQLite (it writes `X_pkey` only as decoration in
 *   composite keys), so `name` is omitted and the schema side omits it too.
 * - Foreign keys: the `CONSTRAINT "name"` written in the CREATE TABLE text when
 *   there is one (Prisma always writes `<table>_<cols>_fkey`, or `map:`), else
 *   that conventional name. Prisma itself ignores FK names on SQLite.
 * - Indexes: named indexes as they are; the automatic index behind an inline
 *   or table UNIQUE constraint is a unique index named after the constraint,
 *   or `<table>_<cols>_key` when it has none (its `sqlite_autoindex_*` name
 *   depends on declaration order, so it cannot be compared). Indexes backing
 *   the primary key are not indexes. Indexes on expressions are left out, as
 *   Prisma's describer does: no Prisma schema can say them. A DESC column is
 *   `"col" DESC`; partial indexes carry `where`.
 * - Tables: every table but SQLite's own (`sqlite_*`) and `_prisma_migrations`.
 *   Lists are ordered: columns by position, indexes and foreign keys by name.
 *
 * Provenance is the range of the statement that created an object, found by
 * comparing sqlite_master before and after each CREATE/DROP/ALTER. Identity
 * goes by name: a table rebuilt through `new_X` in the migration that dropped
 * X keeps X's origin, and so does every column, index and foreign key of the
 * same name (even if the rebuild altered it); RENAME COLUMN keeps the
 * column's origin. Objects state() leaves out (expression indexes) may still
 * have an entry.
 */
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import {
  normalizeDefaultSql,
  tableKey,
  type ColumnType,
  type DbColumn,
  type DbDefault,
  type DbForeignKey,
  type DbIndex,
  type DbState,
  type DbTable,
  type ReferentialAction,
} from '../core/dbState';
import { messageOf, type Note } from '../core/notes';
import { LineIndex, type Range } from '../core/source';
import { lexSqlite, nextToken, parseColumnType, skipTrivia, type SqliteToken } from './sqliteLexer';
import { PRISMA_MIGRATIONS_TABLE, type MigrationInput, type ProvenanceEntry, type Replayer, type UncertainStatement } from './types';

let sqlJs: Promise<SqlJsStatic> | undefined;

/** The WASM module is compiled once per process; every replayer shares it. */
function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlJs) {
    sqlJs = initSqlJs().catch((error: unknown) => {
      // A failed load must not poison later attempts (e.g. a transient fs error).
      sqlJs = undefined;
      throw error;
    });
  }
  return sqlJs;
}

/** prisma migrate makes its bookkeeping table before it applies the first migration: a migration that creates it again fails. */
const PRISMA_MIGRATIONS_TABLE_DDL =
  `CREATE TABLE "${PRISMA_MIGRATIONS_TABLE}" (` + '"id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, ' +
  '"logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)';

export async function createSqliteReplayer(): Promise<Replayer> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run(PRISMA_MIGRATIONS_TABLE_DDL);
  return new SqliteReplayer(SQL, db, new ReplayMemo());
}

// ---------------------------------------------------------------------------
// Replayer

/** Where each object of one table came from; keys are database names. */
interface TableProvenance {
  table: ProvenanceEntry;
  columns: Map<string, ProvenanceEntry>;
  indexes: Map<string, ProvenanceEntry>;
  foreignKeys: Map<string, ProvenanceEntry>;
}

/** The names provenance follows for one table, as `state()` would name them. */
interface TableShape {
  columns: string[];
  indexes: string[];
  foreignKeys: string[];
}

/** One table's rows of sqlite_master, used to see what a statement changed. */
interface MasterEntry {
  sql: string;
  indexes: Map<string, string>;
}

/** What the replayer knows besides the database bytes; copied by fork(). */
class ReplayMemo {
  provenance = new Map<string, TableProvenance>();
  shapes = new Map<string, TableShape>();
  master = new Map<string, MasterEntry>();
  /** Statements that fail on a fresh database, in order; entries are never mutated. */
  uncertain: UncertainStatement[] = [];

  clone(): ReplayMemo {
    const copy = new ReplayMemo();
    copy.uncertain = [...this.uncertain];
    for (const [name, p] of this.provenance) {
      copy.provenance.set(name, {
        table: p.table,
        columns: new Map(p.columns),
        indexes: new Map(p.indexes),
        foreignKeys: new Map(p.foreignKeys),
      });
    }
    // Shapes and master entries are replaced, never mutated, so sharing them is safe.
    copy.shapes = new Map(this.shapes);
    copy.master = new Map(this.master);
    return copy;
  }
}

class SqliteReplayer implements Replayer {
  readonly provider = 'sqlite' as const;
  private cachedState: DbState | undefined;
  private cachedProvenance: Record<string, ProvenanceEntry> | undefined;
  private disposed = false;
  /** Prepared once: track() reads sqlite_master after every DDL statement. */
  private masterQuery: Statement | undefined;

  constructor(
    private readonly SQL: SqlJsStatic,
    private readonly db: Database,
    private readonly memo: ReplayMemo,
  ) {
    configure(this.db);
  }

  apply(migration: MigrationInput): Note[] {
    if (this.disposed) return [{ level: 'error', message: 'The SQLite replayer was used after dispose().' }];
    this.cachedState = undefined;
    this.cachedProvenance = undefined;
    // Each migration starts as on a fresh connection, whatever the previous one left switched off.
    this.db.run('PRAGMA foreign_keys=ON');
    const notes: Note[] = [];
    const text = migration.sql;
    const lines = new LineIndex(text);
    // Tables dropped in this migration: a table redefined through new_X inherits their provenance.
    const dropped = new Map<string, TableProvenance>();
    const fail = (start: number, end: number, message: string, emptied?: string): void => {
      notes.push(this.refused(migration, lines.rangeAt(start, end), text.slice(start, end), message, emptied));
    };

    let base = 0;
    while (base < text.length) {
      const rest = text.slice(base);
      // sql.js splits with SQLite's own parser. A prepared statement's getSQL() is exactly the text it
      // consumed (leading comments and stray semicolons included), so offsets simply add up.
      const iterator = this.db.iterateStatements(rest);
      let restart = false;
      let before = base;
      for (;;) {
        let result: ReturnType<typeof iterator.next>;
        try {
          result = iterator.next();
        } catch (error) {
          // Preparing failed (syntax, unknown table or column): skip to the end of this statement by our own lexer.
          const start = skipTrivia(text, before);
          const end = statementEnd(text, start);
          fail(start, lastTokenEnd(text, start, end), messageOf(error));
          base = end > before ? end : text.length;
          restart = true;
          break;
        }
        if (result.done) break;
        const statement = result.value;
        const after = before + statement.getSQL().length;
        const start = skipTrivia(text, before);
        const end = lastTokenEnd(text, start, after);
        let stepError: string | undefined;
        try {
          while (statement.step()) {
            // Rows (PRAGMA foreign_key_check, SELECTs) are not needed: stepping to the end runs the statement.
          }
        } catch (error) {
          stepError = messageOf(error);
        } finally {
          statement.free();
        }
        if (stepError !== undefined) {
          fail(start, end, stepError, this.applyToEmptiedTable(text, start, end, stepError));
        }
        if (changesSchema(text, start)) {
          try {
            this.track(migration, lines.rangeAt(start, end), dropped);
          } catch (error) {
            // Provenance is a nicety: losing it must not stop the replay the state depends on.
            notes.push({ level: 'info', message: `${migration.name}: could not follow where objects were created (${String(error)}).` });
          }
        }
        before = after;
      }
      if (!restart) break;
    }
    // A migration that opened a transaction and never closed it would otherwise be lost by export() in fork().
    try {
      this.db.run('COMMIT');
    } catch {
      // No transaction was open: the normal case.
    }
    return notes;
  }

  uncertain(): readonly UncertainStatement[] {
    return this.memo.uncertain;
  }

  /**
   * A schema change SQLite refuses only because the table holds rows (ADD
   * COLUMN with a NOT NULL column and no default, a non-constant default or
   * a check the rows break; a UNIQUE index the rows break). The replay's rows
   * come from the migrations' own INSERTs, so a fresh database fails the same
   * way; the databases the migration was deployed to were emptied or mended by
   * hand and have the change, which later migrations build on. So the change is
   * applied to the table emptied of its rows, with foreign keys off for the
   * delete where SQLite allows it (outside a transaction). Returns the table,
   * or undefined when the refusal is of another kind or the retry fails too
   * (then nothing has changed).
   */
  private applyToEmptiedTable(text: string, start: number, end: number, message: string): string | undefined {
    if (!ROW_DEPENDENT_REFUSAL.test(message)) return undefined;
    const table = schemaChangeTarget(lexSqlite(text, start, end));
    if (table === undefined) return undefined;
    const foreignKeysOn = queryRows(this.db, 'PRAGMA foreign_keys')[0]?.[0] === 1;
    if (foreignKeysOn) this.db.run('PRAGMA foreign_keys=OFF');
    try {
      this.db.run('SAVEPOINT migration_guard_emptied');
      try {
        this.db.run(`DELETE FROM ${quoteIdent(table)}`);
        this.db.run(text.slice(start, end));
        if (foreignKeysOn) this.deleteOrphans();
        this.db.run('RELEASE migration_guard_emptied');
        return table;
      } catch {
        this.db.run('ROLLBACK TO migration_guard_emptied');
        this.db.run('RELEASE migration_guard_emptied');
        return undefined;
      }
    } finally {
      if (foreignKeysOn) this.db.run('PRAGMA foreign_keys=ON');
    }
  }

  /**
   * Deletes the rows left pointing at rows that are gone, as ON DELETE
   * CASCADE would (rounds, for chains), so a later statement run with foreign
   * keys on does not fail on them. Rows of WITHOUT ROWID tables have no rowid
   * to delete by and stay.
   */
  private deleteOrphans(): void {
    for (let round = 0; round < 16; round++) {
      const orphans = queryRows(this.db, 'PRAGMA foreign_key_check').filter((row) => row[1] !== null);
      if (orphans.length === 0) return;
      for (const [table, rowid] of orphans) this.db.run(`DELETE FROM ${quoteIdent(String(table))} WHERE rowid = ?`, [rowid]);
    }
  }

  /**
   * A statement SQLite rejected: the migration fails on a fresh database (as
   * on PostgreSQL, every table the migration names becomes uncertain, since
   * the databases it was deployed to were mended by hand), unless the refusal
   * is about what this replay's SQLite lacks (a module or function loaded by
   * extensions), which says nothing about the project's database. `emptied`:
   * the table applyToEmptiedTable() applied the statement to.
   */
  private refused(migration: MigrationInput, range: Range, statement: string, message: string, emptied?: string): Note {
    const line = range.start.line + 1;
    const lacking = emptied === undefined && MISSING_IN_REPLAY.test(message);
    const named = new Set(lexSqlite(migration.sql).filter((t) => t.kind === 'word' || t.kind === 'ident').map((t) => t.value.toLowerCase()));
    const tables = [...this.memo.master.keys()].filter((name) => isUserTable(name) && named.has(name.toLowerCase())).sort(compareNames);
    const reason = lacking
      ? `the replay's SQLite lacks what it needs (${message})`
      : emptied !== undefined
        ? `SQLite rejects it while "${emptied}" has rows (${message})`
        : `SQLite rejects it (${message})`;
    this.memo.uncertain.push({
      migration: migration.name,
      file: migration.file,
      range,
      excerpt: statement.split('\n')[0].trim().replace(/;$/, ''),
      reason,
      tables: tables.map((name) => tableKey(undefined, name)),
      ...(lacking ? {} : { fails: true }),
    });
    // A long migration can name dozens of tables: the note names a few, the report lists them all.
    const shown = tables.slice(0, 4).map((t) => `"${t}"`).join(', ') + (tables.length > 4 ? ` and ${tables.length - 4} more tables` : '');
    const capped = tables.length > 0 ? `findings on ${shown} stay at warning` : 'it names no table the replay knows';
    const text = lacking
      ? `Line ${line}: the replay's SQLite cannot run this statement (${message}); it was skipped and the rest of the migration applied, and ${capped}.`
      : emptied !== undefined
        ? `This migration fails on a fresh database at line ${line}: SQLite rejects the statement while "${emptied}" has rows (${message}), and the migrations' own INSERT statements put rows there. The replay applied it to the emptied table, so later migrations and the schema see its change, and ${capped}.`
        : `This migration fails on a fresh database at line ${line}: SQLite rejects the statement (${message}). The replay skipped it and applied the rest of the migration, and ${capped}.`;
    return { level: 'warning', message: text, where: { file: migration.file, range } };
  }

  state(): DbState {
    if (!this.cachedState) {
      const tables: DbState['tables'] = {};
      if (!this.disposed) {
        for (const table of introspect(this.db)) tables[tableKey(undefined, table.name)] = table;
      }
      this.cachedState = { provider: 'sqlite', tables, enums: {} };
    }
    return this.cachedState;
  }

  provenance(): Record<string, ProvenanceEntry> {
    if (!this.cachedProvenance) {
      const out: Record<string, ProvenanceEntry> = {};
      const names = [...this.memo.provenance.keys()].sort();
      for (const name of names) {
        const p = this.memo.provenance.get(name)!;
        const key = tableKey(undefined, name);
        out[key] = p.table;
        for (const [column, entry] of p.columns) out[`${key}.${column}`] = entry;
        for (const [index, entry] of p.indexes) out[`${key}#${index}`] = entry;
        for (const [fk, entry] of p.foreignKeys) out[`${key}#${fk}`] = entry;
      }
      this.cachedProvenance = out;
    }
    return this.cachedProvenance;
  }

  fork(): Replayer {
    if (this.disposed) throw new Error('The SQLite replayer was used after dispose().');
    const bytes = this.db.export();
    // export() also finalises every prepared statement of this connection.
    this.masterQuery = undefined;
    // export() closes and reopens the connection, which resets its pragmas.
    configure(this.db);
    const copy = new SqliteReplayer(this.SQL, new this.SQL.Database(bytes), this.memo.clone());
    copy.cachedState = this.cachedState;
    return copy;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.masterQuery?.free();
    this.db.close();
  }

  /**
   * Follows what one statement did to the schema: sqlite_master before and
   * after, read as names only (the stored CREATE texts are parsed here, which
   * is far cheaper than the pragma queries state() runs).
   */
  private track(migration: MigrationInput, range: Range, dropped: Map<string, TableProvenance>): void {
    const entry: ProvenanceEntry = { migration: migration.name, file: migration.file, range };
    this.masterQuery ??= this.db.prepare(MASTER_QUERY);
    const master = readMaster(this.masterQuery);
    const old = this.memo.master;
    const gone = [...old.keys()].filter((name) => !master.has(name));
    const added = [...master.keys()].filter((name) => !old.has(name));
    const changed = [...master.keys()].filter((name) => old.has(name) && !sameMaster(old.get(name)!, master.get(name)!));
    this.memo.master = master;
    const shapes = new Map<string, TableShape>();
    for (const name of [...added, ...changed]) shapes.set(name, shapeFromMaster(name, master.get(name)!));
    const { provenance } = this.memo;

    for (const name of gone) {
      const p = provenance.get(name);
      if (p) dropped.set(name, p);
      provenance.delete(name);
      this.memo.shapes.delete(name);
    }

    // One table gone and one come in a single statement can only be ALTER TABLE ... RENAME TO.
    const renamedFrom = gone.length === 1 && added.length === 1 ? gone[0] : undefined;
    for (const name of added) {
      const shape = shapes.get(name) ?? { columns: [], indexes: [], foreignKeys: [] };
      this.memo.shapes.set(name, shape);
      if (renamedFrom === undefined) {
        provenance.set(name, {
          table: entry,
          columns: new Map(shape.columns.map((c) => [c, entry])),
          indexes: new Map(shape.indexes.map((i) => [i, entry])),
          foreignKeys: new Map(shape.foreignKeys.map((f) => [f, entry])),
        });
        continue;
      }
      // new_X renamed to X: what X had before it was dropped in this migration keeps its origin.
      const from = dropped.get(renamedFrom);
      dropped.delete(renamedFrom);
      const original = dropped.get(name);
      const pick = (kind: 'columns' | 'indexes' | 'foreignKeys', key: string): ProvenanceEntry =>
        original?.[kind].get(key) ?? from?.[kind].get(key) ?? entry;
      provenance.set(name, {
        table: original?.table ?? from?.table ?? entry,
        columns: new Map(shape.columns.map((c) => [c, pick('columns', c)])),
        indexes: new Map(shape.indexes.map((i) => [i, pick('indexes', i)])),
        foreignKeys: new Map(shape.foreignKeys.map((f) => [f, pick('foreignKeys', f)])),
      });
    }

    for (const name of changed) {
      const shape = shapes.get(name);
      if (!shape) continue;
      const before = this.memo.shapes.get(name) ?? { columns: [], indexes: [], foreignKeys: [] };
      this.memo.shapes.set(name, shape);
      let p = provenance.get(name);
      if (!p) {
        p = { table: entry, columns: new Map(), indexes: new Map(), foreignKeys: new Map() };
        provenance.set(name, p);
      }
      const original = dropped.get(name);
      const removedColumns = before.columns.filter((c) => !shape.columns.includes(c));
      const addedColumns = shape.columns.filter((c) => !before.columns.includes(c));
      if (removedColumns.length === 1 && addedColumns.length === 1) {
        // One column out and one in, in one statement: RENAME COLUMN, so the column keeps its origin.
        p.columns.set(addedColumns[0], p.columns.get(removedColumns[0]) ?? entry);
      } else {
        for (const c of addedColumns) p.columns.set(c, entry);
      }
      for (const c of removedColumns) p.columns.delete(c);
      // Prisma recreates a redefined table's indexes after the rename: same name, same origin.
      syncNames(p.indexes, before.indexes, shape.indexes, (i) => original?.indexes.get(i) ?? entry);
      syncNames(p.foreignKeys, before.foreignKeys, shape.foreignKeys, (f) => original?.foreignKeys.get(f) ?? entry);
    }
  }
}

/** Refusals about the replay's own SQLite build (sql.js), not about the project's migrations. */
const MISSING_IN_REPLAY = /^no such (module|function|collation sequence):/;

/**
 * Refusals SQLite gives a schema change only when the table has rows: since
 * 3.37 ADD COLUMN checks a NOT NULL column without default, a non-constant
 * default, a REFERENCES column with a default, and CHECK / NOT NULL (generated
 * columns) against the rows; CREATE UNIQUE INDEX checks the rows' values.
 */
const ROW_DEPENDENT_REFUSAL =
  /^(Cannot add a NOT NULL column with default value NULL|Cannot add a column with non-constant default|Cannot add a REFERENCES column with non-NULL default value|(UNIQUE|CHECK|NOT NULL) constraint failed)/;

/** The table of `ALTER TABLE t ADD [COLUMN] ...` or `CREATE [UNIQUE] INDEX ... ON t`, else undefined. */
function schemaChangeTarget(tokens: SqliteToken[]): string | undefined {
  const nameAt = (i: number): string | undefined => {
    // schema.table: the table is the part after the dot.
    const at = tokens[i + 1]?.text === '.' ? i + 2 : i;
    const token = tokens[at];
    return token && (token.kind === 'word' || token.kind === 'ident') ? token.value : undefined;
  };
  if (isWord(tokens[0], 'ALTER') && isWord(tokens[1], 'TABLE')) {
    const table = nameAt(2);
    const after = tokens[2 + (tokens[3]?.text === '.' ? 3 : 1)];
    return isWord(after, 'ADD') ? table : undefined;
  }
  if (!isWord(tokens[0], 'CREATE')) return undefined;
  const index = isWord(tokens[1], 'UNIQUE') ? 2 : 1;
  if (!isWord(tokens[index], 'INDEX')) return undefined;
  const on = tokens.findIndex((t, i) => i > index && isWord(t, 'ON'));
  return on > 0 ? nameAt(on + 1) : undefined;
}

function configure(db: Database): void {
  // Prisma's SQLite connections enforce foreign keys; its redefinitions turn them off and on again.
  db.run('PRAGMA foreign_keys=ON');
  // The default rollback journal is a file in Emscripten's in-memory FS, created and deleted for every
  // DDL statement: most of the replay time. A journal in memory still rolls back a failing statement.
  db.run('PRAGMA journal_mode=MEMORY');
  db.run('PRAGMA synchronous=OFF');
  db.run('PRAGMA locking_mode=EXCLUSIVE');
}

function syncNames(
  target: Map<string, ProvenanceEntry>,
  before: string[],
  after: string[],
  origin: (name: string) => ProvenanceEntry,
): void {
  for (const name of before) if (!after.includes(name)) target.delete(name);
  for (const name of after) if (!before.includes(name)) target.set(name, origin(name));
}

/** Only CREATE, DROP and ALTER change sqlite_master; everything else needs no look at the schema. */
function changesSchema(text: string, start: number): boolean {
  const first = nextToken(text, start);
  return isWord(first, 'CREATE') || isWord(first, 'DROP') || isWord(first, 'ALTER');
}

/** The names `introspect` gives this table's objects, read from its stored CREATE texts. */
function shapeFromMaster(table: string, entry: MasterEntry): TableShape {
  const info = parseCreateTable(entry.sql);
  const indexes = new Set<string>();
  for (const name of entry.indexes.keys()) {
    if (!name.toLowerCase().startsWith('sqlite_autoindex_')) indexes.add(name);
  }
  for (const unique of info.uniques) indexes.add(uniqueName(table, unique));
  return {
    columns: info.columns,
    indexes: [...indexes],
    foreignKeys: info.foreignKeys.map((fk) => fk.name ?? foreignKeyName(table, fk.columns)),
  };
}

function sameMaster(a: MasterEntry, b: MasterEntry): boolean {
  if (a.sql !== b.sql || a.indexes.size !== b.indexes.size) return false;
  for (const [name, sql] of a.indexes) if (b.indexes.get(name) !== sql) return false;
  return true;
}

const MASTER_QUERY = `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY type DESC`;

function readMaster(query: Statement): Map<string, MasterEntry> {
  const master = new Map<string, MasterEntry>();
  const rows: SqlValue[][] = [];
  try {
    while (query.step()) rows.push(query.get());
  } finally {
    query.reset();
  }
  for (const [type, name, tblName, sql] of rows) {
    if (type === 'table') {
      if (!isUserTable(String(name))) continue;
      master.set(String(name), { sql: String(sql ?? ''), indexes: new Map() });
    } else {
      master.get(String(tblName))?.indexes.set(String(name), String(sql ?? ''));
    }
  }
  return master;
}

// ---------------------------------------------------------------------------
// Introspection

function isUserTable(name: string): boolean {
  return !name.toLowerCase().startsWith('sqlite_') && name !== PRISMA_MIGRATIONS_TABLE;
}

function queryRows(db: Database, sql: string, params?: SqlValue[]): SqlValue[][] {
  const result = db.exec(sql, params);
  return result.length > 0 ? result[0].values : [];
}

const TABLES = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> '_prisma_migrations'`;

/** Reads tables (all, or only those named) through SQLite's pragma table functions: four queries in all. */
function introspect(db: Database, only?: Set<string>): DbTable[] {
  const names = only ? [...only] : [];
  const filter = only ? ` AND m.name IN (${names.map(() => '?').join(', ')})` : '';
  const params = only ? names : undefined;
  if (only && names.length === 0) return [];

  const tableRows = queryRows(db, `SELECT m.name, m.sql FROM sqlite_master m WHERE ${TABLES}${filter} ORDER BY m.name`, params);
  const columnRows = queryRows(
    db,
    `SELECT m.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
       FROM sqlite_master m, pragma_table_xinfo(m.name) p WHERE ${TABLES}${filter} ORDER BY m.name, p.cid`,
    params,
  );
  const indexRows = queryRows(
    db,
    `SELECT m.name, l.name, l."unique", l.origin, l.partial, x.seqno, x.cid, x.name, x."desc", s.sql
       FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_xinfo(l.name) x
       LEFT JOIN sqlite_master s ON s.type = 'index' AND s.name = l.name
      WHERE ${TABLES}${filter} AND x.key = 1 ORDER BY m.name, l.name, x.seqno`,
    params,
  );
  const fkRows = queryRows(
    db,
    `SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete
       FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE ${TABLES}${filter} ORDER BY m.name, f.id, f.seq`,
    params,
  );

  const byTable = new Map<string, { sql: string; columns: SqlValue[][]; indexes: SqlValue[][]; fks: SqlValue[][] }>();
  for (const [name, sql] of tableRows) byTable.set(String(name), { sql: String(sql ?? ''), columns: [], indexes: [], fks: [] });
  for (const row of columnRows) byTable.get(String(row[0]))?.columns.push(row);
  for (const row of indexRows) byTable.get(String(row[0]))?.indexes.push(row);
  for (const row of fkRows) byTable.get(String(row[0]))?.fks.push(row);

  const allTables = new Map<string, string>();
  for (const [name] of queryRows(db, `SELECT m.name FROM sqlite_master m WHERE ${TABLES}`)) {
    allTables.set(String(name).toLowerCase(), String(name));
  }
  const primaryKeyOf = (table: string): string[] =>
    queryRows(db, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, [table]).map((r) => String(r[0]));

  const tables: DbTable[] = [];
  for (const [name, raw] of byTable) {
    const info = parseCreateTable(raw.sql);
    const { columns, primaryKey } = readColumns(raw.columns, info);
    const table: DbTable = {
      name,
      columns,
      ...(primaryKey ? { primaryKey } : {}),
      indexes: readIndexes(name, raw.indexes, info),
      foreignKeys: readForeignKeys(name, raw.fks, info, allTables, primaryKeyOf),
    };
    tables.push(table);
  }
  return tables;
}

function readColumns(rows: SqlValue[][], info: TableSqlInfo): { columns: DbColumn[]; primaryKey?: { columns: string[] } } {
  const columns: DbColumn[] = [];
  const pk: { name: string; position: number }[] = [];
  for (const [, , name, declared, notNull, dflt, pkPosition, hidden] of rows) {
    // hidden = 1: a virtual table's hidden column, not a real one.
    if (Number(hidden) === 1) continue;
    const type = parseColumnType(String(declared ?? ''));
    const column: DbColumn = { name: String(name), type, nullable: Number(notNull) === 0 };
    const dbDefault = readDefault(dflt === null ? null : String(dflt), type);
    if (dbDefault) column.default = dbDefault;
    if (Number(hidden) === 2 || Number(hidden) === 3) {
      column.generated = info.generated.get(String(name).toLowerCase()) ?? (Number(hidden) === 3 ? 'STORED' : 'VIRTUAL');
    }
    columns.push(column);
    if (Number(pkPosition) > 0) pk.push({ name: String(name), position: Number(pkPosition) });
  }
  if (pk.length === 0) return { columns };
  pk.sort((a, b) => a.position - b.position);
  if (pk.length === 1) {
    const column = columns.find((c) => c.name === pk[0].name);
    if (column && column.type.name === 'INTEGER' && column.type.args.length === 0) {
      column.default = { kind: 'autoincrement' };
      column.nullable = false;
    }
  }
  return { columns, primaryKey: { columns: pk.map((p) => p.name) } };
}

const CONSTANT_DEFAULT = /^(?:'(?:[^']|'')*'|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|0x[0-9a-f]+|x'[0-9a-f]*'|true|false|current_timestamp|current_date|current_time)$/;

export function readDefault(dflt: string | null, type: ColumnType): DbDefault | undefined {
  if (dflt === null) return undefined;
  let sql = normalizeDefaultSql(dflt);
  if (sql === '' || sql === 'null') return undefined;
  if (type.name === 'BOOLEAN') {
    // Older Prisma versions and hand-written SQL say 1/0; the schema side says true/false.
    if (sql === '1') sql = 'true';
    else if (sql === '0') sql = 'false';
  }
  if (CONSTANT_DEFAULT.test(sql)) return { kind: 'value', sql };
  return { kind: 'expression', sql, volatile: /\brandom(?:blob)?\s*\(/.test(sql) };
}

function readIndexes(table: string, rows: SqlValue[][], info: TableSqlInfo): DbIndex[] {
  const grouped = new Map<string, SqlValue[][]>();
  for (const row of rows) {
    const name = String(row[1]);
    let list = grouped.get(name);
    if (!list) grouped.set(name, (list = []));
    list.push(row);
  }
  const indexes: DbIndex[] = [];
  for (const [name, list] of grouped) {
    const [, , unique, origin, partial, , , , , sql] = list[0];
    if (origin === 'pk') continue;
    // A null column name is the rowid or an expression: no Prisma schema can describe such an index.
    if (list.some((row) => row[7] === null)) continue;
    const plain = list.map((row) => String(row[7]));
    const columns = list.map((row) => (Number(row[8]) === 1 ? `${quoteIdent(String(row[7]))} DESC` : String(row[7])));
    let indexName = name;
    if (origin === 'u') {
      indexName = uniqueName(table, info.uniques.find((u) => sameNames(u.columns, plain)) ?? { columns: plain });
    }
    const index: DbIndex = { name: indexName, columns, unique: Number(unique) === 1 };
    if (Number(partial) === 1 && typeof sql === 'string') {
      const where = indexWhere(sql);
      if (where) index.where = where;
    }
    indexes.push(index);
  }
  return indexes.sort((a, b) => compareNames(a.name, b.name));
}

const ACTIONS: Record<string, ReferentialAction> = {
  CASCADE: 'CASCADE',
  RESTRICT: 'RESTRICT',
  'NO ACTION': 'NO ACTION',
  'SET NULL': 'SET NULL',
  'SET DEFAULT': 'SET DEFAULT',
};

function readForeignKeys(
  table: string,
  rows: SqlValue[][],
  info: TableSqlInfo,
  allTables: Map<string, string>,
  primaryKeyOf: (table: string) => string[],
): DbForeignKey[] {
  const grouped = new Map<number, SqlValue[][]>();
  for (const row of rows) {
    const id = Number(row[1]);
    let list = grouped.get(id);
    if (!list) grouped.set(id, (list = []));
    list.push(row);
  }
  const used = new Set<ParsedForeignKey>();
  const fks: DbForeignKey[] = [];
  for (const list of grouped.values()) {
    const [, , , target, , , onUpdate, onDelete] = list[0];
    const written = String(target);
    // SQLite matches table names case-insensitively; report the table's real spelling.
    const referencedTable = allTables.get(written.toLowerCase()) ?? written;
    const columns = list.map((row) => String(row[4]));
    // `REFERENCES "T"` without a column list means T's primary key.
    const referencedColumns = list.some((row) => row[5] === null) ? primaryKeyOf(referencedTable) : list.map((row) => String(row[5]));
    const parsed = info.foreignKeys.find(
      (f) => !used.has(f) && sameNames(f.columns, columns) && f.referencedTable.toLowerCase() === written.toLowerCase(),
    );
    if (parsed) used.add(parsed);
    fks.push({
      name: parsed?.name ?? foreignKeyName(table, columns),
      columns,
      referencedTable,
      referencedColumns,
      onDelete: ACTIONS[String(onDelete).toUpperCase()] ?? 'NO ACTION',
      onUpdate: ACTIONS[String(onUpdate).toUpperCase()] ?? 'NO ACTION',
    });
  }
  return fks.sort((a, b) => compareNames(a.name, b.name));
}

/** Prisma's names for constraints written without one. */
function uniqueName(table: string, unique: { name?: string; columns: string[] }): string {
  return unique.name ?? `${table}_${unique.columns.join('_')}_key`;
}

function foreignKeyName(table: string, columns: string[]): string {
  return `${table}_${columns.join('_')}_fkey`;
}

function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((name, i) => name.toLowerCase() === b[i].toLowerCase());
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------
// Reading statements with the lexer (sqliteLexer.ts).

function isWord(token: SqliteToken | undefined, word: string): boolean {
  return token !== undefined && token.kind === 'word' && token.text.toUpperCase() === word;
}

/**
 * The offset just past the `;` that ends the statement starting at `start`
 * (or the end of the text). Inside CREATE TRIGGER only `END;` ends it, as in
 * SQLite's own sqlite3_complete().
 */
function statementEnd(text: string, start: number): number {
  let pos = start;
  let index = 0;
  let create = false;
  let trigger = false;
  let previous: SqliteToken | undefined;
  for (;;) {
    const token = nextToken(text, pos);
    if (!token) return text.length;
    if (index === 0) create = isWord(token, 'CREATE');
    // CREATE TRIGGER or CREATE TEMP|TEMPORARY TRIGGER.
    if (create && (index === 1 || index === 2) && isWord(token, 'TRIGGER')) trigger = true;
    if (token.text === ';' && (!trigger || isWord(previous, 'END'))) return token.end;
    previous = token;
    pos = token.end;
    index++;
  }
}

/** End of the last token in [start, limit): a statement's range without trailing comments. */
function lastTokenEnd(text: string, start: number, limit: number): number {
  let end = start;
  let pos = start;
  for (;;) {
    const token = nextToken(text, pos);
    if (!token || token.start >= limit) return Math.max(end, start);
    end = token.end;
    pos = token.end;
  }
}

interface ParsedForeignKey {
  name?: string;
  columns: string[];
  referencedTable: string;
}

interface TableSqlInfo {
  /** Column names in declaration order. */
  columns: string[];
  uniques: { name?: string; columns: string[] }[];
  foreignKeys: ParsedForeignKey[];
  /** Lower-cased column name → `(<expression>) STORED|VIRTUAL`. */
  generated: Map<string, string>;
}

/** Reads the constraint names and generated-column expressions out of a stored CREATE TABLE text. */
export function parseCreateTable(sql: string): TableSqlInfo {
  const info: TableSqlInfo = { columns: [], uniques: [], foreignKeys: [], generated: new Map() };
  const tokens = lexSqlite(sql);
  const open = tokens.findIndex((t) => t.text === '(');
  if (open < 0) return info;
  // Split the definitions at top-level commas.
  const items: SqliteToken[][] = [];
  let current: SqliteToken[] = [];
  let depth = 0;
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.text === '(') depth++;
    if (token.text === ')') {
      if (depth === 0) break;
      depth--;
    }
    if (token.text === ',' && depth === 0) {
      items.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) items.push(current);

  for (const item of items) {
    let i = 0;
    let name: string | undefined;
    if (isWord(item[0], 'CONSTRAINT')) {
      name = item[1]?.value;
      i = 2;
    }
    const head = item[i];
    if (isWord(head, 'UNIQUE')) {
      info.uniques.push({ name, columns: nameList(item, i + 1).names });
    } else if (isWord(head, 'FOREIGN')) {
      const from = nameList(item, i + 1);
      const ref = item[from.next];
      if (isWord(ref, 'REFERENCES') && item[from.next + 1]) {
        info.foreignKeys.push({ name, columns: from.names, referencedTable: item[from.next + 1].value });
      }
    } else if (!isWord(head, 'PRIMARY') && !isWord(head, 'CHECK') && name === undefined && head) {
      info.columns.push(head.value);
      readColumnConstraints(sql, item, info);
    }
  }
  return info;
}

/** The identifiers in the parenthesised list at or after `from`, and the index after its `)`. */
function nameList(tokens: SqliteToken[], from: number): { names: string[]; next: number } {
  const open = tokens.findIndex((t, i) => i >= from && t.text === '(');
  if (open < 0) return { names: [], next: tokens.length };
  const names: string[] = [];
  let depth = 0;
  let expectName = true;
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.text === '(') depth++;
    else if (token.text === ')') {
      if (depth === 0) return { names, next: i + 1 };
      depth--;
    } else if (token.text === ',' && depth === 0) expectName = true;
    else if (expectName && depth === 0) {
      names.push(token.value);
      expectName = false;
    }
  }
  return { names, next: tokens.length };
}

const COLUMN_CONSTRAINT_WORDS = new Set(['PRIMARY', 'NOT', 'NULL', 'CHECK', 'DEFAULT', 'COLLATE', 'UNIQUE', 'REFERENCES', 'GENERATED', 'AS']);

function readColumnConstraints(sql: string, item: SqliteToken[], info: TableSqlInfo): void {
  const column = item[0].value;
  let pendingName: string | undefined;
  let depth = 0;
  for (let j = 1; j < item.length; j++) {
    const token = item[j];
    if (token.text === '(') depth++;
    if (token.text === ')') depth--;
    if (depth > 0 || token.kind !== 'word') continue;
    const word = token.text.toUpperCase();
    if (word === 'CONSTRAINT') {
      pendingName = item[j + 1]?.value;
      j++;
      continue;
    }
    if (!COLUMN_CONSTRAINT_WORDS.has(word)) continue;
    if (word === 'UNIQUE') info.uniques.push({ name: pendingName, columns: [column] });
    if (word === 'REFERENCES' && item[j + 1]) {
      info.foreignKeys.push({ name: pendingName, columns: [column], referencedTable: item[j + 1].value });
    }
    if (word === 'AS' && item[j + 1]?.text === '(') {
      const close = matchingParen(item, j + 1);
      const expression = sql.slice(item[j + 1].start, item[close]?.end ?? sql.length);
      const storage = item[close + 1];
      const kind = isWord(storage, 'STORED') ? 'STORED' : 'VIRTUAL';
      info.generated.set(column.toLowerCase(), `${expression.replace(/\s+/g, ' ')} ${kind}`);
      j = close;
    }
    pendingName = undefined;
  }
}

function matchingParen(tokens: SqliteToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].text === '(') depth++;
    if (tokens[i].text === ')' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** The predicate of a partial index: everything after the top-level WHERE. */
function indexWhere(sql: string): string | undefined {
  let depth = 0;
  for (const token of lexSqlite(sql)) {
    if (token.text === '(') depth++;
    if (token.text === ')') depth--;
    if (depth === 0 && isWord(token, 'WHERE')) {
      const predicate = sql.slice(token.end).trim();
      return predicate.length > 0 ? predicate : undefined;
    }
  }
  return undefined;
}
