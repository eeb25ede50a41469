/**
 * Reads a Prisma migrations folder and replays it into a DbState, incrementally:
 * a cache keeps replayers after known sequences of migrations (checkpoints), so
 * a new migration folder is applied on top of the cached state instead of
 * replaying hundreds of files from zero on every keystroke.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { emptyState, type DbState, type Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import { range, type SourceRef } from '../core/source';
import { createMysqlReplayer, restoreMysqlReplayer } from './mysql';
import { createPostgresReplayer, restorePostgresReplayer } from './postgres';
import { loadPostgresParser } from './statements';
import type { MigrationInput, ProvenanceEntry, ProvenanceLookup, Replayer, UncertainStatement } from './types';

export type MigrationEntry = MigrationInput & {
  /** SHA-256 of the file's bytes, hex: the same checksum Prisma stores in `_prisma_migrations`. */
  hash: string;
};

export interface MigrationsFolder {
  dir: string;
  exists: boolean;
  /** The provider `migration_lock.toml` records, when it is one this tool replays. */
  lockProvider?: Provider;
  /** The provider text of `migration_lock.toml` as written (also for providers not in `Provider`). */
  lockProviderName?: string;
  lockFile?: string;
  /** In Prisma's order: byte order of the folder names. */
  migrations: MigrationEntry[];
  notes: Note[];
}

const LOCK_FILE = 'migration_lock.toml';
const START = range(0, 0, 0, 0);

function at(file: string): SourceRef {
  return { file, range: START };
}

const ASCII = /^[\x00-\x7f]*$/;

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
}

interface ReadFile {
  sql: string;
  hash: string;
  empty: boolean;
  /** What the file looked like on disk when read: the same stat means the same bytes. */
  stamp: string;
}

/**
 * The files of each folder read before, by path. Reading and hashing every
 * migration again whenever one folder is added costs more than replaying the
 * new one; a file whose size, inode and modification and change times are
 * all the same was not rewritten, so its text and checksum are reused.
 */
const fileCache = new Map<string, Map<string, ReadFile>>();

function stampOf(stat: fs.Stats): string {
  return `${stat.size}:${stat.ino}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

function readMigrationFile(file: string, before: Map<string, ReadFile> | undefined, seen: Map<string, ReadFile>, trusted: boolean): ReadFile {
  const cached = trusted ? before?.get(file) : undefined;
  if (cached) {
    seen.set(file, cached);
    return cached;
  }
  const stat = fs.statSync(file);
  const stamp = stampOf(stat);
  const known = before?.get(file);
  if (known && known.stamp === stamp) {
    seen.set(file, known);
    return known;
  }
  const bytes = fs.readFileSync(file);
  const hash = createHash('sha256').update(bytes).digest('hex');
  let sql = bytes.toString('utf8');
  if (sql.charCodeAt(0) === 0xfeff) sql = sql.slice(1);
  // The stamp was taken before reading: a file rewritten meanwhile has another one next time, so it is read again then.
  const read: ReadFile = { sql, hash, empty: sql.trim() === '', stamp: bytes.length === stat.size ? stamp : '' };
  seen.set(file, read);
  return read;
}

/**
 * What the caller knows changed since the last read of the folder: a file
 * watcher names the migration folders it saw change, and every other file read
 * before is taken from the cache without a stat (800 stats cost more than
 * replaying the one new migration).
 */
export interface FolderReadHints {
  changedFolders: ReadonlySet<string>;
}

/** Reads `dir` the way `prisma migrate` does. Never throws: every problem becomes a note. */
export function readMigrationsFolder(dir: string, hints?: FolderReadHints): MigrationsFolder {
  const before = fileCache.get(dir);
  const seen = new Map<string, ReadFile>();
  const folder: MigrationsFolder = { dir, exists: false, migrations: [], notes: [] };
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') {
      folder.notes.push({ level: 'info', message: `No migrations folder at ${dir} yet: every model counts as new.`, where: at(dir) });
    } else {
      folder.notes.push({ level: 'warning', message: `The migrations folder ${dir} cannot be read (${code}).`, where: at(dir) });
    }
    return folder;
  }
  folder.exists = true;
  // Byte order is code-unit order for ASCII names (all of Prisma's), without a Buffer per comparison.
  if (entries.every((e) => ASCII.test(e.name))) entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  else entries.sort((a, b) => byteOrder(a.name, b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDirectory = fs.statSync(full).isDirectory();
      } catch {
        isDirectory = false;
      }
    }
    if (!isDirectory) {
      if (entry.name === LOCK_FILE) readLockFile(folder, full);
      // Dot-files (.gitkeep, .DS_Store) are routine; anything else is worth a word.
      else if (!entry.name.startsWith('.')) {
        folder.notes.push({ level: 'info', message: `${entry.name} is a file where Prisma expects migration folders; it is ignored.`, where: at(full) });
      }
      continue;
    }
    const file = full + path.sep + 'migration.sql';
    let read: ReadFile;
    try {
      read = readMigrationFile(file, before, seen, hints !== undefined && !hints.changedFolders.has(entry.name));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' && !fs.existsSync(full)) continue; // The folder vanished while we read: nothing to report.
      folder.notes.push(
        code === 'ENOENT'
          ? { level: 'warning', message: `Migration folder ${entry.name} has no migration.sql; it is skipped (prisma migrate fails on such a folder).`, where: at(full) }
          : { level: 'warning', message: `${entry.name}/migration.sql cannot be read (${code}); it is skipped.`, where: at(file) },
      );
      continue;
    }
    if (read.empty) {
      folder.notes.push({ level: 'info', message: `${entry.name}/migration.sql is empty: Prisma applies it as a no-op.`, where: at(file) });
    }
    folder.migrations.push({ name: entry.name, file, sql: read.sql, hash: read.hash });
  }
  fileCache.set(dir, seen);
  return folder;
}

const KNOWN_PROVIDERS: Record<string, Provider> = { postgresql: 'postgresql', postgres: 'postgresql', sqlite: 'sqlite', mysql: 'mysql' };

function readLockFile(folder: MigrationsFolder, file: string): void {
  folder.lockFile = file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    folder.notes.push({ level: 'warning', message: `${LOCK_FILE} cannot be read (${errorCode(error)}).`, where: at(file) });
    return;
  }
  const match = /^\s*provider\s*=\s*"([^"]*)"/m.exec(text);
  if (!match) {
    folder.notes.push({ level: 'warning', message: `${LOCK_FILE} names no provider.`, where: at(file) });
    return;
  }
  folder.lockProviderName = match[1];
  const provider = KNOWN_PROVIDERS[match[1]];
  if (provider) folder.lockProvider = provider;
  else folder.notes.push({ level: 'info', message: `${LOCK_FILE} records provider "${match[1]}", which this tool does not replay.`, where: at(file) });
}

/**
 * The note to show when the schema's datasource provider differs from the one
 * `migration_lock.toml` records (Prisma refuses to migrate then: P3019).
 */
export function lockProviderMismatch(folder: MigrationsFolder, schemaProvider: Provider): Note | undefined {
  if (!folder.lockProviderName) return undefined;
  if (folder.lockProvider === schemaProvider) return undefined;
  return {
    level: 'error',
    message: `The schema uses provider "${schemaProvider}" but ${LOCK_FILE} records "${folder.lockProviderName}": prisma migrate refuses to run until they match, and these migrations were written for the other database.`,
    ...(folder.lockFile ? { where: at(folder.lockFile) } : {}),
  };
}

// ---------------------------------------------------------------------------
// Replay

interface Step {
  name: string;
  hash: string;
}

/** A replayer after applying `steps` in order; never applied to again (runs fork it). */
export interface Checkpoint {
  steps: Step[];
  replayer: Replayer;
  /** The notes each step produced, aligned with `steps`. */
  notes: Note[][];
  /**
   * A fork of `replayer` made ahead (prepareSpareReplayer), so that the next
   * run can continue from this checkpoint without copying the state then.
   */
  spare?: Replayer;
}

/**
 * Opaque to callers: pass the cache an outcome returned into the next call.
 * The cache passed in is consumed (checkpoints it no longer keeps are disposed).
 */
export interface ReplayCache {
  provider: Provider;
  checkpoints: Checkpoint[];
  /**
   * Read from an earlier session (persistedCache): a migration that changed
   * since then is replayed again like any other, without the note that tells
   * an editing user the history changed under the running session.
   */
  fromEarlierSession?: boolean;
}

export interface ReplayOutcome {
  state: DbState;
  /** Folder notes, provider notes, and the notes of every migration replayed (cached ones included). */
  notes: Note[];
  provenance: ProvenanceLookup;
  /** Statements of every migration replayed that the replay could not interpret or that the database rejects. */
  uncertain: readonly UncertainStatement[];
  /** Migrations whose effect came from the cache. */
  appliedFromCache: number;
  /** Migrations applied in this call. */
  applied: number;
  cache: ReplayCache;
  /** Set when a cache was given but the history changed under it, so the replay restarted from an earlier point. */
  restarted?: string;
}

/** A replayed state that is not the end of the history (the deployed baseline). */
export interface ReplayStage {
  state: DbState;
  provenance: ProvenanceLookup;
  /** Notes of the migrations in this stage only. */
  notes: Note[];
  /** Statements of this stage's migrations the replay could not interpret. */
  uncertain: readonly UncertainStatement[];
  /** Names of the migrations applied, in order. */
  migrations: string[];
  /** A replayer positioned at this stage, to continue migration by migration (e.g. state before each pending one). */
  fork(): Replayer;
}

export interface SplitReplayOutcome {
  /** State after the migrations `deployed` selects (in order). */
  baseline: ReplayStage;
  /** State after all migrations. */
  full: ReplayOutcome;
  /** Names of the migrations not in the baseline, in order. */
  pending: string[];
}

const MAX_CHECKPOINTS = 4;

/** Replays every migration of the folder, reusing `cache` when its history is a prefix of the folder's. */
export async function replayMigrations(folder: MigrationsFolder, provider: Provider, cache?: ReplayCache): Promise<ReplayOutcome> {
  return (await replaySplit(folder, provider, undefined, cache)).full;
}

/**
 * Replays the folder twice over in one pass: `baseline` is the state after the
 * migrations `deployed` selects, `full` after all of them. When the selected
 * migrations are a prefix (the usual case) the baseline is a checkpoint taken
 * on the way; otherwise the common prefix is shared and the baseline continues
 * with only the selected ones.
 */
export async function replayMigrationsUpTo(
  folder: MigrationsFolder,
  provider: Provider,
  deployed: ReadonlySet<string> | ((name: string) => boolean),
  cache?: ReplayCache,
): Promise<SplitReplayOutcome> {
  const select = typeof deployed === 'function' ? deployed : (name: string) => deployed.has(name);
  return replaySplit(folder, provider, select, cache) as Promise<SplitReplayOutcome>;
}

async function replaySplit(
  folder: MigrationsFolder,
  provider: Provider,
  select: ((name: string) => boolean) | undefined,
  cache: ReplayCache | undefined,
): Promise<{ full: ReplayOutcome; baseline?: ReplayStage; pending?: string[] }> {
  const providerNotes: Note[] = [];
  const factory = await replayerFactory(provider, providerNotes);
  const previous = cache && cache.provider === provider ? cache.checkpoints : [];
  const all = folder.migrations;
  const allSteps = all.map(stepOf);
  const chosen = select ? all.filter((m) => select(m.name)) : undefined;
  const chosenSteps = chosen?.map(stepOf);

  const checkpoints = [...previous];
  // Where the baseline and the full history stop agreeing: the full pass leaves a checkpoint there.
  const shared = chosenSteps ? commonPrefix(chosenSteps, allSteps) : 0;

  const fullStart = best(checkpoints, allSteps);
  const restarted = cache && cache.provider === provider && !cache.fromEarlierSession ? restartReason(previous, allSteps, fullStart) : undefined;
  const fullRun = await advance(fullStart, all, factory, chosenSteps && shared > (fullStart?.steps.length ?? 0) && shared < all.length ? shared : undefined);
  checkpoints.push(fullRun.checkpoint);
  if (fullRun.marked) checkpoints.push(fullRun.marked);

  let baseline: ReplayStage | undefined;
  let baselineCheckpoint: Checkpoint | undefined;
  if (chosen && chosenSteps) {
    const start = best(checkpoints, chosenSteps);
    baselineCheckpoint = start && start.steps.length === chosenSteps.length ? start : (await advance(start, chosen, factory, undefined)).checkpoint;
    const stage = baselineCheckpoint;
    baseline = {
      state: stage.replayer.state(),
      provenance: lookupOf(stage.replayer),
      notes: stage.notes.flat(),
      uncertain: stage.replayer.uncertain?.() ?? [],
      migrations: stage.steps.map((s) => s.name),
      fork: () => stage.replayer.fork(),
    };
  }

  // Keep what this run used or made, then the most recent others, up to the limit.
  const keep: Checkpoint[] = [];
  for (const checkpoint of [fullRun.checkpoint, baselineCheckpoint, fullRun.marked, fullStart, ...previous.slice().reverse()]) {
    if (checkpoint && !keep.includes(checkpoint) && keep.length < MAX_CHECKPOINTS) keep.push(checkpoint);
  }
  for (const checkpoint of new Set([...previous, ...checkpoints])) {
    if (!keep.includes(checkpoint)) {
      try {
        checkpoint.replayer.dispose();
        checkpoint.spare?.dispose();
      } catch {
        // Disposing is best effort.
      }
      checkpoint.spare = undefined;
    }
  }

  const restartNotes: Note[] = restarted ? [{ level: 'info', message: restarted, where: { file: folder.dir, range: START } }] : [];
  const full: ReplayOutcome = {
    state: fullRun.checkpoint.replayer.state(),
    notes: [...folder.notes, ...providerNotes, ...restartNotes, ...fullRun.checkpoint.notes.flat()],
    provenance: lookupOf(fullRun.checkpoint.replayer),
    uncertain: fullRun.checkpoint.replayer.uncertain?.() ?? [],
    appliedFromCache: fullStart?.steps.length ?? 0,
    applied: all.length - (fullStart?.steps.length ?? 0),
    cache: { provider, checkpoints: keep },
    ...(restarted ? { restarted } : {}),
  };
  if (!chosen || !baseline) return { full };
  const chosenNames = new Set(chosen.map((m) => m.name));
  return { full, baseline, pending: all.filter((m) => !chosenNames.has(m.name)).map((m) => m.name) };
}

/**
 * Forks the replayer of the newest checkpoint now, so that when a migration is
 * added next, replaying it on top of the cached state does not first copy the
 * whole state (the copy is most of the cost on a large project). Meant to run
 * while nothing else is waiting, after an analysis has been delivered.
 */
/** Checkpoint replayers are never applied to again, so a lookup into one stays true. */
function lookupOf(replayer: Replayer): ProvenanceLookup {
  if (replayer.provenanceOf) return (key) => replayer.provenanceOf?.(key);
  const flat = replayer.provenance();
  return (key) => (Object.hasOwn(flat, key) ? flat[key] : undefined);
}

export function prepareSpareReplayer(cache: ReplayCache | undefined): void {
  const newest = cache?.checkpoints[0];
  if (!newest || newest.spare) return;
  try {
    newest.spare = newest.replayer.fork();
  } catch {
    // Without a spare the next run forks when it needs to.
  }
}

function stepOf(m: MigrationEntry): Step {
  return { name: m.name, hash: m.hash };
}

function sameStep(a: Step, b: Step): boolean {
  return a.name === b.name && a.hash === b.hash;
}

function commonPrefix(a: Step[], b: Step[]): number {
  let n = 0;
  while (n < a.length && n < b.length && sameStep(a[n], b[n])) n++;
  return n;
}

/** The longest checkpoint whose steps start `steps`. */
function best(checkpoints: Checkpoint[], steps: Step[]): Checkpoint | undefined {
  let found: Checkpoint | undefined;
  for (const checkpoint of checkpoints) {
    if (checkpoint.steps.length > steps.length) continue;
    if (found && checkpoint.steps.length <= found.steps.length) continue;
    if (commonPrefix(checkpoint.steps, steps) === checkpoint.steps.length) found = checkpoint;
  }
  return found;
}

/** Why the cache could not be continued from its furthest point, in words for an info note. */
function restartReason(previous: Checkpoint[], steps: Step[], used: Checkpoint | undefined): string | undefined {
  let furthest: Checkpoint | undefined;
  for (const checkpoint of previous) if (!furthest || checkpoint.steps.length > furthest.steps.length) furthest = checkpoint;
  if (!furthest || furthest === used) return undefined;
  const n = commonPrefix(furthest.steps, steps);
  if (n === furthest.steps.length) return undefined;
  const then = used && used.steps.length > 0 ? `the replay continues from the state after ${used.steps[used.steps.length - 1].name}` : 'the replay starts again from the first migration';
  const old = furthest.steps[n];
  const now = steps[n];
  if (now && now.name === old.name) return `Migration ${old.name} changed since it was last read; ${then}.`;
  if (!steps.some((s) => s.name === old.name)) return `Migration ${old.name} is no longer in the migrations folder; ${then}.`;
  return `Migration ${now?.name ?? '?'} now comes before migrations already read; ${then}.`;
}

/**
 * Applies `migrations` from where `start` stands (its steps must be their
 * prefix) on a fork. With `markAt`, also returns a checkpoint after that many.
 */
async function advance(
  start: Checkpoint | undefined,
  migrations: MigrationEntry[],
  factory: ReplayerFactory,
  markAt: number | undefined,
): Promise<{ checkpoint: Checkpoint; marked?: Checkpoint }> {
  const from = start?.steps.length ?? 0;
  if (start && from === migrations.length) return { checkpoint: start };
  await factory.ready();
  const spare = start?.spare;
  if (start) start.spare = undefined;
  const replayer = start ? (spare ?? start.replayer.fork()) : await factory.create();
  const steps = start ? [...start.steps] : [];
  const notes = start ? [...start.notes] : [];
  let marked: Checkpoint | undefined;
  for (let i = from; i < migrations.length; i++) {
    if (markAt !== undefined && i === markAt) marked = { steps: [...steps], replayer: replayer.fork(), notes: [...notes] };
    const migration = migrations[i];
    let produced: Note[];
    try {
      produced = replayer.apply(migration);
    } catch (error) {
      produced = [{ level: 'error', message: `Replaying ${migration.name} failed: ${(error as Error).message}`, where: { file: migration.file, range: START } }];
    }
    steps.push(stepOf(migration));
    notes.push(produced);
  }
  return { checkpoint: { steps, replayer, notes }, ...(marked ? { marked } : {}) };
}

// ---------------------------------------------------------------------------
// Providers

type SqliteModule = { createSqliteReplayer?: () => Promise<Replayer> };

/**
 * A fresh replayer for `provider`, for callers that apply migrations one by one
 * (tests, per-pair rebuilds). Providers that cannot be replayed get one that
 * keeps an empty state; `replayMigrations` says why in its notes.
 */
export async function createReplayer(provider: Provider): Promise<Replayer> {
  return (await replayerFactory(provider, [])).create();
}

/**
 * Starts loading what replaying `provider`'s migrations needs (the PostgreSQL
 * parser's wasm), without waiting for it: the caller knows a replay is coming
 * and reads files meanwhile, while V8 compiles the wasm on a background
 * thread. A failure is reported by the load that the replay itself awaits.
 */
export function prepareReplay(provider: Provider): void {
  if (provider === 'postgresql') loadPostgresParser().catch(() => undefined);
}

interface ReplayerFactory {
  /** A fresh replayer (empty state). */
  create(): Promise<Replayer>;
  /** Resolves once replayers of this provider can apply migrations (the parser is loaded): awaited only when there is something to apply. */
  ready(): Promise<void>;
}

async function replayerFactory(provider: Provider, notes: Note[]): Promise<ReplayerFactory> {
  if (provider === 'postgresql') {
    // The parser (libpg-query wasm, a quarter of a second to load) is loaded only when a migration is to be applied:
    // a history that comes whole from the cache needs none.
    let failed = false;
    const ready = async (): Promise<boolean> => {
      try {
        await loadPostgresParser();
        return true;
      } catch (error) {
        if (!failed) notes.push({ level: 'error', message: `The PostgreSQL parser could not be loaded (${(error as Error).message}); the migrations are not replayed.` });
        failed = true;
        return false;
      }
    };
    return {
      create: async () => ((await ready()) ? createPostgresReplayer() : new EmptyReplayer('postgresql')),
      ready: async () => {
        await ready();
      },
    };
  }
  if (provider === 'sqlite') {
    const create = loadSqliteFactory();
    if (typeof create === 'string') {
      notes.push({ level: 'warning', message: `SQLite replay unavailable (${create}); the migrated state is empty.` });
      return { create: async () => new EmptyReplayer('sqlite'), ready: async () => undefined };
    }
    return {
      create: async () => {
        try {
          return await create();
        } catch (error) {
          notes.push({ level: 'warning', message: `SQLite replay unavailable (${(error as Error).message}); the migrated state is empty.` });
          return new EmptyReplayer('sqlite');
        }
      },
      ready: async () => undefined,
    };
  }
  return { create: async () => createMysqlReplayer(), ready: async () => undefined };
}

/** A replayer continuing from saveData() of one of the same provider; undefined for providers whose replayers cannot be saved. */
export function restoreReplayer(provider: Provider, data: unknown): Replayer | undefined {
  if (provider === 'postgresql') return restorePostgresReplayer(data);
  if (provider === 'mysql') return restoreMysqlReplayer(data);
  return undefined;
}

/** The SQLite replayer lives in its own module, loaded only when needed (and tolerated when absent). */
function loadSqliteFactory(): (() => Promise<Replayer>) | string {
  const modulePath = './sqlite';
  try {
    // A computed path keeps the compiler from requiring the module at build time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as SqliteModule;
    return typeof mod.createSqliteReplayer === 'function' ? mod.createSqliteReplayer : 'the module has no createSqliteReplayer';
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/** Stands in for providers that cannot be replayed, so caching and outcomes keep one shape. */
class EmptyReplayer implements Replayer {
  private readonly current: DbState;

  constructor(readonly provider: Provider) {
    this.current = emptyState(provider);
  }

  apply(): Note[] {
    return [];
  }

  state(): DbState {
    return this.current;
  }

  provenance(): Record<string, ProvenanceEntry> {
    return {};
  }

  fork(): Replayer {
    return new EmptyReplayer(this.provider);
  }

  dispose(): void {
    // Nothing held.
  }
}
