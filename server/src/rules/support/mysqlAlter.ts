/**
 * What an InnoDB ALTER TABLE clause costs, for the MySQL rules: which clauses
 * force a table copy (ALGORITHM=COPY: writes blocked while every row is copied)
 * or at least block writes, and whether `foreign_key_checks` is on where a
 * statement runs. Each claim here was observed on MariaDB 10.11 by the tests
 * in test/rules/mysql-online-ddl.test.ts (the statement run with
 * `ALGORITHM=INPLACE, LOCK=NONE` and refused or accepted), unless its comment
 * says it is MySQL 8 behaviour read from MySQL's documentation.
 */
import { formatType, sameType, type ColumnType, type DbColumn } from '../../core/dbState';
import type { AlterClause } from '../../replay/dialectStatements';
import type { ParsedStatement } from '../../replay/statements';
import type { SqlRuleContext } from '../types';
import { dialectOf, sqlName } from './dialectSql';
import { factsOf } from './sqlAst';

export interface BlockingClause {
  clause: AlterClause;
  /** What the clause does, for the message: `changes the type of \`User\`.\`age\` from int to bigint`. */
  what: string;
  /** `copy`: ALGORITHM=COPY, the table is copied and writes wait; `lock`: in place, but LOCK=NONE is refused. */
  cost: 'copy' | 'lock';
  /** MySQL's reason when ALGORITHM=INPLACE, LOCK=NONE is asked for and refused. */
  refusal: string;
  /** An ENUM or SET whose existing members moved or went: appending would have been in place. */
  enumOrder?: boolean;
}

/** The clauses of an ALTER TABLE on a table with deployed rows that copy it or block its writes. */
export function blockingClauses(statement: ParsedStatement, context: SqlRuleContext): BlockingClause[] {
  const alter = dialectOf(statement, 'alterTable');
  if (!alter) return [];
  const view = factsOf(context).before(statement);
  if (!view.holdsRows(alter.table)) return [];
  const deployedTable = view.deployedTable(alter.table);
  const table = deployedTable ? context.baseline.tables[deployedTable] : undefined;
  const name = (column: string): string => sqlName('mysql', alter.table, column);
  const found: BlockingClause[] = [];
  const addsPrimaryKey = alter.clauses.some((c) => c.kind === 'addIndex' && c.indexKind === 'primary');
  for (const clause of alter.clauses) {
    if (clause.kind === 'modifyColumn') {
      const deployedName = view.deployedColumn(alter.table, clause.column);
      const before = deployedName ? table?.columns.find((c) => c.name === deployedName) : undefined;
      if (!before || !typeChangeCopies(before, clause.definition.type, clause.definition.charset)) continue;
      found.push({
        clause,
        what: `changes the type of ${name(clause.column)} from ${formatType(before.type)} to ${formatType(clause.definition.type)}`,
        cost: 'copy',
        refusal: 'Cannot change column type',
        ...(before.type.enumValues && clause.definition.type.enumValues ? { enumOrder: true } : {}),
      });
    } else if (clause.kind === 'convertCharset') {
      found.push({ clause, what: `converts every text column of \`${alter.table}\` to ${clause.charset}`, cost: 'copy', refusal: 'Cannot change column type' });
    } else if (clause.kind === 'addColumn' && clause.column.autoIncrement) {
      found.push({ clause, what: `adds the AUTO_INCREMENT column ${name(clause.column.name)}, numbering every existing row`, cost: 'lock', refusal: 'Adding an auto-increment column requires a lock' });
    } else if (clause.kind === 'dropPrimaryKey' && !addsPrimaryKey) {
      found.push({ clause, what: `drops the primary key of \`${alter.table}\` without adding another`, cost: 'copy', refusal: 'Dropping a primary key is not allowed without also adding a new primary key' });
    }
  }
  return found;
}

/**
 * Whether changing a column from `before` to `after` copies the table. In
 * place (observed): the same type; VARCHAR widened while its length prefix
 * keeps its size (1 byte up to 255 bytes, 2 beyond; utf8mb4 counts 4 bytes a
 * character); ENUM and SET members appended at the end. Everything else —
 * narrowing, another type, reordered or removed members — copies.
 */
export function typeChangeCopies(before: DbColumn, after: ColumnType, charset: string | undefined): boolean {
  if (sameType(before.type, after)) return false;
  if (before.type.name === 'varchar' && after.name === 'varchar') {
    const [from] = before.type.args;
    const [to] = after.args;
    if (from === undefined || to === undefined || to < from) return true;
    const width = bytesPerCharacter(charset);
    return from * width <= 255 !== to * width <= 255;
  }
  const fromValues = before.type.enumValues;
  const toValues = after.enumValues;
  if (fromValues && toValues && before.type.name === after.name) {
    // Appending keeps the stored numbers of the existing members; past 255 members the storage grows to 2 bytes.
    const appended = fromValues.every((value, i) => toValues[i] === value) && toValues.length >= fromValues.length;
    return !appended || (fromValues.length <= 255 && toValues.length > 255);
  }
  return true;
}

function bytesPerCharacter(charset: string | undefined): number {
  if (!charset) return 4; // Prisma creates MySQL tables with utf8mb4.
  if (charset.startsWith('latin') || charset === 'ascii' || charset === 'binary') return 1;
  if (charset.startsWith('utf8mb3') || charset === 'utf8' || charset.startsWith('utf8_')) return 3;
  return 4;
}

/**
 * Whether `foreign_key_checks` is on when `statement` runs: on unless an
 * earlier statement of the file set it to 0 / OFF (Prisma runs a MySQL
 * migration on one connection, so a SET lasts for the rest of the file).
 */
export function foreignKeyChecksOn(context: SqlRuleContext, statement: ParsedStatement): boolean {
  let on = true;
  for (const earlier of context.statements) {
    if (earlier === statement) break;
    const set = dialectOf(earlier, 'setVariable');
    if (set?.name === 'foreign_key_checks') on = !['0', 'OFF', 'FALSE'].includes(set.value);
  }
  return on;
}

/** The ALGORITHM and LOCK written on the statement (ALTER TABLE or CREATE INDEX), upper-cased. */
export function onlineOptions(statement: ParsedStatement): { algorithm?: string; lock?: string } {
  const alter = dialectOf(statement, 'alterTable') ?? dialectOf(statement, 'createIndex');
  return alter ? { ...(alter.algorithm ? { algorithm: alter.algorithm } : {}), ...(alter.lock ? { lock: alter.lock } : {}) } : {};
}

/**
 * What MySQL says when the clause cannot run with the ALGORITHM and LOCK the
 * statement asks for, or undefined when it runs. A copy is refused by every
 * online ask; an AUTO_INCREMENT column is numbered in place (INPLACE with
 * LOCK=SHARED runs, observed on MariaDB 10.11) and refused only by LOCK=NONE,
 * INSTANT and NOCOPY.
 */
export function refusedBy(found: BlockingClause, options: { algorithm?: string; lock?: string }): string | undefined {
  if (found.cost === 'copy') return asksOnline(options) ? found.refusal : undefined;
  if (options.algorithm === 'INSTANT' || options.algorithm === 'NOCOPY') return `ALGORITHM=${options.algorithm} is not supported for this operation`;
  return options.lock === 'NONE' ? found.refusal : undefined;
}

/** ALGORITHM=INPLACE or INSTANT, or LOCK=NONE, written: MySQL then refuses what it cannot do that way instead of copying. */
export function asksOnline(options: { algorithm?: string; lock?: string }): boolean {
  return options.algorithm === 'INPLACE' || options.algorithm === 'INSTANT' || options.algorithm === 'NOCOPY' || options.lock === 'NONE';
}
