import type { DbState, Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import type { Range } from '../core/source';

/** One migration folder's SQL, as read from disk. */
export interface MigrationInput {
  /** Folder name, e.g. `20240101000000_init`. */
  name: string;
  /** Absolute path of its `migration.sql`. */
  file: string;
  sql: string;
}

/** Where a database object was created: shown as related information on findings. */
/** Where something in a replayed state was created: looked up by the keys of `Replayer.provenance()`. */
export type ProvenanceLookup = (key: string) => ProvenanceEntry | undefined;

export interface ProvenanceEntry {
  migration: string;
  file: string;
  range: Range;
}

/**
 * A statement the replay could not interpret (a function called for its side
 * effects, dynamic SQL built from rows, a guard it cannot decide, a statement
 * PostgreSQL itself rejects on the replayed state): what it did to the tables
 * it may have touched is unknown, so findings on them must not be confident.
 */
export interface UncertainStatement {
  migration: string;
  file: string;
  /** The statement's place in the file (for a statement inside a DO block, its own line). */
  range: Range;
  /** The statement's first line, as written, for messages. */
  excerpt: string;
  /** Why it could not be read, one sentence. */
  reason: string;
  /** Keys of the tables it may have touched, as far as the replay can tell. */
  tables: string[];
  /** The database (PostgreSQL, SQLite) rejects the statement on the replayed state: the migration fails on a fresh database. */
  fails?: boolean;
}

/**
 * A statement that uses an enum value `ALTER TYPE ... ADD VALUE` added earlier
 * in the same transaction (PostgreSQL: "unsafe use of new value").
 */
export interface NewEnumValueUse {
  migration: string;
  file: string;
  /** The using statement (for a statement inside a DO block, its own line). */
  range: Range;
  enumKey: string;
  value: string;
  /** 1-based line of the ADD VALUE. */
  addedLine: number;
  /** The enum type was created in the same transaction: PostgreSQL 15 rejects the use, PostgreSQL 18 accepts it. */
  typeCreatedInTransaction: boolean;
}

/** Something a DROP (or a column type change) would take with it: a view, a foreign key, a trigger, a column. */
export interface Dependant {
  kind: 'view' | 'materializedView' | 'trigger' | 'foreignKey' | 'column';
  /** `relation:<table key>` for views, `trigger:<table key>#<name>`, `<table key>#<constraint>`, `<table key>.<column>`. */
  key: string;
  /** For messages: `view "ActiveUser"`, `foreign key "Post_authorId_fkey" of "Post"`. */
  label: string;
}

/**
 * A statement that drops (or retypes) something other objects depend on.
 * Without CASCADE PostgreSQL refuses it (the migration fails); with CASCADE
 * it drops the dependants too, silently.
 */
export interface DropEvent {
  migration: string;
  file: string;
  range: Range;
  /** What the statement drops, for messages: `table "User"`, `column "User"."email"`. */
  target: string;
  /** `drop`: DROP ... [CASCADE]; `alterType`: ALTER COLUMN TYPE, which no CASCADE allows. */
  action: 'drop' | 'alterType';
  cascade: boolean;
  dependants: Dependant[];
}

/**
 * A replayer owns a database state and applies migrations to it one at a time.
 * Keys of `provenance()` follow SchemaSources: table key, `tableKey.column`,
 * `tableKey#indexOrConstraintName`, enum key.
 */
export interface Replayer {
  readonly provider: Provider;
  /** Applies one migration; never throws on bad SQL: what it cannot apply comes back as notes. */
  apply(migration: MigrationInput): Note[];
  /** The current state (callers must not mutate it). */
  state(): DbState;
  provenance(): Record<string, ProvenanceEntry>;
  /** Every statement applied so far that the replay could not interpret, in order (replayers that read everything omit it). */
  uncertain?(): readonly UncertainStatement[];
  /** PostgreSQL: every use of an enum value in the transaction that added it, in order. */
  newEnumValueUses?(): readonly NewEnumValueUse[];
  /** PostgreSQL: every drop that met dependants (refused, or cascaded to them), in order. */
  dropEvents?(): readonly DropEvent[];
  /**
   * One entry of provenance(), without building the whole record (tens of
   * thousands of keys on a large history, needed afresh after every migration).
   */
  provenanceOf?(key: string): ProvenanceEntry | undefined;
  /** An independent copy, so a cached replay can be continued without replaying from zero. */
  fork(): Replayer;
  /**
   * Everything the replayer carries between migrations, as structured-clonable
   * data, for the cache kept between sessions (restoreReplayer continues from
   * it). Absent where the state lives outside the JS heap (SQLite).
   */
  saveData?(): unknown;
  /** Frees resources held outside the JS heap (a SQLite database); the replayer is unusable after. */
  dispose(): void;
}

/** prisma migrate's own bookkeeping table: there before the first migration runs (deploy creates it), and never part of the compared schema. */
export const PRISMA_MIGRATIONS_TABLE = '_prisma_migrations';
