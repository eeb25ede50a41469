/**
 * Where a statement uses an enum value that `ALTER TYPE ... ADD VALUE` added
 * earlier in the same transaction. PostgreSQL 12 and later reject such a use
 * ("unsafe use of new value ... New enum values must be committed before they
 * can be used"), and Prisma runs a migration file as one transaction, so a
 * file that adds a value and then stores it, defaults to it, compares with
 * it or casts to it fails. The syntax tree alone cannot say which literal
 * becomes an enum; the places read here are the ones where the enum type is
 * certain: a cast to the type, a column of the type on one side of a
 * comparison, the value assigned or inserted into such a column, and the
 * default of such a column. A literal compared with a column cast to text
 * (`role::text = 'ADMIN'`) stays text and is fine, as in PostgreSQL.
 */
import type { Node, RangeVar, TypeName } from 'libpg-query';
import { findInParseTree, walkParseTree } from './parseTree';
import { names, unwrap } from './pgTypes';

/** What the detector needs from the replayed state. */
export interface EnumUseScope {
  /** The enum key a type name denotes, or undefined when it is not an enum. */
  enumOf(typeName: TypeName | undefined): string | undefined;
  /** The table key of a relation as written (search path applied). */
  tableOf(relation: RangeVar): string;
  /** The enum key of a column of a known table, or undefined. */
  columnEnum(table: string, column: string): string | undefined;
  /** Columns of the table, in order (INSERT without a column list). */
  columnsOf(table: string): string[];
  /** Whether `value` of `enumKey` was added in the current, uncommitted transaction. */
  isNew(enumKey: string, value: string): boolean;
}

export interface EnumValueUse {
  enumKey: string;
  value: string;
}

const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

/** The first use of a new, uncommitted enum value in a statement's syntax tree, if any. */
export function newEnumValueUse(ast: unknown, scope: EnumUseScope): EnumValueUse | undefined {
  const tables: string[] = [];
  const localColumns = new Map<string, string>();
  collectScope(ast, scope, tables, localColumns);
  const columnEnum = (column: string): string | undefined => {
    const local = localColumns.get(column);
    if (local) return local;
    for (const table of tables) {
      const found = scope.columnEnum(table, column);
      if (found) return found;
    }
    return undefined;
  };
  const literal = (node: unknown, enumKey: string | undefined): EnumValueUse | undefined => {
    if (!enumKey) return undefined;
    const value = stringConstant(node);
    return value !== undefined && scope.isNew(enumKey, value) ? { enumKey, value } : undefined;
  };
  return findInParseTree(ast, (object) => {
    for (const [kind, value] of Object.entries(object)) {
      const body = (value ?? {}) as Record<string, unknown>;
      let found: EnumValueUse | undefined;
      switch (kind) {
        case 'TypeCast':
          found = literal(body.arg, scope.enumOf(body.typeName as TypeName | undefined));
          break;
        case 'A_Expr': {
          const operator = names(body.name as Node[] | undefined).pop() ?? '';
          if (body.kind === 'AEXPR_OP' && COMPARISONS.has(operator)) {
            found = literal(body.rexpr, columnEnum(columnName(body.lexpr) ?? '')) ?? literal(body.lexpr, columnEnum(columnName(body.rexpr) ?? ''));
          } else if (body.kind === 'AEXPR_IN') {
            const enumKey = columnEnum(columnName(body.lexpr) ?? '');
            const [listKind, list] = unwrap(body.rexpr);
            for (const item of listKind === 'List' ? ((list.items as unknown[]) ?? []) : []) found ??= literal(item, enumKey);
          }
          break;
        }
        case 'UpdateStmt':
          for (const target of (body.targetList as unknown[]) ?? []) {
            const [, res] = unwrap(target);
            found ??= literal(res.val, columnEnum(String(res.name ?? '')));
          }
          break;
        case 'InsertStmt':
          found = insertedUse(body, scope, literal);
          break;
        case 'ColumnDef': {
          const enumKey = scope.enumOf(body.typeName as TypeName | undefined);
          for (const constraint of (body.constraints as unknown[]) ?? []) {
            const [, c] = unwrap(constraint);
            if (c.contype === 'CONSTR_DEFAULT') found ??= literal(c.raw_expr, enumKey);
          }
          break;
        }
        case 'AlterTableCmd':
          if (body.subtype === 'AT_ColumnDefault' && body.def) found = literal(body.def, columnEnum(String(body.name ?? '')));
          break;
        default:
          break;
      }
      if (found) return found;
    }
    return undefined;
  });
}

/** The relations a statement names and the enum columns it defines itself (CREATE TABLE, ADD COLUMN): where a bare column name is looked up. */
function collectScope(ast: unknown, scope: EnumUseScope, tables: string[], localColumns: Map<string, string>): void {
  walkParseTree(ast, (object) => {
    for (const [kind, value] of Object.entries(object)) {
      const body = (value ?? {}) as Record<string, unknown>;
      if (kind === 'RangeVar' || (kind === 'relation' && body.relname !== undefined)) {
        const table = scope.tableOf(body as RangeVar);
        if (!tables.includes(table)) tables.push(table);
      } else if (kind === 'ColumnDef' && body.colname) {
        const enumKey = scope.enumOf(body.typeName as TypeName | undefined);
        if (enumKey) localColumns.set(String(body.colname), enumKey);
      }
    }
  });
}

/** `INSERT INTO t (cols) VALUES (...)`: a new value in the position of an enum column. */
function insertedUse(body: Record<string, unknown>, scope: EnumUseScope, literal: (node: unknown, enumKey: string | undefined) => EnumValueUse | undefined): EnumValueUse | undefined {
  const relation = body.relation as RangeVar | undefined;
  if (!relation) return undefined;
  const table = scope.tableOf(relation);
  const listed = ((body.cols as unknown[]) ?? []).map((c) => String(unwrap(c)[1].name ?? ''));
  const columns = listed.length > 0 ? listed : scope.columnsOf(table);
  const [selectKind, select] = unwrap(body.selectStmt);
  if (selectKind !== 'SelectStmt') return undefined;
  for (const row of (select.valuesLists as unknown[]) ?? []) {
    const [, list] = unwrap(row);
    const items = (list.items as unknown[]) ?? [];
    for (let i = 0; i < items.length && i < columns.length; i++) {
      const use = literal(items[i], scope.columnEnum(table, columns[i]));
      if (use) return use;
    }
  }
  return undefined;
}

/** The last name of a column reference (`"role"`, `u.role`). */
function columnName(node: unknown): string | undefined {
  const [kind, body] = unwrap(node);
  if (kind !== 'ColumnRef') return undefined;
  return names(body.fields as Node[] | undefined).pop();
}

/** A string constant, possibly cast (`'ADMIN'`, `'ADMIN'::"Role"`). */
function stringConstant(node: unknown): string | undefined {
  const [kind, body] = unwrap(node);
  if (kind === 'TypeCast') return stringConstant(body.arg);
  if (kind !== 'A_Const') return undefined;
  const sval = body.sval as { sval?: string } | undefined;
  return sval?.sval;
}
