import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';

const PACKAGE_NAME = 'prisma-migration-guard';

let cachedRoot: string | undefined;

/**
 * The folder of this package's package.json. The server runs from
 * out/server/src/lsp/ (tsc) or from dist/ (bundled), so the depth differs:
 * walk up instead of counting.
 */
export function packageRoot(start: string = __dirname): string {
  if (cachedRoot && start === __dirname) return cachedRoot;
  let current = start;
  for (;;) {
    const candidate = path.join(current, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        if ((JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
          if (start === __dirname) cachedRoot = current;
          return current;
        }
      } catch {
        // An unreadable package.json on the way up is not ours.
      }
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  // Without our package.json (an unusual install), docs links point next to the server.
  return path.resolve(start, '..');
}

/** file:// URI of a rule's documentation page; `docs` is the finding's path relative to the package root. */
export function docsUri(docs: string, root: string = packageRoot()): string {
  return URI.file(path.join(root, docs)).toString();
}

export function uriToPath(uri: string): string | undefined {
  try {
    const parsed = URI.parse(uri);
    return parsed.scheme === 'file' ? path.normalize(parsed.fsPath) : undefined;
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return URI.file(file).toString();
}

/** True when `file` is `dir` or inside it. */
export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
