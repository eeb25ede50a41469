#!/usr/bin/env node
/**
 * Command-line entry: `prisma-migration-guard check [project-dir]`.
 * Exit codes: 0 no error finding (per --fail-on), 1 findings at or above the
 * threshold, 2 could not run (no schema, a schema Prisma's validator rejects,
 * unreadable project, bad arguments).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { analyzeProjectDir } from './analysis/analyzeProject';
import { BASELINE_FILE, writeBaseline } from './analysis/baseline';
import { formatJson } from './cli/formatJson';
import { formatSchemaErrors, formatText } from './cli/formatText';
import { CannotAnalyze } from './analysis/session';
import { raiseTierUpBudget } from './core/tiering';
import { type PlanCommandOptions, runPlanCommand } from './phases/cliPlan';
import { ProjectNotFound } from './project/locate';
import { defaultCacheDir, replayStore } from './replay/persistedCache';
import type { Severity } from './rules/types';
import * as path from 'path';
import { traceProjectLocks, withLockTrace, formatLockTraceText, type LockTrace } from './analysis/lockTrace';
import { findingOrigins } from './analysis/origin';
import { readDatabaseSizes, readStatsFile, TableSizesError, type TableSizes } from './analysis/tableSizes';
import { formatGithub, formatGithubSchemaErrors } from './cli/formatGithub';
import { applyPreflight, preflightQuestions, type PreflightFacts } from './analysis/preflight';
import { measurePreflight, PreflightError } from './analysis/preflightDatabase';
import { formatSarif } from './cli/formatSarif';
import { repositoryRoot } from './project/git';
import type { ProjectAnalysis } from './analysis/types';
import { pendingSql } from './report/pendingSql';
import { planSummaries, projectReport, type ReportExtras } from './report/projectReport';
import { renderPullRequest } from './report/pullRequest';

const EXIT_CANNOT_RUN = 2;

// A check runs most of its code once: see tiering.ts.
raiseTierUpBudget();

interface CheckOptions {
  schema?: string;
  migrations?: string;
  format: 'text' | 'json' | 'sarif' | 'github' | 'markdown';
  failOn: 'error' | 'warning' | 'never';
  base?: string;
  databaseUrl?: string;
  databaseUrlEnv?: string;
  stats?: string;
  lockTrace?: boolean;
  preflight?: boolean;
  preflightScanLimit?: number;
  preflightFullScan?: boolean;
  preflightShowValues?: boolean;
  /** false with --no-cache. */
  cache?: boolean;
  updateBaseline?: boolean;
}

async function runCheck(projectDir: string | undefined, options: CheckOptions): Promise<number> {
  const preflightUrl = options.preflight ? preflightDatabaseUrl(options) : undefined;
  const sizes = await loadTableSizes(options);
  const analysis = await analyzeProjectDir(projectDir ?? '.', {
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(options.base ? { deployed: `ref:${options.base}` } : {}),
    ...(sizes.sizes ? { tableSizes: sizes.sizes } : {}),
    ...(options.cache !== false ? { replayStore: replayStore(path.join(defaultCacheDir(), 'replay')) } : {}),
  });
  if (sizes.problem) analysis.notes.push({ level: 'warning', message: `Table sizes not used: ${sizes.problem}` });
  if (analysis.schemaErrors && analysis.schemaErrors.length > 0) {
    process.stderr.write(formatSchemaErrors(analysis));
    if (options.format === 'github') process.stdout.write(formatGithubSchemaErrors(analysis, { base: repositoryRoot(analysis.project.root) ?? process.cwd() }));
    return EXIT_CANNOT_RUN;
  }
  let preflight: PreflightFacts | undefined;
  if (preflightUrl) preflight = await runPreflight(analysis, preflightUrl, options);
  if (options.updateBaseline) {
    const written = writeBaseline(analysis.project.root, analysis.findings);
    analysis.findings = written.findings;
    analysis.baseline = written.outcome;
    // The stale entries of the old file are gone with it.
    analysis.notes = analysis.notes.filter((note) => note.where?.file !== written.file);
    process.stderr.write(`prisma-migration-guard: ${describeWrite(analysis.project.root, written)}\n`);
  }
  const origins = await findingOrigins(analysis);
  let lockTrace: LockTrace | undefined;
  if (options.lockTrace) {
    lockTrace = await traceProjectLocks(analysis);
    analysis.findings = withLockTrace(analysis.findings, lockTrace);
  }
  const relative = (file: string): string => path.relative(analysis.project.root, file) || file;
  switch (options.format) {
    case 'json':
      process.stdout.write(formatJson(analysis, { origins, ...(lockTrace ? { lockTrace } : {}), ...(preflight ? { preflight } : {}) }));
      break;
    case 'sarif':
      process.stdout.write(formatSarif(analysis, { origins }));
      break;
    case 'markdown':
      process.stdout.write(await formatMarkdown(analysis, lockTrace ? formatLockTraceText(lockTrace, relative) : undefined));
      break;
    case 'github':
      process.stdout.write(formatGithub(analysis, { base: repositoryRoot(analysis.project.root) ?? process.cwd(), origins }));
      break;
    default:
      process.stdout.write(formatText(analysis, { origins, ...(lockTrace ? { appendix: formatLockTraceText(lockTrace, relative) } : {}) }));
  }
  const failing: Severity[] = options.failOn === 'never' ? [] : options.failOn === 'warning' ? ['error', 'warning'] : ['error'];
  return analysis.findings.some((f) => failing.includes(f.severity)) ? 1 : 0;
}

/** The report's migration request for a pull request (report/pullRequest.ts), with the SQL and plans the editor's report shows. */
async function formatMarkdown(analysis: ProjectAnalysis, lockTraceLines?: string[]): Promise<string> {
  const project = analysis.project;
  const extras: ReportExtras = { plans: planSummaries(project) };
  try {
    extras.sql = await pendingSql(project);
  } catch (error) {
    extras.sql = { error: (error as Error).message ?? String(error) };
  }
  const base = repositoryRoot(project.root) ?? process.cwd();
  const name = path.relative(base, project.root).split(path.sep).join('/') || path.basename(project.root);
  const report = projectReport(analysis, name, (docs) => docs, extras);
  const markdown = renderPullRequest(report, { base });
  return lockTraceLines && lockTraceLines.length > 0 ? `${markdown}\n### Lock trace\n\n\`\`\`text\n${lockTraceLines.join('\n')}\n\`\`\`\n` : markdown;
}

/** The URL --preflight counts in: only ever from the command line or the environment, never from a file of the project. */
function preflightDatabaseUrl(options: CheckOptions): string {
  if (options.stats || (!options.databaseUrl && !options.databaseUrlEnv)) {
    throw new PreflightError('--preflight counts rows in a database: pass --database-url-env NAME (or --database-url URL) with a read-only connection string');
  }
  return options.databaseUrl ?? process.env[options.databaseUrlEnv ?? ''] ?? '';
}

/**
 * Counts, in the database, the rows each pending change would break, and
 * applies the counts to the findings. A database that cannot be reached
 * leaves the findings as they are, with a warning (as table sizes do).
 */
async function runPreflight(analysis: ProjectAnalysis, url: string, options: CheckOptions): Promise<PreflightFacts | undefined> {
  const context = analysis.preflightContext;
  if (!context) return undefined;
  if (!url) {
    const problem = `the environment variable ${options.databaseUrlEnv} (--database-url-env) is not set.`;
    process.stderr.write(`prisma-migration-guard: preflight not run: ${problem}\n`);
    analysis.notes.push({ level: 'warning', message: `Preflight not run: ${problem}` });
    return undefined;
  }
  if (context.provider === 'sqlite') {
    analysis.notes.push({ level: 'info', message: 'Preflight counts rows on PostgreSQL and MySQL; this project uses SQLite.' });
    return undefined;
  }
  try {
    const facts = await measurePreflight(url, preflightQuestions(analysis.findings, context), {
      ...(options.preflightScanLimit !== undefined ? { scanLimitBytes: options.preflightScanLimit * 1e6 } : {}),
      fullScan: options.preflightFullScan === true,
      showValues: options.preflightShowValues === true,
    });
    analysis.findings = applyPreflight(analysis.findings, context, facts);
    analysis.notes.push(...facts.notes);
    return facts;
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    process.stderr.write(`prisma-migration-guard: preflight not run: ${error.message}\n`);
    analysis.notes.push({ level: 'warning', message: `Preflight not run: ${error.message}` });
    return undefined;
  }
}

/**
 * Row estimates for --stats / --database-url / --database-url-env. A stats file
 * that cannot be read stops the check (exit 2: the command line is wrong); a
 * database that cannot be read only costs the size-aware severities (a fork's
 * pull request has no secrets, and without sizes every finding keeps its
 * default, conservative severity).
 */
async function loadTableSizes(options: CheckOptions): Promise<{ sizes?: TableSizes; problem?: string }> {
  if (options.stats) return { sizes: readStatsFile(options.stats) };
  let url = options.databaseUrl;
  if (options.databaseUrlEnv) {
    url = process.env[options.databaseUrlEnv];
    if (!url) return warnSizes(`the environment variable ${options.databaseUrlEnv} (--database-url-env) is not set.`);
  }
  if (!url) return {};
  // The preflight measures sizes on MySQL itself; table-size estimates read PostgreSQL only.
  if (options.preflight && /^(mysql|mariadb):/i.test(url)) return {};
  try {
    return { sizes: await readDatabaseSizes(url) };
  } catch (error) {
    if (error instanceof TableSizesError) return warnSizes(error.message);
    throw error;
  }
}

function describeWrite(root: string, written: ReturnType<typeof writeBaseline>): string {
  const { added, removed, kept } = written.difference;
  return `wrote ${path.relative(root, written.file) || written.file}: ${written.outcome.accepted} finding(s) accepted (${added} new, ${kept} kept, ${removed} dropped).`;
}

interface BaselineOptions {
  schema?: string;
  migrations?: string;
  base?: string;
}

/** `baseline`: accept every current error and warning, so that later runs judge only what is new. */
async function runBaseline(projectDir: string | undefined, options: BaselineOptions): Promise<number> {
  const analysis = await analyzeProjectDir(projectDir ?? '.', {
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(options.base ? { deployed: `ref:${options.base}` } : {}),
  });
  // Findings on a schema Prisma rejects are guesses: no baseline is written from them.
  if (analysis.schemaErrors && analysis.schemaErrors.length > 0) {
    process.stderr.write(formatSchemaErrors(analysis));
    return EXIT_CANNOT_RUN;
  }
  const written = writeBaseline(analysis.project.root, analysis.findings);
  process.stdout.write(`${describeWrite(analysis.project.root, written)}\nLater runs of \`check\` and the editor count these as accepted (info) and report entries that no longer match; commit the file.\n`);
  return 0;
}

function warnSizes(problem: string): { problem: string } {
  process.stderr.write(`prisma-migration-guard: table sizes not used: ${problem}\n`);
  return { problem };
}

function gitRef(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError('a git ref is required');
  return value;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('prisma-migration-guard')
    .description('Checks Prisma schema changes against the migration history for changes that are unsafe to deploy.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let exitCode = 0;
  program
    .command('check')
    .description('check the pending schema changes and migrations of a Prisma project')
    .argument('[project-dir]', 'the project folder (default: the current folder)')
    .option('--schema <path>', 'schema file or folder (default: found the way Prisma finds it)')
    .option('--migrations <path>', 'migrations folder (default: next to the schema)')
    .addOption(new Option('--format <format>', 'output format (sarif: SARIF 2.1.0 for code scanning; github: workflow-command annotations; markdown: the migration request for a pull request)').choices(['text', 'json', 'sarif', 'github', 'markdown']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding has this severity or worse').choices(['error', 'warning', 'never']).default('error'))
    .option('--base <git-ref>', 'migrations present at this git ref count as deployed (default: those committed at HEAD)', gitRef)
    .addOption(new Option('--database-url <url>', 'read table row estimates from this PostgreSQL database (read-only); prefer --database-url-env').conflicts(['databaseUrlEnv', 'stats']))
    .addOption(new Option('--database-url-env <name>', 'the same, with the URL taken from this environment variable').conflicts(['stats']))
    .option('--stats <file>', 'table row counts from a JSON file ({"Post": 12000000}) instead of a database')
    .option('--lock-trace', 'run the pending migrations on an embedded PostgreSQL (PGlite) and report the locks each statement takes')
    .option('--preflight', 'count, read-only, in the database of --database-url-env / --database-url, the rows each pending change would fail on, and the size of the tables it locks')
    .option('--preflight-scan-limit <MB>', 'with --preflight: tables bigger than this are sampled (PostgreSQL) or skipped (MySQL) instead of read whole (default 256)', (value: string) => {
      const megabytes = Number(value);
      if (!Number.isFinite(megabytes) || megabytes <= 0) throw new InvalidArgumentError('a positive number of megabytes is required');
      return megabytes;
    })
    .option('--preflight-full-scan', 'with --preflight: read every table whole, whatever its size')
    .option('--preflight-show-values', 'with --preflight: show example duplicate keys as they are (masked by default)')
    .option('--no-cache', 'replay every migration, without reading or writing the replay kept in $XDG_CACHE_HOME/prisma-migration-guard (~/.cache/prisma-migration-guard)')
    .option('--update-baseline', `rewrite ${BASELINE_FILE} with the current errors and warnings (they then count as accepted)`)
    .action(async (projectDir: string | undefined, options: CheckOptions) => {
      exitCode = await runCheck(projectDir, options);
    });
  program
    .command('baseline')
    .description(`accept every current error and warning: write ${BASELINE_FILE}, which later runs (CLI and editor) count as accepted`)
    .argument('[project-dir]', 'the project folder (default: the current folder)')
    .option('--schema <path>', 'schema file or folder (default: found the way Prisma finds it)')
    .option('--migrations <path>', 'migrations folder (default: next to the schema)')
    .option('--base <git-ref>', 'migrations present at this git ref count as deployed (default: those committed at HEAD)', gitRef)
    .action(async (projectDir: string | undefined, options: BaselineOptions) => {
      exitCode = await runBaseline(projectDir, options);
    });
  program
    .command('plan')
    .description('show the phased migration for an unsafe pending change, write its first phase, or advance a plan to its next phase')
    .argument('[project-dir]', 'the project folder (default: the current folder)')
    .option('--schema <path>', 'schema file or folder (default: found the way Prisma finds it)')
    .option('--migrations <path>', 'migrations folder (default: next to the schema)')
    .option('--rule <rule-id>', 'only changes this rule reports (add-required-column, rename-column, ...)')
    .option('--target <name>', 'only the change about this field, table, index or enum value (User.phone, Post_slug_key, Status.DELETED)')
    .option('--apply-first-phase', 'write the plan next to the schema, put its first phase into the migrations folder and edit the schema')
    .option('--advance', 'move the next phase of a plan into the migrations folder and edit the schema')
    .option('--plan <plan-id>', 'with --advance: the plan to advance (default: the oldest with a phase left)')
    .option('--force', 'with --advance: even when the previous phase is not committed to git')
    .option('--status', 'list the plans and where each stands')
    .option('--backfill <sql>', 'SQL expression existing rows get (a new required column, NULLs of a field made required, or a type conversion)')
    .option('--replace-with <value>', 'enum value rows holding a removed value move to')
    .option('--batch-size <rows>', 'rows per backfill batch (default 1000)', (value: string) => {
      const rows = Number(value);
      if (!Number.isInteger(rows) || rows < 1) throw new InvalidArgumentError('a positive whole number is required');
      return rows;
    })
    .option('--lock-timeout <duration>', "lock_timeout for statements that take strong locks (default '5s')")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (projectDir: string | undefined, options: PlanCommandOptions) => {
      exitCode = await runPlanCommand(projectDir, options, { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return EXIT_CANNOT_RUN;
    if (error instanceof ProjectNotFound || error instanceof CannotAnalyze || error instanceof TableSizesError || error instanceof PreflightError) {
      process.stderr.write(`prisma-migration-guard: ${error.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    process.stderr.write(`prisma-migration-guard: could not run: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_CANNOT_RUN;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`prisma-migration-guard: ${String(error)}\n`);
      process.exitCode = EXIT_CANNOT_RUN;
    },
  );
}
