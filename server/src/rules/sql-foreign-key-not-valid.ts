import type { Constraint } from 'libpg-query';
import { names } from '../replay/pgTypes';
import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, at, clauseRange, columnDefOf, constraintOf, factsOf, identPattern, quoted, relationKey, smallTableSeverity, transactionsOf } from './support/sqlAst';
import type { RuleReport, SqlRule } from './types';

// MySQL has no NOT VALID: sql-mysql-foreign-key-checks judges its ADD FOREIGN KEY (a table copy unless
// foreign_key_checks is off). SQLite cannot add a constraint; sql-sqlite-table-redefinition judges the rebuild.
const rule: SqlRule = {
  id: 'sql-foreign-key-not-valid',
  target: 'sql',
  title: 'Foreign key validated under lock on an existing table',
  defaultSeverity: 'warning',
  why: 'Adding a foreign key checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to both wait for the whole scan, and one orphan row fails the migration.',
  safePath: 'Add the constraint NOT VALID (instant; new rows are checked), then VALIDATE CONSTRAINT in a later migration folder, which lets reads and writes continue.',
  providers: ['postgresql'],
  detect(statement, context) {
    const alter = alterTableOf(statement);
    if (!alter) return [];
    const view = factsOf(context).before(statement);
    if (!view.holdsRows(alter.key)) return [];
    const table = quoted(alter.key);
    const reports: RuleReport[] = [];
    for (const command of alter.commands) {
      if (command.subtype === 'AT_AddConstraint' || command.subtype === 'AT_AddColumn') {
        const column = columnDefOf(command.def);
        const constraints = column ? (column.constraints ?? []).map(constraintOf) : [constraintOf(command.def)];
        // Inline REFERENCES on a column added without a default: the column holds only NULLs and PostgreSQL reads no row (measured).
        if (column && !(column.constraints ?? []).some((c) => constraintOf(c)?.contype === 'CONSTR_DEFAULT')) continue;
        for (const fk of constraints) {
          if (fk?.contype !== 'CONSTR_FOREIGN' || fk.skip_validation) continue;
          const target = relationKey(fk.pktable) ?? '?';
          const name = fk.conname ? `"${fk.conname}"` : `on ${table}${column?.colname ? `."${column.colname}"` : ''}`;
          const keys = column?.colname ? [column.colname] : names(fk.fk_attrs);
          const fresh = !column && keys.length > 0 && keys.every((k) => !view.deployedColumn(alter.key, k));
          const outcome = fresh
            ? `, so writes to both wait for the whole check (the column is new and holds only NULLs, so no row can fail it, but every row is still read).`
            : ', so writes to both wait for the whole check, and a single orphan row fails the migration.';
          reports.push({
            message: `Foreign key ${name} is added without NOT VALID: PostgreSQL reads every row of ${table} and looks it up in ${quoted(target)} while holding SHARE ROW EXCLUSIVE locks on both tables${outcome}`,
            help: fk.conname
              ? `Add \`NOT VALID\` to this statement (new rows are still checked), and run \`ALTER TABLE ${table} VALIDATE CONSTRAINT "${fk.conname}";\` in the next migration folder, where it does not block writes.`
              : 'Add it as a named constraint with `NOT VALID` here, and `VALIDATE CONSTRAINT` it in the next migration folder, where it does not block writes.',
            subject: {
              table: alter.key,
              columns: column?.colname ? [column.colname] : names(fk.fk_attrs),
              references: { table: target, columns: names(fk.pk_attrs) },
            },
            ...smallTableSeverity(context, [alter.key]),
            ...(alter.commands.length > 1 && fk.conname ? at(context, clauseRange(statement, new RegExp(`ADD\\s+CONSTRAINT\\s+${identPattern(fk.conname)}`, 'i'))) : {}),
          });
        }
      }
      if (command.subtype === 'AT_ValidateConstraint' && command.name) {
        const added = addedNotValid(context.statements, statement, alter.key, command.name);
        if (!added) continue;
        const what = added.contype === 'CONSTR_FOREIGN' ? 'foreign key' : 'check constraint';
        const lock = added.contype === 'CONSTR_FOREIGN'
          ? `the SHARE ROW EXCLUSIVE locks the ADD CONSTRAINT took on ${table} and ${quoted(relationKey(added.pktable) ?? '?')} are`
          : `the ACCESS EXCLUSIVE lock the ADD CONSTRAINT took on ${table} is`;
        reports.push({
          message: `VALIDATE CONSTRAINT "${command.name}" runs in the same transaction as the NOT VALID that added this ${what}: Prisma sends the file as one script, which PostgreSQL runs as one transaction up to a COMMIT, so the validation scan happens while ${lock} still held — no better than adding it validated.`,
          help: `Move \`ALTER TABLE ${table} VALIDATE CONSTRAINT "${command.name}";\` into a migration folder of its own that sorts after this one (or after a \`COMMIT;\` that ends the transaction of the NOT VALID).`,
          ...smallTableSeverity(context, [alter.key]),
          ...(alter.commands.length > 1 ? at(context, clauseRange(statement, new RegExp(`VALIDATE\\s+CONSTRAINT\\s+${identPattern(command.name)}`, 'i'))) : {}),
        });
      }
    }
    return reports;
  },
};

/**
 * The NOT VALID constraint `name` on `table` added earlier in the same transaction
 * (or earlier in the same statement): a COMMIT between them releases the ADD's lock.
 */
function addedNotValid(statements: ParsedStatement[], current: ParsedStatement, table: string, name: string): Constraint | undefined {
  const placements = transactionsOf(statements);
  const transaction = placements.get(current)?.transaction;
  for (const statement of statements) {
    if (placements.get(statement)?.transaction !== transaction) continue;
    const alter = alterTableOf(statement);
    if (alter?.key === table) {
      for (const command of alter.commands) {
        if (command.subtype === 'AT_ValidateConstraint' && command.name === name && statement === current) return undefined;
        const constraint = constraintOf(command.def);
        if (command.subtype === 'AT_AddConstraint' && constraint?.conname === name && constraint.skip_validation) return constraint;
      }
    }
    if (statement === current) break;
  }
  return undefined;
}

export default rule;
