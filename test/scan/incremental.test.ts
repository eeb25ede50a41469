/**
 * The incremental rescan must be indistinguishable from a full scan: after any
 * sequence of edits (typing, deleting, pasting braces, quotes, comments and
 * suppressions, anywhere), its result and its clean points equal those of
 * scanning the final text from scratch.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { type FileScan, movedFrom, rescanFile, scanFile } from '../../server/src/scan/scanner';

const REPO = path.resolve(__dirname, '../../..');

function schemas(): { name: string; text: string }[] {
  const found: { name: string; text: string }[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.prisma')) found.push({ name: path.relative(REPO, full).replace(/^(\.\.\/)+/, ''), text: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(path.join(REPO, 'test/fixtures/scan'));
  walk(path.join(REPO, 'examples'));
  // Real schemas: long documentation comments, enums, views, multi-file folders.
  const corpus = [path.resolve(REPO, '..', 'shared', 'corpus'), '/work/shared/corpus'].find((dir) => fs.existsSync(dir));
  if (corpus) for (const project of fs.readdirSync(corpus)) walk(path.join(corpus, project, 'head'));
  return found;
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SNIPPETS = ['\n', '}', '{', '\n}\n', '"', '(', ')', '@', '@@', '///', '// ', '// migration-guard-ignore drop-column -- ok\n', 'model X {\n', 'enum E {\n', '\n\n', 'a', ' ', 'String?', '@default("x")', '\r\n'];

function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const roll = next();
  if (roll < 0.35 && text.length > 0) {
    const length = 1 + Math.floor(next() * Math.min(40, text.length - at));
    return text.slice(0, at) + text.slice(at + length);
  }
  const snippet = SNIPPETS[Math.floor(next() * SNIPPETS.length)];
  return text.slice(0, at) + snippet + text.slice(at);
}

/** A deep copy with every `line` moved by `lines`. */
function moveLines(value: unknown, lines: number): unknown {
  if (Array.isArray(value)) return value.map((item) => moveLines(item, lines));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = key === 'line' && typeof item === 'number' ? item + lines : moveLines(item, lines);
  return copy;
}

function assertSameAsFull(scan: FileScan, file: string, context: string): void {
  const full = rescanFile(undefined, file, scan.text);
  assert.deepStrictEqual(scan.file, full.file, `scan differs ${context}`);
  assert.deepStrictEqual(scan.checkpoints, full.checkpoints, `clean points differ ${context}`);
  assert.deepStrictEqual(scan.file, scanFile(file, scan.text));
  // A model said to be an earlier one moved is exactly that one, lines apart.
  for (const model of scan.file.models) {
    const moved = movedFrom(model);
    if (moved) assert.deepStrictEqual(model, moveLines(moved.from, moved.lines), `moved model ${model.name} ${context}`);
  }
}

describe('scan: incremental rescan', () => {
  const file = '/project/prisma/schema.prisma';

  for (const { name, text } of schemas()) {
    it(`equals a full scan after random edits of ${name}`, () => {
      const next = random(name.length * 7919 + text.length);
      let scan = rescanFile(undefined, file, text);
      const edits = text.length > 5000 ? 30 : 150;
      for (let i = 0; i < edits; i++) {
        const edited = edit(scan.text, next);
        scan = rescanFile(scan, file, edited);
        assertSameAsFull(scan, file, `after edit ${i} of ${name}`);
      }
    });
  }

  it('keeps the objects of untouched blocks when typing inside one model', () => {
    const text = ['model A {', '  id Int @id', '}', '', 'model B {', '  id Int @id', '}', '', 'model C {', '  id Int @id', '}', ''].join('\n');
    const before = rescanFile(undefined, file, text);
    const at = text.indexOf('  id Int @id\n}\n\nmodel C') + '  id Int @id'.length;
    const after = rescanFile(before, file, `${text.slice(0, at)} @unique${text.slice(at)}`);
    assertSameAsFull(after, file, 'after typing in B');
    assert.strictEqual(after.file.models[0], before.file.models[0]);
    assert.notStrictEqual(after.file.models[1], before.file.models[1]);
    assert.strictEqual(after.file.models[2], before.file.models[2]);
  });

  it('recognises the models below a new line as the old ones, moved', () => {
    const text = ['model A {', '  id Int @id', '}', '', 'model B {', '  id Int @id', '}', '', 'model C {', '  id Int @id', '}', ''].join('\n');
    const before = rescanFile(undefined, file, text);
    const at = text.indexOf('  id Int @id\n}\n\nmodel B');
    const after = rescanFile(before, file, `${text.slice(0, at)}  name String\n${text.slice(at)}`);
    assertSameAsFull(after, file, 'after a new line in A');
    assert.strictEqual(movedFrom(after.file.models[0]), undefined);
    assert.deepStrictEqual(movedFrom(after.file.models[1]), { from: before.file.models[1], lines: 1 });
    assert.deepStrictEqual(movedFrom(after.file.models[2]), { from: before.file.models[2], lines: 1 });
  });

  it('types a field character by character into a large schema', () => {
    const models = Array.from({ length: 40 }, (_, i) => [`/// Model ${i}`, `model M${i} {`, '  id Int @id', `  name String @default("m${i}") // trailing`, '}', ''].join('\n'));
    let scan = rescanFile(undefined, file, models.join('\n'));
    const typed = '\n  createdAt DateTime @default(now()) @map("created_at")';
    let offset = scan.text.indexOf('model M20 {') + 'model M20 {'.length;
    for (const ch of typed) {
      scan = rescanFile(scan, file, scan.text.slice(0, offset) + ch + scan.text.slice(offset));
      offset++;
      assertSameAsFull(scan, file, `typing ${JSON.stringify(ch)}`);
    }
  });
});
