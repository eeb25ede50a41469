import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, at, clauseRange, quoted } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

/** Each switch that opens the table, and the one that closes it again. */
const SWITCHES = [
  { off: 'AT_DisableRowSecurity', on: 'AT_EnableRowSecurity', words: 'DISABLE\\s+ROW\\s+LEVEL\\s+SECURITY' },
  { off: 'AT_NoForceRowSecurity', on: 'AT_ForceRowSecurity', words: 'NO\\s+FORCE\\s+ROW\\s+LEVEL\\s+SECURITY' },
] as const;

// MySQL and SQLite have no row-level security.
const rule: SqlRule = {
  id: 'sql-rls-left-disabled',
  target: 'sql',
  title: 'Row-level security turned off and not turned back on',
  defaultSeverity: 'warning',
  why: "With row-level security disabled the table's policies are ignored: every role with privileges on it sees and changes every tenant's rows, from this deploy until someone turns it back on.",
  safePath: 'Usually delete the DISABLE (the migration role owns the table and bypasses policies anyway); if it must stay, ENABLE it again later in the same file, which runs as one transaction.',
  providers: ['postgresql'],
  detect(statement, context) {
    const alter = alterTableOf(statement);
    if (!alter) return [];
    const table = quoted(alter.key);
    const reports: RuleReport[] = [];
    alter.commands.forEach((command, index) => {
      const toggle = SWITCHES.find((s) => s.off === command.subtype);
      if (!toggle || turnedBackOn(context.statements, statement, index, alter.key, toggle.on)) return;
      const where = alter.commands.length > 1 ? at(context, clauseRange(statement, new RegExp(toggle.words, 'i'))) : {};
      if (toggle.off === 'AT_DisableRowSecurity') {
        reports.push({
          message: `Row-level security is turned off on ${table} and this file does not turn it back on: from this deploy on its policies are ignored, and every role with privileges on ${table} reads and changes every tenant's rows.`,
          help: `If this is for a data fix, the role that runs migrations usually owns the table and bypasses the policies already: delete this statement. Otherwise put \`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;\` after the statements that need it, in this same file.`,
          ...where,
        });
      } else {
        reports.push({
          message: `FORCE ROW LEVEL SECURITY is removed from ${table} and not restored in this file: from this deploy on the table's owner — often the role the application connects as — bypasses its policies and sees every tenant's rows.`,
          help: `Put \`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;\` after the statements that need the exemption, in this same file.`,
          ...where,
        });
      }
    });
    return reports;
  },
};

/** Whether a later command (in this statement or a later one of the file) switches it back on for the same table. */
function turnedBackOn(statements: ParsedStatement[], current: ParsedStatement, commandIndex: number, table: string, on: string): boolean {
  let after = false;
  for (const statement of statements) {
    if (statement === current) {
      after = true;
      const alter = alterTableOf(statement);
      if (alter?.commands.slice(commandIndex + 1).some((c) => c.subtype === on)) return true;
      continue;
    }
    if (!after) continue;
    const alter = alterTableOf(statement);
    if (alter?.key === table && alter.commands.some((c) => c.subtype === on)) return true;
  }
  return false;
}

export default rule;
