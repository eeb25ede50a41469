import { concurrentLabel, type ParsedStatement } from '../replay/statements';
import { blocksTraffic, factsOf, headRange, indexOwner, locksTaken, lockTimeoutEffect, quoted, smallTableSeverity, stronger, at, type LockMode } from './support/sqlAst';
import type { SqlRule, SqlRuleContext } from './types';

// MySQL counterpart (a later task): metadata locks queue the same way and lock_wait_timeout
// defaults to a year; `SET SESSION lock_wait_timeout = 5;`. SQLite has a single writer.
const rule: SqlRule = {
  id: 'sql-missing-lock-timeout',
  target: 'sql',
  title: 'Strong lock taken without a lock timeout',
  defaultSeverity: 'warning',
  why: 'A statement that needs a strong lock waits behind any long transaction on the table, and every query that arrives meanwhile queues behind the migration: without lock_timeout a one-millisecond ALTER can stall the table indefinitely.',
  safePath: "Start the migration with SET lock_timeout = '5s'; so a blocked statement fails fast (the file is rolled back, retry later) instead of queueing traffic.",
  providers: ['postgresql'],
  detect(statement, context) {
    const uncovered = uncoveredStatements(context);
    // One finding per file, on the first statement at risk: the fix (one SET at the top) covers them all.
    if (uncovered[0]?.statement !== statement) return [];
    const first = uncovered[0];
    const tables = [...new Set(uncovered.flatMap((u) => u.tables))];
    const others = uncovered.length - 1;
    const laterTables = [...new Set(uncovered.slice(1).flatMap((u) => u.tables))].map(quoted);
    const more = others > 0
      ? ` ${others} later statement${others > 1 ? 's' : ''} of this file need${others > 1 ? '' : 's'} such locks too, on ${laterTables.length > 1 ? `${laterTables.slice(0, -1).join(', ')} and ${laterTables[laterTables.length - 1]}` : laterTables[0]}.`
      : '';
    const switchedOff = context.statements.some((s) => lockTimeoutEffect(s) !== undefined);
    return [{
      message: `This statement needs ${article(first.mode)} ${first.mode} lock on ${first.tables.map(quoted).join(', ')} and no lock_timeout is in force: if any transaction is using the table, the migration waits for it, and every query that arrives meanwhile — plain SELECTs included — queues behind the migration.${more}`,
      help: switchedOff
        ? "Keep a non-zero lock_timeout in force up to here: `SET lock_timeout = '5s';` before this statement (a RESET, or a value of 0, turns it off). A blocked migration then fails fast and is rolled back whole, and the deploy can be retried."
        : "Make `SET lock_timeout = '5s';` the first statement of this file: a blocked migration then fails fast and is rolled back whole, and the deploy can be retried instead of stalling traffic.",
      ...smallTableSeverity(context, tables),
      ...at(context, headRange(statement)),
    }];
  },
};

interface AtRisk {
  statement: ParsedStatement;
  tables: string[];
  mode: LockMode;
}

const cache = new WeakMap<ParsedStatement[], AtRisk[]>();

/** The file's statements that take a traffic-blocking lock on a live table while no lock_timeout is in force. */
function uncoveredStatements(context: SqlRuleContext): AtRisk[] {
  const known = cache.get(context.statements);
  if (known) return known;
  const facts = factsOf(context);
  const result: AtRisk[] = [];
  let timeout = false;
  for (const statement of context.statements) {
    const effect = lockTimeoutEffect(statement);
    if (effect !== undefined) timeout = effect;
    // A lock_timeout would cancel a concurrent build; those statements are left alone.
    if (timeout || concurrentLabel(statement)) continue;
    const view = facts.before(statement);
    const locks = locksTaken(statement, (schema, name) => indexOwner(context.baseline, schema, name)).filter((l) => blocksTraffic(l.mode) && view.isLive(l.table));
    if (locks.length === 0) continue;
    result.push({ statement, tables: locks.map((l) => l.table), mode: locks.map((l) => l.mode).reduce(stronger) });
  }
  cache.set(context.statements, result);
  return result;
}

function article(mode: LockMode): string {
  return mode.startsWith('ACCESS') || mode.startsWith('EXCLUSIVE') ? 'an' : 'a';
}

export default rule;
