/**
 * The editor's preflight settings, and the one check that guards the
 * connection string: a URL the editor got from a file committed to the
 * repository (a workspace's `.vscode/settings.json`, a `.code-workspace`) is
 * not used unless the user allows it. A committed URL is a credential shared
 * with everyone who clones the repository; and a repository should not make
 * the editor connect somewhere by itself.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface PreflightSettings {
  /** Tables bigger than this many megabytes are sampled (PostgreSQL) or skipped (MySQL). */
  scanLimitMb?: number;
  /** Read every table whole, whatever its size. */
  fullScan?: boolean;
  /** Show example duplicate keys unmasked. */
  showValues?: boolean;
  /** Use `migrationGuard.database.url` even when a committed file of the workspace holds it. */
  allowUrlFromCommittedFile?: boolean;
}

/** From the `migrationGuard` section: `preflight.*`, nested as VS Code sends it or as dotted keys. */
export function preflightSettingsFrom(raw: unknown): PreflightSettings {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const input = raw as Record<string, unknown>;
  const nested = input.preflight && typeof input.preflight === 'object' ? (input.preflight as Record<string, unknown>) : {};
  const read = (key: string): unknown => nested[key] ?? input[`preflight.${key}`];
  const settings: PreflightSettings = {};
  const limit = read('scanLimitMb');
  if (typeof limit === 'number' && Number.isFinite(limit) && limit > 0) settings.scanLimitMb = limit;
  if (read('fullScan') === true) settings.fullScan = true;
  if (read('showValues') === true) settings.showValues = true;
  if (read('allowUrlFromCommittedFile') === true) settings.allowUrlFromCommittedFile = true;
  return settings;
}

/**
 * The workspace file committed to git that holds `url` (`.vscode/settings.json`,
 * a `*.code-workspace` of the folder), relative to the folder; undefined when
 * none does (or the folder is not in a git repository).
 */
export function committedFileHolding(url: string, folder: string): string | undefined {
  const candidates = [path.join(folder, '.vscode', 'settings.json')];
  try {
    for (const name of fs.readdirSync(folder)) if (name.endsWith('.code-workspace')) candidates.push(path.join(folder, name));
  } catch {
    return undefined;
  }
  // As written in JSON: a backslash or a quote in the URL is escaped there.
  const forms = [url, JSON.stringify(url).slice(1, -1)];
  for (const file of candidates) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (!forms.some((form) => text.includes(form))) continue;
    const tracked = spawnSync('git', ['ls-files', '--error-unmatch', '--', path.basename(file)], { cwd: path.dirname(file), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (tracked.status === 0) return path.relative(folder, file);
  }
  return undefined;
}
