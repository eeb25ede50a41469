/**
 * The replayed migrations, kept on disk between sessions: a later start of the
 * editor (or of the CLI) reads the state its last session replayed instead of
 * replaying hundreds of migrations again.
 *
 * What makes a saved state trustworthy:
 * - Each checkpoint names the migrations it replayed with their SHA-256
 *   checksums; the replay uses a checkpoint only when those are a prefix of the
 *   folder as it is now (the same rule as the in-memory cache), so a changed,
 *   removed or reordered migration is replayed again from where it differs.
 * - The file records the provider, the migrations folder, the tool's version and
 *   a fingerprint of the code that wrote it (a hash of the running server or CLI
 *   code). The replayed state's shape and meaning belong to that code: a file
 *   written by any other build is ignored.
 * - A checksum of the payload is checked before it is read, and every problem
 *   (missing, unreadable, corrupt, another build) means a replay as without a
 *   cache, never a wrong state. Files are written to a temporary name and
 *   renamed, so a reader never sees half a file.
 * The `deployed` setting needs no key: checkpoints are sequences of migrations,
 * and the baseline is found among them by the same prefix rule.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import type { Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import { type Checkpoint, type ReplayCache, restoreReplayer } from './migrations';

const MAGIC = 'prisma-migration-guard replay cache';
const FORMAT = 1;

interface Header {
  format: number;
  tool: string;
  fingerprint: string;
  provider: Provider;
  migrationsDir: string;
  payloadSha256: string;
}

interface SavedCheckpoint {
  steps: { name: string; hash: string }[];
  notes: Note[][];
  data: unknown;
}

export interface LoadedReplayCache {
  cache?: ReplayCache;
  /** Why nothing was used, in words (for the server's trace). */
  miss?: string;
  /** Migrations the saved checkpoints cover (the longest). */
  migrations?: number;
}

/** Where the replayed states of projects are kept, and which build of the tool they belong to. */
export interface ReplayStore {
  load(migrationsDir: string, provider: Provider): LoadedReplayCache;
  /** Whether a replay of the project was saved at all (one stat; load() still decides whether it can be used). */
  has(migrationsDir: string, provider: Provider): boolean;
  /** Writes these checkpoints (atomically), replacing what was saved for the project; resolves false when nothing could be written. */
  save(migrationsDir: string, provider: Provider, checkpoints: readonly Checkpoint[]): Promise<boolean>;
}

/** `$XDG_CACHE_HOME/prisma-migration-guard`, or `~/.cache/prisma-migration-guard` (the CLI, and editors that give no storage folder). */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'prisma-migration-guard');
}

/** The files that hold this module's code: the bundle it is part of, or every compiled server module beside it. */
function codeFiles(): string[] {
  const unbundled = path.basename(__dirname) === 'replay';
  const root = unbundled ? path.resolve(__dirname, '..') : __dirname;
  const files: string[] = [];
  const walk = (dir: string, deep: boolean): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (deep && entry.name !== 'node_modules') walk(full, deep);
      } else if (entry.name.endsWith('.js')) {
        files.push(full);
      }
    }
  };
  walk(root, unbundled);
  return files.sort();
}

let fingerprint: string | undefined;

/** A hash of the running code: a state saved by any other build of the replay (or of the state's shape) is never read. */
export function codeFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    for (const file of codeFiles()) hash.update(path.basename(file)).update('\0').update(fs.readFileSync(file));
    fingerprint = hash.digest('hex');
  }
  return fingerprint;
}

/** The version in the tool's package.json (the first one named prisma-migration-guard above this module). */
export function toolVersion(): string {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'prisma-migration-guard') return pkg.version ?? 'unknown';
    } catch {
      // Not here; look further up.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

function fileFor(dir: string, migrationsDir: string, provider: Provider): string {
  const name = createHash('sha256').update(`${path.resolve(migrationsDir)}\0${provider}`).digest('hex').slice(0, 32);
  return path.join(dir, `${name}.replay`);
}

/** A store in `dir`; `build` identifies the code (tests pass their own to play another build). */
export function replayStore(dir: string, build: { tool?: string; fingerprint?: string } = {}): ReplayStore {
  const tool = (): string => build.tool ?? toolVersion();
  const code = (): string => build.fingerprint ?? codeFingerprint();
  return {
    has(migrationsDir, provider) {
      return fs.existsSync(fileFor(dir, migrationsDir, provider));
    },
    load(migrationsDir, provider) {
      const file = fileFor(dir, migrationsDir, provider);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch {
        return { miss: 'no saved replay for this project' };
      }
      try {
        const headerEnd = bytes.indexOf(0x0a, MAGIC.length + 1);
        if (bytes.subarray(0, MAGIC.length).toString('utf8') !== MAGIC || bytes[MAGIC.length] !== 0x0a || headerEnd < 0) return { miss: 'the saved replay is not a replay cache file' };
        const header = JSON.parse(bytes.subarray(MAGIC.length + 1, headerEnd).toString('utf8')) as Header;
        if (header.format !== FORMAT || header.tool !== tool() || header.fingerprint !== code()) return { miss: 'the saved replay was written by another version of the tool' };
        if (header.provider !== provider || header.migrationsDir !== path.resolve(migrationsDir)) return { miss: 'the saved replay is of another project' };
        const payload = bytes.subarray(headerEnd + 1);
        if (createHash('sha256').update(payload).digest('hex') !== header.payloadSha256) return { miss: 'the saved replay is damaged (checksum)' };
        const saved = v8.deserialize(payload) as SavedCheckpoint[];
        const checkpoints: Checkpoint[] = [];
        for (const checkpoint of saved) {
          const replayer = restoreReplayer(provider, checkpoint.data);
          if (!replayer) return { miss: `${provider} replays are not saved` };
          checkpoints.push({ steps: checkpoint.steps, notes: checkpoint.notes, replayer });
        }
        if (checkpoints.length === 0) return { miss: 'the saved replay is empty' };
        return { cache: { provider, checkpoints, fromEarlierSession: true }, migrations: Math.max(...checkpoints.map((c) => c.steps.length)) };
      } catch (error) {
        return { miss: `the saved replay cannot be read (${(error as Error).message})` };
      }
    },

    async save(migrationsDir, provider, checkpoints) {
      const saved: SavedCheckpoint[] = [];
      for (const checkpoint of checkpoints) {
        if (!checkpoint.replayer.saveData) return false;
        saved.push({ steps: checkpoint.steps, notes: checkpoint.notes, data: checkpoint.replayer.saveData() });
      }
      if (saved.length === 0) return false;
      const file = fileFor(dir, migrationsDir, provider);
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        // Serialized now, synchronously: checkpoints are never applied to again, but the copy must not wait for the disk.
        const payload = v8.serialize(saved);
        const header: Header = {
          format: FORMAT,
          tool: tool(),
          fingerprint: code(),
          provider,
          migrationsDir: path.resolve(migrationsDir),
          payloadSha256: createHash('sha256').update(payload).digest('hex'),
        };
        await fs.promises.mkdir(dir, { recursive: true });
        await fs.promises.writeFile(temporary, Buffer.concat([Buffer.from(`${MAGIC}\n${JSON.stringify(header)}\n`, 'utf8'), payload]));
        await fs.promises.rename(temporary, file);
        return true;
      } catch {
        await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
        return false;
      }
    },
  };
}
