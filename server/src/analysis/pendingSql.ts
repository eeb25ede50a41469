/**
 * The pending migration files as PostgreSQL will run them: parsed once per
 * migrations snapshot, with what each statement finds when it runs (which
 * tables are live or hold rows, which CHECK constraints prove a column
 * non-null) and how the file's statements group into transactions. The SQL
 * rules and the schema rules (for changes a pending file carries) read the
 * same facts, so the two never disagree about one statement.
 */
import * as path from 'path';
import type { DbState, DbTable, Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import { readMigrationsFolder } from '../replay/migrations';
import { createPostgresReplayer, createPostgresReplayerOn } from '../replay/postgres';
import { parsePostgresStatements, type ParsedStatement } from '../replay/statements';
import type { Dependant, DropEvent, NewEnumValueUse, Replayer } from '../replay/types';
import { NotNullChecks, PendingTables, type NotNullCheckState, type TableView } from '../rules/support/sqlAst';

export interface PendingFileInput {
  name: string;
  file: string;
  sql: string;
}

export interface PendingSqlFile extends PendingFileInput {
  statements: ParsedStatement[];
}

export interface PendingSqlInput {
  provider: Provider;
  baseline: DbState;
  /** Migration files not yet deployed, in order. */
  pending: PendingFileInput[];
  /**
   * The deployed migration files, in order: read only for what the replayed
   * state does not model (CHECK constraints); when absent, the other folders
   * of the pending files' migrations folder are read, lazily, for the same.
   */
  deployed?: { name: string; sql: string }[];
  /**
   * A copy of the replayer that produced `baseline` (views and what they
   * depend on, functions: what the state alone does not carry). When absent,
   * the deployed files are replayed again, on the first question only.
   */
  forkBaseline?: () => Replayer;
  /** Splits a MySQL or SQLite file into statements, with their typed form. */
  splitPlain: (sql: string, provider: Exclude<Provider, 'postgresql'>) => ParsedStatement[];
}

export class PendingSql {
  readonly files: PendingSqlFile[] = [];
  readonly notes: Note[] = [];
  private views?: Map<ParsedStatement, TableView>;
  private checks?: Map<ParsedStatement, NotNullChecks>;
  private replayed?: { enumUses: readonly NewEnumValueUse[]; drops: PendingDrop[] };
  private readonly fileOf = new Map<ParsedStatement, PendingSqlFile>();

  constructor(private readonly input: PendingSqlInput) {
    for (const migration of input.pending) {
      let statements: ParsedStatement[];
      if (input.provider === 'postgresql') {
        const parsed = parsePostgresStatements(migration.sql, migration.file);
        this.notes.push(...parsed.notes);
        statements = parsed.statements;
      } else {
        statements = input.splitPlain(migration.sql, input.provider);
      }
      const file = { name: migration.name, file: migration.file, sql: migration.sql, statements };
      this.files.push(file);
      for (const statement of statements) this.fileOf.set(statement, file);
    }
  }

  /** Whether this reading answers for `input` (same provider and deployed state). */
  readsAs(input: PendingSqlInput): boolean {
    return this.input.baseline === input.baseline && this.input.provider === input.provider && this.input.deployed === input.deployed;
  }

  /** A table of the deployed database. */
  baselineTable(key: string): DbTable | undefined {
    return this.input.baseline.tables[key];
  }

  /** The file a statement belongs to. */
  file(statement: ParsedStatement): PendingSqlFile | undefined {
    return this.fileOf.get(statement);
  }

  /** The tables as `statement` finds them: earlier pending files count (a table created there has no rows). */
  before(statement: ParsedStatement): TableView {
    if (!this.views) {
      const tables = new PendingTables(this.input.baseline);
      this.views = new Map();
      for (const file of this.files) {
        for (const s of file.statements) {
          this.views.set(s, tables.view());
          if (s.ast || s.dialect) tables.apply(s);
        }
      }
    }
    return this.views.get(statement) ?? emptyView;
  }

  /** CHECK constraints proving `column` non-null just before `statement` runs, earlier statements of its own file included. */
  checkBefore(statement: ParsedStatement, table: string, column: string): NotNullCheckState {
    this.computeChecks();
    return (this.checks?.get(statement) ?? new NotNullChecks()).state(table, column);
  }

  /**
   * Uses of an enum value in the transaction that added it, inside `statement`:
   * the pending files replayed in order on the deployed state (once, on the
   * first question; only files that add an enum value can have any).
   */
  newEnumValueUses(statement: ParsedStatement): NewEnumValueUse[] {
    return this.inStatement(statement, this.replay()?.enumUses ?? []);
  }

  /**
   * Drops in `statement` that met dependants (views, triggers, foreign keys,
   * columns): refused without CASCADE, dropped with it. `missing` are the
   * dependants the rest of the file does not create again.
   */
  dropsIn(statement: ParsedStatement): PendingDrop[] {
    return this.inStatement(statement, this.replay()?.drops ?? []);
  }

  private inStatement<T extends { file: string; migration: string; range: { start: { line: number } } }>(statement: ParsedStatement, events: readonly T[]): T[] {
    const file = this.fileOf.get(statement);
    if (!file) return [];
    const { start, end } = statement.range;
    return events.filter((e) => e.file === file.file && e.migration === file.name && e.range.start.line >= start.line && e.range.start.line <= end.line);
  }

  /** The pending files replayed in order on the deployed state, once, on the first question (PostgreSQL only). */
  private replay(): { enumUses: readonly NewEnumValueUse[]; drops: PendingDrop[] } | undefined {
    if (this.input.provider !== 'postgresql' || this.files.length === 0) return undefined;
    if (this.replayed) return this.replayed;
    const replayer = this.baselineReplayer();
    const usesBefore = replayer.newEnumValueUses?.().length ?? 0;
    const drops: PendingDrop[] = [];
    for (const pending of this.files) {
      const seen = replayer.dropEvents?.().length ?? 0;
      replayer.apply({ name: pending.name, file: pending.file, sql: pending.sql });
      for (const event of (replayer.dropEvents?.() ?? []).slice(seen)) drops.push({ ...event, missing: event.dependants.filter((d) => !existsIn(replayer, d)) });
    }
    this.replayed = { enumUses: (replayer.newEnumValueUses?.() ?? []).slice(usesBefore), drops };
    return this.replayed;
  }

  private baselineReplayer(): Replayer {
    const forked = this.input.forkBaseline?.();
    if (forked) return forked;
    const deployed = this.input.deployed ?? this.deployedFromDisk();
    if (deployed.length === 0) return createPostgresReplayerOn(this.input.baseline);
    const replayer = createPostgresReplayer();
    for (const migration of deployed) replayer.apply({ name: migration.name, file: `${migration.name}/migration.sql`, sql: migration.sql });
    return replayer;
  }

  /**
   * Costly (it parses the deployed history), so computed on the first
   * question only: most migrations have no SET NOT NULL and never ask.
   */
  private computeChecks(): void {
    if (this.checks) return;
    const checks = new NotNullChecks();
    for (const migration of this.input.deployed ?? this.deployedFromDisk()) {
      // Only statements naming constraints, columns or tables can change a CHECK; most files have none.
      if (!/check|constraint|rename|drop/i.test(migration.sql)) continue;
      for (const statement of parsePostgresStatements(migration.sql).statements) checks.apply(statement);
    }
    this.checks = new Map();
    for (const file of this.files) {
      for (const statement of file.statements) {
        this.checks.set(statement, checks.snapshot());
        checks.apply(statement);
      }
    }
  }

  /** The other folders of the pending files' migrations folder: the deployed history, as far as disk tells. */
  private deployedFromDisk(): { name: string; sql: string }[] {
    const first = this.files[0];
    if (!first) return [];
    const pendingNames = new Set(this.files.map((f) => f.name));
    const folder = readMigrationsFolder(path.dirname(path.dirname(first.file)));
    return folder.migrations.filter((m) => !pendingNames.has(m.name));
  }
}

/** A drop of a pending file that met dependants, with those still missing when the file ends. */
export interface PendingDrop extends DropEvent {
  missing: Dependant[];
}

/** Whether a dependant exists in the replayed state (created again after the drop). */
function existsIn(replayer: Replayer, dependant: Dependant): boolean {
  const state = replayer.state();
  if (dependant.kind === 'foreignKey') {
    const at = dependant.key.lastIndexOf('#');
    return state.tables[dependant.key.slice(0, at)]?.foreignKeys.some((f) => f.name === dependant.key.slice(at + 1)) === true;
  }
  if (dependant.kind === 'column') {
    const at = dependant.key.lastIndexOf('.');
    return state.tables[dependant.key.slice(0, at)]?.columns.some((c) => c.name === dependant.key.slice(at + 1)) === true;
  }
  return state.objects?.[dependant.key] !== undefined;
}

const emptyView: TableView = {
  isLive: () => false,
  holdsRows: () => false,
  deployedTable: () => undefined,
  deployedColumn: () => undefined,
  deployedColumns: () => new Map(),
};

const cache = new WeakMap<PendingFileInput[], PendingSql>();

/** The pending files read once per list (a migrations snapshot keeps the same list object while nothing changes on disk). */
export function readPendingSql(input: PendingSqlInput): PendingSql {
  const known = cache.get(input.pending);
  if (known?.readsAs(input)) return known;
  const read = new PendingSql(input);
  cache.set(input.pending, read);
  return read;
}
