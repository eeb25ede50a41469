/**
 * The plan as people read it: `plan.md` in the plan's folder, and the CLI's
 * text output. Everything a reviewer needs is in one file: the phases, what
 * each waits for, its SQL and its rollback.
 */
import { providerName } from '../core/dbState';
import { phaseFolder } from './plans/common';
import { describeOp } from './schemaOps';
import type { Phase, Plan } from './types';


function fence(sql: string): string[] {
  return ['```sql', sql.replace(/\n+$/, ''), '```'];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface RenderOptions {
  /** Folder names phase 1's migrations got, to name them in the text. */
  appliedFolders?: string[];
  /** Project-relative paths, for commands in the text. */
  plansDir?: string;
  migrationsDir?: string;
}

export function renderPlan(plan: Plan, options: RenderOptions = {}): string {
  const plansDir = options.plansDir ?? 'prisma/migration-plans';
  const migrationsDir = options.migrationsDir ?? 'prisma/migrations';
  const lines: string[] = [
    `# Phased migration: ${plan.title}`,
    '',
    `Plan \`${plan.id}\` for the finding **${plan.ruleId}** on ${providerName(plan.provider)}, written by Prisma Migration Guard.`,
    '',
    `**Why not one migration:** ${plan.risk}`,
    '',
    '## Phases',
    '',
    '| # | Phase | Migrations | Before the next phase may run |',
    '| --- | --- | --- | --- |',
  ];
  for (const phase of plan.phases) {
    lines.push(`| ${phase.number} | ${cell(phase.title)} | ${phase.migrations.map((m) => `\`${m.slug}\``).join('<br>')} | ${cell(phase.beforeNext || '—')} |`);
  }
  lines.push(
    '',
    '## How to run it',
    '',
    options.appliedFolders && options.appliedFolders.length > 0
      ? `1. Phase 1 is in \`${migrationsDir}/\` (${options.appliedFolders.map((f) => `\`${f}\``).join(', ')}) and the schema matches it: \`prisma migrate dev\` finds nothing more to generate. Review it, commit, deploy it (\`prisma migrate deploy\`), then do what the table says before the next phase.`
      : `1. Phase 1 goes into \`${migrationsDir}/\` and the schema is edited to match it. Review it, commit, deploy it (\`prisma migrate deploy\`), then do what the table says before the next phase.`,
    `2. Run **Advance to next phase** in VS Code, or \`npx prisma-migration-guard plan --advance\`: it moves the next phase into \`${migrationsDir}/\` and edits the schema. It refuses while the previous phase's migrations are missing from \`${migrationsDir}/\`, or not committed yet.`,
    `3. Only one phase at a time: \`prisma migrate deploy\` applies every pending folder at once, and a later phase must wait for the code the earlier one needs.`,
    `4. Each phase's SQL is below and in its \`phase-N-*\` folder next to this file (\`${plansDir}/${plan.id}/\`). Edit those files before advancing if you need to: Advance copies them as they are.`,
    '',
  );
  if (plan.notes.length > 0) {
    lines.push('## Review before deploying', '');
    for (const note of plan.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  lines.push(
    '## Rolling back',
    '',
    'Each migration folder has a `down.sql` that brings the database back to the state before that migration. To roll a migration back: run its `down.sql` (`npx prisma db execute --file <folder>/down.sql`), mark it rolled back (`npx prisma migrate resolve --rolled-back <folder name>`), delete the folder, and undo the schema edit of its phase. Roll back newest first.',
    '',
  );
  for (const phase of plan.phases) lines.push(...renderPhase(phase, `${plansDir}/${plan.id}`));
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

function renderPhase(phase: Phase, planPath: string): string[] {
  const folder = phaseFolder(phase);
  const lines = [`## Phase ${phase.number} — ${phase.key.replace(/_/g, ' ')}: ${phase.title}`, '', phase.does, ''];
  if (phase.requires.length > 0) {
    lines.push('**Before deploying it:**', '');
    for (const r of phase.requires) lines.push(`- ${r}`);
    lines.push('');
  }
  lines.push(`**Schema:** ${phase.schema.length > 0 ? phase.schema.map(describeOp).join('; ') : 'no edit (the schema already describes it)'}.`, '');
  if (phase.preflight) lines.push(`**Check first** — ${phase.preflight.description}`, '', ...fence(phase.preflight.sql), '');
  if (phase.backup) lines.push(`**Backup** (\`${folder}/backup.sql\`, run it by hand: it is not a migration) — ${phase.backup.description}`, '', ...fence(phase.backup.sql), '');
  for (const m of phase.migrations) {
    lines.push(`### \`${m.slug}\` — ${m.summary}`, '');
    if (!m.transactional) lines.push('_Runs outside a transaction: this statement is alone in its file._', '');
    lines.push(...fence(m.sql), '', `Down (\`${folder}/${m.slug}/down.sql\`):`, '', ...fence(m.down), '');
  }
  if (phase.backfill) {
    const script = `${folder}/${phase.backfill.scriptName}`;
    lines.push(
      `**Backfill script:** \`${script}\` — the same batches through Prisma Client, for when you would rather not run them inside \`prisma migrate deploy\`: \`npx tsx ${planPath}/${script} --dry-run\` first, then without it. It is idempotent and resumes where it stopped; the migration then finds nothing left to do.`,
      '',
    );
    for (const r of phase.backfill.review) lines.push(`> ${r}`, '');
  }
  lines.push(`**Roll back:** ${phase.rollback}`, '');
  lines.push(`**Before the next phase:** ${phase.beforeNext || 'nothing — this is the last phase.'}`, '');
  return lines;
}

/** A short text summary for the CLI. */
export function summarizePlan(plan: Plan): string {
  const lines = [`${plan.title} (${plan.ruleId}, ${providerName(plan.provider)}): ${plan.phases.length} phase(s)`];
  for (const phase of plan.phases) {
    lines.push(`  ${phase.number}. ${phase.title}`);
    for (const m of phase.migrations) lines.push(`     - ${m.slug}: ${m.summary}`);
    if (phase.beforeNext) lines.push(`     then: ${phase.beforeNext}`);
  }
  for (const note of plan.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
