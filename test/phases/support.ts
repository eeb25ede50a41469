/**
 * Helpers for the phased-migration tests: fixture projects copied to a
 * temporary folder, the engine's view of them (drift, Prisma's validator),
 * PGlite catalog snapshots, and running a generated backfill script against
 * PGlite through a stand-in for Prisma Client.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import type { PGlite } from '@electric-sql/pglite';
import { ProjectSession } from '../../server/src/analysis/session';
import { type Change, summarizeChange } from '../../server/src/diff/changes';
import { advancePhase, applyFirstPhase, applySchemaEditsToDisk, planForFinding } from '../../server/src/phases';
import { type PrismaProject, locateProject } from '../../server/src/project/locate';
import type { Finding } from '../../server/src/rules/types';
import { lintSchema } from '../../server/src/schema/prismaWasm';

export const repo = path.resolve(__dirname, '../../..');
export const fixtures = path.join(repo, 'test/fixtures/phases');

const temporary: string[] = [];

/** A fresh copy of a fixture project in a temporary folder (removed by `cleanUp`). */
export function copyFixture(name: string): PrismaProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `phases-${name}-`));
  temporary.push(dir);
  fs.cpSync(path.join(fixtures, name), dir, { recursive: true });
  return locateProject(dir);
}

export function cleanUp(): void {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The short forms of the changes no migration carries yet, as the CLI prints them. */
export async function unmigrated(project: PrismaProject): Promise<Record<string, unknown>[]> {
  const session = new ProjectSession(project, { deployed: 'all' });
  const analysis = await session.analyze();
  assert.ok(analysis, 'the analysis ran');
  return analysis.unmigrated.map(summarizeChange);
}

export function key(summary: Record<string, unknown>): string {
  return JSON.stringify(summary, Object.keys(summary).sort());
}

/** Prisma's own validator has nothing to say about the project's schema. */
export function assertValidSchema(project: PrismaProject, when: string): void {
  const result = lintSchema(project.schemaFiles.map((file) => ({ path: file, text: fs.readFileSync(file, 'utf8') })));
  assert.strictEqual(result.failure, undefined, `Prisma's validator ran (${when})`);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  assert.deepStrictEqual(errors, [], `Prisma accepts the schema ${when}`);
}

export function schemaText(project: PrismaProject): string {
  return fs.readFileSync(project.schemaFiles[0], 'utf8');
}

/** Whether a change (short form) is about the same database object as the planned one. */
export function sameObject(summary: Record<string, unknown>, planned: Change): boolean {
  if (summary.table !== planned.table) return false;
  switch (planned.kind) {
    case 'addColumn':
    case 'setNotNull':
    case 'dropColumn':
    case 'alterColumnType':
      return summary.column === planned.column;
    case 'renameColumn':
      return summary.column === planned.column || summary.column === planned.from;
    case 'addIndex':
      return summary.index === planned.index.name;
    case 'addForeignKey':
      return summary.constraint === planned.foreignKey.name;
    case 'removeEnumValue':
      return summary.value === planned.value || summary.value === planned.renamedTo;
    case 'changePrimaryKey':
      return summary.kind === 'changePrimaryKey';
    default:
      return true;
  }
}

/** One more migration folder, dated after the fixture's own, that the test treats as deployed. */
export function addDeployedMigration(project: PrismaProject, sql: string): void {
  const dir = path.join(project.migrationsDir, '20240401000000_deployed_index');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
}

/**
 * Commits the project to a new git repository (its migrations count as deployed), writes every phase of the plan
 * for `change` into it as pending migrations, and returns what the analysis finds in their SQL.
 */
export async function findingsOnPendingPhases(project: PrismaProject, ruleId: string, change: Change): Promise<Finding[]> {
  return (await judgePendingPhases(project, ruleId, change)).findings;
}

/**
 * Every phase of the plan for `change` written into the project, pending: the
 * SQL findings on them, and the suppressions the plan wrote that cover nothing
 * ("<rule> in <migration>"), which the user would be told to remove.
 */
export async function judgePendingPhases(project: PrismaProject, ruleId: string, change: Change): Promise<{ findings: Finding[]; unusedMarks: string[] }> {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  for (const args of [['init', '-q'], ['add', '.'], ['commit', '-q', '-m', 'deployed']]) execFileSync('git', args, { cwd: project.root, env });
  const outcome = await planForFinding(project, { ruleId, change: summarizeChange(change) });
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  let written = applyFirstPhase(project, outcome.plan);
  for (;;) {
    applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
    const next = advancePhase(project, { force: true });
    if (!next.ok) break;
    written = next;
  }
  const analysis = await new ProjectSession(project, {}).analyze();
  assert.ok(analysis);
  assert.ok(analysis.migrations.some((m) => !m.deployed), 'the phases are pending');
  const unusedMarks = analysis.notes
    .filter((n) => n.message.startsWith('Unused suppression') && n.where)
    .map((n) => `${/triggers (\S+) any more/.exec(n.message)?.[1] ?? n.message} in ${path.basename(path.dirname(n.where?.file ?? '')).replace(/^\d{14}_/, '')}`);
  return { findings: analysis.findings.filter((f) => f.statement), unusedMarks };
}

// ---------------------------------------------------------------------------
// PostgreSQL (PGlite)

export async function resetDatabase(db: PGlite): Promise<void> {
  await db.exec('DROP SCHEMA IF EXISTS migration_guard_archive CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}

/** Runs one migration file the way `prisma migrate deploy` does: the whole file as one script. */
export async function runFile(db: PGlite, file: string): Promise<void> {
  await db.exec(fs.readFileSync(file, 'utf8'));
}

export async function applyMigrationsFolder(db: PGlite, dir: string): Promise<string[]> {
  const names = fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'migration.sql'))).sort();
  for (const name of names) await runFile(db, path.join(dir, name, 'migration.sql'));
  return names;
}

const CATALOG = `
SELECT json_build_object(
  'columns', (SELECT coalesce(json_agg(json_build_object('table', table_name, 'column', column_name, 'type', udt_name, 'length', character_maximum_length,
                'nullable', is_nullable, 'default', column_default) ORDER BY table_name, column_name), '[]')
              FROM information_schema.columns WHERE table_schema = 'public'),
  'constraints', (SELECT coalesce(json_agg(json_build_object('table', conrelid::regclass::text, 'name', conname, 'definition', pg_get_constraintdef(oid),
                'validated', convalidated) ORDER BY conrelid::regclass::text, conname), '[]')
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace),
  'indexes', (SELECT coalesce(json_agg(json_build_object('name', c.relname, 'definition', pg_get_indexdef(i.indexrelid), 'valid', i.indisvalid) ORDER BY c.relname), '[]')
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'public'::regnamespace),
  'enums', (SELECT coalesce(json_agg(json_build_object('name', t.typname, 'values',
                (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)) ORDER BY t.typname), '[]')
              FROM pg_type t WHERE t.typtype = 'e' AND t.typnamespace = 'public'::regnamespace),
  'triggers', (SELECT coalesce(json_agg(tgname ORDER BY tgname), '[]') FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace),
  'functions', (SELECT coalesce(json_agg(proname ORDER BY proname), '[]') FROM pg_proc WHERE pronamespace = 'public'::regnamespace)
) AS catalog`;

/** Everything about the public schema that a migration or its down script changes, in a comparable form. */
export async function catalog(db: PGlite): Promise<unknown> {
  const result = await db.query<{ catalog: unknown }>(CATALOG);
  return result.rows[0].catalog;
}

export async function scalar<T = unknown>(db: PGlite, sql: string): Promise<T> {
  const result = await db.query<Record<string, T>>(sql);
  const row = result.rows[0];
  return row[Object.keys(row)[0]];
}

/** A checksum of a query's rows, to compare data before and after a phase. */
export async function digest(db: PGlite, sql: string): Promise<string> {
  return scalar<string>(db, `SELECT md5(coalesce(string_agg(row_to_json(q)::text, '|'), '')) FROM (${sql}) AS q`);
}

// ---------------------------------------------------------------------------
// Running a generated backfill script

/** The two raw-query methods a generated script uses, over whichever database a test runs. */
export interface RawClient {
  query(sql: string, params: unknown[]): Promise<unknown[]>;
  execute(sql: string, params: unknown[]): Promise<number>;
}

export function pgliteClient(db: PGlite): RawClient {
  return {
    query: async (sql, params) => (await db.query(sql, params)).rows,
    execute: async (sql, params) => (await db.query(sql, params)).affectedRows ?? 0,
  };
}

/**
 * Runs the TypeScript data-migration script a plan wrote, for real: transpiled
 * with TypeScript, with `PrismaClient` standing on the test database (the
 * raw-query methods the script uses, nothing else). Returns what it printed.
 */
export async function runBackfillScript(
  client: RawClient | PGlite,
  scriptFile: string,
  args: string[] = [],
  options: { failAfterUpdates?: number } = {},
): Promise<{ output: string[]; executed: string[]; exitCode: number | undefined }> {
  const raw: RawClient = 'execute' in client ? client : pgliteClient(client);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const source = fs.readFileSync(scriptFile, 'utf8');
  const compiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const output: string[] = [];
  const executed: string[] = [];
  class PrismaClient {
    async $queryRawUnsafe(sql: string, ...params: unknown[]): Promise<unknown[]> {
      executed.push(sql);
      return raw.query(sql, params);
    }
    async $executeRawUnsafe(sql: string, ...params: unknown[]): Promise<number> {
      // Stands for a connection lost in the middle of a run.
      if (options.failAfterUpdates !== undefined && executed.filter((s) => s.startsWith('UPDATE')).length >= options.failAfterUpdates) throw new Error('connection lost');
      executed.push(sql);
      return raw.execute(sql, params);
    }
    async $disconnect(): Promise<void> {}
  }
  const module = { exports: {} as Record<string, unknown> };
  const requireFor = (name: string): unknown => {
    if (name === 'fs' || name === 'path') return require(name);
    return { PrismaClient };
  };
  const fakeProcess = {
    argv: ['node', scriptFile, ...args],
    env: {},
    exitCode: undefined as number | undefined,
  };
  const fakeConsole = { log: (...parts: unknown[]) => output.push(parts.join(' ')), error: (...parts: unknown[]) => output.push(`ERROR ${parts.join(' ')}`) };
  // The script ends with `main().catch(...)`; keep that promise to wait for it.
  const wrapped = compiled.replace(/\nmain\(\)\.catch\(/, '\nexports.__done = main().catch(');
  assert.notStrictEqual(wrapped, compiled, 'the script ends with main().catch(...)');
  vm.runInNewContext(wrapped, { module, exports: module.exports, require: requireFor, process: fakeProcess, console: fakeConsole, Number, JSON, Date, Error });
  await (module.exports.__done as Promise<void>);
  if (options.failAfterUpdates === undefined) assert.strictEqual(fakeProcess.exitCode, undefined, `the script succeeded:\n${output.join('\n')}`);
  return { output, executed, exitCode: fakeProcess.exitCode };
}
