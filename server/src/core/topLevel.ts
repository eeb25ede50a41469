/**
 * `text` cut at each `separator` that stands outside parentheses and quoted
 * text (a quote character doubled inside quotes reads as closing and opening
 * again, which keeps it inside). The separator is compared in upper case, so
 * `' AND '` also cuts at ` and `. The parts are returned as written.
 */
export function splitTopLevel(text: string, separator: string, quotes = `'"`): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (quotes.includes(ch)) quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && text.slice(i, i + separator.length).toUpperCase() === separator) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
