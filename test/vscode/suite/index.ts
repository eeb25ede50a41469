/**
 * Entry point of the extension's own test suite, loaded by VS Code's extension
 * host from `extensionTestsPath` (code-server through test/vscode/codeServer.ts,
 * or Electron VS Code through test/vscode/run-electron.js). VS Code calls
 * `run()` and reports its outcome as the process's exit code.
 *
 * The spec files are named `*.spec.js`, not `*.test.js`, so that the normal
 * suite (test/run-tests.js) does not pick them up: they need the `vscode` module.
 */
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

export function run(): Promise<void> {
  // Where the runner wants the results; the extension host's console goes to the browser otherwise.
  const resultsFile = process.env.MG_VSCODE_RESULTS;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    console.log(line);
    if (resultsFile) fs.writeFileSync(resultsFile, lines.join('\n') + '\n');
  };
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90000, reporter: 'dot' });
  const grep = process.env.MG_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.spec.js')).sort()) mocha.addFile(path.join(__dirname, file));

  return new Promise((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    const started = Date.now();
    const runner = mocha.run((failures) => {
      log(`in-host: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      if (failures > 0 || failed > 0) reject(new Error(`${failures} test(s) failed in the extension host`));
      else resolve();
    });
    runner.on('pass', (test) => {
      passed++;
      log(`  ok   ${test.fullTitle()} (${test.duration ?? 0} ms)`);
    });
    runner.on('fail', (test, error: Error) => {
      failed++;
      log(`  FAIL ${test.fullTitle()}\n${String(error.stack ?? error.message).replace(/^/gm, '       ')}`);
    });
  });
}
