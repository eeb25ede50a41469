import type { ObjectValue, ScannedValue } from '../scan/types';

/**
 * The SQL condition of a partial index written in Prisma 7's object form,
 * `where: { deletedAt: null, status: { not: "gone" } }`. Prisma accepts, per
 * field, `true`, `false`, `null`, a string, a number, or `{ not: <one of
 * those> }`, and joins the fields with AND (Prisma's own output for two fields:
 * `("deletedAt" IS NULL AND "postcode" IS NOT NULL)`).
 *
 * The diff compares it with the migration's predicate as the SQL parser
 * prints both. Undefined when a field is not a scalar field of the model or a
 * value is outside that grammar: the caller then keeps the condition as
 * written.
 */
export function objectPredicate(where: ObjectValue, columns: ReadonlyMap<string, string>): string | undefined {
  const conditions: string[] = [];
  for (const field of where.fields) {
    const column = field.name === undefined ? undefined : columns.get(field.name);
    if (column === undefined || !field.value) return undefined;
    const condition = fieldCondition(quoteIdentifier(column), field.value);
    if (condition === undefined) return undefined;
    conditions.push(condition);
  }
  return conditions.length > 0 ? conditions.join(' AND ') : undefined;
}

function fieldCondition(column: string, value: ScannedValue): string | undefined {
  if (value.kind === 'object') {
    const only = value.fields.length === 1 ? value.fields[0] : undefined;
    if (only?.name !== 'not' || !only.value) return undefined;
    if (isNull(only.value)) return `${column} IS NOT NULL`;
    const constant = constantSql(only.value);
    return constant === undefined ? undefined : `${column} <> ${constant}`;
  }
  if (isNull(value)) return `${column} IS NULL`;
  const constant = constantSql(value);
  return constant === undefined ? undefined : `${column} = ${constant}`;
}

function isNull(value: ScannedValue): boolean {
  return value.kind === 'identifier' && value.name === 'null';
}

function constantSql(value: ScannedValue): string | undefined {
  if (value.kind === 'identifier') return value.name === 'true' || value.name === 'false' ? value.name : undefined;
  if (value.kind === 'number') return value.raw;
  if (value.kind === 'string') return `'${value.value.replace(/'/g, "''")}'`;
  return undefined;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
