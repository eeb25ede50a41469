#!/usr/bin/env node
// Makes `npm run example` and `npm test` work on a fresh clone: installs the
// npm packages when they are missing or older than package-lock.json, then builds.
// The build is skipped when no source changed since the last successful one
// (a no-op `tsc --incremental` still type-checks for seconds; this check takes
// milliseconds), and otherwise incremental (tsconfig.json: out/tsconfig.tsbuildinfo).
'use strict';
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const stale = !fs.existsSync(marker) || (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs);
if (stale) {
  console.log('Installing npm packages (first run)...');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

/** Written after each successful build; its time is the build's. */
const stamp = path.join(root, 'out', '.build-stamp');
/** What tsconfig.json compiles (its "include"), and what changes the compilation. */
const SOURCE_DIRS = ['server/src', 'client/src', 'test', 'bench'];
const SKIPPED_DIRS = new Set(['node_modules', 'fixtures', 'generated']);
const BUILD_INPUTS = ['tsconfig.json', 'package.json', 'package-lock.json'];

function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) visit(full);
      } else if (/\.(ts|json)$/.test(entry.name)) {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) visit(path.join(root, dir));
  for (const file of BUILD_INPUTS) if (fs.existsSync(path.join(root, file))) newest = Math.max(newest, fs.statSync(path.join(root, file)).mtimeMs);
  return newest;
}

const upToDate = fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= newestSource();
if (!upToDate) {
  const started = Date.now();
  execSync('npx tsc -p tsconfig.json', { cwd: root, stdio: 'inherit' });
  fs.writeFileSync(stamp, `built in ${Date.now() - started} ms\n`);
  // Dated at the build's start: a file saved while tsc ran is newer, and the next run builds again.
  fs.utimesSync(stamp, started / 1000, started / 1000);
}
