#!/usr/bin/env node
// Makes `npm run example` and `npm test` work on a fresh clone: installs the
// npm packages when they are missing or older than package-lock.json, then builds.
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
execSync('npx tsc -p tsconfig.json', { cwd: root, stdio: 'inherit' });
