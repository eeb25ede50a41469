import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, at, clauseRange, constraintOf, factsOf, identPattern, notNullColumns, quoted, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

// MySQL and SQLite counterparts (a later task): MODIFY ... NOT NULL rebuilds the table on
// MySQL; Prisma's SQLite table redefinition copies the rows and fails on a NULL.
const rule: SqlRule = {
  id: 'sql-set-not-null-scan',
  target: 'sql',
  title: 'SET NOT NULL scans an existing table under an exclusive lock',
  defaultSeverity: 'warning',
  why: 'ALTER COLUMN ... SET NOT NULL reads the whole table under an ACCESS EXCLUSIVE lock to prove there is no NULL: nobody can read or write the table meanwhile, and one NULL fails the migration.',
  safePath: 'On PostgreSQL 12+, add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL in another: the validated check lets PostgreSQL skip the scan.',
  providers: ['postgresql'],
  detect(statement, context) {
    const alter = alterTableOf(statement);
    if (!alter) return [];
    const facts = factsOf(context);
    if (!facts.before(statement).holdsRows(alter.key)) return [];
    const table = quoted(alter.key);
    const modern = context.postgresVersion >= 12;
    const reports: RuleReport[] = [];
    for (const command of alter.commands) {
      if (command.subtype !== 'AT_SetNotNull' || !command.name) continue;
      const column = command.name;
      const check = facts.notNullCheck(alter.key, column);
      if (modern && check.state === 'validated') continue;
      const target = `${table}."${column}"`;
      let message = `SET NOT NULL on ${target} reads the whole table under an ACCESS EXCLUSIVE lock to prove no row is NULL: nobody can read or write ${table} until the scan ends, and one NULL fails the migration.`;
      let help: string;
      if (!modern) {
        help = `PostgreSQL ${context.postgresVersion} cannot skip the scan: backfill first, then keep a validated \`CHECK ("${column}" IS NOT NULL)\` as the guarantee and leave the column nullable, or run this at a quiet moment after \`SET lock_timeout\`.`;
      } else if (check.state === 'not-valid') {
        message += ` The CHECK constraint "${check.constraint ?? ''}" from an earlier migration is still NOT VALID, so PostgreSQL cannot rely on it.`;
        help = `Run \`ALTER TABLE ${table} VALIDATE CONSTRAINT "${check.constraint ?? ''}";\` in a migration of its own before this one (it does not block reads or writes); then this statement skips the scan.`;
      } else {
        if (sameFileCheck(context.statements, statement, alter.key, column)) {
          message += ' The CHECK constraint added in this same file does not help: Prisma runs the file as one transaction, so that check is validated under the same lock.';
        }
        help = `Spread it over three migrations: \`ALTER TABLE ${table} ADD CONSTRAINT ... CHECK ("${column}" IS NOT NULL) NOT VALID;\`, then \`VALIDATE CONSTRAINT\` in the next (reads and writes continue), then this SET NOT NULL, which PostgreSQL ${context.postgresVersion} then does without a scan.`;
      }
      reports.push({
        message,
        help,
        subject: { table: alter.key, columns: [column] },
        ...smallTableSeverity(context, [alter.key]),
        ...at(context, clauseRange(statement, new RegExp(`ALTER\\s+(?:COLUMN\\s+)?${identPattern(column)}\\s+SET\\s+NOT\\s+NULL`, 'i'))),
      });
    }
    return reports;
  },
};

/** A CHECK (col IS NOT NULL) on the column added earlier in this file. */
function sameFileCheck(statements: ParsedStatement[], current: ParsedStatement, table: string, column: string): boolean {
  for (const statement of statements) {
    if (statement === current) return false;
    const alter = alterTableOf(statement);
    if (alter?.key !== table) continue;
    for (const command of alter.commands) {
      const constraint = constraintOf(command.def);
      if (command.subtype === 'AT_AddConstraint' && constraint?.contype === 'CONSTR_CHECK' && notNullColumns(constraint.raw_expr).includes(column)) return true;
    }
  }
  return false;
}

export default rule;
