import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Git facts needed to tell deployed migrations from pending ones. git is run
 * with fixed arguments (no shell), read-only; outside a repository every answer
 * is "unknown" and the caller treats all migrations as deployed.
 */
export interface GitView {
  /** Absolute path of the repository root, when it had to be looked up (outside git: undefined). */
  root?: string;
  /** Migration folder names committed at HEAD (or at the ref), relative to the migrations dir. */
  committedFolders?: Set<string>;
  /** Why the view is incomplete (no git, unknown ref, shallow clone). */
  problem?: string;
}

const GIT_OUTPUT = { encoding: 'utf8' as const, maxBuffer: 64 * 1024 * 1024 };

/** What git answered to commands started ahead (prefetchGit), by working directory and arguments. */
export type GitAnswers = ReadonlyMap<string, { output: string } | { failed: true }>;

function commandKey(cwd: string, args: readonly string[]): string {
  return [cwd, ...args].join('\0');
}

let answered: GitAnswers | undefined;

function git(cwd: string, args: string[]): string {
  const early = answered?.get(commandKey(cwd, args));
  if (early) {
    if ('failed' in early) throw new Error(`git ${args[0]} failed`);
    return early.output;
  }
  // Outside a work tree git can only say so; asking costs a process spawn (~15 ms of the server's own time on a
  // busy machine, and two per analysis). Only GIT_DIR lets git find a repository without a .git above the folder.
  if (process.env.GIT_DIR === undefined && !insideWorkTree(cwd)) throw new Error(`git ${args[0]}: not a git repository`);
  return execFileSync('git', args, { cwd, ...GIT_OUTPUT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `read` with the answers of commands started ahead: those commands are not run again. */
function withAnswers<T>(answers: GitAnswers | undefined, read: () => T): T {
  answered = answers;
  try {
    return read();
  } finally {
    answered = undefined;
  }
}

/**
 * Starts, in the background, the git commands the common case of
 * committedMigrationFolders and committedSchemaFiles runs (a migrations
 * directory, a one-file schema): they run while the caller reads the schema and
 * the migrations, instead of one after the other afterwards. Resolves with their
 * answers, to pass to those functions; never rejects.
 */
export function prefetchGit(migrationsDir: string, schemaPath: string, ref?: string): Promise<GitAnswers> {
  const target = ref ?? 'HEAD';
  const commands: [string, string[]][] = [];
  // Outside a work tree git() answers "not a repository" without starting git: nothing to start ahead.
  if (!insideWorkTree(migrationsDir)) return Promise.resolve(new Map());
  if (isDirectory(migrationsDir)) commands.push([migrationsDir, ['ls-tree', '--name-only', '-z', target]]);
  if (!isDirectory(schemaPath)) commands.push([path.dirname(schemaPath), ['show', `${target}:./${path.basename(schemaPath)}`]]);
  return Promise.all(
    commands.map(
      ([cwd, args]) =>
        new Promise<[string, { output: string } | { failed: true }]>((resolve) => {
          try {
            execFile('git', args, { cwd, ...GIT_OUTPUT }, (error, output) => resolve([commandKey(cwd, args), error ? { failed: true } : { output }]));
          } catch {
            resolve([commandKey(cwd, args), { failed: true }]);
          }
        }),
    ),
  ).then((entries) => new Map(entries));
}

/** Migration folders that exist at `ref` (HEAD when undefined) under `migrationsDir`. */
export function committedMigrationFolders(migrationsDir: string, ref?: string, answers?: GitAnswers): GitView {
  return withAnswers(answers, () => readCommittedMigrationFolders(migrationsDir, ref));
}

function readCommittedMigrationFolders(migrationsDir: string, ref?: string): GitView {
  const target = ref ?? 'HEAD';
  // The common case in one git process (it runs whenever a migration folder changes): in a
  // subdirectory, ls-tree lists that directory's entries at the commit, by their names there.
  if (isDirectory(migrationsDir)) {
    const listing = safe(() => git(migrationsDir, ['ls-tree', '--name-only', '-z', target]));
    if (listing !== undefined) return { committedFolders: new Set(listing.split('\0').filter((name) => name.length > 0)) };
  }
  // Otherwise find out why, step by step, for a precise message.
  let root: string;
  const cwd = nearestExistingDir(migrationsDir);
  try {
    root = git(cwd, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    return { problem: 'not a git repository' };
  }
  const relative = path.relative(root, migrationsDir).split(path.sep).join('/');
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${target}^{commit}`]);
  } catch {
    if (!ref) return { root, committedFolders: new Set(), problem: 'the repository has no commits yet' };
    const shallow = safe(() => git(root, ['rev-parse', '--is-shallow-repository']).trim() === 'true');
    // A shallow CI checkout fetches one branch: a plain `git fetch origin main` leaves no origin/main behind, so name the refspec.
    const branch = ref.startsWith('origin/') ? ref.slice('origin/'.length) : ref;
    const hint = ` (this is a shallow clone: fetch it with \`git fetch --depth=1 origin ${branch}:refs/remotes/origin/${branch}\` and pass --base origin/${branch})`;
    return { root, problem: `git ref "${ref}" was not found${shallow ? hint : ''}` };
  }
  try {
    const listing = git(root, ['ls-tree', '--name-only', '-z', `${target}:${relative}`]);
    return { root, committedFolders: new Set(listing.split('\0').filter((name) => name.length > 0)) };
  } catch {
    // The folder does not exist at that ref: nothing there is deployed.
    return { root, committedFolders: new Set() };
  }
}

/** The root of the git repository holding `dir`, or undefined outside git. */
export function repositoryRoot(dir: string): string | undefined {
  return safe(() => git(nearestExistingDir(dir), ['rev-parse', '--show-toplevel']).trim()) || undefined;
}

/** Whether a folder above `dir` holds `.git` (a folder, or a file for worktrees and submodules): without it (and without GIT_DIR) git finds no repository either. */
function insideWorkTree(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, '.git'))) return true;
    if (path.dirname(current) === current) return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function nearestExistingDir(dir: string): string {
  let current = dir;
  while (!fs.existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/**
 * The schema as committed at `ref` (HEAD when undefined): the file, or every
 * `.prisma` file of the schema folder, each under the path it has on disk now.
 * Undefined outside git or when the ref does not hold the schema: then nothing
 * can be told apart as pre-existing.
 */
export function committedSchemaFiles(schemaPath: string, ref?: string, answers?: GitAnswers): { path: string; text: string }[] | undefined {
  return withAnswers(answers, () => readCommittedSchemaFiles(schemaPath, ref));
}

function readCommittedSchemaFiles(schemaPath: string, ref?: string): { path: string; text: string }[] | undefined {
  const target = ref ?? 'HEAD';
  const folder = isDirectory(schemaPath);
  const cwd = folder ? schemaPath : path.dirname(schemaPath);
  if (!isDirectory(cwd)) return undefined;
  // `<ref>:./<path>` and ls-tree in a subdirectory both read paths relative to the working directory.
  const names = folder
    ? safe(() => git(cwd, ['ls-tree', '-r', '--name-only', '-z', target]))?.split('\0').filter((name) => name.endsWith('.prisma'))
    : [path.basename(schemaPath)];
  if (!names || names.length === 0) return undefined;
  const files: { path: string; text: string }[] = [];
  for (const name of names.sort()) {
    const text = safe(() => git(cwd, ['show', `${target}:./${name}`]));
    if (text === undefined) return undefined;
    files.push({ path: path.join(cwd, ...name.split('/')), text });
  }
  return files;
}
