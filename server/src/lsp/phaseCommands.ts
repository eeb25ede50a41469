/**
 * "Generate phased migration" and "Advance to next phase" in the editor.
 *
 * The phases engine writes the migration folders and the plan itself but
 * never the schema: the schema edits go to the editor as ONE workspace edit,
 * so they land in the user's buffer (unsaved text included) and undo as one
 * step. The order protects the user's work: plan against the open text, check
 * the text did not change while planning, write the files, then ask the
 * editor to apply the edit, versioned, so an editor whose document moved on
 * refuses it instead of applying it to other text. If the edit is refused
 * after the files were written, the answer says so and lists the files.
 */
import * as path from 'path';
import type { TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import {
  type AdvanceOutcome,
  advancePhase,
  applyFirstPhase,
  applySchemaEditsToDisk,
  describeOp,
  listPlanStatuses,
  type PhaseWritten,
  type PlanStatus,
  planForFinding,
  PlanRefused,
  type SchemaEdit,
} from '../phases';
import type { PrismaProject } from '../project/locate';
import { pathToUri } from './paths';
import type { AdvancePhaseArgs, CommandAnswer, GuardDiagnosticData } from './protocol';

export interface OpenSchema {
  uri: string;
  text: string;
  version: number;
}

export interface EditOutcome {
  applied: boolean;
  failureReason?: string;
}

/** What the commands need from the server and its editor. */
export interface PhaseEnvironment {
  /** The open documents among `files`, by absolute path. */
  openDocuments(files: readonly string[]): Map<string, OpenSchema>;
  /** `workspace/applyEdit`; undefined when the client cannot apply edits. */
  applyEdit?: (edit: WorkspaceEdit) => Promise<EditOutcome>;
  /** The client applies versioned `documentChanges`. */
  documentChanges: boolean;
  showMessage(type: 'info' | 'warning' | 'error', message: string): void;
  showDocument(uri: string): Promise<boolean>;
  /** The migrations folder changed on disk (clients without file watchers need to be told). */
  migrationsChanged(project: PrismaProject): void;
  log(level: 'info' | 'warning' | 'error', message: string): void;
}

function rel(project: PrismaProject, file: string): string {
  return path.relative(project.root, file).split(path.sep).join('/') || '.';
}

function textsOf(open: Map<string, OpenSchema>): Map<string, string> {
  return new Map([...open].map(([file, doc]) => [file, doc.text]));
}

/** Files whose open version moved since `before` was taken (a closed or newly opened file counts as moved). */
function movedSince(before: Map<string, OpenSchema>, now: Map<string, OpenSchema>): string[] {
  const files = new Set([...before.keys(), ...now.keys()]);
  return [...files].filter((file) => before.get(file)?.version !== now.get(file)?.version);
}

/** An editor without workspace/applyEdit cannot take the schema edit, and writing under its open buffer would lose one or the other. */
function cannotEdit(ruleId?: string): string {
  const cli = ruleId ? `prisma-migration-guard plan --apply-first-phase --rule ${ruleId}` : 'prisma-migration-guard plan --advance';
  return `Nothing written: this editor cannot apply workspace edits (workspace/applyEdit) and the schema is open in it. Close the schema file and run the command again, or use the command line: ${cli}.`;
}

function refuse(env: PhaseEnvironment, message: string, extra: Partial<CommandAnswer> = {}): CommandAnswer {
  env.showMessage('warning', message);
  return { done: false, message, ...extra };
}

/** The edits as one WorkspaceEdit: versioned per document when the client supports it. */
export function schemaWorkspaceEdit(edits: SchemaEdit[], open: Map<string, OpenSchema>, documentChanges: boolean): WorkspaceEdit {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), { range: edit.range, newText: edit.newText }]);
  if (documentChanges) {
    const changes: TextDocumentEdit[] = [...byFile].map(([file, fileEdits]) => ({
      // null: the file is not open, the editor applies the edit to the file as it is on disk (which the edits were computed from).
      textDocument: { uri: open.get(file)?.uri ?? pathToUri(file), version: open.get(file)?.version ?? null },
      edits: fileEdits,
    }));
    return { documentChanges: changes };
  }
  return { changes: Object.fromEntries([...byFile].map(([file, fileEdits]) => [open.get(file)?.uri ?? pathToUri(file), fileEdits])) };
}

interface Applied {
  ok: boolean;
  /** Why the schema was not edited. */
  reason?: string;
}

/**
 * Applies the phase's schema edits: through the editor (one workspace edit),
 * or, for an editor that cannot apply edits, on disk when no schema file is
 * open (the CLI's way, which refuses if a file changed since).
 */
async function applySchemaEdits(env: PhaseEnvironment, written: PhaseWritten, open: Map<string, OpenSchema>, project: PrismaProject): Promise<Applied> {
  if (written.schemaEdits.length === 0) return { ok: true };
  const moved = movedSince(open, env.openDocuments(project.schemaFiles));
  if (moved.length > 0) return { ok: false, reason: `${moved.map((f) => rel(project, f)).join(', ')} changed while the files were written` };
  if (!env.applyEdit) {
    try {
      applySchemaEditsToDisk(written.schemaEdits, written.schemaTexts);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  try {
    const outcome = await env.applyEdit(schemaWorkspaceEdit(written.schemaEdits, open, env.documentChanges));
    return outcome.applied ? { ok: true } : { ok: false, reason: outcome.failureReason ? `the editor refused it: ${outcome.failureReason}` : 'the editor did not apply it' };
  } catch (error) {
    return { ok: false, reason: `the editor did not answer: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function phaseLabel(written: PhaseWritten): string {
  return `phase ${written.phase.number} of ${written.plan.phases.length} (${written.phase.title})`;
}

function folderList(project: PrismaProject, written: PhaseWritten): string {
  return written.migrationFolders.map((f) => `${rel(project, path.join(project.migrationsDir, f))}/`).join(', ');
}

function nextStep(written: PhaseWritten): string {
  return written.phase.beforeNext
    ? `Deploy it (prisma migrate deploy); then, before advancing to phase ${written.phase.number + 1}: ${written.phase.beforeNext}`
    : 'This is the last phase: deploy it and the plan is done.';
}

/** What to delete to undo a write: the new migration folders, and for a first phase the plan folder too. */
function startOver(project: PrismaProject, written: PhaseWritten): string[] {
  const folders = written.migrationFolders.map((f) => `${rel(project, path.join(project.migrationsDir, f))}/`);
  return written.phase.number === 1 ? [...folders, `${rel(project, written.planDir)}/`] : folders;
}

/** The answer when files were written but the schema edit did not land: nothing is undone, everything is said. */
function editFailed(env: PhaseEnvironment, project: PrismaProject, written: PhaseWritten, reason: string): CommandAnswer {
  const ops = written.phase.schema.map(describeOp);
  const message =
    `Wrote ${phaseLabel(written)} of plan ${written.plan.id} (${folderList(project, written)}), but the schema was NOT edited: ${reason}. ` +
    `Nothing was removed. Make the schema match the phase by hand (${ops.join('; ')}), or delete what was written to start over: ${startOver(project, written).join(', ')}. ` +
    'Until the schema matches the phase, "Advance to next phase" cannot continue the plan.';
  env.log('warning', message);
  env.showMessage('error', message);
  env.migrationsChanged(project);
  return { done: false, message, written: written.written, migrationFolders: written.migrationFolders, planFile: path.join(written.planDir, 'plan.md') };
}

/** `migrationGuard.generatePhasedMigration` with a diagnostic's `data`. */
export async function generatePhasedMigration(env: PhaseEnvironment, project: PrismaProject, data: Partial<GuardDiagnosticData>): Promise<CommandAnswer> {
  if (!data.ruleId) return refuse(env, 'No phased migration written: run "Generate phased migration" from the quick fix of a Migration Guard diagnostic.');
  if (data.target === 'sql' || !data.change) {
    return refuse(env, `No phased migration written: ${data.ruleId} is about migration SQL, not a schema change; there is no phased plan for it.`);
  }
  const open = env.openDocuments(project.schemaFiles);
  if (!env.applyEdit && open.size > 0) return refuse(env, cannotEdit(data.ruleId));
  const outcome = await planForFinding(project, { ruleId: data.ruleId, change: data.change }, { texts: textsOf(open) });
  if (!outcome.ok) return refuse(env, `No phased migration written: ${outcome.reason}`);
  // Planning awaited; an edit typed meanwhile would make the schema edits land on the wrong text.
  const moved = movedSince(open, env.openDocuments(project.schemaFiles));
  if (moved.length > 0) return refuse(env, `No phased migration written: ${moved.map((f) => rel(project, f)).join(', ')} changed while the plan was computed. Run the action again.`);
  let written: PhaseWritten;
  try {
    written = applyFirstPhase(project, outcome.plan, { texts: textsOf(open) });
  } catch (error) {
    if (error instanceof PlanRefused) return refuse(env, `No phased migration written: ${error.message}`);
    throw error;
  }
  const applied = await applySchemaEdits(env, written, open, project);
  if (!applied.ok) return editFailed(env, project, written, applied.reason ?? 'unknown reason');
  env.migrationsChanged(project);
  const planFile = path.join(written.planDir, 'plan.md');
  const about = `${data.ruleId}${data.model ? ` on ${data.model}${data.field ? `.${data.field}` : ''}` : ''}`;
  const edited = written.phase.schema.length > 0 ? ` The schema now matches it (${written.phase.schema.map(describeOp).join('; ')}).` : '';
  const message = `Phased migration for ${about}: wrote ${phaseLabel(written)} to ${folderList(project, written)} and the plan ${rel(project, planFile)}.${edited} ${nextStep(written)}`;
  env.showMessage('info', message);
  await env.showDocument(pathToUri(planFile)).catch(() => false);
  return { done: true, message, written: written.written, migrationFolders: written.migrationFolders, planFile };
}

// ------------------------------------------------------------------ advance

export interface InProgress {
  project: PrismaProject;
  status: PlanStatus;
}

/** The plans with a phase left, over the given projects. */
export function plansInProgress(projects: PrismaProject[]): InProgress[] {
  const found: InProgress[] = [];
  for (const project of projects) {
    for (const status of listPlanStatuses(project).statuses) if (status.next < status.phases.length) found.push({ project, status });
  }
  return found;
}

function planLabel(entry: InProgress, several: boolean): string {
  const where = several ? `${entry.project.root}: ` : '';
  return `${where}${path.basename(entry.status.dir)} — ${entry.status.plan.title} (phase ${entry.status.next + 1} of ${entry.status.phases.length} next)`;
}

/**
 * `migrationGuard.advancePhase`: the named plan, else the only plan in
 * progress among `projects`; with several, answers with the list (and the
 * arguments that pick each) instead of guessing.
 */
export async function advanceCommand(env: PhaseEnvironment, projects: PrismaProject[], args: AdvancePhaseArgs): Promise<CommandAnswer> {
  if (projects.length === 0) return refuse(env, 'Not advanced: no Prisma project here.');
  let target: InProgress | undefined;
  if (args.planId) {
    for (const project of projects) {
      const status = listPlanStatuses(project).statuses.find((s) => s.plan.id === args.planId || path.basename(s.dir) === args.planId);
      if (status) target = { project, status };
    }
    if (!target) {
      const known = plansInProgress(projects).map((p) => path.basename(p.status.dir));
      return refuse(env, `Not advanced: no plan ${args.planId}${known.length > 0 ? `; plans in progress: ${known.join(', ')}` : ''}.`);
    }
  } else {
    const candidates = plansInProgress(projects);
    if (candidates.length > 1) {
      const several = new Set(candidates.map((c) => c.project.root)).size > 1;
      const message = `Several phased migration plans are in progress; choose one: ${candidates.map((c) => planLabel(c, several)).join('; ')}.`;
      env.showMessage('info', message);
      return { done: false, message, choices: candidates.map((c) => ({ label: planLabel(c, several), args: { projectRoot: c.project.root, planId: c.status.plan.id } })) };
    }
    target = candidates[0];
    if (!target) {
      // With one project, the engine's own answer says where it looked and what to do.
      if (projects.length === 1) return outcomeAnswer(env, projects[0], advancePhase(projects[0], { texts: textsOf(env.openDocuments(projects[0].schemaFiles)) }), new Map());
      return refuse(env, 'Not advanced: no phased migration plan is in progress in any Prisma project here. Generate one with the "Generate phased migration" quick fix.');
    }
  }
  const project = target.project;
  const open = env.openDocuments(project.schemaFiles);
  if (!env.applyEdit && open.size > 0) return refuse(env, cannotEdit());
  const outcome = advancePhase(project, { planId: target.status.plan.id, texts: textsOf(open) });
  return outcomeAnswer(env, project, outcome, open);
}

async function outcomeAnswer(env: PhaseEnvironment, project: PrismaProject, outcome: AdvanceOutcome, open: Map<string, OpenSchema>): Promise<CommandAnswer> {
  if (!outcome.ok) return refuse(env, `Not advanced: ${outcome.reason}`);
  const applied = await applySchemaEdits(env, outcome, open, project);
  if (!applied.ok) return editFailed(env, project, outcome, applied.reason ?? 'unknown reason');
  env.migrationsChanged(project);
  const edited = outcome.phase.schema.length > 0 ? ` The schema now matches it (${outcome.phase.schema.map(describeOp).join('; ')}).` : ' This phase does not change the schema.';
  const notes = outcome.notes.length > 0 ? ` ${outcome.notes.join(' ')}` : '';
  const message = `Moved ${phaseLabel(outcome)} of plan ${outcome.plan.id} into ${folderList(project, outcome)}.${edited}${notes} ${nextStep(outcome)}`;
  env.showMessage('info', message);
  const first = outcome.migrationFolders[0];
  if (first) await env.showDocument(pathToUri(path.join(project.migrationsDir, first, 'migration.sql'))).catch(() => false);
  return { done: true, message, written: outcome.written, migrationFolders: outcome.migrationFolders, planFile: path.join(outcome.planDir, 'plan.md') };
}
