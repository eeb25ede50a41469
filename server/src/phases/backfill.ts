/**
 * Backfills: the SQL that updates rows in batches along the primary key, and
 * the TypeScript data-migration script that issues exactly that SQL through
 * the project's Prisma Client. Both only touch rows the step's `pending`
 * condition still selects, which is what makes them idempotent: a rerun, or
 * the script followed by the migration's own loop, changes nothing twice.
 */
import type { Provider } from '../core/dbState';
import { literal, quote } from './sql';
import type { BackfillStep } from './types';

function table(step: BackfillStep, provider: Provider): string {
  return step.schema && step.schema !== 'public' ? `${quote(step.schema, provider)}.${quote(step.table, provider)}` : quote(step.table, provider);
}

function keyList(step: BackfillStep, provider: Provider, prefix = ''): string {
  return step.key.map((k) => prefix + quote(k, provider)).join(', ');
}

/** `("a", "b")` for a compound key, `"a"` for one column: row comparison works on both. */
function keyTuple(step: BackfillStep, provider: Provider): string {
  const list = keyList(step, provider);
  return step.key.length > 1 ? `(${list})` : list;
}

function assignments(step: BackfillStep, provider: Provider): string {
  return step.set.map((s) => `${quote(s.column, provider)} = ${s.expression}`).join(', ');
}

/** The queries one batch needs, with the provider's placeholders. */
export interface BatchQueries {
  /** Keys of the first batch; parameters: [limit]. */
  selectFirst: string;
  /** Keys of a later batch; parameters: [...cursor, limit]. */
  selectNext: string;
  /** Updates the first batch; parameters: [...last key]. */
  updateFirst: string;
  /** Updates a later batch; parameters: [...cursor, ...last key]. */
  updateNext: string;
  /** How many rows still need the backfill; no parameters. */
  remaining: string;
}

export function batchQueries(step: BackfillStep, provider: Provider): BatchQueries {
  const keyTypes = step.keyTypes;
  let n = 0;
  const placeholder = (i: number): string => {
    if (provider !== 'postgresql') return '?';
    n++;
    // Typed so that a key passed back as text (from the progress file) compares as the key's type.
    return `$${n}::${keyTypes[i] ?? 'text'}`;
  };
  const tuple = (): string => {
    const items = step.key.map((_, i) => placeholder(i));
    return step.key.length > 1 ? `(${items.join(', ')})` : items[0];
  };
  const limit = (): string => {
    if (provider !== 'postgresql') return '?';
    n++;
    return `$${n}::integer`;
  };
  const t = table(step, provider);
  const keys = keyList(step, provider);
  const order = step.key.map((k) => quote(k, provider)).join(', ');
  const pending = `(${step.pending})`;

  n = 0;
  const selectFirst = `SELECT ${keys} FROM ${t} WHERE ${pending} ORDER BY ${order} LIMIT ${limit()}`;
  n = 0;
  const afterCursor = `${keyTuple(step, provider)} > ${tuple()}`;
  const selectNext = `SELECT ${keys} FROM ${t} WHERE ${pending} AND ${afterCursor} ORDER BY ${order} LIMIT ${limit()}`;
  n = 0;
  const updateFirst = `UPDATE ${t} SET ${assignments(step, provider)} WHERE ${pending} AND ${keyTuple(step, provider)} <= ${tuple()}`;
  n = 0;
  const lower = `${keyTuple(step, provider)} > ${tuple()}`;
  const updateNext = `UPDATE ${t} SET ${assignments(step, provider)} WHERE ${pending} AND ${lower} AND ${keyTuple(step, provider)} <= ${tuple()}`;
  const remaining = `SELECT count(*) AS remaining FROM ${t} WHERE ${pending}`;
  return { selectFirst, selectNext, updateFirst, updateNext, remaining };
}

/**
 * The PostgreSQL backfill as one DO block that commits after every batch, so
 * no transaction holds row locks for long and a stop loses at most one batch.
 * It must be the only statement of its migration file: COMMIT inside DO is
 * refused within a transaction block, which a multi-statement script is.
 */
export function postgresBackfillBlock(steps: BackfillStep[], batchSize: number): string {
  const declare: string[] = [`  batch_size CONSTANT integer := ${batchSize};`, '  changed bigint;', '  total bigint;', '  started boolean;'];
  const body: string[] = [];
  steps.forEach((step, s) => {
    const t = table(step, 'postgresql');
    const cursors = step.key.map((_, k) => `cursor_${s + 1}_${k + 1}`);
    const lasts = step.key.map((_, k) => `last_${s + 1}_${k + 1}`);
    step.key.forEach((key, k) => {
      const type = step.keyTypes[k];
      const declared = type ?? `${t}.${quote(key, 'postgresql')}%TYPE`;
      declare.push(`  ${cursors[k]} ${declared};`, `  ${lasts[k]} ${declared};`);
    });
    const keys = keyList(step, 'postgresql');
    const tuple = keyTuple(step, 'postgresql');
    const wrap = (names: string[]): string => (names.length > 1 ? `(${names.join(', ')})` : names[0]);
    const desc = step.key.map((k) => `${quote(k, 'postgresql')} DESC`).join(', ');
    const order = step.key.map((k) => quote(k, 'postgresql')).join(', ');
    const pending = `(${step.pending})`;
    const select = (afterCursor: boolean): string[] => [
      `      SELECT ${keys} INTO ${lasts.join(', ')} FROM (`,
      `        SELECT ${keys} FROM ${t}`,
      `        WHERE ${pending}${afterCursor ? ` AND ${tuple} > ${wrap(cursors)}` : ''}`,
      `        ORDER BY ${order} LIMIT batch_size`,
      `      ) AS batch ORDER BY ${desc} LIMIT 1;`,
    ];
    const update = (afterCursor: boolean): string[] => [
      `      UPDATE ${t} SET ${assignments(step, 'postgresql')}`,
      `      WHERE ${pending}${afterCursor ? ` AND ${tuple} > ${wrap(cursors)}` : ''} AND ${tuple} <= ${wrap(lasts)};`,
    ];
    body.push(
      `  -- ${step.label}`,
      '  total := 0;',
      '  started := false;',
      '  LOOP',
      '    IF started THEN',
      ...select(true),
      '    ELSE',
      ...select(false),
      '    END IF;',
      '    EXIT WHEN NOT FOUND;',
      '    IF started THEN',
      ...update(true),
      '    ELSE',
      ...update(false),
      '    END IF;',
      '    GET DIAGNOSTICS changed = ROW_COUNT;',
      '    total := total + changed;',
      ...lasts.map((last, k) => `    ${cursors[k]} := ${last};`),
      '    started := true;',
      `    RAISE NOTICE '%: % rows so far, up to key %', ${literal(step.label.replace(/%/g, '%%'))}, total, ${step.key.length > 1 ? `concat_ws(', ', ${cursors.join(', ')})` : cursors[0]};`,
      '    COMMIT;',
      '  END LOOP;',
      `  RAISE NOTICE '%: done, % rows updated', ${literal(step.label.replace(/%/g, '%%'))}, total;`,
    );
  });
  return [
    `-- Backfill in batches of ${batchSize} rows along the primary key, one transaction per batch.`,
    '-- Idempotent and resumable: it only touches rows that still need it, so a rerun continues where it stopped',
    '-- (and finds nothing to do when the TypeScript script beside the plan already ran).',
    '-- Alone in this file on purpose: COMMIT inside a DO block only works outside a transaction block.',
    'DO $backfill$',
    'DECLARE',
    ...declare,
    'BEGIN',
    ...body,
    'END',
    '$backfill$;',
  ].join('\n');
}

/** SQLite and MySQL: one UPDATE per step (SQLite writes one transaction at a time anyway; MySQL users run the script on large tables). */
export function plainBackfillSql(steps: BackfillStep[], provider: Provider, batched: { scriptPath: string; batchSize: number }): string {
  const lines = [
    '-- Backfill: idempotent, it only touches rows that still need it.',
    provider === 'mysql'
      ? '-- On a large table run the batched script beside the plan first: this statement then finds nothing left to do.'
      : '-- SQLite runs one writer at a time; on a large database run the batched script beside the plan first.',
  ];
  // A plain MySQL or SQLite migration file has no loop to commit per batch (PostgreSQL's DO block has one): the batches
  // are the script's, and this statement is the idempotent rest, so our own rule is told why it is one statement.
  const reason = `the batched script ${batched.scriptPath} (${batched.batchSize} rows per commit) runs before this migration; this statement only finishes the rows it left`;
  for (const step of steps) {
    lines.push(`-- ${step.label}`);
    if (!step.selectsByValue) lines.push(`-- migration-guard-ignore sql-unbatched-backfill -- ${reason}`);
    lines.push(`UPDATE ${table(step, provider)} SET ${assignments(step, provider)} WHERE ${step.pending};`);
  }
  return lines.join('\n');
}

export interface ScriptInput {
  planId: string;
  phase: number;
  title: string;
  provider: Provider;
  steps: BackfillStep[];
  batchSize: number;
  /** Module specifier the script imports PrismaClient from. */
  clientImport: string;
  /** Path of the script relative to the project root, for the usage line. */
  scriptPath: string;
}

/**
 * The data-migration script. Written for people to read and adjust: the SQL it
 * runs is spelled out at the top, the loop is plain, and nothing is imported
 * besides the project's own Prisma Client and Node's fs/path.
 */
export function backfillScript(input: ScriptInput): string {
  const steps = input.steps.map((step) => {
    const q = batchQueries(step, input.provider);
    return [
      '  {',
      `    label: ${JSON.stringify(step.label)},`,
      `    keyColumns: ${JSON.stringify(step.key)},`,
      `    selectFirst: ${JSON.stringify(q.selectFirst)},`,
      `    selectNext: ${JSON.stringify(q.selectNext)},`,
      `    updateFirst: ${JSON.stringify(q.updateFirst)},`,
      `    updateNext: ${JSON.stringify(q.updateNext)},`,
      `    remaining: ${JSON.stringify(q.remaining)},`,
      '  },',
    ].join('\n');
  });
  return `/**
 * Backfill for phase ${input.phase} of the migration plan ${input.planId}: ${input.title}.
 * Written by Prisma Migration Guard; review the values it writes before running it.
 *
 *   npx tsx ${input.scriptPath} --dry-run       # count the rows each batch would change, change nothing
 *   npx tsx ${input.scriptPath}                 # run (BATCH_SIZE=${input.batchSize} rows per transaction)
 *   npx tsx ${input.scriptPath} --restart       # ignore the saved cursor and walk the table from the start
 *
 * Batches follow the primary key, so each batch is one short transaction that
 * locks only its own rows. Idempotent: only rows that still need the backfill
 * are updated, so running it again (or the migration's own loop after it)
 * changes nothing twice. Resumable: the cursor is saved after every batch in
 * "<this file>.progress.json"; a rerun continues after it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PrismaClient } from ${JSON.stringify(input.clientImport)};

interface Step {
  label: string;
  keyColumns: string[];
  selectFirst: string;
  selectNext: string;
  updateFirst: string;
  updateNext: string;
  remaining: string;
}

const STEPS: Step[] = [
${steps.join('\n')}
];

type Key = unknown[];

interface Progress {
  [label: string]: { cursor: Key | null; done: boolean; updated: number };
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

// Keys go to the progress file as JSON; BigInt and Date do not survive JSON as themselves.
function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return value;
}

function readProgress(file: string): Progress {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Progress;
  } catch {
    return {};
  }
}

function writeProgress(file: string, progress: Progress): void {
  fs.writeFileSync(file, JSON.stringify(progress, (_key, value: unknown) => toJson(value), 2));
}

async function run(prisma: PrismaClient): Promise<void> {
  const dryRun = process.argv.includes('--dry-run');
  const batchSize = Number(option('--batch-size') ?? process.env.BATCH_SIZE ?? ${input.batchSize});
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch-size must be a positive integer');
  const progressFile = path.resolve(process.argv[1] ?? ${JSON.stringify(input.scriptPath)}) + '.progress.json';
  const progress: Progress = process.argv.includes('--restart') || dryRun ? {} : readProgress(progressFile);

  for (const step of STEPS) {
    const state = progress[step.label] ?? { cursor: null, done: false, updated: 0 };
    if (state.done) {
      console.log(\`\${step.label}: already done (\${state.updated} rows); --restart to run it again\`);
      continue;
    }
    const [{ remaining }] = await prisma.$queryRawUnsafe<{ remaining: bigint | number }[]>(step.remaining);
    console.log(\`\${step.label}: \${remaining} rows to update\${dryRun ? ' (dry run: nothing is written)' : ''}\`);
    let cursor = state.cursor;
    let batches = 0;
    for (;;) {
      const rows = cursor === null
        ? await prisma.$queryRawUnsafe<Record<string, unknown>[]>(step.selectFirst, batchSize)
        : await prisma.$queryRawUnsafe<Record<string, unknown>[]>(step.selectNext, ...cursor, batchSize);
      if (rows.length === 0) break;
      const last = step.keyColumns.map((column) => rows[rows.length - 1][column]);
      const changed = dryRun
        ? rows.length
        : cursor === null
          ? await prisma.$executeRawUnsafe(step.updateFirst, ...last)
          : await prisma.$executeRawUnsafe(step.updateNext, ...cursor, ...last);
      cursor = last.map(toJson);
      batches++;
      state.updated += changed;
      state.cursor = cursor;
      if (!dryRun) {
        progress[step.label] = state;
        writeProgress(progressFile, progress);
      }
      console.log(\`\${step.label}: batch \${batches}, \${changed} rows \${dryRun ? 'would change' : 'updated'} (\${state.updated} in all), up to key \${cursor.join(', ')}\`);
    }
    state.done = !dryRun;
    if (!dryRun) {
      progress[step.label] = state;
      writeProgress(progressFile, progress);
    }
    console.log(\`\${step.label}: \${dryRun ? 'dry run finished' : 'done'}, \${state.updated} rows \${dryRun ? 'would change' : 'updated'}\`);
  }
}

async function main(): Promise<void> {
  const prisma = new PrismaClient();
  try {
    await run(prisma);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}
