import * as fs from 'fs';
import * as path from 'path';

/** Where a Prisma project's schema and migrations are, found the way Prisma finds them. */
export interface PrismaProject {
  root: string;
  /** The schema files (one, or every `.prisma` file of a schema folder). */
  schemaFiles: string[];
  /** The schema file or folder as configured. */
  schemaPath: string;
  migrationsDir: string;
  /** Version of `prisma` / `@prisma/client` declared in the nearest package.json, e.g. "5.22.0". */
  prismaVersion?: string;
  /** How the schema was found, for the report ("package.json prisma.schema", "default location"). */
  foundBy: string;
}

export interface LocateOptions {
  schema?: string;
  migrations?: string;
}

export class ProjectNotFound extends Error {}

/**
 * Looks for the schema in this order: an explicit path, the `prisma.schema`
 * field of package.json, `schema`/`migrations.path` in prisma.config.ts (read as
 * text: project code is never executed), then `prisma/schema.prisma`,
 * `prisma/schema/`, `schema.prisma`.
 */
export function locateProject(projectDir: string, options: LocateOptions = {}): PrismaProject {
  const root = path.resolve(projectDir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new ProjectNotFound(`project directory ${root} does not exist`);
  }
  const pkg = readPackageJson(root);
  const config = readPrismaConfig(root);
  let schemaPath: string | undefined;
  let foundBy = 'default location';
  if (options.schema) {
    schemaPath = path.resolve(root, options.schema);
    foundBy = '--schema';
  } else if (typeof pkg?.prisma?.schema === 'string') {
    schemaPath = path.resolve(root, pkg.prisma.schema);
    foundBy = 'package.json prisma.schema';
  } else if (config.schema) {
    schemaPath = path.resolve(root, config.schema);
    foundBy = 'prisma.config.ts';
  } else {
    for (const candidate of ['prisma/schema.prisma', 'prisma/schema', 'schema.prisma']) {
      const full = path.join(root, candidate);
      if (fs.existsSync(full) && (candidate.endsWith('.prisma') ? fs.statSync(full).isFile() : hasPrismaFiles(full))) {
        schemaPath = full;
        break;
      }
    }
  }
  if (!schemaPath || !fs.existsSync(schemaPath)) {
    throw new ProjectNotFound(
      schemaPath
        ? `the schema ${path.relative(root, schemaPath) || schemaPath} (from ${foundBy}) does not exist`
        : `no Prisma schema found in ${root} (looked for prisma/schema.prisma, prisma/schema/, schema.prisma, package.json "prisma.schema" and prisma.config.ts)`,
    );
  }
  const schemaFiles = fs.statSync(schemaPath).isDirectory() ? listPrismaFiles(schemaPath) : [schemaPath];
  if (schemaFiles.length === 0) throw new ProjectNotFound(`the schema folder ${schemaPath} has no .prisma files`);

  let migrationsDir: string;
  if (options.migrations) migrationsDir = path.resolve(root, options.migrations);
  else if (config.migrations) migrationsDir = path.resolve(root, config.migrations);
  else migrationsDir = defaultMigrationsDir(schemaPath, schemaFiles);

  const version = prismaVersionFrom(pkg) ?? prismaVersionFrom(findParentPackageJson(root));
  return { root, schemaFiles, schemaPath, migrationsDir, ...(version ? { prismaVersion: version } : {}), foundBy };
}

/** Prisma puts migrations next to the file with the datasource block; for a schema folder, inside it or beside it. */
function defaultMigrationsDir(schemaPath: string, schemaFiles: string[]): string {
  if (!fs.statSync(schemaPath).isDirectory()) return path.join(path.dirname(schemaPath), 'migrations');
  const datasourceFile = schemaFiles.find((file) => /^\s*datasource\s+\w+\s*\{/m.test(safeRead(file)));
  const candidates = [
    ...(datasourceFile ? [path.join(path.dirname(datasourceFile), 'migrations')] : []),
    path.join(schemaPath, 'migrations'),
    path.join(path.dirname(schemaPath), 'migrations'),
  ];
  return candidates.find((dir) => fs.existsSync(dir)) ?? candidates[0];
}

function hasPrismaFiles(dir: string): boolean {
  return fs.statSync(dir).isDirectory() && listPrismaFiles(dir).length > 0;
}

/** Every .prisma file below `dir`, except in the migrations folder and node_modules, sorted by path. */
export function listPrismaFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'migrations' || entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.prisma')) files.push(full);
    }
  };
  walk(dir);
  return files.sort();
}

interface PackageJson {
  prisma?: { schema?: unknown };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson | undefined {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

function findParentPackageJson(dir: string): PackageJson | undefined {
  let current = path.dirname(dir);
  while (path.dirname(current) !== current) {
    const pkg = readPackageJson(current);
    if (pkg && prismaVersionFrom(pkg)) return pkg;
    current = path.dirname(current);
  }
  return undefined;
}

function prismaVersionFrom(pkg: PackageJson | undefined): string | undefined {
  if (!pkg) return undefined;
  for (const name of ['prisma', '@prisma/client']) {
    const spec = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
    const match = spec ? /(\d+)\.(\d+)(?:\.(\d+))?/.exec(spec) : null;
    if (match) return `${match[1]}.${match[2]}.${match[3] ?? '0'}`;
  }
  return undefined;
}

/**
 * Reads `schema: "..."` and `migrations: { path: "..." }` out of prisma.config.ts
 * as text. Only string literals are understood; anything computed is left to
 * the defaults (the tool never runs project code).
 */
function readPrismaConfig(root: string): { schema?: string; migrations?: string } {
  for (const name of ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.js', 'prisma.config.mjs']) {
    const file = path.join(root, name);
    if (!fs.existsSync(file)) continue;
    const text = stripComments(safeRead(file));
    const schema = /\bschema\s*:\s*(['"`])([^'"`]+)\1/.exec(text)?.[2];
    const migrationsBlock = /\bmigrations\s*:\s*\{([^}]*)\}/.exec(text)?.[1];
    const migrations = migrationsBlock ? /\bpath\s*:\s*(['"`])([^'"`]+)\1/.exec(migrationsBlock)?.[2] : undefined;
    return { ...(schema ? { schema } : {}), ...(migrations ? { migrations } : {}) };
  }
  return {};
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
