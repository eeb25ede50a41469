/**
 * Which statements of the pending migration files carry out a schema change:
 * the SQL that will really run. A change a pending file carries is judged on
 * that file (CONCURRENTLY, USING INDEX, RENAME, NOT VALID, a validated CHECK
 * before SET NOT NULL); only changes no file carries yet are judged on the SQL
 * Prisma would generate.
 */
import type { AlterTableCmd, DropStmt, IndexStmt, RenameStmt } from 'libpg-query';
import { tableKey } from '../core/dbState';
import type { Change } from '../diff/changes';
import { names, unwrap } from '../replay/pgTypes';
import type { ParsedStatement } from '../replay/statements';
import { alterTableOf, bodyOf, columnCopyBefore, columnDefOf, constraintOf, droppedKeys, relationKey, tableCopyBefore } from '../rules/support/sqlAst';
import type { CarryingStatement, ChangeCarrier } from '../rules/types';
import { changeIdentity } from './origin';
import type { PendingSql } from './pendingSql';

interface Located extends CarryingStatement {
  /** The only statement of its file. */
  alone: boolean;
}

/**
 * `carrier(change)` for the rules. `unmigrated` are the changes no migration
 * carries yet: those get no carrier, whatever the files say.
 */
export function carrierFinder(sql: PendingSql, unmigrated: Change[], postgresVersion: number): (change: Change) => ChangeCarrier | undefined {
  const outstanding = new Set(unmigrated.map(changeIdentity));
  const statements: Located[] = [];
  for (const file of sql.files) {
    for (const statement of file.statements) statements.push({ migration: file.name, file: file.file, statement, alone: file.statements.length === 1 });
  }
  const cache = new Map<Change, ChangeCarrier | undefined>();
  return (change) => {
    if (statements.length === 0 || outstanding.has(changeIdentity(change))) return undefined;
    if (!cache.has(change)) cache.set(change, findCarrier(change, statements, sql, postgresVersion));
    return cache.get(change);
  };
}

function findCarrier(change: Change, statements: Located[], sql: PendingSql, postgresVersion: number): ChangeCarrier | undefined {
  switch (change.kind) {
    case 'addIndex':
      return indexCarrier(change.tableKey, change.index.name, statements, sql);
    case 'changePrimaryKey': {
      if (!change.to) return undefined;
      const adding = findCommand(statements, change.tableKey, (c) => c.subtype === 'AT_AddConstraint' && constraintOf(c.def)?.contype === 'CONSTR_PRIMARY');
      if (!adding) return undefined;
      const constraint = constraintOf(adding.command.def);
      const index = constraint?.indexname;
      const built = index ? indexBuildOf(change.tableKey, index, statements, sql, adding.located) : undefined;
      return {
        statements: [...(built?.statements ?? []), adding.located],
        indexBuild: built?.build ?? 'blocking',
        provenNotNull: change.to.columns.filter((column) => provenNotNull(change.tableKey, column, adding.located, statements, sql, postgresVersion)),
      };
    }
    case 'renameColumn': {
      const rename = statements.find((s) => {
        const stmt = renameOf(s.statement);
        return stmt?.renameType === 'OBJECT_COLUMN' && relationKey(stmt.relation) === change.tableKey && stmt.subname === change.from && stmt.newname === change.column;
      });
      if (rename) return { statements: [rename], renamedInPlace: true };
      return copyCarrier(change.tableKey, change.from, statements, change.column);
    }
    case 'dropColumn':
      return copyCarrier(change.tableKey, change.column, statements);
    case 'dropTable':
      return rowCopyCarrier(sql, change.tableKey, statements);
    case 'renameTable': {
      const rename = statements.find((s) => {
        const stmt = renameOf(s.statement);
        return stmt?.renameType === 'OBJECT_TABLE' && stmt.relation?.relname === change.from && stmt.newname === change.table;
      });
      if (rename) return { statements: [rename], renamedInPlace: true };
      const schema = change.tableKey.includes('.') ? change.tableKey.slice(0, change.tableKey.lastIndexOf('.')) : undefined;
      return rowCopyCarrier(sql, tableKey(schema, change.from), statements, change.tableKey);
    }
    case 'setNotNull': {
      const setting = findCommand(statements, change.tableKey, (c) => c.subtype === 'AT_SetNotNull' && c.name === change.column);
      if (!setting) {
        // A primary key makes its columns NOT NULL (with the same scan when nothing proves them non-null).
        const keyed = findCommand(statements, change.tableKey, (c) => {
          const key = constraintOf(c.def);
          if (c.subtype !== 'AT_AddConstraint' || key?.contype !== 'CONSTR_PRIMARY') return false;
          const columns = key.indexname ? indexColumns(change.tableKey, key.indexname, statements, sql) : names(key.keys);
          return columns.includes(change.column);
        });
        return keyed ? { statements: [keyed.located], byPrimaryKey: true } : undefined;
      }
      return { statements: [setting.located], provenNotNull: provenNotNull(change.tableKey, change.column, setting.located, statements, sql, postgresVersion) ? [change.column] : [] };
    }
    case 'addColumn': {
      const adding = findCommand(statements, change.tableKey, (c) => c.subtype === 'AT_AddColumn' && columnDefOf(c.def)?.colname === change.column);
      if (!adding) return undefined;
      const constraints = (columnDefOf(adding.command.def)?.constraints ?? []).map(constraintOf);
      return { statements: [adding.located], generatedStored: constraints.some((c) => c?.contype === 'CONSTR_GENERATED') };
    }
    case 'addForeignKey': {
      const name = change.foreignKey.name;
      const adding = findCommand(statements, change.tableKey, (c) => {
        if (c.subtype === 'AT_AddConstraint') return constraintOf(c.def)?.contype === 'CONSTR_FOREIGN' && constraintOf(c.def)?.conname === name;
        // Inline REFERENCES on ADD COLUMN: PostgreSQL names it <table>_<column>_fkey.
        const column = c.subtype === 'AT_AddColumn' ? columnDefOf(c.def) : undefined;
        return (column?.constraints ?? []).some((node) => {
          const fk = constraintOf(node);
          return fk?.contype === 'CONSTR_FOREIGN' && (fk.conname ?? `${change.table}_${column?.colname ?? ''}_fkey`) === name;
        });
      });
      if (!adding) return undefined;
      const constraint = adding.command.subtype === 'AT_AddConstraint' ? constraintOf(adding.command.def) : undefined;
      // An inline REFERENCES checks only the column it adds, which holds NULLs (measured: no row is read).
      const inline = adding.command.subtype === 'AT_AddColumn' && !columnDefOf(adding.command.def)?.constraints?.some((c) => constraintOf(c)?.contype === 'CONSTR_DEFAULT');
      return { statements: [adding.located], validationSkipped: constraint?.skip_validation === true || inline };
    }
    default:
      return undefined;
  }
}

/**
 * The pending statement that copies every value of `table`.`column` before a pending
 * statement drops it (into `into` of the same table, when given; else anywhere).
 */
function copyCarrier(table: string, column: string, statements: Located[], into?: string): ChangeCarrier | undefined {
  const drop =
    findCommand(statements, table, (c) => c.subtype === 'AT_DropColumn' && c.name === column)?.located ??
    statements.find((s) => s.statement.dialect?.kind === 'alterTable' && s.statement.dialect.table === table && s.statement.dialect.clauses.some((c) => c.kind === 'dropColumn' && c.column === column));
  if (!drop) return undefined;
  const copy = columnCopyBefore(statements.map((s) => s.statement), drop.statement, table, column);
  if (!copy || (into !== undefined && (copy.table !== table || copy.column !== into))) return undefined;
  return copiedBefore(copy.statement, drop, statements);
}

/** The pending statement that copies every row of `table` (into `into`, when given) before a pending DROP TABLE of it. */
function rowCopyCarrier(sql: PendingSql, table: string, statements: Located[], into?: string): ChangeCarrier | undefined {
  const drop = statements.find((s) => {
    const dialect = s.statement.dialect;
    if (dialect) return dialect.kind === 'dropTable' && dialect.tables.some((t) => t.name === table);
    const [kind, body] = bodyOf(s.statement);
    return kind === 'DropStmt' && (body as DropStmt).removeType === 'OBJECT_TABLE' && droppedKeys(body as DropStmt).includes(table);
  });
  const copy = drop ? tableCopyBefore(statements.map((s) => s.statement), drop.statement, table, sql.baselineTable(table)?.columns.map((c) => c.name)) : undefined;
  if (!drop || !copy || (into !== undefined && copy.into !== into)) return undefined;
  return copiedBefore(copy.statement, drop, statements);
}

/** The carrier of a drop whose data `copy` saved first. */
function copiedBefore(copy: ParsedStatement, drop: Located, statements: Located[]): ChangeCarrier | undefined {
  const located = statements.find((s) => s.statement === copy);
  return located ? { statements: [located, drop], valuesCopied: true } : undefined;
}

/** The statements that create index `name` on `table`, directly, as a constraint, or as an index renamed into it. */
function indexCarrier(table: string, name: string, statements: Located[], sql: PendingSql): ChangeCarrier | undefined {
  // A constraint (UNIQUE / PRIMARY KEY), possibly USING an index built before.
  const constraint = findCommand(statements, table, (c) => {
    const made = constraintOf(c.def);
    return c.subtype === 'AT_AddConstraint' && (made?.contype === 'CONSTR_UNIQUE' || made?.contype === 'CONSTR_PRIMARY') && made.conname === name;
  });
  if (constraint) {
    const index = constraintOf(constraint.command.def)?.indexname;
    if (!index) return { statements: [constraint.located], indexBuild: 'blocking' };
    const built = indexBuildOf(table, index, statements, sql, constraint.located);
    return { statements: [...built.statements, constraint.located], indexBuild: built.build };
  }
  const built = indexBuildOf(table, name, statements, sql);
  return built.statements.length > 0 ? { statements: built.statements, indexBuild: built.build } : undefined;
}

/**
 * How index `name` of `table` came to exist before `until` (or at all): built
 * by a pending statement, renamed from another index, or already deployed.
 */
function indexBuildOf(table: string, name: string, statements: Located[], sql: PendingSql, until?: Located): { statements: Located[]; build: NonNullable<ChangeCarrier['indexBuild']> } {
  const limit = until ? statements.indexOf(until) : statements.length;
  for (let i = limit - 1; i >= 0; i--) {
    const located = statements[i];
    const [kind, body] = bodyOf(located.statement);
    if (kind === 'IndexStmt') {
      const stmt = body as IndexStmt;
      if (stmt.idxname !== name || relationKey(stmt.relation) !== table) continue;
      const build = !stmt.concurrent ? 'blocking' : located.alone ? 'concurrently' : 'refused';
      return { statements: [located], build };
    }
    const rename = renameOf(located.statement);
    if (rename?.renameType === 'OBJECT_INDEX' && rename.newname === name && rename.relation?.relname) {
      const earlier = indexBuildOf(table, rename.relation.relname, statements, sql, located);
      return { statements: [...earlier.statements, located], build: earlier.build };
    }
  }
  const deployed = sql.baselineTable(table)?.indexes.some((index) => index.name === name);
  return { statements: [], build: deployed ? 'deployed' : 'blocking' };
}

/** Whether PostgreSQL knows `column` is non-null just before `at` runs, so making it NOT NULL reads no row. */
function provenNotNull(table: string, column: string, at: Located, statements: Located[], sql: PendingSql, postgresVersion: number): boolean {
  if (postgresVersion >= 12 && sql.checkBefore(at.statement, table, column).state === 'validated') return true;
  // Already NOT NULL: deployed so, or made so by an earlier pending statement.
  let notNull = sql.baselineTable(table)?.columns.find((c) => c.name === column)?.nullable === false;
  for (const located of statements.slice(0, statements.indexOf(at))) {
    const alter = alterTableOf(located.statement);
    if (alter?.key !== table) continue;
    for (const command of alter.commands) {
      if (command.subtype === 'AT_SetNotNull' && command.name === column) notNull = true;
      if (command.subtype === 'AT_DropNotNull' && command.name === column) notNull = false;
      const added = command.subtype === 'AT_AddColumn' ? columnDefOf(command.def) : undefined;
      if (added?.colname === column) notNull = (added.constraints ?? []).some((c) => ['CONSTR_NOTNULL', 'CONSTR_PRIMARY'].includes(constraintOf(c)?.contype ?? ''));
    }
  }
  return notNull;
}

/** The plain column names of index `name` on `table`: built by a pending statement, or deployed. */
function indexColumns(table: string, name: string, statements: Located[], sql: PendingSql): string[] {
  for (const located of statements) {
    const [kind, body] = bodyOf(located.statement);
    const stmt = body as IndexStmt;
    if (kind === 'IndexStmt' && stmt.idxname === name && relationKey(stmt.relation) === table) {
      return (stmt.indexParams ?? []).map((p) => String((unwrap(p)[1] as { name?: string }).name ?? ''));
    }
  }
  return sql.baselineTable(table)?.indexes.find((index) => index.name === name)?.columns ?? [];
}

function findCommand(statements: Located[], table: string, match: (command: AlterTableCmd) => boolean): { located: Located; command: AlterTableCmd } | undefined {
  for (const located of statements) {
    const alter = alterTableOf(located.statement);
    if (alter?.key !== table) continue;
    const command = alter.commands.find(match);
    if (command) return { located, command };
  }
  return undefined;
}

function renameOf(statement: ParsedStatement): RenameStmt | undefined {
  const [kind, body] = bodyOf(statement);
  return kind === 'RenameStmt' ? (body as RenameStmt) : undefined;
}
