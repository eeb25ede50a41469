/**
 * The checklist a team fills before deploying a schema change, answered from
 * the analysis where it can be, and the "migration request" summary to paste
 * into a pull request (change, tables affected, backfill, rollback plan,
 * testing). Pure: the pending changes and their findings in, text out.
 */
import type { Provider } from '../core/dbState';
import { type Change, summarizeChange } from '../diff/changes';
import { describeChange } from '../diff/describe';
import type { ChecklistItem } from '../lsp/protocol';
import { classifyCast } from '../rules/support/typeCasts';
import type { Finding } from '../rules/types';

/** What one change means for each question. */
interface Facts {
  /** Why the code running now breaks on the new schema. */
  oldCode?: string;
  /** Why the new code breaks on the old schema (so the migration must go first). */
  newCode?: string;
  /** What existing rows need before (or while) the change is applied. */
  backfill?: string;
  /** Data the change drops or cannot give back. */
  dataLoss?: string;
}

function col(change: { table: string; column: string }): string {
  return `\`${change.table}.${change.column}\``;
}

function factsOf(change: Change, provider: Provider, rules: Set<string>): Facts {
  switch (change.kind) {
    case 'addTable':
      return { newCode: `the new code queries table \`${change.table}\`, which the old schema does not have` };
    case 'dropTable':
      return { oldCode: `the running code still reads and writes \`${change.table}\``, dataLoss: `table \`${change.table}\` and its rows` };
    case 'renameTable':
      return {
        oldCode: `the running code still uses table \`${change.from}\``,
        newCode: `the new code uses table \`${change.table}\``,
        backfill: `the rows of \`${change.from}\` must be copied into \`${change.table}\` (Prisma drops one and creates the other empty)`,
        dataLoss: `table \`${change.from}\` and its rows`,
      };
    case 'addColumn': {
      const facts: Facts = { newCode: `the new code selects ${col(change)}, which the old schema does not have` };
      const noDefault = !change.after.nullable && (!change.after.default || change.after.default.kind === 'autoincrement');
      if (noDefault && change.after.default?.kind !== 'autoincrement') {
        facts.oldCode = change.prismaDefault
          ? `the running code inserts into \`${change.table}\` without ${col(change)} (its default \`${change.prismaDefault}\` is filled in by the new Prisma Client only)`
          : `the running code inserts into \`${change.table}\` without ${col(change)}, which is required and has no database default`;
      }
      if (rules.has('add-required-column')) facts.backfill = `existing rows of \`${change.table}\` need a value for ${col(change)}`;
      return facts;
    }
    case 'dropColumn':
      return { oldCode: `the running code still selects ${col(change)} (Prisma Client selects every field it knows)`, dataLoss: `column ${col(change)}` };
    case 'renameColumn':
      return {
        oldCode: `the running code still uses ${col({ table: change.table, column: change.from })}`,
        newCode: `the new code uses ${col(change)}`,
        backfill: `the values of ${col({ table: change.table, column: change.from })} must be copied into ${col(change)} (Prisma drops one and adds the other empty)`,
        dataLoss: `column ${col({ table: change.table, column: change.from })}`,
      };
    case 'alterColumnType': {
      const cost = classifyCast(provider, change.from, change.to);
      if (cost === 'dropsData') {
        return {
          oldCode: `the running code reads and writes ${col(change)} with its old type`,
          newCode: `the new code reads and writes ${col(change)} with its new type`,
          backfill: `the values of ${col(change)} must be converted (Prisma cannot cast them: it drops and re-adds the column)`,
          dataLoss: `the values of ${col(change)}`,
        };
      }
      if (cost === 'mayFail') {
        return {
          oldCode: `the running code may write values into ${col(change)} that the new type rejects`,
          backfill: `values of ${col(change)} that do not fit the new type must be fixed first`,
        };
      }
      return {};
    }
    case 'setNotNull':
      return { oldCode: `the running code may still write NULL into ${col(change)}`, backfill: `rows where ${col(change)} is NULL need a value` };
    case 'dropNotNull':
      return { newCode: `the new code may write NULL into ${col(change)}, which the old schema rejects` };
    case 'addIndex':
      if (!change.unique) return {};
      return {
        oldCode: `the running code may insert duplicates into \`${change.table}\` (${change.index.columns.join(', ')}): those writes fail once the unique index exists`,
        backfill: `duplicate rows of \`${change.table}\` (${change.index.columns.join(', ')}) must be resolved first`,
      };
    case 'addForeignKey':
      return {
        oldCode: `the running code may write \`${change.table}\` rows whose \`${change.foreignKey.referencedTable}\` does not exist`,
        backfill: `rows of \`${change.table}\` without a matching \`${change.foreignKey.referencedTable}\` must be fixed first`,
      };
    case 'changePrimaryKey':
      return change.onlyName ? {} : { oldCode: `the running code identifies \`${change.table}\` rows by the old primary key` };
    case 'addEnumValue':
      return {
        newCode: `the new code may write \`${change.table}.${change.value}\`, which the old schema rejects`,
        oldCode: `the running code's Prisma Client fails to read rows that hold \`${change.table}.${change.value}\``,
      };
    case 'removeEnumValue':
      return {
        oldCode: `the running code may still write \`${change.table}.${change.value}\``,
        backfill: `rows holding \`${change.table}.${change.value}\` must move to another value`,
      };
    default:
      return {};
  }
}

function changeKey(change: Change): string {
  return JSON.stringify(summarizeChange(change));
}

/** The rules that reported a change (a finding may hold its own copy of the change object). */
function rulesOf(change: Change, findings: Finding[]): string[] {
  const key = changeKey(change);
  return [...new Set(findings.filter((f) => f.change && (f.change === change || changeKey(f.change) === key)).map((f) => f.ruleId))];
}

function list(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique.join('');
  if (unique.length === 2) return `${unique[0]} and ${unique[1]}`;
  return `${unique.slice(0, -1).join('; ')}; and ${unique[unique.length - 1]}`;
}

export interface ChecklistInput {
  provider: Provider;
  /** Every change not deployed yet (in pending migrations or not in any migration). */
  changes: Change[];
  findings: Finding[];
  /** Ids of the phased plans in progress (each phase has a down.sql). */
  plans: string[];
}

interface Gathered {
  oldCode: string[];
  newCode: string[];
  backfill: string[];
  dataLoss: string[];
}

function gather(input: ChecklistInput): Gathered {
  const out: Gathered = { oldCode: [], newCode: [], backfill: [], dataLoss: [] };
  for (const change of input.changes) {
    const facts = factsOf(change, input.provider, new Set(rulesOf(change, input.findings)));
    if (facts.oldCode) out.oldCode.push(facts.oldCode);
    if (facts.newCode) out.newCode.push(facts.newCode);
    if (facts.backfill) out.backfill.push(facts.backfill);
    if (facts.dataLoss) out.dataLoss.push(facts.dataLoss);
  }
  return out;
}

export function checklistFor(input: ChecklistInput): ChecklistItem[] {
  const facts = gather(input);
  const none = input.changes.length === 0;
  const plans = input.plans.length > 0 ? ` The phased plan${input.plans.length === 1 ? '' : 's'} ${input.plans.map((p) => `\`${p}\``).join(', ')} ha${input.plans.length === 1 ? 's' : 've'} a down.sql per phase.` : '';
  return [
    {
      id: 'backwardCompatible',
      question: 'Is the new schema backward compatible with the code running now?',
      verdict: facts.oldCode.length > 0 ? 'attention' : 'ok',
      answer:
        facts.oldCode.length > 0
          ? `No: ${list(facts.oldCode)}. Split it into phases: expand first, deploy the code that stops depending on the old shape, then contract.`
          : none
            ? 'Yes: nothing is pending.'
            : 'Yes: for the running code every pending change is additive.',
    },
    {
      id: 'newCodeOldSchema',
      question: 'Can the new code run against the old schema (while the migration runs, or after rolling it back)?',
      verdict: facts.newCode.length > 0 ? 'attention' : 'ok',
      answer:
        facts.newCode.length > 0
          ? `No: ${list(facts.newCode)}. Deploy the migration (prisma migrate deploy) before the code, and roll the code back before the schema.`
          : 'Yes: the new code does not depend on the new schema; code and migration can go in either order.',
    },
    {
      id: 'backfill',
      question: 'Is a backfill needed?',
      verdict: facts.backfill.length > 0 ? 'attention' : 'ok',
      answer:
        facts.backfill.length > 0
          ? `Yes: ${list(facts.backfill)}. Run it in batches (a phased migration writes a resumable backfill script), not in one UPDATE under the migration's lock.`
          : 'No: existing rows need nothing.',
    },
    {
      id: 'rollback',
      question: 'Is there a rollback plan?',
      verdict: facts.dataLoss.length > 0 ? 'attention' : 'ok',
      answer:
        facts.dataLoss.length > 0
          ? `Only with the backup: a down migration brings back the structure, not the data of ${list(facts.dataLoss)}.${plans}`
          : none
            ? `Nothing to roll back.${plans}`
            : `Yes: every pending change can be reversed by a down migration without losing data (drop or relax what was added).${plans}`,
    },
    {
      id: 'backup',
      question: 'Is a backup needed before deploying?',
      verdict: facts.dataLoss.length > 0 ? 'attention' : 'ok',
      answer:
        facts.dataLoss.length > 0
          ? `Yes: ${list(facts.dataLoss)} ${facts.dataLoss.length === 1 ? 'is' : 'are'} dropped or rewritten. Back ${facts.dataLoss.length === 1 ? 'it' : 'them'} up right before the deploy and check the backup restores.`
          : 'No data is dropped: the routine backup is enough.',
    },
  ];
}

export interface SummaryInput extends ChecklistInput {
  name: string;
  counts: { error: number; warning: number; info: number };
  checklist: ChecklistItem[];
  /** Pending migration folders (written, not deployed). */
  pendingMigrations: string[];
}

/** The "migration request" summary: Markdown to paste into a pull request. */
export function migrationRequest(input: SummaryInput): string {
  const byId = new Map(input.checklist.map((item) => [item.id, item]));
  const answer = (id: ChecklistItem['id']): string => byId.get(id)?.answer ?? '';
  const tables = [...new Set(input.changes.filter((c) => !['addEnum', 'dropEnum', 'addEnumValue', 'removeEnumValue'].includes(c.kind)).map((c) => c.table))].sort();
  const enums = [...new Set(input.changes.filter((c) => ['addEnum', 'dropEnum', 'addEnumValue', 'removeEnumValue'].includes(c.kind)).map((c) => c.table))].sort();
  const lines = [`## Migration request: ${input.name}`, ''];
  lines.push('**Change**', '');
  if (input.changes.length === 0) lines.push('- none pending');
  for (const change of input.changes) {
    const rules = rulesOf(change, input.findings);
    lines.push(`- ${describeChange(change)}${rules.length > 0 ? ` (${rules.map((r) => `\`${r}\``).join(', ')})` : ''}`);
  }
  if (input.pendingMigrations.length > 0) lines.push('', `Migrations: ${input.pendingMigrations.map((m) => `\`${m}\``).join(', ')}`);
  lines.push('', `**Tables affected:** ${tables.length > 0 ? tables.map((t) => `\`${t}\``).join(', ') : 'none'}${enums.length > 0 ? `; enums ${enums.map((e) => `\`${e}\``).join(', ')}` : ''}`);
  const { error, warning, info } = input.counts;
  lines.push('', `**Risk (Prisma Migration Guard):** ${error} error(s), ${warning} warning(s), ${info} info`);
  const order = byId.get('newCodeOldSchema')?.verdict === 'attention' ? (byId.get('backwardCompatible')?.verdict === 'attention' ? 'in phases (expand, deploy code, contract)' : 'migration first, then the code') : byId.get('backwardCompatible')?.verdict === 'attention' ? 'code first (stop using what goes away), then the migration' : 'either order';
  lines.push('', `**Deploy order:** ${order}`);
  lines.push('', `**Backfill:** ${answer('backfill')}`);
  lines.push('', `**Rollback plan:** ${answer('rollback')}`);
  lines.push('', `**Backup:** ${answer('backup')}`);
  lines.push('', '**Testing**', '');
  lines.push('- [ ] `prisma migrate deploy` run against a copy of production data (or staging), timing noted');
  lines.push("- [ ] the application's tests pass against the migrated schema");
  if (byId.get('newCodeOldSchema')?.verdict === 'attention' || byId.get('backwardCompatible')?.verdict === 'attention') {
    lines.push('- [ ] the code that runs during the deploy was tested against both schemas');
  }
  if (byId.get('backfill')?.verdict === 'attention') lines.push('- [ ] the backfill ran with `--dry-run` on staging, then to completion');
  if (input.pendingMigrations.length > 0 && input.provider === 'postgresql') lines.push('- [ ] lock trace reviewed (`npx prisma-migration-guard check --lock-trace`)');
  if (byId.get('backup')?.verdict === 'attention') lines.push('- [ ] backup taken and its restore checked');
  lines.push('- [ ] `npx prisma-migration-guard check` passes, or each finding above is accepted with its reason');
  return lines.join('\n') + '\n';
}
