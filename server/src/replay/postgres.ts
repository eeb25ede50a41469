/**
 * Applies PostgreSQL migration DDL to a DbState the way PostgreSQL itself
 * would, statement by statement, from libpg-query's syntax trees. What the
 * state does not model (data, functions, views, policies, ...) is skipped
 * with one info note per kind and migration; what PostgreSQL would refuse
 * (altering a table that does not exist) is skipped with a warning. Nothing
 * here throws on bad input: the replay of a half-written migration must still
 * give the best state it can.
 */
import type {
  AlterEnumStmt,
  AlterObjectSchemaStmt,
  AlterSeqStmt,
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateEnumStmt,
  CreateExtensionStmt,
  CreateFunctionStmt,
  CreateSchemaStmt,
  CreateSeqStmt,
  CreateStmt,
  CreateTableAsStmt,
  CreateTrigStmt,
  DropStmt,
  IndexElem,
  IndexStmt,
  Node,
  RangeVar,
  RenameStmt,
  TableLikeClause,
  TruncateStmt,
  FunctionParameter,
  TypeName,
  VariableSetStmt,
  ViewStmt,
} from 'libpg-query';
import { emptyState, objectKey, tableKey, type DbColumn, type DbEnum, type DbIndex, type DbObject, type DbObjectKind, type DbState, type DbTable, type ReferentialAction } from '../core/dbState';
import type { Note } from '../core/notes';
import type { Range } from '../core/source';
import { canonicalArrayDefault, castTypes, chooseName, classifyDefault, columnNamesIn, defaultCastFails, EXTENSION_COLUMN_TYPES, EXTENSION_FUNCTIONS, EXTENSION_OPERATOR_CLASSES, extensionOf, expressionSql, names, quoteIdent, resolveType, splitQualified, unwrap } from './pgTypes';
import { outsideTransactionLabel, parsePostgresStatements, postgresParserLoaded, type ParsedStatement } from './statements';
import { functionCallTables, interpretDoBlock, type CatalogView, type PlpgsqlHost, type Refusal } from './plpgsql';
import { entryOf, flattenProvenance } from './provenance';
import { newEnumValueUse, type EnumUseScope } from './enumValueUse';
import { findInParseTree, walkParseTree } from './parseTree';
import { PRISMA_MIGRATIONS_TABLE, type Dependant, type DropEvent, type MigrationInput, type NewEnumValueUse, type ProvenanceEntry, type Replayer, type UncertainStatement } from './types';
import { viewDependencies, type ObjectDependencies } from './viewDependencies';

interface TableSources {
  self?: ProvenanceEntry;
  /** `.column` and `#indexOrConstraint` → entry; the table key is prefixed when flattened. */
  items: Record<string, ProvenanceEntry>;
}

interface EnumSources {
  self?: ProvenanceEntry;
  values: Record<string, ProvenanceEntry>;
}

/**
 * Everything a replayer carries between migrations. Plain data, so `fork()`
 * is one structuredClone. Provenance is kept per table so that dropping or
 * renaming a table moves one entry instead of scanning every key.
 */
interface ReplayData {
  state: DbState;
  tableSources: Record<string, TableSources>;
  enumSources: Record<string, EnumSources>;
  /** CHECK / EXCLUDE constraint names per table key: not modelled, but a later DROP or RENAME CONSTRAINT must find them. */
  unmodelledConstraints: Record<string, string[]>;
  /** Keys of temporary tables: session-scoped, so nothing done to them is persistent. */
  temporaryTables: string[];
  /** Keys of non-enum types migrations created (domains, composite and range types): a later DROP TYPE must find them. */
  otherTypes: string[];
  /**
   * Table key → column → enum keys its default depends on. PostgreSQL records
   * that dependency (the default is cast to the enum), so DROP TYPE ... CASCADE
   * drops such defaults even after the column itself changed to another type.
   */
  defaultDependencies: Record<string, Record<string, string[]>>;
  /**
   * Table key → generated column → the columns of that table its expression
   * reads. PostgreSQL records those dependencies: it refuses to drop such a
   * column without CASCADE (which drops the generated column too) and to
   * change its type at all.
   */
  generatedFrom?: Record<string, Record<string, string[]>>;
  /** Statements the replay could not interpret, or that PostgreSQL rejects, in order. */
  uncertain: UncertainStatement[];
  /** Functions and procedures the migrations created, by lower-case name → the names their body mentions (what a call may touch). */
  functions: Record<string, string[]>;
  /**
   * Lower-case names of those declared STABLE or IMMUTABLE: PostgreSQL refuses
   * any change to the database inside them, so calling one changes no table.
   */
  readOnlyFunctions?: string[];
  /**
   * The open transaction of the migration being applied: enum values ADD VALUE
   * added in it (enum key → value → 1-based line), and the enums it created.
   * Kept here, not on the replayer, so a DO block's exception handler undoes
   * an ADD VALUE with the rest of its subtransaction.
   */
  openTransaction?: { addedValues: Record<string, Record<string, number>>; createdEnums: string[]; useRefused?: boolean };
  /** Every use of an enum value in the transaction that added it, in order. */
  newEnumValueUses?: NewEnumValueUse[];
  /** Object key of a view, materialized view or trigger → what it depends on (PostgreSQL refuses to drop that without CASCADE). */
  dependencies?: Record<string, ObjectDependencies>;
  /** Every drop that met dependants, in order. */
  dropEvents?: DropEvent[];
  /**
   * Indexes on materialized views (index key → the view's key and the index's name): not table
   * indexes, never compared, but a later ALTER INDEX ... RENAME or DROP INDEX
   * must find them, and they take their name in the schema.
   */
  relationIndexes?: Record<string, { view: string; name: string }>;
  /**
   * Tables created as `PARTITION OF` another (key → the parent's key): Prisma's engine
   * leaves partitions out of its comparison, and so does the replay, but a
   * later DROP, ALTER or index of one must find it.
   */
  partitions?: Record<string, string>;
  /** Sequences `OWNED BY` a column (object key → table key and column): PostgreSQL drops them with the column or table. */
  ownedSequences?: Record<string, { table: string; column: string }>;
  /**
   * Keys of the sequences serial and identity columns made without a CREATE
   * SEQUENCE (`User_id_seq`). Only so that ALTER TABLE on one (pg_dump writes
   * `ALTER TABLE public."User_id_seq" OWNER TO ...`) is not read as a missing table.
   */
  implicitSequences?: string[];
  /** Schemas a migration created (dropped since or not): not the platform's (see platformSchema). */
  schemasCreated?: string[];
  /** A migration dropped prisma migrate's own table: creating it again is then fine. */
  prismaMigrationsDropped?: boolean;
  /**
   * The argument types of each overload of a function the migrations created (object key →
   * `int4,text` per overload): `DROP FUNCTION f(int4)` removes one overload, and the function
   * is gone once none is left.
   */
  overloads?: Record<string, string[]>;
  /**
   * What each of those overloads returns and its input parameters' names (object key →
   * signature → result): `CREATE OR REPLACE FUNCTION` may change neither. Read only
   * for an overload `overloads` holds, so an entry left by a dropped one is never compared.
   */
  functionResults?: Record<string, Record<string, FunctionResult>>;
}

interface FunctionResult {
  /** `int4`, `setof int4`, `row(a int4, b text)` (two or more OUT / TABLE parameters); none for a procedure. */
  returns?: string;
  /** The input parameters' names, '' where unnamed. */
  inputNames: string[];
  /** The names of the types its parameters and result use: DROP TYPE | DOMAIN | TABLE | EXTENSION ... CASCADE drops the overload with them. */
  types: string[];
  /** How many statements were uncertain when it was created: after an unread one, whether it still exists is not known. */
  uncertainAt: number;
}

/** `SET search_path` as the migration left it: where unqualified names are created and looked up (`public` is the default schema). */
const DEFAULT_SEARCH_PATH = ['public'];

export function createPostgresReplayer(): Replayer {
  if (!postgresParserLoaded()) throw new Error('createPostgresReplayer() needs loadPostgresParser() to have completed');
  return new PostgresReplayer(startingData(emptyState('postgresql')));
}

function startingData(state: DbState): ReplayData {
  return { state, tableSources: {}, enumSources: {}, unmodelledConstraints: {}, temporaryTables: [], otherTypes: [], defaultDependencies: {}, uncertain: [], functions: {} };
}

/**
 * A replayer that starts from a replayed state rather than from nothing: what
 * the pending migration files do on top of the deployed database. The state
 * carries no provenance or unmodelled constraints, so only what it models can
 * be asked of it (the SQL rules ask which enum values a file uses too early).
 */
export function createPostgresReplayerOn(state: DbState): Replayer {
  if (!postgresParserLoaded()) throw new Error('createPostgresReplayerOn() needs loadPostgresParser() to have completed');
  return new PostgresReplayer(startingData(structuredClone(state)));
}

/** A replayer continuing from what saveData() returned (read back from the persisted cache, which checks that the same code wrote it). */
export function restorePostgresReplayer(data: unknown): Replayer {
  return new PostgresReplayer(data as ReplayData);
}

/** The statements that end a transaction (TransactionStmt kinds). */
const TRANSACTION_ENDS = ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE'];

/** Savepoint statements, which need an explicit transaction block (TransactionStmt kind → how it is written). */
const SAVEPOINT_COMMANDS: Record<string, string> = {
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE SAVEPOINT',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT',
};

/** Readable names for statement kinds that are skipped. */
const SKIPPED_LABELS: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  SelectStmt: 'SELECT',
  DoStmt: 'DO block',
  AlterFunctionStmt: 'ALTER FUNCTION',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterPolicyStmt: 'ALTER POLICY',
  AlterExtensionStmt: 'ALTER EXTENSION',
  CommentStmt: 'COMMENT',
  GrantStmt: 'GRANT/REVOKE',
  GrantRoleStmt: 'GRANT/REVOKE role',
  AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
  VariableSetStmt: 'SET',
  TransactionStmt: 'BEGIN/COMMIT',
  LockStmt: 'LOCK',
  AlterSeqStmt: 'ALTER SEQUENCE',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  DropRoleStmt: 'DROP ROLE',
  AlterOwnerStmt: 'ALTER ... OWNER',
  CreateDomainStmt: 'CREATE DOMAIN',
  CompositeTypeStmt: 'CREATE TYPE (composite)',
  CreateRangeStmt: 'CREATE TYPE (range)',
  RuleStmt: 'CREATE RULE',
  NotifyStmt: 'NOTIFY',
  VacuumStmt: 'VACUUM/ANALYZE',
  ClusterStmt: 'CLUSTER',
  ReindexStmt: 'REINDEX',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  CreateStatsStmt: 'CREATE STATISTICS',
  ExplainStmt: 'EXPLAIN',
  CallStmt: 'CALL',
  CopyStmt: 'COPY',
  TruncateStmt: 'TRUNCATE',
  CreatePublicationStmt: 'CREATE PUBLICATION',
  AlterPublicationStmt: 'ALTER PUBLICATION',
};

const LABELS: Record<DbObjectKind, string> = {
  view: 'view',
  materializedView: 'materialized view',
  function: 'function',
  procedure: 'procedure',
  trigger: 'trigger',
  sequence: 'sequence',
  extension: 'extension',
  schema: 'schema',
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const FK_ACTIONS: Record<string, ReferentialAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** ALTER TABLE subcommands that change nothing the state models. */
const NEUTRAL_SUBCOMMANDS = new Set(['AT_ValidateConstraint', 'AT_AlterConstraint', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity', 'AT_SetIdentity']);

function qualifiedLabel(kind: string): string {
  return kind.replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

/** Rewrites a SQL fragment's references to column `from` (quoted or bare) as `to`. */
function renameInSql(sql: string, from: string, to: string): string {
  return sql.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_$]*/g, (token) => {
    if (token.startsWith("'")) return token;
    const name = token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token;
    return name === from ? quoteIdent(to) : token;
  });
}

function mentionsColumn(sql: string, column: string): boolean {
  const pattern = /"(?:[^"]|"")*"|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_$]*/g;
  for (let m = pattern.exec(sql); m; m = pattern.exec(sql)) {
    const token = m[0];
    if (token.startsWith("'")) continue;
    const name = token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token;
    if (name === column) return true;
  }
  return false;
}

/*
 * An index entry (DbIndex.columns) is a bare column name, the name followed by
 * a space and a suffix (`createdAt DESC`, `email gin_trgm_ops`), or an
 * expression, which always contains a parenthesis.
 */
function entryUsesColumn(entry: string, column: string): boolean {
  if (entry === column) return true;
  if (entry.includes('(')) return mentionsColumn(entry, column);
  return entry.startsWith(`${column} `);
}

function renameEntry(entry: string, from: string, to: string): string {
  if (entry === from) return to;
  if (entry.includes('(')) return renameInSql(entry, from, to);
  return entry.startsWith(`${from} `) ? to + entry.slice(from.length) : entry;
}

class PostgresReplayer implements Replayer {
  readonly provider = 'postgresql' as const;
  private migration: MigrationInput | undefined;
  private statement: ParsedStatement | undefined;
  private notes: Note[] = [];
  private skipped = new Map<string, { count: number; range: Range }>();
  private flat: Record<string, ProvenanceEntry> | undefined;
  private lastEntry: { statement: ParsedStatement | undefined; migration: MigrationInput | undefined; entry: ProvenanceEntry } | undefined;
  /**
   * Each migration starts with the default search path: Prisma runs a migration
   * file as one script, and a file that changes the path for its own statements
   * is the case worth reading right.
   */
  private searchPath: string[] = DEFAULT_SEARCH_PATH;
  /** The search path before a `SET LOCAL search_path`, which the transaction's end restores. */
  private searchPathBeforeLocal?: string[];
  /**
   * Where a ROLLBACK or ROLLBACK TO SAVEPOINT of this file goes back to: the
   * state at the start of the current transaction (the file's start, or the last
   * COMMIT or ROLLBACK: a BEGIN inside the script's implicit block continues the
   * same transaction) and at each savepoint. Kept only for a file that rolls back.
   */
  private rollbackPoints?: { transaction: ReplayData; savepoints: { name: string; data: ReplayData }[] };
  /** After BEGIN and until COMMIT or ROLLBACK: savepoints exist only there, not in the implicit block a script of several statements runs in. */
  private explicitBlock = false;
  /** What PostgreSQL rejects in the statement being applied (a statement can be partly applied: one ALTER TABLE subcommand fails). */
  private refused: Refusal[] = [];
  /** Relation keys one DROP statement names together: they may depend on each other without CASCADE. */
  private droppedTogether = new Set<string>();

  constructor(private data: ReplayData) {}

  apply(migration: MigrationInput): Note[] {
    this.migration = migration;
    this.searchPath = DEFAULT_SEARCH_PATH;
    this.searchPathBeforeLocal = undefined;
    // Each migration file is its own script: what an earlier file added is committed.
    delete this.data.openTransaction;
    this.notes = [];
    this.skipped = new Map();
    this.flat = undefined;
    let parsed;
    try {
      parsed = parsePostgresStatements(migration.sql, migration.file);
    } catch (error) {
      return [{ level: 'error', message: `Could not read ${migration.name}: ${(error as Error).message}`, where: { file: migration.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } }];
    }
    this.notes.push(...parsed.notes);
    const rollsBack = parsed.statements.some((statement) => statement.kind === 'TransactionStmt' && /^TRANS_STMT_ROLLBACK(_TO)?$/.test(String((unwrap(statement.ast)[1] as { kind?: string }).kind ?? '')));
    this.rollbackPoints = rollsBack ? { transaction: structuredClone(this.data), savepoints: [] } : undefined;
    this.explicitBlock = false;
    // PostgreSQL runs a script of several statements as one implicit transaction block, and Prisma sends each file as one script.
    const oneBlock = parsed.statements.length > 1;
    for (const statement of parsed.statements) {
      const refused = this.applyOne(statement);
      this.statement = statement;
      const outsideOnly = oneBlock ? outsideTransactionLabel(statement) : undefined;
      if (outsideOnly) {
        refused.push({
          condition: 'active_sql_transaction',
          message: `${outsideOnly} cannot run inside a transaction block, and a migration file of several statements runs as one; the replay applies it anyway.`,
        });
      }
      for (const refusal of refused) this.failed(statement.range, excerptOf(statement.text), { ...refusal, tables: this.refusalTables(refusal, statement) });
    }
    for (const [label, { count, range }] of this.skipped) {
      this.notes.push({
        level: 'info',
        message: `${label}: ${count} statement${count === 1 ? '' : 's'} not replayed (not part of the modelled schema: tables, columns, indexes, constraints, enums).`,
        where: { file: migration.file, range },
      });
    }
    this.statement = undefined;
    this.migration = undefined;
    return this.notes;
  }

  state(): DbState {
    return this.data.state;
  }

  provenance(): Record<string, ProvenanceEntry> {
    this.flat ??= flattenProvenance(this.data.tableSources, this.data.enumSources);
    return this.flat;
  }

  provenanceOf(key: string): ProvenanceEntry | undefined {
    if (this.flat) return this.flat[key];
    return entryOf(key, this.data.tableSources, this.data.enumSources);
  }

  uncertain(): readonly UncertainStatement[] {
    return this.data.uncertain;
  }

  newEnumValueUses(): readonly NewEnumValueUse[] {
    return this.data.newEnumValueUses ?? [];
  }

  dropEvents(): readonly DropEvent[] {
    return this.data.dropEvents ?? [];
  }

  fork(): Replayer {
    return new PostgresReplayer(structuredClone(this.data));
  }

  saveData(): unknown {
    return this.data;
  }

  dispose(): void {
    // Nothing outside the JS heap.
  }

  // -------------------------------------------------------------------------
  // Notes and provenance

  private note(level: Note['level'], message: string): void {
    const where = this.migration && this.statement ? { where: { file: this.migration.file, range: this.statement.range } } : {};
    this.notes.push({ level, message, ...where });
  }

  /** The tables a refusal is about: those the statement names, and any other the check read (a foreign key's table, for TRUNCATE). */
  private refusalTables(refusal: Refusal, statement: ParsedStatement): string[] {
    const named = this.tablesIn(statement.text);
    return refusal.tables ? [...new Set([...refusal.tables, ...named])] : named;
  }

  /** Applies one statement; returns what PostgreSQL rejects in it. */
  private applyOne(statement: ParsedStatement): Refusal[] {
    this.statement = statement;
    this.refused = [];
    try {
      this.applyStatement(statement);
    } catch (error) {
      // A shape of syntax tree this code did not expect must not stop the replay.
      this.note('warning', `Could not apply this ${statement.kind} statement: ${(error as Error).message}`);
    }
    return this.refused;
  }

  /** PostgreSQL rejects (part of) the statement being applied; `condition` is the name an exception handler would catch. */
  private refuse(condition: string, message: string, tables?: string[]): void {
    this.refused.push(tables ? { condition, message, tables } : { condition, message });
  }

  /** A statement PostgreSQL rejects and nothing catches: the migration stops there on a fresh database. */
  private failed(range: Range, excerpt: string, refusal: Refusal): void {
    const line = range.start.line + 1;
    const unread = this.unreadChangeTo(refusal.tables ?? []);
    if (unread) {
      // What the replay could not read may be exactly what makes this statement valid (a DO block that added the column).
      const where = unread.entry.migration === this.migration?.name ? `line ${unread.entry.range.start.line + 1}` : `line ${unread.entry.range.start.line + 1} of ${unread.entry.migration}`;
      const why = refusal.message.replace(/\.$/, '');
      const message = `Line ${line}: on the replayed state PostgreSQL would reject this statement (${why}), but ${where}, which the replay could not interpret, may have changed "${unread.table}": it is not reported as failing.`;
      if (this.migration) {
        this.notes.push({ level: 'warning', message, where: { file: this.migration.file, range } });
        this.data.uncertain.push({ migration: this.migration.name, file: this.migration.file, range, excerpt, reason: `an earlier statement the replay could not interpret may have made it valid (${why})`, tables: refusal.tables ?? [] });
      }
      return;
    }
    this.notes.push({ level: 'warning', message: `This migration fails on a fresh database at line ${line}: ${refusal.message}`, ...(this.migration ? { where: { file: this.migration.file, range } } : {}) });
    this.recordUncertain(range, excerpt, `PostgreSQL rejects it (${refusal.message})`, this.failingMigrationTables(refusal.tables ?? []), true);
  }

  /** The earliest statement the replay could not interpret (not one that fails) that may have changed one of `tables`. */
  private unreadChangeTo(tables: string[]): { entry: UncertainStatement; table: string } | undefined {
    if (tables.length === 0) return undefined;
    for (const entry of this.data.uncertain) {
      if (entry.fails) continue;
      const table = entry.tables.find((t) => tables.includes(t));
      if (table !== undefined) return { entry, table };
    }
    return undefined;
  }

  /**
   * A migration that fails on a fresh database is rolled back there as a
   * whole, while the databases it was deployed to were mended by hand: every
   * table it names is uncertain, not only the one of the failing statement.
   */
  private failingMigrationTables(tables: string[]): string[] {
    return [...new Set([...tables, ...(this.migration ? this.tablesIn(this.migration.sql) : [])])];
  }

  private recordUncertain(range: Range, excerpt: string, reason: string, tables: string[], fails = false): void {
    if (!this.migration) return;
    this.data.uncertain.push({ migration: this.migration.name, file: this.migration.file, range, excerpt, reason, tables, ...(fails ? { fails } : {}) });
    if (fails) return;
    const named = tables.length > 0 ? `what it did to ${tables.map((t) => `"${t}"`).join(', ')} is unknown, so findings on ${tables.length > 1 ? 'those tables' : 'that table'} stay at warning` : 'it names no table the replay knows';
    this.notes.push({ level: 'warning', message: `Line ${range.start.line + 1}: the replay cannot interpret ${reason}: ${named}.`, where: { file: this.migration.file, range } });
  }

  /** Keys of the known tables a piece of SQL or PL/pgSQL names (as identifiers, quoted identifiers or string contents). */
  private tablesIn(text: string): string[] {
    const found = new Set<string>();
    const words = new Set<string>();
    for (const match of text.replace(/\\"/g, '"').matchAll(/"((?:[^"]|"")+)"|'((?:[^']|'')+)'|([A-Za-z_][A-Za-z0-9_$]*)/g)) {
      const word = match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3].toLowerCase();
      words.add(word);
      // A string may hold a qualified or quoted name ('public."User"').
      if (match[2] !== undefined) for (const part of word.split('.')) words.add(part.replace(/^"|"$/g, ''));
    }
    for (const key in this.tables) if (words.has(this.tables[key].name)) found.add(key);
    return [...found];
  }

  /** The PL/pgSQL interpreter's view of this replayer. */
  private host(): PlpgsqlHost {
    return {
      run: (statement) => {
        const outer = this.statement;
        const outerRefused = this.refused;
        const refusal = this.applyOne(statement)[0];
        this.statement = outer;
        this.refused = outerRefused;
        return refusal ? { ...refusal, tables: this.refusalTables(refusal, statement) } : undefined;
      },
      catalog: (): CatalogView => this.catalogView(),
      save: () => structuredClone(this.data),
      restore: (saved) => {
        this.data = saved as ReplayData;
        this.flat = undefined;
        this.lastEntry = undefined;
      },
      tablesIn: (text) => this.tablesIn(text),
      userFunction: (name) => this.functionTables(name),
      note: (level, message, range) => this.notes.push({ level, message, ...(this.migration ? { where: { file: this.migration.file, range } } : {}) }),
      uncertain: (range, excerpt, reason, tables) => this.recordUncertain(range, excerpt, reason, tables),
      failed: (range, excerpt, refusal) => this.failed(range, excerpt, refusal),
    };
  }

  /** What the PL/pgSQL guards may ask about, from the replayed state. */
  private catalogView(): CatalogView {
    const otherRelations: Record<string, string> = {};
    const schemas: string[] = [];
    for (const object of Object.values(this.data.state.objects ?? {})) {
      const key = tableKey(object.schema, object.name);
      if (object.kind === 'view') otherRelations[key] = 'v';
      else if (object.kind === 'materializedView') otherRelations[key] = 'm';
      else if (object.kind === 'sequence') otherRelations[key] = 'S';
      else if (object.kind === 'schema') schemas.push(object.name);
    }
    const queryTables = Object.keys(this.tables).filter((key) => this.tables[key].fromQuery);
    return { state: this.data.state, otherTypes: this.data.otherTypes, unmodelledConstraints: this.data.unmodelledConstraints, otherRelations, schemas, queryTables };
  }

  /** The tables a function the migrations created names in its body; undefined for other functions. */
  private functionTables(name: string): string[] | undefined {
    const words = this.data.functions[name.toLowerCase()];
    if (!words || this.data.readOnlyFunctions?.includes(name.toLowerCase())) return undefined;
    const set = new Set(words);
    return Object.keys(this.tables).filter((key) => set.has(this.tables[key].name));
  }

  private skip(label: string): void {
    const seen = this.skipped.get(label);
    if (seen) seen.count++;
    else if (this.statement) this.skipped.set(label, { count: 1, range: this.statement.range });
  }

  /** One entry per statement, shared by everything it creates: fork() then copies it (and its strings) once, not per column. */
  private here(): ProvenanceEntry {
    if (this.lastEntry && this.lastEntry.statement === this.statement && this.lastEntry.migration === this.migration) return this.lastEntry.entry;
    const entry = {
      migration: this.migration?.name ?? '',
      file: this.migration?.file ?? '',
      range: this.statement?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    };
    this.lastEntry = { statement: this.statement, migration: this.migration, entry };
    return entry;
  }

  private sourcesOf(key: string): TableSources {
    let sources = this.data.tableSources[key];
    if (!sources) {
      sources = { items: {} };
      this.data.tableSources[key] = sources;
    }
    return sources;
  }

  private recordItem(key: string, item: string): void {
    this.sourcesOf(key).items[item] = this.here();
  }

  private forgetItem(key: string, item: string): void {
    const sources = this.data.tableSources[key];
    if (sources) delete sources.items[item];
  }

  private moveItem(key: string, from: string, to: string): void {
    const sources = this.data.tableSources[key];
    if (!sources || !sources.items[from]) return;
    sources.items[to] = sources.items[from];
    delete sources.items[from];
  }

  // -------------------------------------------------------------------------
  // Lookups

  private get tables(): Record<string, DbTable> {
    return this.data.state.tables;
  }

  /**
   * (schema, name) of a possibly unqualified name: a qualified one as written,
   * an unqualified one in the first schema of the search path that holds it
   * (`exists`), else in the first schema of the path, where PostgreSQL creates it.
   */
  private qualify(parts: string[], exists?: (schema: string | undefined, name: string) => boolean): { schema?: string; name: string } {
    if (parts.length >= 2) return splitQualified(parts);
    const name = parts[0] ?? '';
    const path = this.searchPath.map((s) => (s === 'public' ? undefined : s));
    if (exists) for (const schema of path) if (exists(schema, name)) return schema ? { schema, name } : { name };
    const first = path[0];
    return first ? { schema: first, name } : { name };
  }

  private relationExists = (schema: string | undefined, name: string): boolean => {
    const key = tableKey(schema, name);
    return !!this.tables[key] || !!this.data.state.objects?.[`relation:${key}`] || this.data.partitions?.[key] !== undefined;
  };

  private relation(rv: RangeVar | undefined): { key: string; name: string; schema?: string; temporary: boolean } {
    const name = rv?.relname ?? '';
    const schema = this.qualify(rv?.schemaname ? [rv.schemaname, name] : [name], this.relationExists).schema;
    const key = tableKey(schema, name);
    const temporary = rv?.relpersistence === 't' || rv?.schemaname === 'pg_temp' || (!rv?.schemaname && this.data.temporaryTables.includes(name));
    return { key, name, ...(schema ? { schema } : {}), temporary };
  }

  /** The table a statement acts on, or undefined after the right note (none for temporary tables or IF EXISTS). */
  private table(rv: RangeVar | undefined, missingOk: boolean | undefined): { table: DbTable; key: string } | undefined {
    const rel = this.relation(rv);
    if (rel.temporary || rel.key === PRISMA_MIGRATIONS_TABLE) return undefined;
    const table = this.tables[rel.key];
    if (table) return { table, key: rel.key };
    // Indexes, triggers and the like on a view or materialized view are not part of any table; partitions are left out.
    // ALTER TABLE also acts on sequences (pg_dump sets their owner that way): not a table, and not missing.
    if (this.data.state.objects?.[`relation:${rel.key}`] || this.data.state.objects?.[`sequence:${rel.key}`] || this.data.implicitSequences?.includes(rel.key) || this.data.partitions?.[rel.key] !== undefined) return undefined;
    if (this.platformSchema(rel.schema)) return undefined;
    if (!missingOk) this.refuse('undefined_table', `Table "${rel.key}" does not exist at this point of the migrations; the statement is skipped.`);
    return undefined;
  }

  /**
   * A schema the migrations never create nor put a table in (Supabase's `auth`,
   * `storage`): what is in it was made by the platform before the first migration,
   * so a missing table there is not modelled rather than missing.
   */
  private platformSchema(schema: string | undefined): boolean {
    if (schema === undefined || schema === 'public' || this.data.state.objects?.[`schema:${schema}`] || this.data.schemasCreated?.includes(schema)) return false;
    return this.inSchema(schema).length === 0;
  }

  private enumKey = (schema: string | undefined, name: string): string | undefined => {
    if (schema === undefined && this.searchPath !== DEFAULT_SEARCH_PATH) {
      const found = this.qualify([name], (s, n) => !!this.data.state.enums[tableKey(s, n)]);
      const key = tableKey(found.schema, name);
      return this.data.state.enums[key] ? key : undefined;
    }
    const key = tableKey(schema, name);
    return this.data.state.enums[key] ? key : undefined;
  };

  private inSchema(schema: string | undefined): [string, DbTable][] {
    const result: [string, DbTable][] = [];
    for (const key in this.tables) {
      const table = this.tables[key];
      if (table.schema === schema) result.push([key, table]);
    }
    return result;
  }

  /**
   * Relations of a schema by name: tables and their indexes (a primary key's and
   * a unique constraint's among them), views, materialized views and their
   * indexes, sequences, partitions. An index or an index-backed constraint named
   * explicitly must not take one of these names (42P07), and PostgreSQL picks a
   * plain index's name among them only: a foreign key or CHECK constraint is not
   * a relation, so an index may be named like one.
   */
  private relationTaken(schema: string | undefined): (name: string) => boolean {
    return (name) => {
      if (this.relationExists(schema, name)) return true;
      for (const key in this.tables) {
        const t = this.tables[key];
        if (t.schema !== schema) continue;
        if (t.primaryKey?.name === name) return true;
        for (const i of t.indexes) if (i.name === name) return true;
      }
      const key = tableKey(schema, name);
      return this.data.relationIndexes?.[key] !== undefined || !!this.data.state.objects?.[`sequence:${key}`];
    };
  }

  /** What PostgreSQL avoids when it picks the name of a constraint's index (primary key, unique, exclusion): relation names and every constraint name of the schema. */
  private nameTaken(schema: string | undefined): (name: string) => boolean {
    const relation = this.relationTaken(schema);
    const constraint = this.constraintNameTaken(schema);
    return (name) => relation(name) || constraint(name);
  }

  /**
   * A modelled constraint of this table has the name: PostgreSQL refuses a second
   * one (42710). CHECK constraints are left out: the replay does not know which
   * of them a DROP COLUMN took along.
   */
  private modelledConstraintOn(table: DbTable, name: string): boolean {
    return table.primaryKey?.name === name || table.indexes.some((i) => i.constraint === true && i.name === name) || table.foreignKeys.some((f) => f.name === name);
  }

  /**
   * An explicit name for a constraint: refused (with `outcome`, what the replay
   * then does) when a relation of the schema has it, for a constraint with an index,
   * or when a constraint of the table has it.
   */
  private constraintNameFree(key: string, table: DbTable, name: string, outcome: string, checks = { relation: true, constraint: true }): boolean {
    if (checks.relation && this.relationTaken(table.schema)(name)) {
      this.refuse('duplicate_table', `A relation named "${name}" already exists; ${outcome}.`);
      return false;
    }
    if (checks.constraint && this.modelledConstraintOn(table, name)) {
      this.refuse('duplicate_object', `Constraint "${name}" already exists on table "${key}"; ${outcome}.`);
      return false;
    }
    return true;
  }

  /** Names of constraints in a schema: PostgreSQL picks CHECK and foreign key names among constraints only, not among indexes or tables. */
  private constraintNameTaken(schema: string | undefined): (name: string) => boolean {
    return (name) => {
      for (const key in this.tables) {
        const t = this.tables[key];
        if (t.schema !== schema) continue;
        if (t.primaryKey?.name === name || t.foreignKeys.some((f) => f.name === name) || this.data.unmodelledConstraints[key]?.includes(name)) return true;
      }
      return false;
    };
  }

  private findIndex(schema: string | undefined, name: string): { key: string; table: DbTable; index?: DbIndex; primaryKey?: boolean } | undefined {
    for (const [key, table] of this.inSchema(schema)) {
      const index = table.indexes.find((i) => i.name === name);
      if (index) return { key, table, index };
      if (table.primaryKey?.name === name) return { key, table, primaryKey: true };
    }
    return undefined;
  }

  // -------------------------------------------------------------------------
  // Dispatch

  private applyStatement(statement: ParsedStatement): void {
    if (statement.kind === 'Unparsed') {
      // PostgreSQL rejects it too: the parser has already said why, in a note of its own.
      this.recordUncertain(statement.range, excerptOf(statement.text), 'PostgreSQL cannot parse it', this.failingMigrationTables(this.tablesIn(statement.text)), true);
      return;
    }
    const [kind, body] = unwrap(statement.ast);
    if (this.data.openTransaction && kind !== 'DoStmt' && Object.keys(this.data.openTransaction.addedValues).length > 0) this.checkNewEnumValues(statement);
    switch (kind) {
      case 'CreateStmt':
        return this.createTable(body as CreateStmt);
      case 'AlterTableStmt':
        return this.alterTable(body as AlterTableStmt);
      case 'IndexStmt':
        return this.createIndex(body as IndexStmt);
      case 'DropStmt':
        return this.drop(body as DropStmt);
      case 'RenameStmt':
        return this.rename(body as RenameStmt);
      case 'CreateEnumStmt':
        return this.createEnum(body as CreateEnumStmt);
      case 'AlterEnumStmt':
        return this.alterEnum(body as AlterEnumStmt);
      case 'AlterObjectSchemaStmt':
        return this.setSchema(body as AlterObjectSchemaStmt);
      case 'CreateTableAsStmt':
        return this.createTableAs(body as CreateTableAsStmt);
      case 'SelectStmt': {
        // SELECT ... INTO creates a table, like CREATE TABLE AS.
        const into = (body as { intoClause?: CreateTableAsStmt['into'] }).intoClause;
        if (into) return this.createTableAs({ into, objtype: 'OBJECT_TABLE' });
        this.callsForEffect(statement);
        return this.skip('SELECT');
      }
      case 'CreateSchemaStmt':
        return this.createSchema(body as CreateSchemaStmt);
      case 'VariableSetStmt':
        return this.setVariable(body as VariableSetStmt);
      case 'ViewStmt': {
        const view = body as ViewStmt;
        const at = this.relation(view.view);
        this.createObject('view', at, !!view.replace, false);
        return this.recordViewDependencies(objectKey('view', at.schema, at.name), view.query);
      }
      case 'CreateFunctionStmt': {
        const fn = body as CreateFunctionStmt;
        // What a later call may touch: the names its body mentions.
        const fnName = names(fn.funcname).pop()?.toLowerCase() ?? '';
        (this.data.functions ??= {})[fnName] = [...identifierWords(statement.text)];
        const readOnly = (this.data.readOnlyFunctions ?? []).filter((n) => n !== fnName);
        if (!fn.is_procedure && nonVolatile(fn)) readOnly.push(fnName);
        this.data.readOnlyFunctions = readOnly;
        const at = this.qualify(names(fn.funcname));
        const key = objectKey('function', at.schema, at.name);
        const signature = inputSignature(fn.parameters);
        const overloads = (this.data.overloads ??= {});
        const result = functionResult(fn, this.data.uncertain.length);
        if (this.objects[key] && overloads[key]?.includes(signature)) this.replaceFunction(key, signature, fn, result);
        if (!this.objects[key] || !overloads[key]) overloads[key] = [signature];
        else if (!overloads[key].includes(signature)) overloads[key].push(signature);
        ((this.data.functionResults ??= {})[key] ??= {})[signature] = result;
        return this.createObject(fn.is_procedure ? 'procedure' : 'function', at, true, false);
      }
      case 'CreateTrigStmt': {
        const trigger = body as CreateTrigStmt;
        const on = this.relation(trigger.relation);
        this.checkTriggerColumns(trigger);
        this.createObject('trigger', { name: trigger.trigname ?? '', ...(on.schema ? { schema: on.schema } : {}) }, !!trigger.replace, false, on.key);
        const fn = names(trigger.funcname).pop()?.toLowerCase() ?? '';
        const columns = this.triggerColumns(trigger, on.key);
        if (this.data.functions[fn] || columns.length > 0) {
          (this.data.dependencies ??= {})[objectKey('trigger', on.schema, trigger.trigname ?? '', on.key)] = { relations: [], columns: columns.length > 0 ? { [on.key]: columns } : {}, functions: this.data.functions[fn] ? [fn] : [] };
        }
        return;
      }
      case 'CreateSeqStmt': {
        const sequence = body as CreateSeqStmt;
        const at = this.relation(sequence.sequence);
        const existed = !!this.objects[objectKey('sequence', at.schema, at.name)];
        this.createObject('sequence', at, false, !!sequence.if_not_exists);
        if (!existed) this.setSequenceOwner(objectKey('sequence', at.schema, at.name), sequence.options);
        return;
      }
      case 'AlterSeqStmt': {
        const sequence = body as AlterSeqStmt;
        const at = this.relation(sequence.sequence);
        const key = objectKey('sequence', at.schema, at.name);
        if (!this.objects[key] || !this.setSequenceOwner(key, sequence.options)) this.skip('ALTER SEQUENCE');
        return;
      }
      case 'CreateExtensionStmt': {
        const extension = body as CreateExtensionStmt;
        return this.createObject('extension', { name: extension.extname ?? '' }, false, !!extension.if_not_exists);
      }
      case 'CallStmt':
        this.callsForEffect(statement);
        return this.skip('CALL');
      case 'TruncateStmt':
        this.checkTruncate(body as TruncateStmt);
        return this.skip('TRUNCATE');
      case 'DoStmt':
        return interpretDoBlock(statement, this.host());
      case 'TransactionStmt':
        // BEGIN / COMMIT / SAVEPOINT split a file's transactions; they change no object, and the replay goes on.
        this.transactionStatement(body as { kind?: string; savepoint_name?: string });
        return this.skip(SKIPPED_LABELS[kind]);
      case 'CreateDomainStmt':
      case 'CompositeTypeStmt':
      case 'CreateRangeStmt': {
        const typeName = kind === 'CompositeTypeStmt' ? [(body as { typevar?: RangeVar }).typevar?.schemaname, (body as { typevar?: RangeVar }).typevar?.relname].filter((x): x is string => !!x) : names((body as { domainname?: Node[]; typeName?: Node[] }).domainname ?? (body as { typeName?: Node[] }).typeName);
        const { schema, name } = splitQualified(typeName);
        this.data.otherTypes.push(tableKey(schema, name));
        return this.skip(SKIPPED_LABELS[kind] ?? kind);
      }
      default:
        return this.skip(SKIPPED_LABELS[kind] ?? kind.replace(/Stmt$/, ''));
    }
  }

  private transactionStatement(stmt: { kind?: string; savepoint_name?: string }): void {
    const kind = stmt.kind ?? '';
    const savepointCommand = SAVEPOINT_COMMANDS[kind];
    if (savepointCommand && !this.explicitBlock) {
      return this.refuse('no_active_sql_transaction', `${savepointCommand} can only be used in a transaction block, after BEGIN; a migration file's statements run in an implicit one.`);
    }
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') this.explicitBlock = true;
    if (this.rollbackPoints) this.transactionControl(stmt);
    if (TRANSACTION_ENDS.includes(kind)) {
      this.explicitBlock = false;
      // After a COMMIT, ROLLBACK or PREPARE TRANSACTION the values added before are no longer new.
      delete this.data.openTransaction;
      // SET LOCAL lasts until the transaction ends.
      if (this.searchPathBeforeLocal) this.searchPath = this.searchPathBeforeLocal;
      this.searchPathBeforeLocal = undefined;
    }
  }

  /** ROLLBACK undoes the current transaction, ROLLBACK TO SAVEPOINT what followed the savepoint; what was found failing stays found. */
  private transactionControl(stmt: { kind?: string; savepoint_name?: string }): void {
    const points = this.rollbackPoints!;
    const savepoint = stmt.savepoint_name ?? '';
    const goBackTo = (data: ReplayData): void => {
      const { uncertain } = this.data;
      this.data = structuredClone(data);
      this.data.uncertain = uncertain;
      this.flat = undefined;
      this.lastEntry = undefined;
    };
    switch (stmt.kind) {
      case 'TRANS_STMT_SAVEPOINT':
        points.savepoints.push({ name: savepoint, data: structuredClone(this.data) });
        return;
      case 'TRANS_STMT_RELEASE': {
        const at = points.savepoints.map((p) => p.name).lastIndexOf(savepoint);
        if (at >= 0) points.savepoints.length = at;
        return;
      }
      case 'TRANS_STMT_ROLLBACK_TO': {
        const at = points.savepoints.map((p) => p.name).lastIndexOf(savepoint);
        if (at < 0) return;
        points.savepoints.length = at + 1;
        return goBackTo(points.savepoints[at].data);
      }
      case 'TRANS_STMT_ROLLBACK':
        goBackTo(points.transaction);
        points.savepoints = [];
        return;
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_PREPARE':
        points.transaction = structuredClone(this.data);
        points.savepoints = [];
        return;
      default:
    }
  }

  /**
   * A statement that uses an enum value added earlier in the same transaction.
   * PostgreSQL rejects it ("unsafe use of new value") unless the enum type was
   * created in that transaction too, which PostgreSQL 15 still rejects and
   * 18 accepts: that case is recorded, not refused (the replay does not know
   * the server's version; the SQL rule does).
   */
  private checkNewEnumValues(statement: ParsedStatement): void {
    const open = this.data.openTransaction;
    if (!open || !this.migration) return;
    const use = newEnumValueUse(statement.ast, this.enumUseScope(open));
    if (!use) return;
    const addedLine = open.addedValues[use.enumKey]?.[use.value] ?? 0;
    const typeCreatedInTransaction = open.createdEnums.includes(use.enumKey);
    (this.data.newEnumValueUses ??= []).push({ migration: this.migration.name, file: this.migration.file, range: statement.range, enumKey: use.enumKey, value: use.value, addedLine, typeCreatedInTransaction });
    // PostgreSQL stops at the first such statement; the ones after it would say the same again.
    if (typeCreatedInTransaction || open.useRefused) return;
    open.useRefused = true;
    this.refuse('unsafe_new_enum_value_usage', `It uses enum value '${use.value}' of "${use.enumKey}", which line ${addedLine} adds in the same transaction, and PostgreSQL refuses a new enum value until the transaction that added it commits ("unsafe use of new value"); Prisma runs the whole migration file as one transaction.`);
  }

  private enumUseScope(open: NonNullable<ReplayData['openTransaction']>): EnumUseScope {
    const enumOfColumn = (column: DbColumn | undefined): string | undefined => (column?.type.isEnum && !column.type.array ? column.type.name : undefined);
    return {
      enumOf: (typeName) => {
        if (!typeName || (typeName.arrayBounds?.length ?? 0) > 0) return undefined;
        const type = resolveType(typeName, this.enumKey).type;
        return type.isEnum ? type.name : undefined;
      },
      tableOf: (relation) => this.relation(relation).key,
      columnEnum: (table, column) => enumOfColumn(this.tables[table]?.columns.find((c) => c.name === column)),
      columnsOf: (table) => (this.tables[table]?.columns ?? []).map((c) => c.name),
      isNew: (enumKey, value) => open.addedValues[enumKey]?.[value] !== undefined,
    };
  }

  /** A SELECT or CALL that runs a function the migrations created: what it did is unknown. */
  private callsForEffect(statement: ParsedStatement): void {
    const tables = functionCallTables(statement.text, { userFunction: (name) => this.functionTables(name) });
    if (tables) this.recordUncertain(statement.range, excerptOf(statement.text), 'a function the migrations created, called for its side effects', tables);
  }

  /** The columns of its table a trigger names (`UPDATE OF`, `OLD.x` / `NEW.x` in `WHEN`): PostgreSQL records each as a dependency. */
  private triggerColumns(stmt: CreateTrigStmt, key: string): string[] {
    const table = this.tables[key];
    if (!table) return [];
    const named = new Set([...names(stmt.columns), ...columnNamesIn(stmt.whenClause)]);
    return [...named].filter((name) => table.columns.some((c) => c.name === name));
  }

  /** CREATE TRIGGER: PostgreSQL checks that the columns of UPDATE OF exist. */
  private checkTriggerColumns(stmt: CreateTrigStmt): void {
    const rel = this.relation(stmt.relation);
    const table = this.tables[rel.key];
    if (rel.temporary || !table || table.fromQuery) return;
    const missing = names(stmt.columns).filter((name) => !table.columns.some((c) => c.name === name));
    if (missing.length > 0) {
      this.refuse('undefined_column', `Column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} of table "${rel.key}" do${missing.length > 1 ? '' : 'es'} not exist; the trigger's UPDATE OF cannot name ${missing.length > 1 ? 'them' : 'it'}.`);
    }
  }

  // -------------------------------------------------------------------------
  // Tables

  private createTable(stmt: CreateStmt): void {
    const rel = this.relation(stmt.relation);
    if (stmt.relation?.relpersistence === 't') {
      if (!this.data.temporaryTables.includes(rel.name)) this.data.temporaryTables.push(rel.name);
      return this.skip('CREATE TEMPORARY TABLE');
    }
    if (stmt.partbound) {
      if (this.relationExists(rel.schema, rel.name)) {
        if (!stmt.if_not_exists) this.refuse('duplicate_table', `Table "${rel.key}" already exists; the statement is skipped.`);
        return;
      }
      const parent = stmt.inhRelations?.[0];
      (this.data.partitions ??= {})[rel.key] = parent ? this.relation(unwrap(parent)[1] as RangeVar).key : '';
      return;
    }
    if (rel.key === PRISMA_MIGRATIONS_TABLE) {
      // prisma migrate keeps this table itself and makes it before it applies the first migration.
      if (this.data.prismaMigrationsDropped) delete this.data.prismaMigrationsDropped;
      else if (!stmt.if_not_exists) this.refuse('duplicate_table', `Table "_prisma_migrations" already exists: prisma migrate creates it before it applies the first migration (a pg_dump of a database Prisma manages includes it). Remove its CREATE TABLE, and the statements on it, from the migration.`);
      return;
    }
    if (this.tables[rel.key]) {
      if (!stmt.if_not_exists) this.refuse('duplicate_table', `Table "${rel.key}" already exists; the statement is skipped.`);
      return;
    }
    const table: DbTable = { name: rel.name, ...(rel.schema ? { schema: rel.schema } : {}), columns: [], indexes: [], foreignKeys: [] };
    const constraints: { constraint: Constraint; column?: string }[] = [];
    const likes: { source: string; options: number }[] = [];
    for (const parent of stmt.inhRelations ?? []) {
      const [kind, body] = unwrap(parent);
      const source = kind === 'RangeVar' ? this.table(body as RangeVar, false) : undefined;
      if (source) for (const column of source.table.columns) this.copyColumn(table, column, true);
    }
    for (const element of stmt.tableElts ?? []) {
      const [kind, body] = unwrap(element);
      if (kind === 'ColumnDef') {
        const def = body as ColumnDef;
        const built = this.buildColumn(def);
        const existing = table.columns.findIndex((c) => c.name === built.column.name);
        if (existing >= 0) table.columns[existing] = built.column;
        else table.columns.push(built.column);
        for (const constraint of built.constraints) constraints.push({ constraint, column: built.column.name });
        this.setDefaultDependencies(rel.key, built.column, built.defaultExpr);
        this.setGeneratedFrom(rel.key, built.column.name, built.generatedExpr);
      } else if (kind === 'Constraint') {
        constraints.push({ constraint: body as Constraint });
      } else if (kind === 'TableLikeClause') {
        const like = body as TableLikeClause;
        const source = this.table(like.relation, false);
        // CREATE_TABLE_LIKE_DEFAULTS and _GENERATED are bits 3 and 4 of the options mask.
        const withGenerated = ((like.options ?? 0) & (1 << 4)) !== 0;
        if (source) for (const column of source.table.columns) this.copyColumn(table, column, ((like.options ?? 0) & (1 << 3)) !== 0, withGenerated);
        const generatedFrom = source && withGenerated ? this.data.generatedFrom?.[source.key] : undefined;
        if (generatedFrom) Object.assign(((this.data.generatedFrom ??= {})[rel.key] ??= {}), structuredClone(generatedFrom));
        if (source) likes.push({ source: source.key, options: like.options ?? 0 });
      }
    }
    for (const { source, options } of likes) this.copyIndexesAndChecks(table, rel.key, this.tables[source], source, options);
    this.tables[rel.key] = table;
    this.data.tableSources[rel.key] = { self: this.here(), items: {} };
    for (const column of table.columns) this.recordItem(rel.key, `.${column.name}`);
    this.recordImplicitSequences(table, table.columns);
    for (const { constraint, column } of constraints) this.addConstraint(rel.key, table, constraint, column);
  }

  /**
   * CREATE TABLE ... (LIKE source INCLUDING INDEXES | CONSTRAINTS): the primary key and
   * indexes come under names PostgreSQL chooses for the new table (`T_pkey`,
   * `T_email_idx`), CHECK constraints under their own names.
   */
  private copyIndexesAndChecks(table: DbTable, key: string, source: DbTable, sourceKey: string, options: number): void {
    // CREATE_TABLE_LIKE_CONSTRAINTS is bit 2, CREATE_TABLE_LIKE_INDEXES bit 6.
    if (options & (1 << 2)) {
      const checks = this.data.unmodelledConstraints[sourceKey] ?? [];
      if (checks.length > 0) this.data.unmodelledConstraints[key] = [...(this.data.unmodelledConstraints[key] ?? []), ...checks];
    }
    if (!(options & (1 << 6))) return;
    // A constraint's copy is named away from relations and constraints, a plain index's away from relations only.
    const taken = this.nameTaken(table.schema);
    const relationTaken = this.relationTaken(table.schema);
    const takenHere = (name: string): boolean => taken(name) || table.primaryKey?.name === name || table.indexes.some((i) => i.name === name);
    const relationTakenHere = (name: string): boolean => relationTaken(name) || table.primaryKey?.name === name || table.indexes.some((i) => i.name === name);
    if (source.primaryKey && !table.primaryKey) table.primaryKey = { name: chooseName(table.name, [], 'pkey', takenHere), columns: [...source.primaryKey.columns] };
    for (const index of source.indexes) {
      // An expression column is named after its function, as PostgreSQL's FigureColname does (`lower(email)` → `lower`), else `expr`.
      const nameParts = [...index.columns, ...(index.include ?? [])].map((entry) => (entry.includes('(') ? (/^([A-Za-z_][\w$]*)\(/.exec(entry)?.[1] ?? 'expr') : entry.split(' ')[0]));
      // The copy of a UNIQUE constraint is a constraint, named `key`; that of an index (Prisma's @unique among them) is named `idx`.
      table.indexes.push({ ...structuredClone(index), name: index.constraint ? chooseName(table.name, nameParts, 'key', takenHere) : chooseName(table.name, nameParts, 'idx', relationTakenHere) });
    }
  }

  private copyColumn(table: DbTable, column: DbColumn, withDefault: boolean, withGeneratedExpression = false): void {
    const copy: DbColumn = structuredClone(column);
    if (!withDefault || copy.default?.kind === 'autoincrement') delete copy.default;
    if (!withGeneratedExpression || !copy.generated?.startsWith('GENERATED ALWAYS AS (')) delete copy.generated;
    table.columns.push(copy);
  }

  private createTableAs(stmt: CreateTableAsStmt): void {
    if (stmt.objtype === 'OBJECT_MATVIEW') {
      const at = this.relation(stmt.into?.rel);
      const key = objectKey('materializedView', at.schema, at.name);
      const existed = !!this.objects[key];
      this.createObject('materializedView', at, false, !!stmt.if_not_exists);
      if (!existed) this.recordViewDependencies(key, stmt.query);
      return;
    }
    const rel = this.relation(stmt.into?.rel);
    if (stmt.into?.rel?.relpersistence === 't') {
      if (!this.data.temporaryTables.includes(rel.name)) this.data.temporaryTables.push(rel.name);
      return this.skip('CREATE TEMPORARY TABLE ... AS');
    }
    if (this.tables[rel.key]) {
      if (!stmt.if_not_exists) this.refuse('duplicate_table', `Table "${rel.key}" already exists; the statement is skipped.`);
      return;
    }
    // The columns come from a query this replay does not evaluate: the table is kept so later statements about it
    // work, and marked so the diff never reads its (unknown) columns as dropped or missing.
    this.tables[rel.key] = { name: rel.name, ...(rel.schema ? { schema: rel.schema } : {}), columns: [], indexes: [], foreignKeys: [], fromQuery: true };
    this.data.tableSources[rel.key] = { self: this.here(), items: {} };
    this.note('info', `Table "${rel.key}" is created from a query; its columns are not known to the replay, so nothing in it is compared with the schema.`);
  }

  private buildColumn(def: ColumnDef): { column: DbColumn; constraints: Constraint[]; defaultExpr?: Node; generatedExpr?: Node } {
    const resolved = resolveType(def.typeName, this.enumKey);
    const column: DbColumn = { name: def.colname ?? '', type: resolved.type, nullable: true };
    if (resolved.serial) {
      column.nullable = false;
      column.default = { kind: 'autoincrement' };
    }
    const constraints: Constraint[] = [];
    let defaultExpr: Node | undefined;
    let generatedExpr: Node | undefined;
    for (const node of def.constraints ?? []) {
      const [kind, body] = unwrap(node);
      if (kind !== 'Constraint') continue;
      const c = body as Constraint;
      switch (c.contype) {
        case 'CONSTR_NOTNULL':
          column.nullable = false;
          break;
        case 'CONSTR_NULL':
          column.nullable = true;
          break;
        case 'CONSTR_DEFAULT': {
          const value = classifyDefault(c.raw_expr);
          if (value) column.default = canonicalArrayDefault(value, column.type);
          else delete column.default;
          defaultExpr = c.raw_expr;
          break;
        }
        case 'CONSTR_IDENTITY':
          column.generated = `GENERATED ${c.generated_when === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
          column.default = { kind: 'autoincrement' };
          column.nullable = false;
          defaultExpr = undefined;
          break;
        case 'CONSTR_GENERATED':
          column.generated = `GENERATED ALWAYS AS (${expressionSql(c.raw_expr)}) ${c.generated_kind === 'v' ? 'VIRTUAL' : 'STORED'}`;
          generatedExpr = c.raw_expr;
          break;
        case 'CONSTR_PRIMARY':
        case 'CONSTR_UNIQUE':
        case 'CONSTR_FOREIGN':
        case 'CONSTR_CHECK':
        case 'CONSTR_EXCLUSION':
          constraints.push(c);
          break;
        default:
          // DEFERRABLE / INITIALLY ... / ENFORCED attach to the constraint before them; nothing to model.
          break;
      }
    }
    return { column, constraints, ...(defaultExpr && column.default?.kind !== 'autoincrement' ? { defaultExpr } : {}), ...(generatedExpr ? { generatedExpr } : {}) };
  }

  /** Records the columns a generated column's expression reads (see ReplayData.generatedFrom); no expression forgets them. */
  private setGeneratedFrom(key: string, column: string, expr: Node | undefined): void {
    const sources = columnNamesIn(expr).filter((name) => name !== column);
    if (sources.length > 0) ((this.data.generatedFrom ??= {})[key] ??= {})[column] = sources;
    else if (this.data.generatedFrom?.[key]) delete this.data.generatedFrom[key][column];
  }

  /** The generated columns of a table whose expression reads `column`. */
  private generatedUsers(key: string, column: string): string[] {
    return Object.entries(this.data.generatedFrom?.[key] ?? {})
      .filter(([, sources]) => sources.includes(column))
      .map(([generated]) => generated);
  }

  /** Records which enums a column's default depends on (see ReplayData.defaultDependencies). */
  private setDefaultDependencies(key: string, column: DbColumn, expr: Node | undefined): void {
    const found = new Set<string>();
    if (expr && column.default && column.default.kind !== 'autoincrement') {
      if (column.type.isEnum) found.add(column.type.name);
      for (const parts of castTypes(expr)) {
        const { schema, name } = splitQualified(parts);
        const enumKey = this.enumKey(schema, name);
        if (enumKey) found.add(enumKey);
      }
    }
    const byColumn = this.data.defaultDependencies[key];
    if (found.size > 0) (this.data.defaultDependencies[key] ??= {})[column.name] = [...found];
    else if (byColumn) delete byColumn[column.name];
  }

  // -------------------------------------------------------------------------
  // Constraints

  private addConstraint(key: string, table: DbTable, c: Constraint, column?: string): void {
    const keys = names(c.keys);
    const columns = keys.length > 0 ? keys : column ? [column] : [];
    switch (c.contype) {
      case 'CONSTR_PRIMARY': {
        if (table.primaryKey) {
          this.refuse('invalid_table_definition', `Table "${key}" already has a primary key ("${table.primaryKey.name ?? ''}"); PostgreSQL refuses a second one.`);
          return;
        }
        let pkColumns = columns;
        let name = c.conname;
        if (c.indexname) {
          const found = table.indexes.find((i) => i.name === c.indexname);
          if (!found) {
            this.refuse('undefined_object', `Index "${c.indexname}" does not exist on table "${key}"; the primary key is not added.`);
            return;
          }
          pkColumns = [...found.columns];
          table.indexes = table.indexes.filter((i) => i !== found);
          this.forgetItem(key, `#${found.name}`);
          name = name ?? found.name;
        }
        if (!this.columnsExist(key, table, pkColumns)) return;
        if (name !== undefined && name !== c.indexname && !this.constraintNameFree(key, table, name, 'the primary key is not added')) return;
        name = name ?? chooseName(table.name, [], 'pkey', this.nameTaken(table.schema));
        table.primaryKey = { name, columns: pkColumns };
        for (const col of table.columns) if (pkColumns.includes(col.name)) col.nullable = false;
        this.recordItem(key, `#${name}`);
        return;
      }
      case 'CONSTR_UNIQUE': {
        if (c.indexname) {
          const found = table.indexes.find((i) => i.name === c.indexname);
          if (!found) {
            this.refuse('undefined_object', `Index "${c.indexname}" does not exist on table "${key}"; the constraint is not added.`);
            return;
          }
          if (c.conname && c.conname !== found.name) {
            if (!this.constraintNameFree(key, table, c.conname, 'the unique constraint is not added')) return;
            this.moveItem(key, `#${found.name}`, `#${c.conname}`);
            found.name = c.conname;
          }
          found.unique = true;
          found.constraint = true;
          return;
        }
        if (!this.columnsExist(key, table, columns)) return;
        const name = c.conname ?? chooseName(table.name, columns, 'key', this.nameTaken(table.schema));
        if (!this.constraintNameFree(key, table, name, 'the unique constraint is not added')) return;
        table.indexes.push({ name, columns, unique: true, constraint: true });
        this.recordItem(key, `#${name}`);
        return;
      }
      case 'CONSTR_FOREIGN': {
        const fkColumns = names(c.fk_attrs).length > 0 ? names(c.fk_attrs) : column ? [column] : [];
        const target = this.relation(c.pktable);
        const referenced = target.key === key ? table : this.tables[target.key];
        if (!referenced && this.platformSchema(target.schema)) {
          this.note('info', `Line ${(this.statement?.range.start.line ?? 0) + 1}: the foreign key on "${key}" references "${target.key}", in schema "${target.schema}", which no migration creates: it is taken as provided by the platform the database runs on (Supabase creates auth.users), and not modelled. On a plain PostgreSQL without that schema this statement fails.`);
          return;
        }
        if (!referenced) {
          this.refuse('undefined_table', `Foreign key on "${key}" references table "${target.key}", which does not exist; it is not added.`);
          return;
        }
        let referencedColumns = names(c.pk_attrs);
        if (referencedColumns.length === 0) referencedColumns = referenced.primaryKey ? [...referenced.primaryKey.columns] : [];
        if (!this.columnsExist(key, table, fkColumns) || !this.columnsExist(target.key, referenced, referencedColumns)) return;
        const name = c.conname ?? chooseName(table.name, fkColumns, 'fkey', this.constraintNameTaken(table.schema));
        if (table.foreignKeys.some((f) => f.name === name)) {
          this.refuse('duplicate_object', `Constraint "${name}" already exists on table "${key}"; the foreign key is not added.`);
          return;
        }
        table.foreignKeys.push({
          name,
          columns: fkColumns,
          referencedTable: target.key,
          referencedColumns,
          onDelete: FK_ACTIONS[c.fk_del_action ?? 'a'] ?? 'NO ACTION',
          onUpdate: FK_ACTIONS[c.fk_upd_action ?? 'a'] ?? 'NO ACTION',
        });
        this.recordItem(key, `#${name}`);
        return;
      }
      case 'CONSTR_CHECK':
      case 'CONSTR_EXCLUSION': {
        const check = c.contype === 'CONSTR_CHECK';
        // An exclusion constraint is named like its index, after its columns; a CHECK after its first column, among constraints only.
        const excluded = (c.exclusions ?? []).map((pair) => (unwrap((unwrap(pair)[1].items as Node[] | undefined)?.[0])[1] as IndexElem).name ?? 'expr');
        const name = c.conname ?? (check ? chooseName(table.name, column ? [column] : firstColumn(c.raw_expr), 'check', this.constraintNameTaken(table.schema)) : chooseName(table.name, excluded, 'excl', this.nameTaken(table.schema)));
        (this.data.unmodelledConstraints[key] ??= []).push(name);
        return this.skip(check ? 'CHECK constraint' : 'EXCLUDE constraint');
      }
      case 'CONSTR_NOTNULL':
        for (const col of table.columns) if (columns.includes(col.name)) col.nullable = false;
        return;
      default:
        return;
    }
  }

  private columnsExist(key: string, table: DbTable, columns: string[]): boolean {
    const missing = columns.filter((name) => !table.columns.some((c) => c.name === name));
    if (missing.length === 0) return true;
    // A table made from a query has columns the replay never saw: not a mistake of the migration.
    if (table.fromQuery) return false;
    this.refuse('undefined_column', `Column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} of table "${key}" do${missing.length > 1 ? '' : 'es'} not exist; the constraint is not added.`);
    return false;
  }

  /** Drops a constraint or index object by name from a table, with PostgreSQL's dependants (FKs on a unique key). */
  private dropConstraint(key: string, table: DbTable, name: string, cascade: boolean, missingOk: boolean): void {
    if (table.primaryKey?.name === name) {
      this.dropDependentForeignKeys(key, table.primaryKey.columns, cascade, name);
      delete table.primaryKey;
      this.forgetItem(key, `#${name}`);
      return;
    }
    const fk = table.foreignKeys.find((f) => f.name === name);
    if (fk) {
      table.foreignKeys = table.foreignKeys.filter((f) => f !== fk);
      this.forgetItem(key, `#${name}`);
      return;
    }
    // A CHECK constraint may share its name with an index (they are in different namespaces): DROP CONSTRAINT means the constraint.
    const others = this.data.unmodelledConstraints[key] ?? [];
    if (others.includes(name)) {
      this.data.unmodelledConstraints[key] = others.filter((n) => n !== name);
      return;
    }
    const index = table.indexes.find((i) => i.name === name);
    if (index) {
      if (index.unique) this.dropDependentForeignKeys(key, index.columns, cascade, name);
      table.indexes = table.indexes.filter((i) => i !== index);
      this.forgetItem(key, `#${name}`);
      return;
    }
    if (!missingOk) this.refuse('undefined_object', `Constraint "${name}" does not exist on table "${key}"; the statement is skipped.`);
  }

  /** Foreign keys elsewhere that rely on a unique key of `key` over exactly `columns`. */
  private dropDependentForeignKeys(key: string, columns: string[], cascade: boolean, constraint: string): void {
    const wanted = columns.join('\u0000');
    for (const [otherKey, other] of Object.entries(this.tables)) {
      const dependants = other.foreignKeys.filter((f) => f.referencedTable === key && f.referencedColumns.join('\u0000') === wanted);
      if (dependants.length === 0) continue;
      // Another unique key over the same columns keeps the foreign keys valid.
      const table = this.tables[key];
      const alternatives = (table.primaryKey && table.primaryKey.name !== constraint && table.primaryKey.columns.join('\u0000') === wanted ? 1 : 0) +
        table.indexes.filter((i) => i.unique && !i.where && i.name !== constraint && i.columns.join('\u0000') === wanted).length;
      if (alternatives > 0) return;
      this.recordDropEvent(`"${constraint}" of "${key}"`, 'drop', cascade, dependants.map((f) => foreignKeyDependant(otherKey, f.name)));
      if (!cascade) {
        this.refuse('dependent_objects_still_exist', `"${constraint}" is needed by foreign key${dependants.length > 1 ? 's' : ''} ${dependants.map((f) => `"${f.name}"`).join(', ')}; PostgreSQL refuses to drop it without CASCADE. The replay drops ${dependants.length > 1 ? 'them' : 'it'} too.`);
      }
      other.foreignKeys = other.foreignKeys.filter((f) => !dependants.includes(f));
      for (const f of dependants) this.forgetItem(otherKey, `#${f.name}`);
    }
  }

  // -------------------------------------------------------------------------
  // ALTER TABLE

  private alterTable(stmt: AlterTableStmt): void {
    if (stmt.objtype && stmt.objtype !== 'OBJECT_TABLE') return this.skip(`ALTER ${qualifiedLabel(stmt.objtype)}`);
    const found = this.table(stmt.relation, stmt.missing_ok);
    if (!found) return;
    const { table, key } = found;
    const commands = (stmt.cmds ?? []).map((node) => unwrap(node)).filter(([kind]) => kind === 'AlterTableCmd').map(([, body]) => body as AlterTableCmd);
    // A DROP DEFAULT anywhere in the statement is done before a type change of the same column (PostgreSQL's documented way).
    const defaultsDropped = new Set(commands.filter((c) => c.subtype === 'AT_ColumnDefault' && !c.def && c.name).map((c) => c.name as string));
    for (const command of commands) this.alterTableCommand(key, table, command, defaultsDropped);
  }

  private column(key: string, table: DbTable, name: string | undefined, missingOk?: boolean): DbColumn | undefined {
    const column = table.columns.find((c) => c.name === name);
    if (!column && !missingOk && !table.fromQuery) this.refuse('undefined_column', `Column "${name ?? ''}" does not exist in table "${key}"; this part of the statement is skipped.`);
    return column;
  }

  /** `defaultsDropped`: the columns whose default the statement drops, in any of its commands. */
  private alterTableCommand(key: string, table: DbTable, cmd: AlterTableCmd, defaultsDropped: ReadonlySet<string>): void {
    const subtype = cmd.subtype ?? '';
    if (NEUTRAL_SUBCOMMANDS.has(subtype)) return;
    switch (subtype) {
      case 'AT_AddColumn': {
        const def = unwrap(cmd.def)[1] as ColumnDef;
        if (table.columns.some((c) => c.name === def.colname)) {
          if (!cmd.missing_ok) this.refuse('duplicate_column', `Column "${def.colname ?? ''}" already exists in table "${key}"; it is not added again.`);
          return;
        }
        const built = this.buildColumn(def);
        table.columns.push(built.column);
        this.recordItem(key, `.${built.column.name}`);
        this.recordImplicitSequences(table, [built.column]);
        this.setDefaultDependencies(key, built.column, built.defaultExpr);
        this.setGeneratedFrom(key, built.column.name, built.generatedExpr);
        for (const constraint of built.constraints) this.addConstraint(key, table, constraint, built.column.name);
        return;
      }
      case 'AT_DropColumn': {
        if (!this.column(key, table, cmd.name, cmd.missing_ok)) return;
        return this.dropColumn(key, table, cmd.name ?? '', cmd.behavior === 'DROP_CASCADE');
      }
      case 'AT_AlterColumnType': {
        const column = this.column(key, table, cmd.name);
        if (!column) return;
        const generated = this.generatedUsers(key, column.name);
        if (generated.length > 0) {
          this.refuse('feature_not_supported', `Column "${column.name}" of "${key}" is used by generated column${generated.length > 1 ? 's' : ''} ${generated.map((g) => `"${g}"`).join(', ')}; PostgreSQL cannot change its type ("cannot alter type of a column used by a generated column"): drop the generated column first and add it again after.`);
        }
        const users = this.dependantsOf((d) => d.columns[key]?.includes(column.name) === true);
        if (users.length > 0) {
          this.recordDropEvent(`column "${key}"."${column.name}"`, 'alterType', false, users);
          const byTrigger = users.every((u) => u.kind === 'trigger');
          this.refuse('feature_not_supported', `Column "${column.name}" of "${key}" is used by ${users.map((u) => u.label).join(', ')}; PostgreSQL cannot change the type of a column ${byTrigger ? 'a trigger names ("cannot alter type of a column used in a trigger definition"): drop the trigger' : 'a view uses ("cannot alter type of a column used by a view or rule"): drop the view'} first and create it again after.`);
        }
        const def = unwrap(cmd.def)[1] as ColumnDef;
        const newType = resolveType(def.typeName, this.enumKey).type;
        // PostgreSQL casts the column's default to the new type with an assignment cast, and no other type has one to an enum.
        const sameEnum = column.type.isEnum && column.type.name === newType.name && column.type.array === newType.array;
        if (newType.isEnum && !sameEnum && column.default && column.default.kind !== 'autoincrement' && !defaultsDropped.has(column.name)) {
          this.refuse('datatype_mismatch', `The default of "${key}"."${column.name}" cannot be cast automatically to enum "${newType.name}" ("default for column cannot be cast automatically"): drop the default before the type change (ALTER COLUMN ... DROP DEFAULT) and set it again after, as Prisma does. The replay changes the type.`);
        } else if (column.default && !defaultsDropped.has(column.name) && defaultCastFails(column.type, newType, column.default)) {
          this.refuse('datatype_mismatch', `The default ${column.default.kind === 'value' ? column.default.sql : ''} of "${key}"."${column.name}" (${column.type.name}) cannot be cast automatically to ${newType.name}${newType.array ? '[]' : ''} ("default for column cannot be cast automatically"): drop the default before the type change (ALTER COLUMN ... DROP DEFAULT) and set it again after. The replay changes the type.`);
        }
        column.type = newType;
        // PostgreSQL casts an existing default to the new type: it now depends on that type too.
        const deps = this.data.defaultDependencies[key]?.[column.name];
        if (column.default && column.default.kind !== 'autoincrement' && column.type.isEnum) {
          (this.data.defaultDependencies[key] ??= {})[column.name] = [...new Set([...(deps ?? []), column.type.name])];
        }
        return;
      }
      case 'AT_ColumnDefault': {
        const column = this.column(key, table, cmd.name);
        if (!column) return;
        const value = cmd.def ? classifyDefault(cmd.def) : undefined;
        if (value) column.default = canonicalArrayDefault(value, column.type);
        else delete column.default;
        this.setDefaultDependencies(key, column, cmd.def);
        return;
      }
      case 'AT_SetNotNull':
      case 'AT_DropNotNull': {
        const column = this.column(key, table, cmd.name);
        if (column) column.nullable = subtype === 'AT_DropNotNull';
        return;
      }
      case 'AT_AddConstraint': {
        const [kind, body] = unwrap(cmd.def);
        if (kind === 'Constraint') this.addConstraint(key, table, body as Constraint);
        return;
      }
      case 'AT_DropConstraint':
        return this.dropConstraint(key, table, cmd.name ?? '', cmd.behavior === 'DROP_CASCADE', !!cmd.missing_ok);
      case 'AT_EnableRowSecurity':
        table.rowLevelSecurity = true;
        return;
      case 'AT_DisableRowSecurity':
        // Absent means disabled: the schema side never sets the flag, so "off" has one spelling.
        delete table.rowLevelSecurity;
        return;
      case 'AT_AddIdentity': {
        const column = this.column(key, table, cmd.name);
        if (!column) return;
        const c = unwrap(cmd.def)[1] as Constraint;
        column.generated = `GENERATED ${c.generated_when === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
        column.default = { kind: 'autoincrement' };
        column.nullable = false;
        this.setDefaultDependencies(key, column, undefined);
        this.recordImplicitSequences(table, [column]);
        return;
      }
      case 'AT_DropIdentity': {
        const column = this.column(key, table, cmd.name, cmd.missing_ok);
        if (!column) return;
        delete column.generated;
        delete column.default;
        return;
      }
      case 'AT_DropExpression': {
        const column = this.column(key, table, cmd.name, cmd.missing_ok);
        if (!column) return;
        delete column.generated;
        this.setGeneratedFrom(key, column.name, undefined);
        return;
      }
      case 'AT_SetExpression': {
        const column = this.column(key, table, cmd.name);
        if (!column) return;
        column.generated = `GENERATED ALWAYS AS (${expressionSql(cmd.def)}) STORED`;
        this.setGeneratedFrom(key, column.name, cmd.def);
        return;
      }
      case 'AT_ChangeOwner':
        return this.skip('ALTER TABLE ... OWNER TO');
      default:
        return this.skip(`ALTER TABLE ... ${subtype.replace(/^AT_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()}`);
    }
  }

  /** Reads `OWNED BY t.c | NONE` among a sequence's options; false when there is none. */
  private setSequenceOwner(sequenceKey: string, options: Node[] | undefined): boolean {
    const ownedBy = optionArgument(options, 'owned_by');
    if (!ownedBy) return false;
    const parts = objectNames(ownedBy);
    const owned = (this.data.ownedSequences ??= {});
    if (parts.length < 2) {
      // OWNED BY NONE
      delete owned[sequenceKey];
      return true;
    }
    const column = parts.pop() ?? '';
    const on = this.qualify(parts, this.relationExists);
    owned[sequenceKey] = { table: tableKey(on.schema, on.name), column };
    return true;
  }

  /** The sequence names PostgreSQL gives serial and identity columns (`<table>_<column>_seq`); a name it had to vary is missed, which only costs a refusal. */
  private recordImplicitSequences(table: DbTable, columns: DbColumn[]): void {
    for (const column of columns) {
      if (column.default?.kind !== 'autoincrement') continue;
      const key = tableKey(table.schema, chooseName(table.name, [column.name], 'seq', () => false));
      const known = (this.data.implicitSequences ??= []);
      if (!known.includes(key)) known.push(key);
    }
  }

  /** Drops the sequences owned by a column (or, without one, by any column of the table), as PostgreSQL does. */
  private dropOwnedSequences(table: string, column?: string): void {
    const owned = this.data.ownedSequences;
    if (!owned) return;
    for (const [key, owner] of Object.entries(owned)) {
      if (owner.table !== table || (column !== undefined && owner.column !== column)) continue;
      delete owned[key];
      delete this.objects[key];
    }
  }

  /** Keeps the owners of sequences in step with a renamed table or column. */
  private renameSequenceOwners(fromTable: string, toTable: string, fromColumn?: string, toColumn?: string): void {
    for (const owner of Object.values(this.data.ownedSequences ?? {})) {
      if (owner.table !== fromTable) continue;
      owner.table = toTable;
      if (fromColumn !== undefined && toColumn !== undefined && owner.column === fromColumn) owner.column = toColumn;
    }
  }

  private dropColumn(key: string, table: DbTable, name: string, cascade: boolean): void {
    const generated = this.generatedUsers(key, name);
    if (generated.length > 0) {
      this.recordDropEvent(`column "${key}"."${name}"`, 'drop', cascade, generated.map((g) => columnDependant(key, g)));
      if (!cascade) {
        this.refuse('dependent_objects_still_exist', `Column "${name}" of "${key}" is used by generated column${generated.length > 1 ? 's' : ''} ${generated.map((g) => `"${g}"`).join(', ')}; PostgreSQL refuses to drop it without CASCADE. The replay drops ${generated.length > 1 ? 'them' : 'it'} too.`);
      }
      for (const dependant of generated) if (table.columns.some((c) => c.name === dependant)) this.dropColumn(key, table, dependant, cascade);
    }
    this.setGeneratedFrom(key, name, undefined);
    this.dropViewsOn(`column "${key}"."${name}"`, (d) => d.columns[key]?.includes(name) === true, cascade);
    // Foreign keys elsewhere that point at the column need CASCADE.
    for (const [otherKey, other] of Object.entries(this.tables)) {
      if (otherKey === key) continue;
      const dependants = other.foreignKeys.filter((f) => f.referencedTable === key && f.referencedColumns.includes(name));
      if (dependants.length === 0) continue;
      this.recordDropEvent(`column "${key}"."${name}"`, 'drop', cascade, dependants.map((f) => foreignKeyDependant(otherKey, f.name)));
      if (!cascade) {
        this.refuse('dependent_objects_still_exist', `Column "${name}" of "${key}" is referenced by foreign key${dependants.length > 1 ? 's' : ''} ${dependants.map((f) => `"${f.name}"`).join(', ')}; PostgreSQL refuses to drop it without CASCADE. The replay drops ${dependants.length > 1 ? 'them' : 'it'} too.`);
      }
      other.foreignKeys = other.foreignKeys.filter((f) => !dependants.includes(f));
      for (const f of dependants) this.forgetItem(otherKey, `#${f.name}`);
    }
    table.columns = table.columns.filter((c) => c.name !== name);
    this.forgetItem(key, `.${name}`);
    this.dropOwnedSequences(key, name);
    if (this.data.defaultDependencies[key]) delete this.data.defaultDependencies[key][name];
    // PostgreSQL drops every index and constraint of the table that involves the column.
    for (const index of table.indexes.filter((i) => i.columns.some((entry) => entryUsesColumn(entry, name)) || (i.where !== undefined && mentionsColumn(i.where, name)))) {
      if (index.unique) this.dropDependentForeignKeys(key, index.columns, true, index.name);
      table.indexes = table.indexes.filter((i) => i !== index);
      this.forgetItem(key, `#${index.name}`);
    }
    if (table.primaryKey?.columns.includes(name)) {
      this.dropDependentForeignKeys(key, table.primaryKey.columns, true, table.primaryKey.name ?? '');
      this.forgetItem(key, `#${table.primaryKey.name ?? ''}`);
      delete table.primaryKey;
    }
    // The table's own foreign keys on the column, and self-references to it, go with it.
    for (const fk of table.foreignKeys.filter((f) => f.columns.includes(name) || (f.referencedTable === key && f.referencedColumns.includes(name)))) {
      table.foreignKeys = table.foreignKeys.filter((f) => f !== fk);
      this.forgetItem(key, `#${fk.name}`);
    }
  }

  // -------------------------------------------------------------------------
  // Indexes

  private createIndex(stmt: IndexStmt): void {
    const columns: string[] = [];
    const nameParts: string[] = [];
    for (const node of stmt.indexParams ?? []) {
      const elem = unwrap(node)[1] as IndexElem;
      columns.push(indexEntry(elem));
      nameParts.push(elem.name ?? indexColumnName(elem.expr));
    }
    // PostgreSQL names an index after its INCLUDE columns too.
    for (const node of stmt.indexIncludingParams ?? []) nameParts.push((unwrap(node)[1] as IndexElem).name ?? 'expr');
    // `_key` is for the index of a UNIQUE constraint only: CREATE UNIQUE INDEX without a name gets `_idx`, as any index.
    const label = stmt.primary ? 'pkey' : stmt.isconstraint ? 'key' : 'idx';
    const found = this.table(stmt.relation, false);
    if (!found) return this.createRelationIndex(stmt, nameParts, label);
    const { table, key } = found;
    const plain = (stmt.indexParams ?? []).map((n) => (unwrap(n)[1] as IndexElem).name).filter((n): n is string => !!n);
    if (!this.columnsExist(key, table, plain)) return;
    const taken = this.relationTaken(table.schema);
    const name = stmt.idxname ?? chooseName(table.name, nameParts, label, taken);
    if (taken(name)) {
      if (!stmt.if_not_exists) this.refuse('duplicate_table', `A relation named "${name}" already exists; the index is not created.`);
      return;
    }
    const index: DbIndex = { name, columns, unique: !!stmt.unique };
    const method = (stmt.accessMethod ?? 'btree').toLowerCase();
    if (method !== 'btree') index.method = method;
    if (stmt.whereClause) index.where = expressionSql(stmt.whereClause);
    const include = (stmt.indexIncludingParams ?? []).map((n) => (unwrap(n)[1] as IndexElem).name).filter((n): n is string => !!n);
    if (include.length > 0) index.include = include;
    if (stmt.nulls_not_distinct) index.nullsNotDistinct = true;
    table.indexes.push(index);
    this.recordItem(key, `#${name}`);
  }

  /** An index on a materialized view; on a plain view PostgreSQL refuses it (on a missing relation table() said so). */
  private createRelationIndex(stmt: IndexStmt, nameParts: string[], label: string): void {
    const rel = this.relation(stmt.relation);
    const relation = rel.temporary ? undefined : this.objects[`relation:${rel.key}`];
    if (relation?.kind === 'view') {
      this.refuse('wrong_object_type', `"${rel.key}" is a view, which PostgreSQL cannot index; the index is not created.`);
      return;
    }
    if (relation?.kind !== 'materializedView') return;
    const taken = this.relationTaken(rel.schema);
    const name = stmt.idxname ?? chooseName(rel.name, nameParts, label, taken);
    if (taken(name)) {
      if (!stmt.if_not_exists) this.refuse('duplicate_table', `A relation named "${name}" already exists; the index is not created.`);
      return;
    }
    (this.data.relationIndexes ??= {})[tableKey(rel.schema, name)] = { view: rel.key, name };
  }

  /** The key of an index on a materialized view, looked up as findIndex looks up table indexes. */
  private findRelationIndex(schema: string | undefined, name: string): string | undefined {
    const indexes = this.data.relationIndexes;
    if (!indexes) return undefined;
    const key = tableKey(schema ?? this.qualify([name], (s, n) => indexes[tableKey(s, n)] !== undefined).schema, name);
    return indexes[key] !== undefined ? key : undefined;
  }

  // -------------------------------------------------------------------------
  // DROP

  private drop(stmt: DropStmt): void {
    const relations = ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW'].includes(stmt.removeType ?? '');
    this.droppedTogether = new Set(relations ? (stmt.objects ?? []).map((o) => { const at = this.qualify(objectNames(o), this.relationExists); return tableKey(at.schema, at.name); }) : []);
    try {
      this.dropObjects(stmt);
    } finally {
      this.droppedTogether = new Set();
    }
  }

  private dropObjects(stmt: DropStmt): void {
    const cascade = stmt.behavior === 'DROP_CASCADE';
    const missingOk = !!stmt.missing_ok;
    switch (stmt.removeType) {
      case 'OBJECT_TABLE':
        for (const object of stmt.objects ?? []) this.dropTable(objectNames(object), cascade, missingOk);
        return;
      case 'OBJECT_INDEX':
        for (const object of stmt.objects ?? []) this.dropIndex(objectNames(object), cascade, missingOk);
        return;
      case 'OBJECT_TYPE':
        for (const object of stmt.objects ?? []) this.dropType(objectNames(object), cascade, missingOk);
        return;
      case 'OBJECT_DOMAIN':
        for (const object of stmt.objects ?? []) {
          const { schema, name } = splitQualified(objectNames(object));
          if (this.data.otherTypes.includes(tableKey(schema, name))) this.dropOtherType(tableKey(schema, name), name, cascade, 'domain');
        }
        return this.skip('DROP DOMAIN');
      case 'OBJECT_SCHEMA':
        for (const object of stmt.objects ?? []) this.dropSchema(objectNames(object)[0] ?? '', cascade);
        return;
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE': {
        const kind: DbObjectKind = stmt.removeType === 'OBJECT_VIEW' ? 'view' : stmt.removeType === 'OBJECT_MATVIEW' ? 'materializedView' : 'sequence';
        for (const object of stmt.objects ?? []) {
          const at = this.qualify(objectNames(object), this.relationExists);
          const key = tableKey(at.schema, at.name);
          if (kind !== 'sequence' && this.objects[objectKey(kind, at.schema, at.name)]?.kind === kind) this.dropViewsOn(`${LABELS[kind]} "${key}"`, (d) => d.relations.includes(key), cascade);
          this.dropObject(kind, at, missingOk);
        }
        return;
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE':
        for (const object of stmt.objects ?? []) {
          const [, fn] = unwrap(object);
          const at = this.qualify(names((fn as { objname?: Node[] }).objname));
          const name = at.name.toLowerCase();
          const key = objectKey('function', at.schema, at.name);
          // One overload of several: the others stay, and so does what calls the function by name.
          if (this.dropOverload(key, fn as { objargs?: Node[]; args_unspecified?: boolean })) continue;
          if (this.objects[key]) this.dropViewsOn(`function "${at.name}"`, (d) => d.functions.includes(name), cascade);
          if (this.objects[key]) this.dropFunctionUsers([at.name], `Function "${at.name}"`, cascade);
          this.dropObject('function', at, missingOk);
          if (this.data.overloads) delete this.data.overloads[key];
        }
        return;
      case 'OBJECT_TRIGGER':
        for (const object of stmt.objects ?? []) {
          // DROP TRIGGER name ON table: the list is the table's qualified name followed by the trigger's.
          const parts = objectNames(object);
          const trigger = parts.pop() ?? '';
          const on = this.qualify(parts, this.relationExists);
          this.dropObject('trigger', { name: trigger, ...(on.schema ? { schema: on.schema } : {}) }, missingOk, tableKey(on.schema, on.name));
        }
        return;
      case 'OBJECT_EXTENSION':
        for (const object of stmt.objects ?? []) this.dropExtension(objectNames(object)[0] ?? '', cascade, missingOk);
        return;
      default:
        return this.skip(`DROP ${qualifiedLabel(stmt.removeType ?? 'OBJECT_UNKNOWN')}`);
    }
  }

  /** DROP TYPE | DOMAIN | TABLE | EXTENSION ... CASCADE: the overloads whose parameters or result use one of `types` go too. */
  private dropFunctionsUsingTypes(types: readonly string[]): void {
    const wanted = types.map((t) => t.toLowerCase());
    for (const [key, bySignature] of Object.entries(this.data.functionResults ?? {})) {
      const overloads = this.data.overloads?.[key];
      if (!overloads || !this.objects[key]) continue;
      for (const [signature, result] of Object.entries(bySignature)) {
        if (!overloads.includes(signature) || !result.types.some((t) => wanted.includes(t))) continue;
        overloads.splice(overloads.indexOf(signature), 1);
        delete bySignature[signature];
      }
      if (overloads.length === 0) {
        delete this.objects[key];
        delete this.data.overloads![key];
      }
    }
  }

  /** `CREATE [OR REPLACE] FUNCTION` of an overload that exists: what PostgreSQL refuses to change in place. */
  private replaceFunction(key: string, signature: string, fn: CreateFunctionStmt, result: FunctionResult): void {
    const label = `${this.objects[key].name}(${signature})`;
    const before = this.data.functionResults?.[key]?.[signature];
    // A statement the replay could not read since may have dropped it (EXECUTE of a built string, say).
    if (!before || this.data.uncertain.slice(before.uncertainAt).some((entry) => !entry.fails)) return;
    if (!fn.replace) {
      this.refuse('duplicate_function', `Function "${label}" already exists with the same argument types; CREATE FUNCTION without OR REPLACE fails. The replay keeps the new definition.`);
      return;
    }
    if (before.returns !== undefined && result.returns !== undefined && before.returns !== result.returns) {
      this.refuse('invalid_function_definition', `CREATE OR REPLACE cannot change what "${label}" returns (${before.returns}, now ${result.returns}): PostgreSQL refuses it ("cannot change return type of existing function"). Drop the function first (DROP FUNCTION), then create it. The replay keeps the new definition.`);
      return;
    }
    const renamed = before.inputNames.findIndex((name, i) => name !== '' && result.inputNames[i] !== name);
    if (renamed >= 0) {
      this.refuse('invalid_function_definition', `CREATE OR REPLACE cannot rename input parameter "${before.inputNames[renamed]}" of "${label}": PostgreSQL refuses it ("cannot change name of input parameter"). Drop the function first (DROP FUNCTION), then create it. The replay keeps the new definition.`);
    }
  }

  /**
   * DROP FUNCTION f(args) of a function with several overloads: removes the one
   * named (or, when the argument types are not recognised, one of them: the count
   * is what decides whether a later DROP finds a function). True when overloads
   * are left; false when the drop takes the function itself.
   */
  private dropOverload(key: string, target: { objargs?: Node[]; args_unspecified?: boolean }): boolean {
    const overloads = this.data.overloads?.[key];
    if (!overloads || overloads.length < 2 || !this.objects[key]) return false;
    if (target.args_unspecified) {
      this.refuse('ambiguous_function', `Function "${this.objects[key].name}" has ${overloads.length} overloads; PostgreSQL refuses to drop it without its argument types. Skipped.`);
      return true;
    }
    const signature = (target.objargs ?? []).map((arg) => signatureType(arg as unknown as TypeName)).join(',');
    const at = overloads.indexOf(signature);
    overloads.splice(at >= 0 ? at : overloads.length - 1, 1);
    return true;
  }

  /**
   * DROP EXTENSION: with CASCADE, PostgreSQL drops the columns of the types
   * the extension defines (and their indexes) and the indexes on its operator
   * classes; without it, it refuses while any of them exists. Only what
   * EXTENSION_COLUMN_TYPES and EXTENSION_OPERATOR_CLASSES list is known.
   */
  private dropExtension(name: string, cascade: boolean, missingOk: boolean): void {
    const known = !!this.objects[objectKey('extension', undefined, name)];
    if (known) {
      // Views, defaults and index expressions that call its functions (a function of the same name the migrations created is theirs, not the extension's).
      const calls = (fn: string): boolean => extensionOf(fn) === name.toLowerCase() && this.data.functions[fn] === undefined;
      this.dropViewsOn(`extension "${name}"`, (d) => d.extensionCalls?.some(calls) === true, cascade);
      const called = (EXTENSION_FUNCTIONS[name.toLowerCase()] ?? []).filter(calls);
      if (called.length > 0) this.dropFunctionUsers(called, `Extension "${name}"`, cascade);
    }
    const types = EXTENSION_COLUMN_TYPES[name.toLowerCase()] ?? [];
    const operatorClasses = EXTENSION_OPERATOR_CLASSES[name.toLowerCase()] ?? [];
    const users = known ? this.columnsOfType((type) => !type.isEnum && types.includes(type.name)) : [];
    const indexUsers: [string, DbTable, DbIndex][] = [];
    if (known) {
      for (const [key, table] of Object.entries(this.tables)) {
        for (const index of table.indexes) if (index.columns.some((entry) => entry.split(' ').slice(1).some((word) => operatorClasses.includes(word)))) indexUsers.push([key, table, index]);
      }
    }
    if (users.length > 0) this.recordDropEvent(`extension "${name}"`, 'drop', cascade, users.map(([key, , column]) => columnDependant(key, column)));
    if (users.length + indexUsers.length > 0 && !cascade) {
      const what = [...users.map(([key, , column]) => `column "${key}"."${column}"`), ...indexUsers.map(([, , index]) => `index "${index.name}"`)];
      return this.refuse('dependent_objects_still_exist', `Extension "${name}" is still used by ${what.join(', ')}; PostgreSQL refuses to drop it without CASCADE. Skipped.`);
    }
    for (const [key, table, index] of indexUsers) {
      table.indexes = table.indexes.filter((i) => i !== index);
      this.forgetItem(key, `#${index.name}`);
    }
    for (const [key, table, column] of users) this.dropColumn(key, table, column, true);
    if (cascade) this.dropFunctionsUsingTypes(types);
    this.dropObject('extension', { name }, missingOk);
  }

  /**
   * TRUNCATE changes no schema, but PostgreSQL rejects it for a table that does
   * not exist, and, without CASCADE, for a table another table's foreign key
   * references unless that table is truncated in the same statement (even when
   * both are empty).
   */
  private checkTruncate(stmt: TruncateStmt): void {
    const truncated = new Set<string>();
    for (const node of stmt.relations ?? []) {
      const found = this.table((node as { RangeVar?: RangeVar }).RangeVar, false);
      if (found) truncated.add(found.key);
    }
    if (stmt.behavior === 'DROP_CASCADE') return;
    for (const key of truncated) {
      for (const [otherKey, other] of Object.entries(this.tables)) {
        if (truncated.has(otherKey)) continue;
        const fk = other.foreignKeys.find((f) => f.referencedTable === key);
        if (!fk) continue;
        this.refuse('feature_not_supported', `Table "${key}" is referenced by foreign key "${fk.name}" of "${otherKey}"; PostgreSQL cannot TRUNCATE it unless "${otherKey}" is truncated in the same statement or CASCADE is given. Nothing is truncated.`, [key, otherKey]);
        return;
      }
    }
  }

  private dropTable(parts: string[], cascade: boolean, missingOk: boolean): void {
    const { schema, name } = this.qualify(parts, this.relationExists);
    if (parts.length === 1 && this.data.temporaryTables.includes(name)) {
      this.data.temporaryTables = this.data.temporaryTables.filter((t) => t !== name);
      return;
    }
    const key = tableKey(schema, name);
    if (key === PRISMA_MIGRATIONS_TABLE) {
      this.data.prismaMigrationsDropped = true;
      return;
    }
    if (this.data.partitions?.[key] !== undefined) {
      delete this.data.partitions[key];
      return;
    }
    if (!this.tables[key]) {
      if (!missingOk) this.refuse('undefined_table', `Table "${key}" does not exist at this point of the migrations; DROP TABLE is skipped.`);
      return;
    }
    this.removeTable(key, cascade);
  }

  private removeTable(key: string, cascade: boolean): void {
    this.dropViewsOn(`table "${key}"`, (d) => d.relations.includes(key), cascade);
    if (cascade && this.tables[key]) this.dropFunctionsUsingTypes([this.tables[key].name]);
    delete this.tables[key];
    this.forgetTriggers(key);
    this.dropOwnedSequences(key);
    this.moveChildPartitions(key, undefined);
    delete this.data.tableSources[key];
    delete this.data.unmodelledConstraints[key];
    delete this.data.defaultDependencies[key];
    if (this.data.generatedFrom) delete this.data.generatedFrom[key];
    for (const [otherKey, other] of Object.entries(this.tables)) {
      const dependants = other.foreignKeys.filter((f) => f.referencedTable === key);
      if (dependants.length === 0) continue;
      // DROP TABLE "User", "Post": the referencing table goes in the same statement, so nothing is left depending.
      const together = this.droppedTogether.has(otherKey);
      if (!together) this.recordDropEvent(`table "${key}"`, 'drop', cascade, dependants.map((f) => foreignKeyDependant(otherKey, f.name)));
      if (!cascade && !together) {
        this.refuse('dependent_objects_still_exist', `Table "${key}" is referenced by foreign key${dependants.length > 1 ? 's' : ''} ${dependants.map((f) => `"${f.name}"`).join(', ')} of "${otherKey}"; PostgreSQL refuses to drop it without CASCADE. The replay drops ${dependants.length > 1 ? 'them' : 'it'} too.`);
      }
      other.foreignKeys = other.foreignKeys.filter((f) => !dependants.includes(f));
      for (const f of dependants) this.forgetItem(otherKey, `#${f.name}`);
    }
  }

  private dropIndex(parts: string[], cascade: boolean, missingOk: boolean): void {
    const { schema, name } = splitQualified(parts);
    const found = this.findIndex(schema, name);
    if (!found) {
      const onView = this.findRelationIndex(schema, name);
      if (onView) delete this.data.relationIndexes![onView];
      else if (!missingOk) this.refuse('undefined_object', `Index "${tableKey(schema, name)}" does not exist at this point of the migrations; DROP INDEX is skipped.`);
      return;
    }
    if (found.primaryKey) {
      this.refuse('dependent_objects_still_exist', `"${name}" is the index of the primary key of "${found.key}"; PostgreSQL refuses to drop it with DROP INDEX. Skipped.`);
      return;
    }
    if (found.index?.constraint) {
      this.refuse('dependent_objects_still_exist', `"${name}" is the index of a UNIQUE constraint of "${found.key}", not a plain index; PostgreSQL refuses to drop it with DROP INDEX, even with CASCADE: drop the constraint (ALTER TABLE ... DROP CONSTRAINT "${name}"). Skipped.`);
      return;
    }
    if (found.index?.unique) this.dropDependentForeignKeys(found.key, found.index.columns, cascade, name);
    found.table.indexes = found.table.indexes.filter((i) => i !== found.index);
    this.forgetItem(found.key, `#${name}`);
  }

  private dropSchema(schema: string, cascade: boolean): void {
    const tables = Object.keys(this.tables).filter((k) => this.tables[k].schema === schema);
    const enums = Object.keys(this.data.state.enums).filter((k) => this.data.state.enums[k].schema === schema);
    const held = Object.values(this.data.state.objects ?? {}).filter((o) => o.schema === schema && o.kind !== 'trigger').length;
    if (!cascade && tables.length + enums.length + held > 0) {
      const counts = [[tables.length, 'table', 'tables'], [enums.length, 'enum', 'enums'], [held, 'view, function or sequence', 'views, functions or sequences']] as const;
      const what = counts.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n > 1 ? many : one}`).join(', ');
      this.refuse('dependent_objects_still_exist', `Schema "${schema}" still holds ${what}; PostgreSQL refuses to drop it without CASCADE. The replay drops them.`);
    }
    for (const key of tables) this.removeTable(key, true);
    for (const key of enums) {
      delete this.data.state.enums[key];
      delete this.data.enumSources[key];
    }
    const objects = this.data.state.objects ?? {};
    for (const key of Object.keys(objects)) if (objects[key].schema === schema || (objects[key].kind === 'schema' && objects[key].name === schema)) delete objects[key];
  }

  // -------------------------------------------------------------------------
  // Views, functions, triggers, sequences, extensions, schemas: recorded, never tables

  private get objects(): Record<string, DbObject> {
    return (this.data.state.objects ??= {});
  }

  /**
   * Records an object a migration creates. A view or sequence shares the
   * relation namespace with tables, so PostgreSQL refuses one over an existing
   * table; OR REPLACE and IF NOT EXISTS keep what is there.
   */
  private createObject(kind: DbObjectKind, at: { schema?: string; name: string; key?: string }, replace: boolean, ifNotExists: boolean, table?: string): void {
    const key = objectKey(kind, at.schema, at.name, table);
    const relation = kind === 'view' || kind === 'materializedView' || kind === 'sequence';
    if (relation && this.tables[tableKey(at.schema, at.name)]) {
      if (!ifNotExists) this.refuse('duplicate_table', `A table named "${tableKey(at.schema, at.name)}" already exists; the ${LABELS[kind]} is not created.`);
      return;
    }
    const existing = this.objects[key] ?? (kind === 'sequence' ? this.objects[`relation:${tableKey(at.schema, at.name)}`] : undefined);
    if (existing) {
      // A function or trigger with the same name may be another overload or a replacement: either way it exists.
      if (!replace && !ifNotExists && kind !== 'function' && kind !== 'procedure') this.refuse('duplicate_object', `${capitalise(LABELS[existing.kind])} "${at.schema ? `${at.schema}.` : ''}${at.name}" already exists; the statement is skipped.`);
      if (!(replace && (existing.kind === kind))) return;
    }
    const object: DbObject = { kind, name: at.name, ...(at.schema ? { schema: at.schema } : {}), ...(table !== undefined ? { table } : {}) };
    this.objects[key] = object;
  }

  private dropObject(kind: DbObjectKind, at: { schema?: string; name: string }, missingOk: boolean, table?: string): void {
    const key = objectKey(kind, at.schema, at.name, table);
    const found = this.objects[key];
    // DROP VIEW of a materialized view (and the reverse) is refused by PostgreSQL; DROP TABLE of a view too.
    if (!found || (kind === 'view' || kind === 'materializedView') && found.kind !== kind) {
      // serial and identity columns own sequences nobody created by name (`Webhook_id_seq`): not knowing one is no sign of trouble.
      if (!missingOk && kind !== 'sequence') this.refuse('undefined_object', `${capitalise(LABELS[kind])} "${at.schema ? `${at.schema}.` : ''}${at.name}" does not exist at this point of the migrations; the DROP is skipped.`);
      return;
    }
    delete this.objects[key];
    if (this.data.dependencies) delete this.data.dependencies[key];
    if (kind === 'view' || kind === 'materializedView') this.forgetTriggers(tableKey(at.schema, at.name));
    if (kind === 'materializedView') this.moveRelationIndexes(tableKey(at.schema, at.name), undefined);
  }

  /**
   * The indexes of a materialized view follow it when it is renamed or moved
   * to another schema (`to`, with `toSchema`), and go with it when it is dropped.
   */
  private moveRelationIndexes(from: string, to: string | undefined, toSchema?: string): void {
    const indexes = this.data.relationIndexes;
    if (!indexes) return;
    for (const [key, index] of Object.entries(indexes)) {
      if (index.view !== from) continue;
      delete indexes[key];
      if (to !== undefined) indexes[tableKey(toSchema, index.name)] = { view: to, name: index.name };
    }
  }

  private renameRelationIndex(key: string, newName: string): void {
    const indexes = this.data.relationIndexes!;
    const { view } = indexes[key];
    const schema = this.objects[`relation:${view}`]?.schema;
    if (this.relationTaken(schema)(newName)) {
      this.refuse('duplicate_table', `A relation named "${newName}" already exists; the rename is skipped.`);
      return;
    }
    delete indexes[key];
    indexes[tableKey(schema, newName)] = { view, name: newName };
  }

  private renameObject(key: string, object: DbObject, newRelationKey: string, newName: string): void {
    const newKey = `relation:${newRelationKey}`;
    if (this.objects[newKey] || this.tables[newRelationKey]) {
      this.refuse('duplicate_table', `A relation named "${newRelationKey}" already exists; the rename is skipped.`);
      return;
    }
    this.relocateRelation(key, { ...object, name: newName }, newRelationKey);
  }

  /** A view or materialized view under its new name or schema, with what depends on it, its indexes and its triggers. */
  private relocateRelation(key: string, moved: DbObject, newRelationKey: string): void {
    const oldRelationKey = key.slice('relation:'.length);
    const newKey = `relation:${newRelationKey}`;
    delete this.objects[key];
    this.objects[newKey] = moved;
    this.renameDependencies(oldRelationKey, newRelationKey, key, newKey);
    this.moveRelationIndexes(oldRelationKey, newRelationKey, moved.schema);
    this.moveTriggers(oldRelationKey, newRelationKey, moved.schema);
  }

  // -------------------------------------------------------------------------
  // Dependencies: views on tables, columns, views and functions; triggers on functions

  private recordViewDependencies(key: string, query: Node | undefined): void {
    if (!this.objects[key] || !query) return;
    const dependencies = viewDependencies(query, {
      relationKey: (rv) => this.relation(rv).key,
      columnsOf: (table) => this.tables[table]?.columns.map((c) => c.name),
      isUserFunction: (name) => this.data.functions[name] !== undefined,
    });
    const types = [...new Set(castTypes(query).map((parts) => parts[parts.length - 1]).filter((name): name is string => !!name))];
    const extensionCalls = new Set<string>();
    walkParseTree(query, (object) => {
      const call = object.FuncCall as { funcname?: Node[] } | undefined;
      const name = call ? names(call.funcname).pop()?.toLowerCase() : undefined;
      if (name && extensionOf(name)) extensionCalls.add(name);
    });
    (this.data.dependencies ??= {})[key] = { ...dependencies, ...(types.length > 0 ? { types } : {}), ...(extensionCalls.size > 0 ? { extensionCalls: [...extensionCalls] } : {}) };
  }

  /** The views and triggers that depend, directly or through other views, on what `depends` picks; closest first. */
  private dependantsOf(depends: (d: ObjectDependencies) => boolean): Dependant[] {
    const found: string[] = [];
    const all = this.data.dependencies ?? {};
    let next = Object.keys(all).filter((k) => this.objects[k] && depends(all[k]));
    while (next.length > 0) {
      found.push(...next.filter((k) => !found.includes(k)));
      const relations = next.filter((k) => k.startsWith('relation:')).map((k) => k.slice('relation:'.length));
      next = Object.keys(all).filter((k) => this.objects[k] && !found.includes(k) && all[k].relations.some((r) => relations.includes(r)));
    }
    return found.map((key) => {
      const object = this.objects[key];
      const name = object.schema ? `${object.schema}.${object.name}` : object.name;
      const kind = object.kind === 'materializedView' ? 'materializedView' : object.kind === 'trigger' ? 'trigger' : 'view';
      return { kind, key, label: kind === 'trigger' ? `trigger "${object.name}" on "${object.table ?? ''}"` : `${LABELS[object.kind]} "${name}"` };
    });
  }

  /**
   * Drops what depends on the object a statement drops: PostgreSQL refuses
   * without CASCADE (the replay drops them anyway, as it does foreign keys,
   * and the note says so) and with CASCADE drops them, silently.
   */
  private dropViewsOn(target: string, depends: (d: ObjectDependencies) => boolean, cascade: boolean): void {
    // A view named in the same DROP is dropped by its own name, not as a dependant.
    const dependants = this.dependantsOf(depends).filter((d) => !(d.key.startsWith('relation:') && this.droppedTogether.has(d.key.slice('relation:'.length))));
    if (dependants.length === 0) return;
    this.recordDropEvent(target, 'drop', cascade, dependants);
    if (!cascade) {
      this.refuse('dependent_objects_still_exist', `${capitalise(target)} is used by ${dependants.map((d) => d.label).join(', ')}; PostgreSQL refuses to drop it without CASCADE. The replay drops ${dependants.length > 1 ? 'them' : 'it'} too.`);
    }
    for (const dependant of dependants) {
      delete this.objects[dependant.key];
      if (this.data.dependencies) delete this.data.dependencies[dependant.key];
      if (dependant.key.startsWith('relation:')) this.forgetTriggers(dependant.key.slice('relation:'.length));
    }
  }

  private recordDropEvent(target: string, action: DropEvent['action'], cascade: boolean, dependants: Dependant[]): void {
    if (!this.migration || !this.statement) return;
    (this.data.dropEvents ??= []).push({ migration: this.migration.name, file: this.migration.file, range: this.statement.range, target, action, cascade, dependants });
  }

  /** What an object depends on, kept under its new key when the object is renamed or moved. */
  private moveDependencies(oldKey: string, newKey: string): void {
    moveEntry(this.data.dependencies, oldKey, newKey);
  }

  /** A table or view renamed (or moved to another schema): what depends on it follows, as in PostgreSQL. */
  private renameDependencies(oldRelation: string, newRelation: string, oldObjectKey?: string, newObjectKey?: string): void {
    const all = this.data.dependencies;
    if (!all) return;
    if (oldObjectKey && newObjectKey) this.moveDependencies(oldObjectKey, newObjectKey);
    for (const dependencies of Object.values(all)) {
      dependencies.relations = dependencies.relations.map((r) => (r === oldRelation ? newRelation : r));
      if (dependencies.columns[oldRelation]) {
        dependencies.columns[newRelation] = dependencies.columns[oldRelation];
        delete dependencies.columns[oldRelation];
      }
    }
  }

  /** A partitioned table's partitions follow it when it is renamed or moved (`to`) and go with it when it is dropped. */
  private moveChildPartitions(from: string, to: string | undefined): void {
    const partitions = this.data.partitions;
    if (!partitions) return;
    for (const child of Object.keys(partitions)) {
      if (partitions[child] !== from) continue;
      if (to === undefined) delete partitions[child];
      else partitions[child] = to;
    }
  }

  /** A renamed or moved table or view keeps its triggers (and what they call), under its new key. */
  private moveTriggers(oldRelation: string, newRelation: string, schema: string | undefined): void {
    const objects = this.data.state.objects;
    if (!objects) return;
    for (const [key, object] of Object.entries(objects)) {
      if (object.kind !== 'trigger' || object.table !== oldRelation) continue;
      const newKey = objectKey('trigger', schema, object.name, newRelation);
      delete objects[key];
      objects[newKey] = { ...inSchema(object, schema), table: newRelation };
      this.moveDependencies(key, newKey);
    }
  }

  private forgetTriggers(relationKey: string): void {
    const objects = this.data.state.objects;
    if (!objects) return;
    for (const key of Object.keys(objects)) if (objects[key].kind === 'trigger' && objects[key].table === relationKey) delete objects[key];
  }

  private createSchema(stmt: CreateSchemaStmt): void {
    const name = stmt.schemaname ?? '';
    const key = objectKey('schema', undefined, name);
    if (name === 'public' || this.objects[key]) {
      if (!stmt.if_not_exists) this.refuse('duplicate_schema', `Schema "${name}" already exists; CREATE SCHEMA is skipped.`);
      return;
    }
    this.objects[key] = { kind: 'schema', name };
    if (!this.data.schemasCreated?.includes(name)) (this.data.schemasCreated ??= []).push(name);
    // CREATE SCHEMA x CREATE TABLE ...: the elements are created in the new schema.
    for (const element of stmt.schemaElts ?? []) {
      const previous = this.searchPath;
      this.searchPath = [name];
      try {
        this.applyStatement({ ...(this.statement as ParsedStatement), ast: element as ParsedStatement['ast'], kind: unwrap(element)[0] });
      } finally {
        this.searchPath = previous;
      }
    }
  }

  /** `SET [LOCAL] search_path TO a, b` and `RESET search_path`; other settings change nothing the state models. */
  private setVariable(stmt: VariableSetStmt): void {
    if (stmt.name !== 'search_path') return this.skip('SET');
    if (stmt.kind === 'VAR_RESET' || stmt.kind === 'VAR_SET_DEFAULT') {
      this.searchPath = DEFAULT_SEARCH_PATH;
      return;
    }
    if (stmt.is_local && !this.searchPathBeforeLocal) this.searchPathBeforeLocal = this.searchPath;
    const path: string[] = [];
    for (const arg of stmt.args ?? []) {
      const [kind, body] = unwrap(arg);
      if (kind !== 'A_Const') continue;
      const value = (body as { sval?: { sval?: string } }).sval?.sval;
      if (value !== undefined && value !== '$user' && value !== '"$user"') path.push(value);
    }
    this.searchPath = path.length > 0 ? path : DEFAULT_SEARCH_PATH;
  }

  // -------------------------------------------------------------------------
  // RENAME

  private rename(stmt: RenameStmt): void {
    switch (stmt.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
        return this.renameTable(stmt);
      case 'OBJECT_COLUMN': {
        if (stmt.relationType && stmt.relationType !== 'OBJECT_TABLE') return this.skip(`ALTER ${qualifiedLabel(stmt.relationType)} RENAME COLUMN`);
        const found = this.table(stmt.relation, stmt.missing_ok);
        if (!found) return;
        return this.renameColumn(found.key, found.table, stmt.subname ?? '', stmt.newname ?? '');
      }
      case 'OBJECT_TABCONSTRAINT': {
        const found = this.table(stmt.relation, stmt.missing_ok);
        if (!found) return;
        return this.renameConstraint(found.key, found.table, stmt.subname ?? '', stmt.newname ?? '');
      }
      case 'OBJECT_INDEX': {
        const { schema, name } = splitQualified([stmt.relation?.schemaname, stmt.relation?.relname].filter((x): x is string => !!x));
        const found = this.findIndex(schema, name);
        if (!found) {
          const onView = this.findRelationIndex(schema, name);
          if (onView) return this.renameRelationIndex(onView, stmt.newname ?? '');
          if (!stmt.missing_ok) this.refuse('undefined_table', `Index "${tableKey(schema, name)}" does not exist at this point of the migrations; the rename is skipped.`);
          return;
        }
        // Renaming a constraint's index renames the constraint: both are one object in the state.
        return this.renameConstraint(found.key, found.table, name, stmt.newname ?? '', true);
      }
      case 'OBJECT_TYPE':
        return this.renameEnum(objectNames(stmt.object), stmt.newname ?? '', !!stmt.missing_ok);
      case 'OBJECT_SEQUENCE': {
        const rel = this.relation(stmt.relation);
        const key = objectKey('sequence', rel.schema, rel.name);
        const object = this.objects[key];
        // Sequences behind serial columns were never created by name: not knowing one is no sign of trouble.
        if (!object) return;
        const newName = stmt.newname ?? '';
        if (this.relationExists(rel.schema, newName)) return this.refuse('duplicate_table', `A relation named "${tableKey(rel.schema, newName)}" already exists; the rename is skipped.`);
        return this.rekeyObject(key, objectKey('sequence', rel.schema, newName), { ...object, name: newName });
      }
      case 'OBJECT_SCHEMA':
        return this.renameSchema(stmt.subname ?? '', stmt.newname ?? '');
      case 'OBJECT_TRIGGER': {
        const on = this.relation(stmt.relation);
        const name = stmt.subname ?? '';
        const newName = stmt.newname ?? '';
        this.renameRoutineOrTrigger(objectKey('trigger', on.schema, name, on.key), objectKey('trigger', on.schema, newName, on.key), newName, `Trigger "${name}" on "${on.key}"`, !!stmt.missing_ok);
        return;
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE': {
        const [, fn] = unwrap(stmt.object as Node);
        const at = this.qualify(names((fn as { objname?: Node[] }).objname));
        const newName = stmt.newname ?? '';
        const renamed = this.renameRoutineOrTrigger(objectKey('function', at.schema, at.name), objectKey('function', at.schema, newName), newName, `Function "${at.name}"`, !!stmt.missing_ok);
        if (!renamed) return;
        // Triggers and views keep calling it under its new name (PostgreSQL links them to the function itself).
        const oldLower = at.name.toLowerCase();
        const newLower = newName.toLowerCase();
        moveEntry(this.data.functions, oldLower, newLower);
        if (this.data.readOnlyFunctions) this.data.readOnlyFunctions = this.data.readOnlyFunctions.map((f) => (f === oldLower ? newLower : f));
        for (const dependencies of Object.values(this.data.dependencies ?? {})) {
          dependencies.functions = dependencies.functions.map((f) => (f === oldLower ? newLower : f));
        }
        return;
      }
      default:
        return this.skip(`ALTER ${qualifiedLabel(stmt.renameType ?? 'OBJECT_UNKNOWN')} RENAME`);
    }
  }

  /** ALTER TRIGGER / FUNCTION ... RENAME TO: the object (and what depends on it) under its new key; false when refused. */
  private renameRoutineOrTrigger(oldKey: string, newKey: string, newName: string, label: string, missingOk: boolean): boolean {
    const object = this.objects[oldKey];
    if (!object) {
      if (!missingOk) this.refuse('undefined_object', `${label} does not exist at this point of the migrations; the rename is skipped.`);
      return false;
    }
    if (this.objects[newKey]) {
      this.refuse('duplicate_object', `${label} cannot be renamed to "${newName}", which already exists; the rename is skipped.`);
      return false;
    }
    this.rekeyObject(oldKey, newKey, { ...object, name: newName });
    return true;
  }

  /** A sequence, function or trigger under a new key (renamed or moved): what it depends on, and the column that owns it, follow. */
  private rekeyObject(oldKey: string, newKey: string, moved: DbObject): void {
    delete this.objects[oldKey];
    this.objects[newKey] = moved;
    this.moveDependencies(oldKey, newKey);
    moveEntry(this.data.ownedSequences, oldKey, newKey);
    moveEntry(this.data.overloads, oldKey, newKey);
    moveEntry(this.data.functionResults, oldKey, newKey);
  }

  /**
   * ALTER SCHEMA a RENAME TO b: every table, enum, view, sequence and function
   * of `a` is in `b` from then on, under the same name (PostgreSQL moves the
   * namespace, not the objects). A search_path naming `a` no longer finds them,
   * as in PostgreSQL, since the setting is text.
   */
  private renameSchema(from: string, to: string): void {
    // The default schema is the replay's fixed point (unqualified names, `public` as undefined): renaming it is not modelled.
    if (from === 'public' || to === 'public') return this.skip('ALTER SCHEMA public RENAME');
    const fromKey = objectKey('schema', undefined, from);
    const toKey = objectKey('schema', undefined, to);
    if (!this.objects[fromKey]) return this.refuse('invalid_schema_name', `Schema "${from}" does not exist at this point of the migrations; the rename is skipped.`);
    if (this.objects[toKey]) return this.refuse('duplicate_schema', `Schema "${to}" already exists; the rename is skipped.`);
    delete this.objects[fromKey];
    this.objects[toKey] = { kind: 'schema', name: to };
    for (const [key, table] of Object.entries(this.tables)) {
      if (table.schema === from) this.moveTable(key, tableKey(to, table.name), (t) => (t.schema = to));
    }
    for (const [key, found] of Object.entries(this.data.state.enums)) {
      if (found.schema === from) this.moveEnum(key, tableKey(to, found.name), (e) => (e.schema = to));
    }
    // Domains and composite types go too (columns name them without their schema).
    this.data.otherTypes = this.data.otherTypes.map((key) => (key.startsWith(`${from}.`) ? `${to}.${key.slice(from.length + 1)}` : key));
    const partitions = this.data.partitions;
    for (const child of Object.keys(partitions ?? {})) {
      if (child.startsWith(`${from}.`)) moveEntry(partitions, child, `${to}.${child.slice(from.length + 1)}`);
    }
    // Triggers moved with their tables above; views take their indexes and triggers with them.
    for (const [key, object] of Object.entries(this.objects)) {
      if (object.schema !== from || object.kind === 'trigger' || this.objects[key] !== object) continue;
      if (object.kind === 'view' || object.kind === 'materializedView') this.relocateRelation(key, inSchema(object, to), tableKey(to, object.name));
      else this.rekeyObject(key, objectKey(object.kind, to, object.name), inSchema(object, to));
    }
  }

  private renameTable(stmt: RenameStmt): void {
    const rel = this.relation(stmt.relation);
    const newName = stmt.newname ?? '';
    const view = this.data.state.objects?.[`relation:${rel.key}`];
    // ALTER TABLE ... RENAME works on views too, as ALTER VIEW ... RENAME does.
    if (view) return this.renameObject(`relation:${rel.key}`, view, tableKey(rel.schema, newName), newName);
    const partitions = this.data.partitions;
    if (partitions?.[rel.key] !== undefined) {
      const newKey = tableKey(rel.schema, newName);
      if (this.relationExists(rel.schema, newName)) {
        this.refuse('duplicate_table', `A relation named "${newKey}" already exists; the rename is skipped.`);
        return;
      }
      partitions[newKey] = partitions[rel.key];
      delete partitions[rel.key];
      return;
    }
    if (rel.temporary) {
      this.data.temporaryTables = this.data.temporaryTables.map((t) => (t === rel.name ? newName : t));
      return;
    }
    const found = this.table(stmt.relation, stmt.missing_ok);
    if (!found) return;
    const newKey = tableKey(found.table.schema, newName);
    if (this.tables[newKey]) {
      this.refuse('duplicate_table', `Table "${newKey}" already exists; the rename is skipped.`);
      return;
    }
    this.moveTable(found.key, newKey, (t) => {
      t.name = newName;
    });
  }

  private moveTable(oldKey: string, newKey: string, change: (table: DbTable) => void): void {
    this.renameSequenceOwners(oldKey, newKey);
    const table = this.tables[oldKey];
    change(table);
    this.moveTriggers(oldKey, newKey, table.schema);
    this.moveChildPartitions(oldKey, newKey);
    for (const byTable of [this.tables, this.data.tableSources, this.data.unmodelledConstraints, this.data.defaultDependencies, this.data.generatedFrom ?? {}]) moveEntry<unknown>(byTable, oldKey, newKey);
    for (const other of Object.values(this.tables)) {
      for (const fk of other.foreignKeys) if (fk.referencedTable === oldKey) fk.referencedTable = newKey;
    }
    this.renameDependencies(oldKey, newKey);
  }

  private renameColumn(key: string, table: DbTable, from: string, to: string): void {
    const column = this.column(key, table, from);
    if (!column) return;
    if (table.columns.some((c) => c.name === to)) {
      this.refuse('duplicate_column', `Column "${to}" already exists in table "${key}"; the rename is skipped.`);
      return;
    }
    column.name = to;
    this.moveItem(key, `.${from}`, `.${to}`);
    this.renameSequenceOwners(key, key, from, to);
    const dependencies = this.data.defaultDependencies[key];
    if (dependencies?.[from]) {
      dependencies[to] = dependencies[from];
      delete dependencies[from];
    }
    const generatedFrom = this.data.generatedFrom?.[key];
    if (generatedFrom) {
      moveEntry(generatedFrom, from, to);
      for (const [column, sources] of Object.entries(generatedFrom)) generatedFrom[column] = sources.map((c) => (c === from ? to : c));
    }
    for (const index of table.indexes) {
      index.columns = index.columns.map((entry) => renameEntry(entry, from, to));
      if (index.where !== undefined) index.where = renameInSql(index.where, from, to);
    }
    if (table.primaryKey) table.primaryKey.columns = table.primaryKey.columns.map((c) => (c === from ? to : c));
    for (const fk of table.foreignKeys) fk.columns = fk.columns.map((c) => (c === from ? to : c));
    for (const other of Object.values(this.tables)) {
      for (const fk of other.foreignKeys) {
        if (fk.referencedTable === key) fk.referencedColumns = fk.referencedColumns.map((c) => (c === from ? to : c));
      }
    }
    // A view follows the rename: PostgreSQL keeps it by column number, not by name.
    for (const dependencies of Object.values(this.data.dependencies ?? {})) {
      const columns = dependencies.columns[key];
      if (columns) dependencies.columns[key] = columns.map((c) => (c === from ? to : c));
    }
  }

  /** RENAME CONSTRAINT, or ALTER INDEX ... RENAME (`index`): the index, whatever shares its name (an index may be named like a foreign key). */
  private renameConstraint(key: string, table: DbTable, from: string, to: string, index = false): void {
    // RENAME CONSTRAINT means a constraint: a plain index of that name is only the fallback.
    const unmodelled = this.data.unmodelledConstraints[key] ?? [];
    const primary = table.primaryKey?.name === from ? table.primaryKey : undefined;
    const constraintIndex = table.indexes.find((i) => (index || i.constraint === true) && i.name === from);
    const foreignKey = index ? undefined : table.foreignKeys.find((f) => f.name === from);
    const plainIndex = primary || constraintIndex || foreignKey || unmodelled.includes(from) ? undefined : table.indexes.find((i) => i.name === from);
    // A constraint's name is unique on its table; a primary key's or unique constraint's is its index's too, a relation's name in the schema.
    const checks = { relation: !!(primary || constraintIndex || plainIndex), constraint: !!primary || constraintIndex?.constraint === true || !!foreignKey };
    if (!this.constraintNameFree(key, table, to, 'the rename is skipped', checks)) return;
    const target = primary ?? constraintIndex ?? foreignKey ?? plainIndex;
    if (target) {
      target.name = to;
      this.moveItem(key, `#${from}`, `#${to}`);
      return;
    }
    if (unmodelled.includes(from)) {
      this.data.unmodelledConstraints[key] = unmodelled.map((n) => (n === from ? to : n));
      return;
    }
    this.refuse('undefined_object', `Constraint "${from}" does not exist on table "${key}"; the rename is skipped.`);
  }

  // -------------------------------------------------------------------------
  // Enums

  private createEnum(stmt: CreateEnumStmt): void {
    const { schema, name } = splitQualified(names(stmt.typeName));
    const key = tableKey(schema, name);
    if (this.data.state.enums[key] || this.data.otherTypes.includes(key) || this.tables[key]) {
      this.refuse('duplicate_object', `Type "${key}" already exists; CREATE TYPE is skipped.`);
      return;
    }
    const values = names(stmt.vals);
    const created: DbEnum = { name, ...(schema ? { schema } : {}), values };
    this.data.state.enums[key] = created;
    const here = this.here();
    this.data.enumSources[key] = { self: here, values: Object.fromEntries(values.map((v) => [v, here])) };
    this.openTransaction().createdEnums.push(key);
  }

  private openTransaction(): NonNullable<ReplayData['openTransaction']> {
    return (this.data.openTransaction ??= { addedValues: {}, createdEnums: [] });
  }

  private alterEnum(stmt: AlterEnumStmt): void {
    const { schema, name } = splitQualified(names(stmt.typeName));
    const key = tableKey(schema, name);
    const target = this.data.state.enums[key];
    if (!target) {
      if (this.data.otherTypes.includes(key)) return this.skip('ALTER TYPE');
      this.refuse('undefined_object', `Enum "${key}" does not exist at this point of the migrations; ALTER TYPE is skipped.`);
      return;
    }
    const sources = (this.data.enumSources[key] ??= { values: {} });
    const newValue = stmt.newVal ?? '';
    if (stmt.oldVal !== undefined) {
      const at = target.values.indexOf(stmt.oldVal);
      if (at < 0) {
        this.refuse('invalid_parameter_value', `Enum "${key}" has no value '${stmt.oldVal}'; RENAME VALUE is skipped.`);
        return;
      }
      if (target.values.includes(newValue)) {
        this.refuse('duplicate_object', `Enum "${key}" already has a value '${newValue}'; RENAME VALUE is skipped.`);
        return;
      }
      target.values[at] = newValue;
      // A new value renamed is still new: PostgreSQL refuses the new name as it refused the old one.
      const added = this.data.openTransaction?.addedValues[key];
      if (added?.[stmt.oldVal] !== undefined) {
        added[newValue] = added[stmt.oldVal];
        delete added[stmt.oldVal];
      }
      const entry = sources.values[stmt.oldVal];
      delete sources.values[stmt.oldVal];
      sources.values[newValue] = entry ?? this.here();
      return;
    }
    if (target.values.includes(newValue)) {
      if (!stmt.skipIfNewValExists) this.refuse('duplicate_object', `Enum "${key}" already has a value '${newValue}'; ADD VALUE is skipped.`);
      return;
    }
    let at = target.values.length;
    if (stmt.newValNeighbor !== undefined) {
      const neighbor = target.values.indexOf(stmt.newValNeighbor);
      if (neighbor < 0) {
        this.refuse('invalid_parameter_value', `Enum "${key}" has no value '${stmt.newValNeighbor}' to add '${newValue}' next to; ADD VALUE is skipped.`);
        return;
      }
      at = stmt.newValIsAfter ? neighbor + 1 : neighbor;
    }
    target.values.splice(at, 0, newValue);
    sources.values[newValue] = this.here();
    (this.openTransaction().addedValues[key] ??= {})[newValue] = (this.statement?.range.start.line ?? 0) + 1;
  }

  private renameEnum(parts: string[], newName: string, missingOk: boolean): void {
    const { schema, name } = splitQualified(parts);
    const key = tableKey(schema, name);
    if (!this.data.state.enums[key]) {
      if (this.data.otherTypes.includes(key)) {
        this.data.otherTypes = this.data.otherTypes.map((k) => (k === key ? tableKey(schema, newName) : k));
        this.renameCastType(name, newName);
        return this.skip('ALTER TYPE ... RENAME');
      }
      if (!missingOk) this.refuse('undefined_object', `Enum "${key}" does not exist at this point of the migrations; the rename is skipped.`);
      return;
    }
    const newKey = tableKey(schema, newName);
    if (this.data.state.enums[newKey] || this.data.otherTypes.includes(newKey)) {
      this.refuse('duplicate_object', `Type "${newKey}" already exists; the rename is skipped.`);
      return;
    }
    this.moveEnum(key, newKey, (e) => {
      e.name = newName;
    });
  }

  private moveEnum(oldKey: string, newKey: string, change: (e: DbEnum) => void): void {
    const target = this.data.state.enums[oldKey];
    change(target);
    moveEntry(this.data.state.enums, oldKey, newKey);
    moveEntry(this.data.enumSources, oldKey, newKey);
    const open = this.data.openTransaction;
    moveEntry(open?.addedValues, oldKey, newKey);
    if (open) open.createdEnums = open.createdEnums.map((k) => (k === oldKey ? newKey : k));
    for (const table of Object.values(this.tables)) {
      for (const column of table.columns) if (column.type.isEnum && column.type.name === oldKey) column.type.name = newKey;
    }
    for (const byColumn of Object.values(this.data.defaultDependencies)) {
      for (const column of Object.keys(byColumn)) byColumn[column] = byColumn[column].map((k) => (k === oldKey ? newKey : k));
    }
    this.renameCastType(oldKey.slice(oldKey.lastIndexOf('.') + 1), newKey.slice(newKey.lastIndexOf('.') + 1));
  }

  /** Views cast to a type by its identity, not its name: they follow a rename. */
  private renameCastType(from: string, to: string): void {
    if (from === to) return;
    for (const dependencies of Object.values(this.data.dependencies ?? {})) {
      if (dependencies.types) dependencies.types = dependencies.types.map((t) => (t === from ? to : t));
    }
  }

  private dropType(parts: string[], cascade: boolean, missingOk: boolean): void {
    const { schema, name } = splitQualified(parts);
    const key = tableKey(schema, name);
    if (!this.data.state.enums[key]) {
      if (this.data.otherTypes.includes(key)) {
        this.dropOtherType(key, name, cascade, 'type');
        return this.skip('DROP TYPE (not an enum)');
      }
      if (!missingOk) this.refuse('undefined_object', `Type "${key}" does not exist at this point of the migrations; DROP TYPE is skipped.`);
      return;
    }
    const users = this.columnsOfType((type) => type.isEnum && type.name === key);
    const defaults: [string, DbTable, string][] = [];
    for (const [tk, byColumn] of Object.entries(this.data.defaultDependencies)) {
      for (const [column, enums] of Object.entries(byColumn)) {
        if (enums.includes(key) && !users.some(([k, , c]) => k === tk && c === column) && this.tables[tk]) defaults.push([tk, this.tables[tk], column]);
      }
    }
    const views = this.dependantsOf(castsTo(name));
    if (users.length + defaults.length + views.length > 0 && !cascade) {
      const what = [...users.map(([tk, , c]) => `column "${tk}"."${c}"`), ...defaults.map(([tk, , c]) => `the default of "${tk}"."${c}"`), ...views.map((v) => v.label)];
      this.refuse('dependent_objects_still_exist', `Enum "${key}" is still used by ${what.join(', ')}; PostgreSQL refuses to drop it without CASCADE. Skipped.`);
      return;
    }
    if (users.length > 0) this.recordDropEvent(`enum "${key}"`, 'drop', true, users.map(([tk, , c]) => columnDependant(tk, c)));
    this.dropViewsOn(`enum "${key}"`, castsTo(name), true);
    // DROP TYPE ... CASCADE drops the columns of that type and the defaults that cast to it.
    for (const [tk, table, column] of defaults) {
      const target = table.columns.find((c) => c.name === column);
      if (target) delete target.default;
      delete this.data.defaultDependencies[tk][column];
    }
    for (const [tk, table, column] of users) this.dropColumn(tk, table, column, true);
    if (cascade) this.dropFunctionsUsingTypes([name]);
    delete this.data.state.enums[key];
    delete this.data.enumSources[key];
    if (this.data.openTransaction) delete this.data.openTransaction.addedValues[key];
  }

  /** The columns whose type `match` picks: table key, table, column name. */
  private columnsOfType(match: (type: DbColumn['type']) => boolean): [string, DbTable, string][] {
    const found: [string, DbTable, string][] = [];
    for (const [key, table] of Object.entries(this.tables)) {
      for (const column of table.columns) if (match(column.type)) found.push([key, table, column.name]);
    }
    return found;
  }

  /**
   * DROP DOMAIN, or DROP TYPE of a composite or range type: PostgreSQL refuses while a
   * column has the type (or an array of it), and CASCADE drops those columns. A
   * column keeps only its type's name, so the same name in another schema counts too.
   */
  private dropOtherType(key: string, name: string, cascade: boolean, label: 'domain' | 'type'): void {
    const users = this.columnsOfType((type) => !type.isEnum && type.name === name);
    const views = this.dependantsOf(castsTo(name));
    if (users.length + views.length > 0 && !cascade) {
      const what = [...users.map(([tk, , c]) => `the type of column "${tk}"."${c}"`), ...views.map((v) => `used by ${v.label}`)];
      this.refuse('dependent_objects_still_exist', `The ${label} "${key}" is still ${what.join(', ')}; PostgreSQL refuses to drop it without CASCADE. Skipped.`);
      return;
    }
    if (users.length > 0) this.recordDropEvent(`${label} "${key}"`, 'drop', true, users.map(([tk, , c]) => columnDependant(tk, c)));
    this.dropViewsOn(`${label} "${key}"`, castsTo(name), true);
    for (const [tk, table, column] of users) this.dropColumn(tk, table, column, true);
    if (cascade) this.dropFunctionsUsingTypes([name]);
    this.data.otherTypes = this.data.otherTypes.filter((k) => k !== key);
  }

  /**
   * DROP FUNCTION of a function an index expression or predicate, or a column default,
   * calls: PostgreSQL refuses without CASCADE, and CASCADE drops those indexes and
   * defaults. Calls are found by name in the SQL the replay keeps.
   */
  private dropFunctionUsers(functionNames: readonly string[], subject: string, cascade: boolean): void {
    const escaped = functionNames.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const call = new RegExp(`(^|[^A-Za-z0-9_$"])"?(?:${escaped})"?\\s*\\(`, functionNames.every((n) => n === n.toLowerCase()) ? 'i' : '');
    const indexes: [string, DbTable, DbIndex][] = [];
    const defaults: [string, DbColumn][] = [];
    for (const [tk, table] of Object.entries(this.tables)) {
      for (const index of table.indexes) if (index.columns.some((entry) => entry.includes('(') && call.test(entry)) || (index.where !== undefined && call.test(index.where))) indexes.push([tk, table, index]);
      for (const column of table.columns) if (column.default?.kind === 'expression' && call.test(column.default.sql)) defaults.push([tk, column]);
    }
    if (indexes.length + defaults.length === 0) return;
    if (!cascade) {
      const users = [...indexes.map(([tk, , index]) => `index "${index.name}" of "${tk}"`), ...defaults.map(([tk, column]) => `the default of "${tk}"."${column.name}"`)];
      this.refuse('dependent_objects_still_exist', `${subject} is used by ${users.join(', ')}; PostgreSQL refuses to drop it without CASCADE. The replay drops ${users.length > 1 ? 'them' : 'it'} too.`);
    }
    for (const [tk, table, index] of indexes) {
      if (index.unique) this.dropDependentForeignKeys(tk, index.columns, true, index.name);
      table.indexes = table.indexes.filter((i) => i !== index);
      this.forgetItem(tk, `#${index.name}`);
    }
    for (const [, column] of defaults) delete column.default;
  }

  // -------------------------------------------------------------------------
  // SET SCHEMA

  private setSchema(stmt: AlterObjectSchemaStmt): void {
    const newSchema = stmt.newschema && stmt.newschema !== 'public' ? stmt.newschema : undefined;
    if (stmt.objectType === 'OBJECT_TABLE') {
      const found = this.table(stmt.relation, stmt.missing_ok);
      if (!found) return;
      const newKey = tableKey(newSchema, found.table.name);
      if (this.tables[newKey]) {
        this.refuse('duplicate_table', `Table "${newKey}" already exists; SET SCHEMA is skipped.`);
        return;
      }
      return this.moveTable(found.key, newKey, (t) => {
        if (newSchema) t.schema = newSchema;
        else delete t.schema;
      });
    }
    if (stmt.objectType === 'OBJECT_TYPE') {
      const { schema, name } = splitQualified(objectNames(stmt.object));
      const key = tableKey(schema, name);
      if (!this.data.state.enums[key]) {
        if (!stmt.missing_ok && !this.data.otherTypes.includes(key)) this.refuse('undefined_object', `Type "${key}" does not exist at this point of the migrations; SET SCHEMA is skipped.`);
        return;
      }
      return this.moveEnum(key, tableKey(newSchema, name), (e) => {
        if (newSchema) e.schema = newSchema;
        else delete e.schema;
      });
    }
    if (stmt.objectType === 'OBJECT_VIEW' || stmt.objectType === 'OBJECT_MATVIEW' || stmt.objectType === 'OBJECT_SEQUENCE') {
      const rel = this.relation(stmt.relation);
      const kind: DbObjectKind = stmt.objectType === 'OBJECT_VIEW' ? 'view' : stmt.objectType === 'OBJECT_MATVIEW' ? 'materializedView' : 'sequence';
      const key = objectKey(kind, rel.schema, rel.name);
      const object = this.objects[key];
      // Sequences behind serial columns were never created by name: not knowing one is no sign of trouble.
      if (!object) return kind === 'sequence' || stmt.missing_ok ? undefined : this.refuse('undefined_object', `${capitalise(LABELS[kind])} "${rel.key}" does not exist at this point of the migrations; SET SCHEMA is skipped.`);
      const newKey = objectKey(kind, newSchema, rel.name);
      const newRelationKey = tableKey(newSchema, rel.name);
      if (this.objects[newKey]) return this.refuse('duplicate_table', `A relation named "${newRelationKey}" already exists; SET SCHEMA is skipped.`);
      if (kind !== 'sequence') return this.relocateRelation(key, inSchema(object, newSchema), newRelationKey);
      return this.rekeyObject(key, newKey, inSchema(object, newSchema));
    }
    if (stmt.objectType === 'OBJECT_FUNCTION' || stmt.objectType === 'OBJECT_PROCEDURE' || stmt.objectType === 'OBJECT_ROUTINE') {
      const [, fn] = unwrap(stmt.object as Node);
      const at = this.qualify(names((fn as { objname?: Node[] }).objname));
      const key = objectKey('function', at.schema, at.name);
      const object = this.objects[key];
      if (!object) return stmt.missing_ok ? undefined : this.refuse('undefined_object', `Function "${at.name}" does not exist at this point of the migrations; SET SCHEMA is skipped.`);
      // Triggers and views keep calling it wherever it lives: the lower-case name they record does not change.
      return this.rekeyObject(key, objectKey('function', newSchema, at.name), inSchema(object, newSchema));
    }
    return this.skip(`ALTER ${qualifiedLabel(stmt.objectType ?? 'OBJECT_UNKNOWN')} SET SCHEMA`);
  }
}

/** Moves what `record` keeps under `from` to `to`, if anything: a renamed or moved object keeps what is recorded about it. */
function moveEntry<T>(record: Record<string, T> | undefined, from: string, to: string): void {
  if (!record || from === to || !Object.prototype.hasOwnProperty.call(record, from)) return;
  record[to] = record[from];
  delete record[from];
}

/** A function's argument types as DROP FUNCTION names them: the input parameters only (OUT and TABLE columns are not part of it). */
function inputSignature(parameters: Node[] | undefined): string {
  const types: string[] = [];
  for (const node of parameters ?? []) {
    const [kind, parameter] = unwrap(node);
    if (kind !== 'FunctionParameter') continue;
    const mode = (parameter as FunctionParameter).mode;
    if (mode === 'FUNC_PARAM_OUT' || mode === 'FUNC_PARAM_TABLE') continue;
    types.push(signatureType((parameter as FunctionParameter).argType));
  }
  return types.join(',');
}

/**
 * What a function returns, as PostgreSQL compares it on CREATE OR REPLACE: one
 * OUT (or TABLE) parameter is its type, two or more a row of names and types;
 * type modifiers do not count. A procedure returns nothing.
 */
function functionResult(fn: CreateFunctionStmt, uncertainAt: number): FunctionResult {
  const outputs: FunctionParameter[] = [];
  const inputNames: string[] = [];
  const types = new Set<string>();
  if (fn.returnType) types.add(signatureType(fn.returnType).replace(/\[\]$/, ''));
  let table = false;
  for (const node of fn.parameters ?? []) {
    const [kind, body] = unwrap(node);
    if (kind !== 'FunctionParameter') continue;
    const parameter = body as FunctionParameter;
    types.add(signatureType(parameter.argType).replace(/\[\]$/, ''));
    if (parameter.mode === 'FUNC_PARAM_TABLE') table = true;
    if (parameter.mode === 'FUNC_PARAM_OUT' || parameter.mode === 'FUNC_PARAM_INOUT' || parameter.mode === 'FUNC_PARAM_TABLE') outputs.push(parameter);
    if (parameter.mode !== 'FUNC_PARAM_OUT' && parameter.mode !== 'FUNC_PARAM_TABLE') inputNames.push(parameter.name ?? '');
  }
  const setof = table || fn.returnType?.setof === true ? 'setof ' : '';
  let returns: string | undefined;
  if (fn.is_procedure) returns = undefined;
  else if (outputs.length >= 2) returns = `${setof}row(${outputs.map((p) => `${p.name ?? ''} ${signatureType(p.argType)}`).join(', ')})`;
  else if (outputs.length === 1) returns = `${setof}${signatureType(outputs[0].argType)}`;
  else if (fn.returnType) returns = `${setof}${signatureType(fn.returnType)}`;
  return { ...(returns !== undefined ? { returns } : {}), inputNames, types: [...types], uncertainAt };
}

/** An argument type as one word: its canonical name, `[]` for an array; modifiers do not tell overloads apart. */
function signatureType(typeName: TypeName | undefined): string {
  const { type } = resolveType(typeName, () => undefined);
  const name = type.name.toLowerCase();
  // `_text` is PostgreSQL's own name for `text[]`.
  if (!type.array && name.length > 1 && name.startsWith('_')) return `${name.slice(1)}[]`;
  return `${name}${type.array ? '[]' : ''}`;
}

/** A copy of an object moved to `schema` (undefined: the default schema). */
function inSchema(object: DbObject, schema: string | undefined): DbObject {
  const { schema: _old, ...rest } = object;
  return schema ? { ...rest, schema } : rest;
}

/** The names of a DROP/RENAME object: a List of Strings, a String, or a TypeName. */
function objectNames(node: Node | undefined): string[] {
  const [kind, body] = unwrap(node);
  if (kind === 'List') return names((body as { items?: Node[] }).items);
  if (kind === 'String') return [String((body as { sval?: string }).sval ?? '')];
  if (kind === 'TypeName') return names((body as TypeName).names);
  return [];
}

/** One entry of DbIndex.columns: a bare name, `"name" <suffix>`, or an expression. */
function indexEntry(elem: IndexElem): string {
  const suffix: string[] = [];
  if (elem.collation?.length) suffix.push(`COLLATE ${names(elem.collation).map(quoteIdent).join('.')}`);
  if (elem.opclass?.length) suffix.push(names(elem.opclass).join('.'));
  const descending = elem.ordering === 'SORTBY_DESC';
  if (descending) suffix.push('DESC');
  // NULLS LAST is the default ascending and NULLS FIRST descending; only the other one is worth keeping.
  if (elem.nulls_ordering === 'SORTBY_NULLS_FIRST' && !descending) suffix.push('NULLS FIRST');
  if (elem.nulls_ordering === 'SORTBY_NULLS_LAST' && descending) suffix.push('NULLS LAST');
  if (elem.name !== undefined) return suffix.length > 0 ? `${elem.name} ${suffix.join(' ')}` : elem.name;
  const [kind] = unwrap(elem.expr);
  const text = kind === 'FuncCall' ? expressionSql(elem.expr) : `(${expressionSql(elem.expr)})`;
  return suffix.length > 0 ? `${text} ${suffix.join(' ')}` : text;
}

/** What PostgreSQL's FigureColname calls an index expression when it names the index. */
function indexColumnName(expr: Node | undefined): string {
  const [kind, body] = unwrap(expr);
  if (kind === 'FuncCall') {
    const parts = names((body as { funcname?: Node[] }).funcname);
    return parts[parts.length - 1] ?? 'expr';
  }
  if (kind === 'ColumnRef') {
    const fields = names((body as { fields?: Node[] }).fields);
    return fields[fields.length - 1] ?? 'expr';
  }
  return 'expr';
}

/** The first column a CHECK expression mentions, which PostgreSQL uses to name an unnamed table CHECK. */
function firstColumn(expr: Node | undefined): string[] {
  const found = findInParseTree(expr, (object) => {
    if (!object.ColumnRef) return undefined;
    const fields = names((object.ColumnRef as { fields?: Node[] }).fields);
    return fields[fields.length - 1] || undefined;
  });
  return found ? [found] : [];
}

/** The first non-empty line of a statement, shortened: how messages quote it. */
function excerptOf(text: string): string {
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function foreignKeyDependant(table: string, name: string): Dependant {
  return { kind: 'foreignKey', key: `${table}#${name}`, label: `foreign key "${name}" of "${table}"` };
}

function columnDependant(table: string, column: string): Dependant {
  return { kind: 'column', key: `${table}.${column}`, label: `column "${table}"."${column}"` };
}

/** Picks what casts to type `name` (`x::"Role"`), for DROP TYPE | DOMAIN. */
function castsTo(name: string): (d: ObjectDependencies) => boolean {
  return (d) => d.types?.includes(name) === true;
}

/** The identifiers, quoted identifiers and string contents of a text: what a function body may name. */
function identifierWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const match of text.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)/g)) {
    words.add(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2].toLowerCase());
  }
  return words;
}

/** The argument of the option (DefElem) named `name` in a statement's option list. */
function optionArgument(options: Node[] | undefined, name: string): Node | undefined {
  for (const option of options ?? []) {
    const [, def] = unwrap(option) as [string, { defname?: string; arg?: Node }];
    if (def?.defname === name) return def.arg;
  }
  return undefined;
}

/** `STABLE` or `IMMUTABLE` among a CREATE FUNCTION's options (VOLATILE is the default). */
function nonVolatile(fn: CreateFunctionStmt): boolean {
  const [, value] = unwrap(optionArgument(fn.options, 'volatility')) as [string, { sval?: string }];
  return value?.sval === 'stable' || value?.sval === 'immutable';
}
