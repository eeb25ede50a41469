import { LineIndex, type Range } from '../core/source';
import { scanFile } from '../scan/scanner';
import type { ScannedAttribute, ScannedFile } from '../scan/types';

/**
 * Prisma 7's engine (the wasm we ship) rejects schemas written for Prisma 5
 * and 6: connection URLs in the datasource block (P1012), preview features it
 * no longer knows, and primary keys and indexes on `view` blocks (accepted up
 * to Prisma 6.12, where a view needed `@id` or `@unique`; "Views cannot have
 * primary keys" since 6.13). Those are not problems of the user's schema, so
 * before any text reaches the engine they are rewritten, on their own lines:
 * removed characters become spaces (newlines stay), and a view's `@id` /
 * `@@id(` becomes `@unique` / `@@unique(`, so that relations referencing it
 * still point at a unique criterion. `toOriginal` maps the engine's offsets
 * back to the user's text.
 */

export interface SchemaText {
  path: string;
  text: string;
}

export interface NeutralizedItem {
  file: string;
  range: Range;
  /** `url`, `directUrl`, `shadowDatabaseUrl`, `previewFeature:<name>`, or `view:@id` / `view:@@id` / `view:@@index`. */
  what: string;
}

/** A text for the engine and how to read its offsets on the user's text. */
export interface EngineText extends SchemaText {
  /** The offset in the user's text of an offset in `text` (identity when nothing grew). */
  toOriginal(offset: number): number;
}

const DATASOURCE_URL_KEYS = new Set(['url', 'directUrl', 'shadowDatabaseUrl']);

/**
 * What replaces each changed character, by offset: usually one character (a
 * space), sometimes more or none. A few lines of the datasource, generator and
 * view blocks change; splitting a whole large schema into an array of
 * characters to change them cost more than Prisma's lint of it.
 */
type Changes = Map<number, string>;

function blank(changes: Changes, text: string, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c !== '\n' && c !== '\r') changes.set(i, ' ');
  }
}

/** `@id` → `@unique`, `@@id(` → `@@unique(`: the `i` at `at` becomes `unique` and the `d` after it goes. */
function idToUnique(changes: Changes, at: number): void {
  changes.set(at, 'unique');
  changes.set(at + 1, '');
}

const same = (offset: number): number => offset;

/** What Prisma 7 no longer accepts on a view: its primary key and its indexes. */
function retiredOnViews(attribute: ScannedAttribute): 'view:@id' | 'view:@@id' | 'view:@@index' | undefined {
  if (attribute.name === 'id') return attribute.block ? 'view:@@id' : 'view:@id';
  return attribute.block && attribute.name === 'index' ? 'view:@@index' : undefined;
}

function applyChanges(text: string, changes: Changes): EngineText {
  const offsets = [...changes.keys()].sort((a, b) => a - b);
  let out = '';
  let from = 0;
  // Where the engine's text and the user's stop being the same distance apart: [engine offset, user offset].
  const shifts: [number, number][] = [];
  for (const offset of offsets) {
    const replacement = changes.get(offset) as string;
    out += text.slice(from, offset) + replacement;
    from = offset + 1;
    if (replacement.length !== 1) shifts.push([out.length, from]);
  }
  out += text.slice(from);
  if (shifts.length === 0) return { path: '', text: out, toOriginal: same };
  return {
    path: '',
    text: out,
    toOriginal(offset: number): number {
      // The last shift at or before the offset says how far apart the two texts are there.
      let low = 0;
      let high = shifts.length - 1;
      let found = -1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if (shifts[mid][0] <= offset) {
          found = mid;
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      if (found < 0) return offset;
      const [engineAt, userAt] = shifts[found];
      return Math.min(text.length, userAt + (offset - engineAt));
    },
  };
}

/**
 * Returns the texts to hand to the engine and what was blanked. `known` is the
 * engine's own list of preview features; anything else is dropped. A scan of
 * the same text may be passed in to avoid scanning twice.
 */
export function neutralizeForEngine(
  files: SchemaText[],
  known: ReadonlySet<string>,
  scans?: ReadonlyMap<string, ScannedFile>,
): { files: EngineText[]; neutralized: NeutralizedItem[] } {
  const neutralized: NeutralizedItem[] = [];
  const out = files.map((file): EngineText => {
    const scan = scans?.get(file.path) ?? scanFile(file.path, file.text);
    const views = scan.models.filter((model) => model.kind === 'view');
    if (scan.configBlocks.length === 0 && views.length === 0) return { ...file, toOriginal: same };
    const index = new LineIndex(file.text);
    let changes: Changes | undefined;
    const edit = (): Changes => (changes ??= new Map());
    for (const block of scan.configBlocks) {
      for (const property of block.properties) {
        if (block.kind === 'datasource' && DATASOURCE_URL_KEYS.has(property.key)) {
          blank(edit(), file.text, index.offsetAt(property.range.start), index.offsetAt(property.range.end));
          neutralized.push({ file: file.path, range: property.range, what: property.key });
          continue;
        }
        if (block.kind !== 'generator' || property.key !== 'previewFeatures') continue;
        const value = property.value;
        if (!value || value.kind !== 'array' || value.items.some((item) => item.kind !== 'string')) continue;
        const arrayStart = index.offsetAt(value.range.start);
        const arrayEnd = index.offsetAt(value.range.end);
        if (file.text[arrayStart] !== '[' || file.text[arrayEnd - 1] !== ']') continue;
        const dropped = value.items.filter((item) => item.kind === 'string' && !known.has(item.value));
        if (dropped.length === 0) continue;
        const kept = value.items.filter((item) => !dropped.includes(item));
        const text = edit();
        // Rewrite the inside of `[...]` in place: kept entries stay where they are,
        // each followed by the comma that already follows it, everything else blank.
        blank(text, file.text, arrayStart + 1, arrayEnd - 1);
        kept.forEach((item, i) => {
          const start = index.offsetAt(item.range.start);
          const end = index.offsetAt(item.range.end);
          for (let p = start; p < end; p++) text.set(p, file.text[p]);
          if (i < kept.length - 1) text.set(end, ',');
        });
        for (const item of dropped) {
          neutralized.push({ file: file.path, range: item.range, what: `previewFeature:${item.kind === 'string' ? item.value : ''}` });
        }
      }
    }
    for (const view of views) {
      const fieldAttributes = view.fields.flatMap((field) => {
        const unique = field.attributes.some((a) => a.name === 'unique');
        return field.attributes.map((attribute) => ({ attribute, unique }));
      });
      for (const { attribute, unique } of [...fieldAttributes, ...view.attributes.map((attribute) => ({ attribute, unique: false }))]) {
        const kind = retiredOnViews(attribute);
        if (!kind) continue;
        const start = index.offsetAt(attribute.range.start);
        // A field already @unique loses its @id; an index goes; any other primary key becomes the unique it needs to be.
        if (kind === 'view:@@index' || unique) blank(edit(), file.text, start, index.offsetAt(attribute.range.end));
        else idToUnique(edit(), index.offsetAt(attribute.nameRange.start));
        neutralized.push({ file: file.path, range: attribute.range, what: kind });
      }
    }
    return changes ? { ...applyChanges(file.text, changes), path: file.path } : { ...file, toOriginal: same };
  });
  return { files: out, neutralized };
}
