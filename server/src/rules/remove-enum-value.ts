import type { SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'remove-enum-value',
  target: 'schema',
  title: 'Enum value removed or renamed',
  defaultSeverity: 'error',
  why: 'Prisma recreates the enum type without the value and casts every column that uses it: the migration fails if any row still holds the value, and the cast rewrites those tables under lock.',
  safePath: 'Move rows to another value and deploy code that no longer writes it; remove the value in a later release. To rename a value, hand-edit the migration to ALTER TYPE ... RENAME VALUE.',
  providers: ['postgresql', 'mysql'],
  detect(change, context) {
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

export default rule;
