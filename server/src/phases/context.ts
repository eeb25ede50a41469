/**
 * What the planner knows about a project: the database every migration on
 * disk produces (`before`), the database the edited schema describes
 * (`target`), the schema text with positions, and the changes no migration
 * carries yet. Built once per command, off the keystroke path.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DbState, Provider } from '../core/dbState';
import type { Change } from '../diff/changes';
import { diffStates } from '../diff/diff';
import { mapSchema, providerFromDatasource } from '../map/mapSchema';
import type { PrismaProject } from '../project/locate';
import { readMigrationsFolder, replayMigrations } from '../replay/migrations';
import { loadPostgresParser } from '../replay/statements';
import { propertyValue, scanSchema } from '../scan/scanner';
import type { ScannedSchema } from '../scan/types';
import { type NameResolver, resolverFor } from './prismaText';

export interface PlanContext {
  provider: Provider;
  /** After every migration folder on disk: the database the first phase starts from. */
  before: DbState;
  /** What the edited schema describes. */
  target: DbState;
  schema: ScannedSchema;
  /** Schema file → text the plan was computed from. */
  texts: Map<string, string>;
  /** Changes no migration carries yet (every migration → edited schema). */
  unmigrated: Change[];
  names: NameResolver;
  /** Folder of the `migration-plans/` folder's parent (`prisma/`), and the project root, for paths in the plan. */
  prismaDir: string;
  root: string;
  /** Module specifier for PrismaClient as seen from a file in `dir`. */
  clientImport(dir: string): string;
  /** Replay problems worth telling the user (the plan is only as right as the replayed state). */
  warnings: string[];
}

/** Reads, replays and maps a project. `texts` overrides files on disk (the editor's unsaved buffers). */
export async function loadPlanContext(project: PrismaProject, texts?: ReadonlyMap<string, string>): Promise<PlanContext> {
  await loadPostgresParser();
  const schemaTexts = new Map<string, string>();
  for (const file of project.schemaFiles) schemaTexts.set(file, texts?.get(file) ?? fs.readFileSync(file, 'utf8'));
  const schema = scanSchema([...schemaTexts.entries()].map(([p, text]) => ({ path: p, text })));
  const provider = providerFromDatasource(schema.datasource?.provider) ?? 'postgresql';
  const folder = readMigrationsFolder(project.migrationsDir);
  const replayed = await replayMigrations(folder, provider);
  const mapped = mapSchema(schema, { provider, ...(project.prismaVersion ? { prismaVersion: project.prismaVersion } : {}) });
  const unmigrated = diffStates({ baseline: replayed.state, expected: mapped.state, sources: mapped.sources, prismaDefaults: mapped.prismaDefaults });
  const warnings = [...replayed.notes, ...mapped.notes].filter((n) => n.level !== 'info').map((n) => n.message);
  return contextFrom({
    provider,
    before: replayed.state,
    target: mapped.state,
    schema,
    texts: schemaTexts,
    unmigrated,
    prismaDir: path.dirname(project.migrationsDir),
    root: project.root,
    warnings,
  });
}

/** A context from parts (tests build states by hand). */
export function contextFrom(parts: Omit<PlanContext, 'names' | 'clientImport'>): PlanContext {
  const names = resolverFor(parts.schema, parts.target);
  // Names of dropped enums and tables live only in the old state.
  const fallback = resolverFor(parts.schema, parts.before);
  return {
    ...parts,
    names: {
      enumName: (key) => names.enumName(key) ?? fallback.enumName(key),
      modelName: (key) => names.modelName(key) ?? fallback.modelName(key),
      datasource: names.datasource,
    },
    clientImport: (dir) => clientImport(parts.schema, dir),
  };
}

/**
 * Where the project's Prisma Client comes from, the way its generator block
 * says: `@prisma/client` by default, else the generator's `output` folder
 * (relative to the schema file), with `/client` for the newer `prisma-client`
 * generator.
 */
function clientImport(schema: ScannedSchema, fromDir: string): string {
  const generator = schema.generators.find((g) => g.provider === 'prisma-client-js' || g.provider === 'prisma-client') ?? schema.generators[0];
  if (!generator) return '@prisma/client';
  const output = propertyValue(generator.block, 'output');
  if (output?.kind !== 'string') return generator.provider === 'prisma-client' ? '../generated/prisma/client' : '@prisma/client';
  const target = path.resolve(path.dirname(generator.file), output.value);
  let relative = path.relative(fromDir, target).split(path.sep).join('/');
  if (!relative.startsWith('.')) relative = `./${relative}`;
  return generator.provider === 'prisma-client' ? `${relative}/client` : relative;
}
