import { formatType } from '../core/dbState';
import type { Change } from './changes';

/** A short human phrase for a change, used in drift messages and reports. */
export function describeChange(change: Change): string {
  const t = `\`${change.table}\``;
  switch (change.kind) {
    case 'addTable':
      return `new table ${t}`;
    case 'dropTable':
      return `table ${t} removed`;
    case 'renameTable':
      return `table \`${change.from}\` renamed to ${t}`;
    case 'addColumn':
      return `new column \`${change.table}.${change.column}\``;
    case 'dropColumn':
      return `column \`${change.table}.${change.column}\` removed`;
    case 'renameColumn':
      return `column \`${change.table}.${change.from}\` renamed to \`${change.column}\``;
    case 'alterColumnType':
      return `column \`${change.table}.${change.column}\` type changed from ${formatType(change.from)} to ${formatType(change.to)}`;
    case 'setNotNull':
      return `column \`${change.table}.${change.column}\` made required`;
    case 'dropNotNull':
      return `column \`${change.table}.${change.column}\` made optional`;
    case 'setDefault':
      return `default of \`${change.table}.${change.column}\` changed`;
    case 'dropDefault':
      return `default of \`${change.table}.${change.column}\` removed`;
    case 'addIndex':
      return `${change.unique ? 'unique constraint' : 'index'} \`${change.index.name}\` added on ${t}`;
    case 'dropIndex':
      return `${change.unique ? 'unique constraint' : 'index'} \`${change.index.name}\` removed from ${t}`;
    case 'renameIndex':
      return `index \`${change.from}\` renamed to \`${change.to}\``;
    case 'addForeignKey':
      return `foreign key \`${change.foreignKey.name}\` added on ${t}`;
    case 'dropForeignKey':
      return `foreign key \`${change.foreignKey.name}\` removed from ${t}`;
    case 'renameForeignKey':
      return `foreign key \`${change.from}\` renamed to \`${change.to}\``;
    case 'changePrimaryKey':
      return change.onlyName ? `primary key of ${t} renamed` : `primary key of ${t} changed`;
    case 'addEnum':
      return `new enum \`${change.table}\``;
    case 'dropEnum':
      return `enum \`${change.table}\` removed`;
    case 'addEnumValue':
      return `value \`${change.value}\` added to enum \`${change.table}\``;
    case 'removeEnumValue':
      return `value \`${change.value}\` removed from enum \`${change.table}\``;
    case 'addView':
      return `new view ${t}`;
    case 'dropView':
      return `${change.materialized ? 'materialized view' : 'view'} ${t} not declared`;
  }
}
