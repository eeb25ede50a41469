/**
 * Where the real-project corpus is: `MIGRATION_GUARD_CORPUS`, or `shared/corpus`
 * beside the checkout. The one place that knows; tests and the benchmark ask it.
 * When it is missing, the tests that needed it are named once, on one line,
 * when the process exits, instead of each skipping silently.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The repository root, from this file's place in the source tree or in `out/`. */
function repositoryRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'server'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..', '..');
    dir = parent;
  }
}

const missingFor: string[] = [];
let reportRegistered = false;

function registerReport(): void {
  if (reportRegistered) return;
  reportRegistered = true;
  process.on('exit', () => {
    if (missingFor.length === 0) return;
    console.log(`corpus not found (set MIGRATION_GUARD_CORPUS, or put it at ../shared/corpus beside the checkout): did not run: ${missingFor.join('; ')}`);
  });
}

/** The corpus folder, or undefined; `user` names the tests that will not run without it. */
export function corpusRoot(user?: string): string | undefined {
  const fromEnv = process.env.MIGRATION_GUARD_CORPUS;
  const candidate = fromEnv ? path.resolve(fromEnv) : path.resolve(repositoryRoot(), '..', 'shared', 'corpus');
  if (fs.existsSync(candidate)) return candidate;
  if (user && !missingFor.includes(user)) {
    missingFor.push(user);
    registerReport();
  }
  return undefined;
}
