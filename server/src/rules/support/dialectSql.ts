/**
 * What the MySQL and SQLite rules share: ranges of a clause, names printed in
 * the provider's quoting, and the table redefinition (create a copy, fill it
 * with INSERT ... SELECT, drop the original, rename the copy) that Prisma
 * writes for every SQLite change ALTER TABLE cannot make.
 */
import type { Provider } from '../../core/dbState';
import type { Range } from '../../core/source';
import type { DialectStatement } from '../../replay/dialectStatements';
import type { ParsedStatement } from '../../replay/statements';
import { positionIn } from './sqlAst';

export type Dialect<K extends DialectStatement['kind']> = Extract<DialectStatement, { kind: K }>;

/** The statement's typed form when it is of kind `kind`. */
export function dialectOf<K extends DialectStatement['kind']>(statement: ParsedStatement, kind: K): Dialect<K> | undefined {
  return statement.dialect?.kind === kind ? (statement.dialect as Dialect<K>) : undefined;
}

/** The range of a clause, given as offsets into the statement's text. */
export function spanRange(statement: ParsedStatement, span: { start: number; end: number }): Range {
  return { start: positionIn(statement, span.start), end: positionIn(statement, span.end) };
}

/** `User`.`email` on MySQL, "User"."email" on SQLite and PostgreSQL. */
export function sqlName(provider: Provider, ...parts: string[]): string {
  return parts.map((part) => (provider === 'mysql' ? `\`${part.replace(/`/g, '``')}\`` : `"${part.replace(/"/g, '""')}"`)).join('.');
}

export interface Redefinition {
  /** The table that replaces the original (Prisma's `new_<table>`). */
  copy: string;
  create?: Dialect<'createTable'>;
  createStatement?: ParsedStatement;
  insert: Dialect<'insert'>;
  insertStatement: ParsedStatement;
  /** Every INSERT ... SELECT from the original into the copy (hand-written redefinitions copy in several). */
  inserts: Dialect<'insert'>[];
  /** The statement that gives the copy the original's name. */
  renameStatement: ParsedStatement;
}

/**
 * The redefinition of `table` in this file: a copy created, filled from
 * `table` alone, and later renamed to `table`. Undefined when the file does
 * not replace the table that way.
 */
export function redefinitionOf(statements: ParsedStatement[], table: string): Redefinition | undefined {
  for (let i = 0; i < statements.length; i++) {
    const insert = dialectOf(statements[i], 'insert');
    if (!insert || insert.from.length !== 1 || insert.from[0] !== table || insert.table === table) continue;
    const copy = insert.table;
    const renameStatement = statements.slice(i + 1).find((s) => renamesTo(s, copy, table));
    if (!renameStatement) continue;
    const createStatement = statements.slice(0, i).reverse().find((s) => dialectOf(s, 'createTable')?.table === copy);
    const create = createStatement ? dialectOf(createStatement, 'createTable') : undefined;
    const inserts = statements
      .slice(i, statements.indexOf(renameStatement))
      .map((s) => dialectOf(s, 'insert'))
      .filter((s): s is Dialect<'insert'> => s !== undefined && s.table === copy && s.from.length === 1 && s.from[0] === table);
    return { copy, insert, insertStatement: statements[i], inserts, renameStatement, ...(create && createStatement ? { create, createStatement } : {}) };
  }
  return undefined;
}

function renamesTo(statement: ParsedStatement, from: string, to: string): boolean {
  const alter = dialectOf(statement, 'alterTable');
  if (alter) return alter.table === from && alter.clauses.some((c) => c.kind === 'renameTable' && c.to === to);
  return dialectOf(statement, 'renameTable')?.pairs.some((p) => p.from === from && p.to === to) ?? false;
}
