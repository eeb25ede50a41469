import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DbTable } from '../../server/src/core/dbState';
import type { Range } from '../../server/src/core/source';
import {
  defaultFromSql,
  foreignKeyName,
  indexName,
  mapSchema,
  operatorClassName,
  postgresVariant,
  primaryKeyName,
  prismaMajorVersion,
  truncateBytes,
  uniqueIndexName,
  unsupportedColumnType,
} from '../../server/src/map';
import { scanSchema } from '../../server/src/scan';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/map');
const FILE = '/project/prisma/schema.prisma';

function R(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

function map(text: string, options?: Parameters<typeof mapSchema>[1]) {
  return mapSchema(scanSchema([{ path: FILE, text }]), options);
}

function fixture(name: string) {
  const mapped = map(fs.readFileSync(path.join(FIXTURES, `${name}.prisma`), 'utf8'));
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as unknown;
  const actual = {
    state: mapped.state,
    notes: mapped.notes,
    prismaDefaults: mapped.prismaDefaults,
    ignored: mapped.ignored,
    implicitManyToMany: mapped.implicitManyToMany,
    nameVariants: mapped.nameVariants,
  };
  return { mapped, actual: JSON.parse(JSON.stringify(actual)) as unknown, expected };
}

describe('map: mapSchema fixtures', () => {
  it('PostgreSQL: types, native types, defaults, keys, indexes, relations, m2m, enums, @ignore, views', () => {
    const { actual, expected } = fixture('postgres');
    assert.deepStrictEqual(actual, expected);
  });

  it('PostgreSQL: sources point at the model, field or attribute behind each object', () => {
    const { mapped } = fixture('postgres');
    const s = mapped.sources;
    assert.deepStrictEqual(s.tables.users, { file: FILE, range: R(12, 6, 10), modelName: 'User', nameRange: R(12, 6, 10), blockRange: { start: { line: 12, character: 0 }, end: { line: 40, character: 1 } } });
    assert.deepStrictEqual(s.tables._PostTags, { file: FILE, range: R(53, 2, 40), modelName: 'Post', nameRange: R(53, 2, 6), blockRange: { start: { line: 48, character: 0 }, end: { line: 54, character: 1 } }, implicitManyToMany: true });
    assert.deepStrictEqual(s.columns['users.display_name'], { file: FILE, range: R(16, 2, 42), modelName: 'User', fieldName: 'name', nameRange: R(16, 2, 6) });
    assert.deepStrictEqual(s.columns['_PostTags.B'], { file: FILE, range: R(58, 2, 36), modelName: 'Tag', fieldName: 'posts', nameRange: R(58, 2, 7) });
    assert.deepStrictEqual(s.indexes['users#users_email_role_key'], { file: FILE, range: R(36, 2, 25) });
    assert.deepStrictEqual(s.indexes['users#users_publicId_key'], { file: FILE, range: R(14, 22, 29) });
    assert.deepStrictEqual(s.foreignKeys['Post#Post_authorId_fkey'], { file: FILE, range: R(51, 19, 66) });
    assert.deepStrictEqual([s.primaryKeys.users, s.primaryKeys['users#users_pkey']], [{ file: FILE, range: R(13, 22, 25) }, { file: FILE, range: R(13, 22, 25) }]);
    assert.deepStrictEqual(s.primaryKeys.Membership, { file: FILE, range: R(71, 2, 47) });
    assert.deepStrictEqual(s.enums, { user_role: { file: FILE, range: R(5, 5, 9), enumName: 'Role' } });
    assert.deepStrictEqual(s.enumValues, { 'user_role.USER': { file: FILE, range: R(6, 2, 6) }, 'user_role.admin': { file: FILE, range: R(7, 2, 22) } });
    assert.deepStrictEqual(s.fallback, { file: FILE, range: R(0, 0, 13) });
    // Every column, index, key and foreign key of the state has a source.
    for (const [key, table] of Object.entries(mapped.state.tables)) {
      assert.ok(s.tables[key], key);
      for (const column of table.columns) assert.ok(s.columns[`${key}.${column.name}`], `${key}.${column.name}`);
      for (const index of table.indexes) assert.ok(s.indexes[`${key}#${index.name}`], `${key}#${index.name}`);
      for (const fk of table.foreignKeys) assert.ok(s.foreignKeys[`${key}#${fk.name}`], `${key}#${fk.name}`);
      if (table.primaryKey) assert.ok(s.primaryKeys[key], key);
    }
  });

  it('SQLite: Prisma 6 column types, unnamed primary keys, inline foreign key names, m2m unique index', () => {
    const { actual, expected } = fixture('sqlite');
    assert.deepStrictEqual(actual, expected);
  });
});

describe('map: naming conventions', () => {
  it('cuts the base, not the suffix, at 63 bytes (names from the inbox-zero, rallly and langfuse migrations)', () => {
    assert.strictEqual(uniqueIndexName('ClassificationFeedback', ['emailAccountId', 'sender', 'ruleId', 'messageId', 'eventType'], 'postgresql'), 'ClassificationFeedback_emailAccountId_sender_ruleId_message_key');
    assert.strictEqual(indexName('DraftSendLog', ['replyMemoryProcessedAt', 'replyMemoryAttemptCount', 'createdAt'], 'postgresql'), 'DraftSendLog_replyMemoryProcessedAt_replyMemoryAttemptCount_idx');
    assert.strictEqual(uniqueIndexName('provider_calendars', ['calendar_connection_id', 'provider_calendar_id'], 'postgresql'), 'provider_calendars_calendar_connection_id_provider_calendar_key');
    assert.strictEqual(foreignKeyName('in_app_agent_pending_tool_approvals', ['conversation_id', 'project_id'], 'postgresql'), 'in_app_agent_pending_tool_approvals_conversation_id_projec_fkey');
    assert.strictEqual(uniqueIndexName('User', ['email'], 'postgresql'), 'User_email_key');
    assert.strictEqual(primaryKeyName('a'.repeat(70), 'postgresql'), `${'a'.repeat(58)}_pkey`);
    // Nothing is cut on SQLite; MySQL allows 64.
    assert.strictEqual(indexName('t'.repeat(70), ['c'], 'sqlite'), `${'t'.repeat(70)}_c_idx`);
    assert.strictEqual(indexName('t'.repeat(70), ['c'], 'mysql'), `${'t'.repeat(60)}_idx`);
  });

  it('gives the PostgreSQL-truncated form of the untruncated name as the other convention', () => {
    assert.strictEqual(postgresVariant('ClassificationFeedback_emailAccountId_sender_ruleId_messageId_eventType', '_key', 'postgresql'), 'ClassificationFeedback_emailAccountId_sender_ruleId_messageId_e');
    assert.strictEqual(postgresVariant('User_email', '_key', 'postgresql'), undefined);
    assert.strictEqual(postgresVariant('x'.repeat(80), '_key', 'sqlite'), undefined);
  });

  it('cuts at a UTF-8 character boundary', () => {
    // 'é' is 2 bytes: 61 ASCII + 'é' would be 63 bytes, so the cut falls before it when only 62 fit.
    assert.strictEqual(truncateBytes(`${'a'.repeat(61)}é`, 62), 'a'.repeat(61));
    assert.strictEqual(truncateBytes(`${'a'.repeat(61)}é`, 63), `${'a'.repeat(61)}é`);
    assert.strictEqual(truncateBytes('😀😀', 5), '😀');
  });

  it('reads the Prisma major version from package.json ranges', () => {
    assert.deepStrictEqual(['5.22.0', '^6.1.0', '~4.16.2', '>=5.0.0 <6', '7', 'latest', undefined].map(prismaMajorVersion), [5, 6, 4, 5, 7, undefined, undefined]);
  });

  it('maps Prisma operator classes and Unsupported types to PostgreSQL names', () => {
    assert.deepStrictEqual(
      ['JsonbPathOps', 'ArrayOps', 'Int4MinMaxMultiOps', 'TimestampTzBloomOps', 'InetInclusionOps', 'VarBitMinMaxOps'].map(operatorClassName),
      ['jsonb_path_ops', 'array_ops', 'int4_minmax_multi_ops', 'timestamptz_bloom_ops', 'inet_inclusion_ops', 'varbit_minmax_ops'],
    );
    assert.deepStrictEqual(
      ['tsvector', 'double precision', 'character varying(20)', 'geometry(Point, 4326)', 'int[]', 'CHAR'].map((t) => unsupportedColumnType(t, 'postgresql')),
      [
        { name: 'tsvector', args: [], array: false, isEnum: false },
        { name: 'float8', args: [], array: false, isEnum: false },
        { name: 'varchar', args: [20], array: false, isEnum: false },
        { name: 'geometry(point,4326)', args: [], array: false, isEnum: false },
        { name: 'int4', args: [], array: true, isEnum: false },
        { name: 'bpchar', args: [1], array: false, isEnum: false },
      ],
    );
    assert.deepStrictEqual(unsupportedColumnType('varchar(10)', 'sqlite'), { name: 'VARCHAR', args: [10], array: false, isEnum: false });
  });

  it('classifies default SQL as constant or (volatile) expression', () => {
    assert.deepStrictEqual(
      ["'USER'::\"Role\"", 'CURRENT_TIMESTAMP', 'gen_random_uuid()', '0', "ARRAY['a']::TEXT[]", "(now() + '1 day'::interval)", 'my_id_generator()', "lower('X')"].map((sql) => defaultFromSql(sql)),
      [
        { kind: 'value', sql: "'USER'" },
        { kind: 'expression', sql: 'current_timestamp', volatile: false },
        { kind: 'expression', sql: 'gen_random_uuid()', volatile: true },
        { kind: 'value', sql: '0' },
        { kind: 'value', sql: "array['a']" },
        { kind: 'expression', sql: "now() + '1 day'", volatile: false },
        // Unknown (user-defined) functions are volatile unless declared otherwise, as in PostgreSQL.
        { kind: 'expression', sql: 'my_id_generator()', volatile: true },
        { kind: 'expression', sql: "lower('X')", volatile: false },
      ],
    );
    // SQLite's describer counts the time keywords as constants.
    assert.deepStrictEqual(
      ['CURRENT_TIMESTAMP', "'x'", 'random()'].map((sql) => defaultFromSql(sql, 'sqlite')),
      [
        { kind: 'value', sql: 'current_timestamp' },
        { kind: 'value', sql: "'x'" },
        { kind: 'expression', sql: 'random()', volatile: true },
      ],
    );
  });
});

describe('map: version- and mode-dependent conventions', () => {
  const m2m = [
    'datasource db {',
    '  provider = "postgresql"',
    '}',
    'model Order {',
    '  id   String @id',
    '  tags Tag[]',
    '}',
    'model Tag {',
    '  id     String  @id',
    '  orders Order[]',
    '}',
  ].join('\n');

  const joinTable = (withPk: boolean, withFks = true): DbTable => ({
    name: '_OrderToTag',
    columns: [
      { name: 'A', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
      { name: 'B', type: { name: 'text', args: [], array: false, isEnum: false }, nullable: false },
    ],
    ...(withPk ? { primaryKey: { name: '_OrderToTag_AB_pkey', columns: ['A', 'B'] } } : {}),
    indexes: [
      ...(withPk ? [] : [{ name: '_OrderToTag_AB_unique', columns: ['A', 'B'], unique: true }]),
      { name: '_OrderToTag_B_index', columns: ['B'], unique: false },
    ],
    foreignKeys: withFks
      ? [
          { name: '_OrderToTag_A_fkey', columns: ['A'], referencedTable: 'Order', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'CASCADE' },
          { name: '_OrderToTag_B_fkey', columns: ['B'], referencedTable: 'Tag', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'CASCADE' },
        ]
      : [],
  });

  it('implicit m2m: unique index `_AB_unique` before Prisma 6 (ghostfolio 2022), primary key `_AB_pkey` since (ghostfolio 2025)', () => {
    assert.deepStrictEqual(map(m2m, { prismaVersion: '5.22.0' }).state.tables._OrderToTag, joinTable(false));
    assert.deepStrictEqual(map(m2m, { prismaVersion: '^6.0.0' }).state.tables._OrderToTag, joinTable(true));
    assert.deepStrictEqual(map(m2m).state.tables._OrderToTag, joinTable(true));
    assert.deepStrictEqual(map(m2m, { prismaVersion: '4.16.2' }).implicitManyToMany, { _OrderToTag: { relationName: 'OrderToTag', modelA: 'Order', modelB: 'Tag', convention: 'unique-index' } });
  });

  it('relationMode = "prisma": no foreign keys at all, indexes stay', () => {
    const mapped = map(m2m.replace('provider = "postgresql"', 'provider = "postgresql"\n  relationMode = "prisma"').replace('tags Tag[]', 'tags Tag[]\n  parentId String?\n  parent Order? @relation("tree", fields: [parentId], references: [id])\n  children Order[] @relation("tree")'));
    assert.deepStrictEqual(mapped.state.tables._OrderToTag, joinTable(true, false));
    assert.deepStrictEqual(mapped.state.tables.Order.foreignKeys, []);
  });

  it('multiSchema: tables, enums and foreign keys keyed by schema; public stays the default schema', () => {
    const mapped = map(
      [
        'datasource db {',
        '  provider = "postgresql"',
        '  schemas  = ["public", "auth"]',
        '}',
        'enum Kind {',
        '  A',
        '  @@schema("auth")',
        '}',
        'model Account {',
        '  id   Int  @id',
        '  kind Kind',
        '  @@schema("auth")',
        '}',
        'model Post {',
        '  id        Int     @id',
        '  accountId Int',
        '  account   Account @relation(fields: [accountId], references: [id])',
        '  @@schema("public")',
        '}',
      ].join('\n'),
    );
    assert.deepStrictEqual(Object.keys(mapped.state.tables), ['auth.Account', 'Post']);
    assert.deepStrictEqual(mapped.state.enums, { 'auth.Kind': { name: 'Kind', schema: 'auth', values: ['A'] } });
    assert.deepStrictEqual(mapped.state.tables['auth.Account'], {
      name: 'Account',
      schema: 'auth',
      columns: [
        { name: 'id', type: { name: 'int4', args: [], array: false, isEnum: false }, nullable: false },
        { name: 'kind', type: { name: 'auth.Kind', args: [], array: false, isEnum: true }, nullable: false },
      ],
      primaryKey: { name: 'Account_pkey', columns: ['id'] },
      indexes: [],
      foreignKeys: [],
    });
    assert.deepStrictEqual(mapped.state.tables.Post.foreignKeys, [
      { name: 'Post_accountId_fkey', columns: ['accountId'], referencedTable: 'auth.Account', referencedColumns: ['id'], onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
    ]);
  });

  it('truncated names come with their PostgreSQL-cut variant; explicit map names do not', () => {
    const mapped = map(
      [
        'datasource db {',
        '  provider = "postgresql"',
        '}',
        'model ClassificationFeedback {',
        '  id             Int    @id',
        '  emailAccountId String',
        '  sender         String',
        '  ruleId         String',
        '  messageId      String',
        '  eventType      String',
        '  @@unique([emailAccountId, sender, ruleId, messageId, eventType])',
        '  @@index([emailAccountId, sender, ruleId, messageId, eventType], map: "short_idx")',
        '}',
      ].join('\n'),
    );
    assert.deepStrictEqual(mapped.state.tables.ClassificationFeedback.indexes.map((i) => i.name), ['ClassificationFeedback_emailAccountId_sender_ruleId_message_key', 'short_idx']);
    assert.deepStrictEqual(mapped.nameVariants, {
      'ClassificationFeedback#ClassificationFeedback_emailAccountId_sender_ruleId_message_key': ['ClassificationFeedback_emailAccountId_sender_ruleId_messageId_e'],
    });
  });

  it('legacy `name:` on @@index is the database name; on @@unique it only names the client accessor', () => {
    const mapped = map(
      [
        'datasource db {',
        '  provider = "postgresql"',
        '}',
        'model Credential {',
        '  id        String    @id',
        '  userId    String    @map("user_id")',
        '  provider  String',
        '  expiresAt DateTime? @map("expires_at")',
        '  @@unique([userId, provider], name: "user_provider_unique")',
        '  @@index([expiresAt], name: "credential_expiry_idx")',
        '  @@map("credentials")',
        '}',
      ].join('\n'),
    );
    assert.deepStrictEqual(mapped.state.tables.credentials.indexes, [
      { name: 'credentials_user_id_provider_key', columns: ['user_id', 'provider'], unique: true },
      { name: 'credential_expiry_idx', columns: ['expires_at'], unique: false },
    ]);
  });

  it('unknown types, half-typed defaults and missing fields become notes, never exceptions', () => {
    const mapped = map(
      ['datasource db {', '  provider = "postgresql"', '}', 'model A {', '  id Int @id', '  x Strin', '  y Int @default(', '  @@index([nope])', '}'].join('\n'),
    );
    assert.deepStrictEqual(mapped.notes, [
      { level: 'error', message: 'Field `A.x` has unknown type `Strin`: no column mapped.', where: { file: FILE, range: R(5, 4, 9) } },
      { level: 'warning', message: '`A.y`: `@default` needs a value.', where: { file: FILE, range: R(6, 8, 17) } },
      { level: 'warning', message: '`A` has no scalar field `nope` (in `@@index`).', where: { file: FILE, range: R(7, 11, 15) } },
    ]);
    assert.deepStrictEqual(mapped.state.tables.A.columns.map((c) => c.name), ['id', 'y']);
  });

  it('SQLite: a lone INTEGER primary key is the rowid, autoincrement with or without @default(autoincrement())', () => {
    const mapped = map('datasource db {\n  provider = "sqlite"\n}\nmodel A {\n  id Int @id\n}\nmodel B {\n  id BigInt @id\n}\nmodel C {\n  a Int\n  b Int\n  @@id([a, b])\n}\n');
    assert.deepStrictEqual(
      Object.values(mapped.state.tables).map((t) => [t.name, t.columns.map((c) => [c.name, c.type.name, c.default])]),
      [
        ['A', [['id', 'INTEGER', { kind: 'autoincrement' }]]],
        ['B', [['id', 'BIGINT', undefined]]],
        ['C', [['a', 'INTEGER', undefined], ['b', 'INTEGER', undefined]]],
      ],
    );
  });

  it('index columns with a sort order are spelled as each replay spells them', () => {
    const schema = (provider: string) => `datasource db {\n  provider = "${provider}"\n}\nmodel A {\n  id Int @id\n  at DateTime\n  @@index([at(sort: Desc), id])\n}\n`;
    assert.deepStrictEqual(map(schema('postgresql')).state.tables.A.indexes, [{ name: 'A_at_id_idx', columns: ['at DESC', 'id'], unique: false }]);
    assert.deepStrictEqual(map(schema('sqlite')).state.tables.A.indexes, [{ name: 'A_at_id_idx', columns: ['"at" DESC', 'id'], unique: false }]);
  });

  it('leaves out a model that is still being typed (no fields yet, block not readable)', () => {
    const mapped = map('datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id\n}\nmodel New {\n');
    assert.deepStrictEqual([Object.keys(mapped.state.tables), mapped.notes], [['A'], [{ level: 'info', message: 'Model `New` is still being written; it is left out until it has fields.', where: { file: FILE, range: R(6, 6, 9) } }]]);
  });

  it('maps without a datasource as PostgreSQL, with a warning', () => {
    const mapped = map('model A {\n  id Int @id\n}\n');
    assert.deepStrictEqual([mapped.provider, mapped.notes], ['postgresql', [{ level: 'warning', message: 'No datasource provider found; mapped as PostgreSQL.' }]]);
  });
});
