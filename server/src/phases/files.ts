/**
 * Writes plans and phases to disk, and reads them back for "Advance".
 *
 * The user's work comes first: no existing file is ever overwritten (every
 * file is opened with 'wx', every folder created without `recursive`), names
 * that are taken move on (a second later for timestamps), and anything that
 * does not add up (a plan folder whose phase is missing from the migrations,
 * a schema that no longer has the field to edit) stops with the reason
 * before anything is written.
 *
 * The schema itself is not written here: the writers return its edits, which
 * the editor applies as one undoable workspace edit and the CLI applies with
 * `applySchemaEditsToDisk`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PrismaProject } from '../project/locate';
import { committedMigrationFolders } from '../project/git';
import { migrationSlug, nextTimestamps, timestamp, timestampOf } from './naming';
import { phaseFolder } from './plans/common';
import { renderPlan } from './render';
import { applyEditsToText, schemaEditsFor } from './schemaOps';
import { type Phase, type Plan, PlanRefused, type SchemaEdit } from './types';

export const PLANS_FOLDER = 'migration-plans';
const PLAN_FILE = 'plan.json';

export function plansDir(project: PrismaProject): string {
  return path.join(path.dirname(project.migrationsDir), PLANS_FOLDER);
}

export interface PhaseWritten {
  plan: Plan;
  phase: Phase;
  /** Absolute paths of every file written. */
  written: string[];
  /** Folder names created in the migrations folder, in order. */
  migrationFolders: string[];
  /** Edits that make the schema match the phase; not yet applied. */
  schemaEdits: SchemaEdit[];
  /** The schema texts the edits were computed against (the CLI checks the files still hold them). */
  schemaTexts: Map<string, string>;
  planDir: string;
  notes: string[];
}

export type AdvanceOutcome = ({ ok: true } & PhaseWritten) | { ok: false; reason: string };

export interface WriteOptions {
  now?: Date;
  /** Schema file texts to compute edits against (the editor's open documents); default: the files on disk. */
  texts?: ReadonlyMap<string, string>;
}

function readTexts(project: PrismaProject, texts?: ReadonlyMap<string, string>): Map<string, string> {
  const result = new Map<string, string>();
  for (const file of project.schemaFiles) result.set(file, texts?.get(file) ?? fs.readFileSync(file, 'utf8'));
  return result;
}

function listNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The migration folder a plan's migration became: `<14 digits>_<slug>`, exactly. */
function folderFor(slug: string, names: string[]): string | undefined {
  return names.find((n) => n.length === slug.length + 15 && n.endsWith(`_${slug}`) && timestampOf(n) !== undefined);
}

function writeNew(file: string, content: string, written: string[]): void {
  try {
    fs.writeFileSync(file, content, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new PlanRefused(`${file} already exists; nothing was overwritten.`);
    throw error;
  }
  written.push(file);
}

/** Creates a new folder; false when the name is taken. */
function makeFolder(dir: string): boolean {
  try {
    fs.mkdirSync(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Creates `<timestamp>_<slug>` folders in the migrations folder for `phase`'s
 * migrations, later than every folder there, and writes their files.
 */
function writeMigrations(project: PrismaProject, phase: Phase, contents: { sql: string; down: string }[], now: Date, written: string[]): string[] {
  fs.mkdirSync(project.migrationsDir, { recursive: true });
  const names = listNames(project.migrationsDir);
  const times = nextTimestamps(names, phase.migrations.length, now);
  const folders: string[] = [];
  let at = times[0].getTime();
  phase.migrations.forEach((m, i) => {
    let name = `${timestamp(new Date(at))}_${m.slug}`;
    // Someone else may create a folder in the same second: move on a second until the name is free.
    while (names.some((n) => n.startsWith(`${timestamp(new Date(at))}_`)) || !makeFolder(path.join(project.migrationsDir, name))) {
      at += 1000;
      name = `${timestamp(new Date(at))}_${m.slug}`;
    }
    const dir = path.join(project.migrationsDir, name);
    written.push(dir);
    writeNew(path.join(dir, 'migration.sql'), contents[i].sql, written);
    writeNew(path.join(dir, 'down.sql'), contents[i].down, written);
    folders.push(name);
    at += 1000;
  });
  return folders;
}

interface StoredPlan {
  dir: string;
  plan: Plan;
}

export function readPlans(project: PrismaProject): { plans: StoredPlan[]; problems: string[] } {
  const root = plansDir(project);
  const plans: StoredPlan[] = [];
  const problems: string[] = [];
  for (const name of listNames(root).sort()) {
    const file = path.join(root, name, PLAN_FILE);
    if (!fs.existsSync(file)) continue;
    try {
      const plan = JSON.parse(fs.readFileSync(file, 'utf8')) as Plan;
      if (plan.format !== 'prisma-migration-guard/plan@1' || !Array.isArray(plan.phases)) {
        problems.push(`${path.relative(project.root, file)} is not a plan this version understands.`);
        continue;
      }
      plans.push({ dir: path.join(root, name), plan });
    } catch (error) {
      problems.push(`${path.relative(project.root, file)} cannot be read: ${(error as Error).message}`);
    }
  }
  return { plans, problems };
}

export interface PhaseStatus {
  phase: Phase;
  /** Migration folder per migration of the phase, undefined where it is not in the migrations folder. */
  folders: (string | undefined)[];
  state: 'applied' | 'partial' | 'pending';
}

export interface PlanStatus {
  dir: string;
  plan: Plan;
  phases: PhaseStatus[];
  /** Index of the first phase not applied; phases.length when the plan is complete. */
  next: number;
}

export function planStatus(project: PrismaProject, stored: StoredPlan): PlanStatus {
  const names = listNames(project.migrationsDir);
  const phases = stored.plan.phases.map((phase): PhaseStatus => {
    const folders = phase.migrations.map((m) => folderFor(m.slug, names));
    const present = folders.filter((f) => f !== undefined).length;
    return { phase, folders, state: present === folders.length ? 'applied' : present === 0 ? 'pending' : 'partial' };
  });
  const next = phases.findIndex((p) => p.state !== 'applied');
  return { ...stored, phases, next: next < 0 ? phases.length : next };
}

/** Every plan of the project with where it stands. */
export function listPlanStatuses(project: PrismaProject): { statuses: PlanStatus[]; problems: string[] } {
  const { plans, problems } = readPlans(project);
  return { statuses: plans.map((p) => planStatus(project, p)), problems };
}

/**
 * Writes the plan folder (plan.md, plan.json, every phase's SQL, scripts and
 * backups) and phase 1's migrations, and returns the schema edits for phase 1.
 * Throws PlanRefused, before writing anything, when the schema no longer fits
 * or a plan for the same change is in progress.
 */
export function applyFirstPhase(project: PrismaProject, plan: Plan, options: WriteOptions = {}): PhaseWritten {
  const now = options.now ?? new Date();
  const texts = readTexts(project, options.texts);
  const first = plan.phases[0];
  if (!first) throw new PlanRefused('The plan has no phase.');
  const edits = schemaEditsFor(first.schema, texts);
  if (!edits.ok) throw new PlanRefused(`${edits.reason}. Nothing was written.`);

  const { statuses } = listPlanStatuses(project);
  const same = statuses.find((s) => s.next < s.phases.length && JSON.stringify(s.plan.change) === JSON.stringify(plan.change));
  if (same) {
    throw new PlanRefused(
      `A plan for this change is in progress in ${path.relative(project.root, same.dir)} (phase ${same.next + 1} of ${same.phases.length} is next): continue it with "Advance to next phase", or delete that folder to start over. Nothing was written.`,
    );
  }

  const stored = structuredClone(plan);
  // A slug an earlier, abandoned plan left in the migrations folder would make Advance think the phase is done.
  const names = listNames(project.migrationsDir);
  const used = new Set<string>();
  for (const phase of stored.phases) {
    for (const m of phase.migrations) {
      let slug = m.slug;
      for (let i = 2; folderFor(slug, names) || used.has(slug); i++) slug = migrationSlug(m.slug, String(i));
      m.slug = slug;
      used.add(slug);
    }
  }

  const root = plansDir(project);
  fs.mkdirSync(root, { recursive: true });
  let planDir = path.join(root, stored.id);
  let at = timestampOf(stored.id)?.getTime() ?? now.getTime();
  while (!makeFolder(planDir)) {
    at += 1000;
    const id = `${timestamp(new Date(at))}_${stored.name}`;
    retitle(stored, stored.id, id);
    planDir = path.join(root, id);
  }
  const written: string[] = [planDir];
  try {
    for (const phase of stored.phases) writePhaseFiles(planDir, phase, written);
    const phase1 = stored.phases[0];
    const folders = writeMigrations(project, phase1, phase1.migrations, now, written);
    writeNew(path.join(planDir, PLAN_FILE), JSON.stringify(stored, null, 2) + '\n', written);
    writeNew(
      path.join(planDir, 'plan.md'),
      renderPlan(stored, { appliedFolders: folders, plansDir: rel(project, root), migrationsDir: rel(project, project.migrationsDir) }),
      written,
    );
    return { plan: stored, phase: phase1, written, migrationFolders: folders, schemaEdits: edits.edits, schemaTexts: texts, planDir, notes: [] };
  } catch (error) {
    if (error instanceof PlanRefused) throw new PlanRefused(`${error.message} Written so far: ${written.map((w) => rel(project, w)).join(', ')}.`);
    throw error;
  }
}

function rel(project: PrismaProject, file: string): string {
  return path.relative(project.root, file).split(path.sep).join('/') || '.';
}

/** A plan folder that had to move a second on carries the new id in its texts too. */
function retitle(plan: Plan, from: string, to: string): void {
  plan.id = to;
  const swap = (text: string): string => text.split(from).join(to);
  for (const phase of plan.phases) {
    if (phase.backfill) phase.backfill.script = swap(phase.backfill.script);
    for (const m of phase.migrations) {
      m.sql = swap(m.sql);
      m.down = swap(m.down);
    }
    if (phase.backup) phase.backup.sql = swap(phase.backup.sql);
  }
}

function writePhaseFiles(planDir: string, phase: Phase, written: string[]): void {
  const dir = path.join(planDir, phaseFolder(phase));
  fs.mkdirSync(dir);
  written.push(dir);
  for (const m of phase.migrations) {
    const folder = path.join(dir, m.slug);
    fs.mkdirSync(folder);
    written.push(folder);
    writeNew(path.join(folder, 'migration.sql'), m.sql, written);
    writeNew(path.join(folder, 'down.sql'), m.down, written);
  }
  if (phase.backfill) writeNew(path.join(dir, phase.backfill.scriptName), phase.backfill.script, written);
  if (phase.backup) writeNew(path.join(dir, 'backup.sql'), `-- ${phase.backup.description}\n-- Run by hand before deploying phase ${phase.number}; it is not a migration.\n${phase.backup.sql}\n`, written);
  if (phase.preflight) writeNew(path.join(dir, 'preflight.sql'), `-- ${phase.preflight.description}\n${phase.preflight.sql}\n`, written);
}

export interface AdvanceOptions extends WriteOptions {
  /** The plan to advance (its folder name); default: the oldest plan with a phase left. */
  planId?: string;
  /** Advance even though the previous phase's migrations are not committed to git. */
  force?: boolean;
}

/**
 * Moves the next phase of a plan into the migrations folder and returns its
 * schema edits; or says why not. The phase's SQL comes from the plan folder,
 * so edits a reviewer made there are kept.
 */
export function advancePhase(project: PrismaProject, options: AdvanceOptions = {}): AdvanceOutcome {
  const { statuses, problems } = listPlanStatuses(project);
  if (statuses.length === 0) {
    return { ok: false, reason: `No phased migration plan in ${rel(project, plansDir(project))}${problems.length > 0 ? ` (${problems.join(' ')})` : ''}: generate one with "Generate phased migration" first.` };
  }
  let status: PlanStatus | undefined;
  if (options.planId) {
    status = statuses.find((s) => s.plan.id === options.planId || path.basename(s.dir) === options.planId);
    if (!status) return { ok: false, reason: `No plan ${options.planId} in ${rel(project, plansDir(project))}; plans there: ${statuses.map((s) => path.basename(s.dir)).join(', ')}.` };
  } else {
    status = statuses.find((s) => s.next < s.phases.length);
    if (!status) return { ok: false, reason: `Every plan in ${rel(project, plansDir(project))} is complete: nothing to advance.` };
  }
  const { plan } = status;
  if (status.next >= status.phases.length) return { ok: false, reason: `Plan ${plan.id} is complete: all ${plan.phases.length} phases are in ${rel(project, project.migrationsDir)}.` };
  const current = status.phases[status.next];
  const missing = (s: PhaseStatus): string => s.phase.migrations.filter((_, i) => !s.folders[i]).map((m) => `<timestamp>_${m.slug}`).join(', ');
  if (status.next === 0) {
    return { ok: false, reason: `Phase 1 of plan ${plan.id} is not in ${rel(project, project.migrationsDir)} (missing: ${missing(current)}): it was never applied, or its folder was deleted or renamed. Restore it, or delete ${rel(project, status.dir)} and generate the plan again.` };
  }
  if (current.state === 'partial') {
    return { ok: false, reason: `Phase ${current.phase.number} of plan ${plan.id} is only partly in ${rel(project, project.migrationsDir)} (missing: ${missing(current)}). Restore the missing folder(s) from ${rel(project, path.join(status.dir, phaseFolder(current.phase)))}, or remove the others, before advancing.` };
  }
  const previous = status.phases[status.next - 1];
  const later = status.phases.slice(status.next + 1).find((p) => p.state !== 'pending');
  if (later) return { ok: false, reason: `Phase ${later.phase.number} of plan ${plan.id} is in the migrations folder although phase ${current.phase.number} is not: the folder does not follow the plan; sort it out by hand.` };
  if (!options.force) {
    const view = committedMigrationFolders(project.migrationsDir);
    if (view.committedFolders) {
      const uncommitted = previous.folders.filter((f): f is string => !!f && !view.committedFolders?.has(f));
      if (uncommitted.length > 0) {
        return {
          ok: false,
          reason: `Phase ${previous.phase.number}'s migration ${uncommitted.join(', ')} is not committed yet. It must be deployed before phase ${current.phase.number}${previous.phase.beforeNext ? `, and then: ${previous.phase.beforeNext}` : ''} Commit and deploy it, then advance (or pass --force if it is deployed from elsewhere).`,
        };
      }
    }
  }

  const texts = readTexts(project, options.texts);
  const edits = schemaEditsFor(current.phase.schema, texts);
  if (!edits.ok) return { ok: false, reason: `${edits.reason}. The schema no longer matches what phase ${previous.phase.number} left; nothing was written.` };
  const contents: { sql: string; down: string }[] = [];
  for (const m of current.phase.migrations) {
    const folder = path.join(status.dir, phaseFolder(current.phase), m.slug);
    try {
      contents.push({ sql: fs.readFileSync(path.join(folder, 'migration.sql'), 'utf8'), down: fs.readFileSync(path.join(folder, 'down.sql'), 'utf8') });
    } catch {
      return { ok: false, reason: `${rel(project, folder)} is missing its migration.sql or down.sql; restore it from plan.md before advancing.` };
    }
  }
  const written: string[] = [];
  try {
    const folders = writeMigrations(project, current.phase, contents, options.now ?? new Date(), written);
    const notes = previous.phase.beforeNext ? [`Phase ${previous.phase.number} asked, before this one: ${previous.phase.beforeNext}`] : [];
    const others = statuses.filter((s) => s !== status && s.next < s.phases.length).map((s) => s.plan.id);
    if (others.length > 0) notes.push(`Other unfinished plans: ${others.join(', ')} (advance one with --plan <id>).`);
    return { ok: true, plan, phase: current.phase, written, migrationFolders: folders, schemaEdits: edits.edits, schemaTexts: texts, planDir: status.dir, notes };
  } catch (error) {
    if (error instanceof PlanRefused) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * Writes schema edits to disk (the CLI's counterpart of the editor's workspace
 * edit). Refuses, writing nothing, when a file no longer holds the text the
 * edits were computed against.
 */
export function applySchemaEditsToDisk(edits: SchemaEdit[], texts: ReadonlyMap<string, string>): string[] {
  const byFile = new Map<string, SchemaEdit[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  for (const file of byFile.keys()) {
    const expected = texts.get(file);
    const actual = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (expected === undefined || actual !== expected) throw new PlanRefused(`${file} changed since the edits were computed; the schema was not edited.`);
  }
  const changed: string[] = [];
  for (const [file, fileEdits] of byFile) {
    const next = applyEditsToText(texts.get(file) as string, fileEdits);
    if (next === texts.get(file)) continue;
    fs.writeFileSync(file, next);
    changed.push(file);
  }
  return changed;
}
