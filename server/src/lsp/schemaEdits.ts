/**
 * Text edits for the quick fixes, computed from the scanner's ranges on the
 * document as it is now (never from the analysis, whose ranges may be older).
 */
import type { TextEdit } from 'vscode-languageserver';
import type { ScannedAttribute, ScannedField, ScannedModel } from '../scan/types';

function lineBreak(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

export function indentationOf(text: string, line: number): string {
  const content = lines(text)[line] ?? '';
  return /^[ \t]*/.exec(content)?.[0] ?? '';
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** `String` → `String?`. Lists cannot be optional in Prisma, and an optional field needs nothing. */
export function makeOptionalEdit(field: ScannedField): TextEdit | undefined {
  if (field.optional || field.list || !field.typeName) return undefined;
  return { range: { start: field.typeRange.end, end: field.typeRange.end }, newText: '?' };
}

function fieldAttribute(field: ScannedField, name: string): ScannedAttribute | undefined {
  return field.attributes.find((a) => !a.block && a.name === name);
}

/** Sets a field attribute: replaces an existing one of the same name, or appends it after the last attribute. */
export function setFieldAttributeEdit(field: ScannedField, name: string, args: string): TextEdit | undefined {
  if (!field.typeName) return undefined;
  const text = `@${name}(${args})`;
  const existing = fieldAttribute(field, name);
  if (existing) {
    if (!existing.complete) return undefined;
    return { range: existing.range, newText: text };
  }
  return { range: { start: field.range.end, end: field.range.end }, newText: ` ${text}` };
}

export function addDefaultEdit(field: ScannedField, suggestion: string): TextEdit | undefined {
  if (fieldAttribute(field, 'default')) return undefined;
  const args = suggestion.replace(/^@default\((.*)\)$/s, '$1');
  return setFieldAttributeEdit(field, 'default', args);
}

export function mapColumnEdit(field: ScannedField, column: string): TextEdit | undefined {
  return setFieldAttributeEdit(field, 'map', quote(column));
}

/**
 * Sets `@@map("Old")` on a model: replaces an existing `@@map`, goes below the
 * last block attribute, or else on a new line (after a blank one, as Prisma's
 * formatter lays it out) before the closing brace.
 */
export function mapTableEdit(model: ScannedModel, text: string, table: string): TextEdit | undefined {
  if (!model.closed) return undefined;
  const attribute = `@@map(${quote(table)})`;
  const existing = model.attributes.find((a) => a.block && a.name === 'map');
  if (existing) return existing.complete ? { range: existing.range, newText: attribute } : undefined;
  const nl = lineBreak(text);
  const firstField = model.fields[0];
  const indent = firstField ? indentationOf(text, firstField.range.start.line) || '  ' : '  ';
  const lastAttribute = model.attributes[model.attributes.length - 1];
  if (lastAttribute) {
    return { range: { start: lastAttribute.range.end, end: lastAttribute.range.end }, newText: `${nl}${indent}${attribute}` };
  }
  const close = model.blockRange.end;
  const closeLine = lines(text)[close.line] ?? '';
  const beforeBrace = closeLine.slice(0, Math.max(0, close.character - 1));
  if (beforeBrace.trim() === '') {
    const blank = model.fields.length > 0 ? nl : '';
    return { range: { start: { line: close.line, character: 0 }, end: { line: close.line, character: 0 } }, newText: `${blank}${indent}${attribute}${nl}` };
  }
  // `model A { id Int @id }` on one line: open it up.
  const brace = { line: close.line, character: close.character - 1 };
  return { range: { start: brace, end: brace }, newText: `${nl}${indent}${attribute}${nl}` };
}

/** The suppression comment on its own line above `line`, indented like it. */
export function ignoreCommentEdit(text: string, line: number, comment: string): TextEdit {
  const indent = indentationOf(text, line);
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${comment}${lineBreak(text)}` };
}

/** Applies non-overlapping edits to a text (tests and the report use it; clients apply edits themselves). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const offset = (p: { line: number; character: number }): number => {
    if (p.line >= starts.length) return text.length;
    const lineEnd = p.line + 1 < starts.length ? starts[p.line + 1] - 1 : text.length;
    return Math.min(starts[p.line] + p.character, lineEnd);
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start) || offset(b.range.end) - offset(a.range.end));
  let result = text;
  for (const edit of sorted) result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  return result;
}
