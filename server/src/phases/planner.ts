/**
 * From one change to its plan. Pure: a context and a change in, a plan (or the
 * reason there is none) out; nothing is read or written here.
 */
import { type Change, summarizeChange } from '../diff/changes';
import { classifyCast } from '../rules/support/typeCasts';
import type { PlanContext } from './context';
import { planAddForeignKey, planAddIndex } from './plans/constraints';
import { planAddRequiredColumn, planChangeColumnType, planMakeColumnRequired, planRenameColumn } from './plans/columns';
import { planChangePrimaryKey } from './plans/keys';
import { isAutoincrementColumnAdded } from './plans/autoincrement';
import { enumListChange, planMysqlEnumChange } from './plans/mysqlEnums';
import { planDropColumn, planDropTable, planRemoveEnumValue } from './plans/removals';
import type { PlanOptions, PlanOutcome } from './types';

/** The rule whose finding a plan answers, per change kind (undefined: no phased plan for this kind). */
export function ruleFor(change: Change, ctx: PlanContext): string | undefined {
  switch (change.kind) {
    case 'addColumn':
      return !change.after.nullable && (!change.after.default || change.after.default.kind === 'autoincrement') && ctx.before.tables[change.tableKey] ? 'add-required-column' : undefined;
    case 'setNotNull':
      return 'make-column-required';
    case 'renameColumn':
      return 'rename-column';
    case 'alterColumnType':
      if (classifyCast(ctx.provider, change.from, change.to) === 'free') return undefined;
      // A MySQL ENUM value removed (or renamed) is remove-enum-value's finding; the rule does not report it twice.
      if (ctx.provider === 'mysql' && change.from.enumValues && change.to.enumValues && enumListChange(change.from.enumValues, change.to.enumValues).removed.length > 0) return 'remove-enum-value';
      return 'change-column-type';
    case 'addIndex':
      if (change.implicitManyToMany || !ctx.before.tables[change.tableKey]) return undefined;
      // The key a new MySQL AUTO_INCREMENT column needs is built with the column, by the column's plan.
      if (ctx.provider === 'mysql' && ctx.unmigrated.some((c) => isAutoincrementColumnAdded(c) && c.tableKey === change.tableKey && change.index.columns[0] === c.column)) return undefined;
      return change.unique ? 'add-unique-constraint' : 'create-index-blocking';
    case 'addForeignKey':
      return !change.implicitManyToMany && ctx.before.tables[change.tableKey] ? 'add-foreign-key' : undefined;
    case 'removeEnumValue':
      return 'remove-enum-value';
    case 'dropColumn':
      return change.implicitManyToMany ? undefined : 'drop-column';
    case 'dropTable':
      return change.implicitManyToMany ? undefined : 'drop-table';
    case 'changePrimaryKey':
      return !change.onlyName && !change.implicitManyToMany && ctx.before.tables[change.tableKey] ? 'change-primary-key' : undefined;
    default:
      return undefined;
  }
}

/** The changes of the context that a phased plan exists for, in the order the diff lists them. */
export function plannableChanges(ctx: PlanContext): Change[] {
  return ctx.unmigrated.filter((change) => ruleFor(change, ctx) !== undefined);
}

export function planForChange(ctx: PlanContext, change: Change, options: PlanOptions = {}): PlanOutcome {
  let planned: ReturnType<typeof planAddIndex>;
  const input = { ctx, options };
  switch (change.kind) {
    case 'addColumn':
      planned = planAddRequiredColumn(input, change);
      break;
    case 'setNotNull':
      planned = planMakeColumnRequired(input, change);
      break;
    case 'renameColumn':
      planned = planRenameColumn(input, change);
      break;
    case 'alterColumnType': {
      // A MySQL enum lives in each column's type: its values change with the column, not with an enum type.
      if (ctx.provider === 'mysql' && change.from.enumValues && change.to.enumValues) {
        planned = planMysqlEnumChange(input, change);
        break;
      }
      planned = classifyCast(ctx.provider, change.from, change.to) === 'free' ? 'This type change is metadata-only: the migration Prisma writes is already safe.' : planChangeColumnType(input, change);
      break;
    }
    case 'addIndex':
      planned = planAddIndex(input, change);
      break;
    case 'addForeignKey':
      planned = planAddForeignKey(input, change);
      break;
    case 'removeEnumValue':
      planned = planRemoveEnumValue(input, change);
      break;
    case 'dropColumn':
      planned = planDropColumn(input, change);
      break;
    case 'dropTable':
      planned = planDropTable(input, change);
      break;
    case 'changePrimaryKey':
      planned = planChangePrimaryKey(input, change);
      break;
    default:
      planned = `No phased plan exists for this kind of change (${change.kind}).`;
  }
  return typeof planned === 'string' ? { ok: false, reason: planned } : { ok: true, plan: planned };
}

/** Deep equality of the CLI's short change forms (what the editor's diagnostics carry). */
export function sameSummary(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return false;
  }
  return true;
}

/** The unmigrated change a finding (or its short form from a diagnostic) is about. */
export function findChange(ctx: PlanContext, wanted: Change | Record<string, unknown>): Change | undefined {
  const summary = 'source' in wanted && 'tableKey' in wanted ? summarizeChange(wanted as Change) : (wanted as Record<string, unknown>);
  return ctx.unmigrated.find((change) => sameSummary(summarizeChange(change), summary));
}
