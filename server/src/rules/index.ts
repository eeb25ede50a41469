/**
 * The rule registry. Each rule lives in the file named after its id; the
 * meta-test checks that every file here is listed and ids equal file names.
 */
import addRequiredColumn from './add-required-column';
import addUniqueConstraint from './add-unique-constraint';
import changeColumnType from './change-column-type';
import createIndexBlocking from './create-index-blocking';
import dropColumn from './drop-column';
import dropTable from './drop-table';
import makeColumnRequired from './make-column-required';
import removeEnumValue from './remove-enum-value';
import renameColumn from './rename-column';
import schemaDrift from './schema-drift';
import type { Rule, SchemaRule, SqlRule } from './types';

export const allRules: readonly Rule[] = [
  addRequiredColumn,
  addUniqueConstraint,
  changeColumnType,
  createIndexBlocking,
  dropColumn,
  dropTable,
  makeColumnRequired,
  removeEnumValue,
  renameColumn,
  schemaDrift,
];

export const schemaRules: readonly SchemaRule[] = allRules.filter((r): r is SchemaRule => r.target === 'schema');
export const sqlRules: readonly SqlRule[] = allRules.filter((r): r is SqlRule => r.target === 'sql');

export function ruleById(id: string): Rule | undefined {
  return allRules.find((rule) => rule.id === id);
}
