import * as assert from 'assert';
import type { Range } from '../../server/src/core/source';
import { getDatamodel, knownPreviewFeatures, lintSchema, neutralizeForEngine, panicForTests } from '../../server/src/schema';

function R(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

// A Prisma 6 schema: Prisma 7's engine rejects `url`, `directUrl` and these preview features.
const PRISMA6 = [
  '// ünïcödé 😀 before everything',
  'datasource db {',
  '  provider  = "postgresql"',
  '  url       = env("DATABASE_URL") // kept comment',
  '  directUrl = env("DIRECT_URL")',
  '}',
  '',
  'generator client {',
  '  provider        = "prisma-client-js"',
  '  previewFeatures = ["metrics", "driverAdapters"]',
  '}',
  '',
  'model User {',
  '  id    Int    @id',
  '  /// 😀😀 doc',
  '  email String @unique',
  '}',
  '',
].join('\n');

describe('scan: Prisma 7 engine wrapper (prismaWasm)', () => {
  it('lints a Prisma 6 schema (url = env(...), previewFeatures metrics/driverAdapters) with no diagnostics', () => {
    const result = lintSchema([{ path: '/p/schema.prisma', text: PRISMA6 }]);
    assert.deepStrictEqual(result.diagnostics, []);
    assert.strictEqual(result.failure, undefined);
    assert.deepStrictEqual(result.neutralized, [
      { file: '/p/schema.prisma', range: R(3, 2, 33), what: 'url' },
      { file: '/p/schema.prisma', range: R(4, 2, 31), what: 'directUrl' },
      { file: '/p/schema.prisma', range: R(9, 21, 30), what: 'previewFeature:metrics' },
      { file: '/p/schema.prisma', range: R(9, 32, 48), what: 'previewFeature:driverAdapters' },
    ]);
  });

  it('neutralises in place: same length, same lines, same offsets', () => {
    const { files } = neutralizeForEngine([{ path: '/p/schema.prisma', text: PRISMA6 }], knownPreviewFeatures());
    const out = files[0].text;
    assert.strictEqual(out.length, PRISMA6.length);
    const before = PRISMA6.split('\n');
    const after = out.split('\n');
    assert.deepStrictEqual(after.map((line) => line.length), before.map((line) => line.length));
    assert.strictEqual(after[3], `${' '.repeat(34)}// kept comment`);
    assert.strictEqual(after[4].trim(), '');
    assert.strictEqual(after[9], `  previewFeatures = [${' '.repeat('"metrics", "driverAdapters"'.length)}]`);
    // Everything else is untouched.
    for (const line of [0, 1, 2, 5, 8, 12, 13, 14, 15]) assert.strictEqual(after[line], before[line]);
  });

  it('keeps known preview features and the commas between them', () => {
    const text = 'generator c {\n  provider = "prisma-client-js"\n  previewFeatures = ["metrics", "views", "multiSchema", "relationJoins", "tracing"]\n}\n';
    const { files, neutralized } = neutralizeForEngine([{ path: '/p/s.prisma', text }], new Set(['views', 'relationJoins']));
    assert.strictEqual(files[0].text.split('\n')[2], '  previewFeatures = [           "views",                "relationJoins"           ]');
    assert.deepStrictEqual(neutralized.map((n) => n.what), ['previewFeature:metrics', 'previewFeature:multiSchema', 'previewFeature:tracing']);
  });

  it('reads a Prisma 6.12 schema whose views have primary keys and indexes, and places errors after them on the user\'s text', () => {
    const text = [
      'generator client {',
      '  provider        = "prisma-client-js"',
      '  previewFeatures = ["views"]',
      '}',
      'datasource db {',
      '  provider = "postgresql"',
      '}',
      'model Project {',
      '  id    String       @id',
      '  stats ProjectStats?',
      '}',
      'view ProjectStats {',
      '  projectId String  @id @db.Uuid',
      '  project   Project @relation(fields: [projectId], references: [id])',
      '  builds    Int',
      '}',
      'view ProjectDomain {',
      '  projectId String',
      '  domain    String @unique @id',
      '  hits      Int',
      '  @@id([projectId, domain])',
      '  @@index([hits])',
      '  owner     Usr',
      '}',
      '',
    ].join('\n');
    const result = lintSchema([{ path: '/p/schema.prisma', text }]);
    // Only the real error is left, at its place in the user's text although `@id` grew into `@unique` before it.
    assert.deepStrictEqual(result.diagnostics, [
      { file: '/p/schema.prisma', range: R(22, 12, 15), message: 'Type "Usr" is neither a built-in type, nor refers to another model, composite type, or enum.', severity: 'error' },
    ]);
    assert.deepStrictEqual(result.neutralized, [
      { file: '/p/schema.prisma', range: R(12, 20, 23), what: 'view:@id' },
      { file: '/p/schema.prisma', range: R(18, 27, 30), what: 'view:@id' },
      { file: '/p/schema.prisma', range: R(20, 2, 27), what: 'view:@@id' },
      { file: '/p/schema.prisma', range: R(21, 2, 17), what: 'view:@@index' },
    ]);
    const { files } = neutralizeForEngine([{ path: '/p/schema.prisma', text }], knownPreviewFeatures());
    const lines = files[0].text.split('\n');
    assert.deepStrictEqual([lines[12], lines[18], lines[20], lines[21]], [
      '  projectId String  @unique @db.Uuid',
      '  domain    String @unique    ',
      '  @@unique([projectId, domain])',
      ' '.repeat(17),
    ]);
    // Offsets after a rewrite map back to the user's text; those before it are unchanged.
    const offsetOf = (line: number, character: number, lineTexts: string[]): number => lineTexts.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + character;
    const userLines = text.split('\n');
    assert.strictEqual(files[0].toOriginal(offsetOf(12, 2, lines)), offsetOf(12, 2, userLines));
    assert.strictEqual(files[0].toOriginal(offsetOf(13, 2, lines)), offsetOf(13, 2, userLines));
    assert.strictEqual(files[0].toOriginal(offsetOf(22, 12, lines)), offsetOf(22, 12, userLines));
  });

  it('reports real errors with UTF-16 ranges after emoji, in the right file of a multi-file schema', () => {
    const main = PRISMA6;
    const other = '// 😀😀😀 émoji\nmodel Post {\n  id     Int @id\n  author Usr\n  x 😀\n}\n';
    const result = lintSchema([
      { path: '/p/schema/main.prisma', text: main },
      { path: '/p/schema/post.prisma', text: other },
    ]);
    assert.deepStrictEqual(
      result.diagnostics.filter((d) => d.message.startsWith('Type "Usr"')),
      [{ file: '/p/schema/post.prisma', range: R(3, 9, 12), message: 'Type "Usr" is neither a built-in type, nor refers to another model, composite type, or enum.', severity: 'error' }],
    );
    assert.ok(result.diagnostics.every((d) => d.file === '/p/schema/post.prisma'));
  });

  it('returns the datamodel of a valid Prisma 6 schema and the validation message of an invalid one', () => {
    const valid = getDatamodel([{ path: '/p/schema.prisma', text: PRISMA6 }]);
    assert.strictEqual(valid.failure, undefined);
    assert.strictEqual(valid.validationError, undefined);
    const model = (valid.datamodel as { models: { name: string; fields: { name: string }[] }[] }).models[0];
    assert.deepStrictEqual([model.name, model.fields.map((f) => f.name)], ['User', ['id', 'email']]);
    const invalid = getDatamodel([{ path: '/p/schema.prisma', text: PRISMA6.replace('email String', 'email Strng') }]);
    assert.strictEqual(invalid.datamodel, undefined);
    assert.ok(invalid.validationError?.includes('Type "Strng" is neither a built-in type'));
    assert.ok(!invalid.validationError?.includes('\u001b['), 'ANSI colours are stripped');
  });

  it('survives an engine panic: the panic message comes back and the next call works', () => {
    const failure = panicForTests();
    assert.ok(failure);
    assert.strictEqual(failure.panic, true);
    assert.ok(failure.message.includes('debug_panic'), failure.message);
    const after = lintSchema([{ path: '/p/schema.prisma', text: PRISMA6 }]);
    assert.deepStrictEqual([after.failure, after.diagnostics], [undefined, []]);
  });
});
