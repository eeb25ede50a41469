import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Range } from '../../server/src/core/source';
import { SchemaScanCache, scanFile, scanSchema } from '../../server/src/scan';
import type { ScannedAttribute, ScannedField, ScannedValue } from '../../server/src/scan';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/scan');

/** Single-line range. */
function R(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

function str(value: string, line: number, start: number, raw = `"${value}"`): ScannedValue {
  return { kind: 'string', value, raw, range: R(line, start, start + raw.length) };
}

function attr(name: string, line: number, start: number, end: number, args: ScannedAttribute['args'] = [], argsText?: string): ScannedAttribute {
  const block = false;
  const nameStart = start + 1;
  const attribute: ScannedAttribute = { name, block, range: R(line, start, end), nameRange: R(line, nameStart, nameStart + name.length), args, complete: true };
  if (argsText !== undefined) {
    attribute.argsText = argsText;
    attribute.argsRange = R(line, nameStart + name.length + 1, end - 1);
  }
  return attribute;
}

describe('scan: scanner', () => {
  const file = '/project/prisma/schema.prisma';
  const text = fs.readFileSync(path.join(FIXTURES, 'basic.prisma'), 'utf8');

  it('reads fields, types and attributes with UTF-16 ranges (emoji and non-ASCII before tokens)', () => {
    const scanned = scanSchema([{ path: file, text }]);
    assert.deepStrictEqual(scanned.problems, []);
    const user = scanned.models[0];
    assert.strictEqual(user.name, 'User');
    assert.strictEqual(user.kind, 'model');
    assert.strictEqual(user.documentation, 'A user ✉️');
    assert.deepStrictEqual(user.nameRange, R(7, 6, 10));
    assert.deepStrictEqual(user.blockRange, { start: { line: 7, character: 0 }, end: { line: 17, character: 1 } });
    const expectedFields: ScannedField[] = [
      {
        name: 'id',
        nameRange: R(8, 2, 4),
        range: R(8, 2, 45),
        typeName: 'Int',
        typeRange: R(8, 8, 11),
        optional: false,
        list: false,
        attributes: [
          attr('id', 8, 16, 19),
          attr('default', 8, 20, 45, [{ range: R(8, 29, 44), value: { kind: 'call', name: 'autoincrement', args: [], argsText: '', range: R(8, 29, 44) } }], 'autoincrement()'),
        ],
        trailingComment: ' 🚀 rocket',
      },
      {
        // `"héllo😀"` is 9 UTF-16 units: the emoji counts twice.
        name: 'name',
        nameRange: R(9, 2, 6),
        range: R(9, 2, 70),
        typeName: 'String',
        typeRange: R(9, 8, 14),
        optional: false,
        list: false,
        attributes: [
          attr('default', 9, 16, 35, [{ range: R(9, 25, 34), value: str('héllo😀', 9, 25) }], '"héllo😀"'),
          attr('db.VarChar', 9, 36, 52, [{ range: R(9, 48, 51), value: { kind: 'number', value: 255, raw: '255', range: R(9, 48, 51) } }], '255'),
          attr('map', 9, 53, 70, [{ range: R(9, 58, 69), value: str('user_name', 9, 58) }], '"user_name"'),
        ],
      },
      {
        name: 'email',
        nameRange: R(10, 2, 7),
        range: R(10, 2, 46),
        typeName: 'String',
        typeRange: R(10, 8, 14),
        optional: true,
        list: false,
        attributes: [attr('unique', 10, 16, 46, [{ name: 'map', nameRange: R(10, 24, 27), range: R(10, 24, 45), value: str('User_email_key', 10, 29) }], 'map: "User_email_key"')],
      },
      {
        name: 'tags',
        nameRange: R(11, 2, 6),
        range: R(11, 2, 29),
        typeName: 'String',
        typeRange: R(11, 8, 14),
        optional: false,
        list: true,
        attributes: [attr('default', 11, 17, 29, [{ range: R(11, 26, 28), value: { kind: 'array', items: [], range: R(11, 26, 28) } }], '[]')],
      },
      {
        name: 'role',
        nameRange: R(12, 2, 6),
        range: R(12, 2, 30),
        typeName: 'Role',
        typeRange: R(12, 8, 12),
        optional: false,
        list: false,
        attributes: [attr('default', 12, 16, 30, [{ range: R(12, 25, 29), value: { kind: 'identifier', name: 'USER', range: R(12, 25, 29) } }], 'USER')],
      },
      {
        name: 'tsv',
        nameRange: R(13, 2, 5),
        range: R(13, 2, 32),
        typeName: 'Unsupported',
        typeRange: R(13, 8, 31),
        optional: true,
        list: false,
        unsupported: 'tsvector',
        attributes: [],
      },
    ];
    assert.deepStrictEqual(user.fields, expectedFields);
    const sortDesc: ScannedValue = {
      kind: 'call',
      name: 'name',
      args: [{ name: 'sort', nameRange: R(15, 16, 20), range: R(15, 16, 26), value: { kind: 'identifier', name: 'Desc', range: R(15, 22, 26) } }],
      argsText: 'sort: Desc',
      range: R(15, 11, 27),
    };
    assert.deepStrictEqual(user.attributes, [
      {
        name: 'index',
        block: true,
        range: R(15, 2, 60),
        nameRange: R(15, 4, 9),
        args: [
          { range: R(15, 10, 35), value: { kind: 'array', items: [sortDesc, { kind: 'identifier', name: 'email', range: R(15, 29, 34) }], range: R(15, 10, 35) } },
          { name: 'type', nameRange: R(15, 37, 41), range: R(15, 37, 47), value: { kind: 'identifier', name: 'Hash', range: R(15, 43, 47) } },
          { name: 'map', nameRange: R(15, 49, 52), range: R(15, 49, 59), value: str('idx', 15, 54) },
        ],
        argsText: '[name(sort: Desc), email], type: Hash, map: "idx"',
        argsRange: R(15, 10, 59),
        complete: true,
      },
      { name: 'map', block: true, range: R(16, 2, 16), nameRange: R(16, 4, 7), args: [{ range: R(16, 8, 15), value: str('users', 16, 8) }], argsText: '"users"', argsRange: R(16, 8, 15), complete: true },
    ]);
  });

  it('reads enums, the datasource and comments', () => {
    const scanned = scanSchema([{ path: file, text }]);
    assert.deepStrictEqual(
      scanned.enums.map((e) => ({ name: e.name, values: e.values.map((v) => [v.name, v.attributes.map((a) => a.name)]), attributes: e.attributes.map((a) => a.name), nameRange: e.nameRange })),
      [{ name: 'Role', values: [['USER', []], ['ADMIN', ['map']]], attributes: ['map'], nameRange: R(19, 5, 9) }],
    );
    const datasource = scanned.datasource;
    assert.ok(datasource);
    assert.deepStrictEqual(
      { name: datasource.name, provider: datasource.provider, providerRange: datasource.providerRange, schemas: datasource.schemas, relationMode: datasource.relationMode },
      { name: 'db', provider: 'postgresql', providerRange: R(2, 13, 25), schemas: [], relationMode: undefined },
    );
    assert.deepStrictEqual(
      datasource.block.properties.map((p) => [p.key, p.range]),
      [['provider', R(2, 2, 25)], ['url', R(3, 2, 32)]],
    );
    // The first comment holds an emoji: its range ends at UTF-16 length, not code points.
    assert.deepStrictEqual(
      scanFile(file, text).comments.map((c) => [c.text, c.doc, c.range]),
      [
        [' 😀 emoji comment: ünïcödé', false, R(0, 0, 28)],
        [' A user ✉️', true, R(6, 0, 13)],
        [' 🚀 rocket', false, R(8, 46, 58)],
      ],
    );
  });

  it('records suppressions above models, fields and enums, on the field line, and without reason', () => {
    const schema = [
      '// migration-guard-ignore drop-table -- archived in Q3',
      'model Legacy {',
      '  id Int @id',
      '  // migration-guard-ignore drop-column -- moved to audit log',
      '  /// docs between the suppression and the field are fine',
      '  note String',
      '  // migration-guard-ignore make-column-required',
      '  email String',
      '  phone String // migration-guard-ignore add-required-column -- table is empty',
      '  // migration-guard-ignore create-index-blocking -- 12 rows',
      '  @@index([email])',
      '}',
      '',
      '// migration-guard-ignore remove-enum-value -- never used',
      'enum Kind {',
      '  // migration-guard-ignore remove-enum-value -- legacy value',
      '  OLD',
      '}',
      '',
      '// migration-guard-ignore drop-table -- orphan: blank line below',
      '',
      'model Other {',
      '  id Int @id',
      '}',
    ].join('\n');
    const scanned = scanSchema([{ path: file, text: schema }]);
    assert.deepStrictEqual(scanned.suppressions, [
      { ruleId: 'drop-table', reason: 'archived in Q3', file, range: R(0, 0, 54), target: { kind: 'model', model: 'Legacy' } },
      { ruleId: 'drop-column', reason: 'moved to audit log', file, range: R(3, 2, 61), target: { kind: 'field', model: 'Legacy', field: 'note' } },
      { ruleId: 'make-column-required', file, range: R(6, 2, 48), target: { kind: 'field', model: 'Legacy', field: 'email' } },
      { ruleId: 'add-required-column', reason: 'table is empty', file, range: R(8, 15, 78), target: { kind: 'field', model: 'Legacy', field: 'phone' } },
      { ruleId: 'create-index-blocking', reason: '12 rows', file, range: R(9, 2, 60), target: { kind: 'model', model: 'Legacy' } },
      { ruleId: 'remove-enum-value', reason: 'never used', file, range: R(13, 0, 57), target: { kind: 'enum', model: 'Kind' } },
      { ruleId: 'remove-enum-value', reason: 'legacy value', file, range: R(15, 2, 61), target: { kind: 'enum', model: 'Kind', field: 'OLD' } },
    ]);
    assert.deepStrictEqual(scanned.problems, [
      { message: 'A migration-guard-ignore comment must be directly above a model, field or enum.', file, range: R(19, 0, 64) },
    ]);
    assert.strictEqual(scanned.models[0].fields.find((f) => f.name === 'note')?.documentation, 'docs between the suppression and the field are fine');
  });

  it('reports half-typed text with ranges instead of throwing', () => {
    const schema = [
      'model User {',
      '  id Int @id',
      '  name String @default(',
      '  age',
      '  email String @unique(map: "x"',
      '  x String @',
      '  $$ stray',
      '',
      'model Post {',
      '  id Int @id',
      '}',
      'garbage here',
    ].join('\n');
    const scanned = scanSchema([{ path: file, text: schema }]);
    assert.deepStrictEqual(scanned.problems, [
      { message: '`@default(` is not closed.', file, range: R(2, 14, 23) },
      { message: 'Field `age` has no type.', file, range: R(3, 2, 5) },
      { message: '`@unique(` is not closed.', file, range: R(4, 15, 31) },
      { message: 'Attribute name missing after `@`.', file, range: R(5, 11, 12) },
      { message: 'Unexpected text `$$ stray` in model `User`.', file, range: R(6, 2, 10) },
      { message: '`model User` is not closed: `}` is missing.', file, range: R(0, 6, 10) },
      { message: 'Unexpected text `garbage here` outside of a block.', file, range: R(11, 0, 12) },
    ]);
    const [user, post] = scanned.models;
    assert.deepStrictEqual(
      { name: user.name, closed: user.closed, fields: user.fields.map((f) => [f.name, f.typeName]), blockRange: user.blockRange, problems: user.problems.length },
      { name: 'User', closed: false, fields: [['id', 'Int'], ['name', 'String'], ['age', ''], ['email', 'String'], ['x', 'String']], blockRange: { start: { line: 0, character: 0 }, end: { line: 6, character: 10 } }, problems: 6 },
    );
    assert.deepStrictEqual({ name: post.name, closed: post.closed, problems: post.problems }, { name: 'Post', closed: true, problems: [] });
    const defaultAttribute = user.fields[1].attributes[0];
    assert.deepStrictEqual({ complete: defaultAttribute.complete, argsText: defaultAttribute.argsText, args: defaultAttribute.args }, { complete: false, argsText: '', args: [] });
  });

  it('reads the object form of a partial index condition, and reports one left open', () => {
    const schema = ['model User {', '  id Int @id', '  @@index([id], where: { deletedAt: null, n: { not: -3 } })', '  @@index([id], where: { a: 1', '}'].join('\n');
    const scanned = scanSchema([{ path: file, text: schema }]);
    assert.deepStrictEqual(scanned.problems, [
      { message: '`{` is not closed.', file, range: R(3, 23, 29) },
      { message: '`@@index(` is not closed.', file, range: R(3, 2, 29) },
    ]);
    const [closed, open] = scanned.models[0].attributes.map((a) => a.args[1]);
    const expected: ScannedAttribute['args'][number] = {
      name: 'where',
      nameRange: R(2, 16, 21),
      range: R(2, 16, 58),
      value: {
        kind: 'object',
        fields: [
          { name: 'deletedAt', nameRange: R(2, 25, 34), range: R(2, 25, 40), value: { kind: 'identifier', name: 'null', range: R(2, 36, 40) } },
          {
            name: 'n',
            nameRange: R(2, 42, 43),
            range: R(2, 42, 56),
            value: { kind: 'object', fields: [{ name: 'not', nameRange: R(2, 47, 50), range: R(2, 47, 54), value: { kind: 'number', value: -3, raw: '-3', range: R(2, 52, 54) } }], range: R(2, 45, 56) },
          },
        ],
        range: R(2, 23, 58),
      },
    };
    assert.deepStrictEqual(closed, expected);
    assert.deepStrictEqual(open.value, { kind: 'object', fields: [{ name: 'a', nameRange: R(3, 25, 26), range: R(3, 25, 29), value: { kind: 'number', value: 1, raw: '1', range: R(3, 28, 29) } }], range: R(3, 23, 29) });
  });

  it('never throws on any prefix of a schema, and keeps ranges inside the text', () => {
    const lines = text.split('\n');
    for (let end = 0; end <= text.length; end++) {
      const prefix = text.slice(0, end);
      const scanned = scanSchema([{ path: file, text: prefix }]);
      const lineCount = prefix.split('\n').length;
      for (const model of scanned.models) {
        for (const field of model.fields) {
          assert.ok(field.range.end.line < lineCount, `field range beyond text at prefix ${end}`);
          assert.ok(field.range.end.character <= (lines[field.range.end.line] ?? '').length, `field range beyond line at prefix ${end}`);
        }
      }
    }
  });

  it('handles CRLF line endings and tabs', () => {
    const scanned = scanSchema([{ path: file, text: 'model A {\r\n\tid\tInt @id\r\n}\r\n' }]);
    assert.deepStrictEqual(scanned.problems, []);
    assert.deepStrictEqual(
      scanned.models[0].fields.map((f) => [f.name, f.range, f.attributes.map((a) => a.range)]),
      [['id', R(1, 1, 11), [R(1, 8, 11)]]],
    );
    assert.deepStrictEqual(scanned.models[0].blockRange, { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } });
  });

  it('reads generators, views, composite types and relation attributes', () => {
    const schema = [
      'generator client {',
      '  provider        = "prisma-client-js"',
      '  previewFeatures = ["views", "multiSchema"]',
      '}',
      'view Stats {',
      '  id Int @unique',
      '}',
      'type Address {',
      '  street String',
      '}',
      'model Post {',
      '  authorId Int',
      '  author   User @relation("Posts", fields: [authorId], references: [id], onDelete: Cascade, map: "fk")',
      '  createdAt DateTime @default(dbgenerated("now()")) @db.Timestamptz(6)',
      '}',
    ].join('\n');
    const scanned = scanSchema([{ path: file, text: schema }]);
    assert.deepStrictEqual(scanned.problems, []);
    assert.deepStrictEqual(scanned.previewFeatures, ['views', 'multiSchema']);
    assert.deepStrictEqual(scanned.generators.map((g) => [g.name, g.provider, g.previewFeatures]), [['client', 'prisma-client-js', ['views', 'multiSchema']]]);
    assert.deepStrictEqual(scanned.models.map((m) => [m.kind, m.name]), [['view', 'Stats'], ['model', 'Post']]);
    assert.deepStrictEqual(scanned.compositeTypes.map((m) => [m.kind, m.name]), [['type', 'Address']]);
    const relation = scanned.models[1].fields[1].attributes[0];
    assert.deepStrictEqual(
      relation.args.map((a) => [a.name, a.value?.kind]),
      [[undefined, 'string'], ['fields', 'array'], ['references', 'array'], ['onDelete', 'identifier'], ['map', 'string']],
    );
    const created = scanned.models[1].fields[2].attributes;
    assert.deepStrictEqual(created[0].args[0].value, {
      kind: 'call',
      name: 'dbgenerated',
      args: [{ range: R(13, 42, 49), value: str('now()', 13, 42) }],
      argsText: '"now()"',
      range: R(13, 30, 50),
    });
    assert.deepStrictEqual([created[1].name, created[1].args.map((a) => a.value)], ['db.Timestamptz', [{ kind: 'number', value: 6, raw: '6', range: R(13, 68, 69) }]]);
  });

  it('scans multi-file schemas per file and combines them in the given order', () => {
    const dir = path.join(FIXTURES, 'multi');
    const files = ['schema.prisma', 'models/post.prisma', 'models/user.prisma'].map((name) => ({ path: path.join(dir, name), text: fs.readFileSync(path.join(dir, name), 'utf8') }));
    const scanned = scanSchema(files);
    assert.deepStrictEqual(scanned.problems, []);
    assert.deepStrictEqual(scanned.models.map((m) => [m.name, path.relative(dir, m.file), m.nameRange]), [
      ['Post', 'models/post.prisma', R(0, 6, 10)],
      ['User', 'models/user.prisma', R(0, 6, 10)],
    ]);
    assert.strictEqual(scanned.datasource?.file, files[0].path);
    assert.deepStrictEqual(scanned.previewFeatures, ['prismaSchemaFolder']);
  });
});

describe('scan: SchemaScanCache', () => {
  const file = '/project/prisma/schema.prisma';
  const good = ['model User {', '  id   Int    @id', '  name String @default("x")', '}', '', 'model Post {', '  id Int @id', '}'].join('\n');

  it('keeps the last readable version of a damaged model, moved to where the block now is', () => {
    const cache = new SchemaScanCache();
    const first = cache.update(file, good);
    assert.deepStrictEqual(first.problems, []);
    // Two lines inserted above, and `name` half-typed.
    const damaged = ['// new comment', '', 'model User {', '  id   Int    @id', '  name String @default(', '}', '', 'model Post {', '  id Int @id', '}'].join('\n');
    const second = cache.update(file, damaged);
    const user = second.models[0];
    assert.strictEqual(user.recovered, true);
    assert.deepStrictEqual(
      user.fields.map((f) => [f.name, f.range, f.attributes.map((a) => [a.name, a.argsText])]),
      [
        ['id', R(3, 2, 17), [['id', undefined]]],
        ['name', R(4, 2, 27), [['default', '"x"']]],
      ],
    );
    assert.deepStrictEqual(user.blockRange, { start: { line: 2, character: 0 }, end: { line: 5, character: 1 } });
    assert.deepStrictEqual(second.problems, [
      {
        message: '`model User` could not be read (line 5: `@default(` is not closed.); using its last readable version.',
        file,
        range: R(4, 14, 23),
      },
      { message: '`@default(` is not closed.', file, range: R(4, 14, 23) },
    ]);
    assert.strictEqual(second.models[1].recovered, undefined);
    // Still damaged on the next keystroke: the same good version is used.
    const third = cache.update(file, damaged.replace('@default(', '@default("'));
    assert.deepStrictEqual(third.models[0].fields[1].attributes[0].argsText, '"x"');
    // Fixed: the new text wins.
    const fixed = cache.update(file, damaged.replace('@default(', '@default("y")'));
    assert.deepStrictEqual([fixed.models[0].recovered, fixed.models[0].fields[1].attributes[0].argsText, fixed.problems], [undefined, '"y"', []]);
  });

  it('returns the cached result for unchanged text, and combines files', () => {
    const cache = new SchemaScanCache();
    const a = cache.update('/p/a.prisma', good);
    assert.strictEqual(cache.update('/p/a.prisma', good), a);
    cache.update('/p/b.prisma', 'enum E {\n  A\n}\n');
    assert.deepStrictEqual(cache.paths(), ['/p/a.prisma', '/p/b.prisma']);
    const schema = cache.schema();
    assert.deepStrictEqual([schema.models.map((m) => m.name), schema.enums.map((e) => e.name)], [['User', 'Post'], ['E']]);
    cache.remove('/p/b.prisma');
    assert.deepStrictEqual(cache.schema().enums, []);
  });

  it('does not invent a previous version for a new half-typed model', () => {
    const cache = new SchemaScanCache();
    cache.update(file, good);
    const result = cache.update(file, `${good}\n\nmodel Tag {\n  id Int @id @default(`);
    const tag = result.models[2];
    assert.deepStrictEqual([tag.name, tag.recovered, tag.closed, tag.fields.map((f) => f.name)], ['Tag', undefined, false, ['id']]);
  });
});
