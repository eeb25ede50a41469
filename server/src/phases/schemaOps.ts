/**
 * Turns a phase's schema operations into text edits of the schema as it is at
 * the moment the phase is applied. Positions come from the scanner, never from
 * the plan: between two phases the user goes on editing the file.
 */
import type { Position } from '../core/source';
import { scanSchema } from '../scan/scanner';
import type { ScannedEnum, ScannedField, ScannedModel, ScannedSchema } from '../scan/types';
import type { SchemaEdit, SchemaOp } from './types';

export type EditsOutcome = { ok: true; edits: SchemaEdit[] } | { ok: false; reason: string };

function lineBreak(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineOf(text: string, line: number): string {
  return text.split(/\r?\n/)[line] ?? '';
}

function indentOf(text: string, line: number): string {
  return /^[ \t]*/.exec(lineOf(text, line))?.[0] ?? '';
}

function start(line: number): Position {
  return { line, character: 0 };
}

/**
 * `name Type ...` padded so that the type starts in the same column as the
 * neighbouring field's, as `prisma format` lays models out.
 */
function aligned(declaration: string, neighbour: ScannedField | undefined): string {
  if (!neighbour) return declaration;
  const width = neighbour.typeRange.start.character - neighbour.nameRange.start.character;
  const match = /^(\S+)\s+(.*)$/s.exec(declaration);
  if (!match) return declaration;
  const [, name, rest] = match;
  return name.length + 1 > width ? `${name} ${rest}` : name.padEnd(width) + rest;
}

export function describeOp(op: SchemaOp): string {
  switch (op.op) {
    case 'setOptional':
      return `make \`${op.model}.${op.field}\` ${op.optional ? 'optional' : 'required'}`;
    case 'replaceField':
      return `change \`${op.model}.${op.field}\` to \`${op.declaration}\``;
    case 'addField':
      return `add \`${op.declaration}\` to \`${op.model}\``;
    case 'removeField':
      return `remove \`${op.model}.${op.field}\``;
    case 'setRelationActions':
      return `set \`${Object.entries(op.actions).map(([name, value]) => `${name}: ${value}`).join(', ')}\` on the relation of \`${op.model}.${op.field}\``;
    case 'addModel':
      return `add model \`${op.model}\` (kept with @@ignore)`;
    case 'removeModel':
      return `remove model \`${op.model}\``;
    case 'addEnumValue':
      return `add \`${op.value}\` to enum \`${op.enum}\``;
    case 'removeEnumValue':
      return `remove \`${op.value}\` from enum \`${op.enum}\``;
    case 'setEnumValues':
      return `list \`${op.values.join(', ')}\` in enum \`${op.enum}\``;
  }
}

/**
 * Edits for `ops` on `texts` (file → text). Refuses, without edits, when the
 * schema no longer has what an operation needs: the plan then no longer fits
 * the schema and a person must look.
 */
export function schemaEditsFor(ops: SchemaOp[], texts: Map<string, string>): EditsOutcome {
  const files = [...texts.entries()].map(([path, text]) => ({ path, text }));
  const schema = scanSchema(files);
  const edits: SchemaEdit[] = [];
  for (const op of ops) {
    const result = editFor(op, schema, texts);
    if (typeof result === 'string') return { ok: false, reason: `Cannot ${describeOp(op)}: ${result}` };
    edits.push(...result);
  }
  return { ok: true, edits };
}

function findModel(schema: ScannedSchema, name: string): ScannedModel | undefined {
  return schema.models.find((m) => m.name === name);
}

function findField(model: ScannedModel, name: string): ScannedField | undefined {
  return model.fields.find((f) => f.name === name);
}

function findEnum(schema: ScannedSchema, name: string): ScannedEnum | undefined {
  return schema.enums.find((e) => e.name === name);
}

function editFor(op: SchemaOp, schema: ScannedSchema, texts: Map<string, string>): SchemaEdit[] | string {
  if (op.op === 'addModel') {
    if (findModel(schema, op.model)) return `the schema already has a model \`${op.model}\``;
    const near = op.nearModel ? findModel(schema, op.nearModel) : undefined;
    const file = near?.file ?? schema.models[schema.models.length - 1]?.file ?? [...texts.keys()][0];
    const text = texts.get(file) ?? '';
    const nl = lineBreak(text);
    const lines = text.split(/\r?\n/);
    const endsWithBreak = text.endsWith('\n');
    const last = endsWithBreak ? lines.length - 1 : lines.length;
    const position = endsWithBreak ? start(last) : { line: lines.length - 1, character: lines[lines.length - 1].length };
    const body = op.text.split('\n').join(nl);
    return [{ file, range: { start: position, end: position }, newText: `${endsWithBreak ? '' : nl}${nl}${body}${nl}` }];
  }
  if (op.op === 'removeModel') {
    const model = findModel(schema, op.model);
    if (!model) return `the schema has no model \`${op.model}\``;
    const text = texts.get(model.file) ?? '';
    let first = model.blockRange.start.line;
    // Documentation comments belong to the model they describe.
    while (first > 0 && /^\s*\/\/\//.test(lineOf(text, first - 1))) first--;
    if (first > 0 && lineOf(text, first - 1).trim() === '') first--;
    return [{ file: model.file, range: { start: start(first), end: start(model.blockRange.end.line + 1) }, newText: '' }];
  }
  if (op.op === 'addEnumValue' || op.op === 'removeEnumValue') {
    const found = findEnum(schema, op.enum);
    if (!found) return `the schema has no enum \`${op.enum}\``;
    const text = texts.get(found.file) ?? '';
    const existing = found.values.find((v) => v.name === op.value);
    if (op.op === 'removeEnumValue') {
      if (!existing) return `enum \`${op.enum}\` has no value \`${op.value}\``;
      return [{ file: found.file, range: { start: start(existing.range.start.line), end: start(existing.range.end.line + 1) }, newText: '' }];
    }
    if (existing) return `enum \`${op.enum}\` already has \`${op.value}\``;
    const before = op.before ? found.values.find((v) => v.name === op.before) : undefined;
    const anchor = before ?? found.values[found.values.length - 1];
    const indent = anchor ? indentOf(text, anchor.range.start.line) : '  ';
    const line = before ? before.range.start.line : anchor ? anchor.range.end.line + 1 : found.blockRange.end.line;
    return [{ file: found.file, range: { start: start(line), end: start(line) }, newText: `${indent}${op.value}${lineBreak(text)}` }];
  }

  if (op.op === 'setEnumValues') return enumListEdit(op, schema, texts);

  const model = findModel(schema, op.model);
  if (!model) return `the schema has no model \`${op.model}\``;
  const text = texts.get(model.file) ?? '';
  if (op.op === 'addField') {
    if (findField(model, op.field)) return `model \`${op.model}\` already has a field \`${op.field}\``;
    const after = op.after ? findField(model, op.after) : model.fields[model.fields.length - 1];
    if (op.after && !after) return `model \`${op.model}\` has no field \`${op.after}\` to put it after`;
    const neighbour = after ?? model.fields[0];
    const indent = neighbour ? indentOf(text, neighbour.range.start.line) : '  ';
    const line = after ? after.range.end.line + 1 : model.blockRange.start.line + 1;
    return [{ file: model.file, range: { start: start(line), end: start(line) }, newText: `${indent}${aligned(op.declaration, neighbour)}${lineBreak(text)}` }];
  }
  const field = findField(model, op.field);
  if (!field) return `model \`${op.model}\` has no field \`${op.field}\``;
  switch (op.op) {
    case 'setOptional': {
      if (field.list) return `\`${op.model}.${op.field}\` is a list`;
      const at = field.typeRange.end;
      if (op.optional) return field.optional ? [] : [{ file: model.file, range: { start: at, end: at }, newText: '?' }];
      if (!field.optional) return [];
      if (lineOf(text, at.line)[at.character] !== '?') return 'the `?` is not where the scanner expects it';
      return [{ file: model.file, range: { start: at, end: { line: at.line, character: at.character + 1 } }, newText: '' }];
    }
    case 'replaceField': {
      const neighbour = model.fields.find((f) => f !== field);
      return [{ file: model.file, range: field.range, newText: aligned(op.declaration, neighbour ?? field) }];
    }
    case 'setRelationActions': {
      const relation = field.attributes.find((a) => a.name === 'relation' && !a.block);
      if (!relation || !relation.complete || !relation.argsRange) return `\`${op.model}.${op.field}\` has no readable \`@relation(...)\``;
      const edits: SchemaEdit[] = [];
      let appended = '';
      for (const [name, value] of Object.entries(op.actions)) {
        if (value === undefined) continue;
        const existing = relation.args.find((a) => a.name === name);
        if (existing?.value) edits.push({ file: model.file, range: existing.value.range, newText: value });
        else if (existing) return `the \`${name}:\` of \`${op.model}.${op.field}\` has no value`;
        else appended += `${relation.args.length > 0 || appended ? ', ' : ''}${name}: ${value}`;
      }
      if (appended) edits.push({ file: model.file, range: { start: relation.argsRange.end, end: relation.argsRange.end }, newText: appended });
      return edits;
    }
    case 'removeField': {
      let first = field.range.start.line;
      while (first > 0 && /^\s*\/\/\//.test(lineOf(text, first - 1))) first--;
      return [{ file: model.file, range: { start: start(first), end: start(field.range.end.line + 1) }, newText: '' }];
    }
  }
}

/**
 * One edit that rewrites the lines from the first value to the last: each kept
 * value brings its own lines and the comment lines above it (so that a later
 * edit back to the old list gives the old text back), a new value gets a line
 * indented like the first.
 */
function enumListEdit(op: Extract<SchemaOp, { op: 'setEnumValues' }>, schema: ScannedSchema, texts: Map<string, string>): SchemaEdit[] | string {
  const found = findEnum(schema, op.enum);
  if (!found) return `the schema has no enum \`${op.enum}\``;
  if (found.values.length === 0) return `enum \`${op.enum}\` lists no values`;
  const text = texts.get(found.file) ?? '';
  const lines = text.split(/\r?\n/);
  // Comment lines between the `{` and the first value belong to that value.
  const first = found.blockRange.start.line + 1;
  if (found.values[0].range.start.line < first) return `enum \`${op.enum}\` has a value on the line of its \`{\``;
  const last = found.values[found.values.length - 1].range.end.line;
  const groups = new Map<string, string[]>();
  let cursor = first;
  for (const value of found.values) {
    if (value.range.start.line < cursor) return `enum \`${op.enum}\` has more than one value on a line`;
    groups.set(value.name, lines.slice(cursor, value.range.end.line + 1));
    cursor = value.range.end.line + 1;
  }
  const indent = indentOf(text, found.values[0].range.start.line);
  const body = op.values.flatMap((name) => groups.get(name) ?? [`${indent}${op.declarations?.[name] ?? name}`]);
  const nl = lineBreak(text);
  return [{ file: found.file, range: { start: start(first), end: start(last + 1) }, newText: body.map((line) => line + nl).join('') }];
}

/** Applies edits to texts (the CLI writes the results; tests read them). */
export function applyEditsToText(text: string, edits: { range: { start: Position; end: Position }; newText: string }[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const offset = (p: Position): number => {
    if (p.line >= starts.length) return text.length;
    const lineEnd = p.line + 1 < starts.length ? starts[p.line + 1] : text.length;
    return Math.min(starts[p.line] + p.character, lineEnd);
  };
  // From the end backwards; at one position the later edit first, so that inserts keep their order (as in an LSP WorkspaceEdit).
  const sorted = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => offset(b.edit.range.start) - offset(a.edit.range.start) || offset(b.edit.range.end) - offset(a.edit.range.end) || b.index - a.index);
  let result = text;
  for (const { edit } of sorted) result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  return result;
}
