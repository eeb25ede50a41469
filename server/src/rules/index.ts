/**
 * The rule registry. Each rule lives in the file named after its id; the
 * meta-test checks that every file here is listed and ids equal file names.
 */
import addForeignKey from './add-foreign-key';
import addRequiredColumn from './add-required-column';
import addUniqueConstraint from './add-unique-constraint';
import changeColumnType from './change-column-type';
import changePrimaryKey from './change-primary-key';
import createIndexBlocking from './create-index-blocking';
import dropColumn from './drop-column';
import dropNotNull from './drop-not-null';
import dropTable from './drop-table';
import implicitM2mChange from './implicit-m2m-change';
import makeColumnRequired from './make-column-required';
import migrationName from './migration-name';
import removeEnumValue from './remove-enum-value';
import renameColumn from './rename-column';
import renameTable from './rename-table';
import rlsMissingOnNewTable from './rls-missing-on-new-table';
import schemaDrift from './schema-drift';
import sqlCheckNotValid from './sql-check-not-valid';
import sqlConcurrentlyInTransaction from './sql-concurrently-in-transaction';
import sqlDropColumn from './sql-drop-column';
import sqlDropDependentObjects from './sql-drop-dependent-objects';
import sqlEnumValueUsedInTransaction from './sql-enum-value-used-in-transaction';
import sqlDropTable from './sql-drop-table';
import sqlForeignKeyNotValid from './sql-foreign-key-not-valid';
import sqlIndexNotConcurrent from './sql-index-not-concurrent';
import sqlMissingLockTimeout from './sql-missing-lock-timeout';
import sqlMysqlAlterNotCombined from './sql-mysql-alter-not-combined';
import sqlMysqlForeignKeyChecks from './sql-mysql-foreign-key-checks';
import sqlMysqlIndexNotOnline from './sql-mysql-index-not-online';
import sqlMysqlTableCopy from './sql-mysql-table-copy';
import sqlRlsLeftDisabled from './sql-rls-left-disabled';
import sqlSetNotNullScan from './sql-set-not-null-scan';
import sqlSqliteTableRedefinition from './sql-sqlite-table-redefinition';
import sqlStoredGeneratedColumn from './sql-stored-generated-column';
import sqlTruncateTable from './sql-truncate-table';
import sqlUnbatchedBackfill from './sql-unbatched-backfill';
import volatileDefault from './volatile-default';
import type { Rule, SchemaRule, SqlRule } from './types';

export const allRules: readonly Rule[] = [
  addForeignKey,
  addRequiredColumn,
  addUniqueConstraint,
  changeColumnType,
  changePrimaryKey,
  createIndexBlocking,
  dropColumn,
  dropNotNull,
  dropTable,
  implicitM2mChange,
  makeColumnRequired,
  migrationName,
  removeEnumValue,
  renameColumn,
  renameTable,
  rlsMissingOnNewTable,
  schemaDrift,
  sqlCheckNotValid,
  sqlConcurrentlyInTransaction,
  sqlDropColumn,
  sqlDropDependentObjects,
  sqlEnumValueUsedInTransaction,
  sqlDropTable,
  sqlForeignKeyNotValid,
  sqlIndexNotConcurrent,
  sqlMissingLockTimeout,
  sqlMysqlAlterNotCombined,
  sqlMysqlForeignKeyChecks,
  sqlMysqlIndexNotOnline,
  sqlMysqlTableCopy,
  sqlRlsLeftDisabled,
  sqlSetNotNullScan,
  sqlSqliteTableRedefinition,
  sqlStoredGeneratedColumn,
  sqlTruncateTable,
  sqlUnbatchedBackfill,
  volatileDefault,
];

export const schemaRules: readonly SchemaRule[] = allRules.filter((r): r is SchemaRule => r.target === 'schema');
export const sqlRules: readonly SqlRule[] = allRules.filter((r): r is SqlRule => r.target === 'sql');

export function ruleById(id: string): Rule | undefined {
  return allRules.find((rule) => rule.id === id);
}
