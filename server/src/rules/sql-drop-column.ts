import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, at, clauseRange, columnDefOf, factsOf, identPattern, quoted, type PrismaWarning } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

// SQLite counterpart (a later task): Prisma's "RedefineTables" creates new_<table>, copies
// the rows with INSERT ... SELECT of the columns it keeps, drops the old table and renames
// the new one, so a dropped column disappears without any DROP COLUMN in the file.
const rule: SqlRule = {
  id: 'sql-drop-column',
  target: 'sql',
  title: 'Column with deployed data dropped',
  defaultSeverity: 'error',
  why: 'DROP COLUMN deletes every value in the column for good, and code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.',
  safePath: 'Stop using the field (@ignore) and deploy first; back the column up and drop it in a later migration, with a suppression that says why it is safe then.',
  providers: ['postgresql'],
  detect(statement, context) {
    const alter = alterTableOf(statement);
    if (!alter) return [];
    const facts = factsOf(context);
    const view = facts.before(statement);
    const reports: RuleReport[] = [];
    for (const command of alter.commands) {
      if (command.subtype !== 'AT_DropColumn' || !command.name) continue;
      // A column created by the pending migrations holds nothing deployed.
      const deployedName = view.deployedColumn(alter.key, command.name);
      if (!deployedName) continue;
      const renamed = deployedName !== command.name ? ` (deployed as "${deployedName}")` : '';
      const column = `${quoted(alter.key)}."${command.name}"${renamed}`;
      const recreated = readdedLater(context.statements, statement, alter.key, command.name);
      const cascade = command.behavior === 'DROP_CASCADE' ? ' CASCADE also drops the views and constraints that use it.' : '';
      const prisma = prismaSaidSo(facts.warnings, view.deployedTable(alter.key) ?? alter.key, alter.key, deployedName, command.name);
      reports.push({
        message: recreated
          ? `Column ${column} is dropped and created again (a type change without a cast): every value it holds is deleted and the new column starts empty, which only a backup undoes; code still running fails until it is replaced.${cascade}${prisma}`
          : `Drops column ${column} with every value in it: quick, but only a backup brings the data back, and code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.${cascade}${prisma}`,
        help: recreated
          ? 'Add a new column, copy the values over with a cast in batches, switch the code to it, and drop the old column in a later release.'
          : 'Stop using the field first (`@ignore` in the schema) and deploy; back the column up, then drop it in a later migration with `-- migration-guard-ignore sql-drop-column -- <why it is safe now>`.',
        ...at(context, clauseRange(statement, new RegExp(`DROP\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?${identPattern(command.name)}`, 'i'))),
      });
    }
    return reports;
  },
};

/** The same column added again later in the file: Prisma's drop-and-recreate for a type change it cannot cast. */
function readdedLater(statements: ParsedStatement[], current: ParsedStatement, table: string, column: string): boolean {
  let after = false;
  for (const statement of statements) {
    const alter = alterTableOf(statement);
    if (alter?.key === table) {
      let seenDrop = statement !== current;
      for (const command of alter.commands) {
        if (statement === current && command.subtype === 'AT_DropColumn' && command.name === column) seenDrop = true;
        if ((after || (statement === current && seenDrop)) && command.subtype === 'AT_AddColumn' && columnDefOf(command.def)?.colname === column) return true;
      }
    }
    if (statement === current) after = true;
  }
  return false;
}

/** A sentence pointing to Prisma's own warning about this column, so those who acknowledged it see it is the same risk. */
function prismaSaidSo(warnings: PrismaWarning[], deployedTable: string, table: string, deployedColumn: string, column: string): string {
  const tables = new Set([deployedTable, table].map((t) => t.slice(t.lastIndexOf('.') + 1)));
  const columns = new Set([deployedColumn, column]);
  const warning = warnings.find((w) => ['drop_column', 'column_recreated', 'required_column_recreated'].includes(w.kind) && tables.has(w.table ?? '') && columns.has(w.column ?? ''));
  return warning ? " Prisma's `Warnings:` note at the top of this file names the same drop: this is that risk, still in the SQL." : '';
}

export default rule;
