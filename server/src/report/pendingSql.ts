/**
 * The SQL `prisma migrate dev` will write for a project's changes that no
 * migration carries yet: replays every migration on disk (the database Prisma
 * diffs from), maps the schema as the editor holds it, renders the changes.
 * On demand (the report), never per keystroke.
 */
import type { PreexistingDrift } from '../analysis/preexisting';
import type { Provider } from '../core/dbState';
import { type Change, summarizeChange } from '../diff/changes';
import { loadPlanContext } from '../phases/context';
import type { PrismaProject } from '../project/locate';
import { type ChangeSql, prismaMigrationSql } from './prismaSql';

export interface PendingSql {
  /** The whole migration; empty when every change is already in a migration. */
  sql: string;
  /** Keyed by the change's short JSON form (`summarizeChange`), which the analysis' changes share. */
  byKey: Map<string, ChangeSql>;
}

export function changeKey(change: Change): string {
  return JSON.stringify(summarizeChange(change));
}

export async function pendingSql(project: PrismaProject, texts?: ReadonlyMap<string, string>): Promise<PendingSql> {
  const ctx = await loadPlanContext(project, texts);
  const rendered = prismaMigrationSql(ctx.unmigrated, { provider: ctx.provider, before: ctx.before, after: ctx.target });
  const byKey = new Map<string, ChangeSql>();
  for (const [change, sql] of rendered.byChange) byKey.set(changeKey(change), sql);
  return { sql: rendered.sql, byKey };
}

/** The SQL Prisma would generate for the pre-existing drift: from the deployed state to the schema as committed. */
export function preexistingSql(drift: PreexistingDrift, provider: Provider): Map<Change, ChangeSql> {
  const changes = drift.changes.map((c) => c.change);
  return prismaMigrationSql(changes, { provider, before: drift.before, after: drift.after }).byChange;
}
