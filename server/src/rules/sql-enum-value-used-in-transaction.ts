import type { AlterEnumStmt, CreateEnumStmt } from 'libpg-query';
import { tableKey } from '../core/dbState';
import { names, splitQualified } from '../replay/pgTypes';
import type { ParsedStatement } from '../replay/statements';
import { at, bodyOf, factsOf, placementOf } from './support/sqlAst';
import type { RuleReport, SqlRule, SqlRuleContext } from './types';

/**
 * A PostgreSQL major that lets a transaction use a value it added to an enum
 * type it also created: 15 rejects it, 18 (PGlite) accepts it; 16 and 17 were
 * not checked here, so they are treated like 15.
 */
const SAME_TRANSACTION_TYPE_ACCEPTED = 18;

const LATER_MIGRATION = 'Keep the `ALTER TYPE ... ADD VALUE` here and move every statement that uses the new value into a later migration (`prisma migrate dev --create-only --name ...`): once this one is deployed, the value is committed and can be stored, compared and used as a default.';

// MySQL and SQLite have no enum types to alter in a transaction; nothing to port.
const rule: SqlRule = {
  id: 'sql-enum-value-used-in-transaction',
  target: 'sql',
  title: 'New enum value used in the transaction that adds it',
  defaultSeverity: 'error',
  why: 'PostgreSQL refuses to use an enum value before the transaction that added it with ALTER TYPE ... ADD VALUE commits ("unsafe use of new value"), and Prisma runs a migration file as one transaction: a file that adds a value and then stores it, defaults to it or compares with it fails, and `prisma migrate deploy` stops there.',
  safePath: 'Add the value in one migration and use it (UPDATE, INSERT, DEFAULT, CHECK, index predicate) in a later one; a COMMIT right after the ADD VALUE in the same file also works.',
  providers: ['postgresql'],
  detect(statement, context) {
    const reports: RuleReport[] = [];
    for (const use of factsOf(context).newEnumValueUses?.(statement) ?? []) {
      const quotedEnum = `"${use.enumKey}"`;
      if (use.typeCreatedInTransaction) {
        if (context.postgresVersion >= SAME_TRANSACTION_TYPE_ACCEPTED) continue;
        reports.push({
          message: `Uses enum value '${use.value}', which line ${use.addedLine} adds to ${quotedEnum} in the same transaction: PostgreSQL ${context.postgresVersion} refuses it ("unsafe use of new value") even though the type is created in this transaction too (PostgreSQL 18 accepts it), so the migration fails and \`prisma migrate deploy\` stops there.`,
          help: `List '${use.value}' in the CREATE TYPE itself instead of adding it afterwards, or use it in a later migration. If you deploy to PostgreSQL 18 or later, set \`postgresVersion\` in .migration-guard.json and this goes away.`,
          severity: 'warning',
          ...at(context, use.range),
        });
        continue;
      }
      reports.push({
        message: `Uses enum value '${use.value}', which line ${use.addedLine} adds to ${quotedEnum} in the same transaction: PostgreSQL refuses a new enum value until the transaction that added it commits ("unsafe use of new value"), and Prisma runs this file as one transaction, so the migration fails and \`prisma migrate deploy\` stops there.`,
        help: LATER_MIGRATION,
        ...at(context, use.range),
      });
    }
    const before12 = addValueBefore12(statement, context);
    if (before12) reports.push(before12);
    return reports;
  },
};

/**
 * Before PostgreSQL 12, ADD VALUE itself must run outside a transaction block
 * (unless the type was created in that transaction): in a file with other
 * statements it fails whatever follows it.
 */
function addValueBefore12(statement: ParsedStatement, context: SqlRuleContext): RuleReport | undefined {
  if (context.postgresVersion >= 12) return undefined;
  const [kind, body] = bodyOf(statement);
  const alter = body as AlterEnumStmt;
  if (kind !== 'AlterEnumStmt' || alter.oldVal !== undefined) return undefined;
  const placement = placementOf(statement, context.statements);
  if (placement.alone) return undefined;
  const key = enumKeyOf(names(alter.typeName));
  const sameTransaction = context.statements.filter((s) => placementOf(s, context.statements).transaction === placement.transaction);
  const createdHere = sameTransaction.some((s) => {
    const [k, b] = bodyOf(s);
    return k === 'CreateEnumStmt' && enumKeyOf(names((b as CreateEnumStmt).typeName)) === key && s.startOffset < statement.startOffset;
  });
  if (createdHere) return undefined;
  return {
    message: `ALTER TYPE ... ADD VALUE shares its file with other statements: PostgreSQL ${context.postgresVersion} refuses it inside a transaction block or a multi-statement script, so the migration fails and \`prisma migrate deploy\` stops there.`,
    help: 'Put the ADD VALUE alone in a migration folder of its own, and use the value in a later migration.',
  };
}

function enumKeyOf(parts: string[]): string {
  const { schema, name } = splitQualified(parts);
  return tableKey(schema, name);
}

export default rule;
