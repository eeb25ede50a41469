/**
 * Mapping with a MapCache (what the language server does on every keystroke)
 * must give exactly what mapping from scratch gives after
 * any sequence of edits: a changed model, a model its relations point at, an
 * enum, a renamed model, half-typed text.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { MapCache, type MappedSchema, mapSchema } from '../../server/src/map/mapSchema';
import { combineFiles, type FileScan, rescanFile } from '../../server/src/scan/scanner';
import { corpusRoot } from '../support/corpus';

const REPO = path.resolve(__dirname, '../../..');
const FILE = '/project/prisma/schema.prisma';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

class Editor {
  private scan: FileScan;
  private readonly cache = new MapCache();

  constructor(
    text: string,
    private readonly prismaVersion?: string,
  ) {
    this.scan = rescanFile(undefined, FILE, text);
  }

  get text(): string {
    return this.scan.text;
  }

  /** Applies the new text and checks the cached mapping against a fresh one. */
  set(text: string, context: string): MappedSchema {
    this.scan = rescanFile(this.scan, FILE, text);
    const scanned = combineFiles([this.scan.file]);
    const options = this.prismaVersion ? { prismaVersion: this.prismaVersion } : {};
    const cached = mapSchema(scanned, options, this.cache);
    const fresh = mapSchema(combineFiles([rescanFile(undefined, FILE, text).file]), options);
    assert.deepStrictEqual(cached, fresh, context);
    // Tables and notes keep the order of a mapping from scratch (changes and diagnostics are listed in it); records are looked up by key.
    assert.strictEqual(JSON.stringify(cached.state), JSON.stringify(fresh.state), `table order ${context}`);
    assert.strictEqual(JSON.stringify(cached.notes), JSON.stringify(fresh.notes), `note order ${context}`);
    return cached;
  }

  replace(from: string, to: string, context: string): void {
    assert.ok(this.text.includes(from), `${from} in the schema`);
    this.set(this.text.replace(from, to), context);
  }
}

function schemas(): { name: string; text: string }[] {
  const found: { name: string; text: string }[] = [];
  const add = (file: string): void => {
    if (fs.existsSync(file)) found.push({ name: path.relative(REPO, file).replace(/^(\.\.\/)+/, ''), text: fs.readFileSync(file, 'utf8') });
  };
  add(path.join(REPO, 'examples/shop/prisma/schema.prisma'));
  for (const fixture of ['basic.prisma']) add(path.join(REPO, 'test/fixtures/scan', fixture));
  const corpus = corpusRoot('map/incremental: corpus schemas');
  if (corpus) for (const project of fs.readdirSync(corpus)) add(path.join(corpus, project, 'head', 'schema.prisma'));
  return found;
}

const SNIPPETS = ['\n', '}', '{', '"', '(', ')', '@', '@@', '//', 'a', ' ', 'String?', 'Int', '@default(1)', '@unique', '@id', '@map("m")', '@@map("t")', '[]', '?'];

describe('map: cached mapping equals mapping from scratch', () => {
  for (const { name, text } of schemas()) {
    it(`after random edits of ${name}`, () => {
      const next = random(text.length);
      const editor = new Editor(text);
      editor.set(text, 'first mapping');
      for (let i = 0; i < 25; i++) {
        const current = editor.text;
        const at = Math.floor(next() * (current.length + 1));
        const edited =
          next() < 0.3
            ? current.slice(0, at) + current.slice(Math.min(current.length, at + 1 + Math.floor(next() * 20)))
            : current.slice(0, at) + SNIPPETS[Math.floor(next() * SNIPPETS.length)] + current.slice(at);
        editor.set(edited, `edit ${i} of ${name}`);
      }
    });
  }

  it('follows changes of related models, enums and names', () => {
    const editor = new Editor(
      [
        'datasource db {',
        '  provider = "postgresql"',
        '}',
        '',
        'enum Role {',
        '  USER',
        '  ADMIN',
        '}',
        '',
        'model User {',
        '  id    Int    @id @default(autoincrement())',
        '  role  Role   @default(USER)',
        '  posts Post[]',
        '  tags  Tag[]',
        '}',
        '',
        'model Post {',
        '  id       Int  @id',
        '  authorId Int',
        '  author   User @relation(fields: [authorId], references: [id])',
        '',
        '  @@index([authorId])',
        '}',
        '',
        'model Tag {',
        '  id    Int    @id',
        '  users User[]',
        '}',
        '',
      ].join('\n'),
    );
    editor.set(editor.text, 'first');
    editor.replace('  id    Int    @id @default(autoincrement())', '  id    Int    @id @default(autoincrement()) @map("user_id")', 'referenced column renamed');
    editor.replace('  authorId Int\n', '  authorId Int @map("author")\n', 'foreign key column renamed');
    editor.replace('  ADMIN\n', '  ADMIN\n  GUEST\n', 'enum value added');
    editor.replace('@default(USER)', '@default(GUEST)', 'enum default changed');
    editor.replace('model Tag {', 'model Label {', 'model renamed: the join table and the relation types change');
    editor.replace('  tags  Tag[]', '  tags  Label[]', 'relation type follows');
    editor.replace('  users User[]', '  users User[]\n  name  String', 'field added to the other side of the many-to-many');
    editor.replace('model Post {', 'model Post {\n  title String @db.VarChar(10)', 'native type');
    editor.replace('  @@index([authorId])', '  @@index([authorId])\n  @@map("posts")', 'table renamed under a foreign key');
    editor.replace('  provider = "postgresql"', '  provider = "sqlite"', 'provider changed');
  });

  it('keeps the models an enum edit or a model rename does not touch', () => {
    const models = Array.from({ length: 12 }, (_, i) => [`model M${i} {`, '  id Int @id', ...(i % 4 === 0 ? ['  status Status @default(ACTIVE)'] : []), ...(i === 7 ? ['  other Target?'] : []), '}', ''].join('\n'));
    const editor = new Editor(['datasource db {', '  provider = "postgresql"', '}', '', 'enum Status {', '  ACTIVE', '}', '', 'model Target {', '  id Int @id', '  m7 M7? @relation(fields: [m7Id], references: [id])', '  m7Id Int? @unique', '}', '', ...models].join('\n'));
    const first = editor.set(editor.text, 'first');
    let offset = editor.text.indexOf('  ACTIVE') + '  ACTIVE'.length;
    for (const ch of '\n  PAUSED') {
      const mapped = editor.set(editor.text.slice(0, offset) + ch + editor.text.slice(offset), `typing the enum value ${JSON.stringify(ch)}`);
      offset++;
      assert.strictEqual(mapped.state.tables.M1, first.state.tables.M1, 'a model without the enum keeps its table');
      assert.strictEqual(mapped.state.tables.M7, first.state.tables.M7);
    }
    offset = editor.text.indexOf('model Target') + 'model Target'.length;
    for (const ch of 'X') {
      const mapped = editor.set(editor.text.slice(0, offset) + ch + editor.text.slice(offset), `renaming a model ${JSON.stringify(ch)}`);
      offset++;
      assert.strictEqual(mapped.state.tables.M1, first.state.tables.M1, 'a model that does not name it keeps its table');
    }
  });

  it('types a field character by character like the benchmark does', () => {
    const models = Array.from({ length: 30 }, (_, i) =>
      [`model M${i} {`, '  id Int @id @default(autoincrement())', `  name String`, ...(i > 0 ? [`  parentId Int?`, `  parent M${i - 1}? @relation(fields: [parentId], references: [id])`] : []), ...(i < 29 ? [`  children M${i + 1}[]`] : []), '}', ''].join('\n'),
    );
    const editor = new Editor(['datasource db {', '  provider = "postgresql"', '}', '', ...models].join('\n'), '5.22.0');
    const first = editor.set(editor.text, 'first');
    let offset = editor.text.indexOf('model M15 {') + 'model M15 {'.length;
    for (const ch of '\n  typed String? @default("x") @unique\n  other M3? @relation(fields: [parentId], references: [id])') {
      const mapped = editor.set(editor.text.slice(0, offset) + ch + editor.text.slice(offset), `typing ${JSON.stringify(ch)}`);
      offset++;
      // Models above the edit are taken over as they were, tables included; those below too, even when the edit added a line.
      assert.strictEqual(mapped.state.tables.M2, first.state.tables.M2);
      assert.strictEqual(mapped.state.tables.M20, first.state.tables.M20);
      // The model whose relation points at the edited one gets its foreign key mapped again, to the same table.
      if (!/other M3/.test(editor.text)) assert.strictEqual(mapped.state.tables.M16, first.state.tables.M16);
    }
  });
});
