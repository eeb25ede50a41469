/**
 * Finding the Prisma projects of a workspace folder: a monorepo holds several,
 * each with its own schema, migrations and configuration.
 */
import * as fs from 'fs';
import * as path from 'path';
import { locateProject, type PrismaProject } from '../project/locate';
import { isInside } from './paths';

export interface DiscoveryOptions {
  /** Directory levels below the folder to look at (monorepos nest packages/apps/*). */
  maxDepth?: number;
  /** Stop after this many directories, so a huge folder cannot stall the server. */
  maxDirectories?: number;
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'migrations', 'bower_components']);

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Whether `dir` looks like a project root the way Prisma looks for one (cheap checks before locateProject). */
function looksLikeRoot(dir: string, entries: fs.Dirent[]): boolean {
  const names = new Set(entries.map((e) => e.name));
  if (path.basename(dir) !== 'prisma' && names.has('schema.prisma')) return true;
  if (names.has('prisma') && entries.some((e) => e.name === 'prisma' && e.isDirectory())) {
    const prismaDir = path.join(dir, 'prisma');
    if (fs.existsSync(path.join(prismaDir, 'schema.prisma')) || fs.existsSync(path.join(prismaDir, 'schema'))) return true;
  }
  if ([...names].some((n) => /^prisma\.config\.(ts|mts|js|mjs)$/.test(n))) return true;
  if (names.has('package.json')) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { prisma?: { schema?: unknown } };
      if (typeof pkg.prisma?.schema === 'string') return true;
    } catch {
      // Not a readable package.json: not a project marker.
    }
  }
  return false;
}

/** Every Prisma project under `folder` (itself included), skipping node_modules and hidden folders; sorted by root. */
export function discoverProjects(folder: string, options: DiscoveryOptions = {}): PrismaProject[] {
  const maxDepth = options.maxDepth ?? 6;
  let budget = options.maxDirectories ?? 5000;
  const found = new Map<string, PrismaProject>();
  const walk = (dir: string, depth: number): void => {
    if (budget-- <= 0) return;
    const entries = safeReaddir(dir);
    if (looksLikeRoot(dir, entries)) {
      try {
        const project = locateProject(dir);
        // `prisma/schema/schema.prisma` also looks like a root on its own; it belongs to the project above.
        const claimed = [...found.values()].some((p) => project.schemaFiles.every((f) => p.schemaFiles.includes(f)));
        if (!claimed && !found.has(project.schemaPath)) found.set(project.schemaPath, project);
      } catch {
        // A marker without a readable schema is not a project (yet).
      }
    }
    if (depth >= maxDepth) return;
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      walk(path.join(dir, entry.name), depth + 1);
    }
  };
  walk(folder, 0);
  return [...found.values()].sort((a, b) => a.root.localeCompare(b.root));
}

/**
 * The project a `.prisma` file belongs to when discovery did not find it (a
 * file opened from outside the workspace folders, or added since): the
 * enclosing folders are tried as roots the way Prisma resolves them. A lone
 * `.prisma` file without a migrations folder next to it is no project: there
 * is nothing to compare it with.
 */
export function projectForSchemaFile(file: string, stopAt?: string): PrismaProject | undefined {
  let dir = path.dirname(file);
  for (let level = 0; level < 4; level++) {
    if (stopAt && !isInside(dir, stopAt)) break;
    try {
      const project = locateProject(dir);
      if (project.schemaFiles.includes(file)) return project;
    } catch {
      // Not a root; try the folder above.
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const besideMigrations = path.join(path.dirname(file), 'migrations');
  if (fs.existsSync(besideMigrations)) {
    try {
      return locateProject(path.dirname(file), { schema: file });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Two locations of a project differ in a way a running session cannot absorb. */
export function sameProjectLayout(a: PrismaProject, b: PrismaProject): boolean {
  return (
    a.root === b.root &&
    a.schemaPath === b.schemaPath &&
    a.migrationsDir === b.migrationsDir &&
    a.prismaVersion === b.prismaVersion &&
    a.schemaFiles.length === b.schemaFiles.length &&
    a.schemaFiles.every((f, i) => f === b.schemaFiles[i])
  );
}
