/**
 * Pieces every planner uses: the plan builder, the PostgreSQL NOT NULL
 * contract (check NOT VALID → VALIDATE → SET NOT NULL), backfill phases, and
 * values for rows that need one.
 */
import * as path from 'path';
import { type DbColumn, type DbState, type DbTable, type Provider, formatType } from '../../core/dbState';
import type { Change } from '../../diff/changes';
import type { PlanContext } from '../context';
import { backfillScript, plainBackfillSql, postgresBackfillBlock } from '../backfill';
import { migrationSlug, snake, suffixed, timestamp } from '../naming';
import { FieldRewrite } from '../prismaText';
import { guardBlock, literal, lockTimeout, quote, renderType, tableName } from '../sql';
import type { Backfill, BackfillStep, Phase, Plan, PlanKind, PlannedMigration, PlanOptions, SchemaOp } from '../types';
import type { ScannedField, ScannedModel } from '../../scan/types';

export interface PlannerInput {
  ctx: PlanContext;
  options: PlanOptions;
}

export type Planned = Plan | string;

export const DEFAULT_BATCH = 1000;
export const DEFAULT_LOCK_TIMEOUT = '5s';

export function settings(options: PlanOptions): { batchSize: number; lockTimeout: string; postgresVersion: number } {
  return {
    batchSize: options.batchSize && options.batchSize > 0 ? Math.floor(options.batchSize) : DEFAULT_BATCH,
    lockTimeout: options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT,
    postgresVersion: options.postgresVersion ?? 16,
  };
}

/** Statements separated by a blank line, as Prisma writes them; a comment-only part stays attached to the statement after it. */
function joinParts(parts: string[]): string {
  const merged: string[] = [];
  let pending = '';
  for (const part of parts) {
    if (part === '') continue;
    const commentOnly = part.split('\n').every((line) => line.trim().startsWith('--'));
    if (commentOnly) pending += `${part}\n`;
    else {
      merged.push(pending + part);
      pending = '';
    }
  }
  if (pending) merged.push(pending.replace(/\n$/, ''));
  return merged.join('\n\n') + '\n';
}

export function migration(slug: string, summary: string, sql: string[], down: string[], transactional = true): PlannedMigration {
  return { slug, summary, sql: joinParts(sql), down: joinParts(down), transactional };
}

/**
 * A migration with no statement: it marks in `_prisma_migrations` that a
 * phase which only changes code was deployed, and gives "Advance" something
 * to find in the migrations folder.
 */
export function markerMigration(slug: string, summary: string, why: string): PlannedMigration {
  const text = `-- ${summary}\n-- No database change in this phase: ${why}\n`;
  return { slug, summary, sql: text, down: '-- Nothing to undo: this migration changes nothing in the database.\n', transactional: true };
}

/** Assembles a plan; the planners only fill in phases and notes. */
export class PlanBuilder {
  readonly phases: Phase[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly input: PlannerInput,
    readonly kind: PlanKind,
    readonly ruleId: string,
    readonly change: Change,
    readonly name: string,
    readonly title: string,
    readonly risk: string,
  ) {}

  get provider(): Provider {
    return this.input.ctx.provider;
  }

  get id(): string {
    return `${timestamp(this.input.options.now ?? new Date())}_${this.name}`;
  }

  phase(phase: Omit<Phase, 'number'>): Phase {
    const full: Phase = { number: this.phases.length + 1, ...phase };
    this.phases.push(full);
    return full;
  }

  build(summary: Record<string, unknown>): Plan {
    const slugs = new Set<string>();
    for (const phase of this.phases) {
      for (const m of phase.migrations) {
        // Two migrations of one plan never share a name: Advance finds phases by name.
        if (slugs.has(m.slug)) m.slug = migrationSlug(m.slug, String(phase.number));
        slugs.add(m.slug);
      }
    }
    return {
      format: 'prisma-migration-guard/plan@1',
      id: this.id,
      name: this.name,
      title: this.title,
      kind: this.kind,
      ruleId: this.ruleId,
      provider: this.provider,
      change: summary,
      createdAt: (this.input.options.now ?? new Date()).toISOString(),
      risk: this.risk,
      phases: this.phases,
      notes: [...this.notes, ...this.input.ctx.warnings.map((w) => `The migrations replay with a warning, so check the SQL against your database: ${w}`)],
    };
  }
}

/** Where a phase's files live inside the plan folder (the backfill script imports the client relative to it). */
export function phaseFolder(phase: { number: number; key: string }): string {
  return `phase-${phase.number}-${phase.key.replace(/_/g, '-')}`;
}

export function tableOf(state: DbState, key: string): DbTable | undefined {
  return state.tables[key];
}

export function columnOf(table: DbTable | undefined, name: string): DbColumn | undefined {
  return table?.columns.find((c) => c.name === name);
}

export function modelAndField(ctx: PlanContext, model: string | undefined, field: string | undefined): { model: ScannedModel; field: ScannedField; text: string } | string {
  if (!model || !field) return 'the change has no model field in the edited schema';
  const scanned = ctx.schema.models.find((m) => m.name === model);
  const found = scanned?.fields.find((f) => f.name === field);
  if (!scanned || !found) return `the schema has no field ${model}.${field}`;
  if (found.range.start.line !== found.range.end.line) return `${model}.${field} spans several lines; put it on one line first`;
  return { model: scanned, field: found, text: ctx.texts.get(scanned.file) ?? '' };
}

export function rewrite(found: { field: ScannedField; text: string }): FieldRewrite {
  return new FieldRewrite(found.field, found.text);
}

// ---------------------------------------------------------------------------
// Values

/**
 * What existing rows get when a column needs a value: the user's choice, or a
 * neutral value of the column's type that a reviewer must confirm.
 */
export function fillValue(column: DbColumn, provider: Provider, state: DbState, options: PlanOptions, prismaDefault?: string): { sql: string; review?: string } | string {
  if (options.backfill) return { sql: options.backfill };
  const type = column.type;
  const review = (sql: string, why: string): { sql: string; review: string } => ({ sql, review: `Existing rows get \`${sql}\` (${why}); change it in the backfill migration and script before deploying that phase, or plan again with --backfill '<sql>'.` });
  const fn = prismaDefault?.replace(/\(.*$/, '');
  if (fn === 'uuid' || fn === 'cuid' || fn === 'nanoid' || fn === 'ulid') {
    if (provider === 'postgresql') return review(type.name === 'uuid' ? 'gen_random_uuid()' : 'gen_random_uuid()::text', `a random UUID per row, standing in for \`${prismaDefault}\`, which only Prisma Client can generate`);
    if (provider === 'mysql') return review('UUID()', `a random UUID per row, standing in for \`${prismaDefault}\``);
    return review('lower(hex(randomblob(16)))', `a random hex id per row, standing in for \`${prismaDefault}\``);
  }
  if (fn === 'now' || prismaDefault === '@updatedAt') return review(provider === 'mysql' ? 'CURRENT_TIMESTAMP(3)' : 'CURRENT_TIMESTAMP', 'the time of the backfill');
  if (type.array) return provider === 'postgresql' ? review(`'{}'`, 'an empty list') : `no neutral value for a list column of ${formatType(type)}`;
  if (type.isEnum) {
    const first = state.enums[type.name]?.values[0];
    return first ? review(literal(first), `the first value of enum ${type.name}`) : `enum ${type.name} has no values`;
  }
  if (provider === 'postgresql') {
    const name = type.name;
    if (['text', 'varchar', 'bpchar', 'citext'].includes(name)) return review(`''`, 'an empty string');
    if (['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'money', 'oid'].includes(name)) return review('0', 'zero');
    if (name === 'bool') return review('false', 'false');
    if (['timestamp', 'timestamptz', 'date'].includes(name)) return review('CURRENT_TIMESTAMP', 'the time of the backfill');
    if (name === 'jsonb' || name === 'json') return review(`'{}'`, 'an empty JSON object');
    if (name === 'uuid') return review('gen_random_uuid()', 'a random UUID per row');
    if (name === 'bytea') return review(`'\\x'::bytea`, 'empty bytes');
    return `no neutral value for ${formatType(type)}`;
  }
  const upper = type.name.toUpperCase();
  if (/CHAR|TEXT|CLOB/.test(upper)) return review(`''`, 'an empty string');
  if (/INT|REAL|DOUBLE|FLOAT|DECIMAL|NUMERIC/.test(upper)) return review('0', 'zero');
  if (/BOOL/.test(upper)) return review(provider === 'mysql' ? '0' : 'false', 'false');
  if (/DATE|TIME/.test(upper)) return review(provider === 'mysql' ? 'CURRENT_TIMESTAMP(3)' : 'CURRENT_TIMESTAMP', 'the time of the backfill');
  if (/JSON/.test(upper)) return review(`'{}'`, 'an empty JSON object');
  return `no neutral value for ${formatType(type)}`;
}

// ---------------------------------------------------------------------------
// SQL pieces

export function lt(builder: PlanBuilder): string {
  return lockTimeout(settings(builder.input.options).lockTimeout);
}

/** Name of the temporary CHECK constraint that stands in for NOT NULL until it is validated. */
export function notNullCheckName(table: DbTable, column: string, provider: Provider): string {
  return suffixed(`${table.name}_${column}`, '_not_null', provider);
}

/**
 * PostgreSQL: make a column NOT NULL without a long ACCESS EXCLUSIVE scan.
 * 1. a guard refuses while NULLs remain, then `CHECK (col IS NOT NULL) NOT VALID`
 *    (instant; new writes are checked from here on);
 * 2. VALIDATE in its own migration (scans, but under a lock that lets reads
 *    and writes through);
 * 3. SET NOT NULL, which PostgreSQL 12+ proves from the valid check without a
 *    scan, then the check goes.
 */
export function requireColumnPostgres(
  builder: PlanBuilder,
  table: DbTable,
  column: string,
  what: string,
  options: { guardHint: string; extraSql?: string[]; extraDown?: string[] } ,
): PlannedMigration[] {
  const t = tableName(table, 'postgresql');
  const c = quote(column, 'postgresql');
  const check = quote(notNullCheckName(table, column, 'postgresql'), 'postgresql');
  const guard = guardBlock(
    `SELECT 1 FROM ${t} WHERE ${c} IS NULL`,
    `${table.name}.${column} still has NULL values, so it cannot be made required yet`,
    options.guardHint,
  );
  const addCheck = migration(
    migrationSlug('check', 'not_null', what),
    `Refuse new NULLs in ${table.name}.${column} (CHECK ... NOT VALID: no scan)`,
    [guard, lt(builder), `-- AddCheckConstraint\nALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${c} IS NOT NULL) NOT VALID;`],
    [lt(builder), `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${check};`],
  );
  const validate = migration(
    migrationSlug('validate', 'not_null', what),
    `Validate the check on ${table.name}.${column} (scans without blocking writes)`,
    [
      '-- Alone in its migration: VALIDATE scans the table under SHARE UPDATE EXCLUSIVE, which lets reads and writes',
      '-- through; sharing a transaction with the ADD CONSTRAINT would hold that one\'s ACCESS EXCLUSIVE lock for the scan.',
      lt(builder),
      `-- ValidateConstraint\nALTER TABLE ${t} VALIDATE CONSTRAINT ${check};`,
    ],
    [
      '-- A validated constraint cannot be made NOT VALID again; dropping and re-adding it restores the catalog state.',
      lt(builder),
      `ALTER TABLE ${t} DROP CONSTRAINT ${check};\nALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${c} IS NOT NULL) NOT VALID;`,
    ],
  );
  const version = settings(builder.input.options).postgresVersion;
  const scanNote = version >= 12
    ? '-- PostgreSQL 12+ sees the validated check and skips the full-table scan SET NOT NULL would otherwise do.'
    : `-- PostgreSQL ${version} scans the table for SET NOT NULL even with the check in place (12+ does not).`;
  const require = migration(
    migrationSlug('require', what),
    `Make ${table.name}.${column} NOT NULL and drop the check`,
    [scanNote, lt(builder), `-- AlterTable\nALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`, `ALTER TABLE ${t} DROP CONSTRAINT ${check};`, ...(options.extraSql ?? [])],
    [lt(builder), ...(options.extraDown ?? []), `ALTER TABLE ${t} ALTER COLUMN ${c} DROP NOT NULL;`, `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${c} IS NOT NULL);`],
  );
  return [addCheck, validate, require];
}

/** Key columns and their SQL types, for the batch cursor. */
export function keyOf(table: DbTable, provider: Provider, state: DbState): { key: string[]; keyTypes: string[] } | string {
  const key = table.primaryKey?.columns;
  if (!key || key.length === 0) return `table ${table.name} has no primary key to walk in batches`;
  const keyTypes = key.map((k) => {
    const column = table.columns.find((c) => c.name === k);
    return column ? renderType(column.type, provider, state) : 'text';
  });
  return { key, keyTypes };
}

export function backfillStep(table: DbTable, provider: Provider, state: DbState, set: BackfillStep['set'], pending: string, label: string): BackfillStep | string {
  const key = keyOf(table, provider, state);
  if (typeof key === 'string') return key;
  return { table: table.name, ...(table.schema ? { schema: table.schema } : {}), ...key, set, pending, label };
}

/**
 * A backfill phase: one migration that runs the batches (PostgreSQL: a DO
 * block committing per batch, alone in its file), and the TypeScript script
 * that issues the same statements through Prisma Client.
 */
export function backfillArtifacts(builder: PlanBuilder, phaseNumber: number, phaseKey: string, what: string, title: string, steps: BackfillStep[], review: string[]): { migration: PlannedMigration; backfill: Backfill } {
  const { batchSize } = settings(builder.input.options);
  const provider = builder.provider;
  const slug = migrationSlug('backfill', what);
  const ctx = builder.input.ctx;
  const folder = path.join(ctx.prismaDir, 'migration-plans', builder.id, phaseFolder({ number: phaseNumber, key: phaseKey }));
  const scriptName = `${slug}.ts`;
  const scriptPath = path.relative(ctx.root, path.join(folder, scriptName)).split(path.sep).join('/');
  const sql = provider === 'postgresql' ? postgresBackfillBlock(steps, batchSize) : plainBackfillSql(steps, provider, { scriptPath, batchSize });
  const script = backfillScript({ planId: builder.id, phase: phaseNumber, title, provider, steps, batchSize, clientImport: ctx.clientImport(folder), scriptPath });
  const m: PlannedMigration = {
    slug,
    summary: title,
    sql: sql + '\n',
    down: '-- Nothing to undo in the schema: the backfill only wrote values into rows that needed one.\n-- Those values stay; the code deployed before this phase writes the same kind of value.\n',
    transactional: provider !== 'postgresql',
  };
  return { migration: m, backfill: { steps, batchSize, scriptName, script, review } };
}

/** `User.phone` the way the person knows it. */
export function fieldLabel(change: Change & { column: string }): string {
  return `${change.model ?? change.table}.${change.field ?? change.column}`;
}

export function snakeWhat(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => !!p).map(snake).join('_');
}

export type { SchemaOp };
