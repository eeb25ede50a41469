/**
 * Shared by the CI-surface tests: running the built CLI, throw-away git
 * repositories, and a throw-away PostgreSQL server from Debian's packages.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const repo = path.resolve(__dirname, '../../..');
export const cli = path.join(repo, 'out/server/src/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? repo,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** git with a fixed identity and no user or system configuration, so the tests behave alike everywhere. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Guard Test', '-c', 'user.email=guard@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
  });
}

const madeDirs: string[] = [];

/** A temp folder (real path, as git reports it), removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  if (madeDirs.length === 0) process.once('exit', () => madeDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  madeDirs.push(dir);
  return dir;
}

/** Writes `files` (relative path → content) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

// ---------------------------------------------------------------------------
// A throw-away PostgreSQL server

export interface PostgresServer {
  port: number;
  /** Superuser connection string (password authentication over TCP). */
  adminUrl(database?: string): string;
  /** The server log: every statement, prefixed with `[application_name]`. */
  log(): string;
  stop(): void;
}

export const ADMIN_PASSWORD = 'admin-secret-3f9';

/** The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const majors = fs
    .readdirSync(base)
    .filter((name) => fs.existsSync(path.join(base, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(base, majors[0], 'bin') : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb into a temp folder and start a server on a free loopback port. As
 * root (CI), PostgreSQL refuses to run, so every server command runs as the
 * `postgres` user the Debian package creates (or one made here).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql; .ci/run does it)');
  const root = tempDir('pmg-pg-');
  const data = path.join(root, 'data');
  const sockets = path.join(root, 'sockets');
  const logFile = path.join(root, 'server.log');
  const pwfile = path.join(root, 'pwfile');
  fs.mkdirSync(sockets);
  fs.writeFileSync(pwfile, `${ADMIN_PASSWORD}\n`);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const user = serverUser();
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    for (const entry of [root, sockets, pwfile]) fs.chownSync(entry, uid, gid);
  }
  const run = (command: string, args: string[]): void => {
    const full = path.join(bin, command);
    const [file, argv] = asRoot ? ['runuser', ['-u', serverUser(), '--', full, ...args]] : [full, args];
    const result = spawnSync(file, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
  };

  run('initdb', ['-D', data, '-U', 'admin', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--locale=C', '--encoding=UTF8', '--no-sync']);
  // Logging every statement with the client's application_name lets tests see exactly what the tool sent.
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    ["log_statement = 'all'", "log_line_prefix = '[%a] '", 'autovacuum = off', 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', ''].join('\n'),
  );
  const port = await freePort();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already down.
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  // A crash of the test process must not leave a server running.
  process.once('exit', stop);
  try {
    run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1`, 'start']);
  } catch (error) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    stop();
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    port,
    adminUrl: (database = 'postgres') => `postgresql://admin:${ADMIN_PASSWORD}@127.0.0.1:${port}/${database}`,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    stop,
  };
}

let cachedUser: string | undefined;

function serverUser(): string {
  if (cachedUser) return cachedUser;
  for (const candidate of ['postgres', 'pmg-postgres']) {
    if (spawnSync('id', ['-u', candidate]).status === 0) return (cachedUser = candidate);
  }
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'pmg-postgres']);
  return (cachedUser = 'pmg-postgres');
}

// ---------------------------------------------------------------------------
// SARIF validation against the official 2.1.0 schema

let sarifValidator: ((log: unknown) => string[]) | undefined;

/**
 * Schema errors of a SARIF log (empty when valid). The schema is OASIS's
 * sarif-2.1.0-rtm.5 as @microsoft/jest-sarif ships it: JSON Schema draft-04,
 * hence ajv's draft-04 class; one of its patterns is not valid with the `u`
 * flag, hence `unicodeRegExp: false`.
 */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!sarifValidator) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addFormats = require('ajv-formats') as (ajv: unknown) => void;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as { title: string };
    if (!schema.title.includes('2.1.0')) throw new Error(`unexpected schema: ${schema.title}`);
    const validate = ajv.compile(schema);
    sarifValidator = (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
  }
  return sarifValidator(log);
}
