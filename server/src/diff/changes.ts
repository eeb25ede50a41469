import type { ColumnType, DbColumn, DbDefault, DbEnum, DbForeignKey, DbIndex, DbPrimaryKey, DbTable } from '../core/dbState';
import type { SourceRef } from '../core/source';

/**
 * One difference between the deployed database (baseline) and the database the
 * edited schema describes (expected). Every change carries the schema place it
 * comes from; for something removed, the place it was removed from.
 */
export type Change =
  | AddTable
  | DropTable
  | RenameTable
  | AddColumn
  | DropColumn
  | RenameColumn
  | AlterColumnType
  | SetNotNull
  | DropNotNull
  | SetDefault
  | DropDefault
  | AddIndex
  | DropIndex
  | RenameIndex
  | AddForeignKey
  | DropForeignKey
  | RenameForeignKey
  | ChangePrimaryKey
  | AddEnum
  | DropEnum
  | AddEnumValue
  | RemoveEnumValue
  | AddView
  | DropView;

interface ChangeBase {
  /** Database table name (for enum changes: the enum name). */
  table: string;
  /** Key of the table in DbState.tables (schema-qualified outside the default schema). */
  tableKey: string;
  source: SourceRef;
  /** The Prisma model behind the table, when the edited schema has one. */
  model?: string;
  /** The Prisma field behind the column, when the change is about one column the edited schema has. */
  field?: string;
  /** The table is an implicit many-to-many join table that Prisma manages. */
  implicitManyToMany?: boolean;
}

export interface AddTable extends ChangeBase { kind: 'addTable'; after: DbTable }
export interface DropTable extends ChangeBase { kind: 'dropTable'; before: DbTable }
export interface RenameTable extends ChangeBase { kind: 'renameTable'; from: string; before: DbTable; after: DbTable; modelName: string }
export interface AddColumn extends ChangeBase {
  kind: 'addColumn';
  column: string;
  after: DbColumn;
  /** `uuid()`, `cuid()`, `now()`-style defaults Prisma Client fills in but the database does not have. */
  prismaDefault?: string;
}
export interface DropColumn extends ChangeBase { kind: 'dropColumn'; column: string; before: DbColumn }
export interface RenameColumn extends ChangeBase {
  kind: 'renameColumn';
  column: string;
  from: string;
  before: DbColumn;
  after: DbColumn;
  /** The Prisma field name of the new column. */
  fieldName: string;
}
export interface AlterColumnType extends ChangeBase { kind: 'alterColumnType'; column: string; from: ColumnType; to: ColumnType; before: DbColumn; after: DbColumn }
export interface SetNotNull extends ChangeBase { kind: 'setNotNull'; column: string; before: DbColumn; after: DbColumn }
export interface DropNotNull extends ChangeBase { kind: 'dropNotNull'; column: string; before: DbColumn; after: DbColumn }
export interface SetDefault extends ChangeBase { kind: 'setDefault'; column: string; from?: DbDefault; to: DbDefault }
export interface DropDefault extends ChangeBase { kind: 'dropDefault'; column: string; from: DbDefault; prismaDefault?: string }
export interface AddIndex extends ChangeBase {
  kind: 'addIndex';
  index: DbIndex;
  unique: boolean;
  /** The database's index of the same name that Prisma drops to build this one (another operator class, sort order, method, columns). */
  replaces?: DbIndex;
}
export interface DropIndex extends ChangeBase { kind: 'dropIndex'; index: DbIndex; unique: boolean }
export interface RenameIndex extends ChangeBase { kind: 'renameIndex'; from: string; to: string; index: DbIndex }
export interface AddForeignKey extends ChangeBase { kind: 'addForeignKey'; foreignKey: DbForeignKey }
export interface DropForeignKey extends ChangeBase { kind: 'dropForeignKey'; foreignKey: DbForeignKey }
export interface RenameForeignKey extends ChangeBase { kind: 'renameForeignKey'; from: string; to: string; foreignKey: DbForeignKey }
export interface ChangePrimaryKey extends ChangeBase { kind: 'changePrimaryKey'; from?: DbPrimaryKey; to?: DbPrimaryKey; onlyName: boolean }
export interface AddEnum extends ChangeBase { kind: 'addEnum'; after: DbEnum }
export interface DropEnum extends ChangeBase { kind: 'dropEnum'; before: DbEnum }
export interface AddEnumValue extends ChangeBase { kind: 'addEnumValue'; value: string }
export interface RemoveEnumValue extends ChangeBase {
  kind: 'removeEnumValue';
  value: string;
  /** Set when a value was added at the same position: most likely a rename. */
  renamedTo?: string;
  /** Columns (`table.column`) in the baseline that use this enum. */
  usedBy: string[];
}

/** A `view` block (views preview feature) whose view no migration creates; `table` is the view's name. */
export interface AddView extends ChangeBase { kind: 'addView' }
/** A view the migrations create that a schema declaring views does not declare; `table` is the view's name. */
export interface DropView extends ChangeBase { kind: 'dropView'; materialized: boolean }

export type ChangeKind = Change['kind'];

/** The short, stable JSON form of a change for the CLI (`changes` and `findings[].change`). */
export function summarizeChange(change: Change): Record<string, unknown> {
  const summary: Record<string, unknown> = { kind: change.kind, table: change.table };
  switch (change.kind) {
    case 'addColumn':
    case 'dropColumn':
    case 'setNotNull':
    case 'dropNotNull':
    case 'setDefault':
    case 'dropDefault':
      summary.column = change.column;
      break;
    case 'renameColumn':
      summary.column = change.column;
      summary.from = change.from;
      break;
    case 'alterColumnType':
      summary.column = change.column;
      summary.from = formatTypeShort(change.from);
      summary.to = formatTypeShort(change.to);
      break;
    case 'renameTable':
      summary.from = change.from;
      break;
    case 'addIndex':
    case 'dropIndex':
      summary.index = change.index.name;
      summary.columns = change.index.columns;
      summary.unique = change.unique;
      if (change.index.method !== undefined) summary.method = change.index.method;
      if (change.index.where !== undefined) summary.where = change.index.where;
      break;
    case 'renameIndex':
    case 'renameForeignKey':
      summary.from = change.from;
      summary.to = change.to;
      break;
    case 'addForeignKey':
    case 'dropForeignKey':
      summary.constraint = change.foreignKey.name;
      summary.columns = change.foreignKey.columns;
      summary.references = change.foreignKey.referencedTable;
      break;
    case 'changePrimaryKey':
      summary.from = change.from?.columns;
      summary.to = change.to?.columns;
      break;
    case 'addEnumValue':
    case 'removeEnumValue':
      summary.value = change.value;
      break;
    default:
      break;
  }
  if (change.implicitManyToMany) summary.implicitManyToMany = true;
  return summary;
}

function formatTypeShort(type: ColumnType): string {
  let text = type.name;
  if (type.args.length > 0) text += `(${type.args.join(',')})`;
  if (type.array) text += '[]';
  return text;
}
