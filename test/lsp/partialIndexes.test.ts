/**
 * Partial index predicates over stdio: a later start reads the replay an
 * earlier session saved and loads no SQL parser for it, yet a `raw()` predicate
 * spelled differently from the migration's must still compare as the parser
 * prints it, from the first publication on.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { brief, LspClient, uriOf } from './lspClient';

const SCHEMA = `generator client {
  provider        = "prisma-client"
  previewFeatures = ["partialIndexes"]
}

datasource db {
  provider = "postgresql"
}

model Job {
  id        Int       @id
  status    String
  deletedAt DateTime?

  @@index([status], where: raw("\\"deletedAt\\" is null and status!='done'"))
}
`;

const MIGRATION = `-- CreateTable
CREATE TABLE "Job" (
    "id" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status") WHERE ("deletedAt" IS NULL AND "status" <> 'done');
`;

describe('language server: partial index predicates', function () {
  this.timeout(120000);
  const cleanup: string[] = [];
  after(() => {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('compares a raw() predicate as the parser prints it, also on a later start that reads the saved replay', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-lsp-partial-'));
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-lsp-partial-storage-'));
    cleanup.push(root, storageDir);
    const schemaPath = path.join(root, 'prisma', 'schema.prisma');
    fs.mkdirSync(path.join(root, 'prisma', 'migrations', '20260301000000_init'), { recursive: true });
    fs.writeFileSync(schemaPath, SCHEMA);
    fs.writeFileSync(path.join(root, 'prisma', 'migrations', '20260301000000_init', 'migration.sql'), MIGRATION);
    fs.writeFileSync(path.join(root, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');

    const firstDiagnostics = async (): Promise<string[]> => {
      const client = await LspClient.start({ workspaceFolders: [root], settings: { deployed: 'all' }, initializationOptions: { storageDir } });
      try {
        await client.open(schemaPath, SCHEMA, 1);
        return (await client.diagnostics(uriOf(schemaPath))).map(brief);
      } finally {
        // Stopping waits for the replay to be saved.
        await client.stop();
      }
    };

    assert.deepStrictEqual(await firstDiagnostics(), []);
    const saved = fs.readdirSync(path.join(storageDir, 'replay'));
    assert.strictEqual(saved.length, 1, `one saved replay: ${saved.join(', ')}`);
    assert.deepStrictEqual(await firstDiagnostics(), []);
  });
});
