import * as fs from 'fs';
import * as path from 'path';
import type { DbState, Provider } from '../core/dbState';
import { letPendingMessagesIn } from '../core/eventLoop';
import type { Note } from '../core/notes';
import { markStable } from '../diff/diff';
import { MapCache, type MappedSchema, mapSchema } from '../map/mapSchema';
import { type GuardConfig, loadConfig } from '../project/config';
import { diffStates } from '../diff/diff';
import { committedMigrationFolders, committedSchemaFiles, type GitAnswers, type GitView, prefetchGit } from '../project/git';
import type { PrismaProject } from '../project/locate';
import { lockProviderMismatch, prepareReplay, prepareSpareReplayer, readMigrationsFolder, replayMigrationsUpTo, type ReplayCache } from '../replay/migrations';
import type { ReplayStore } from '../replay/persistedCache';
import { loadPostgresParser } from '../replay/statements';
import type { ProvenanceLookup, Replayer, UncertainStatement } from '../replay/types';
import { combineFiles, type FileScan, rescanFile, scanSchema } from '../scan/scanner';
import type { ScannedFile, ScannedSchema } from '../scan/types';
import { lintSchema } from '../schema/prismaWasm';
import { applyBaseline, readBaseline, staleNotes } from './baseline';
import { judgeSchema } from './judge';
import { carriersAmong, changeIdentity } from './origin';
import { readPendingSql } from './pendingSql';
import { contentKey, type DriftAtRef, separatePreexisting, type SweptInto } from './preexisting';
import { dialectStatements, judgeMigrationSql } from './sqlAnalysis';
import type { Suppression } from './suppressions';
import { applyPreflight, type PreflightContext, type PreflightFacts } from './preflight';
import { applyTableSizes, type TableSizes } from './tableSizes';
import type { MigrationStatus, ProjectAnalysis, SchemaError } from './types';

export interface SessionOptions {
  /** Overrides the configuration's `deployed` (the CLI's --base). */
  deployed?: string;
  /** Settings that apply over the project file (the editor's `migrationGuard.*`). */
  configOverride?: (config: GuardConfig, notes: Note[]) => GuardConfig;
  /** Run Prisma's own validator on the schema (costly on every keystroke; the editor has Prisma's extension for it). */
  validate?: boolean;
  /**
   * Every commit, checkout or fetch is reported by invalidateMigrations() without a
   * path (the editor watches .git refs): git's list of committed migrations is then
   * kept until such a report, instead of asked again whenever a migration changes.
   */
  gitChangesReported?: boolean;
  /** Row estimates (a stats file, or read from a database on request): asked at each analysis, applied to the findings. */
  tableSizes?: () => TableSizes | undefined;
  /** What the last preflight measured (the editor keeps it between analyses): applied to the findings whose questions it answered. */
  preflight?: () => PreflightFacts | undefined;
  /** Replayed migrations kept between sessions: read before the first replay, written after a replay that applied migrations. */
  replayStore?: ReplayStore;
  /** Told what the replay store did (read, missed and why, wrote), for the server's trace. */
  onReplayStore?: (message: string) => void;
  /**
   * Runs work that must not hold up a result (forking the spare replayer, saving the replay) once the caller
   * has handled it. Default: a timer. The language server passes its own: its scheduler yields to the event
   * loop between the analysis and the publication, and a timer would run first, in front of the diagnostics.
   */
  afterResult?: (work: () => void) => void;
}

/** Thrown when the analysis cannot run at all (a git ref that does not exist): the CLI exits 2. */
export class CannotAnalyze extends Error {}

interface MigrationsSnapshot {
  key: string;
  /** Provider and `deployed` setting the snapshot was computed for. */
  setting: string;
  baseline: DbState;
  migrated: DbState;
  provenance: ProvenanceLookup;
  uncertain: readonly UncertainStatement[];
  statuses: MigrationStatus[];
  notes: Note[];
  pendingFiles: { name: string; file: string; sql: string }[];
  /** The deployed migrations' text, in order (SQL rules read CHECK constraints from them, which the replayed state does not model). */
  deployedFiles: { name: string; sql: string }[];
  lockProvider?: Provider;
  /** inferPrismaVersion of the baseline ('' when it tells nothing), read once per snapshot, not per keystroke. */
  inferredPrismaVersion: string;
  /** In git mode, the schema as committed at the ref the deployed migrations were read at, and what to compare it with. */
  committed?: CommittedSchema;
  /** A copy of the replayer at the baseline, for the SQL rules' own replay of the pending files. */
  forkBaseline: () => Replayer;
}

/** What the drift at a ref is computed from: once per migrations snapshot, at its first analysis (see driftOf). */
interface CommittedSchema {
  ref: string;
  files: { path: string; text: string }[];
  pending: { name: string; file: string; sql: string }[];
  /** A replayer at the deployed state (consumed). */
  fork: () => Replayer;
  /** What already separates the committed migrations from the committed schema, for the Prisma version it was mapped with. */
  drift?: { prismaVersion: string | undefined; value: DriftAtRef };
}

/**
 * One Prisma project, kept warm between analyses: the replayed migrations are
 * cached (and extended incrementally when a migration is added), so an edit of
 * the schema only costs scan → map → diff → rules, and each of those redoes
 * only what the edit touched: the scan re-reads the edited block, the mapping
 * maps again the models whose block changed (and those whose relations point
 * at them), the diff compares again only the tables whose mapping changed.
 */
export class ProjectSession {
  private replayCache?: ReplayCache;
  private snapshot?: MigrationsSnapshot;
  private scans = new Map<string, FileScan>();
  private readonly mapCache = new MapCache();
  /** Set when this analysis replayed migrations: once it is delivered, the replayer is forked ahead for the next migration. */
  private replayed = false;
  /** The SQL rules' verdict depends only on the migrations and the configuration, not on the schema being typed. */
  private sqlVerdict?: { snapshot: MigrationsSnapshot; config: string; result: ReturnType<typeof judgeMigrationSql> };
  /** Migration folders reported changed since the folder was last read ('all' before the first read, or when the cause is unknown). */
  private changedFolders: Set<string> | 'all' = 'all';
  /** What git said is committed, for which `deployed` setting (kept only with `gitChangesReported`). */
  private gitView?: { deployed: string; view: GitView; schema?: { path: string; text: string }[] | 'unread' };
  /** Providers whose saved replay was already looked for (once per session: afterwards the in-memory cache is newer). */
  private readonly storeRead = new Set<Provider>();
  /** The newest checkpoint the store holds (as read or written), so an unchanged replay is not written again. */
  private storedCheckpoint?: unknown;
  /** Lengths of the histories the last replay ended at (all migrations, the deployed ones): the checkpoints worth saving. */
  private replayedLengths: number[] = [];
  /** The last save: started after the result is handled, or when the caller asks for it (it runs once). */
  private pendingSave?: () => Promise<void>;

  constructor(
    readonly project: PrismaProject,
    private readonly options: SessionOptions = {},
  ) {}

  /**
   * Forget the migrations state; the next analysis re-reads the folder
   * (incrementally where it can). `changedPath` is the file or folder a watcher
   * saw change: until the next read only the migration folders named so are
   * looked at again on disk. Without it (a commit, a settings change, a cause
   * unknown) every file is checked.
   */
  invalidateMigrations(changedPath?: string): void {
    this.snapshot = undefined;
    const relative = changedPath === undefined ? '' : path.relative(this.project.migrationsDir, changedPath);
    const folder = relative.split(path.sep)[0];
    if (!folder || folder === '..' || path.isAbsolute(relative)) {
      this.changedFolders = 'all';
      this.gitView = undefined;
    } else if (this.changedFolders !== 'all') {
      this.changedFolders.add(folder);
    }
  }

  async analyze(overrides: ReadonlyMap<string, string> = new Map(), isCancelled: () => boolean = () => false): Promise<ProjectAnalysis | undefined> {
    const timings: Record<string, number> = {};
    const notes: Note[] = [];
    let started = performance.now();
    const lap = (stage: string): void => {
      const now = performance.now();
      timings[stage] = (timings[stage] ?? 0) + (now - started);
      started = now;
    };

    const { config, notes: configNotes } = loadConfig(this.project.root);
    const effective = this.options.configOverride ? this.options.configOverride(config, configNotes) : config;
    if (this.options.deployed) effective.deployed = this.options.deployed;
    notes.push(...configNotes);
    const gitAhead = this.snapshot ? undefined : this.prefetchGit(effective.deployed);

    const files = this.project.schemaFiles.map((file) => ({ path: file, text: overrides.get(file) ?? readText(file, notes) }));
    const scans = new Map<string, FileScan>();
    for (const file of files) scans.set(file.path, rescanFile(this.scans.get(file.path), file.path, file.text));
    this.scans = scans;
    const scannedFiles = new Map<string, ScannedFile>();
    for (const [file, scan] of scans) scannedFiles.set(file, scan.file);
    const scanned = combineFiles([...scannedFiles.values()]);
    lap('scan');
    const provider = providerOf(scanned, notes);
    if (this.replayAhead(provider)) prepareReplay(provider);
    let schemaErrors: SchemaError[] | undefined;
    if (this.options.validate) {
      const lint = lintSchema(files, { scans: scannedFiles });
      schemaErrors = lint.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ file: d.file, range: d.range, message: d.message }));
      for (const error of schemaErrors) notes.push({ level: 'warning', message: `Prisma reports: ${error.message}`, where: { file: error.file, range: error.range } });
      if (lint.failure) notes.push({ level: 'warning', message: `Prisma's schema validator could not run: ${lint.failure.message}` });
      lap('validate');
    }
    for (const problem of scanned.problems) notes.push({ level: 'warning', message: problem.message, where: { file: problem.file, range: problem.range } });
    await letPendingMessagesIn();
    if (isCancelled()) return undefined;
    started = performance.now();

    const migrations = await this.migrations(provider, effective, gitAhead);
    notes.push(...migrations.notes);
    lap('replay');
    if (isCancelled()) return undefined;

    const prismaVersion = this.project.prismaVersion ?? (migrations.inferredPrismaVersion || undefined);
    const mapped = mapSchema(scanned, { provider, ...(prismaVersion ? { prismaVersion } : {}) }, this.mapCache);
    // Neither this session nor anyone it hands them to modifies these tables; the diff may remember them.
    markStable(mapped.state);
    notes.push(...mapped.notes);
    lap('map');
    // Partial index predicates are compared as the parser prints them (diff.ts); a replay read from the store
    // loads no parser. Without it (it failed to load) they are compared as written.
    if (provider === 'postgresql' && mapped.state.partialIndexes && hasIndexPredicate(mapped.state)) await loadPostgresParser().catch(() => undefined);
    await letPendingMessagesIn();
    if (isCancelled()) return undefined;
    started = performance.now();

    const judged = judgeSchema({
      provider,
      baseline: migrations.baseline,
      migrated: migrations.migrated,
      expected: mapped.state,
      sources: mapped.sources,
      prismaDefaults: mapped.prismaDefaults ?? {},
      config: effective,
      provenance: migrations.provenance,
      uncertain: migrations.uncertain,
      suppressions: scanned.suppressions.map(toSuppression),
      pendingSql: readPendingSql({ provider, baseline: migrations.baseline, pending: migrations.pendingFiles, deployed: migrations.deployedFiles, forkBaseline: migrations.forkBaseline, splitPlain: dialectStatements }),
    });
    notes.push(...judged.notes);
    lap('judge');

    const configKey = JSON.stringify(effective);
    if (this.sqlVerdict?.snapshot !== migrations || this.sqlVerdict.config !== configKey) {
      // The SQL rules read the pending migrations; the parser is loaded only when there are some (see replayerFactory).
      if (provider === 'postgresql' && migrations.pendingFiles.length > 0) await loadPostgresParser();
      this.sqlVerdict = { snapshot: migrations, config: configKey, result: judgeMigrationSql({ provider, baseline: migrations.baseline, pending: migrations.pendingFiles, deployed: migrations.deployedFiles, forkBaseline: migrations.forkBaseline, config: effective }) };
    }
    const sql = this.sqlVerdict.result;
    notes.push(...sql.notes);
    lap('sql');

    let findings = [...judged.findings, ...sql.findings];
    let preexisting: ProjectAnalysis['preexisting'];
    const drift = migrations.committed ? driftOf(migrations, migrations.committed, { provider, prismaVersion, files, mapped }) : undefined;
    if (drift) {
      const datasource = scanned.datasource;
      const anchor = datasource ? { file: datasource.file, range: { start: datasource.block.blockRange.start, end: datasource.block.nameRange.end } } : undefined;
      const separated = separatePreexisting({ findings, changes: judged.changes, drift, ...(anchor ? { anchor } : {}) });
      findings = separated.findings;
      preexisting = separated.preexisting;
    }
    const sizes = this.options.tableSizes?.();
    if (sizes) {
      const sized = applyTableSizes(findings, sizes, { provider, config: effective });
      findings = sized.findings;
      notes.push(...sized.notes);
    }
    const preflightContext: PreflightContext = { provider, baseline: migrations.baseline, pending: migrations.pendingFiles, config: effective };
    const facts = this.options.preflight?.();
    if (facts) {
      findings = applyPreflight(findings, preflightContext, facts);
      notes.push(...facts.notes);
    }
    const baselineFile = readBaseline(this.project.root, notes);
    let baseline: ProjectAnalysis['baseline'];
    if (baselineFile) {
      const applied = applyBaseline(findings, baselineFile);
      findings = applied.findings;
      baseline = applied.outcome;
      notes.push(...staleNotes(applied.outcome));
    }

    if (this.replayed) {
      this.replayed = false;
      this.afterResult(() => prepareSpareReplayer(this.replayCache));
    }
    this.saveReplay();
    return {
      project: this.project,
      provider,
      findings,
      changes: judged.changes,
      unmigrated: judged.unmigrated,
      migrations: migrations.statuses,
      uncertain: migrations.uncertain,
      notes,
      ...(schemaErrors ? { schemaErrors } : {}),
      preflightContext,
      ...(preexisting ? { preexisting } : {}),
      ...(baseline ? { baseline } : {}),
      timings,
    };
  }

  private async migrations(provider: Provider, config: GuardConfig, gitAhead?: Promise<GitAnswers>): Promise<MigrationsSnapshot> {
    // The folder is read again only after invalidateMigrations() (a watcher saw a change) or a settings change.
    if (this.snapshot && this.snapshot.setting === `${provider}|${config.deployed}`) return this.snapshot;
    const folder = readMigrationsFolder(this.project.migrationsDir, this.changedFolders === 'all' ? undefined : { changedFolders: this.changedFolders });
    this.changedFolders = new Set();
    const deployedNames = this.deployedNames(folder.migrations.map((m) => m.name), config.deployed, await gitAhead);
    const key = `${provider}|${config.deployed}|${folder.migrations.map((m) => `${m.name}:${m.hash}`).join(',')}|${[...deployedNames].join(',')}`;
    if (this.snapshot?.key === key) return this.snapshot;
    const setting = `${provider}|${config.deployed}`;

    const notes: Note[] = [...folder.notes, ...deployedNames.notes];
    const mismatch = lockProviderMismatch(folder, provider);
    if (mismatch) notes.push(mismatch);
    if (!this.replayCache) this.replayCache = this.readSavedReplay(provider);
    // One pass: the baseline is kept on the way through the full replay.
    const replayed = await replayMigrationsUpTo(folder, provider, deployedNames, this.replayCache);
    this.replayCache = replayed.full.cache;
    this.replayed = true;
    this.replayedLengths = [folder.migrations.length, replayed.baseline.migrations.length];
    notes.push(...replayed.full.notes);

    markStable(replayed.baseline.state);
    markStable(replayed.full.state);
    const pendingMigrations = folder.migrations.filter((m) => !deployedNames.has(m.name));
    const inferredPrismaVersion = inferPrismaVersion(replayed.baseline.state) ?? '';
    const committed: CommittedSchema | undefined = deployedNames.committedSchema
      ? { ref: deployedNames.ref ?? 'HEAD', files: deployedNames.committedSchema, pending: pendingMigrations, fork: () => replayed.baseline.fork() }
      : undefined;
    this.snapshot = {
      key,
      setting,
      baseline: replayed.baseline.state,
      migrated: replayed.full.state,
      provenance: replayed.full.provenance,
      uncertain: replayed.full.uncertain,
      statuses: folder.migrations.map((m) => ({ name: m.name, deployed: deployedNames.has(m.name) })),
      notes,
      pendingFiles: pendingMigrations.map((m) => ({ name: m.name, file: m.file, sql: m.sql })),
      deployedFiles: folder.migrations.filter((m) => deployedNames.has(m.name)).map((m) => ({ name: m.name, sql: m.sql })),
      ...(folder.lockProvider ? { lockProvider: folder.lockProvider } : {}),
      inferredPrismaVersion,
      ...(committed ? { committed } : {}),
      forkBaseline: () => replayed.baseline.fork(),
    };
    return this.snapshot;
  }

  /** Whether this analysis will replay migrations from scratch: no replay in memory and none saved by an earlier session. */
  private replayAhead(provider: Provider): boolean {
    if (this.snapshot || this.replayCache) return false;
    const store = this.options.replayStore;
    return !store || this.storeRead.has(provider) || !store.has(this.project.migrationsDir, provider);
  }

  private readSavedReplay(provider: Provider): ReplayCache | undefined {
    const store = this.options.replayStore;
    if (!store || this.storeRead.has(provider)) return undefined;
    this.storeRead.add(provider);
    const loaded = store.load(this.project.migrationsDir, provider);
    if (loaded.cache) {
      this.storedCheckpoint = loaded.cache.checkpoints[0];
      this.options.onReplayStore?.(`Read the replay of ${loaded.migrations ?? 0} migration(s) saved by an earlier session.`);
    } else {
      this.options.onReplayStore?.(`No saved replay used: ${loaded.miss ?? 'none'}.`);
    }
    return loaded.cache;
  }

  /** Writes the replay for later sessions when it holds migrations the store does not have yet. */
  private saveReplay(): void {
    const store = this.options.replayStore;
    const cache = this.replayCache;
    const newest = cache?.checkpoints[0];
    if (!store || !cache || !newest || newest === this.storedCheckpoint) return;
    this.storedCheckpoint = newest;
    // The full history and the deployed baseline: what the next session starts from.
    const lengths = this.replayedLengths;
    const checkpoints = cache.checkpoints.filter((c, i) => lengths.includes(c.steps.length) && cache.checkpoints.findIndex((d) => d.steps.length === c.steps.length) === i);
    const migrationsDir = this.project.migrationsDir;
    let saving: Promise<void> | undefined;
    const save = (): Promise<void> => {
      saving ??= store.save(migrationsDir, cache.provider, checkpoints).then((written) => {
        this.options.onReplayStore?.(written ? `Saved the replay of ${newest.steps.length} migration(s) for later sessions.` : 'The replay could not be saved for later sessions.');
      });
      return saving;
    };
    this.pendingSave = save;
    // After the result is handled, like the spare replayer: the copy it makes must not hold up diagnostics.
    this.afterResult(() => void save());
  }

  private afterResult(work: () => void): void {
    if (this.options.afterResult) this.options.afterResult(work);
    // unref: a CLI does not wait for it (it awaits replaySaved()).
    else setTimeout(work, 0).unref();
  }

  /** Resolves once the last replay is saved, running the save now if its timer has not (a CLI exits before an unref'd timer fires). */
  async replaySaved(): Promise<void> {
    await this.pendingSave?.();
  }

  /**
   * Starts the git commands the next read of the migrations will need, so that they run while the schema is
   * scanned and the migration files are read; undefined when git will not be asked.
   */
  private prefetchGit(deployed: string): Promise<GitAnswers> | undefined {
    if (deployed === 'all' || (this.options.gitChangesReported && this.gitView?.deployed === deployed)) return undefined;
    return prefetchGit(this.project.migrationsDir, this.project.schemaPath, deployed.startsWith('ref:') ? deployed.slice(4) : undefined);
  }

  private committedView(deployed: string, ref: string | undefined, answers: GitAnswers | undefined): GitView {
    if (this.options.gitChangesReported && this.gitView?.deployed === deployed) return this.gitView.view;
    const view = committedMigrationFolders(this.project.migrationsDir, ref, answers);
    this.gitView = { deployed, view, schema: 'unread' };
    return view;
  }

  /** The schema as committed at the ref the deployed migrations were read at, asked of git once per view. */
  private committedSchema(ref: string | undefined, answers: GitAnswers | undefined): { path: string; text: string }[] | undefined {
    if (!this.gitView) return undefined;
    if (this.gitView.schema === 'unread') this.gitView.schema = committedSchemaFiles(this.project.schemaPath, ref, answers);
    return this.gitView.schema;
  }

  /** Which migration folders count as deployed, per the `deployed` setting. */
  private deployedNames(names: string[], deployed: string, answers: GitAnswers | undefined): DeployedNames {
    const result = new Set<string>() as DeployedNames;
    result.notes = [];
    if (deployed === 'all') {
      names.forEach((n) => result.add(n));
      return result;
    }
    const ref = deployed.startsWith('ref:') ? deployed.slice(4) : undefined;
    const view = this.committedView(deployed, ref, answers);
    if (ref && !view.committedFolders) {
      throw new CannotAnalyze(`cannot tell which migrations are deployed: ${view.problem ?? `git ref ${ref} not readable`}`);
    }
    if (!view.committedFolders) {
      // Outside git every migration on disk counts as deployed.
      names.forEach((n) => result.add(n));
      result.notes.push({ level: 'info', message: `Not in a git repository: all ${names.length} migration(s) count as deployed.` });
      return result;
    }
    for (const name of names) if (view.committedFolders.has(name)) result.add(name);
    const schema = this.committedSchema(ref, answers);
    if (schema) result.committedSchema = schema;
    if (ref) result.ref = ref;
    return result;
  }
}

type DeployedNames = Set<string> & {
  notes: Note[];
  /** In git mode, the schema as committed at the same ref (absent when git does not have it). */
  committedSchema?: { path: string; text: string }[];
  ref?: string;
};

interface LiveMapping {
  provider: Provider;
  prismaVersion: string | undefined;
  /** The schema files this analysis read (open documents' text where open). */
  files: { path: string; text: string }[];
  mapped: MappedSchema;
}

/**
 * The drift at the snapshot's ref, computed at its first analysis and kept:
 * the schema being typed plays no part. When the files being analysed are the
 * committed ones (a clean checkout, the usual start), their mapping is the
 * committed schema's, and mapping the same text a second time would cost as
 * much as the first (a sixth of a first start on 140 models).
 */
function driftOf(snapshot: MigrationsSnapshot, committed: CommittedSchema, live: LiveMapping): DriftAtRef {
  if (committed.drift && committed.drift.prismaVersion === live.prismaVersion) return committed.drift.value;
  // The live mapping's sources and defaults are read only by the diffs below, now; its state is kept (drift.after),
  // so it is detached from the records the next keystroke's mapping updates in place.
  const mapped = sameFiles(committed.files, live.files)
    ? { state: detachedState(live.mapped.state), sources: live.mapped.sources, prismaDefaults: live.mapped.prismaDefaults }
    : mapSchema(scanSchema(committed.files), { provider: live.provider, ...(live.prismaVersion ? { prismaVersion: live.prismaVersion } : {}) });
  const value = driftAtRef({ ref: committed.ref, baseline: snapshot.baseline, migrated: snapshot.migrated, pending: committed.pending, fork: committed.fork }, mapped);
  committed.drift = { prismaVersion: live.prismaVersion, value };
  return value;
}

/**
 * A state of its own records over the same tables and enums: a cached mapping updates its records in place on
 * the next call, but never the table objects it returned (mapSchema's MapCache).
 */
function detachedState(state: DbState): DbState {
  return {
    ...state,
    tables: { ...state.tables },
    enums: { ...state.enums },
    ...(state.objects ? { objects: { ...state.objects } } : {}),
    ...(state.managedSchemas ? { managedSchemas: [...state.managedSchemas] } : {}),
  };
}

function sameFiles(a: readonly { path: string; text: string }[], b: readonly { path: string; text: string }[]): boolean {
  if (a.length !== b.length) return false;
  const texts = new Map(b.map((file) => [file.path, file.text]));
  return a.every((file) => texts.get(file.path) === file.text);
}

interface DriftInput {
  ref: string;
  baseline: DbState;
  migrated: DbState;
  pending: { name: string; file: string; sql: string }[];
  /** A replayer at the deployed state (consumed). */
  fork: () => Replayer;
}

/**
 * What separates the deployed migrations from the schema as committed at the
 * same ref (`mapped`), and which pending migration already carries each part of it.
 */
function driftAtRef(input: DriftInput, mapped: Pick<MappedSchema, 'state' | 'sources' | 'prismaDefaults'>): DriftAtRef {
  const prismaDefaults = mapped.prismaDefaults ?? {};
  const changes = diffStates({ baseline: input.baseline, expected: mapped.state, sources: mapped.sources, prismaDefaults });
  const carriers = new Map<string, SweptInto>();
  if (input.pending.length > 0 && changes.length > 0) {
    const leftAtEnd = new Set(diffStates({ baseline: input.migrated, expected: mapped.state, sources: mapped.sources, prismaDefaults }).map(changeIdentity));
    const carried = changes.filter((change) => !leftAtEnd.has(changeIdentity(change)));
    if (carried.length > 0) {
      const replayer = input.fork();
      try {
        const sqlOf = new Map(input.pending.map((m) => [m.name, m.sql]));
        for (const [change, origin] of carriersAmong(replayer, input.pending, input.migrated, carried)) {
          const line = (sqlOf.get(origin.migration) ?? '').split('\n')[origin.line] ?? '';
          carriers.set(contentKey(change), { ...origin, endCharacter: line.replace(/\r$/, '').length });
        }
      } finally {
        replayer.dispose();
      }
    }
  }
  return { ref: input.ref, changes, carriers, before: input.baseline, after: mapped.state };
}

/**
 * Without a declared Prisma version, the migrations tell: join tables of implicit
 * many-to-many relations keyed by a unique index `_AB_unique` were made by Prisma 5
 * or older, so the schema is mapped with those conventions and not reported as drifting.
 */
function inferPrismaVersion(baseline: DbState): string | undefined {
  for (const table of Object.values(baseline.tables)) {
    if (table.name.startsWith('_') && !table.primaryKey && table.indexes.some((i) => i.unique && i.name.endsWith('_AB_unique'))) return '5.22.0';
  }
  return undefined;
}

function toSuppression(s: ScannedSchema['suppressions'][number]): Suppression {
  return {
    ruleId: s.ruleId,
    ...(s.reason ? { reason: s.reason } : {}),
    file: s.file,
    range: s.range,
    model: s.target.model,
    ...(s.target.field !== undefined && s.target.kind !== 'enum' ? { field: s.target.field } : {}),
  };
}

/** Some index of the schema is partial (`where:`). */
function hasIndexPredicate(state: DbState): boolean {
  for (const key in state.tables) if (state.tables[key].indexes.some((index) => index.where !== undefined)) return true;
  return false;
}

function providerOf(scanned: ScannedSchema, notes: Note[]): Provider {
  const raw = scanned.datasource?.provider;
  if (raw === 'postgresql' || raw === 'postgres' || raw === 'cockroachdb') return 'postgresql';
  if (raw === 'sqlite') return 'sqlite';
  if (raw === 'mysql') return 'mysql';
  notes.push({
    level: 'warning',
    message: raw ? `Datasource provider "${raw}" is not supported; checking as PostgreSQL.` : 'No datasource provider found in the schema; checking as PostgreSQL.',
  });
  return 'postgresql';
}

function readText(file: string, notes: Note[]): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    notes.push({ level: 'error', message: `Could not read ${file}: ${(error as Error).message}` });
    return '';
  }
}
