import type { ParsedStatement } from '../replay/statements';
import { dialectOf, redefinitionOf, spanRange, sqlName } from './support/dialectSql';
import { alterTableOf, at, clauseRange, columnCopyBefore, columnDefOf, factsOf, headRange, identPattern, quoted, type PrismaWarning } from './support/sqlAst';
import type { RuleReport, SqlRule, SqlRuleContext } from './types';

const rule: SqlRule = {
  id: 'sql-drop-column',
  target: 'sql',
  title: 'Column with deployed data dropped',
  defaultSeverity: 'error',
  why: 'DROP COLUMN deletes every value in the column for good, and code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.',
  safePath: 'Stop using the field (@ignore) and deploy first; back the column up and drop it in a later migration, with a suppression that says why it is safe then.',
  providers: ['postgresql', 'mysql', 'sqlite'],
  detect(statement, context) {
    if (statement.dialect) return detectDialect(statement, context);
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
      const copy = recreated ? undefined : columnCopyBefore(context.statements, statement, alter.key, command.name);
      const copiedInto = copy ? (copy.table === alter.key && copy.column ? `${quoted(alter.key)}."${copy.column}"` : `table ${quoted(copy.table)}`) : '';
      const cascade = command.behavior === 'DROP_CASCADE' ? ' CASCADE also drops the views and constraints that use it.' : '';
      const prisma = prismaSaidSo(facts.warnings, view.deployedTable(alter.key) ?? alter.key, alter.key, deployedName, command.name);
      reports.push({
        message: recreated
          ? `Column ${column} is dropped and created again (a type change without a cast): every value it holds is deleted and the new column starts empty, which only a backup undoes; code still running fails until it is replaced.${cascade}${prisma}`
          : copy
            ? `Drops column ${column} after line ${copy.statement.range.start.line + 1} copied its values into ${copiedInto}, so the values are kept, but code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.${cascade}${prisma}`
            : `Drops column ${column} with every value in it: quick, but only a backup brings the data back, and code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.${cascade}${prisma}`,
        help: recreated
          ? 'Add a new column, copy the values over with a cast in batches, switch the code to it, and drop the old column in a later release.'
          : copy
            ? COPIED_FIRST
            : STOP_FIRST,
        ...(copy ? { severity: 'warning' as const } : {}),
        ...at(context, clauseRange(statement, new RegExp(`DROP\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?${identPattern(command.name)}`, 'i'))),
      });
    }
    return reports;
  },
};

const STOP_FIRST = 'Stop using the field first (`@ignore` in the schema) and deploy; back the column up, then drop it in a later migration with `-- migration-guard-ignore sql-drop-column -- <why it is safe now>`.';
const COPIED_FIRST = 'Keep both columns for one release: deploy the copy and code that reads the new place first, then drop the old column in a later migration with `-- migration-guard-ignore sql-drop-column -- <why it is safe now>`.';

/**
 * MySQL and SQLite: `ALTER TABLE ... DROP [COLUMN]`, and on SQLite the
 * redefinition whose INSERT ... SELECT leaves a deployed column behind (the
 * column is gone once the old table is dropped, with no DROP COLUMN written).
 */
function detectDialect(statement: ParsedStatement, context: SqlRuleContext): RuleReport[] {
  const facts = factsOf(context);
  const view = facts.before(statement);
  const name = (...parts: string[]): string => sqlName(context.provider, ...parts);
  const reports: RuleReport[] = [];
  const alter = dialectOf(statement, 'alterTable');
  for (const clause of alter?.clauses ?? []) {
    if (!alter || clause.kind !== 'dropColumn') continue;
    const deployedName = view.deployedColumn(alter.table, clause.column);
    if (!deployedName) continue;
    const renamed = deployedName !== clause.column ? ` (deployed as ${name(deployedName)})` : '';
    const prisma = prismaSaidSo(facts.warnings, view.deployedTable(alter.table) ?? alter.table, alter.table, deployedName, clause.column);
    const copy = columnCopyBefore(context.statements, statement, alter.table, clause.column);
    if (copy) {
      const into = copy.table === alter.table && copy.column ? name(alter.table, copy.column) : `table ${name(copy.table)}`;
      reports.push({
        message: `Drops column ${name(alter.table, clause.column)}${renamed} after line ${copy.statement.range.start.line + 1} copied its values into ${into}, so the values are kept, but code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.${prisma}`,
        help: COPIED_FIRST,
        severity: 'warning',
        ...at(context, spanRange(statement, clause)),
      });
      continue;
    }
    const how = context.provider === 'mysql' ? mysqlDrop() : sqliteDrop(context, view.deployedTable(alter.table) ?? alter.table, deployedName);
    reports.push({
      message: `Drops column ${name(alter.table, clause.column)}${renamed} with every value in it: only a backup brings the data back, and code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.${how}${prisma}`,
      help: STOP_FIRST,
      ...at(context, spanRange(statement, clause)),
    });
  }
  const insert = dialectOf(statement, 'insert');
  if (insert && insert.from.length === 1) {
    const source = insert.from[0];
    const redefinition = redefinitionOf(context.statements, source);
    if (redefinition?.insertStatement === statement) {
      // A column read by any of the copies, inside an expression too (`COALESCE("nickname", '')`), is kept; so is
      // one the new table still has under its name (its values were replaced on purpose, not dropped).
      const copies = redefinition.inserts;
      const everything = copies.some((c) => c.selected.includes('*'));
      const kept = new Set([...copies.flatMap((c) => [...c.selected, ...c.referenced]), ...(redefinition.create?.columns ?? []).map((c) => c.name)]);
      const lost = everything ? [] : [...view.deployedColumns(source)].filter(([current]) => !kept.has(current));
      for (const [current, deployed] of lost) {
        const prisma = prismaSaidSo(facts.warnings, view.deployedTable(source) ?? source, source, deployed, current);
        reports.push({
          message: `Rebuilds ${name(source)} without column ${name(current)}: the copy into ${name(redefinition.copy)} leaves its values behind and they are gone once the old table is dropped — only a backup brings them back — and code still running fails on every query of the model (Prisma Client selects all columns) until it is replaced.${prisma}`,
          help: STOP_FIRST,
          ...at(context, headRange(statement)),
        });
      }
    }
  }
  return reports;
}

function mysqlDrop(): string {
  // Observed on MariaDB 10.11 (ALGORITHM=INSTANT accepted); MySQL 8.0.29+ documents INSTANT too, older 8.0 rebuilds in place.
  return ' MySQL 8.0.29+ and MariaDB 10.4+ drop it instantly; older MySQL rebuilds the table in place.';
}

/** SQLite rewrites the table to drop a column, and refuses outright when anything else uses the column. */
function sqliteDrop(context: SqlRuleContext, table: string, column: string): string {
  const deployed = context.baseline.tables[table];
  const uses: string[] = [];
  if (deployed?.primaryKey?.columns.includes(column)) uses.push('it is in the PRIMARY KEY');
  const indexes = (deployed?.indexes ?? []).filter((index) => index.columns.some((c) => c.split(' ')[0] === column));
  if (indexes.length > 0) uses.push(`index ${indexes.map((i) => `"${i.name}"`).join(', ')} uses it`);
  if (deployed?.foreignKeys.some((fk) => fk.columns.includes(column))) uses.push('a foreign key uses it');
  if (uses.length > 0) return ` Here SQLite refuses the statement and the migration fails (${uses.join('; ')}): drop those first, or let Prisma redefine the table.`;
  return ' SQLite (3.35+) rewrites every row of the table to remove it, holding the database write lock meanwhile; older versions do not know DROP COLUMN.';
}

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
