import { LineIndex, type Range } from '../core/source';
import { scanFile } from '../scan/scanner';
import type { ScannedFile } from '../scan/types';

/**
 * Prisma 7's engine (the wasm we ship) rejects schemas written for Prisma 5
 * and 6: connection URLs in the datasource block (P1012) and preview features
 * it no longer knows. Those are not problems of the user's schema, so before
 * any text reaches the engine they are blanked out *in place*: every removed
 * character becomes a space (newlines stay), so every offset and position the
 * engine reports still points at the user's real text.
 */

export interface SchemaText {
  path: string;
  text: string;
}

export interface NeutralizedItem {
  file: string;
  range: Range;
  /** `url`, `directUrl`, `shadowDatabaseUrl`, or `previewFeature:<name>`. */
  what: string;
}

const DATASOURCE_URL_KEYS = new Set(['url', 'directUrl', 'shadowDatabaseUrl']);

/**
 * Characters to replace, by offset. A few lines of the datasource and
 * generator blocks change; splitting a whole large schema into an array of
 * characters to change them cost more than Prisma's lint of it.
 */
type Changes = Map<number, string>;

function blank(changes: Changes, text: string, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c !== '\n' && c !== '\r') changes.set(i, ' ');
  }
}

function applyChanges(text: string, changes: Changes): string {
  const offsets = [...changes.keys()].sort((a, b) => a - b);
  let out = '';
  let from = 0;
  for (const offset of offsets) {
    out += text.slice(from, offset) + (changes.get(offset) as string);
    from = offset + 1;
  }
  return out + text.slice(from);
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
): { files: SchemaText[]; neutralized: NeutralizedItem[] } {
  const neutralized: NeutralizedItem[] = [];
  const out = files.map((file) => {
    const scan = scans?.get(file.path) ?? scanFile(file.path, file.text);
    if (scan.configBlocks.length === 0) return file;
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
    return changes ? { path: file.path, text: applyChanges(file.text, changes) } : file;
  });
  return { files: out, neutralized };
}
