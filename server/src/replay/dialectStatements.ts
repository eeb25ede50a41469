/**
 * Reads MySQL and SQLite migration statements into a small typed form for the
 * SQL rules: which table a statement touches and what each clause of an
 * ALTER TABLE does (add, drop, modify a column; add an index or a foreign key;
 * the ALGORITHM and LOCK asked for), what a CREATE TABLE declares, which
 * columns an INSERT ... SELECT copies, whether an UPDATE or DELETE is limited,
 * which session variables and pragmas are set. The replayers' own lexers cut
 * the text (backticks, quotes, comments); offsets are UTF-16 offsets into the
 * statement's text, so rules can point at one clause.
 *
 * The PostgreSQL rules read libpg-query's trees instead; this is their
 * counterpart for the two dialects whose replay does not keep a tree per
 * statement. It reads what Prisma writes and what people commonly hand-write;
 * a statement or clause it does not recognise comes back as `other`, which
 * the rules leave alone.
 */
import type { ColumnType, Provider } from '../core/dbState';
import { canonicalMysqlType } from '../map/mysqlTypes';
import { lexMysql } from './mysql';
import { lexSqlite, parseColumnType } from './sqliteLexer';

export interface DialectToken {
  kind: string;
  text: string;
  /** Identifiers unquoted; strings unescaped; everything else as written. */
  value: string;
  start: number;
  end: number;
}

export interface DialectColumn {
  name: string;
  type: ColumnType;
  notNull: boolean;
  hasDefault: boolean;
  autoIncrement: boolean;
  primaryKey: boolean;
  unique: boolean;
  /** `CHARACTER SET x` / `CHARSET x` / `COLLATE x` written on the column (MySQL). */
  charset?: string;
  /** `FIRST` or `AFTER col` (MySQL ADD / MODIFY / CHANGE). */
  position?: 'first' | 'after';
  /** An inline CHECK (SQLite). */
  check: boolean;
  /** An inline REFERENCES (SQLite). */
  references?: string;
}

export type IndexKind = 'index' | 'unique' | 'fulltext' | 'spatial' | 'primary';

interface Span {
  /** UTF-16 offsets into the statement's text. */
  start: number;
  end: number;
}

/** One clause of an ALTER TABLE, with where it is in the statement. */
export type AlterClause = Span & AlterClauseBody;

type AlterClauseBody =
    | { kind: 'addColumn'; column: DialectColumn }
    | { kind: 'dropColumn'; column: string }
    /** MODIFY (newName = column) and CHANGE old new. */
    | { kind: 'modifyColumn'; column: string; definition: DialectColumn }
    | { kind: 'renameColumn'; column: string; to: string }
    | { kind: 'alterColumnDefault'; column: string }
    | { kind: 'addIndex'; index?: string; indexKind: IndexKind; columns: string[] }
    | { kind: 'dropIndex'; index: string }
    | { kind: 'dropPrimaryKey' }
    | { kind: 'addForeignKey'; constraint?: string; columns: string[]; referencedTable: string }
    | { kind: 'dropForeignKey'; constraint: string }
    | { kind: 'renameIndex'; index: string; to: string }
    | { kind: 'renameTable'; to: string }
    | { kind: 'convertCharset'; charset: string }
    | { kind: 'tableCharset'; charset: string }
    | { kind: 'algorithm'; value: string }
    | { kind: 'lock'; value: string }
    | { kind: 'other' };

export interface WhereShape {
  /** No WHERE at all, or one that names no column (`WHERE 1 = 1`). */
  everyRow: boolean;
  /** The WHERE only tests columns the statement sets for NULL: every row still to fill. */
  onlyNullTestsOfSetColumns: boolean;
  /**
   * `new IS NULL AND old IS NOT NULL`: NULL tests of set columns ANDed with
   * IS NOT NULL tests of these other columns (whether those leave any row out
   * depends on their nullability, which the rules know).
   */
  alsoNotNullTests?: string[];
}

export type DialectStatement =
  | { kind: 'alterTable'; table: string; clauses: AlterClause[]; algorithm?: string; lock?: string }
  | (Span & { kind: 'createIndex'; table: string; index: string; indexKind: IndexKind; columns: string[]; algorithm?: string; lock?: string; ifNotExists: boolean })
  | { kind: 'dropIndex'; index: string; table?: string }
  | { kind: 'createTable'; table: string; columns: DialectColumn[]; uniques: string[][]; checks: number; foreignKeys: { columns: string[]; referencedTable: string }[]; ifNotExists: boolean; asSelect: boolean }
  | { kind: 'dropTable'; tables: (Span & { name: string })[]; ifExists: boolean }
  | { kind: 'renameTable'; pairs: { from: string; to: string }[] }
  /**
   * `columns` the INSERT names (empty when it names none); `selected` its SELECT list, item by item: a column
   * name, `*`, or `(expression)`; `from` the tables the SELECT reads, empty for VALUES; `referenced` every
   * name in the SELECT list, inside expressions too (`COALESCE("nickname", '')` reads `nickname`; keywords and
   * function names come along, which only errs on the side of "kept").
   */
  | { kind: 'insert'; table: string; columns: string[]; selected: string[]; from: string[]; referenced: string[]; filtered: boolean }
  | { kind: 'update'; table: string; setColumns: string[]; where: WhereShape; limit: boolean; joins: boolean; copies: Record<string, string> }
  | { kind: 'delete'; table: string; where: WhereShape; limit: boolean }
  | { kind: 'setVariable'; name: string; value: string }
  | { kind: 'pragma'; name: string; value?: string }
  | { kind: 'other' };

/** The typed form of one MySQL or SQLite statement (`text` without its `;`). */
export function readDialectStatement(text: string, provider: Exclude<Provider, 'postgresql'>): DialectStatement {
  const tokens: DialectToken[] = provider === 'mysql' ? lexMysql(text) : lexSqlite(text);
  return new Reader(text, tokens, provider).statement();
}


const TYPE_STOP = new Set([
  'NOT', 'NULL', 'DEFAULT', 'AUTO_INCREMENT', 'AUTOINCREMENT', 'PRIMARY', 'UNIQUE', 'KEY', 'COMMENT', 'COLLATE', 'CHARACTER', 'CHARSET',
  'REFERENCES', 'CHECK', 'GENERATED', 'AS', 'FIRST', 'AFTER', 'ON', 'CONSTRAINT', 'INVISIBLE', 'VISIBLE', 'STORAGE', 'COLUMN_FORMAT', 'SRID',
]);

class Reader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: DialectToken[],
    private readonly provider: 'mysql' | 'sqlite',
  ) {}

  // -------------------------------------------------------------------------
  // Cursor

  private peek(offset = 0): DialectToken | undefined {
    return this.tokens[this.pos + offset];
  }

  private is(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token !== undefined && token.kind === 'word' && token.text.toUpperCase() === word;
  }

  private accept(...words: string[]): boolean {
    if (words.every((word, i) => this.is(word, i))) {
      this.pos += words.length;
      return true;
    }
    return false;
  }

  private punct(ch: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token !== undefined && token.kind === 'punct' && token.text === ch;
  }

  /** An identifier (quoted or bare); `schema.name` gives `name`. */
  private name(): string | undefined {
    const token = this.peek();
    if (!token || (token.kind !== 'ident' && token.kind !== 'word' && !(token.kind === 'string' && this.provider === 'sqlite'))) return undefined;
    this.pos++;
    let value = token.value;
    while (this.punct('.') && this.peek(1) && ['ident', 'word'].includes(this.peek(1)!.kind)) {
      value = this.peek(1)!.value;
      this.pos += 2;
    }
    return value;
  }

  /** `(a, b(10), c DESC)`: the column names, prefix lengths and orders dropped; expressions as `(expression)`. */
  private nameList(): string[] {
    if (!this.punct('(')) return [];
    const close = this.closing(this.pos);
    const names: string[] = [];
    let item: DialectToken[] = [];
    const flush = (): void => {
      const first = item[0];
      if (first) names.push(first.kind === 'ident' || first.kind === 'word' ? first.value : '(expression)');
      item = [];
    };
    let depth = 0;
    for (let i = this.pos + 1; i < close; i++) {
      const token = this.tokens[i];
      if (token.kind === 'punct' && token.text === '(') depth++;
      else if (token.kind === 'punct' && token.text === ')') depth--;
      if (depth === 0 && token.kind === 'punct' && token.text === ',') flush();
      else item.push(token);
    }
    flush();
    this.pos = close + 1;
    return names;
  }

  /** Index of the `)` matching the `(` at `open` (or the last token). */
  private closing(open: number): number {
    let depth = 0;
    for (let i = open; i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token.kind !== 'punct') continue;
      if (token.text === '(') depth++;
      else if (token.text === ')' && --depth === 0) return i;
    }
    return this.tokens.length - 1;
  }

  /** Skips to the next top-level `,` (or the end), returning the index it stopped at. */
  private skipItem(until = this.tokens.length): number {
    while (this.pos < until && !this.punct(',')) {
      if (this.punct('(')) this.pos = this.closing(this.pos) + 1;
      else this.pos++;
    }
    return this.pos;
  }

  private spanTo(from: number, to: number): Span {
    const first = this.tokens[from];
    const last = this.tokens[Math.max(from, to - 1)];
    return { start: first?.start ?? 0, end: last?.end ?? first?.end ?? 0 };
  }

  // -------------------------------------------------------------------------
  // Statements

  statement(): DialectStatement {
    if (this.accept('ALTER', 'TABLE')) return this.alterTable();
    if (this.is('CREATE')) return this.create();
    if (this.accept('DROP', 'TABLE') || this.accept('DROP', 'TEMPORARY', 'TABLE')) return this.dropTable();
    if (this.accept('DROP', 'INDEX')) return this.dropIndex();
    if (this.accept('RENAME', 'TABLE')) return this.renameTable();
    if (this.is('INSERT') || this.is('REPLACE')) return this.insert();
    if (this.accept('UPDATE')) return this.update();
    if (this.accept('DELETE')) return this.delete();
    if (this.accept('SET')) return this.set();
    if (this.accept('PRAGMA')) return this.pragma();
    return { kind: 'other' };
  }

  private alterTable(): DialectStatement {
    this.accept('IF', 'EXISTS');
    const table = this.name();
    if (!table) return { kind: 'other' };
    const clauses: AlterClause[] = [];
    while (this.pos < this.tokens.length) {
      const start = this.pos;
      const clause = this.alterClause();
      const end = this.skipItem();
      clauses.push({ ...clause, ...this.spanTo(start, end) });
      if (this.punct(',')) this.pos++;
    }
    const algorithm = clauses.find((c): c is Extract<AlterClause, { kind: 'algorithm' }> => c.kind === 'algorithm')?.value;
    const lock = clauses.find((c): c is Extract<AlterClause, { kind: 'lock' }> => c.kind === 'lock')?.value;
    return { kind: 'alterTable', table, clauses, ...(algorithm ? { algorithm } : {}), ...(lock ? { lock } : {}) };
  }

  private alterClause(): AlterClauseBody {
    if (this.accept('ADD')) {
      const constraint = this.accept('CONSTRAINT') ? (this.is('PRIMARY') || this.is('UNIQUE') || this.is('FOREIGN') || this.is('CHECK') ? undefined : this.name()) : undefined;
      const index = this.indexDefinition();
      if (index) return { kind: 'addIndex', ...index };
      if (this.accept('FOREIGN', 'KEY')) {
        const named = this.punct('(') ? undefined : this.name();
        const columns = this.nameList();
        const referencedTable = this.accept('REFERENCES') ? this.name() : undefined;
        const name = constraint ?? named;
        return referencedTable ? { kind: 'addForeignKey', ...(name ? { constraint: name } : {}), columns, referencedTable } : { kind: 'other' };
      }
      if (this.is('CHECK') || this.is('PERIOD')) return { kind: 'other' };
      this.accept('COLUMN');
      if (this.punct('(')) return { kind: 'other' };
      const column = this.columnDefinition();
      return column ? { kind: 'addColumn', column } : { kind: 'other' };
    }
    if (this.accept('DROP')) {
      if (this.accept('PRIMARY', 'KEY')) return { kind: 'dropPrimaryKey' };
      if (this.accept('FOREIGN', 'KEY')) {
        const name = this.name();
        return name ? { kind: 'dropForeignKey', constraint: name } : { kind: 'other' };
      }
      if (this.accept('INDEX') || this.accept('KEY')) {
        const name = this.name();
        return name ? { kind: 'dropIndex', index: name } : { kind: 'other' };
      }
      if (this.is('CONSTRAINT') || this.is('CHECK') || this.is('PARTITION')) return { kind: 'other' };
      this.accept('COLUMN');
      this.accept('IF', 'EXISTS');
      const column = this.name();
      return column ? { kind: 'dropColumn', column } : { kind: 'other' };
    }
    if (this.accept('MODIFY')) {
      this.accept('COLUMN');
      const definition = this.columnDefinition();
      return definition ? { kind: 'modifyColumn', column: definition.name, definition } : { kind: 'other' };
    }
    if (this.accept('CHANGE')) {
      this.accept('COLUMN');
      const column = this.name();
      const definition = this.columnDefinition();
      return column && definition ? { kind: 'modifyColumn', column, definition } : { kind: 'other' };
    }
    if (this.accept('ALTER')) {
      this.accept('COLUMN');
      const column = this.name();
      return column && (this.is('SET') || this.is('DROP')) ? { kind: 'alterColumnDefault', column } : { kind: 'other' };
    }
    if (this.accept('RENAME')) {
      if (this.accept('INDEX') || this.accept('KEY')) {
        const index = this.name();
        const to = this.accept('TO') ? this.name() : undefined;
        return index && to ? { kind: 'renameIndex', index, to } : { kind: 'other' };
      }
      if (this.accept('TO') || this.accept('AS') || !this.is('COLUMN')) {
        const to = this.name();
        return to ? { kind: 'renameTable', to } : { kind: 'other' };
      }
      this.accept('COLUMN');
      const column = this.name();
      const to = this.accept('TO') ? this.name() : undefined;
      return column && to ? { kind: 'renameColumn', column, to } : { kind: 'other' };
    }
    if (this.accept('CONVERT', 'TO')) {
      this.accept('CHARACTER', 'SET') || this.accept('CHARSET');
      return { kind: 'convertCharset', charset: this.peek()?.value.toLowerCase() ?? '' };
    }
    this.accept('DEFAULT');
    if (this.accept('CHARACTER', 'SET') || this.accept('CHARSET')) {
      if (this.punct('=')) this.pos++;
      return { kind: 'tableCharset', charset: this.peek()?.value.toLowerCase() ?? '' };
    }
    if (this.accept('ALGORITHM') || this.accept('LOCK')) {
      const kind = this.tokens[this.pos - 1].text.toUpperCase() === 'ALGORITHM' ? 'algorithm' : 'lock';
      if (this.punct('=')) this.pos++;
      const value = this.peek()?.text.toUpperCase() ?? '';
      return { kind, value };
    }
    return { kind: 'other' };
  }

  /** `[UNIQUE|FULLTEXT|SPATIAL|PRIMARY] {INDEX|KEY} [name] (cols)` after ADD or inside CREATE TABLE. */
  private indexDefinition(): { index?: string; indexKind: IndexKind; columns: string[] } | undefined {
    let indexKind: IndexKind | undefined;
    if (this.accept('PRIMARY', 'KEY')) indexKind = 'primary';
    else if (this.accept('UNIQUE')) indexKind = 'unique';
    else if (this.accept('FULLTEXT')) indexKind = 'fulltext';
    else if (this.accept('SPATIAL')) indexKind = 'spatial';
    else if (this.is('INDEX') || this.is('KEY')) indexKind = 'index';
    if (!indexKind) return undefined;
    if (indexKind !== 'primary') this.accept('INDEX') || this.accept('KEY');
    const index = this.punct('(') || this.is('USING') ? undefined : this.name();
    if (this.accept('USING')) this.pos++;
    const columns = this.nameList();
    return { ...(index ? { index } : {}), indexKind, columns };
  }

  /** `name type [attributes]`: reads up to the next top-level comma (not consumed). */
  private columnDefinition(): DialectColumn | undefined {
    const name = this.name();
    if (!name) return undefined;
    const typeWords: string[] = [];
    let args: number[] = [];
    let values: string[] | undefined;
    let typeText = '';
    while (this.peek() && this.peek()!.kind === 'word' && !TYPE_STOP.has(this.peek()!.text.toUpperCase())) {
      typeWords.push(this.peek()!.text);
      this.pos++;
      if (this.punct('(')) {
        const close = this.closing(this.pos);
        const inner = this.tokens.slice(this.pos + 1, close);
        typeText = this.text.slice(this.tokens[this.pos].start, this.tokens[close].end);
        if (inner.some((t) => t.kind === 'string')) values = inner.filter((t) => t.kind === 'string').map((t) => t.value);
        else args = inner.filter((t) => t.kind === 'number').map((t) => Number(t.text));
        this.pos = close + 1;
      }
    }
    const words = typeWords.map((w) => w.toUpperCase());
    const unsigned = words.includes('UNSIGNED') || words.includes('ZEROFILL');
    const baseName = words.filter((w) => w !== 'UNSIGNED' && w !== 'ZEROFILL' && w !== 'SIGNED').join(' ');
    const type =
      this.provider === 'mysql'
        ? canonicalMysqlType({ name: baseName, args, unsigned, ...(values ? { values } : {}) })
        : parseColumnType(`${baseName}${typeText}`);
    const column: DialectColumn = { name, type, notNull: false, hasDefault: false, autoIncrement: false, primaryKey: false, unique: false, check: false };
    while (this.pos < this.tokens.length && !this.punct(',') && !this.punct(')')) {
      if (this.accept('NOT', 'NULL')) column.notNull = true;
      else if (this.accept('DEFAULT')) {
        column.hasDefault = !this.is('NULL');
        if (this.punct('(')) this.pos = this.closing(this.pos) + 1;
        else this.pos++;
      } else if (this.accept('AUTO_INCREMENT') || this.accept('AUTOINCREMENT')) column.autoIncrement = true;
      else if (this.accept('PRIMARY', 'KEY')) column.primaryKey = true;
      else if (this.accept('UNIQUE')) column.unique = true;
      else if (this.accept('CHECK')) {
        column.check = true;
        if (this.punct('(')) this.pos = this.closing(this.pos) + 1;
      } else if (this.accept('REFERENCES')) {
        const target = this.name();
        if (target) column.references = target;
      } else if (this.accept('CHARACTER', 'SET') || this.accept('CHARSET') || this.accept('COLLATE')) {
        column.charset = this.peek()?.value.toLowerCase();
        this.pos++;
      } else if (this.accept('FIRST')) column.position = 'first';
      else if (this.accept('AFTER')) {
        column.position = 'after';
        this.pos++;
      } else if (this.punct('(')) this.pos = this.closing(this.pos) + 1;
      else this.pos++;
    }
    // SQLite: INTEGER PRIMARY KEY is the rowid and fills itself.
    if (this.provider === 'sqlite' && column.primaryKey && column.type.name === 'INTEGER') column.autoIncrement = true;
    return column;
  }

  private create(): DialectStatement {
    this.pos++;
    this.accept('OR', 'REPLACE');
    let indexKind: IndexKind | undefined;
    if (this.accept('UNIQUE')) indexKind = 'unique';
    else if (this.accept('FULLTEXT')) indexKind = 'fulltext';
    else if (this.accept('SPATIAL')) indexKind = 'spatial';
    if (this.accept('INDEX')) return this.createIndex(indexKind ?? 'index');
    this.accept('TEMPORARY') || this.accept('TEMP');
    if (!indexKind && this.accept('TABLE')) return this.createTable();
    return { kind: 'other' };
  }

  private createIndex(indexKind: IndexKind): DialectStatement {
    const from = this.pos;
    const ifNotExists = this.accept('IF', 'NOT', 'EXISTS');
    const index = this.name();
    if (this.accept('USING')) this.pos++;
    if (!index || !this.accept('ON')) return { kind: 'other' };
    const table = this.name();
    if (!table) return { kind: 'other' };
    const columns = this.nameList();
    let algorithm: string | undefined;
    let lock: string | undefined;
    while (this.pos < this.tokens.length) {
      if (this.accept('ALGORITHM') || this.accept('LOCK')) {
        const which = this.tokens[this.pos - 1].text.toUpperCase();
        if (this.punct('=')) this.pos++;
        const value = this.peek()?.text.toUpperCase();
        if (which === 'ALGORITHM') algorithm = value;
        else lock = value;
      }
      this.pos++;
    }
    return {
      kind: 'createIndex',
      table,
      index,
      indexKind,
      columns,
      ifNotExists,
      ...(algorithm ? { algorithm } : {}),
      ...(lock ? { lock } : {}),
      ...this.spanTo(Math.max(0, from - 2), this.tokens.length),
    };
  }

  private createTable(): DialectStatement {
    const ifNotExists = this.accept('IF', 'NOT', 'EXISTS');
    const table = this.name();
    if (!table) return { kind: 'other' };
    const result = { kind: 'createTable' as const, table, columns: [] as DialectColumn[], uniques: [] as string[][], checks: 0, foreignKeys: [] as { columns: string[]; referencedTable: string }[], ifNotExists, asSelect: false };
    if (!this.punct('(')) {
      result.asSelect = this.tokens.slice(this.pos).some((t) => t.kind === 'word' && t.text.toUpperCase() === 'SELECT');
      return result;
    }
    const close = this.closing(this.pos);
    this.pos++;
    while (this.pos < close) {
      if (this.accept('CONSTRAINT')) this.name();
      const index = this.indexDefinition();
      if (index) {
        if (index.indexKind === 'unique') result.uniques.push(index.columns);
      } else if (this.accept('FOREIGN', 'KEY')) {
        if (!this.punct('(')) this.name();
        const columns = this.nameList();
        const referencedTable = this.accept('REFERENCES') ? this.name() : undefined;
        if (referencedTable) result.foreignKeys.push({ columns, referencedTable });
      } else if (this.accept('CHECK')) {
        result.checks++;
      } else {
        const column = this.columnDefinition();
        if (column) {
          result.columns.push(column);
          if (column.unique) result.uniques.push([column.name]);
          if (column.check) result.checks++;
          if (column.references) result.foreignKeys.push({ columns: [column.name], referencedTable: column.references });
        }
      }
      this.skipItem(close);
      if (this.punct(',')) this.pos++;
    }
    return result;
  }

  private dropTable(): DialectStatement {
    const ifExists = this.accept('IF', 'EXISTS');
    const tables: (Span & { name: string })[] = [];
    while (this.pos < this.tokens.length) {
      const start = this.pos;
      const name = this.name();
      if (!name) break;
      tables.push({ name, ...this.spanTo(start, this.pos) });
      if (!this.punct(',')) break;
      this.pos++;
    }
    return tables.length > 0 ? { kind: 'dropTable', tables, ifExists } : { kind: 'other' };
  }

  private dropIndex(): DialectStatement {
    this.accept('IF', 'EXISTS');
    const index = this.name();
    if (!index) return { kind: 'other' };
    const table = this.accept('ON') ? this.name() : undefined;
    return { kind: 'dropIndex', index, ...(table ? { table } : {}) };
  }

  private renameTable(): DialectStatement {
    const pairs: { from: string; to: string }[] = [];
    while (this.pos < this.tokens.length) {
      const from = this.name();
      const to = from && this.accept('TO') ? this.name() : undefined;
      if (!from || !to) break;
      pairs.push({ from, to });
      if (!this.punct(',')) break;
      this.pos++;
    }
    return pairs.length > 0 ? { kind: 'renameTable', pairs } : { kind: 'other' };
  }

  private insert(): DialectStatement {
    this.pos++;
    while (this.is('IGNORE') || this.is('LOW_PRIORITY') || this.is('HIGH_PRIORITY') || this.is('DELAYED') || this.is('OR')) this.pos += this.is('OR') ? 2 : 1;
    this.accept('INTO');
    const table = this.name();
    if (!table) return { kind: 'other' };
    const columns = this.punct('(') ? this.nameList() : [];
    const selectStart = this.pos;
    const selected = this.accept('SELECT') ? this.selectList() : [];
    const referenced = this.tokens.slice(selectStart, this.pos).filter((t) => t.kind === 'ident' || t.kind === 'word').map((t) => t.value);
    const from: string[] = [];
    // The tables after each FROM and JOIN of the SELECT (subqueries included: they are read too).
    for (let i = this.pos; i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token.kind === 'word' && ['FROM', 'JOIN'].includes(token.text.toUpperCase())) {
        const next = this.tokens[i + 1];
        if (next && (next.kind === 'ident' || (next.kind === 'word' && !['SELECT', 'DUAL'].includes(next.text.toUpperCase())))) {
          this.pos = i + 1;
          const name = this.name();
          if (name) from.push(name);
        }
      }
    }
    // A WHERE or LIMIT anywhere after the list (in a subquery too, to stay on the safe side): not every row is copied.
    const filtered = this.tokens.slice(selectStart).some((t) => t.kind === 'word' && ['WHERE', 'LIMIT', 'HAVING', 'GROUP'].includes(t.text.toUpperCase()));
    return { kind: 'insert', table, columns, selected, from, referenced, filtered };
  }

  /** The items of a SELECT list up to its FROM: bare or qualified columns by name (their alias ignored), the rest as `(expression)`. */
  private selectList(): string[] {
    this.accept('DISTINCT') || this.accept('ALL');
    const items: string[] = [];
    let item: DialectToken[] = [];
    const flush = (): void => {
      const isName = (t: DialectToken | undefined): boolean => t !== undefined && (t.kind === 'ident' || t.kind === 'word');
      const asAt = item.length - 2;
      const body = asAt > 0 && item[asAt].kind === 'word' && item[asAt].text.toUpperCase() === 'AS' ? item.slice(0, asAt) : item;
      const last = body[body.length - 1];
      const qualified = body.length === 3 && isName(body[0]) && body[1].text === '.';
      if (last?.text === '*' && (body.length === 1 || qualified)) items.push('*');
      else if ((body.length === 1 || qualified) && isName(last)) items.push(last.value);
      else if (item.length > 0) items.push('(expression)');
      item = [];
    };
    while (this.pos < this.tokens.length && !this.is('FROM')) {
      if (this.punct(',')) flush();
      else if (this.punct('(')) {
        const close = this.closing(this.pos);
        item.push(...this.tokens.slice(this.pos, close + 1));
        this.pos = close;
      } else item.push(this.peek()!);
      this.pos++;
    }
    flush();
    return items;
  }

  private update(): DialectStatement {
    while (this.is('LOW_PRIORITY') || this.is('IGNORE') || this.is('OR')) this.pos += this.is('OR') ? 2 : 1;
    const table = this.name();
    if (!table) return { kind: 'other' };
    const aliases = new Set([table]);
    let joins = false;
    while (this.pos < this.tokens.length && !this.is('SET')) {
      if (this.is('JOIN') || this.punct(',')) joins = true;
      const token = this.peek()!;
      if (!joins && (token.kind === 'ident' || token.kind === 'word') && !this.is('AS')) aliases.add(token.value);
      this.pos++;
    }
    this.accept('SET');
    const setColumns: string[] = [];
    // Each set column's value, as tokens after its `=`: a lone (qualified) name is a copy of that column.
    const values: DialectToken[][] = [];
    let depth = 0;
    let expectColumn = true;
    while (this.pos < this.tokens.length && !(depth === 0 && (this.is('WHERE') || this.is('ORDER') || this.is('LIMIT') || this.is('FROM')))) {
      const token = this.peek()!;
      if (!expectColumn && values.length > 0) values[values.length - 1].push(token);
      if (token.kind === 'punct' && token.text === '(') depth++;
      else if (token.kind === 'punct' && token.text === ')') depth--;
      else if (depth === 0 && token.kind === 'punct' && token.text === ',') {
        expectColumn = true;
        values[values.length - 1]?.pop();
      } else if (expectColumn && (token.kind === 'ident' || token.kind === 'word')) {
        let name = token.value;
        while (this.punct('.', 1) && this.peek(2)) {
          this.pos += 2;
          name = this.peek()!.value;
        }
        setColumns.push(name);
        values.push([]);
        expectColumn = false;
      }
      this.pos++;
    }
    const copies: Record<string, string> = {};
    setColumns.forEach((column, i) => {
      const value = (values[i] ?? []).filter((t) => !(t.kind === 'punct' && t.text === '='));
      const named = (t: DialectToken | undefined): boolean => t !== undefined && (t.kind === 'ident' || (t.kind === 'word' && !['NULL', 'TRUE', 'FALSE', 'DEFAULT'].includes(t.text.toUpperCase())));
      const last = value[value.length - 1];
      const plain = value.length === 1 || (value.length === 3 && value[1].text === '.' && value[0].kind !== 'punct');
      if (plain && named(last) && last.value !== column) copies[column] = last.value;
      // COALESCE(`name`, '') / IFNULL(`name`, '') keeps every value and fills in the NULLs.
      const [fn, open, first, comma] = value;
      if (fn?.kind === 'word' && ['COALESCE', 'IFNULL'].includes(fn.text.toUpperCase()) && open?.text === '(' && named(first) && comma?.text === ',' && first.value !== column) copies[column] = first.value;
    });
    if (this.is('FROM')) joins = true;
    const where = this.where(new Set(setColumns));
    const limit = this.tokens.slice(this.pos).some((t) => t.kind === 'word' && t.text.toUpperCase() === 'LIMIT');
    return { kind: 'update', table, setColumns, where, limit, joins, copies };
  }

  private delete(): DialectStatement {
    while (this.is('LOW_PRIORITY') || this.is('QUICK') || this.is('IGNORE')) this.pos++;
    if (!this.accept('FROM')) return { kind: 'other' };
    const table = this.name();
    if (!table) return { kind: 'other' };
    while (this.pos < this.tokens.length && !this.is('WHERE') && !this.is('LIMIT') && !this.is('ORDER')) this.pos++;
    const where = this.where(new Set());
    const limit = this.tokens.slice(this.pos).some((t) => t.kind === 'word' && t.text.toUpperCase() === 'LIMIT');
    return { kind: 'delete', table, where, limit };
  }

  /** Reads `WHERE ...` up to ORDER BY / LIMIT at the top level. */
  private where(setColumns: Set<string>): WhereShape {
    if (!this.accept('WHERE')) return { everyRow: true, onlyNullTestsOfSetColumns: false };
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.tokens.length && !(depth === 0 && (this.is('ORDER') || this.is('LIMIT')))) {
      if (this.punct('(')) depth++;
      else if (this.punct(')')) depth--;
      this.pos++;
    }
    const condition = this.tokens.slice(start, this.pos).filter((t) => !(t.kind === 'punct' && (t.text === '(' || t.text === ')')));
    const KEYWORDS = new Set(['AND', 'OR', 'IS', 'NOT', 'NULL', 'TRUE', 'FALSE']);
    const columns = condition.filter((t, i) => (t.kind === 'ident' || (t.kind === 'word' && !KEYWORDS.has(t.text.toUpperCase()))) && !(condition[i + 1]?.kind === 'punct' && condition[i + 1]?.text === '.'));
    if (columns.length === 0) return { everyRow: true, onlyNullTestsOfSetColumns: false };
    // `col IS NULL [OR col2 IS NULL]`, columns possibly qualified.
    const bare = condition.filter((t, i) => !(condition[i + 1]?.kind === 'punct' && condition[i + 1]?.text === '.') && !(t.kind === 'punct' && t.text === '.'));
    const isName = (t: DialectToken): boolean => t.kind === 'ident' || (t.kind === 'word' && !KEYWORDS.has(t.text.toUpperCase()));
    const shape = bare.map((t) => (isName(t) ? (setColumns.has(t.value) ? 'C' : 'X') : t.text.toUpperCase()));
    const text = shape.join(' ');
    const nullTests = text.split(' OR ').every((part) => part === 'C IS NULL');
    const parts = text.split(' AND ');
    if (!nullTests && !text.includes(' OR ') && parts.includes('C IS NULL') && parts.every((part) => part === 'C IS NULL' || part === 'X IS NOT NULL')) {
      const others = bare.filter((t, i) => isName(t) && shape[i] === 'X').map((t) => t.value);
      return { everyRow: false, onlyNullTestsOfSetColumns: false, alsoNotNullTests: others };
    }
    return { everyRow: false, onlyNullTestsOfSetColumns: nullTests };
  }

  private set(): DialectStatement {
    this.accept('SESSION') || this.accept('LOCAL') || this.accept('GLOBAL');
    const token = this.peek();
    if (!token) return { kind: 'other' };
    const name = token.text.replace(/^@@(?:session\.|local\.|global\.)?/i, '').toLowerCase();
    this.pos++;
    if (!this.punct('=') && !(this.peek()?.text === ':')) return { kind: 'other' };
    this.pos += this.punct('=') ? 1 : 2;
    const value = this.peek()?.value.toUpperCase() ?? '';
    return { kind: 'setVariable', name, value };
  }

  private pragma(): DialectStatement {
    const name = this.name()?.toLowerCase();
    if (!name) return { kind: 'other' };
    if (this.punct('=')) {
      this.pos++;
      return { kind: 'pragma', name, value: this.peek()?.value.toUpperCase() ?? '' };
    }
    if (this.punct('(')) return { kind: 'pragma', name, value: this.peek(1)?.value.toUpperCase() ?? '' };
    return { kind: 'pragma', name };
  }
}
