import type { Note } from '../core/notes';
import { type GuardConfig, mergeConfig } from '../project/config';

/** The editor settings that map onto the project configuration (the `migrationGuard.*` keys besides `trace`). */
export type EditorSettings = Partial<Pick<GuardConfig, 'rules' | 'postgresVersion' | 'deployed' | 'smallTables'>>;

const CONFIG_KEYS = ['rules', 'postgresVersion', 'deployed', 'smallTables'] as const;

/**
 * Keeps only the settings the user actually set. Clients answer
 * `workspace/configuration` with the contributed defaults filled in, and an
 * unset setting must leave the project's own file in charge, so the defaults are
 * null (or `{}` for rules, which merges as nothing) and dropped here.
 */
export function editorSettingsFrom(raw: unknown): EditorSettings {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const input = raw as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (key === 'rules' && typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0) continue;
    if (key === 'deployed' && value === '') continue;
    settings[key] = value;
  }
  return settings as EditorSettings;
}

/** Applies the editor settings over the project configuration; invalid values become notes and are ignored. */
export function applyEditorSettings(config: GuardConfig, settings: EditorSettings, notes: Note[]): GuardConfig {
  if (Object.keys(settings).length === 0) return config;
  return mergeConfig(config, settings, notes, 'VS Code settings (migrationGuard.*)');
}
