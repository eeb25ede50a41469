/**
 * `prisma-migration-guard plan [project-dir]`: lists the phased plans for the
 * project's pending unsafe changes, writes one (`--apply-first-phase`), or
 * moves a plan on (`--advance`). Exit codes: 0 done, 1 refused or nothing
 * matched (the reason is printed), 2 could not run.
 */
import * as path from 'path';
import { summarizeChange, type Change } from '../diff/changes';
import { locateProject, type PrismaProject } from '../project/locate';
import { advancePhase, applyFirstPhase, applySchemaEditsToDisk, listPlanStatuses, type PhaseWritten } from './files';
import { loadPlanContext } from './context';
import { planForChange, plannableChanges, ruleFor } from './planner';
import { summarizePlan } from './render';
import { PlanRefused, type PlanOptions } from './types';

export interface PlanCommandOptions {
  schema?: string;
  migrations?: string;
  rule?: string;
  target?: string;
  applyFirstPhase?: boolean;
  advance?: boolean;
  plan?: string;
  force?: boolean;
  status?: boolean;
  backfill?: string;
  replaceWith?: string;
  batchSize?: number;
  lockTimeout?: string;
  format: 'text' | 'json';
}

interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** The names a person may use to point at a change with --target. */
export function targetNames(change: Change): string[] {
  const names = new Set<string>([change.table]);
  if (change.model) names.add(change.model);
  if ('column' in change) {
    names.add(`${change.table}.${change.column}`);
    if (change.model) names.add(`${change.model}.${change.field ?? change.column}`);
  }
  if (change.kind === 'renameColumn') names.add(`${change.table}.${change.from}`);
  if (change.kind === 'addIndex') names.add(change.index.name);
  if (change.kind === 'addForeignKey') names.add(change.foreignKey.name);
  if (change.kind === 'removeEnumValue') names.add(`${change.model ?? change.table}.${change.value}`);
  return [...names];
}

function label(change: Change): string {
  return targetNames(change).sort((a, b) => b.length - a.length)[0];
}

function rel(project: PrismaProject, file: string): string {
  return path.relative(project.root, file).split(path.sep).join('/') || '.';
}

function report(project: PrismaProject, written: PhaseWritten, changedSchema: string[], io: Output, format: 'text' | 'json', what: string): void {
  if (format === 'json') {
    io.out(JSON.stringify({
      plan: written.plan.id,
      phase: written.phase.number,
      phases: written.plan.phases.length,
      migrations: written.migrationFolders,
      planDir: rel(project, written.planDir),
      written: written.written.map((w) => rel(project, w)),
      schemaEdited: changedSchema.map((f) => rel(project, f)),
      notes: written.notes,
    }, null, 2) + '\n');
    return;
  }
  const phase = written.phase;
  const lines = [
    `${what} phase ${phase.number} of ${written.plan.phases.length} of ${written.plan.id}: ${phase.title}`,
    ...written.migrationFolders.map((f) => `  + ${rel(project, path.join(project.migrationsDir, f))}/migration.sql (and down.sql)`),
    ...(changedSchema.length > 0 ? changedSchema.map((f) => `  ~ ${rel(project, f)}`) : ['  (no schema edit in this phase)']),
    `  plan: ${rel(project, path.join(written.planDir, 'plan.md'))}`,
    ...written.notes.map((n) => `  note: ${n}`),
    phase.beforeNext ? `Deploy this phase; then, before the next one: ${phase.beforeNext}` : 'This is the last phase: deploy it and the plan is done.',
  ];
  io.out(lines.join('\n') + '\n');
}

export async function runPlanCommand(projectDir: string | undefined, options: PlanCommandOptions, io: Output): Promise<number> {
  const project = locateProject(projectDir ?? '.', {
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
  });

  if (options.status) {
    const { statuses, problems } = listPlanStatuses(project);
    if (options.format === 'json') {
      io.out(JSON.stringify(statuses.map((s) => ({ plan: s.plan.id, title: s.plan.title, next: s.next + 1, phases: s.phases.map((p) => ({ number: p.phase.number, title: p.phase.title, state: p.state, migrations: p.folders })) })), null, 2) + '\n');
    } else {
      for (const s of statuses) {
        io.out(`${s.plan.id}: ${s.plan.title}\n`);
        for (const p of s.phases) io.out(`  ${p.phase.number}. [${p.state}] ${p.phase.title}\n`);
      }
      if (statuses.length === 0) io.out('No phased migration plans.\n');
    }
    for (const problem of problems) io.err(`${problem}\n`);
    return 0;
  }

  if (options.advance) {
    const outcome = advancePhase(project, { ...(options.plan ? { planId: options.plan } : {}), ...(options.force ? { force: true } : {}) });
    if (!outcome.ok) {
      io.err(`prisma-migration-guard: not advanced: ${outcome.reason}\n`);
      return 1;
    }
    const changed = applySchemaEditsToDisk(outcome.schemaEdits, outcome.schemaTexts);
    report(project, outcome, changed, io, options.format, 'Moved');
    return 0;
  }

  const planOptions: PlanOptions = {
    ...(options.backfill ? { backfill: options.backfill } : {}),
    ...(options.replaceWith ? { replaceWith: options.replaceWith } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.lockTimeout ? { lockTimeout: options.lockTimeout } : {}),
  };
  const ctx = await loadPlanContext(project);
  const candidates = plannableChanges(ctx).filter((change) => {
    if (options.rule && ruleFor(change, ctx) !== options.rule) return false;
    if (options.target && !targetNames(change).includes(options.target)) return false;
    return true;
  });
  if (candidates.length === 0) {
    io.err(`prisma-migration-guard: no pending change${options.rule || options.target ? ' matches' : ' of this project needs'} a phased migration${options.rule ? ` (rule ${options.rule})` : ''}${options.target ? ` (target ${options.target})` : ''}.\n`);
    return options.applyFirstPhase ? 1 : 0;
  }
  if (options.applyFirstPhase) {
    if (candidates.length > 1) {
      io.err(`prisma-migration-guard: ${candidates.length} changes match; pick one with --rule and --target:\n${candidates.map((c) => `  --rule ${ruleFor(c, ctx)} --target ${label(c)}`).join('\n')}\n`);
      return 1;
    }
    const outcome = planForChange(ctx, candidates[0], planOptions);
    if (!outcome.ok) {
      io.err(`prisma-migration-guard: no plan: ${outcome.reason}\n`);
      return 1;
    }
    try {
      const written = applyFirstPhase(project, outcome.plan);
      const changed = applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
      report(project, written, changed, io, options.format, 'Wrote');
      return 0;
    } catch (error) {
      if (error instanceof PlanRefused) {
        io.err(`prisma-migration-guard: not written: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }

  const entries = candidates.map((change) => ({ change, ruleId: ruleFor(change, ctx) as string, outcome: planForChange(ctx, change, planOptions) }));
  if (options.format === 'json') {
    io.out(JSON.stringify(entries.map((e) => ({ ruleId: e.ruleId, change: summarizeChange(e.change), target: label(e.change), ...(e.outcome.ok ? { plan: e.outcome.plan } : { refused: e.outcome.reason }) })), null, 2) + '\n');
    return 0;
  }
  entries.forEach((e, i) => {
    io.out(`${i + 1}. ${e.ruleId} --target ${label(e.change)}\n`);
    io.out(e.outcome.ok ? `${summarizePlan(e.outcome.plan).replace(/^/gm, '   ')}\n` : `   no plan: ${e.outcome.reason}\n`);
  });
  io.out('\nWrite one with: prisma-migration-guard plan --apply-first-phase --rule <rule> --target <target>\n');
  return 0;
}
