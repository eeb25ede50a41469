#!/usr/bin/env node
/**
 * Bundles the VS Code client (dist/extension.js) and the language server
 * (dist/server.js) with esbuild, puts each WebAssembly file where the code that
 * loads it looks for it, and checks that the bundled server starts.
 *
 * How each wasm package finds its binary:
 * - libpg-query (Emscripten) reads `scriptDirectory + "libpg-query.wasm"` with
 *   scriptDirectory = `__dirname + "/"`. It is bundled into server.js, whose
 *   __dirname is dist/, so the file goes to dist/.
 * - sql.js (Emscripten) reads `scriptDirectory + "sql-wasm.wasm"` the same way.
 *   The SQLite replayer that uses it is loaded by the engine with a computed
 *   `require('./sqlite')`, which esbuild cannot follow: it becomes a bundle of
 *   its own, dist/sqlite.js, next to server.js, and the wasm goes to dist/.
 * - @prisma/prisma-schema-wasm reads `${__dirname}/prisma_schema_build_bg.wasm`
 *   when required. The engine requires it by a computed name (so that it can
 *   drop a panicked instance from the require cache and load a fresh one), so it
 *   cannot be bundled: the package is copied as-is to dist/node_modules/, where
 *   Node's resolution from dist/server.js finds it, wasm beside its JS. Were it
 *   ever bundled, its wasm is copied to dist/ instead.
 * - node-sql-parser's MySQL grammar (270 KB) is required by mysql.ts by a
 *   computed path too, so that a PostgreSQL project's server never reads or
 *   compiles it: it is bundled as dist/mysqlGrammar.js. node-postgres, needed
 *   only when a database is configured, is dist/pgDriver.js the same way, and
 *   mysql2 dist/mysqlDriver.js.
 * - The lock trace runs in a worker thread, dist/lockTraceWorker.js (the server
 *   starts it by that name, next to itself). It loads @electric-sql/pglite, whose
 *   CommonJS build finds pglite.wasm, initdb.wasm and pglite.data next to itself
 *   (`new URL('./pglite.wasm', <its own file>)`): the package stays a real module
 *   under dist/node_modules/, with only those four files (its ESM chunks, source
 *   maps and 50 optional extension archives are not needed).
 *
 * Usage: node scripts/build-extension.js [--watch] [--minify] [--no-check] [--outdir DIR]
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const outdirAt = argv.indexOf('--outdir');
// --outdir lets tests build a throwaway copy without touching dist/.
const dist = outdirAt >= 0 && argv[outdirAt + 1] ? path.resolve(argv[outdirAt + 1]) : path.join(root, 'dist');
const args = new Set(argv);
const watch = args.has('--watch');
const minify = args.has('--minify');
const check = !args.has('--no-check') && !watch;

/** Packages kept as real modules under dist/node_modules, and the files of each that are needed (all when omitted). */
const VENDORED = {
  '@electric-sql/pglite': ['package.json', 'dist/index.cjs', 'dist/pglite.wasm', 'dist/initdb.wasm', 'dist/pglite.data'],
};

/**
 * Modules the engine loads with a computed relative require; each becomes dist/<name>.js.
 * `check` receives the export's result and resolves with what the build can say it loaded, or throws.
 */
const LAZY_MODULES = [
  {
    name: 'sqlite',
    entry: 'server/src/replay/sqlite.ts',
    exportName: 'createSqliteReplayer',
    check: async (replayer) => {
      (await replayer).dispose();
      return 'loads sql-wasm.wasm';
    },
  },
  // node-sql-parser's MySQL grammar: 270 KB that a PostgreSQL project never runs, kept out of server.js so it is not read and compiled at every start.
  { name: 'mysqlGrammar', entry: 'server/src/replay/mysqlGrammar.ts', exportName: 'createMysqlGrammar', check: (parser) => has(parser, 'astify', 'the MySQL parser') },
  // node-postgres, needed only when the user configured a database for the preflight or table sizes.
  { name: 'pgDriver', entry: 'server/src/analysis/pgDriver.ts', exportName: 'postgresDriver', check: (pg) => has(pg, 'Client', 'node-postgres') },
  // mysql2, for the preflight on MySQL; before it was bundled apart, the packaged extension could not load it at all.
  { name: 'mysqlDriver', entry: 'server/src/analysis/mysqlDriver.ts', exportName: 'mysqlDriver', check: (mysql) => has(mysql, 'createConnection', 'mysql2') },
];

/** For a lazy module's check: `value` offers the function `member`, so it is `what`. */
function has(value, member, what) {
  if (typeof value?.[member] !== 'function') throw new Error(`it gives no ${member}`);
  return `gives ${what}`;
}

function packageDir(name) {
  // Looked up along node_modules folders rather than with require.resolve: some "exports" maps hide package.json.
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`${name} is not installed`);
}

function copyFile(source, target) {
  if (!fs.existsSync(source)) throw new Error(`${path.relative(root, source)} not found — did the package change its layout?`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(source, target);
}

function read(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Copies an unbundled package (all its files, or only `only`) under dist/node_modules. */
function vendorPackage(name, only = VENDORED[name]) {
  const from = packageDir(name);
  const to = path.join(dist, 'node_modules', name);
  const pkg = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) throw new Error(`${name} has dependencies; vendoring it would need them too`);
  if (only) {
    for (const file of only) copyFile(path.join(from, file), path.join(to, file));
    return;
  }
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== 'README.md') copyFile(full, path.join(to, path.relative(from, full)));
    }
  };
  walk(from);
}

function placeWasm() {
  const server = read(path.join(dist, 'server.js'));
  const lazy = LAZY_MODULES.map((m) => read(path.join(dist, `${m.name}.js`))).join('\n');
  const bundled = server + lazy;

  copyFile(path.join(packageDir('libpg-query'), 'wasm', 'libpg-query.wasm'), path.join(dist, 'libpg-query.wasm'));
  if (bundled.includes('sql-wasm.wasm')) copyFile(path.join(packageDir('sql.js'), 'dist', 'sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));

  const prismaWasm = '@prisma/prisma-schema-wasm';
  if (bundled.includes('prisma_schema_build_bg.wasm')) {
    copyFile(path.join(packageDir(prismaWasm), 'src', 'prisma_schema_build_bg.wasm'), path.join(dist, 'prisma_schema_build_bg.wasm'));
  } else if (server.includes(JSON.stringify(prismaWasm))) {
    vendorPackage(prismaWasm);
  }
  if (read(path.join(dist, 'lockTraceWorker.js')).includes('@electric-sql/pglite')) vendorPackage('@electric-sql/pglite');
}

/** Starts `node dist/server.js --stdio`, sends initialize, and resolves with the server's name. */
function checkServerStarts() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dist, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    const timer = setTimeout(() => finish(new Error(`no initialize answer in 15 s; stderr: ${errors}`)), 15000);
    const finish = (error, value) => {
      clearTimeout(timer);
      child.kill();
      if (error) reject(error);
      else resolve(value);
    };
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /Content-Length: (\d+)\r\n\r\n/.exec(output);
      if (!match) return;
      const body = output.slice(match.index + match[0].length);
      if (Buffer.byteLength(body) < Number(match[1])) return;
      const message = JSON.parse(body);
      if (message.id === 1 && message.result?.capabilities) finish(undefined, message.result.serverInfo?.name ?? 'unnamed server');
      else finish(new Error(`unexpected answer: ${body}`));
    });
    child.on('error', finish);
    const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(request)}\r\n\r\n${request}`);
  });
}

async function checkBundle() {
  const name = await checkServerStarts();
  console.log(`check: dist/server.js --stdio answers initialize (${name})`);
  for (const lazy of LAZY_MODULES) {
    const file = path.join(dist, `${lazy.name}.js`);
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line import/no-dynamic-require
    const factory = require(file)[lazy.exportName];
    if (typeof factory !== 'function') throw new Error(`dist/${lazy.name}.js does not export ${lazy.exportName}`);
    try {
      console.log(`check: dist/${lazy.name}.js ${await lazy.check(factory())}`);
    } catch (error) {
      throw new Error(`dist/${lazy.name}.js: ${error.message}`);
    }
  }
  // The lock trace: the worker is there, and PGlite resolves from it to the copy under dist/node_modules.
  const worker = path.join(dist, 'lockTraceWorker.js');
  if (!fs.existsSync(worker)) throw new Error('dist/lockTraceWorker.js is missing: the lock trace would not be available');
  const pglite = require.resolve('@electric-sql/pglite', { paths: [dist] });
  if (!pglite.startsWith(path.join(dist, 'node_modules') + path.sep)) throw new Error(`@electric-sql/pglite resolves outside dist/ (${pglite})`);
  console.log('check: dist/lockTraceWorker.js and dist/node_modules/@electric-sql/pglite (wasm and data files) are in place');
  const vendored = path.join(dist, 'node_modules', '@prisma', 'prisma-schema-wasm');
  if (fs.existsSync(vendored)) {
    const wasm = require(vendored);
    if (typeof wasm.lint !== 'function') throw new Error('the vendored @prisma/prisma-schema-wasm has no lint()');
    console.log('check: dist/node_modules/@prisma/prisma-schema-wasm loads its wasm');
  }
}

async function main() {
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    console.error('esbuild is not installed: run npm install first.');
    process.exit(1);
  }
  fs.rmSync(dist, { recursive: true, force: true });
  fs.mkdirSync(dist, { recursive: true });

  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    minify,
    keepNames: true,
    logLevel: 'warning',
    absWorkingDir: root,
    outdir: dist,
  };
  const builds = [
    // `vscode` is provided by the extension host.
    { ...common, entryPoints: { extension: 'client/src/extension.ts' }, external: ['vscode'] },
    { ...common, entryPoints: { server: 'server/src/lsp/server.ts' } },
    // Started by the server as a worker thread by file name; PGlite stays a real module (see VENDORED).
    { ...common, entryPoints: { lockTraceWorker: 'server/src/lsp/lockTraceWorker.ts' }, external: ['@electric-sql/pglite'] },
    ...LAZY_MODULES.filter((m) => fs.existsSync(path.join(root, m.entry))).map((m) => ({ ...common, entryPoints: { [m.name]: m.entry } })),
  ];

  if (watch) {
    for (const options of builds) {
      const context = await esbuild.context(options);
      await context.watch();
    }
    placeWasm();
    console.log('watching client/src and server/src ...');
    return;
  }
  for (const options of builds) await esbuild.build(options);
  placeWasm();
  const files = fs.readdirSync(dist).filter((f) => !f.endsWith('.map'));
  console.log(`dist/: ${files.join(', ')}`);
  if (check) await checkBundle();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
