import { dialectOf, redefinitionOf, sqlName, type Redefinition } from './support/dialectSql';
import { at, factsOf, headRange, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule, SqlRuleContext } from './types';

const rule: SqlRule = {
  id: 'sql-sqlite-table-redefinition',
  target: 'sql',
  title: 'SQLite table redefinition that existing rows can break',
  defaultSeverity: 'error',
  why: "Prisma changes an SQLite table by copying it into a new one (INSERT ... SELECT) and dropping the old: the copy fails when a new NOT NULL column gets no value or a row breaks a new NOT NULL or UNIQUE, and with foreign_keys OFF a new foreign key is never checked unless PRAGMA foreign_key_check runs after.",
  safePath: 'Give new required columns a DEFAULT (or fill them in the INSERT ... SELECT), clean the rows that would break a new constraint first, and keep `PRAGMA foreign_key_check;` after the redefinition.',
  providers: ['sqlite'],
  detect(statement, context) {
    const insert = dialectOf(statement, 'insert');
    if (!insert || insert.from.length !== 1) return [];
    const source = insert.from[0];
    const redefinition = redefinitionOf(context.statements, source);
    if (!redefinition?.create || redefinition.insertStatement !== statement) return [];
    const view = factsOf(context).before(statement);
    const deployedKey = view.deployedTable(source);
    const deployed = deployedKey ? context.baseline.tables[deployedKey] : undefined;
    if (!deployed || !view.holdsRows(source)) return [];
    const table = sqlName('sqlite', source);
    const severity = smallTableSeverity(context, [source]);
    const where = at(context, headRange(statement));
    const reports: RuleReport[] = [];
    const filled = new Map<string, string>();
    insert.columns.forEach((column, i) => filled.set(column, insert.selected[i] ?? '(expression)'));
    if (insert.selected.includes('*')) for (const column of redefinition.create.columns) filled.set(column.name, column.name);

    for (const column of redefinition.create.columns) {
      const from = filled.get(column.name);
      if (from === undefined) {
        if (!column.notNull || column.hasDefault || column.autoIncrement) continue;
        reports.push({
          message: `The copy into ${sqlName('sqlite', redefinition.copy)} gives the new required column ${sqlName('sqlite', column.name)} no value and it has no DEFAULT: SQLite stops at the first row ("NOT NULL constraint failed") and the migration fails on any database where ${table} has rows.`,
          help: `Give the column a database default (\`@default(...)\` in the schema, \`DEFAULT ...\` here), or fill it in the INSERT ... SELECT (\`COALESCE(...)\`); or add it optional first, backfill, then make it required.`,
          ...where,
        });
        continue;
      }
      const before = deployed.columns.find((c) => c.name === (view.deployedColumn(source, from) ?? ''));
      if (column.notNull && before?.nullable) {
        reports.push({
          message: `${table}.${sqlName('sqlite', from)} may hold NULL, and the copy puts it into ${from === column.name ? 'the same column' : sqlName('sqlite', column.name)}, now NOT NULL: one NULL row and SQLite stops the copy ("NOT NULL constraint failed"), failing the migration.`,
          help: `Fill the NULLs first (\`UPDATE ${table} SET ${sqlName('sqlite', from)} = ... WHERE ${sqlName('sqlite', from)} IS NULL\`, in batches on a large table, in an earlier migration), or copy \`COALESCE(${sqlName('sqlite', from)}, <value>)\`.`,
          severity: 'warning',
          ...severity,
          ...where,
        });
      }
    }
    // A UNIQUE on values the copy computes ('user-' || id) or defaults cannot be judged from here: only plain copies are.
    const copiedPlainly = new Set([...filled].filter(([, from]) => from !== '(expression)' && view.deployedColumn(source, from)).map(([column]) => column));
    reports.push(...newUniques(context, redefinition, copiedPlainly, deployed.indexes.filter((i) => i.unique).map((i) => i.columns), deployed.primaryKey?.columns, table, where, severity));
    reports.push(...uncheckedForeignKeys(context, redefinition, deployed.foreignKeys, table, where));
    return reports;
  },
};

/** UNIQUE constraints of the new table, inline or created on it later in the file, that the deployed table did not have. */
function newUniques(
  context: SqlRuleContext,
  redefinition: Redefinition,
  copiedPlainly: Set<string>,
  deployedUniques: string[][],
  primaryKey: string[] | undefined,
  table: string,
  where: ReturnType<typeof at>,
  severity: { severity?: 'info' },
): RuleReport[] {
  const create = redefinition.create!;
  const original = dialectOf(redefinition.renameStatement, 'alterTable')?.clauses.find((c) => c.kind === 'renameTable');
  const name = original?.kind === 'renameTable' ? original.to : undefined;
  const later = context.statements.slice(context.statements.indexOf(redefinition.renameStatement) + 1);
  const uniques = [...create.uniques];
  for (const statement of later) {
    const index = dialectOf(statement, 'createIndex');
    if (index?.indexKind === 'unique' && (index.table === name || index.table === redefinition.copy)) uniques.push(index.columns);
  }
  const known = (columns: string[]): boolean =>
    [...deployedUniques.map((u) => u.map((c) => c.split(' ')[0])), ...(primaryKey ? [primaryKey] : [])].some((u) => u.length === columns.length && u.every((c) => columns.includes(c)));
  const reports: RuleReport[] = [];
  for (const columns of uniques) {
    if (columns.length === 0 || known(columns) || !columns.every((c) => copiedPlainly.has(c))) continue;
    const list = columns.map((c) => sqlName('sqlite', c)).join(', ');
    reports.push({
      message: `The redefined ${table} gets a new UNIQUE on (${list}): if two existing rows share a value, SQLite stops ("UNIQUE constraint failed") and the migration fails.`,
      help: `Look for duplicates first (\`SELECT ${list}, COUNT(*) FROM ${table} GROUP BY ${list} HAVING COUNT(*) > 1\`) and resolve them in an earlier migration.`,
      severity: 'warning',
      ...severity,
      ...where,
    });
  }
  return reports;
}

/** Foreign keys the new table adds, copied with foreign_keys OFF and never checked when no `PRAGMA foreign_key_check` follows. */
function uncheckedForeignKeys(
  context: SqlRuleContext,
  redefinition: Redefinition,
  deployed: { columns: string[]; referencedTable: string }[],
  table: string,
  where: ReturnType<typeof at>,
): RuleReport[] {
  const added = redefinition.create!.foreignKeys.filter((fk) => !deployed.some((d) => d.referencedTable === fk.referencedTable && d.columns.join(',') === fk.columns.join(',')));
  if (added.length === 0) return [];
  const statements = context.statements;
  const insertAt = statements.indexOf(redefinition.insertStatement);
  const keysOff = statements.slice(0, insertAt).reduce<boolean>((off, s) => {
    const pragma = dialectOf(s, 'pragma');
    return pragma?.name === 'foreign_keys' ? ['OFF', '0', 'FALSE', 'NO'].includes(pragma.value ?? '') : off;
  }, false);
  // `PRAGMA foreign_key_check` lists the rows; its table-valued form read by a statement (a guard that fails on a count) is the same check.
  const checked = statements.slice(insertAt).some((s) => dialectOf(s, 'pragma')?.name === 'foreign_key_check' || dialectOf(s, 'insert')?.from.some((t) => t.toLowerCase() === 'pragma_foreign_key_check'));
  if (!keysOff || checked) return [];
  const keys = added.map((fk) => `(${fk.columns.map((c) => sqlName('sqlite', c)).join(', ')}) → ${sqlName('sqlite', fk.referencedTable)}`).join(', ');
  return [{
    message: `The redefined ${table} gets a new foreign key ${keys}, but the rows are copied with foreign_keys OFF and no \`PRAGMA foreign_key_check\` follows: rows that point to a missing row are kept without a word, and a required relation then has nothing behind it for Prisma Client.`,
    help: `Check the copied rows before the old table is dropped, so that a violation stops the migration: \`PRAGMA foreign_key_check;\` only lists them, a guard on \`SELECT count(*) FROM pragma_foreign_key_check('${redefinition.copy}')\` (a CHECK (count = 0) on a temporary table) fails. Run the check on a copy of the production database first, and fix or delete the rows that point nowhere in an earlier migration.`,
    severity: 'warning',
    ...where,
  }];
}

export default rule;
