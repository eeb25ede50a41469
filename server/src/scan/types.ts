import type { Range } from '../core/source';

/**
 * What the scanner reads out of `.prisma` files: syntax with positions, no
 * semantics. Names are resolved across files by the mapper, not here, so one
 * file can be re-scanned alone while the user types.
 *
 * All ranges are LSP ranges (0-based lines, UTF-16 columns) in the file named
 * by the enclosing block's `file`.
 */

export interface ScanProblem {
  message: string;
  file: string;
  range: Range;
}

// ---------------------------------------------------------------- values

export interface StringValue {
  kind: 'string';
  /** Unescaped content. */
  value: string;
  /** Source text including the quotes. */
  raw: string;
  range: Range;
}

export interface NumberValue {
  kind: 'number';
  value: number;
  /** As written (`1.50` stays `1.50`): Prisma renders defaults from the text. */
  raw: string;
  range: Range;
}

/** A bare name or dotted path: `Desc`, `Cascade`, `true`, `USER`, `fieldName`. */
export interface IdentifierValue {
  kind: 'identifier';
  name: string;
  range: Range;
}

/** `uuid()`, `dbgenerated("...")`, `env("X")`, and field references with arguments like `name(sort: Desc)`. */
export interface CallValue {
  kind: 'call';
  name: string;
  args: ScannedArgument[];
  /** Raw text between the parentheses. */
  argsText: string;
  range: Range;
}

export interface ArrayValue {
  kind: 'array';
  items: ScannedValue[];
  range: Range;
}

/** `{ deletedAt: null, status: { not: "gone" } }`: Prisma 7's object form of a partial index's `where`. */
export interface ObjectValue {
  kind: 'object';
  /** The `name: value` pairs in order, read like named arguments. */
  fields: ScannedArgument[];
  range: Range;
}

/** Text that is not a valid expression (half-typed); kept so ranges stay meaningful. */
export interface InvalidValue {
  kind: 'invalid';
  text: string;
  range: Range;
}

export type ScannedValue = StringValue | NumberValue | IdentifierValue | CallValue | ArrayValue | ObjectValue | InvalidValue;

export interface ScannedArgument {
  /** Set for `name: value` arguments. */
  name?: string;
  nameRange?: Range;
  /** Undefined for an empty named argument (`map:` with nothing after it yet). */
  value?: ScannedValue;
  range: Range;
}

// ---------------------------------------------------------------- attributes

export interface ScannedAttribute {
  /** Without the `@`/`@@`: `id`, `default`, `db.VarChar`, `relation`, `index`, `map`. */
  name: string;
  /** True for `@@` block attributes. */
  block: boolean;
  /** From the first `@` to the closing parenthesis (or the end of the name). */
  range: Range;
  nameRange: Range;
  /** Raw text between the parentheses; undefined when the attribute has none. */
  argsText?: string;
  argsRange?: Range;
  args: ScannedArgument[];
  /** False when the argument list is not closed or not readable. */
  complete: boolean;
}

// ---------------------------------------------------------------- blocks

export interface ScannedField {
  name: string;
  nameRange: Range;
  /** The whole field declaration without its trailing comment. */
  range: Range;
  /** Base type name (`String`, `User`, `Role`); `Unsupported` for unsupported types; '' when missing. */
  typeName: string;
  typeRange: Range;
  optional: boolean;
  list: boolean;
  /** The type text inside `Unsupported("...")`. */
  unsupported?: string;
  attributes: ScannedAttribute[];
  /** `///` lines directly above, joined with newlines. */
  documentation?: string;
  /** Text of a `//` comment at the end of the line, without the slashes. */
  trailingComment?: string;
}

export type ModelKind = 'model' | 'view' | 'type';

export interface ScannedModel {
  /** `view` blocks are not tables; `type` blocks are composite types (MongoDB). */
  kind: ModelKind;
  name: string;
  file: string;
  nameRange: Range;
  /** From the keyword to the closing brace. */
  blockRange: Range;
  fields: ScannedField[];
  /** Block attributes (`@@id`, `@@unique`, `@@index`, `@@map`, `@@schema`, `@@ignore`, `@@fulltext`). */
  attributes: ScannedAttribute[];
  documentation?: string;
  /** False when the closing brace is missing. */
  closed: boolean;
  /** Problems inside this block; a block with problems is 'damaged' for SchemaScanCache. */
  problems: ScanProblem[];
  /** Set by SchemaScanCache when this is the last readable version standing in for a damaged block. */
  recovered?: boolean;
}

export interface ScannedEnumValue {
  name: string;
  nameRange: Range;
  range: Range;
  attributes: ScannedAttribute[];
  documentation?: string;
}

export interface ScannedEnum {
  name: string;
  file: string;
  nameRange: Range;
  blockRange: Range;
  values: ScannedEnumValue[];
  attributes: ScannedAttribute[];
  documentation?: string;
  closed: boolean;
  problems: ScanProblem[];
  recovered?: boolean;
}

export interface ScannedProperty {
  key: string;
  keyRange: Range;
  value?: ScannedValue;
  /** The whole `key = value` without trailing comment. */
  range: Range;
}

export interface ScannedConfigBlock {
  kind: 'datasource' | 'generator';
  name: string;
  file: string;
  nameRange: Range;
  blockRange: Range;
  properties: ScannedProperty[];
  closed: boolean;
  problems: ScanProblem[];
}

export interface ScannedComment {
  /** Without the leading slashes. */
  text: string;
  range: Range;
  /** `///` documentation comment. */
  doc: boolean;
}

export interface SuppressionTarget {
  /** 'enum' with `field` set targets one enum value. */
  kind: 'model' | 'field' | 'enum';
  /** Model (or enum) name. */
  model: string;
  field?: string;
}

/** `// migration-guard-ignore <rule-id> -- <reason>` attached to the declaration below it (or on its line). */
export interface Suppression {
  ruleId: string;
  /** Undefined when the `-- reason` part is missing; the consumer reports that. */
  reason?: string;
  file: string;
  /** Range of the comment. */
  range: Range;
  target: SuppressionTarget;
}

export interface ScannedFile {
  path: string;
  models: ScannedModel[];
  enums: ScannedEnum[];
  configBlocks: ScannedConfigBlock[];
  comments: ScannedComment[];
  suppressions: Suppression[];
  /** Every problem of the file, including those of its blocks. */
  problems: ScanProblem[];
  /** Number of lines, for fallbacks. */
  lineCount: number;
}

// ---------------------------------------------------------------- whole schema

export interface DatasourceInfo {
  name: string;
  file: string;
  /** As written (`postgresql`, `postgres`, `sqlite`, `mysql`, ...). */
  provider?: string;
  providerRange?: Range;
  /** `relationMode` (or the older `referentialIntegrity`): `prisma` means no foreign keys in the database. */
  relationMode?: string;
  /** `schemas = [...]` (multiSchema). */
  schemas: string[];
  block: ScannedConfigBlock;
}

export interface GeneratorInfo {
  name: string;
  file: string;
  provider?: string;
  previewFeatures: string[];
  block: ScannedConfigBlock;
}

export interface ScannedSchema {
  files: ScannedFile[];
  /** The first datasource block found (files in the given order). */
  datasource?: DatasourceInfo;
  generators: GeneratorInfo[];
  /** Union of all generators' preview features, as written. */
  previewFeatures: string[];
  /** `model` and `view` blocks of all files, in file order. */
  models: ScannedModel[];
  /** `type` blocks (composite types). */
  compositeTypes: ScannedModel[];
  enums: ScannedEnum[];
  suppressions: Suppression[];
  problems: ScanProblem[];
}
