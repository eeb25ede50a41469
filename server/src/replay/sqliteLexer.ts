/**
 * SQLite text helpers that need no database: a small lexer (enough to split
 * statements after a failure and to read what the pragmas do not tell:
 * constraint names, generated expressions, WHERE) and the reading of a
 * declared column type. They are apart from the replayer (sqlite.ts) because
 * the statement reader uses them on every dialect file, while the replayer and
 * sql.js are loaded only for SQLite projects.
 */
import type { ColumnType } from '../core/dbState';
import { collectTokens, skipSpaceAndComments } from './sqlText';

export interface SqliteToken {
  kind: 'word' | 'ident' | 'string' | 'number' | 'punct';
  text: string;
  /** Identifier value: unquoted, case kept; for words the text itself. */
  value: string;
  start: number;
  end: number;
}

/** SQLite: `--` starts a line comment wherever it stands. */
function startsLineComment(text: string, at: number): boolean {
  return text.startsWith('--', at);
}

function skipSpace(text: string, pos: number): number {
  return skipSpaceAndComments(text, pos, startsLineComment);
}

/** Like skipSpace, and also over empty statements (stray semicolons). */
export function skipTrivia(text: string, pos: number): number {
  let i = skipSpace(text, pos);
  while (i < text.length && text[i] === ';') i = skipSpace(text, i + 1);
  return i;
}

function closingQuote(text: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const close = text.indexOf(quote, i);
    if (close < 0) return text.length;
    // A doubled quote is an escaped one.
    if (quote !== ']' && text[close + 1] === quote) {
      i = close + 2;
      continue;
    }
    return close + 1;
  }
}

export function nextToken(text: string, pos: number): SqliteToken | undefined {
  const start = skipSpace(text, pos);
  if (start >= text.length) return undefined;
  const ch = text[start];
  let end: number;
  let kind: SqliteToken['kind'];
  if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
    end = closingQuote(text, start, ch === '[' ? ']' : ch);
    kind = ch === "'" ? 'string' : 'ident';
    const body = text.slice(start + 1, end - 1);
    const value = ch === '[' ? body : body.split(ch + ch).join(ch);
    return { kind, text: text.slice(start, end), value, start, end };
  }
  if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[start + 1] ?? ''))) {
    const match = /^(?:0x[0-9a-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)/i.exec(text.slice(start, start + 64));
    end = start + (match ? match[0].length : 1);
    kind = 'number';
  } else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) {
    end = start + 1;
    while (end < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[end])) end++;
    kind = 'word';
  } else {
    end = start + 1;
    kind = 'punct';
  }
  const tokenText = text.slice(start, end);
  return { kind, text: tokenText, value: tokenText, start, end };
}

export function lexSqlite(text: string, from = 0, to = text.length): SqliteToken[] {
  return collectTokens(nextToken, text, from, to);
}


export function parseColumnType(declared: string): ColumnType {
  // Older SQLite versions report a generated column's type with the GENERATED ALWAYS words attached.
  const text = declared.trim().replace(/\s+GENERATED\s+ALWAYS$/i, '');
  const match = /^([^(]*?)\s*\(([^)]*)\)\s*$/.exec(text);
  let name = text;
  let args: number[] = [];
  if (match) {
    name = match[1];
    args = match[2]
      .split(',')
      .map((part) => Number(part.trim()))
      .filter((n) => Number.isFinite(n));
  }
  return { name: name.replace(/\s+/g, ' ').trim().toUpperCase(), args, array: false, isEnum: false };
}
