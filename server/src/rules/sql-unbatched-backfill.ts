import type { DeleteStmt, Node, RangeVar, UpdateStmt } from 'libpg-query';
import { unwrap } from '../replay/pgTypes';
import type { ParsedStatement } from '../replay/statements';
import { ident } from './support/dialect';
import { dialectOf, sqlName } from './support/dialectSql';
import { bodyOf, columnRefs, factsOf, indexOwner, locksTaken, quoted, relationKey, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule, SqlRuleContext } from './types';

const rule: SqlRule = {
  id: 'sql-unbatched-backfill',
  target: 'sql',
  title: 'Whole-table UPDATE or DELETE in one statement',
  defaultSeverity: 'warning',
  why: 'One statement over every row of a table is one transaction: each changed row stays locked until the migration commits, the table bloats with a new version of every row, and a failure near the end rolls everything back.',
  safePath: 'Keep the schema change in the migration and move the data change into a script that works in batches by primary key, each batch committed on its own, after the code that writes the new value is deployed.',
  providers: ['postgresql', 'mysql', 'sqlite'],
  detect(statement, context) {
    if (statement.dialect) return detectDialect(statement, context);
    const [kind, body] = bodyOf(statement);
    if (kind !== 'UpdateStmt' && kind !== 'DeleteStmt') return [];
    const stmt = body as UpdateStmt | DeleteStmt;
    const key = relationKey(stmt.relation);
    if (!key || !stmt.relation || !factsOf(context).before(statement).holdsRows(key)) return [];
    const table = quoted(key);
    const severity = smallTableSeverity(context, [key]);
    const heldLock = strongLockEarlier(context, statement, key);
    const lockNote = heldLock ? ` An earlier statement of this file holds an ACCESS EXCLUSIVE lock on ${table} until the file commits, so the table is unreadable for the whole ${kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE'}.` : '';

    if (kind === 'DeleteStmt') {
      if (stmt.whereClause) return [];
      return [{
        message: `DELETE without WHERE removes every row of ${table} in one statement: that data comes back only from a backup, and every row stays locked until the migration commits.${lockNote}`,
        help: 'If the table really must be emptied in this release, say so in a suppression with the backup you took; otherwise add the WHERE that limits it, and delete large sets from a script in batches.',
        ...severity,
      }];
    }

    const update = stmt as UpdateStmt;
    const setColumns = new Set((update.targetList ?? []).map((t) => String(unwrap(t)[1].name ?? '')));
    const where = update.whereClause ? limitingConditions(update, context, key, setColumns) : { limiting: 0, joins: 0, notNullOfRequired: [] as string[] };
    if (where.limiting > 0) return [];
    const also = where.notNullOfRequired.length > 0 ? `; ${notNullNote(where.notNullOfRequired.map((c) => `"${c}"`))}` : '';
    const scope = !update.whereClause
      ? 'it has no WHERE'
      : where.joins > 0
        ? `its WHERE only joins it to the FROM list, so every row with a partner is updated — usually all of them${also}`
        : `its WHERE only picks the rows where the column it sets is still NULL — on a new column, all of them${also}`;
    return [{
      message: `UPDATE of ${table} in one statement (${scope}): every changed row stays locked until the migration commits, PostgreSQL writes a new version of each row (bloat, a WAL burst for replicas), and a failure near the end rolls it all back and blocks the deploys behind it.${lockNote}`,
      help: 'Keep only the schema change in the migration; after the code that writes the value is deployed, backfill from a script in batches by primary key (`WHERE "id" > $last ORDER BY "id" LIMIT 1000`), each batch its own transaction.',
      ...severity,
    }];
  },
};

/**
 * MySQL and SQLite: the same one-statement problem with each engine's locks.
 * A `LIMIT` (MySQL's batch form) or a WHERE that picks a subset is left alone.
 */
function detectDialect(statement: ParsedStatement, context: SqlRuleContext): RuleReport[] {
  const update = dialectOf(statement, 'update');
  const del = dialectOf(statement, 'delete');
  const target = update ?? del;
  const facts = factsOf(context).before(statement);
  if (!target || target.limit || !facts.holdsRows(target.table)) return [];
  const table = sqlName(context.provider, target.table);
  const mysql = context.provider === 'mysql';
  const severity = smallTableSeverity(context, [target.table]);
  const held = mysql
    ? 'InnoDB keeps every row it scans locked until the statement commits (with the default REPEATABLE READ also the gaps between them, so inserts into the table wait too), replicas apply it as one huge event and fall behind, and a failure near the end rolls it all back'
    : 'SQLite has a single writer, so every other write to the database waits (and fails with SQLITE_BUSY once its busy timeout runs out) until the whole statement commits, and a failure near the end rolls it all back';
  const bare = ident(target.table, context.provider);
  const batches = mysql
    ? `\`UPDATE ${bare} SET ... WHERE <still to do> ORDER BY id LIMIT 1000\`, repeated until it changes no row`
    : `\`UPDATE ${bare} SET ... WHERE rowid IN (SELECT rowid FROM ${bare} WHERE <still to do> LIMIT 1000)\`, repeated until it changes no row`;
  if (del) {
    if (!del.where.everyRow) return [];
    return [{
      message: `DELETE without WHERE removes every row of ${table} in one statement: that data comes back only from a backup, and ${held}.`,
      help: 'If the table really must be emptied in this release, say so in a suppression with the backup you took; otherwise add the WHERE that limits it, and delete large sets from a script in batches.',
      ...severity,
    }];
  }
  if (!update) return [];
  // `new IS NULL AND old IS NOT NULL` with "old" NOT NULL in the table: the second test leaves no row out.
  const required = (column: string): boolean => context.baseline.tables[facts.deployedTable(target.table) ?? '']?.columns.some((c) => c.name === facts.deployedColumn(target.table, column) && !c.nullable) ?? false;
  const scope = update.where.everyRow
    ? update.joins
      ? 'it has no WHERE and only joins it to another table, so every row with a partner is updated — usually all of them'
      : 'it has no WHERE'
    : update.where.onlyNullTestsOfSetColumns
      ? 'its WHERE only picks the rows where the column it sets is still NULL — on a new column, all of them'
      : update.where.alsoNotNullTests?.every(required)
        ? `its WHERE only picks the rows where the column it sets is still NULL — on a new column, all of them; ${notNullNote(update.where.alsoNotNullTests.map((c) => sqlName(context.provider, c)))}`
        : undefined;
  if (!scope) return [];
  return [{
    message: `UPDATE of ${table} in one statement (${scope}): ${held}.`,
    help: `Keep only the schema change in the migration; after the code that writes the value is deployed, backfill from a script in batches (${batches}), each batch its own transaction.`,
    ...severity,
  }];
}

/**
 * How many top-level AND conditions of the WHERE limit which rows of the
 * target are touched, and how many only join it to the FROM list
 * (`t.id = o.t_id` matches as many rows as there are partners — often all of
 * them, so those do not limit).
 */
function limitingConditions(update: UpdateStmt, context: SqlRuleContext, key: string, setColumns: Set<string>): { limiting: number; joins: number; notNullOfRequired: string[] } {
  const target = update.relation as RangeVar;
  const targetNames = new Set([target.relname ?? '', target.alias?.aliasname ?? ''].filter(Boolean));
  const otherNames = new Set<string>();
  for (const item of update.fromClause ?? []) {
    const [kind, body] = unwrap(item);
    if (kind === 'RangeVar') {
      const rv = body as RangeVar;
      if (rv.relname) otherNames.add(rv.relname);
      if (rv.alias?.aliasname) otherNames.add(rv.alias.aliasname);
    } else if (kind === 'RangeSubselect' || kind === 'JoinExpr') {
      const alias = (body.alias as { aliasname?: string } | undefined)?.aliasname;
      if (alias) otherNames.add(alias);
    }
  }
  const deployed = context.baseline.tables[key];
  const isTargetColumn = (ref: { qualifier?: string; column: string }): boolean => {
    if (ref.qualifier) return targetNames.has(ref.qualifier);
    // Unqualified with a FROM list: the target's when the deployed table has such a column.
    return otherNames.size === 0 || !deployed || deployed.columns.some((c) => c.name === ref.column);
  };
  const result = { limiting: 0, joins: 0, notNullOfRequired: [] as string[] };
  let nullTestOfSetColumn = false;
  for (const condition of conjuncts(update.whereClause)) {
    const own = columnRefs(condition).filter(isTargetColumn);
    // `WHERE true`, `WHERE 1 = 1`: no row is left out.
    if (own.length === 0) continue;
    // `"old" IS NOT NULL` where "old" is NOT NULL in the table leaves no row out.
    const [kind, body] = unwrap(condition);
    if (kind === 'NullTest' && body.nulltesttype === 'IS_NOT_NULL' && own.length === 1 && !setColumns.has(own[0].column) && deployed?.columns.some((c) => c.name === own[0].column && !c.nullable)) {
      result.notNullOfRequired.push(own[0].column);
      continue;
    }
    if (own.every((ref) => setColumns.has(ref.column))) {
      // `WHERE "col" IS NULL` on the column being filled is the backfill signature: every row still to do.
      // Other tests of it (`WHERE "status" = 'OLD'` while setting "status") pick a subset: a value remap.
      if (!isNullTest(condition)) result.limiting++;
      else nullTestOfSetColumn = true;
      continue;
    }
    if (isJoin(condition, isTargetColumn)) result.joins++;
    else result.limiting++;
  }
  // Only the backfill shape (a NULL test of the column being set) is judged with those tests discounted.
  if (result.notNullOfRequired.length > 0 && !nullTestOfSetColumn) result.limiting++;
  return result;
}

/** Says why an IS NOT NULL test in the WHERE does not make the statement smaller. */
function notNullNote(columns: string[]): string {
  return `its IS NOT NULL test of ${columns.join(', ')} leaves no row out, since ${columns.length > 1 ? 'those columns are' : 'that column is'} NOT NULL`;
}

function isNullTest(node: Node): boolean {
  const [kind, body] = unwrap(node);
  if (kind === 'NullTest') return body.nulltesttype === 'IS_NULL';
  if (kind === 'BoolExpr' && body.boolop === 'OR_EXPR') return ((body.args as Node[] | undefined) ?? []).every(isNullTest);
  return false;
}

function conjuncts(node: Node | undefined): Node[] {
  const [kind, body] = unwrap(node);
  if (kind === 'BoolExpr' && body.boolop === 'AND_EXPR') return ((body.args as Node[] | undefined) ?? []).flatMap(conjuncts);
  return node ? [node] : [];
}

/** `target.col = other.col`: equality between a column of the target and one of another relation. */
function isJoin(condition: Node, isTargetColumn: (ref: { qualifier?: string; column: string }) => boolean): boolean {
  const [kind, body] = unwrap(condition);
  if (kind !== 'A_Expr' || body.kind !== 'AEXPR_OP') return false;
  const left = columnRefs(body.lexpr);
  const right = columnRefs(body.rexpr);
  if (left.length !== 1 || right.length !== 1) return false;
  const [l, r] = [unwrap(body.lexpr)[0], unwrap(body.rexpr)[0]];
  if (l !== 'ColumnRef' || r !== 'ColumnRef') return false;
  return isTargetColumn(left[0]) !== isTargetColumn(right[0]);
}

/** Whether an earlier statement of the file took ACCESS EXCLUSIVE on the table (held until the file commits). */
function strongLockEarlier(context: SqlRuleContext, current: ParsedStatement, key: string): boolean {
  for (const statement of context.statements) {
    if (statement === current) return false;
    const locks = locksTaken(statement, (schema, name) => indexOwner(context.baseline, schema, name));
    if (locks.some((lock) => lock.table === key && lock.mode === 'ACCESS EXCLUSIVE')) return true;
  }
  return false;
}

export default rule;
