#!/usr/bin/env node
/**
 * Command-line entry: `prisma-migration-guard check [project-dir]`.
 * Exit codes: 0 no error finding (per --fail-on), 1 findings at or above the
 * threshold, 2 could not run (no schema, a schema Prisma's validator rejects,
 * unreadable project, bad arguments).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { analyzeProjectDir } from './analysis/analyzeProject';
import { formatJson } from './cli/formatJson';
import { formatSchemaErrors, formatText } from './cli/formatText';
import { CannotAnalyze } from './analysis/session';
import { type PlanCommandOptions, runPlanCommand } from './phases/cliPlan';
import { ProjectNotFound } from './project/locate';
import type { Severity } from './rules/types';
import * as path from 'path';
import { traceProjectLocks, withLockTrace, formatLockTraceText, type LockTrace } from './analysis/lockTrace';
import { findingOrigins } from './analysis/origin';
import { readDatabaseSizes, readStatsFile, TableSizesError, type TableSizes } from './analysis/tableSizes';
import { formatGithub, formatGithubSchemaErrors } from './cli/formatGithub';
import { formatSarif } from './cli/formatSarif';
import { repositoryRoot } from './project/git';
import type { ProjectAnalysis } from './analysis/types';
import { pendingSql } from './report/pendingSql';
import { planSummaries, projectReport, type ReportExtras } from './report/projectReport';
import { renderPullRequest } from './report/pullRequest';

const EXIT_CANNOT_RUN = 2;

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
}

async function runCheck(projectDir: string | undefined, options: CheckOptions): Promise<number> {
  const sizes = await loadTableSizes(options);
  const analysis = await analyzeProjectDir(projectDir ?? '.', {
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(options.base ? { deployed: `ref:${options.base}` } : {}),
    ...(sizes.sizes ? { tableSizes: sizes.sizes } : {}),
  });
  if (sizes.problem) analysis.notes.push({ level: 'warning', message: `Table sizes not used: ${sizes.problem}` });
  if (analysis.schemaErrors && analysis.schemaErrors.length > 0) {
    process.stderr.write(formatSchemaErrors(analysis));
    if (options.format === 'github') process.stdout.write(formatGithubSchemaErrors(analysis, { base: repositoryRoot(analysis.project.root) ?? process.cwd() }));
    return EXIT_CANNOT_RUN;
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
      process.stdout.write(formatJson(analysis, { origins, ...(lockTrace ? { lockTrace } : {}) }));
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
  try {
    return { sizes: await readDatabaseSizes(url) };
  } catch (error) {
    if (error instanceof TableSizesError) return warnSizes(error.message);
    throw error;
  }
}

function warnSizes(problem: string): { problem: string } {
  process.stderr.write(`prisma-migration-guard: table sizes not used: ${problem}\n`);
  return { problem };
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
    .option('--base <git-ref>', 'migrations present at this git ref count as deployed (default: those committed at HEAD)', (value: string) => {
      if (!value.trim()) throw new InvalidArgumentError('a git ref is required');
      return value;
    })
    .addOption(new Option('--database-url <url>', 'read table row estimates from this PostgreSQL database (read-only); prefer --database-url-env').conflicts(['databaseUrlEnv', 'stats']))
    .addOption(new Option('--database-url-env <name>', 'the same, with the URL taken from this environment variable').conflicts(['stats']))
    .option('--stats <file>', 'table row counts from a JSON file ({"Post": 12000000}) instead of a database')
    .option('--lock-trace', 'run the pending migrations on an embedded PostgreSQL (PGlite) and report the locks each statement takes')
    .action(async (projectDir: string | undefined, options: CheckOptions) => {
      exitCode = await runCheck(projectDir, options);
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
    if (error instanceof ProjectNotFound || error instanceof CannotAnalyze || error instanceof TableSizesError) {
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
