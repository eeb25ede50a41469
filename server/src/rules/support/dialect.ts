import type { Provider } from '../../core/dbState';

/**
 * Identifiers for the SQL that MySQL and SQLite messages print, in the
 * provider's own quoting: bare when the name needs no quotes (so the SQL
 * reads naturally inside a message's `code` span), else `backticks` on MySQL
 * and "double quotes" on SQLite.
 */
const RESERVED = new Set([
  'add', 'all', 'alter', 'and', 'as', 'between', 'by', 'case', 'check', 'column', 'constraint', 'create', 'cross', 'default', 'delete',
  'desc', 'distinct', 'drop', 'else', 'exists', 'for', 'foreign', 'from', 'group', 'having', 'in', 'index', 'inner', 'insert', 'into',
  'is', 'join', 'key', 'left', 'like', 'limit', 'not', 'null', 'on', 'or', 'order', 'primary', 'references', 'right', 'select', 'set',
  'table', 'then', 'to', 'union', 'unique', 'update', 'using', 'values', 'when', 'where', 'with', 'rank', 'row', 'rows', 'range', 'groups',
]);

export function ident(name: string, provider: Provider): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase())) return name;
  return provider === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`;
}
