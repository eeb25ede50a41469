import { endsTransaction, placementOf } from './support/sqlAst';
import type { SqlRule } from './types';
import { concurrentLabel, type ParsedStatement } from '../replay/statements';

// MySQL and SQLite have no CONCURRENTLY; nothing to port.
const rule: SqlRule = {
  id: 'sql-concurrently-in-transaction',
  target: 'sql',
  title: 'CONCURRENTLY statement that will run inside a transaction',
  defaultSeverity: 'error',
  why: 'PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block, and Prisma runs a migration file with several statements as one transaction: the migration fails and blocks every deploy after it.',
  safePath: 'Put each CONCURRENTLY statement alone in a migration folder of its own: no other statement, no SET, no BEGIN/COMMIT (a COMMIT in the file does not help: every statement of a multi-statement script runs in a transaction block).',
  providers: ['postgresql'],
  detect(statement, context) {
    const label = concurrentLabel(statement) ?? concurrentInDoBlock(statement);
    if (!label) return [];
    const help = `Move it into a migration folder of its own (\`prisma migrate dev --create-only --name ...\`) that sorts after this one, as the only statement of that file (comments are fine; a \`SET lock_timeout\` is not).`;
    if (statement.kind === 'DoStmt') {
      return [{
        message: `This DO block runs ${label}, but a DO block always runs inside a transaction: PostgreSQL refuses it ("cannot run inside a transaction block"), the migration fails and \`prisma migrate deploy\` stops there.`,
        help: 'Write the statement itself, outside any DO block, alone in a migration folder of its own.',
      }];
    }
    const placement = placementOf(statement, context.statements);
    if (placement.alone) return [];
    if (placement.begin) {
      return [{
        message: `${label} between BEGIN and COMMIT fails: PostgreSQL refuses it inside a transaction block ("cannot run inside a transaction block"), so the migration is rolled back and marked failed, and \`prisma migrate deploy\` stops there.`,
        help: `Remove the BEGIN/COMMIT around it. ${help}`,
      }];
    }
    const others = context.statements.filter((s) => s !== statement);
    const split = splitters(context.statements);
    if (split.length > 0) {
      const where = split.length === 1 ? `line ${split[0]}` : `lines ${split.slice(0, -1).join(', ')} and ${split[split.length - 1]}`;
      return [{
        message: `${label} shares its file with ${others.length} other statement${others.length > 1 ? 's' : ''}: the COMMIT on ${where} ends a transaction, but Prisma sends the file as one script and PostgreSQL runs every statement of a multi-statement script inside a transaction block (a new implicit one starts after each COMMIT), so it still fails with "cannot run inside a transaction block" and \`prisma migrate deploy\` stops there.`,
        help: `A COMMIT cannot make room for it. ${help}`,
      }];
    }
    const lines = others.map((s) => s.range.start.line + 1);
    const where = lines.length === 1 ? `line ${lines[0]}` : lines.length <= 3 ? `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}` : `from line ${lines[0]}`;
    return [{
      message: `${label} shares its file with ${others.length} other statement${others.length > 1 ? 's' : ''} (${where}): Prisma sends the file as one script, which PostgreSQL runs as a single transaction, so it fails with "cannot run inside a transaction block", the whole file is rolled back and \`prisma migrate deploy\` stops there.`,
      help,
    }];
  },
};

/** `DO $$ ... EXECUTE 'CREATE INDEX CONCURRENTLY ...' ... $$`: the body is opaque to the parser but not to a search. */
function concurrentInDoBlock(statement: ParsedStatement): string | undefined {
  if (statement.kind !== 'DoStmt') return undefined;
  const match = /\b(CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX)\b[^;]*?\bCONCURRENTLY\b/i.exec(statement.text);
  return match ? `${match[1].replace(/\s+/g, ' ').toUpperCase()} CONCURRENTLY` : undefined;
}

/** 1-based lines of the file's COMMIT / ROLLBACK statements. */
function splitters(statements: ParsedStatement[]): number[] {
  return statements.filter((s) => endsTransaction(s)).map((s) => s.range.start.line + 1);
}

export default rule;
