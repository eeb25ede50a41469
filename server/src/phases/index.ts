/**
 * Phased migrations: the API the editor and the CLI use.
 *
 *   const outcome = await planForFinding(project, finding);          // or the diagnostic's { ruleId, change }
 *   if (outcome.ok) {
 *     const done = applyFirstPhase(project, outcome.plan);            // writes the plan folder and phase 1's migrations
 *     // apply done.schemaEdits as one WorkspaceEdit (the CLI: applySchemaEditsToDisk(done.schemaEdits, done.schemaTexts))
 *   }
 *   const next = advancePhase(project);                               // { ok: true, ...written } | { ok: false, reason }
 */
import type { Change } from '../diff/changes';
import type { PrismaProject } from '../project/locate';
import type { Finding } from '../rules/types';
import { type PlanContext, loadPlanContext } from './context';
import { findChange, planForChange, plannableChanges, ruleFor } from './planner';
import type { PlanOptions, PlanOutcome } from './types';

export * from './types';
export { loadPlanContext, contextFrom, type PlanContext } from './context';
export { planForChange, plannableChanges, ruleFor, findChange, sameSummary } from './planner';
export { applyFirstPhase, advancePhase, applySchemaEditsToDisk, listPlanStatuses, plansDir, readPlans, type AdvanceOptions, type AdvanceOutcome, type PhaseWritten, type PlanStatus, type WriteOptions } from './files';
export { renderPlan, summarizePlan } from './render';
export { schemaEditsFor, applyEditsToText, describeOp } from './schemaOps';
export { batchQueries, postgresBackfillBlock, backfillScript } from './backfill';

/** What the editor knows about a finding: a whole Finding, or the `ruleId` and short `change` a diagnostic carries. */
export type FindingRef = Pick<Finding, 'ruleId'> & { change?: Change | Record<string, unknown> };

export interface PlanRequestOptions extends PlanOptions {
  /** Schema texts that differ from the files on disk (the editor's unsaved documents). */
  texts?: ReadonlyMap<string, string>;
  /** A context already loaded for this project (the CLI plans several findings from one). */
  context?: PlanContext;
}

/**
 * The phased plan for a finding, computed against every migration on disk
 * and the schema as it is now. Refuses, with the reason, when the change is
 * no longer pending, is already in a migration, or has no safe multi-step path.
 */
export async function planForFinding(project: PrismaProject, finding: FindingRef, options: PlanRequestOptions = {}): Promise<PlanOutcome> {
  if (!finding.change) return { ok: false, reason: `${finding.ruleId} is about migration SQL, not a schema change: there is no phased plan for it.` };
  const ctx = options.context ?? (await loadPlanContext(project, options.texts));
  const change = findChange(ctx, finding.change);
  if (!change) {
    return {
      ok: false,
      reason: 'This change is no longer waiting for a migration: either the schema changed since, or a migration in the migrations folder already makes it. If that migration is not deployed yet, delete its folder and generate the phased migration again.',
    };
  }
  if (!ruleFor(change, ctx)) return { ok: false, reason: 'This change is safe to migrate in one step: it needs no phases.' };
  return planForChange(ctx, change, options);
}

/** Every pending change of the project that has a phased plan, with its plan or the reason it has none. */
export async function planProject(project: PrismaProject, options: PlanRequestOptions = {}): Promise<{ context: PlanContext; entries: { change: Change; ruleId: string; outcome: PlanOutcome }[] }> {
  const context = options.context ?? (await loadPlanContext(project, options.texts));
  const entries = plannableChanges(context).map((change) => ({ change, ruleId: ruleFor(change, context) as string, outcome: planForChange(context, change, options) }));
  return { context, entries };
}
