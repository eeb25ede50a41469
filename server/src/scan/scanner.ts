import type { Position, Range } from '../core/source';
import type {
  ScanProblem,
  ScannedArgument,
  ScannedAttribute,
  ScannedComment,
  ScannedConfigBlock,
  ScannedEnum,
  ScannedEnumValue,
  ScannedField,
  ScannedFile,
  ScannedModel,
  ScannedProperty,
  ScannedSchema,
  ScannedValue,
  Suppression,
  SuppressionTarget,
  DatasourceInfo,
  GeneratorInfo,
  ModelKind,
  StringValue,
} from './types';

/**
 * A hand-written, line-oriented reader of Prisma schema files. Prisma's own
 * grammar is line-oriented (a field, an attribute list, a key/value pair never
 * spans lines), which is what lets this scanner recover from half-typed text:
 * a broken line damages at most its own declaration, and a missing `}` is
 * detected when the next top-level keyword shows up.
 *
 * It never throws on any input; everything it cannot read becomes a problem
 * with a range.
 */

/** Placeholder for ranges that are always replaced before a result leaves the scanner. */
const PENDING_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

const BLOCK_KEYWORDS = new Set(['model', 'view', 'type', 'enum', 'datasource', 'generator']);

const SUPPRESSION_RE = /^\/*\s*migration-guard-ignore\b(.*)$/;

type BlockKind = ModelKind | 'enum' | 'datasource' | 'generator' | 'unknown';

interface OpenBlock {
  kind: BlockKind;
  name: string;
  nameRange: Range;
  start: Position;
  documentation?: string;
  fields: ScannedField[];
  values: ScannedEnumValue[];
  properties: ScannedProperty[];
  attributes: ScannedAttribute[];
  problems: ScanProblem[];
  /** Offset just past the last non-blank content of the block, for unterminated blocks. */
  lastContentEnd: number;
}

interface PendingSuppression {
  ruleId: string;
  reason?: string;
  range: Range;
}

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

function isIdentStart(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Prisma's WHITESPACE: Unicode space separators and tabs, never newlines. */
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

class FileScanner {
  private readonly lineStarts: number[];
  private lineNo = 0;
  private lineStart = 0;
  private lineEnd = 0;
  private pos = 0;

  private block: OpenBlock | undefined;
  private pendingDocs: string[] = [];
  private pendingSuppressions: PendingSuppression[] = [];

  private readonly models: ScannedModel[] = [];
  private readonly enums: ScannedEnum[] = [];
  private readonly configBlocks: ScannedConfigBlock[] = [];
  private readonly comments: ScannedComment[] = [];
  private readonly suppressions: Suppression[] = [];
  private readonly problems: ScanProblem[] = [];

  /** `lineStarts`, when given, must be those of `text` (rescanFile keeps them up to date instead of finding every line again). */
  constructor(
    private readonly path: string,
    private readonly text: string,
    lineStarts?: number[],
  ) {
    let longest = 0;
    if (lineStarts) {
      this.lineStarts = lineStarts;
      for (let line = 1; line < lineStarts.length; line++) longest = Math.max(longest, lineStarts[line] - 1 - lineStarts[line - 1]);
    } else {
      this.lineStarts = [0];
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) === 10) {
          longest = Math.max(longest, i - this.lineStarts[this.lineStarts.length - 1]);
          this.lineStarts.push(i + 1);
        }
      }
    }
    longest = Math.max(longest, text.length - this.lineStarts[this.lineStarts.length - 1]);
    this.linePositions = new Array<Position>(longest + 1);
    this.linePositionLines = new Int32Array(longest + 1).fill(-1);
  }

  /**
   * Clean points, flattened CHECKPOINT_SIZE numbers each: a line at which no
   * block is open and no documentation or suppression comment waits for a
   * declaration, then how many models, enums, config blocks, comments,
   * suppressions and problems had been produced before it. From a clean point
   * on, the output depends only on the text that follows, which is what lets
   * `rescanFile` reuse everything outside the edited region.
   */
  readonly checkpoints: number[] = [];

  run(): ScannedFile {
    this.scanLines(0);
    return this.result();
  }

  /**
   * Scans from `from` (which must be a clean point). Before each clean line,
   * `stopAt` may end the scan there: the line number is returned, nothing of
   * that line read. Without a stop the file is finished and -1 returned.
   */
  scanLines(from: number, stopAt?: (line: number) => boolean): number {
    const lineCount = this.lineStarts.length;
    for (let line = from; line < lineCount; line++) {
      if (this.block === undefined && this.pendingDocs.length === 0 && this.pendingSuppressions.length === 0) {
        if (stopAt !== undefined && stopAt(line)) return line;
        this.checkpoints.push(line, this.models.length, this.enums.length, this.configBlocks.length, this.comments.length, this.suppressions.length, this.problems.length);
      }
      this.enterLine(line);
      this.scanLine();
    }
    if (this.block) {
      this.unterminated(this.block, this.text.length);
    }
    this.flushOrphans();
    return -1;
  }

  result(): ScannedFile {
    return {
      path: this.path,
      models: this.models,
      enums: this.enums,
      configBlocks: this.configBlocks,
      comments: this.comments,
      suppressions: this.suppressions,
      problems: this.problems,
      lineCount: this.lineStarts.length,
    };
  }

  lineStartsOf(): number[] {
    return this.lineStarts;
  }

  modelCount(): number {
    return this.models.length;
  }

  // ------------------------------------------------------------ positions

  private enterLine(line: number): void {
    this.lineNo = line;
    this.lineStart = this.lineStarts[line];
    let end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.text.length;
    if (end > this.lineStart && this.text.charCodeAt(end - 1) === 13) end--;
    this.lineEnd = end;
    this.pos = this.lineStart;
  }

  // Ranges dominate the scanner's allocations (a 3,000-line schema makes ~10^5
  // of them), and ranges on one line share many endpoints (a field's range
  // starts where its name starts and ends where its last attribute ends), so
  // positions on the current line are made once per offset. Results are plain
  // data that nobody mutates, so sharing is safe.
  private readonly linePositions: Position[];
  /** Line number each `linePositions` entry belongs to (-1: none), so nothing is cleared per line. */
  private readonly linePositionLines: Int32Array;

  private position(offset: number): Position {
    if (offset >= this.lineStart && offset <= this.lineEnd) {
      const column = offset - this.lineStart;
      if (this.linePositionLines[column] === this.lineNo) return this.linePositions[column];
      const created = { line: this.lineNo, character: column };
      this.linePositions[column] = created;
      this.linePositionLines[column] = this.lineNo;
      return created;
    }
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - this.lineStarts[low] };
  }

  private range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  // ------------------------------------------------------------ low-level reading

  private cur(): number {
    return this.pos < this.lineEnd ? this.text.charCodeAt(this.pos) : -1;
  }

  private at(offset: number): number {
    return offset < this.lineEnd ? this.text.charCodeAt(offset) : -1;
  }

  private eol(): boolean {
    return this.pos >= this.lineEnd;
  }

  private skipWs(): void {
    while (this.pos < this.lineEnd && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
  }

  private readIdent(): string {
    const start = this.pos;
    if (!isIdentStart(this.cur())) return '';
    while (this.pos < this.lineEnd && isIdentChar(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** `a.b.c` (attribute names like `db.VarChar`, function names). */
  private readPath(): string {
    const start = this.pos;
    if (!this.readIdent()) return '';
    while (this.cur() === 46 /* . */ && isIdentStart(this.at(this.pos + 1))) {
      this.pos++;
      this.readIdent();
    }
    return this.text.slice(start, this.pos);
  }

  private atComment(): boolean {
    return this.cur() === 47 && this.at(this.pos + 1) === 47;
  }

  /** End of the line's content before a trailing comment and trailing spaces, from the current position. */
  private trimmedEnd(from: number, to: number): number {
    let end = to;
    while (end > from && isSpace(this.text.charCodeAt(end - 1))) end--;
    return end;
  }

  private problem(message: string, start: number, end: number, inBlock = true): void {
    const problem: ScanProblem = { message, file: this.path, range: this.range(start, Math.max(start, end)) };
    this.problems.push(problem);
    if (inBlock && this.block) this.block.problems.push(problem);
  }

  // ------------------------------------------------------------ lines

  private scanLine(): void {
    this.skipWs();
    if (this.eol()) {
      this.blankLine();
      return;
    }
    if (this.block) this.scanBlockLine();
    else this.scanTopLevel();
  }

  private blankLine(): void {
    this.flushOrphans();
    this.pendingDocs = [];
  }

  private scanTopLevel(): void {
    this.skipWs();
    if (this.eol()) return;
    if (this.atComment()) {
      this.comment(false);
      return;
    }
    const wordStart = this.pos;
    const word = this.readIdent();
    if (!word) {
      this.problem(`Unexpected text \`${this.snippet(wordStart)}\` outside of a block.`, wordStart, this.trimmedEnd(wordStart, this.lineEnd));
      this.pos = this.lineEnd;
      this.pendingDocs = [];
      return;
    }
    this.skipWs();
    const nameStart = this.pos;
    const name = this.readIdent();
    const nameEnd = this.pos;
    this.skipWs();
    if (BLOCK_KEYWORDS.has(word)) {
      if (!name) {
        this.problem(`Expected a name after \`${word}\`.`, wordStart, this.trimmedEnd(wordStart, this.lineEnd));
        this.pos = this.lineEnd;
        return;
      }
      if (word === 'type' && this.cur() === 61 /* = */) {
        this.problem('Type aliases are not supported.', wordStart, this.trimmedEnd(wordStart, this.lineEnd));
        this.pos = this.lineEnd;
        return;
      }
      this.openBlock(word as BlockKind, name, wordStart, nameStart, nameEnd);
      return;
    }
    if (name && this.cur() === 123 /* { */) {
      this.problem(`Unknown block type \`${word}\`.`, wordStart, nameEnd, false);
      this.openBlock('unknown', name, wordStart, nameStart, nameEnd);
      return;
    }
    this.problem(`Unexpected text \`${this.snippet(wordStart)}\` outside of a block.`, wordStart, this.trimmedEnd(wordStart, this.lineEnd));
    this.pos = this.lineEnd;
    this.pendingDocs = [];
  }

  private snippet(start: number): string {
    const end = this.trimmedEnd(start, this.lineEnd);
    const text = this.text.slice(start, Math.min(end, start + 40));
    return end - start > 40 ? `${text}…` : text;
  }

  private openBlock(kind: BlockKind, name: string, start: number, nameStart: number, nameEnd: number): void {
    const block: OpenBlock = {
      kind,
      name,
      nameRange: this.range(nameStart, nameEnd),
      start: this.position(start),
      documentation: this.takeDocs(),
      fields: [],
      values: [],
      properties: [],
      attributes: [],
      problems: [],
      lastContentEnd: nameEnd,
    };
    this.block = block;
    const suppressions = this.pendingSuppressions;
    this.pendingSuppressions = [];
    if (this.cur() !== 123 /* { */) {
      // Keep reading the block: the fields below are most likely its own, and a
      // later keyword line ends it anyway.
      this.problem(`Expected \`{\` after \`${kind} ${name}\`.`, start, nameEnd);
      this.attachSuppressions(suppressions, kind, name);
      this.pos = this.lineEnd;
      return;
    }
    this.pos++;
    block.lastContentEnd = this.pos;
    this.skipWs();
    if (this.cur() === 125 /* } */) {
      this.pos++;
      this.attachSuppressions(suppressions, kind, name);
      this.closeBlock(this.pos);
      this.scanTopLevel();
      return;
    }
    if (this.atComment()) {
      const trailing = this.comment(true);
      if (trailing) suppressions.push(trailing);
    } else if (!this.eol()) {
      this.problem('Text after `{` on the same line is ignored by Prisma; put it on its own line.', this.pos, this.trimmedEnd(this.pos, this.lineEnd));
      this.pos = this.lineEnd;
    }
    this.attachSuppressions(suppressions, kind, name);
  }

  private attachSuppressions(list: PendingSuppression[], kind: BlockKind, name: string, field?: string): void {
    if (list.length === 0) return;
    let target: SuppressionTarget | undefined;
    if (kind === 'model' || kind === 'view' || kind === 'type') {
      target = field !== undefined ? { kind: 'field', model: name, field } : { kind: 'model', model: name };
    } else if (kind === 'enum') {
      target = field !== undefined ? { kind: 'enum', model: name, field } : { kind: 'enum', model: name };
    }
    for (const item of list) {
      if (!target) {
        this.problems.push({ message: 'A migration-guard-ignore comment must be directly above a model, field or enum.', file: this.path, range: item.range });
        continue;
      }
      const suppression: Suppression = { ruleId: item.ruleId, file: this.path, range: item.range, target };
      if (item.reason !== undefined) suppression.reason = item.reason;
      this.suppressions.push(suppression);
    }
  }

  private flushOrphans(): void {
    for (const item of this.pendingSuppressions) {
      this.problems.push({ message: 'A migration-guard-ignore comment must be directly above a model, field or enum.', file: this.path, range: item.range });
    }
    this.pendingSuppressions = [];
  }

  private takeDocs(): string | undefined {
    if (this.pendingDocs.length === 0) return undefined;
    const docs = this.pendingDocs.join('\n');
    this.pendingDocs = [];
    return docs;
  }

  /**
   * Reads a `//` comment from the current position to the end of the line. A
   * suppression in a trailing comment is returned to the caller (it belongs to
   * the declaration on the same line); one on its own line waits for the next
   * declaration.
   */
  private comment(trailing: boolean): PendingSuppression | undefined {
    const start = this.pos;
    const end = this.trimmedEnd(start, this.lineEnd);
    const raw = this.text.slice(start, end);
    const doc = raw.startsWith('///');
    const text = raw.slice(doc ? 3 : 2);
    const range = this.range(start, end);
    this.comments.push({ text, range, doc });
    this.pos = this.lineEnd;
    const match = raw.includes('migration-guard-ignore') ? SUPPRESSION_RE.exec(raw) : null;
    if (match) {
      const pending = this.parseSuppression(match[1], range);
      if (pending) {
        if (trailing) return pending;
        this.pendingSuppressions.push(pending);
      }
      return undefined;
    }
    if (doc && !trailing) this.pendingDocs.push(text.startsWith(' ') ? text.slice(1) : text);
    return undefined;
  }

  private parseSuppression(rest: string, range: Range): PendingSuppression | undefined {
    const separator = rest.indexOf('--');
    const idPart = (separator >= 0 ? rest.slice(0, separator) : rest).trim();
    const reasonPart = separator >= 0 ? rest.slice(separator + 2).trim() : '';
    const ruleId = idPart.split(/\s+/)[0] ?? '';
    if (!/^[a-z0-9][a-z0-9-]*$/.test(ruleId)) {
      this.problems.push({ message: 'migration-guard-ignore needs a rule id: `// migration-guard-ignore <rule-id> -- <reason>`.', file: this.path, range });
      return undefined;
    }
    return reasonPart ? { ruleId, reason: reasonPart, range } : { ruleId, range };
  }

  // ------------------------------------------------------------ blocks

  private scanBlockLine(): void {
    const block = this.block as OpenBlock;
    const c = this.cur();
    if (c === 125 /* } */) {
      this.pos++;
      this.flushOrphans();
      this.pendingDocs = [];
      this.closeBlock(this.pos);
      this.scanTopLevel();
      return;
    }
    if (this.atComment()) {
      this.comment(false);
      return;
    }
    if (block.kind === 'unknown') {
      this.pos = this.lineEnd;
      return;
    }
    if (this.startsTopLevelBlock()) {
      this.unterminated(block, block.lastContentEnd);
      this.scanTopLevel();
      return;
    }
    const lineContentStart = this.pos;
    if (block.kind === 'datasource' || block.kind === 'generator') this.scanProperty();
    else if (c === 64 /* @ */ && this.at(this.pos + 1) === 64) this.scanBlockAttribute();
    else if (block.kind === 'enum') this.scanEnumValue();
    else this.scanField();
    if (this.block === block) block.lastContentEnd = Math.max(block.lastContentEnd, this.trimmedEnd(lineContentStart, this.lineEnd));
  }

  /** `model X {`-like line while a block is still open: the previous block lost its `}`. */
  private startsTopLevelBlock(): boolean {
    // Cheap pre-check on every field line: only a keyword followed by a space can start a block.
    const first = this.cur();
    if (first !== 109 && first !== 118 && first !== 116 && first !== 101 && first !== 100 && first !== 103) return false;
    let end = this.pos;
    while (end < this.lineEnd && isIdentChar(this.text.charCodeAt(end))) end++;
    const length = end - this.pos;
    if (length < 4 || length > 10 || !isSpace(this.at(end))) return false;
    const save = this.pos;
    const word = this.readIdent();
    let result = false;
    if (BLOCK_KEYWORDS.has(word) && isSpace(this.cur())) {
      this.skipWs();
      if (this.readIdent()) {
        this.skipWs();
        result = this.cur() === 123 /* { */;
      }
    }
    this.pos = save;
    return result;
  }

  private unterminated(block: OpenBlock, end: number): void {
    const problem: ScanProblem = {
      message: `\`${block.kind === 'unknown' ? 'block' : block.kind} ${block.name}\` is not closed: \`}\` is missing.`,
      file: this.path,
      range: block.nameRange,
    };
    this.problems.push(problem);
    block.problems.push(problem);
    this.flushOrphans();
    this.closeBlock(end, false);
  }

  private closeBlock(end: number, closed = true): void {
    const block = this.block as OpenBlock;
    this.block = undefined;
    const blockRange: Range = { start: block.start, end: this.position(end) };
    switch (block.kind) {
      case 'model':
      case 'view':
      case 'type': {
        const model: ScannedModel = {
          kind: block.kind,
          name: block.name,
          file: this.path,
          nameRange: block.nameRange,
          blockRange,
          fields: block.fields,
          attributes: block.attributes,
          closed,
          problems: block.problems,
        };
        if (block.documentation !== undefined) model.documentation = block.documentation;
        this.models.push(model);
        break;
      }
      case 'enum': {
        const enumBlock: ScannedEnum = {
          name: block.name,
          file: this.path,
          nameRange: block.nameRange,
          blockRange,
          values: block.values,
          attributes: block.attributes,
          closed,
          problems: block.problems,
        };
        if (block.documentation !== undefined) enumBlock.documentation = block.documentation;
        this.enums.push(enumBlock);
        break;
      }
      case 'datasource':
      case 'generator':
        this.configBlocks.push({
          kind: block.kind,
          name: block.name,
          file: this.path,
          nameRange: block.nameRange,
          blockRange,
          properties: block.properties,
          closed,
          problems: block.problems,
        });
        break;
      case 'unknown':
        break;
    }
  }

  private scanBlockAttribute(): void {
    const block = this.block as OpenBlock;
    const suppressions = this.pendingSuppressions;
    this.pendingSuppressions = [];
    this.pendingDocs = [];
    const attribute = this.parseAttribute();
    if (attribute) block.attributes.push(attribute);
    const trailing = this.afterDeclaration();
    if (trailing) suppressions.push(trailing);
    this.attachSuppressions(suppressions, block.kind, block.name);
  }

  /** After a declaration: an optional trailing comment, anything else is a problem. */
  private afterDeclaration(): PendingSuppression | undefined {
    this.skipWs();
    if (this.eol()) return undefined;
    if (this.atComment()) return this.comment(true);
    const start = this.pos;
    this.problem(`Unexpected text \`${this.snippet(start)}\`.`, start, this.trimmedEnd(start, this.lineEnd));
    this.pos = this.lineEnd;
    return undefined;
  }

  private scanField(): void {
    const block = this.block as OpenBlock;
    const start = this.pos;
    const name = this.readIdent();
    if (!name) {
      if (this.cur() === 64 /* @ */) {
        this.problem('An attribute with a single `@` needs a field; block attributes start with `@@`.', start, this.trimmedEnd(start, this.lineEnd));
      } else {
        this.problem(`Unexpected text \`${this.snippet(start)}\` in ${block.kind} \`${block.name}\`.`, start, this.trimmedEnd(start, this.lineEnd));
      }
      this.pos = this.lineEnd;
      return;
    }
    const nameEnd = this.pos;
    const suppressions = this.pendingSuppressions;
    this.pendingSuppressions = [];
    const field: ScannedField = {
      name,
      nameRange: this.range(start, nameEnd),
      range: PENDING_RANGE,
      typeName: '',
      typeRange: PENDING_RANGE,
      optional: false,
      list: false,
      attributes: [],
    };
    const docs = this.takeDocs();
    if (docs !== undefined) field.documentation = docs;
    this.skipWs();
    if (this.cur() === 58 /* : legacy colon */) {
      this.pos++;
      this.skipWs();
    }
    let end = nameEnd;
    if (this.eol() || this.atComment() || this.cur() === 64 /* @ */) {
      this.problem(`Field \`${name}\` has no type.`, start, nameEnd);
      field.typeRange = this.range(nameEnd, nameEnd);
    } else {
      end = this.scanFieldType(field);
    }
    for (;;) {
      this.skipWs();
      if (this.eol()) break;
      if (this.atComment()) {
        const trailing = this.comment(true);
        if (trailing) suppressions.push(trailing);
        field.trailingComment = this.comments[this.comments.length - 1].text;
        break;
      }
      if (this.cur() === 64 /* @ */) {
        if (this.at(this.pos + 1) === 64) {
          this.problem('Block attributes (`@@`) go on their own line.', this.pos, this.trimmedEnd(this.pos, this.lineEnd));
          this.pos = this.lineEnd;
          break;
        }
        const attribute = this.parseAttribute();
        if (attribute) {
          field.attributes.push(attribute);
          end = this.offsetOfEnd(attribute.range);
        }
        continue;
      }
      const junk = this.pos;
      this.problem(`Unexpected text \`${this.snippet(junk)}\` in field \`${name}\`.`, junk, this.trimmedEnd(junk, this.lineEnd));
      this.pos = this.lineEnd;
      break;
    }
    field.range = end === nameEnd ? field.nameRange : this.range(start, end);
    block.fields.push(field);
    this.attachSuppressions(suppressions, block.kind, block.name, name);
  }

  /** Converts back a position produced on the current line. */
  private offsetOfEnd(range: Range): number {
    return this.lineStarts[range.end.line] + range.end.character;
  }

  private scanFieldType(field: ScannedField): number {
    const start = this.pos;
    let legacyList = false;
    if (this.cur() === 91 /* [ legacy list */) {
      legacyList = true;
      this.pos++;
      this.skipWs();
    }
    const typeStart = this.pos;
    if (this.text.startsWith('Unsupported(', this.pos) && this.pos + 12 <= this.lineEnd) {
      this.pos += 12;
      this.skipWs();
      field.typeName = 'Unsupported';
      if (this.cur() === 34 /* " */) {
        const value = this.parseString();
        field.unsupported = value.value;
      } else {
        this.problem('`Unsupported` needs the database type as a string: `Unsupported("tsvector")`.', typeStart, this.pos);
      }
      this.skipWs();
      if (this.cur() === 41 /* ) */) this.pos++;
      else this.problem('`Unsupported(` is not closed.', typeStart, this.pos);
    } else {
      const typeName = this.readPath();
      if (!typeName) {
        this.problem(`Field \`${field.name}\` has no valid type.`, typeStart, this.trimmedEnd(typeStart, this.lineEnd));
        // Where the type should be, not the placeholder: ranges of a block must move with it.
        field.typeRange = this.range(typeStart, typeStart);
        this.pos = this.trimmedEnd(typeStart, this.lineEnd);
        return this.pos;
      }
      field.typeName = typeName;
    }
    const typeEnd = this.pos;
    if (legacyList) {
      this.skipWs();
      if (this.cur() === 93 /* ] */) this.pos++;
      else this.problem('`[` is not closed.', start, this.pos);
      field.list = true;
    }
    if (this.cur() === 91 /* [ */ && this.at(this.pos + 1) === 93 /* ] */) {
      this.pos += 2;
      field.list = true;
    }
    if (this.cur() === 63 /* ? */) {
      this.pos++;
      field.optional = true;
    } else if (this.cur() === 33 /* ! legacy required */) {
      this.pos++;
    }
    field.typeRange = this.range(typeStart, typeEnd);
    return this.pos;
  }

  private scanEnumValue(): void {
    const block = this.block as OpenBlock;
    const start = this.pos;
    const name = this.readIdent();
    if (!name) {
      this.problem(`Unexpected text \`${this.snippet(start)}\` in enum \`${block.name}\`.`, start, this.trimmedEnd(start, this.lineEnd));
      this.pos = this.lineEnd;
      return;
    }
    const suppressions = this.pendingSuppressions;
    this.pendingSuppressions = [];
    const value: ScannedEnumValue = { name, nameRange: this.range(start, this.pos), range: this.range(start, this.pos), attributes: [] };
    const docs = this.takeDocs();
    if (docs !== undefined) value.documentation = docs;
    let end = this.pos;
    for (;;) {
      this.skipWs();
      if (this.eol()) break;
      if (this.cur() === 64 /* @ */ && this.at(this.pos + 1) !== 64) {
        const attribute = this.parseAttribute();
        if (attribute) {
          value.attributes.push(attribute);
          end = this.offsetOfEnd(attribute.range);
        }
        continue;
      }
      const trailing = this.afterDeclaration();
      if (trailing) suppressions.push(trailing);
      break;
    }
    value.range = this.range(start, end);
    block.values.push(value);
    this.attachSuppressions(suppressions, block.kind, block.name, name);
  }

  private scanProperty(): void {
    const block = this.block as OpenBlock;
    const start = this.pos;
    const key = this.readIdent();
    this.pendingDocs = [];
    if (!key) {
      this.problem(`Unexpected text \`${this.snippet(start)}\` in ${block.kind} \`${block.name}\`.`, start, this.trimmedEnd(start, this.lineEnd));
      this.pos = this.lineEnd;
      return;
    }
    const property: ScannedProperty = { key, keyRange: this.range(start, this.pos), range: this.range(start, this.pos) };
    this.skipWs();
    if (this.cur() !== 61 /* = */) {
      this.problem(`Expected \`=\` after \`${key}\`.`, start, this.pos);
      block.properties.push(property);
      this.pos = this.lineEnd;
      return;
    }
    this.pos++;
    this.skipWs();
    if (this.eol() || this.atComment()) {
      this.problem(`\`${key}\` has no value.`, start, this.pos);
    } else {
      property.value = this.parseExpression();
    }
    property.range = this.range(start, this.pos);
    block.properties.push(property);
    this.afterDeclaration();
  }

  // ------------------------------------------------------------ attributes and expressions

  private parseAttribute(): ScannedAttribute | undefined {
    const start = this.pos;
    const block = this.at(this.pos + 1) === 64;
    this.pos += block ? 2 : 1;
    const nameStart = this.pos;
    const name = this.readPath();
    if (!name) {
      this.problem('Attribute name missing after `@`.', start, this.pos);
      // Skip to the next attribute or comment so the rest of the line still reads.
      while (!this.eol() && !isSpace(this.cur()) && !this.atComment()) this.pos++;
      return undefined;
    }
    const nameEnd = this.pos;
    const attribute: ScannedAttribute = {
      name,
      block,
      range: PENDING_RANGE,
      nameRange: this.range(nameStart, nameEnd),
      args: [],
      complete: true,
    };
    if (this.cur() !== 40 /* ( */) {
      attribute.range = this.range(start, nameEnd);
    } else {
      const list = this.parseArgList();
      attribute.args = list.args;
      attribute.argsText = this.text.slice(list.textStart, list.textEnd);
      const only = list.args.length === 1 ? list.args[0] : undefined;
      // `@db.VarChar(255)`: the argument list is its one value; share the range.
      attribute.argsRange =
        only && only.name === undefined && only.value && this.position(list.textStart) === only.range.start && this.position(list.textEnd) === only.range.end
          ? only.range
          : this.range(list.textStart, list.textEnd);
      attribute.range = this.range(start, this.pos);
      if (!list.closed) {
        attribute.complete = false;
        this.problem(`\`@${block ? '@' : ''}${name}(\` is not closed.`, start, this.pos);
      } else if (!list.clean) {
        attribute.complete = false;
      }
    }
    return attribute;
  }

  /** At `(` (or `{` with `close` 125): reads arguments up to the matching `)` (`}`) or the end of the line. */
  private parseArgList(close = 41): { args: ScannedArgument[]; closed: boolean; clean: boolean; textStart: number; textEnd: number } {
    this.pos++;
    const textStart = this.pos;
    const args: ScannedArgument[] = [];
    let clean = true;
    for (;;) {
      this.skipWs();
      if (this.eol()) return { args, closed: false, clean: false, textStart, textEnd: this.pos };
      const c = this.cur();
      if (c === close) {
        const textEnd = this.pos;
        this.pos++;
        return { args, closed: true, clean, textStart, textEnd };
      }
      if (c === 44 /* , */) {
        this.pos++;
        continue;
      }
      const argStart = this.pos;
      const argument: ScannedArgument = { range: PENDING_RANGE };
      if (isIdentStart(c)) {
        const save = this.pos;
        const ident = this.readIdent();
        const identEnd = this.pos;
        this.skipWs();
        if (this.cur() === 58 /* : */) {
          this.pos++;
          argument.name = ident;
          argument.nameRange = this.range(argStart, identEnd);
          this.skipWs();
          const next = this.cur();
          if (next === 44 || next === close || next === -1) {
            argument.range = this.range(argStart, this.pos);
            args.push(argument);
            continue;
          }
        } else {
          this.pos = save;
        }
      }
      const value = this.parseExpression();
      if (value.kind === 'invalid') clean = false;
      argument.value = value;
      // A positional argument is exactly its value: share the range.
      argument.range = argument.name === undefined ? value.range : this.range(argStart, this.pos);
      args.push(argument);
      this.skipWs();
      const after = this.cur();
      if (after !== 44 && after !== close && after !== -1) {
        const junk = this.pos;
        this.skipJunk(close);
        this.problem(`Unexpected \`${this.text.slice(junk, this.pos)}\` in the argument list.`, junk, this.pos);
        clean = false;
      }
    }
  }

  /** Moves to the next `,`, `)`, `]` (or `also`) outside strings, or the end of the line. */
  private skipJunk(also = 41): void {
    while (!this.eol()) {
      const c = this.cur();
      if (c === 44 || c === 41 || c === 93 || c === also) return;
      if (c === 34) {
        this.parseString();
        continue;
      }
      this.pos++;
    }
  }

  private parseExpression(): ScannedValue {
    const start = this.pos;
    const c = this.cur();
    if (c === 34 /* " */) return this.parseString();
    if (c === 91 /* [ */) {
      this.pos++;
      const items: ScannedValue[] = [];
      for (;;) {
        this.skipWs();
        if (this.eol()) {
          this.problem('`[` is not closed.', start, this.pos);
          return { kind: 'array', items, range: this.range(start, this.pos) };
        }
        const d = this.cur();
        if (d === 93 /* ] */) {
          this.pos++;
          return { kind: 'array', items, range: this.range(start, this.pos) };
        }
        if (d === 44) {
          this.pos++;
          continue;
        }
        if (d === 41 /* ) */) {
          this.problem('`[` is not closed.', start, this.pos);
          return { kind: 'array', items, range: this.range(start, this.pos) };
        }
        const before = this.pos;
        items.push(this.parseExpression());
        if (this.pos === before) this.pos++;
      }
    }
    if (c === 123 /* { */) {
      const list = this.parseArgList(125 /* } */);
      if (!list.closed) this.problem('`{` is not closed.', start, this.pos);
      return { kind: 'object', fields: list.args, range: this.range(start, this.pos) };
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let p = this.pos;
      if (c === 45) p++;
      const digitsStart = p;
      while (p < this.lineEnd && this.text.charCodeAt(p) >= 48 && this.text.charCodeAt(p) <= 57) p++;
      if (p > digitsStart && this.text.charCodeAt(p) === 46 /* . */) {
        const q = p + 1;
        let r = q;
        while (r < this.lineEnd && this.text.charCodeAt(r) >= 48 && this.text.charCodeAt(r) <= 57) r++;
        if (r > q) p = r;
      }
      // A number is only a number when no identifier character follows (`2fa` is a name).
      if (p > digitsStart && !(p < this.lineEnd && isIdentChar(this.text.charCodeAt(p)) && this.text.charCodeAt(p) !== 45)) {
        this.pos = p;
        const raw = this.text.slice(start, p);
        return { kind: 'number', value: Number(raw), raw, range: this.range(start, p) };
      }
    }
    if (isIdentStart(c)) {
      const name = this.readPath();
      if (this.cur() === 40 /* ( */) {
        const list = this.parseArgList();
        const value: ScannedValue = {
          kind: 'call',
          name,
          args: list.args,
          argsText: this.text.slice(list.textStart, list.textEnd),
          range: this.range(start, this.pos),
        };
        if (!list.closed) this.problem(`\`${name}(\` is not closed.`, start, this.pos);
        return value;
      }
      return { kind: 'identifier', name, range: this.range(start, this.pos) };
    }
    this.skipJunk();
    if (this.pos === start && !this.eol()) this.pos++;
    const text = this.text.slice(start, this.pos);
    this.problem(text ? `Cannot read \`${text}\` as a value.` : 'A value is missing.', start, this.pos);
    return { kind: 'invalid', text, range: this.range(start, this.pos) };
  }

  /** At `"`: a JSON-style string literal ending on the same line. */
  private parseString(): StringValue {
    const start = this.pos;
    this.pos++;
    let value = '';
    let chunkStart = this.pos;
    while (!this.eol()) {
      const c = this.cur();
      if (c === 34) {
        value += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return { kind: 'string', value, raw: this.text.slice(start, this.pos), range: this.range(start, this.pos) };
      }
      if (c === 92 /* \ */ && this.pos + 1 < this.lineEnd) {
        value += this.text.slice(chunkStart, this.pos);
        const e = this.text[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case 'n': value += '\n'; break;
          case 't': value += '\t'; break;
          case 'r': value += '\r'; break;
          case 'b': value += '\b'; break;
          case 'f': value += '\f'; break;
          case 'u': {
            const hex = this.text.slice(this.pos, this.pos + 4);
            if (/^[0-9a-fA-F]{4}$/.test(hex)) {
              value += String.fromCharCode(parseInt(hex, 16));
              this.pos += 4;
            } else {
              value += 'u';
            }
            break;
          }
          default: value += e;
        }
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
    value += this.text.slice(chunkStart, this.pos);
    this.problem('String is not closed: `"` is missing.', start, this.pos);
    return { kind: 'string', value, raw: this.text.slice(start, this.pos), range: this.range(start, this.pos) };
  }
}

/** Scans one file. Pure: the same text always gives the same result. */
export function scanFile(path: string, text: string): ScannedFile {
  return new FileScanner(path, text).run();
}

const CHECKPOINT_SIZE = 7;

/** A file's scan plus what `rescanFile` needs to redo only the part an edit touched. */
export interface FileScan {
  path: string;
  text: string;
  file: ScannedFile;
  lineStarts: number[];
  /** See FileScanner.checkpoints. */
  checkpoints: number[];
}

/**
 * The scan of `text`, equal to `scanFile(path, text)`, computed from the scan
 * of an earlier version of the same file: only the blocks the edit touched
 * are read again. Everything before and after them is taken over as it is,
 * the same objects, so later stages recognise them (the mapper keeps what it
 * made of them, the diff what it compared).
 *
 * `previous` is consumed: its line and clean-point tables are updated in
 * place, and when the edit added or removed lines the blocks below it are
 * moved in place (their positions get the new line numbers), so whatever was
 * derived from them and shares their positions (source ranges of the mapped
 * schema, of changes and findings) moves along without being made again.
 * Nothing proportional to the file's size is allocated for a keystroke.
 */
export function rescanFile(previous: FileScan | undefined, path: string, text: string): FileScan {
  if (previous && previous.path === path && previous.text === text) return previous;
  if (!previous || previous.path !== path) return fullScan(path, text);
  const old = previous.text;
  const shorter = Math.min(old.length, text.length);
  const prefix = commonPrefix(old, text, shorter);
  const suffix = commonSuffix(old, text, shorter - prefix);
  const shift = text.length - old.length;
  const oldTail = old.length - suffix;
  const tailStart = text.length - suffix;

  const points = previous.checkpoints;
  const starts = previous.lineStarts;
  const pointCount = points.length / CHECKPOINT_SIZE;
  // The last clean point at or before the first changed character: everything above it reads the same.
  let startIndex = -1;
  for (let low = 0, high = pointCount - 1; low <= high; ) {
    const mid = (low + high) >> 1;
    if (starts[points[mid * CHECKPOINT_SIZE]] <= prefix) {
      startIndex = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (startIndex < 0) return fullScan(path, text);
  const start = startIndex * CHECKPOINT_SIZE;
  const startLine = points[start];
  const base = points.slice(start + 1, start + CHECKPOINT_SIZE);

  // Line starts, updated in place: those whose newline lies in the changed text are replaced, those after it move.
  let firstChanged = startLine + 1;
  while (firstChanged < starts.length && starts[firstChanged] - 1 < prefix) firstChanged++;
  let firstTail = firstChanged;
  while (firstTail < starts.length && starts[firstTail] - 1 < oldTail) firstTail++;
  const added: number[] = [];
  for (let i = prefix; i < tailStart; i++) if (text.charCodeAt(i) === 10) added.push(i + 1);
  const lines = added.length - (firstTail - firstChanged);
  for (let line = firstTail; line < starts.length; line++) starts[line] += shift;
  replaceRange(starts, firstChanged, firstTail - firstChanged, added);

  const scanner = new FileScanner(path, text, starts);
  let resume = -1;
  const stop = scanner.scanLines(startLine, (line) => {
    // A line whose preceding newline is unchanged text: the old file had the same text from there, `lines` lines up.
    if (starts[line] <= tailStart) return false;
    const index = checkpointAt(points, line - lines, startIndex + 1);
    if (index < 0) return false;
    // Same text and the same clean state from here on: the rest reads as before.
    resume = index;
    return true;
  });
  const fresh = scanner.result();
  const before = previous.file;
  if (stop >= 0 && lines !== 0) {
    const tail = (list: (file: ScannedFile) => object[], slot: number): object[] => list(before).slice(points[resume + 1 + slot]);
    moveLines(
      [tail((f) => f.models, 0), tail((f) => f.enums, 1), tail((f) => f.configBlocks, 2), tail((f) => f.comments, 3), tail((f) => f.suppressions, 4), tail((f) => f.problems, 5)],
      lines,
    );
  }
  const join = <T>(list: (file: ScannedFile) => T[], slot: number): T[] => {
    const head = list(before).slice(0, base[slot]);
    const middle = list(fresh);
    const tail = stop >= 0 ? list(before).slice(points[resume + 1 + slot]) : [];
    return head.length === 0 && tail.length === 0 ? middle : head.concat(middle, tail);
  };
  const file: ScannedFile = {
    path,
    models: join((f) => f.models, 0),
    enums: join((f) => f.enums, 1),
    configBlocks: join((f) => f.configBlocks, 2),
    comments: join((f) => f.comments, 3),
    suppressions: join((f) => f.suppressions, 4),
    problems: join((f) => f.problems, 5),
    lineCount: starts.length,
  };

  // Clean points, updated in place: the scanned ones replace those of the old middle, later ones move.
  const made = scanner.checkpoints;
  for (let i = 0; i < made.length; i += CHECKPOINT_SIZE) {
    for (let slot = 0; slot < CHECKPOINT_SIZE - 1; slot++) made[i + 1 + slot] += base[slot];
  }
  if (stop >= 0) {
    const counts = [fresh.models, fresh.enums, fresh.configBlocks, fresh.comments, fresh.suppressions, fresh.problems].map((list, slot) => base[slot] + list.length - points[resume + 1 + slot]);
    for (let i = resume; i < points.length; i += CHECKPOINT_SIZE) {
      points[i] += lines;
      for (let slot = 0; slot < CHECKPOINT_SIZE - 1; slot++) points[i + 1 + slot] += counts[slot];
    }
    replaceRange(points, start, resume - start, made);
  } else {
    points.length = start;
    for (const value of made) points.push(value);
  }
  return { path, text, file, lineStarts: starts, checkpoints: points };
}

// Whole slices are compared first: comparing two slices is a memory comparison, many times faster than reading characters one by one.
const CHUNKS = [16384, 1024, 64];

function commonPrefix(a: string, b: string, limit: number): number {
  let n = 0;
  for (const chunk of CHUNKS) while (n + chunk <= limit && a.slice(n, n + chunk) === b.slice(n, n + chunk)) n += chunk;
  while (n < limit && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  return n;
}

function commonSuffix(a: string, b: string, limit: number): number {
  let n = 0;
  for (const chunk of CHUNKS) while (n + chunk <= limit && a.slice(a.length - n - chunk, a.length - n) === b.slice(b.length - n - chunk, b.length - n)) n += chunk;
  while (n < limit && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

/** `list.splice(start, removed, ...items)` in place, without spreading `items` into arguments (a paste can add many lines). */
function replaceRange(list: number[], start: number, removed: number, items: number[]): void {
  const delta = items.length - removed;
  if (delta > 0) {
    const end = list.length;
    list.length = end + delta;
    list.copyWithin(start + items.length, start + removed, end);
  } else if (delta < 0) {
    list.copyWithin(start + items.length, start + removed);
    list.length += delta;
  }
  for (let i = 0; i < items.length; i++) list[start + i] = items[i];
}

/** Index (into the flat table) of the clean point at `line`, looking from point `from` on; -1 when there is none. */
function checkpointAt(points: number[], line: number, from: number): number {
  for (let low = from, high = points.length / CHECKPOINT_SIZE - 1; low <= high; ) {
    const mid = (low + high) >> 1;
    const at = points[mid * CHECKPOINT_SIZE];
    if (at === line) return mid * CHECKPOINT_SIZE;
    if (at < line) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/**
 * Adds `lines` to the line of every position reachable from `roots`, each
 * position once (ranges on one line share their positions, and ranges are
 * shared between objects). Walks every value: the scanned shapes are plain
 * data, and a position is the only object with a numeric `line` and `character`.
 */
function moveLines(roots: object[][], lines: number): void {
  // Only positions need remembering: other shared objects (a range, a problem listed twice) are plain trees, walked again harmlessly.
  const moved = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.line === 'number' && typeof record.character === 'number') {
      if (moved.has(record)) return;
      moved.add(record);
      record.line = record.line + lines;
      return;
    }
    for (const key in record) visit(record[key]);
  };
  for (const list of roots) for (const item of list) visit(item);
}

function fullScan(path: string, text: string): FileScan {
  const scanner = new FileScanner(path, text);
  const file = scanner.run();
  return { path, text, file, lineStarts: scanner.lineStartsOf(), checkpoints: scanner.checkpoints };
}

/** Scans every file of a schema (one file, or a `schema/` folder) and combines them. */
export function scanSchema(files: { path: string; text: string }[]): ScannedSchema {
  return combineFiles(files.map((file) => scanFile(file.path, file.text)));
}

/** Puts per-file scans together; cheap, so it can run on every keystroke after one file was re-scanned. */
export function combineFiles(files: ScannedFile[]): ScannedSchema {
  const schema: ScannedSchema = {
    files,
    generators: [],
    previewFeatures: [],
    models: [],
    compositeTypes: [],
    enums: [],
    suppressions: [],
    problems: [],
  };
  const features = new Set<string>();
  for (const file of files) {
    for (const model of file.models) {
      if (model.kind === 'type') schema.compositeTypes.push(model);
      else schema.models.push(model);
    }
    schema.enums.push(...file.enums);
    schema.suppressions.push(...file.suppressions);
    schema.problems.push(...file.problems);
    for (const block of file.configBlocks) {
      if (block.kind === 'datasource') {
        if (schema.datasource) {
          schema.problems.push({ message: `Only one datasource is allowed; \`${block.name}\` is ignored.`, file: block.file, range: block.nameRange });
          continue;
        }
        schema.datasource = datasourceInfo(block);
      } else {
        const generator = generatorInfo(block);
        schema.generators.push(generator);
        for (const feature of generator.previewFeatures) features.add(feature);
      }
    }
  }
  schema.previewFeatures = [...features];
  return schema;
}

export function propertyValue(block: ScannedConfigBlock, key: string): ScannedValue | undefined {
  for (const property of block.properties) if (property.key === key) return property.value;
  return undefined;
}

function stringsOf(value: ScannedValue | undefined): string[] {
  if (!value) return [];
  if (value.kind === 'string') return [value.value];
  if (value.kind === 'array') return value.items.flatMap((item) => (item.kind === 'string' ? [item.value] : []));
  return [];
}

function datasourceInfo(block: ScannedConfigBlock): DatasourceInfo {
  const info: DatasourceInfo = { name: block.name, file: block.file, schemas: stringsOf(propertyValue(block, 'schemas')), block };
  const provider = propertyValue(block, 'provider');
  // Very old schemas allowed a list of providers; the first one is what migrations were made for.
  const providers = stringsOf(provider);
  if (providers.length > 0 && provider) {
    info.provider = providers[0];
    info.providerRange = provider.range;
  }
  const mode = stringsOf(propertyValue(block, 'relationMode'))[0] ?? stringsOf(propertyValue(block, 'referentialIntegrity'))[0];
  if (mode !== undefined) info.relationMode = mode;
  return info;
}

function generatorInfo(block: ScannedConfigBlock): GeneratorInfo {
  const info: GeneratorInfo = { name: block.name, file: block.file, previewFeatures: stringsOf(propertyValue(block, 'previewFeatures')), block };
  const provider = stringsOf(propertyValue(block, 'provider'))[0];
  if (provider !== undefined) info.provider = provider;
  return info;
}
