/**
 * What a view's query depends on, as PostgreSQL records it when the view is
 * created: the relations it reads, the columns of those relations it names
 * (`SELECT *` is every column the relation has at that moment), and the
 * functions it calls. PostgreSQL then refuses to drop or retype any of them
 * without CASCADE, and CASCADE drops the view.
 */
import type { Node, RangeVar } from 'libpg-query';
import { names, unwrap } from './pgTypes';

export interface ObjectDependencies {
  /** Keys of the tables, views and materialized views read. */
  relations: string[];
  /** Table key → the columns named. */
  columns: Record<string, string[]>;
  /** Lower-case names of functions the migrations created that the object calls. */
  functions: string[];
  /** Names of the types it casts to (`x::"Role"`): DROP TYPE | DOMAIN ... CASCADE drops the object with the type. */
  types?: string[];
  /** Lower-case names of the extension functions it calls (`similarity(...)`): DROP EXTENSION ... CASCADE drops the object. */
  extensionCalls?: string[];
}

export interface DependencyScope {
  /** The key of a relation as written (search path applied). */
  relationKey(relation: RangeVar): string;
  /** The columns of a table the replay knows, or undefined (views: their columns are not modelled). */
  columnsOf(key: string): string[] | undefined;
  /** Whether `name` (lower case) is a function the migrations created. */
  isUserFunction(name: string): boolean;
}

/** One FROM list: the known tables by alias, and whether it also reads sources whose columns the replay does not know (a subquery, a CTE, a view). */
interface Scope {
  tables: { key: string; alias: string }[];
  opaque: boolean;
}

export function viewDependencies(query: Node | undefined, scope: DependencyScope): ObjectDependencies {
  const relations = new Set<string>();
  const columns: Record<string, string[]> = {};
  const functions = new Set<string>();
  const add = (key: string, column: string): void => {
    const list = (columns[key] ??= []);
    if (!list.includes(column)) list.push(column);
  };

  /** A column reference, resolved as PostgreSQL does: the innermost FROM list that can have it. */
  const resolve = (fields: string[], scopes: Scope[]): void => {
    const column = fields[fields.length - 1];
    const qualifier = fields.length >= 2 ? fields[fields.length - 2] : undefined;
    for (const current of scopes) {
      if (qualifier !== undefined) {
        const table = current.tables.find((t) => t.alias === qualifier);
        if (!table) continue;
        if (column === '*') for (const name of scope.columnsOf(table.key) ?? []) add(table.key, name);
        else if (scope.columnsOf(table.key)?.includes(column)) add(table.key, column);
        return;
      }
      if (column === '*') {
        for (const table of current.tables) for (const name of scope.columnsOf(table.key) ?? []) add(table.key, name);
        return;
      }
      const owners = current.tables.filter((t) => scope.columnsOf(t.key)?.includes(column));
      for (const owner of owners) add(owner.key, column);
      // Found here, or it may be an output of a subquery or CTE of this list: either way not an outer table's.
      if (owners.length > 0 || current.opaque) return;
    }
  };

  const visit = (node: unknown, scopes: Scope[], ctes: Set<string>): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, scopes, ctes);
      return;
    }
    for (const [kind, value] of Object.entries(node as Record<string, unknown>)) {
      const body = (value ?? {}) as Record<string, unknown>;
      if (kind === 'SelectStmt') {
        visitSelect(body, scopes, ctes);
        continue;
      }
      if (kind === 'ColumnRef') {
        resolve(((body.fields as Node[] | undefined) ?? []).map((f) => (unwrap(f)[0] === 'A_Star' ? '*' : (names([f])[0] ?? ''))), scopes);
        continue;
      }
      if (kind === 'FuncCall') {
        const name = names(body.funcname as Node[] | undefined).pop()?.toLowerCase();
        if (name && scope.isUserFunction(name)) functions.add(name);
        // `to_jsonb(u.*)` passes the whole row, which depends on the table, not on its columns: dropping one is allowed.
        const wholeRow = (arg: unknown): boolean => {
          const fields = columnRefFields(arg);
          return fields !== undefined && fields.length > 0 && unwrap(fields[fields.length - 1])[0] === 'A_Star';
        };
        visit({ ...body, args: ((body.args as unknown[] | undefined) ?? []).filter((arg) => !wholeRow(arg)) }, scopes, ctes);
        continue;
      }
      visit(value, scopes, ctes);
    }
  };

  const visitSelect = (select: Record<string, unknown>, outer: Scope[], outerCtes: Set<string>): void => {
    const ctes = new Set(outerCtes);
    const withClause = select.withClause as { ctes?: Node[] } | undefined;
    for (const cte of withClause?.ctes ?? []) {
      const body = unwrap(cte)[1];
      ctes.add(String(body.ctename ?? ''));
      visit(body.ctequery, outer, ctes);
    }
    // UNION / INTERSECT / EXCEPT: each arm has its own FROM list.
    if (select.larg || select.rarg) {
      visitSelect((select.larg ?? {}) as Record<string, unknown>, outer, ctes);
      visitSelect((select.rarg ?? {}) as Record<string, unknown>, outer, ctes);
      return;
    }
    const local: Scope = { tables: [], opaque: false };
    const joinQuals: unknown[] = [];
    const subqueries: unknown[] = [];
    const readFrom = (item: unknown): void => {
      const [kind, body] = unwrap(item);
      if (kind === 'RangeVar') {
        const rv = body as RangeVar;
        const alias = rv.alias?.aliasname ?? rv.relname ?? '';
        if (!rv.schemaname && ctes.has(rv.relname ?? '')) {
          local.opaque = true;
          return;
        }
        const key = scope.relationKey(rv);
        relations.add(key);
        if (scope.columnsOf(key)) local.tables.push({ key, alias });
        else local.opaque = true;
      } else if (kind === 'JoinExpr') {
        readFrom(body.larg);
        readFrom(body.rarg);
        if (body.quals) joinQuals.push(body.quals);
      } else if (kind === 'RangeSubselect') {
        local.opaque = true;
        subqueries.push(body.subquery);
      } else {
        // A function in FROM (unnest(...), generate_series(...)): its columns are not a table's.
        local.opaque = true;
        subqueries.push(body);
      }
    };
    for (const item of (select.fromClause as unknown[]) ?? []) readFrom(item);
    const scopes = [local, ...outer];
    for (const subquery of subqueries) visit(subquery, outer, ctes);
    for (const qual of joinQuals) visit(qual, scopes, ctes);
    // In ORDER BY and DISTINCT ON a bare name means an output column first (`SELECT "id" AS "name" ... ORDER BY "name"` sorts by "id").
    const outputNames = new Set(((select.targetList as Node[] | undefined) ?? []).map((target) => unwrap(target)[1].name as string | undefined).filter((name): name is string => !!name));
    const namesOutput = (expression: unknown): boolean => {
      const fields = columnRefFields(expression);
      return fields?.length === 1 && outputNames.has(names(fields)[0] ?? '');
    };
    for (const [key, value] of Object.entries(select)) {
      if (key === 'fromClause' || key === 'withClause') continue;
      if (key === 'sortClause') visit((value as unknown[]).filter((sortBy) => !namesOutput((unwrap(sortBy as Node)[1] as { node?: Node }).node)), scopes, ctes);
      else if (key === 'distinctClause') visit((value as unknown[]).filter((expression) => !namesOutput(expression)), scopes, ctes);
      else visit(value, scopes, ctes);
    }
  };

  visit(query, [], new Set());
  return { relations: [...relations], columns, functions: [...functions] };
}

/** The fields of a column reference (`u."name"`, `u.*`), or undefined for any other node. */
function columnRefFields(node: unknown): Node[] | undefined {
  const [kind, ref] = unwrap(node as Node);
  return kind === 'ColumnRef' ? ((ref as { fields?: Node[] }).fields ?? []) : undefined;
}
