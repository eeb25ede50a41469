import * as fs from 'fs';
import * as path from 'path';

/**
 * Where a project's Prisma schema lives, the way the Prisma CLI finds it:
 * `prisma.config.ts` (`schema:`), then package.json (`prisma.schema`), then
 * `prisma/schema.prisma`, `schema.prisma`, `prisma/schema/`. A schema folder
 * (prismaSchemaFolder, Prisma 6.6+) is every `.prisma` file below it; the
 * migrations folder sits next to the file with the datasource block unless
 * the config names one.
 */
export interface LocatedSchema {
  /** The schema file, or the folder for multi-file schemas. */
  schemaPath: string;
  /** Every `.prisma` file of the schema, absolute, in path order. */
  files: string[];
  /** The file with the datasource block (else the first file). */
  mainFile: string;
  migrationsDir: string;
  multiFile: boolean;
  /** `prisma` (or `@prisma/client`) version range from the nearest package.json that has one. */
  prismaVersion?: string;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function prismaFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name === 'migrations' || entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.prisma')) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

const DATASOURCE_RE = /^\s*datasource\s+[A-Za-z0-9_-]+\s*\{/m;

function hasDatasource(file: string): boolean {
  return DATASOURCE_RE.test(readText(file) ?? '');
}

/** Nearest package.json (from `dir` upwards) that depends on Prisma. */
function findPrismaVersion(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const text = readText(path.join(current, 'package.json'));
    if (text !== undefined) {
      try {
        const pkg = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
        for (const section of ['dependencies', 'devDependencies', 'peerDependencies']) {
          const deps = pkg[section];
          const version = deps?.prisma ?? deps?.['@prisma/client'];
          if (typeof version === 'string') return version;
        }
      } catch {
        // unreadable package.json: keep looking upwards
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** `schema: "..."` and `migrations: { path: "..." }` out of a prisma.config.ts, read as text. */
function readPrismaConfig(dir: string): { schema?: string; migrations?: string } {
  for (const name of ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs']) {
    const text = readText(path.join(dir, name));
    if (text === undefined) continue;
    const config: { schema?: string; migrations?: string } = {};
    const schema = /\bschema\s*:\s*['"`]([^'"`]+)['"`]/.exec(text);
    if (schema) config.schema = path.resolve(dir, schema[1]);
    const migrations = /\bmigrations\s*:\s*\{[^}]*\bpath\s*:\s*['"`]([^'"`]+)['"`]/.exec(text);
    if (migrations) config.migrations = path.resolve(dir, migrations[1]);
    return config;
  }
  return {};
}

function fromSchemaPath(schemaPath: string, migrations: string | undefined, versionFrom: string): LocatedSchema | undefined {
  let files: string[];
  let multiFile: boolean;
  if (isDirectory(schemaPath)) {
    files = prismaFilesUnder(schemaPath);
    multiFile = true;
  } else if (isFile(schemaPath)) {
    // A file inside a schema folder (its siblings have no datasource of their own) stands for the folder.
    const dir = path.dirname(schemaPath);
    const siblings = prismaFilesUnder(dir);
    multiFile = siblings.length > 1 && siblings.filter(hasDatasource).length <= 1;
    files = multiFile ? siblings : [schemaPath];
    if (multiFile) schemaPath = dir;
  } else {
    return undefined;
  }
  if (files.length === 0) return undefined;
  const mainFile = files.find(hasDatasource) ?? files[0];
  const located: LocatedSchema = {
    schemaPath,
    files,
    mainFile,
    migrationsDir: migrations ?? path.join(path.dirname(mainFile), 'migrations'),
    multiFile,
  };
  const version = findPrismaVersion(versionFrom);
  if (version !== undefined) located.prismaVersion = version;
  return located;
}

/**
 * Locates the schema from a project directory or from any `.prisma` file of it
 * (an editor knows the open file, the CLI the project directory).
 */
export function locateSchema(start: string): LocatedSchema | undefined {
  const resolved = path.resolve(start);
  if (isFile(resolved) && resolved.endsWith('.prisma')) {
    // Walk up to the folder holding the datasource file, so `models/user.prisma` finds its whole schema.
    let dir = path.dirname(resolved);
    for (let depth = 0; depth < 4; depth++) {
      const candidates = prismaFilesUnder(dir);
      const mains = candidates.filter(hasDatasource);
      if (mains.length === 1) return fromSchemaPath(candidates.length > 1 ? dir : mains[0], undefined, dir);
      // Several datasources below: separate schemas side by side, the file stands alone.
      if (mains.length > 1) break;
      // Do not wander out of the project.
      if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, '.git'))) break;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return fromSchemaPath(resolved, undefined, path.dirname(resolved));
  }
  if (!isDirectory(resolved)) return undefined;
  const config = readPrismaConfig(resolved);
  if (config.schema) {
    const located = fromSchemaPath(config.schema, config.migrations, resolved);
    if (located) return located;
  }
  const pkgText = readText(path.join(resolved, 'package.json'));
  if (pkgText !== undefined) {
    try {
      const pkg = JSON.parse(pkgText) as { prisma?: { schema?: unknown } };
      if (typeof pkg.prisma?.schema === 'string') {
        const located = fromSchemaPath(path.resolve(resolved, pkg.prisma.schema), config.migrations, resolved);
        if (located) return located;
      }
    } catch {
      // fall through to the default locations
    }
  }
  for (const candidate of ['prisma/schema.prisma', 'schema.prisma', 'prisma/schema']) {
    const located = fromSchemaPath(path.join(resolved, candidate), config.migrations, resolved);
    if (located) return located;
  }
  return undefined;
}
