#!/usr/bin/env node
/**
 * Runs the extension's in-host suite (test/vscode/suite) in desktop VS Code
 * through @vscode/test-electron, for machines that can download VS Code.
 * This network cannot (update.code.visualstudio.com is unreachable), so CI uses
 * code-server instead (test/vscode/codeServer.ts); the suite is the same.
 *
 *   npm install --no-save @vscode/test-electron@2.5.2   # if it is not a devDependency (3.x needs Node 22)
 *   npx tsc -p tsconfig.json
 *   node test/vscode/run-electron.js [--vscode 1.100.3] [--vsix FILE]
 *
 * Without --vsix the extension is loaded from the checkout (dist/ is rebuilt
 * first); with --vsix it is installed into a throwaway extensions folder and
 * loaded from there, as the code-server runner does. On Linux without a display,
 * run it under `xvfb-run -a`.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const EXTENSION_ID = 'migration-guard.prisma-migration-guard';

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

async function main() {
  let testElectron;
  try {
    testElectron = require('@vscode/test-electron');
  } catch {
    console.error('@vscode/test-electron is not installed: npm install --no-save @vscode/test-electron@2.5.2');
    process.exit(2);
  }
  const { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } = testElectron;
  const version = option('--vscode', '1.100.3');
  const vsix = option('--vsix', '');
  const suite = path.join(REPO_ROOT, 'out', 'test', 'vscode', 'suite', 'index.js');
  if (!fs.existsSync(suite)) throw new Error(`${path.relative(REPO_ROOT, suite)} is missing: run npx tsc -p tsconfig.json`);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-electron-'));
  const workspace = path.join(scratch, 'shop');
  fs.cpSync(path.join(REPO_ROOT, 'examples', 'shop'), workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, '.migration-guard.json'), '{ "deployed": "all" }\n');
  const extensionsDir = path.join(scratch, 'extensions');
  const userDataDir = path.join(scratch, 'user-data');

  try {
    const vscodeExecutablePath = await downloadAndUnzipVSCode(version);
    let extensionDevelopmentPath = REPO_ROOT;
    const extensionTestsEnv = {};
    if (vsix) {
      const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(vscodeExecutablePath);
      const install = spawnSync(cli, [...cliArgs, '--extensions-dir', extensionsDir, '--install-extension', path.resolve(vsix)], { stdio: 'inherit', shell: process.platform === 'win32' });
      if (install.status !== 0) throw new Error('installing the .vsix failed');
      const folder = fs.readdirSync(extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
      if (!folder) throw new Error(`no ${EXTENSION_ID} folder in ${extensionsDir}`);
      extensionDevelopmentPath = path.join(extensionsDir, folder);
      extensionTestsEnv.MG_VSCODE_EXTENSION_DIR = extensionDevelopmentPath;
    } else {
      const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-extension.js')], { cwd: REPO_ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('scripts/build-extension.js failed');
    }
    // Resolves with VS Code's exit code (0: the suite passed); @vscode/test-electron 2.5 rejects on a non-zero one.
    process.exitCode = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath,
      extensionTestsPath: suite,
      extensionTestsEnv,
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir],
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
