import type { Change } from '../../diff/changes';

/** `Model.field` as the person editing the schema knows it, falling back to database names. */
export function fieldName(change: Change & { column: string }): string {
  return `\`${change.model ?? change.table}.${change.field ?? change.column}\``;
}

export function modelName(change: Change): string {
  return `\`${change.model ?? change.table}\``;
}

/** The table as the database knows it, only where it differs from the model name. */
export function tableSuffix(change: Change): string {
  return change.model && change.model !== change.table ? ` (table \`${change.table}\`)` : '';
}

/** "migration `20240301_add_index` (line 3)": where a pending file carries a change out, for the person editing. */
export function carriedAt(statement: { migration: string; statement: { range: { start: { line: number } } } }): string {
  return `migration \`${statement.migration}\` (line ${statement.statement.range.start.line + 1})`;
}
