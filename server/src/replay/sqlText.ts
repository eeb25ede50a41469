/**
 * Pieces the hand-written MySQL and SQLite lexers share (`isSpace` also serves
 * the PostgreSQL statement splitter in statements.ts). The dialects differ in
 * which text starts a line comment (MySQL wants a space after `--` and also
 * takes `#`), so that test is passed in; the rest is the same.
 */

/** ASCII whitespace: space, tab, newline, vertical tab, form feed, carriage return. */
export function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Offset of the next token at or after `pos`, past whitespace, `/* *\/`
 * comments and the line comments `startsLineComment` recognises.
 */
export function skipSpaceAndComments(
  text: string,
  pos: number,
  startsLineComment: (text: string, at: number) => boolean,
): number {
  let i = pos;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
    } else if (startsLineComment(text, i)) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol + 1;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else {
      break;
    }
  }
  return i;
}

/** Every token that starts in [from, to), read one after another by `nextToken`. */
export function collectTokens<Token extends { start: number; end: number }>(
  nextToken: (text: string, pos: number) => Token | undefined,
  text: string,
  from: number,
  to: number,
): Token[] {
  const tokens: Token[] = [];
  let pos = from;
  for (;;) {
    const token = nextToken(text, pos);
    if (!token || token.start >= to) break;
    tokens.push(token);
    pos = token.end;
  }
  return tokens;
}
