/**
 * Table sizes in the editor: `migrationGuard.database.url` (read-only row
 * estimates from PostgreSQL) or `migrationGuard.statsFile` (a JSON file of
 * table → rows). Sizes are read once when the settings change and kept; the
 * analysis that runs on every keystroke only reads the kept value. The URL
 * never reaches a log or a message unmasked.
 */
import * as path from 'path';
import { maskConnectionString, readDatabaseSizes, readStatsFile, redact, type TableSizes } from '../analysis/tableSizes';

export interface SizeSettings {
  databaseUrl?: string;
  statsFile?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** From the `migrationGuard` section: `database.url` (nested, as VS Code sends it, or as a dotted key) and `statsFile`. */
export function sizeSettingsFrom(raw: unknown): SizeSettings {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const input = raw as Record<string, unknown>;
  const database = input.database && typeof input.database === 'object' ? (input.database as Record<string, unknown>) : {};
  const databaseUrl = text(database.url) ?? text(input['database.url']);
  const statsFile = text(input.statsFile);
  return { ...(databaseUrl ? { databaseUrl } : {}), ...(statsFile ? { statsFile } : {}) };
}

export interface SizeReaders {
  readDatabase(url: string): Promise<TableSizes>;
  readStats(file: string): TableSizes;
}

const DEFAULT_READERS: SizeReaders = {
  readDatabase: (url) => readDatabaseSizes(url, { timeoutMs: 5000 }),
  readStats: (file) => readStatsFile(file),
};

/** Where sizes come from, without the secret: for logs and messages. */
export function describeSizeSource(settings: SizeSettings): string {
  if (settings.statsFile) return `stats file ${settings.statsFile}`;
  if (settings.databaseUrl) return maskConnectionString(settings.databaseUrl);
  return 'nothing';
}

/**
 * One project's sizes. `configure` is called whenever the settings were
 * (re)read; it starts a read only when the source changed, and calls
 * `changed` when new sizes (or none) are in place, so the project is analysed
 * again once, not per keystroke.
 */
export class TableSizeCache {
  private key = '';
  private sizes: TableSizes | undefined;
  private generation = 0;

  constructor(
    private readonly changed: () => void,
    private readonly log: (level: 'info' | 'warning', message: string) => void,
    private readonly readers: SizeReaders = DEFAULT_READERS,
  ) {}

  current(): TableSizes | undefined {
    return this.sizes;
  }

  /** `baseDir`: where a relative stats file path is resolved (the workspace folder). Returns the read in flight, for tests. */
  configure(settings: SizeSettings, baseDir: string): Promise<void> {
    const statsFile = settings.statsFile ? path.resolve(baseDir, settings.statsFile) : undefined;
    // A stats file wins over a URL, as on the command line (--stats conflicts with --database-url there).
    const key = statsFile ? `stats:${statsFile}` : settings.databaseUrl ? `url:${settings.databaseUrl}` : '';
    if (key === this.key) return Promise.resolve();
    this.key = key;
    const generation = ++this.generation;
    const hadSizes = this.sizes !== undefined;
    this.sizes = undefined;
    if (!key) {
      if (hadSizes) this.changed();
      return Promise.resolve();
    }
    const source = statsFile ? `stats file ${statsFile}` : maskConnectionString(settings.databaseUrl as string);
    const read = async (): Promise<TableSizes> => (statsFile ? this.readers.readStats(statsFile) : this.readers.readDatabase(settings.databaseUrl as string));
    return read().then(
      (sizes) => {
        if (generation !== this.generation) return;
        this.sizes = sizes;
        this.log('info', `Table sizes: ${sizes.rows.size} table estimate(s) from ${source}${sizes.readOnly === false ? ' (warning: the session was not read-only)' : ''}.`);
        this.changed();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        const message = error instanceof Error ? error.message : String(error);
        this.log('warning', `Table sizes not used (${source}): ${settings.databaseUrl ? redact(message, settings.databaseUrl) : message}`);
        if (hadSizes) this.changed();
      },
    );
  }
}
