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
