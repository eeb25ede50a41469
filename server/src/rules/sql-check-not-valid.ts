import { alterOfFilledTable, at, clauseRange, columnDefOf, constraintOf, identPattern, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

// MySQL 8.0.16+ checks every row of a new CHECK with a table copy (no NOT VALID; NOT ENFORCED skips the check
// entirely); SQLite cannot add a CHECK to an existing table, Prisma never writes one. The docs page says so.
const rule: SqlRule = {
  id: 'sql-check-not-valid',
  target: 'sql',
  title: 'CHECK constraint validated under an exclusive lock on an existing table',
  defaultSeverity: 'warning',
  why: 'ADD CONSTRAINT ... CHECK without NOT VALID (or a CHECK on a column added to a filled table) reads every row while holding an ACCESS EXCLUSIVE lock: nobody can read or write the table until the scan ends, and one row that fails the check fails the migration.',
  safePath: 'Add the constraint NOT VALID (instant; new and updated rows are checked), then VALIDATE CONSTRAINT in a later transaction — a migration folder of its own — which lets reads and writes continue.',
  providers: ['postgresql'],
  detect(statement, context) {
    const alter = alterOfFilledTable(statement, context);
    if (!alter) return [];
    const table = alter.table;
    const reports: RuleReport[] = [];
    for (const command of alter.commands) {
      if (command.subtype === 'AT_AddConstraint') {
        const check = constraintOf(command.def);
        if (check?.contype !== 'CONSTR_CHECK' || check.skip_validation) continue;
        const name = check.conname ? `"${check.conname}"` : 'without a name';
        reports.push({
          message: `CHECK constraint ${name} is added without NOT VALID: PostgreSQL reads every row of ${table} to check it while holding an ACCESS EXCLUSIVE lock, so nobody can read or write ${table} until the scan ends, and a single row that fails the check fails the migration.`,
          help: check.conname
            ? `Add \`NOT VALID\` to this statement (new and updated rows are still checked), and run \`ALTER TABLE ${table} VALIDATE CONSTRAINT "${check.conname}";\` in the next migration folder, where it takes only a SHARE UPDATE EXCLUSIVE lock and reads and writes continue.`
            : 'Name the constraint and add it `NOT VALID` here (new and updated rows are still checked), then `VALIDATE CONSTRAINT` it in the next migration folder, where reads and writes continue.',
          ...smallTableSeverity(context, [alter.key]),
          ...(alter.commands.length > 1 ? at(context, clauseRange(statement, check.conname ? new RegExp(`ADD\\s+CONSTRAINT\\s+${identPattern(check.conname)}`, 'i') : /\bCHECK\b/i)) : {}),
        });
      } else if (command.subtype === 'AT_AddColumn') {
        const column = columnDefOf(command.def);
        if (!column?.colname || !(column.constraints ?? []).some((c) => constraintOf(c)?.contype === 'CONSTR_CHECK')) continue;
        reports.push({
          message: `Column ${table}."${column.colname}" is added with a CHECK: PostgreSQL checks it against every existing row while holding the ADD COLUMN's ACCESS EXCLUSIVE lock, so nobody can read or write ${table} until the scan ends, and a row that fails it fails the migration.`,
          help: `Add the column without the CHECK, then add the check as a table constraint with \`NOT VALID\` (\`ALTER TABLE ${table} ADD CONSTRAINT ... CHECK (...) NOT VALID;\`) and \`VALIDATE CONSTRAINT\` it in the next migration folder.`,
          ...smallTableSeverity(context, [alter.key]),
          ...at(context, clauseRange(statement, new RegExp(`ADD\\s+(?:COLUMN\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?${identPattern(column.colname)}`, 'i'))),
        });
      }
    }
    return reports;
  },
};

export default rule;
