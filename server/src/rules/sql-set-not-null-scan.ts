import { alterTableOf, at, clauseRange, factsOf, identPattern, quoted, smallTableSeverity } from './support/sqlAst';
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
      // A validated CHECK from any earlier statement, this file's included: PostgreSQL 12+ skips the scan
      // (where that CHECK was validated under a strong lock, that statement is the one reported).
      const check = facts.notNullCheckBefore(statement, alter.key, column);
      if (modern && check.state === 'validated') continue;
      const target = `${table}."${column}"`;
      let message = `SET NOT NULL on ${target} reads the whole table under an ACCESS EXCLUSIVE lock to prove no row is NULL: nobody can read or write ${table} until the scan ends, and one NULL fails the migration.`;
      let help: string;
      if (!modern) {
        help = `PostgreSQL ${context.postgresVersion} cannot skip the scan: backfill first, then keep a validated \`CHECK ("${column}" IS NOT NULL)\` as the guarantee and leave the column nullable, or run this at a quiet moment after \`SET lock_timeout\`.`;
      } else if (check.state === 'not-valid') {
        message += ` The CHECK constraint "${check.constraint ?? ''}" is still NOT VALID, so PostgreSQL cannot rely on it.`;
        help = `Run \`ALTER TABLE ${table} VALIDATE CONSTRAINT "${check.constraint ?? ''}";\` before this statement, in a later transaction than the one that added it NOT VALID (a migration of its own, or after a \`COMMIT;\`): it does not block reads or writes, and this statement then skips the scan.`;
      } else {
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

export default rule;
