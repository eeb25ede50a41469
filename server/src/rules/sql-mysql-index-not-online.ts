import type { ParsedStatement } from '../replay/statements';
import type { IndexKind } from '../replay/dialectStatements';
import { dialectOf, spanRange } from './support/dialectSql';
import { blockingClauses, onlineOptions } from './support/mysqlAlter';
import { at, factsOf, headRange, smallTableSeverity } from './support/sqlAst';
import type { RuleReport, SqlRule, SqlRuleContext } from './types';

const rule: SqlRule = {
  id: 'sql-mysql-index-not-online',
  target: 'sql',
  title: 'Index built on an existing table without ALGORITHM=INPLACE, LOCK=NONE (MySQL)',
  defaultSeverity: 'warning',
  why: 'Without LOCK=NONE written, MySQL takes whatever lock the statement needs without saying so: an index added in the same ALTER as a type change is built in a table copy that blocks writes, and FULLTEXT and SPATIAL indexes always block writes.',
  safePath: 'Build the index in its own statement with `ALGORITHM=INPLACE, LOCK=NONE`, so MySQL refuses instead of blocking; build FULLTEXT and SPATIAL indexes in a quiet window or with an online schema-change tool.',
  providers: ['mysql'],
  detect(statement, context) {
    const view = factsOf(context).before(statement);
    const options = onlineOptions(statement);
    const create = dialectOf(statement, 'createIndex');
    if (create) {
      if (!view.holdsRows(create.table)) return [];
      return judge(context, statement, create.table, create.index, create.indexKind, options, [], headRange(statement));
    }
    const alter = dialectOf(statement, 'alterTable');
    if (!alter || !view.holdsRows(alter.table)) return [];
    const copies = blockingClauses(statement, context).filter((c) => c.cost === 'copy');
    const reports: RuleReport[] = [];
    // MySQL requires a key on an AUTO_INCREMENT column in the statement that adds it: that index cannot be built apart,
    // and the lock it waits for is the numbering's, which sql-mysql-table-copy reports.
    const numbered = new Set(alter.clauses.flatMap((c) => (c.kind === 'addColumn' && c.column.autoIncrement ? [c.column.name] : [])));
    for (const clause of alter.clauses) {
      if (clause.kind !== 'addIndex' || clause.indexKind === 'primary') continue;
      if (clause.columns.some((c) => numbered.has(c))) continue;
      const copyWhat = copies.map((c) => c.what);
      reports.push(...judge(context, statement, alter.table, clause.index ?? clause.columns.join('_'), clause.indexKind, options, copyWhat, spanRange(statement, clause)));
    }
    return reports;
  },
};

function judge(
  context: SqlRuleContext,
  statement: ParsedStatement,
  table: string,
  index: string,
  kind: IndexKind,
  options: { algorithm?: string; lock?: string },
  copies: string[],
  range: ReturnType<typeof headRange>,
): RuleReport[] {
  const label = `${kind === 'unique' ? 'Unique index' : kind === 'fulltext' ? 'FULLTEXT index' : kind === 'spatial' ? 'SPATIAL index' : 'Index'} \`${index}\` on \`${table}\``;
  const duplicates = kind === 'unique' ? ' It also fails if existing rows hold duplicates.' : '';
  const where = { ...at(context, range), ...smallTableSeverity(context, [table]) };
  if (kind === 'fulltext' || kind === 'spatial') {
    if (options.lock === 'NONE') {
      return [{
        message: `${label} with LOCK=NONE: MySQL refuses it ("${kind === 'fulltext' ? 'Fulltext' : 'Spatial'} index creation requires a lock") and the migration fails.`,
        help: 'Write `LOCK=SHARED` and build it in a quiet window, or use gh-ost / pt-online-schema-change.',
        severity: 'error',
        ...at(context, range),
      }];
    }
    return [{
      message: `${label}: InnoDB cannot build it online (LOCK=NONE is refused), so inserts, updates and deletes on \`${table}\` wait for the whole build; on MySQL 8 the first FULLTEXT index of a table also rebuilds the table.`,
      help: 'Build it in a quiet window with `ALGORITHM=INPLACE, LOCK=SHARED` written, or with gh-ost / pt-online-schema-change, which build on a copy without blocking writes.',
      ...where,
    }];
  }
  if (options.lock === 'NONE' && options.algorithm !== 'COPY') return [];
  if (copies.length > 0) {
    return [{
      message: `${label} is added in the same ALTER TABLE that ${copies.join(' and ')}: the whole statement runs as a table copy, so the index build blocks every write to \`${table}\` too.${duplicates}`,
      help: 'Move the index into an ALTER TABLE of its own with `, ALGORITHM=INPLACE, LOCK=NONE`: it is then built while writes go on.',
      ...where,
    }];
  }
  if (options.algorithm === 'COPY' || options.lock === 'SHARED' || options.lock === 'EXCLUSIVE') {
    const asked = [options.algorithm && `ALGORITHM=${options.algorithm}`, options.lock && `LOCK=${options.lock}`].filter(Boolean).join(', ');
    return [{
      message: `${label} is built with ${asked}: inserts, updates and deletes on \`${table}\` wait until the build is done, although InnoDB can build it online.${duplicates}`,
      help: 'Write `ALGORITHM=INPLACE, LOCK=NONE` instead.',
      ...where,
    }];
  }
  return [{
    message: `${label} is built without \`ALGORITHM=INPLACE, LOCK=NONE\`: MySQL picks an online build here, but nothing holds it to that — where it cannot (another clause, an older server) it silently takes a lock that blocks writes instead of failing.${duplicates}`,
    help: `End the statement with \`${statement.dialect?.kind === 'createIndex' ? 'ALGORITHM=INPLACE LOCK=NONE' : ', ALGORITHM=INPLACE, LOCK=NONE'}\`: MySQL then builds it while writes go on, or refuses and tells you why.`,
    severity: 'info',
    ...at(context, range),
  }];
}

export default rule;
