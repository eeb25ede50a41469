import type { Range } from '../core/source';
import type { ScannedAttribute, ScannedValue } from './types';

/** Small readers over scanned attributes, shared by the mapper and the rules. */

export function findAttribute(attributes: ScannedAttribute[], name: string): ScannedAttribute | undefined {
  for (const attribute of attributes) if (attribute.name === name) return attribute;
  return undefined;
}

export function findAttributes(attributes: ScannedAttribute[], name: string): ScannedAttribute[] {
  return attributes.filter((attribute) => attribute.name === name);
}

/**
 * The argument called `name`, or else the `position`-th unnamed argument
 * (Prisma lets the first argument of most attributes go unnamed:
 * `@@index([a], map: "x")` ≡ `@@index(fields: [a], map: "x")`).
 */
export function argument(attribute: ScannedAttribute | undefined, name: string, position?: number): ScannedValue | undefined {
  if (!attribute) return undefined;
  for (const arg of attribute.args) if (arg.name === name) return arg.value;
  if (position === undefined) return undefined;
  let index = 0;
  for (const arg of attribute.args) {
    if (arg.name !== undefined) continue;
    if (index === position) return arg.value;
    index++;
  }
  return undefined;
}

export function stringArgument(attribute: ScannedAttribute | undefined, name: string, position?: number): string | undefined {
  const value = argument(attribute, name, position);
  return value?.kind === 'string' ? value.value : undefined;
}

export function identifierArgument(attribute: ScannedAttribute | undefined, name: string, position?: number): string | undefined {
  const value = argument(attribute, name, position);
  return value?.kind === 'identifier' ? value.name : undefined;
}

/** One entry of a field list: `a`, `a(sort: Desc)`, `a(ops: JsonbPathOps)`, `a(length: 10)`. */
export interface FieldReference {
  name: string;
  sort?: 'Asc' | 'Desc';
  /** Operator class as written: `JsonbPathOps`, or the raw text of `raw("gin_trgm_ops")`. */
  ops?: { name: string; raw: boolean };
  length?: number;
  range: Range;
}

export function fieldReferences(value: ScannedValue | undefined): FieldReference[] {
  if (!value) return [];
  const items = value.kind === 'array' ? value.items : [value];
  const references: FieldReference[] = [];
  for (const item of items) {
    if (item.kind === 'identifier') {
      references.push({ name: item.name, range: item.range });
    } else if (item.kind === 'call') {
      const reference: FieldReference = { name: item.name, range: item.range };
      for (const arg of item.args) {
        const v = arg.value;
        if (!v) continue;
        if (arg.name === 'sort' && v.kind === 'identifier' && (v.name === 'Asc' || v.name === 'Desc')) reference.sort = v.name;
        else if (arg.name === 'ops' && v.kind === 'identifier') reference.ops = { name: v.name, raw: false };
        else if (arg.name === 'ops' && v.kind === 'call' && v.name === 'raw') {
          const inner = v.args[0]?.value;
          if (inner?.kind === 'string') reference.ops = { name: inner.value, raw: true };
        } else if (arg.name === 'length' && v.kind === 'number') reference.length = v.value;
      }
      references.push(reference);
    }
  }
  return references;
}
