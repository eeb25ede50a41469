#!/usr/bin/env node
/**
 * Command-line entry: `prisma-migration-guard check [project-dir]`.
 * Exit codes: 0 no error finding (per --fail-on), 1 findings at or above the
 * threshold, 2 could not run (no schema, unreadable project, bad arguments).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { analyzeProjectDir } from './analysis/analyzeProject';
import { formatJson } from './cli/formatJson';
import { formatText } from './cli/formatText';
import { CannotAnalyze } from './analysis/session';
import { ProjectNotFound } from './project/locate';
import type { Severity } from './rules/types';

const EXIT_CANNOT_RUN = 2;

interface CheckOptions {
  schema?: string;
  migrations?: string;
  format: 'text' | 'json';
  failOn: 'error' | 'warning' | 'never';
  base?: string;
}

async function runCheck(projectDir: string | undefined, options: CheckOptions): Promise<number> {
  const analysis = await analyzeProjectDir(projectDir ?? '.', {
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(options.base ? { deployed: `ref:${options.base}` } : {}),
  });
  process.stdout.write(options.format === 'json' ? formatJson(analysis) : formatText(analysis));
  const failing: Severity[] = options.failOn === 'never' ? [] : options.failOn === 'warning' ? ['error', 'warning'] : ['error'];
  return analysis.findings.some((f) => failing.includes(f.severity)) ? 1 : 0;
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
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding has this severity or worse').choices(['error', 'warning', 'never']).default('error'))
    .option('--base <git-ref>', 'migrations present at this git ref count as deployed (default: those committed at HEAD)', (value: string) => {
      if (!value.trim()) throw new InvalidArgumentError('a git ref is required');
      return value;
    })
    .action(async (projectDir: string | undefined, options: CheckOptions) => {
      exitCode = await runCheck(projectDir, options);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return EXIT_CANNOT_RUN;
    if (error instanceof ProjectNotFound || error instanceof CannotAnalyze) {
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
