/**
 * Where each finding comes from on the branch: the schema line nobody has
 * migrated yet, or the pending migration that carries the change. A reviewer
 * reading CI output in a pull request has no editor to jump with, so the CLI
 * names the place in words.
 */
import type { DbState } from '../core/dbState';
import type { SchemaSources } from '../core/source';
import type { Change } from '../diff/changes';
import { diffStates } from '../diff/diff';
import { readMigrationsFolder, replayMigrationsUpTo } from '../replay/migrations';
import type { MigrationInput, Replayer } from '../replay/types';
import type { Finding } from '../rules/types';
import type { ProjectAnalysis } from './types';

export type FindingOrigin =
  /** No migration carries the change yet: it lives only in the edited schema. `line` is 0-based. */
  | { kind: 'schema'; file: string; line: number }
  /** A pending (not deployed) migration carries it. `line` is 0-based, the first line that names the object. */
  | MigrationOrigin;

export interface MigrationOrigin {
  kind: 'migration';
  migration: string;
  file: string;
  line: number;
}

/**
 * Origins of the findings of `analysis`. SQL findings already sit in their
 * migration; a schema finding whose change some pending migration performs is
 * traced to that migration by replaying the pending migrations one at a time
 * and watching when the change stops being outstanding.
 */
export async function findingOrigins(analysis: ProjectAnalysis): Promise<Map<Finding, FindingOrigin>> {
  const origins = new Map<Finding, FindingOrigin>();
  const unmigrated = new Set(analysis.unmigrated.map(changeIdentity));
  const carried: { finding: Finding; change: Change }[] = [];
  for (const finding of analysis.findings) {
    if (finding.statement) {
      origins.set(finding, { kind: 'migration', migration: finding.statement.migration, file: finding.file, line: finding.range.start.line });
    } else if (finding.change) {
      if (unmigrated.has(changeIdentity(finding.change))) {
        origins.set(finding, { kind: 'schema', file: finding.change.source.file, line: finding.change.source.range.start.line });
      } else {
        carried.push({ finding, change: finding.change });
      }
    }
  }
  if (carried.length === 0) return origins;

  const carriers = await pendingCarriers(analysis, carried.map((c) => c.change));
  for (const { finding, change } of carried) {
    const carrier = carriers.get(change);
    if (carrier) origins.set(finding, carrier);
  }
  return origins;
}

/** "introduced in prisma/schema.prisma:23" / "carried by migration 2024…_add_phone (…/migration.sql:3)". */
export function describeOrigin(origin: FindingOrigin, relative: (file: string) => string): string {
  return origin.kind === 'schema'
    ? `introduced in ${relative(origin.file)}:${origin.line + 1} (no migration carries it yet)`
    : `carried by migration ${origin.migration} (${relative(origin.file)}:${origin.line + 1})`;
}

/** For annotations that already sit on the finding's line: only what the place does not say. */
export function originSentence(origin: FindingOrigin, relative: (file: string) => string): string {
  return origin.kind === 'schema'
    ? 'No migration carries this change yet.'
    : `Carried by migration ${origin.migration} (${relative(origin.file)}:${origin.line + 1}).`;
}

async function pendingCarriers(analysis: ProjectAnalysis, changes: Change[]): Promise<Map<Change, FindingOrigin>> {
  const folder = readMigrationsFolder(analysis.project.migrationsDir);
  const deployed = new Set(analysis.migrations.filter((m) => m.deployed).map((m) => m.name));
  const pending = folder.migrations.filter((m) => !deployed.has(m.name));
  if (pending.length === 0) return new Map();
  const replayed = await replayMigrationsUpTo(folder, analysis.provider, deployed);
  const replayer = replayed.baseline.fork();
  try {
    return carriersAmong(replayer, pending, replayed.full.state, changes);
  } finally {
    replayer.dispose();
    for (const checkpoint of replayed.full.cache.checkpoints) {
      try {
        checkpoint.replayer.dispose();
      } catch {
        // Disposing is best effort.
      }
    }
  }
}

/**
 * Which pending migration carries each change out: `replayer` stands at the
 * deployed state and is advanced one pending migration at a time (it is
 * consumed); a change that no longer separates that point of the history from
 * its end (`final`) was done by the migration just applied.
 */
export function carriersAmong(replayer: Replayer, pending: MigrationInput[], final: DbState, changes: Change[]): Map<Change, MigrationOrigin> {
  const result = new Map<Change, MigrationOrigin>();
  let outstanding = changes;
  for (const migration of pending) {
    if (outstanding.length === 0) break;
    replayer.apply(migration);
    const left = new Set(diffStates({ baseline: replayer.state(), expected: final, sources: emptySources(migration.file) }).map(changeIdentity));
    const done = outstanding.filter((change) => !left.has(changeIdentity(change)));
    for (const change of done) {
      result.set(change, { kind: 'migration', migration: migration.name, file: migration.file, line: lineNaming(migration.sql, change) });
    }
    outstanding = outstanding.filter((change) => left.has(changeIdentity(change)));
  }
  return result;
}

function emptySources(file: string): SchemaSources {
  const start = { line: 0, character: 0 };
  return {
    tables: {},
    columns: {},
    indexes: {},
    foreignKeys: {},
    primaryKeys: {},
    enums: {},
    enumValues: {},
    fallback: { file, range: { start, end: start } },
  };
}

/** Kind, table and the object within it: two diffs name the same change alike even when their sources differ. */
export function changeIdentity(change: Change): string {
  let detail = '';
  switch (change.kind) {
    case 'addIndex':
    case 'dropIndex':
      detail = change.index.name;
      break;
    case 'addEnumValue':
    case 'removeEnumValue':
      detail = change.value;
      break;
    case 'addForeignKey':
    case 'dropForeignKey':
      detail = change.foreignKey.name;
      break;
    case 'renameColumn':
      detail = change.from;
      break;
    case 'renameTable':
      detail = change.from;
      break;
    default:
      break;
  }
  const column = 'column' in change ? change.column : '';
  return `${change.kind}|${change.tableKey}|${column}|${detail}`;
}

/**
 * The line of the migration that carries the change: within the statements
 * that name the table, the line with the clause for this kind of change
 * (`ALTER COLUMN "n"`, `ADD COLUMN "x"`, the index name), else the statement's
 * first line. Statements are cut at semicolons: enough to place a line.
 */
function lineNaming(sql: string, change: Change): number {
  const lines = sql.split('\n').map((line) => line.replace(/--.*$/, ''));
  const table = quote(change.table);
  const clause = clausePattern(change);
  let statementStart = 0;
  let fallback: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const ends = lines[i].includes(';') || i === lines.length - 1;
    if (!ends) continue;
    const statement = lines.slice(statementStart, i + 1);
    if (statement.some((line) => line.includes(table))) {
      const hit = clause ? statement.findIndex((line) => clause.test(line)) : -1;
      if (hit >= 0) return statementStart + hit;
      fallback ??= statementStart + Math.max(0, statement.findIndex((line) => line.trim() !== ''));
    }
    statementStart = i + 1;
  }
  return fallback ?? 0;
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function clausePattern(change: Change): RegExp | undefined {
  const ident = (name: string): string => escapeRegExp(quote(name));
  switch (change.kind) {
    case 'addColumn':
      return new RegExp(`ADD\\s+(COLUMN\\s+)?${ident(change.column)}`, 'i');
    case 'dropColumn':
      return new RegExp(`DROP\\s+(COLUMN\\s+)?${ident(change.column)}`, 'i');
    case 'renameColumn':
      return new RegExp(`(RENAME\\s+(COLUMN\\s+)?${ident(change.from)}|DROP\\s+(COLUMN\\s+)?${ident(change.from)}|ADD\\s+(COLUMN\\s+)?${ident(change.column)})`, 'i');
    case 'alterColumnType':
    case 'setNotNull':
    case 'dropNotNull':
    case 'setDefault':
    case 'dropDefault':
      return new RegExp(`ALTER\\s+(COLUMN\\s+)?${ident(change.column)}`, 'i');
    case 'addIndex':
    case 'dropIndex':
      return new RegExp(ident(change.index.name));
    case 'addForeignKey':
    case 'dropForeignKey':
      return new RegExp(ident(change.foreignKey.name));
    case 'addEnumValue':
    case 'removeEnumValue':
      return new RegExp(escapeRegExp(`'${change.value.replace(/'/g, "''")}'`));
    case 'addTable':
      return /CREATE\s+TABLE/i;
    case 'dropTable':
      return /DROP\s+TABLE/i;
    default:
      return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
