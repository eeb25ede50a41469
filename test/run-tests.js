#!/usr/bin/env node
// Runs every compiled test file with mocha and ends with the plain
// "N passed, N failed" line that CI reads (mocha's own summary is not recognised).
'use strict';
const path = require('path');
const fs = require('fs');
const Mocha = require('mocha');

function collect(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

// The CLI and the language server keep replayed migrations in the user's cache folder; tests (and the
// processes they start) get a folder of their own, removed at the end.
const os = require('os');
const testCache = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-test-cache-'));
process.env.XDG_CACHE_HOME = testCache;
process.on('exit', () => fs.rmSync(testCache, { recursive: true, force: true }));

const filter = process.argv[2];
const mocha = new Mocha({ timeout: 120000, reporter: 'spec' });
const files = collect(path.join(__dirname, '..', 'out', 'test'), []).sort();
for (const file of files) if (!filter || file.includes(filter)) mocha.addFile(file);

let passed = 0;
let failed = 0;
let skipped = 0;
const runner = mocha.run((failures) => {
  console.log('');
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
  process.exitCode = failures > 0 || failed > 0 ? 1 : 0;
});
runner.on('pass', () => passed++);
runner.on('fail', () => failed++);
runner.on('pending', () => skipped++);
