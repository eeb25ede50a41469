/**
 * The incremental rescan must be indistinguishable from a full scan: after any
 * sequence of edits (typing, deleting, pasting braces, quotes, comments and
 * suppressions, anywhere), its result and its clean points equal those of
 * scanning the final text from scratch.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { type FileScan, rescanFile, scanFile } from '../../server/src/scan/scanner';
import { corpusRoot } from '../support/corpus';

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
  const corpus = corpusRoot('scan/incremental: corpus schemas');
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

/** A paste of many lines (blocks, comments, blank lines). */
const PASTE = Array.from({ length: 60 }, (_, i) => `model P${i} {\n  id Int @id\n  /// doc\n  name String @default("p") // c\n}\n`).join('\n');

function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const roll = next();
  if (roll < 0.03 && text.length < 20000) return text.slice(0, at) + PASTE + text.slice(at);
  if (roll < 0.06 && text.length > 0) return text.slice(0, at) + text.slice(at + Math.floor(next() * 3000));
  if (roll < 0.35 && text.length > 0) {
    const length = 1 + Math.floor(next() * Math.min(40, text.length - at));
    return text.slice(0, at) + text.slice(at + length);
  }
  const snippet = SNIPPETS[Math.floor(next() * SNIPPETS.length)];
  return text.slice(0, at) + snippet + text.slice(at);
}

function assertSameAsFull(scan: FileScan, file: string, context: string): void {
  const full = rescanFile(undefined, file, scan.text);
  assert.deepStrictEqual(scan.file, full.file, `scan differs ${context}`);
  assert.deepStrictEqual(scan.checkpoints, full.checkpoints, `clean points differ ${context}`);
  assert.deepStrictEqual(scan.file, scanFile(file, scan.text));
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

  it('moves the models below a new line in place instead of reading them again', () => {
    const text = ['model A {', '  id Int @id', '}', '', 'model B {', '  id Int @id // b', '  @@index([id])', '}', '', 'model C {', '  id Int @id', '}', ''].join('\n');
    const before = rescanFile(undefined, file, text);
    const [a, b, c] = before.file.models;
    const fieldRange = b.fields[0].range;
    const at = text.indexOf('  id Int @id\n}\n\nmodel B');
    const after = rescanFile(before, file, `${text.slice(0, at)}  name String\n${text.slice(at)}`);
    assertSameAsFull(after, file, 'after a new line in A');
    assert.notStrictEqual(after.file.models[0], a);
    assert.strictEqual(after.file.models[1], b);
    assert.strictEqual(after.file.models[2], c);
    // Whatever shares the scanner's positions (a source range kept by the mapper) moved with them.
    assert.strictEqual(fieldRange.start.line, 6);
    const deleted = rescanFile(after, file, text);
    assertSameAsFull(deleted, file, 'after the line is removed again');
    assert.strictEqual(deleted.file.models[1], b);
    assert.strictEqual(fieldRange.start.line, 5);
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
