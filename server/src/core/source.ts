/** Positions are LSP positions: 0-based line, 0-based UTF-16 code unit offset. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A place in a project file; `file` is an absolute path. */
export interface SourceRef {
  file: string;
  range: Range;
}

export function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

/** Maps UTF-16 offsets of one text to LSP positions; built once per text. */
export class LineIndex {
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  rangeAt(startOffset: number, endOffset: number): Range {
    return { start: this.positionAt(startOffset), end: this.positionAt(endOffset) };
  }

  offsetAt(position: Position): number {
    const lineStart = this.lineStarts[Math.min(position.line, this.lineStarts.length - 1)] ?? 0;
    return Math.min(lineStart + position.character, this.text.length);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

/**
 * Where each database object of an expected DbState came from in the schema.
 * Keys: tables by table key; columns `tableKey.column`; indexes and constraints
 * `tableKey#indexName`; enums by enum key; enum values `enumKey.value`.
 */
export interface SchemaSources {
  tables: Record<string, ModelSource>;
  columns: Record<string, FieldSource>;
  indexes: Record<string, SourceRef>;
  foreignKeys: Record<string, SourceRef>;
  primaryKeys: Record<string, SourceRef>;
  enums: Record<string, SourceRef & { enumName: string }>;
  enumValues: Record<string, SourceRef>;
  /** `view` blocks, by `objectKey('view', ...)` (PostgreSQL, views preview feature). */
  views?: Record<string, ModelSource>;
  /** The file and range to use for things that exist only in the baseline (the datasource block, or the start of the main file). */
  fallback: SourceRef;
}

export interface ModelSource extends SourceRef {
  /** The Prisma model name (differs from the table name under `@@map`). */
  modelName: string;
  /** Range of the model's name token. */
  nameRange: Range;
  /** Range of the whole `model X { ... }` block. */
  blockRange: Range;
  /** Set when the table is an implicit many-to-many join table; the ref then points at the relation field. */
  implicitManyToMany?: boolean;
}

export interface FieldSource extends SourceRef {
  modelName: string;
  fieldName: string;
  /** Range of the field's name token (`range` is the whole field line without its trailing comment). */
  nameRange: Range;
}
