import type { AlterEnumStmt, CreateEnumStmt, CreateStmt, DropStmt, IndexStmt, Node, RenameStmt, UpdateStmt } from 'libpg-query';
import { names, unwrap } from '../replay/pgTypes';
import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, at, bodyOf, columnDefOf, constraintOf, droppedKeys, headRange, relationKey } from './support/sqlAst';
import type { SqlRule } from './types';

/** Words that describe the activity, not the change. */
const VAGUE = new Set([
  'update', 'updates', 'updated', 'updating', 'schema', 'schemas', 'fix', 'fixes', 'fixed', 'fixing', 'change', 'changes', 'changed',
  'migration', 'migrations', 'migrate', 'wip', 'test', 'tests', 'testing', 'tmp', 'temp', 'misc', 'stuff', 'new', 'db', 'database',
  'prisma', 'model', 'models', 'table', 'tables', 'field', 'fields', 'column', 'columns', 'data', 'patch', 'hotfix', 'sync', 'save',
  'edit', 'edits', 'modify', 'modified', 'minor', 'small', 'tweak', 'tweaks', 'latest', 'dev', 'v', 'version', 'again', 'final',
  'more', 'some', 'various', 'cleanup', 'refactor', 'init', 'initial', 'first', 'baseline', 'setup', 'asdf', 'foo', 'bar', 'add',
  'remove', 'delete', 'copy', 'draft', 'todo', 'x', 'y', 'z',
]);
/** Glue words that neither make a name vague nor descriptive. */
const FILLER = new Set(['and', 'to', 'the', 'of', 'for', 'in', 'from', 'on', 'a', 'an', 'with']);
/** A first migration may say only that it is the first. */
const FIRST = new Set(['init', 'initial', 'first', 'baseline', 'setup', 'schema', 'migration', 'db', 'database']);

const rule: SqlRule = {
  id: 'migration-name',
  target: 'sql',
  title: 'Migration name that says nothing',
  defaultSeverity: 'info',
  why: 'Migration folder names are what prisma migrate status, the _prisma_migrations table and deploy logs show: `update_schema` does not tell anyone in an incident which migration added the lock or dropped the column.',
  safePath: 'Name the change, not the activity (add_phone_to_user, create_invoice), and rename the folder before it is applied anywhere.',
  providers: ['postgresql', 'mysql', 'sqlite'],
  detect(statement, context) {
    // One finding per folder, on its first statement.
    if (context.statements[0] !== statement) return [];
    const prefix = /^(\d+)[_-]?/.exec(context.migration)?.[0] ?? '';
    const name = context.migration.slice(prefix.length);
    const first = Object.keys(context.baseline.tables).length === 0;
    const suggestion = suggestName(context.statements);
    // `add_models_table` is descriptive where `models` is a table: table names are never vague words.
    const tables = [...Object.values(context.baseline.tables).map((t) => t.name), ...(suggestion?.tables ?? [])];
    if (!isVague(name, first, tables)) return [];
    if (suggestion && suggestion.name === name.toLowerCase()) return [];
    const shown = name.trim() === '' ? 'This migration folder has no name after its timestamp' : `The migration name \`${name}\` says nothing about what it does`;
    const split = suggestion && suggestion.others > 0 ? ` It also makes ${suggestion.others} other kind${suggestion.others > 1 ? 's' : ''} of change: consider splitting it.` : '';
    return [{
      message: `${shown}: in \`prisma migrate status\`, the deploy log and \`_prisma_migrations\` nobody can tell it apart from the others.${split}`,
      help: suggestion
        ? `Rename the folder to \`${prefix}${suggestion.name}\` before it is applied anywhere (Prisma records the name; keep the timestamp).`
        : `Rename the folder to \`${prefix}<what_it_changes>\` before it is applied anywhere (Prisma records the name; keep the timestamp).`,
      ...at(context, headRange(statement)),
    }];
  },
};

export function isVague(name: string, firstMigration: boolean, tables: string[] = []): boolean {
  const tokens = words(name);
  const meaningful = tokens.filter((t) => !/^\d+$/.test(t) && !FILLER.has(t));
  if (meaningful.length === 0) return true;
  const numbered = tokens.some((t) => /^\d+$/.test(t));
  if (firstMigration && !numbered && meaningful.some((w) => w === 'init' || w === 'initial' || w === 'baseline' || w === 'first') && meaningful.every((w) => FIRST.has(w))) return false;
  const singular = (w: string): string => w.replace(/s$/, '');
  const tableWords = new Set(tables.flatMap(words).map(singular));
  return meaningful.every((w) => (VAGUE.has(w) || w.length <= 1) && !tableWords.has(singular(w)));
}

/** `add_phoneNumber2` → add, phone, number, 2. */
function words(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/([a-z])(\d)/g, '$1_$2')
    .replace(/(\d)([a-z])/g, '$1_$2')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

// ---------------------------------------------------------------------------
// What the migration does, as a name

interface Action {
  verb: 'create' | 'redefine' | 'drop' | 'add' | 'remove' | 'rename' | 'alter' | 'require' | 'optional' | 'index' | 'unique' | 'enum' | 'value' | 'rls' | 'relation' | 'backfill';
  table: string;
  /** Column, index columns, enum value, new name: what the phrase needs. */
  items: string[];
}

const WEIGHT: Record<Action['verb'], number> = {
  create: 10, drop: 9, redefine: 8, add: 8, remove: 8, rename: 8, alter: 7, require: 6, optional: 6, enum: 5, value: 5, index: 5, unique: 5, rls: 5, backfill: 4, relation: 3,
};

/** A name for what the statements do, how many other kinds of change they also make, and the tables they touch. */
export function suggestName(statements: ParsedStatement[]): { name: string; others: number; tables: string[] } | undefined {
  const all = statements.flatMap((s) => (s.ast ? actionsOf(s) : actionsFromText(s.text)));
  // Prisma's SQLite table redefinition drops the old table it copied into new_<table>: not a drop.
  const redefined = new Set(all.filter((a) => a.verb === 'redefine').map((a) => a.table));
  const actions = all.filter((a) => !(a.verb === 'drop' && redefined.has(a.table)));
  if (actions.length === 0) return undefined;
  let top = actions[0];
  for (const action of actions) if (WEIGHT[action.verb] > WEIGHT[top.verb]) top = action;
  const same = actions.filter((a) => a.verb === top.verb);
  const others = new Set(actions.filter((a) => a.verb !== top.verb && WEIGHT[a.verb] >= 5).map((a) => a.verb)).size;
  return { name: shorten(phrase(top.verb, same)), others, tables: unique(actions.map((a) => a.table)) };
}

function phrase(verb: Action['verb'], actions: Action[]): string {
  const tables = unique(actions.map((a) => snake(a.table)));
  const listTables = tables.length <= 2 ? tables.join('_and_') : `${tables[0]}_and_${tables.length - 1}_more_tables`;
  const items = unique(actions.flatMap((a) => a.items.map(snake)));
  const listItems = (noun: string): string => (items.length <= 2 ? items.join('_and_') : noun);
  switch (verb) {
    case 'create':
      return `create_${listTables}`;
    case 'drop':
      return `drop_${listTables}`;
    case 'redefine':
      return `alter_${listTables}`;
    case 'add':
      return tables.length === 1 ? `add_${listItems('columns')}_to_${tables[0]}` : `add_columns_to_${listTables}`;
    case 'remove':
      return tables.length === 1 ? `remove_${listItems('columns')}_from_${tables[0]}` : `remove_columns_from_${listTables}`;
    case 'rename': {
      if (actions.length > 1) return `rename_in_${listTables}`;
      const [from, to, column] = actions[0].items;
      return `rename_${snake(from ?? '')}_to_${snake(to ?? '')}${column ? `_in_${tables[0]}` : ''}`;
    }
    case 'alter':
      return tables.length === 1 ? `change_${listItems('columns')}_type_in_${tables[0]}` : `change_column_types_in_${listTables}`;
    case 'require':
      return tables.length === 1 ? `make_${listItems('columns')}_required_in_${tables[0]}` : `make_columns_required_in_${listTables}`;
    case 'optional':
      return tables.length === 1 ? `make_${listItems('columns')}_optional_in_${tables[0]}` : `make_columns_optional_in_${listTables}`;
    case 'index':
    case 'unique': {
      const first = actions[0];
      const kind = verb === 'unique' ? 'unique' : 'index';
      return actions.length === 1 ? `add_${kind}_${snake(first.table)}_${first.items.map(snake).join('_')}` : `add_${kind}es_${listTables}`.replace('uniquees', 'unique_constraints');
    }
    case 'enum':
      return `create_${listTables}_enum`;
    case 'value':
      return tables.length === 1 ? `add_${listItems('values')}_to_${tables[0]}` : `add_enum_values_to_${listTables}`;
    case 'rls':
      return `enable_rls_on_${listTables}`;
    case 'relation':
      return tables.length === 1 ? `add_relation_${tables[0]}_${listItems('tables')}` : `add_relations_to_${listTables}`;
    case 'backfill':
      return tables.length === 1 ? `backfill_${listItems('columns')}_in_${tables[0]}` : `backfill_${listTables}`;
  }
}

function actionsOf(statement: ParsedStatement): Action[] {
  const [kind, body] = bodyOf(statement);
  const bare = (key: string | undefined): string => (key ?? '').slice((key ?? '').lastIndexOf('.') + 1);
  switch (kind) {
    case 'CreateStmt': {
      const table = bare(relationKey((body as CreateStmt).relation));
      return table.startsWith('new_') ? [{ verb: 'redefine', table: table.slice(4), items: [] }] : [{ verb: 'create', table, items: [] }];
    }
    case 'CreateEnumStmt': {
      const parts = names((body as CreateEnumStmt).typeName);
      return [{ verb: 'enum', table: parts[parts.length - 1] ?? '', items: [] }];
    }
    case 'AlterEnumStmt': {
      const stmt = body as AlterEnumStmt;
      const parts = names(stmt.typeName);
      return stmt.newVal && !stmt.oldVal ? [{ verb: 'value', table: parts[parts.length - 1] ?? '', items: [stmt.newVal] }] : [];
    }
    case 'DropStmt': {
      const stmt = body as DropStmt;
      return stmt.removeType === 'OBJECT_TABLE' ? droppedKeys(stmt).map((key) => ({ verb: 'drop' as const, table: bare(key), items: [] })) : [];
    }
    case 'IndexStmt': {
      const stmt = body as IndexStmt;
      const columns = (stmt.indexParams ?? []).map((p) => String(unwrap(p)[1].name ?? 'expression'));
      return [{ verb: stmt.unique ? 'unique' : 'index', table: bare(relationKey(stmt.relation)), items: columns }];
    }
    case 'RenameStmt': {
      const stmt = body as RenameStmt;
      const table = bare(relationKey(stmt.relation));
      if (stmt.renameType === 'OBJECT_TABLE' && stmt.newname) {
        // Prisma's SQLite redefinition renames new_<table> back: that is not a rename.
        return table.startsWith('new_') ? [] : [{ verb: 'rename', table, items: [table, stmt.newname] }];
      }
      if (stmt.renameType === 'OBJECT_COLUMN' && stmt.subname && stmt.newname) return [{ verb: 'rename', table, items: [stmt.subname, stmt.newname, 'column'] }];
      return [];
    }
    case 'UpdateStmt': {
      const stmt = body as UpdateStmt;
      const columns = (stmt.targetList ?? []).map((t) => String(unwrap(t)[1].name ?? ''));
      return [{ verb: 'backfill', table: bare(relationKey(stmt.relation)), items: columns }];
    }
    case 'AlterTableStmt': {
      const alter = alterTableOf(statement);
      if (!alter) return [];
      const table = bare(alter.key);
      const actions: Action[] = [];
      for (const command of alter.commands) {
        const column = command.name ?? '';
        switch (command.subtype) {
          case 'AT_AddColumn':
            actions.push({ verb: 'add', table, items: [columnDefOf(command.def)?.colname ?? ''] });
            break;
          case 'AT_DropColumn':
            actions.push({ verb: 'remove', table, items: [column] });
            break;
          case 'AT_AlterColumnType':
            actions.push({ verb: 'alter', table, items: [column] });
            break;
          case 'AT_SetNotNull':
            actions.push({ verb: 'require', table, items: [column] });
            break;
          case 'AT_DropNotNull':
            actions.push({ verb: 'optional', table, items: [column] });
            break;
          case 'AT_EnableRowSecurity':
            actions.push({ verb: 'rls', table, items: [] });
            break;
          case 'AT_AddConstraint': {
            const constraint = constraintOf(command.def);
            if (constraint?.contype === 'CONSTR_FOREIGN') actions.push({ verb: 'relation', table, items: [bare(relationKey(constraint.pktable))] });
            if (constraint?.contype === 'CONSTR_UNIQUE') actions.push({ verb: 'unique', table, items: names(constraint.keys as Node[] | undefined) });
            break;
          }
          default:
            break;
        }
      }
      return actions;
    }
    default:
      return [];
  }
}

const IDENT = '(?:`([^`]+)`|"([^"]+)"|\\[([^\\]]+)\\]|([A-Za-z_][\\w$]*))';

/** MySQL and SQLite statements (and what PostgreSQL could not parse) are read with patterns. */
function actionsFromText(text: string): Action[] {
  const ident = (match: RegExpExecArray, from: number): string => match[from] ?? match[from + 1] ?? match[from + 2] ?? match[from + 3] ?? '';
  const actions: Action[] = [];
  let m = new RegExp(`^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'i').exec(text);
  if (m) {
    const table = ident(m, 1);
    return [table.startsWith('new_') ? { verb: 'redefine', table: table.slice(4), items: [] } : { verb: 'create', table, items: [] }];
  }
  m = new RegExp(`^DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}`, 'i').exec(text);
  if (m) return [{ verb: 'drop', table: ident(m, 1), items: [] }];
  m = new RegExp(`^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+${IDENT}\\s+ON\\s+${IDENT}\\s*\\(([^)]*)\\)`, 'i').exec(text);
  if (m) {
    const columns = m[10].split(',').map((c) => c.trim().replace(/^[`"[]|[`"\]]$/g, '').replace(/\s.*$/, ''));
    return [{ verb: m[1] ? 'unique' : 'index', table: ident(m, 6), items: columns }];
  }
  m = new RegExp(`^RENAME\\s+TABLE\\s+${IDENT}\\s+TO\\s+${IDENT}`, 'i').exec(text);
  if (m) return [{ verb: 'rename', table: ident(m, 1), items: [ident(m, 1), ident(m, 5)] }];
  m = new RegExp(`^ALTER\\s+TABLE\\s+${IDENT}\\s*`, 'i').exec(text);
  if (m) {
    const table = ident(m, 1);
    for (const clause of topLevelClauses(text.slice(m[0].length))) {
      const action = alterClause(clause, table, ident);
      if (action) actions.push(action);
    }
  }
  return actions;
}

/** One clause of a MySQL or SQLite ALTER TABLE; what does not name a column change (defaults, keys, options) gives nothing. */
function alterClause(clause: string, table: string, ident: (match: RegExpExecArray, from: number) => string): Action | undefined {
  const KEYWORDS = /^(CONSTRAINT|INDEX|KEY|UNIQUE|PRIMARY|FOREIGN|FULLTEXT|SPATIAL|CHECK|DEFAULT|PARTITION)$/i;
  let c = new RegExp(`^(ADD|DROP)\\s+(?:COLUMN\\s+)?${IDENT}`, 'i').exec(clause);
  if (c) {
    const column = ident(c, 2);
    if (KEYWORDS.test(column)) return undefined;
    return { verb: c[1].toUpperCase() === 'ADD' ? 'add' : 'remove', table, items: [column] };
  }
  c = new RegExp(`^MODIFY\\s+(?:COLUMN\\s+)?${IDENT}`, 'i').exec(clause);
  if (c) return { verb: 'alter', table, items: [ident(c, 1)] };
  c = new RegExp(`^CHANGE\\s+(?:COLUMN\\s+)?${IDENT}\\s+${IDENT}`, 'i').exec(clause);
  if (c) {
    const [from, to] = [ident(c, 1), ident(c, 5)];
    return from === to ? { verb: 'alter', table, items: [from] } : { verb: 'rename', table, items: [from, to, 'column'] };
  }
  c = new RegExp(`^RENAME\\s+COLUMN\\s+${IDENT}\\s+TO\\s+${IDENT}`, 'i').exec(clause);
  if (c) return { verb: 'rename', table, items: [ident(c, 1), ident(c, 5), 'column'] };
  c = new RegExp(`^RENAME\\s+(?:TO\\s+|AS\\s+)?${IDENT}`, 'i').exec(clause);
  // `new_X` renamed to X ends SQLite's table redefinition, already counted as one.
  if (c && !/^(INDEX|KEY|COLUMN)$/i.test(ident(c, 1)) && !table.startsWith('new_')) return { verb: 'rename', table, items: [table, ident(c, 1)] };
  return undefined;
}

/** The comma-separated clauses of an ALTER TABLE, commas inside parentheses and quotes left alone. */
function topLevelClauses(text: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      clauses.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  clauses.push(text.slice(start).replace(/;\s*$/, '').trim());
  return clauses.filter((clause) => clause.length > 0);
}

function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function unique(list: string[]): string[] {
  return [...new Set(list.filter(Boolean))];
}

/** Folder names stay readable: cut at a word boundary. */
function shorten(name: string): string {
  const clean = name.replace(/_+/g, '_').replace(/^_|_$/g, '');
  if (clean.length <= 60) return clean;
  return clean.slice(0, 60).replace(/_[^_]*$/, '');
}

export default rule;
