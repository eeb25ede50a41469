import * as fs from 'fs';
import * as path from 'path';
import type { Note } from '../core/notes';
import type { Severity } from '../rules/types';

/**
 * Project configuration, from `.migration-guard.json` or the `migrationGuard`
 * key of `package.json`; the VS Code settings `migrationGuard.*` use the same keys.
 */
export interface GuardConfig {
  /** Rule id → severity or `off`. */
  rules: Record<string, Severity | 'off'>;
  /** PostgreSQL major version the project deploys to. */
  postgresVersion: number;
  /**
   * Which migrations count as deployed: `git` (every folder committed to git,
   * the default), `all` (every folder on disk), or `ref:<git-ref>` (those
   * present at that ref, e.g. `ref:origin/main`).
   */
  deployed: string;
  /** Table names known to be empty or small: blocking findings on them drop to info. */
  smallTables: string[];
}

export const defaultConfig: GuardConfig = {
  rules: {},
  postgresVersion: 16,
  deployed: 'git',
  smallTables: [],
};

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

/** Reads and validates the project's configuration; what is wrong becomes a note and falls back to the default. */
export function loadConfig(projectDir: string): { config: GuardConfig; notes: Note[]; file?: string } {
  const notes: Note[] = [];
  const jsonFile = path.join(projectDir, '.migration-guard.json');
  let raw: unknown;
  let file: string | undefined;
  if (fs.existsSync(jsonFile)) {
    file = jsonFile;
    try {
      raw = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    } catch (error) {
      notes.push({ level: 'warning', message: `.migration-guard.json is not valid JSON (${(error as Error).message}); using the defaults.` });
    }
  } else {
    const packageFile = path.join(projectDir, 'package.json');
    if (fs.existsSync(packageFile)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as Record<string, unknown>;
        if (pkg.migrationGuard !== undefined) {
          raw = pkg.migrationGuard;
          file = packageFile;
        }
      } catch {
        // An unreadable package.json is reported where the project is located.
      }
    }
  }
  const config = mergeConfig(defaultConfig, raw, notes, file ? path.basename(file) : 'settings');
  return { config, notes, ...(file ? { file } : {}) };
}

/** Applies `raw` (a parsed config object or VS Code settings) over `base`, keeping only valid values. */
export function mergeConfig(base: GuardConfig, raw: unknown, notes: Note[], origin: string): GuardConfig {
  const config: GuardConfig = { ...base, rules: { ...base.rules }, smallTables: [...base.smallTables] };
  if (raw === undefined || raw === null) return config;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    notes.push({ level: 'warning', message: `${origin}: the migration guard configuration must be an object; using the defaults.` });
    return config;
  }
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!['rules', 'postgresVersion', 'deployed', 'smallTables', '$schema'].includes(key)) {
      notes.push({ level: 'warning', message: `${origin}: unknown setting "${key}" ignored.` });
    }
  }
  if (input.rules !== undefined) {
    if (typeof input.rules === 'object' && input.rules && !Array.isArray(input.rules)) {
      for (const [id, value] of Object.entries(input.rules as Record<string, unknown>)) {
        if (typeof value === 'string' && SEVERITIES.has(value)) config.rules[id] = value as Severity | 'off';
        else notes.push({ level: 'warning', message: `${origin}: rules.${id} must be one of error, warning, info, off.` });
      }
    } else {
      notes.push({ level: 'warning', message: `${origin}: "rules" must be an object of rule id → severity.` });
    }
  }
  if (input.postgresVersion !== undefined) {
    const version = Number(input.postgresVersion);
    if (Number.isInteger(version) && version >= 9 && version <= 30) config.postgresVersion = version;
    else notes.push({ level: 'warning', message: `${origin}: postgresVersion must be a PostgreSQL major version such as 16.` });
  }
  if (input.deployed !== undefined) {
    const deployed = String(input.deployed);
    if (deployed === 'git' || deployed === 'all' || /^ref:\S+$/.test(deployed)) config.deployed = deployed;
    else notes.push({ level: 'warning', message: `${origin}: deployed must be "git", "all" or "ref:<git-ref>".` });
  }
  if (input.smallTables !== undefined) {
    if (Array.isArray(input.smallTables) && input.smallTables.every((t) => typeof t === 'string')) config.smallTables = input.smallTables as string[];
    else notes.push({ level: 'warning', message: `${origin}: smallTables must be a list of table names.` });
  }
  return config;
}
