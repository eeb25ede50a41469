/**
 * The extension as it ships: scripts/build-extension.js bundles into a temp
 * folder with no node_modules above it, so the bundled server must carry its
 * dependencies and find its wasm files on its own.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { brief, copyExample, LspClient, REPO_ROOT, uriOf } from '../lsp/lspClient';

describe('bundled extension (scripts/build-extension.js)', function () {
  this.timeout(120000);
  let install: string;
  let workspace: string;
  let client: LspClient | undefined;

  before(function () {
    install = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-bundle-'));
    workspace = copyExample('shop');
    const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-extension.js'), '--outdir', path.join(install, 'dist')], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, `build failed:\n${build.stdout}\n${build.stderr}`);
    // What a .vsix holds besides dist/: the manifest and the pages diagnostics link to.
    fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(install, 'package.json'));
    fs.cpSync(path.join(REPO_ROOT, 'docs'), path.join(install, 'docs'), { recursive: true });
    fs.cpSync(path.join(REPO_ROOT, 'syntaxes'), path.join(install, 'syntaxes'), { recursive: true });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(install, { recursive: true, force: true });
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('produces the client, the server and the wasm files next to the code that loads them', () => {
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.relative(path.join(install, 'dist'), path.join(dir, e.name))]));
    const shipped = files(path.join(install, 'dist')).filter((f) => !f.endsWith('.map') && !f.endsWith('.d.ts')).sort();
    assert.deepStrictEqual(shipped, [
      'extension.js',
      'libpg-query.wasm',
      'lockTraceWorker.js',
      'mysqlDriver.js',
      'mysqlGrammar.js',
      'node_modules/@electric-sql/pglite/dist/index.cjs',
      'node_modules/@electric-sql/pglite/dist/initdb.wasm',
      'node_modules/@electric-sql/pglite/dist/pglite.data',
      'node_modules/@electric-sql/pglite/dist/pglite.wasm',
      'node_modules/@electric-sql/pglite/package.json',
      'node_modules/@prisma/prisma-schema-wasm/package.json',
      'node_modules/@prisma/prisma-schema-wasm/src/prisma_schema_build.js',
      'node_modules/@prisma/prisma-schema-wasm/src/prisma_schema_build_bg.wasm',
      'pgDriver.js',
      'server.js',
      'sql-wasm.wasm',
      'sqlite.js',
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(install, 'package.json'), 'utf8')) as { main: string; contributes: { grammars: { path: string }[]; languages: { configuration: string }[] } };
    assert.strictEqual(manifest.main, './dist/extension.js');
    for (const file of [manifest.contributes.grammars[0].path, manifest.contributes.languages[0].configuration]) {
      assert.ok(fs.existsSync(path.join(install, file)), `${file} is missing`);
    }
  });

  it('runs the bundled server over stdio with the same diagnostics, linking to the shipped docs', async () => {
    client = await LspClient.start({ workspaceFolders: [workspace], serverJs: path.join(install, 'dist', 'server.js'), settings: { deployed: 'all' } });
    assert.deepStrictEqual(client.initializeResult.serverInfo, { name: 'prisma-migration-guard' });
    const schema = path.join(workspace, 'prisma', 'schema.prisma');
    const diagnostics = await client.diagnostics(uriOf(schema));
    assert.deepStrictEqual(diagnostics.map(brief), [
      '12:5-12:16 1 remove-enum-value migration-guard',
      '22:2-22:18 1 add-required-column migration-guard',
      '28:6-28:13 1 drop-column migration-guard',
      '30:2-30:19 1 rename-column migration-guard',
      '31:25-31:32 2 add-unique-constraint migration-guard',
      '42:2-42:45 2 schema-drift migration-guard',
      '51:2-51:24 1 make-column-required migration-guard',
      '58:2-58:22 2 create-index-blocking migration-guard',
      '68:2-68:23 2 change-column-type migration-guard',
      '71:6-71:12 2 schema-drift migration-guard',
    ]);
    const docs = diagnostics.map((d) => URI.parse(d.codeDescription?.href ?? '').fsPath);
    for (const file of docs) {
      assert.ok(file.startsWith(path.join(install, 'docs', 'rules')), `${file} is not under the installed docs`);
      assert.ok(fs.existsSync(file), `${file} does not exist`);
    }
  });
});
