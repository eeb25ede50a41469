import { dialectOf, spanRange } from './support/dialectSql';
import { foreignKeyChecksOn, onlineOptions } from './support/mysqlAlter';
import { at, factsOf, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

const rule: SqlRule = {
  id: 'sql-mysql-foreign-key-checks',
  target: 'sql',
  title: 'Foreign key added to an existing table while foreign_key_checks is on (MySQL)',
  defaultSeverity: 'warning',
  why: 'With foreign_key_checks on, InnoDB adds a foreign key only by copying the table (ALGORITHM=COPY) and checking every row: writes wait for the whole copy, and one row pointing nowhere fails the migration.',
  safePath: 'Look for orphan rows first; then add the key between `SET FOREIGN_KEY_CHECKS=0;` and `SET FOREIGN_KEY_CHECKS=1;` with `ALGORITHM=INPLACE, LOCK=NONE`: no copy, writes go on.',
  providers: ['mysql'],
  detect(statement, context) {
    const alter = dialectOf(statement, 'alterTable');
    if (!alter || !factsOf(context).before(statement).holdsRows(alter.table)) return [];
    const online = onlineOptions(statement);
    const checksOn = foreignKeyChecksOn(context, statement);
    const reports: RuleReport[] = [];
    for (const clause of alter.clauses) {
      if (clause.kind !== 'addForeignKey') continue;
      const key = clause.constraint ? `\`${clause.constraint}\`` : `on (${clause.columns.map((c) => `\`${c}\``).join(', ')})`;
      const orphans = `\`SELECT COUNT(*) FROM ${alter.table} c LEFT JOIN ${clause.referencedTable} p ON p.<key> = c.${clause.columns[0] ?? '<column>'} WHERE c.${clause.columns[0] ?? '<column>'} IS NOT NULL AND p.<key> IS NULL\``;
      // With the checks off InnoDB adds the key in place and checks no row: the safe form (orphans are the author's to rule out).
      if (!checksOn) continue;
      if (online.algorithm === 'INPLACE' || online.lock === 'NONE') {
        reports.push({
          message: `Foreign key ${key} on \`${alter.table}\` with ALGORITHM=INPLACE / LOCK=NONE while foreign_key_checks is on: MySQL refuses it ("Adding foreign keys needs foreign_key_checks=OFF") and the migration fails.`,
          help: 'Put `SET FOREIGN_KEY_CHECKS=0;` before the statement and `SET FOREIGN_KEY_CHECKS=1;` after it, having checked for orphan rows first.',
          severity: 'error',
          ...at(context, spanRange(statement, clause)),
        });
        continue;
      }
      reports.push({
        message: `Foreign key ${key} on \`${alter.table}\` is added while foreign_key_checks is on: InnoDB copies the whole table to add it (ALGORITHM=COPY), so inserts, updates and deletes on \`${alter.table}\` wait until every row is copied and checked, and one row whose ${clause.columns.map((c) => `\`${c}\``).join(', ')} matches no \`${clause.referencedTable}\` row fails the migration.`,
        help: `Check for orphans first (${orphans} must be 0), then add the key between \`SET FOREIGN_KEY_CHECKS=0;\` and \`SET FOREIGN_KEY_CHECKS=1;\` with \`, ALGORITHM=INPLACE, LOCK=NONE\`: built in place while writes go on (existing rows are then not checked, hence the query).`,
        ...smallTableSeverity(context, [alter.table]),
        ...at(context, spanRange(statement, clause)),
      });
    }
    return reports;
  },
};

export default rule;
