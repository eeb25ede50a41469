import type { AlterColumnType } from '../diff/changes';
import { ident } from './support/dialect';
import { fieldName } from './support/wording';
import type { RuleReport, SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'remove-enum-value',
  target: 'schema',
  title: 'Enum value removed or renamed',
  defaultSeverity: 'error',
  why: 'Prisma recreates the enum type without the value and casts every column that uses it: the migration fails if any row still holds the value, and the cast rewrites those tables under lock.',
  safePath: 'Move rows to another value and deploy code that no longer writes it; remove the value in a later release. To rename a value, hand-edit the migration to ALTER TYPE ... RENAME VALUE.',
  providers: ['postgresql', 'mysql'],
  detect(change, context) {
    if (change.kind === 'alterColumnType' && context.provider === 'mysql') return mysqlEnumColumn(change);
    if (change.kind !== 'removeEnumValue' || context.provider === 'sqlite') return [];
    const enumName = `\`${change.model ?? change.table}\``;
    const users = change.usedBy.length > 0 ? ` (used by ${change.usedBy.map((u) => `\`${u}\``).join(', ')})` : '';
    if (change.renamedTo) {
      return [{
        message: `Enum value \`${change.value}\` of ${enumName} looks renamed to \`${change.renamedTo}\`: Prisma removes the old value and adds the new one, so the migration fails if any row still holds \`${change.value}\`${users}.`,
        help: context.provider === 'postgresql'
          ? `Hand-edit the migration to \`ALTER TYPE "${change.table}" RENAME VALUE '${change.value}' TO '${change.renamedTo}'\`, which keeps the rows; or add the new value, move rows, then remove the old one later.`
          : 'Add the new value first, move rows to it, deploy, then remove the old value in a later release.',
      }];
    }
    return [{
      message: `Enum value \`${change.value}\` removed from ${enumName}: the migration fails if any row still holds it${users}, and the type change rewrites those tables under lock.`,
      help: 'Move rows to another value and deploy code that no longer writes it first; remove the value in a later release.',
    }];
  },
};

/**
 * MySQL has no enum types: each column lists its values inline, and Prisma
 * changes the list with MODIFY ... ENUM(...). Only values appended at the end
 * are an instant change; removing (or renaming) one copies the whole table,
 * and in strict mode the copy fails on a row that holds the value (without
 * strict mode that row silently gets '').
 */
function mysqlEnumColumn(change: AlterColumnType): RuleReport[] {
  const from = change.from.enumValues;
  const to = change.to.enumValues;
  if (!from || !to) return [];
  const removed = from.filter((v) => !to.includes(v));
  const added = to.filter((v) => !from.includes(v));
  const column = fieldName(change);
  const table = ident(change.table, 'mysql');
  const name = ident(change.column, 'mysql');
  return removed.map((value): RuleReport => {
    const candidate = to[from.indexOf(value)];
    const renamedTo = candidate !== undefined && added.includes(candidate) && removed.length === added.length ? candidate : undefined;
    const copy = `Prisma's \`MODIFY ... ENUM(...)\` copies the whole table (ALGORITHM=COPY, writes blocked until it ends) and, in strict mode, fails if any row still holds \`${value}\` — without strict mode those rows silently become ''`;
    const subject = { table: change.tableKey, columns: [change.column], value };
    if (renamedTo) {
      return {
        subject,
        message: `Enum value \`${value}\` of ${column} looks renamed to \`${renamedTo}\`: MySQL cannot rename an ENUM value; ${copy}.`,
        help: `Append \`${renamedTo}\` at the end of the list first (an instant change), move the rows (\`UPDATE ${table} SET ${name} = '${renamedTo}' WHERE ${name} = '${value}' LIMIT 1000\`, repeated until no row changes), deploy code that writes \`${renamedTo}\`, then remove \`${value}\` in a later release (a table copy whatever you do; the phased migration writes these steps).`,
      };
    }
    return {
      subject,
      message: `Enum value \`${value}\` removed from ${column}: ${copy}.`,
      help: `Move the rows to another value first (\`UPDATE ${table} SET ${name} = ... WHERE ${name} = '${value}' LIMIT 1000\`, repeated until no row changes) and deploy code that no longer writes it; remove the value in a later release (a table copy whatever you do; the phased migration writes these steps).`,
    };
  });
}

export default rule;
