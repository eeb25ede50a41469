import type { AddColumn } from '../diff/changes';
import { ident } from './support/dialect';
import { mysqlImplicitValue } from './support/typeCasts';
import type { RuleContext, RuleReport, SchemaRule } from './types';
import { fieldName, modelName } from './support/wording';

const rule: SchemaRule = {
  id: 'add-required-column',
  target: 'schema',
  title: 'Required column added to an existing table',
  defaultSeverity: 'error',
  why: 'Adding a NOT NULL column without a database default fails on a table that has rows, and code that is still running inserts rows without it.',
  safePath: 'Add the column as optional (or with a database default), backfill existing rows in batches, then make it required in a later migration.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (change.kind !== 'addColumn' || change.after.nullable) return [];
    if (change.after.default && change.after.default.kind !== 'autoincrement') return [];
    // GENERATED ALWAYS AS (...) STORED: PostgreSQL computes a value for every row (a rewrite, sql-stored-generated-column's finding), so nothing fails.
    if (context.carrier?.(change)?.generatedStored) return [];
    const column = fieldName(change);
    const fix = change.model && change.field ? { kind: 'makeOptional' as const, model: change.model, field: change.field } : undefined;
    const small = context.isSmallTable(change.table) ? ' (configured as a small table, but the rows it has still need a value)' : '';
    if (context.provider === 'mysql') return mysql(change, context, small, fix);
    if (context.provider === 'sqlite') return sqlite(change, small, fix);
    if (change.after.default?.kind === 'autoincrement') {
      return [{
        message: `Required auto-increment column ${column} added to ${modelName(change)}: filling it rewrites the whole table under an exclusive lock.`,
        help: 'Generate the phased migration: a sequence and a nullable column that has it as its default (no rewrite), the existing rows numbered in batches, then NOT NULL through a validated CHECK.',
        severity: 'warning',
      }];
    }
    if (change.prismaDefault) {
      return [{
        message: `Required column ${column} added to ${modelName(change)} with ${prismaDefaultText(change.prismaDefault)}, which Prisma Client fills in but the database does not: existing rows get no value, so the migration fails on a table that has rows${small}.`,
        help: 'Add it as optional, backfill existing rows with generated values in batches, then make it required.',
        ...(fix ? { fix } : {}),
      }];
    }
    return [{
      message: `Required column ${column} added to ${modelName(change)} without a database default: the migration fails if the table has rows${small}, and running code inserts rows without it.`,
      help: 'Add it as optional (`?`), backfill existing rows in batches, then make it required — or give it a constant `@default(...)`.',
      ...(fix ? { fix } : {}),
    }];
  },
};

type Fix = { kind: 'makeOptional'; model: string; field: string } | undefined;

/**
 * MySQL does not refuse the column: ADD COLUMN ... NOT NULL fills existing
 * rows with the type's implicit default ('' / 0 / the first ENUM value),
 * instantly on MySQL 8.0.12+. Only the date types fail, because their zero
 * date breaks MySQL 8's default strict mode (NO_ZERO_DATE).
 */
function mysql(change: AddColumn, context: RuleContext, small: string, fix: Fix): RuleReport[] {
  const column = fieldName(change);
  if (change.after.default?.kind === 'autoincrement') {
    return [{
      message: `Required auto-increment column ${column} added to ${modelName(change)}: MySQL numbers every existing row by rebuilding the table, and writes to it are blocked until the rebuild ends (an AUTO_INCREMENT column cannot be added with concurrent writes).`,
      help: 'No path avoids the rebuild (a column made AUTO_INCREMENT later is a full copy): the phased migration adds the column and its key in one ALTER with `ALGORITHM=INPLACE, LOCK=SHARED`, so reads go on and MySQL refuses rather than take more. Deploy it at a quiet moment, or use gh-ost / pt-online-schema-change on a large table.',
      severity: 'warning',
    }];
  }
  const filled = mysqlImplicitValue(change.after.type);
  const fixPart = fix ? { fix } : {};
  if (filled === 'fails') {
    const why = change.prismaDefault ? `with ${prismaDefaultText(change.prismaDefault)}, which Prisma Client fills in but the database does not` : 'without a database default';
    return [{
      message: `Required column ${column} added to ${modelName(change)} ${why}: MySQL fills existing rows with the zero date, which MySQL 8's default strict mode (NO_ZERO_DATE) rejects, so the migration fails if the table has rows${small}; running code inserts rows without it.`,
      help: 'Add it as optional (`?`), backfill existing rows in batches, then make it required — or give it a `@default(...)` the database keeps, like `now()`.',
      ...fixPart,
    }];
  }
  const unique = (context.expected.tables[change.tableKey]?.indexes ?? []).some((index) => index.unique && index.columns.length === 1 && index.columns[0] === change.column);
  if (change.prismaDefault) {
    const clash = unique ? ' — all the same value, so the unique index on it fails as soon as the table has two rows' : '';
    return [{
      message: `Required column ${column} added to ${modelName(change)} with ${prismaDefaultText(change.prismaDefault)}, which Prisma Client fills in but the database does not: MySQL does not fail, existing rows silently get ${filled.text}${clash}${small}.`,
      help: 'Add it as optional, backfill existing rows with generated values in batches (`UPDATE ... SET ... WHERE ... IS NULL LIMIT 1000`, repeated until no row changes), then make it required.',
      ...fixPart,
    }];
  }
  const clash = unique ? '; with the unique index on it, the migration fails as soon as the table has two rows' : '';
  return [{
    message: `Required column ${column} added to ${modelName(change)} without a database default: MySQL does not fail, existing rows silently get ${filled.text}, a value nobody chose${clash}${small}, and running code inserts rows without it.`,
    help: 'Add it as optional (`?`), backfill existing rows in batches, then make it required — or give it the `@default(...)` existing rows should get (adding a column is instant on MySQL 8.0.12+).',
    ...fixPart,
  }];
}

/**
 * SQLite cannot add a NOT NULL column without a default in place, so Prisma
 * redefines the table: CREATE TABLE new_X, INSERT INTO new_X (...) SELECT ...
 * FROM X — the new column is not in the copy, and its NOT NULL stops it.
 */
function sqlite(change: AddColumn, small: string, fix: Fix): RuleReport[] {
  const column = fieldName(change);
  const fixPart = fix ? { fix } : {};
  if (change.after.default?.kind === 'autoincrement') {
    return [{
      message: `Required auto-increment column ${column} added to ${modelName(change)}: Prisma copies the whole table into a new one to add it.`,
      help: 'SQLite auto-increments only the INTEGER PRIMARY KEY, and only that table copy adds one (SQLite numbers the existing rows in it); the copy locks the database while it runs: deploy it at a quiet moment.',
      severity: 'warning',
    }];
  }
  const why = change.prismaDefault ? `with ${prismaDefaultText(change.prismaDefault)}, which Prisma Client fills in but the database does not` : 'without a database default';
  return [{
    message: `Required column ${column} added to ${modelName(change)} ${why}: SQLite cannot add it in place, so Prisma copies the table into a new one (\`INSERT INTO ${ident(`new_${change.table}`, 'sqlite')} ... SELECT ...\`), and the copy fails on the first existing row, which has no value for it${small}; running code inserts rows without it.`,
    help: change.prismaDefault
      ? 'Add it as optional, backfill existing rows with generated values in batches, then make it required.'
      : 'Add it as optional (`?`), backfill existing rows in batches, then make it required — or give it a constant `@default(...)`.',
    ...fixPart,
  }];
}

/** `@updatedAt` is an attribute of its own; everything else is written as `@default(...)`. */
function prismaDefaultText(value: string): string {
  return value.startsWith('@') ? `\`${value}\`` : `\`@default(${value})\``;
}

export default rule;
