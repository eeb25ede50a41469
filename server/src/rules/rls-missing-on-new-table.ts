import type { CreateStmt } from 'libpg-query';
import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, at, bodyOf, headRange, quoted, relationKey } from './support/sqlAst';
import type { SqlRule } from './types';

// MySQL and SQLite have no row-level security.
const rule: SqlRule = {
  id: 'rls-missing-on-new-table',
  target: 'sql',
  title: 'New table without row-level security in a database that uses it',
  defaultSeverity: 'warning',
  why: "Where the other tables isolate tenants with row-level security, a new table without it is filtered by grants only: every role that can read it sees every tenant's rows.",
  safePath: 'Enable row-level security on the new table in the same migration (ENABLE, and FORCE if the application connects as the owner) with a policy shaped like the other tables\'.',
  providers: ['postgresql'],
  detect(statement, context) {
    const [kind, body] = bodyOf(statement);
    if (kind !== 'CreateStmt') return [];
    const stmt = body as CreateStmt;
    const key = relationKey(stmt.relation);
    // Temporary tables vanish with the session; partitions are reached through their parent's policies.
    if (!key || stmt.relation?.relpersistence === 't' || stmt.partbound) return [];
    const tables = Object.values(context.baseline.tables);
    const secured = tables.filter((t) => t.rowLevelSecurity);
    // One table with row-level security is enough to say the project relies on it: a leak costs more than a suppression.
    if (secured.length === 0 || enabledLater(context.statements, statement, key)) return [];
    const replaced = context.baseline.tables[key]?.rowLevelSecurity ? ` The table of that name it replaces had row-level security.` : '';
    const table = quoted(key);
    return [{
      message: `New table ${table} gets no row-level security, while ${secured.length} of ${tables.length} tables in the deployed database have it: its rows are filtered by grants only, so every role that can read it sees every tenant's rows.${replaced}`,
      help: `In this same migration, after the CREATE TABLE: \`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;\` and a \`CREATE POLICY\` shaped like the other tables' (plus \`FORCE ROW LEVEL SECURITY\` if the application connects as the owner). If it holds no tenant data, suppress this with that reason.`,
      ...at(context, headRange(statement)),
    }];
  },
};

function enabledLater(statements: ParsedStatement[], current: ParsedStatement, key: string): boolean {
  let after = false;
  for (const statement of statements) {
    if (statement === current) {
      after = true;
      continue;
    }
    const alter = after ? alterTableOf(statement) : undefined;
    if (alter?.key === key && alter.commands.some((c) => c.subtype === 'AT_EnableRowSecurity')) return true;
  }
  return false;
}

export default rule;
