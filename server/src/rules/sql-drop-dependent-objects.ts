import { at, factsOf } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';
import type { Dependant } from '../replay/types';

// MySQL has no views over dropped columns to refuse (a view just breaks on use) and SQLite none either; nothing to port.
const rule: SqlRule = {
  id: 'sql-drop-dependent-objects',
  target: 'sql',
  title: 'DROP of an object that views, triggers or foreign keys depend on',
  defaultSeverity: 'error',
  why: 'PostgreSQL refuses to drop a table, column, view or function that a view, materialized view, trigger or foreign key still depends on (and to change the type of a column a view reads), so the migration fails; with CASCADE it drops those dependants too, without a word, and whatever reads them breaks.',
  safePath: 'Drop the dependants explicitly first (DROP VIEW, DROP TRIGGER, DROP CONSTRAINT), make the change, then create again in the same migration the ones that must stay; write CASCADE only where every object it removes is named in the file.',
  providers: ['postgresql'],
  detect(statement, context) {
    const reports: RuleReport[] = [];
    for (const drop of factsOf(context).dropsWithDependants?.(statement) ?? []) {
      const all = list(drop.dependants);
      if (drop.action === 'alterType') {
        reports.push({
          message: `Changes the type of ${drop.target}, which ${all} read${drop.dependants.length > 1 ? '' : 's'}: PostgreSQL refuses it ("cannot alter type of a column used by a view or rule"), the migration fails and \`prisma migrate deploy\` stops there.`,
          help: `Drop ${all} before this statement and create ${drop.dependants.length > 1 ? 'them' : 'it'} again after it, in this migration (their definitions are in the migration that created them).`,
          ...at(context, drop.range),
        });
      } else if (!drop.cascade) {
        reports.push({
          message: `Drops ${drop.target}, which ${all} still depend${drop.dependants.length > 1 ? '' : 's'} on: PostgreSQL refuses it without CASCADE ("other objects depend on it"), the migration fails and \`prisma migrate deploy\` stops there.`,
          help: `Drop ${all} first, in this migration, and create again after this statement the ones that must stay; adding CASCADE instead would drop them without saying so.`,
          ...at(context, drop.range),
        });
      } else if (drop.missing.length > 0) {
        const missing = list(drop.missing);
        const them = drop.missing.length > 1 ? 'them' : 'it';
        reports.push({
          message: `CASCADE on ${drop.target} also drops ${missing}, and nothing later in this migration creates ${them} again: ${consequences(drop.missing)}.`,
          help: `Name what goes: drop ${missing} explicitly before this statement (or create ${them} again after it), so the migration says what it removes; then CASCADE drops nothing unseen.`,
          severity: 'warning',
          ...at(context, drop.range),
        });
      }
    }
    return reports;
  },
};

/** What losing each kind of dependant does, without a word from PostgreSQL. */
function consequences(dependants: Dependant[]): string {
  const has = (...kinds: Dependant['kind'][]): boolean => dependants.some((d) => kinds.includes(d.kind));
  const said: string[] = [];
  if (has('view', 'materializedView')) said.push('queries, reports and code that read the views fail after the deploy');
  if (has('trigger')) said.push('the trigger stops running, and what it kept in step drifts');
  if (has('foreignKey')) said.push('rows are no longer checked against the table the foreign key pointed at');
  const columns = dependants.filter((d) => d.kind === 'column').length;
  if (columns > 0) said.push(columns > 1 ? 'the columns are deleted with their data' : 'the column is deleted with its data');
  return said.join('; ');
}

function list(dependants: Dependant[]): string {
  const labels = dependants.map((d) => d.label);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

export default rule;
