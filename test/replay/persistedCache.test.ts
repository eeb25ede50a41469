/**
 * The replayed migrations kept between sessions: a session that starts from
 * the saved replay must reach exactly the analysis a session replaying from
 * zero reaches, and anything doubtful about the saved file (damaged, written by
 * another build, migrations changed since) must mean a replay, never another
 * answer.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProjectSession } from '../../server/src/analysis/session';
import type { ProjectAnalysis } from '../../server/src/analysis/types';
import { locateProject } from '../../server/src/project/locate';
import { replayStore, type ReplayStore } from '../../server/src/replay/persistedCache';
import { brief, LspClient, uriOf } from '../lsp/lspClient';

const SCHEMA = `datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  name  String
  phone String
  role  Role   @default(USER)
  bio   String?
  posts Post[]

  @@index([name])
}

model Post {
  id       Int  @id @default(autoincrement())
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}

enum Role {
  USER
  ADMIN
}
`;

const MIGRATIONS: Record<string, string> = {
  '20240101000000_init': `CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN', 'GUEST');

CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "legacy" TEXT,
    "role" "Role" NOT NULL DEFAULT 'USER',
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
`,
  '20240201000000_posts': `CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`,
  '20240301000000_bio': `ALTER TABLE "User" ADD COLUMN "bio" TEXT;

CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
`,
};

/** What an analysis found, without its timings (the one part that differs between runs). */
function outcome(analysis: ProjectAnalysis | undefined): unknown {
  assert.ok(analysis, 'the analysis ran');
  const { findings, changes, unmigrated, migrations, notes, provider } = analysis;
  return JSON.parse(JSON.stringify({ provider, findings, changes, unmigrated, migrations, notes }));
}

describe('replay: the replay saved between sessions', () => {
  let project: string;
  let storage: string;

  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-persist-project-'));
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-persist-storage-'));
    fs.mkdirSync(path.join(project, 'prisma', 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(project, 'prisma', 'schema.prisma'), SCHEMA);
    fs.writeFileSync(path.join(project, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
    for (const [name, sql] of Object.entries(MIGRATIONS)) {
      fs.mkdirSync(path.join(project, 'prisma', 'migrations', name));
      fs.writeFileSync(path.join(project, 'prisma', 'migrations', name, 'migration.sql'), sql);
    }
  });

  afterEach(() => {
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(storage, { recursive: true, force: true });
  });

  const build = { tool: '1.0.0', fingerprint: 'build-a' };

  /** One session as an editor or the CLI starts it, with what it told about the store. */
  async function session(store: ReplayStore | undefined): Promise<{ result: unknown; told: string[] }> {
    const told: string[] = [];
    const started = new ProjectSession(locateProject(project), { deployed: 'all', ...(store ? { replayStore: store, onReplayStore: (m: string) => told.push(m) } : {}) });
    const result = outcome(await started.analyze());
    await started.replaySaved();
    return { result, told };
  }

  function savedFile(): string {
    const files = fs.readdirSync(storage).filter((f) => f.endsWith('.replay'));
    assert.strictEqual(files.length, 1, `one saved replay in ${storage}: ${files.join(', ')}`);
    return path.join(storage, files[0]);
  }

  it('starts from the saved replay and reaches the same analysis as a replay from zero', async () => {
    const cold = await session(undefined);
    const first = await session(replayStore(storage, build));
    assert.deepStrictEqual(first.told, ['No saved replay used: no saved replay for this project.', 'Saved the replay of 3 migration(s) for later sessions.']);
    assert.deepStrictEqual(first.result, cold.result);

    const warm = await session(replayStore(storage, build));
    assert.deepStrictEqual(warm.told, ['Read the replay of 3 migration(s) saved by an earlier session.']);
    assert.deepStrictEqual(warm.result, cold.result);
  });

  it('replays again when the saved file is damaged, and then saves a sound one', async () => {
    const cold = await session(undefined);
    await session(replayStore(storage, build));
    const file = savedFile();
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20] ^= 0xff;
    fs.writeFileSync(file, bytes);

    const damaged = await session(replayStore(storage, build));
    assert.deepStrictEqual(damaged.told, ['No saved replay used: the saved replay is damaged (checksum).', 'Saved the replay of 3 migration(s) for later sessions.']);
    assert.deepStrictEqual(damaged.result, cold.result);

    fs.writeFileSync(file, 'not a replay at all');
    const garbage = await session(replayStore(storage, build));
    assert.deepStrictEqual(garbage.told, ['No saved replay used: the saved replay is not a replay cache file.', 'Saved the replay of 3 migration(s) for later sessions.']);
    assert.deepStrictEqual(garbage.result, cold.result);

    const repaired = await session(replayStore(storage, build));
    assert.deepStrictEqual(repaired.told, ['Read the replay of 3 migration(s) saved by an earlier session.']);
    assert.deepStrictEqual(repaired.result, cold.result);
  });

  it('replays a migration changed since the replay was saved, as a replay from zero would', async () => {
    await session(replayStore(storage, build));
    // The second migration gains a column: the saved state after it (and after the third) no longer holds.
    const changed = path.join(project, 'prisma', 'migrations', '20240201000000_posts', 'migration.sql');
    fs.writeFileSync(changed, `${MIGRATIONS['20240201000000_posts']}\nALTER TABLE "Post" ADD COLUMN "title" TEXT NOT NULL;\n`);
    const cold = await session(undefined);

    const after = await session(replayStore(storage, build));
    assert.deepStrictEqual(after.told, ['Read the replay of 3 migration(s) saved by an earlier session.', 'Saved the replay of 3 migration(s) for later sessions.']);
    assert.deepStrictEqual(after.result, cold.result);
    // The replayed column is there: the schema no longer has it, so it is reported as dropped.
    const drops = (after.result as { findings: { ruleId: string; message: string }[] }).findings.filter((f) => f.ruleId === 'drop-column').map((f) => f.message);
    assert.strictEqual(drops.filter((m) => m.includes('"title"') || m.includes('Post.title')).length, 1, drops.join('\n'));
  });

  it('ignores a replay saved by another build of the tool', async () => {
    const cold = await session(undefined);
    await session(replayStore(storage, build));
    const other = await session(replayStore(storage, { tool: '1.0.0', fingerprint: 'build-b' }));
    assert.deepStrictEqual(other.told, ['No saved replay used: the saved replay was written by another version of the tool.', 'Saved the replay of 3 migration(s) for later sessions.']);
    assert.deepStrictEqual(other.result, cold.result);

    // build-b's save replaced build-a's file: build-a replays again too.
    const again = await session(replayStore(storage, build));
    assert.deepStrictEqual(again.told, ['No saved replay used: the saved replay was written by another version of the tool.', 'Saved the replay of 3 migration(s) for later sessions.']);
    assert.deepStrictEqual(again.result, cold.result);

    const newer = await session(replayStore(storage, { tool: '1.0.1', fingerprint: 'build-a' }));
    assert.deepStrictEqual(newer.told, ['No saved replay used: the saved replay was written by another version of the tool.', 'Saved the replay of 3 migration(s) for later sessions.']);
  });

  it('the language server publishes the same diagnostics when it starts from the saved replay', async function () {
    this.timeout(60000);
    const schema = path.join(project, 'prisma', 'schema.prisma');
    const diagnosticsOfOneStart = async (): Promise<string[]> => {
      const client = await LspClient.start({ workspaceFolders: [project], initializationOptions: { storageDir: storage } });
      try {
        await client.open(schema, SCHEMA, 1);
        const diagnostics = await client.diagnostics(uriOf(schema), (p) => p.version === 1);
        // The replay is saved after the diagnostics are out, or at the latest when the server shuts down.
        return diagnostics.map((d) => `${brief(d)} ${d.message}`).sort();
      } finally {
        await client.stop();
      }
    };
    const cold = await diagnosticsOfOneStart();
    const saved = fs.readdirSync(path.join(storage, 'replay'));
    assert.strictEqual(saved.filter((f) => f.endsWith('.replay')).length, 1, `saved: ${saved.join(', ')}`);
    const warm = await diagnosticsOfOneStart();
    assert.deepStrictEqual(warm, cold);
    assert.deepStrictEqual(
      cold.map((d) => d.split(' ')[2]).sort(),
      // legacy → phone reads as a rename (a dropped and an added text column in one table).
      ['create-index-blocking', 'make-column-required', 'remove-enum-value', 'rename-column'],
    );
  });
});
