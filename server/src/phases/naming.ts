/**
 * Names the planner gives to migration folders, plans and helper database
 * objects. Folder names follow `prisma migrate dev`: a 14-digit UTC timestamp,
 * an underscore, and a snake_case name.
 */
import type { Provider } from '../core/dbState';
import { MAX_IDENTIFIER_BYTES, truncateBytes } from '../map/naming';

/** `shippingAddress` → `shipping_address`, `OrderItem` → `order_item`, `HTTPLog` → `http_log`. */
export function snake(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_');
}

/**
 * A migration name as Prisma accepts it. Prisma keeps folder names short
 * enough for every file system; 80 characters leaves room for the timestamp.
 */
export function migrationSlug(...parts: string[]): string {
  const joined = parts.map(snake).filter((p) => p.length > 0).join('_');
  const cut = joined.slice(0, 80).replace(/_+$/, '');
  return cut.length > 0 ? cut : 'phase';
}

/** `YYYYMMDDHHMMSS` in UTC, the prefix `prisma migrate dev` writes. */
export function timestamp(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  );
}

/** The time a 14-digit prefix stands for, or undefined when the name has none. */
export function timestampOf(folderName: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:_|$)/.exec(folderName);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/**
 * `count` timestamps, one second apart, each later than `now` and than every
 * timestamped name in `existing`: a new migration must sort after all the
 * others, or `prisma migrate` applies it out of order.
 */
export function nextTimestamps(existing: Iterable<string>, count: number, now: Date): Date[] {
  let latest = now.getTime() - (now.getTime() % 1000);
  for (const name of existing) {
    const at = timestampOf(name);
    if (at && at.getTime() >= latest) latest = at.getTime() + 1000;
  }
  const result: Date[] = [];
  for (let i = 0; i < count; i++) result.push(new Date(latest + i * 1000));
  return result;
}

/** A database identifier that fits the provider's limit (PostgreSQL cuts at 63 bytes). */
export function identifier(name: string, provider: Provider): string {
  return truncateBytes(name, MAX_IDENTIFIER_BYTES[provider]);
}

/** `base` with a suffix, the base cut so that the suffix survives the identifier limit. */
export function suffixed(base: string, suffix: string, provider: Provider): string {
  return truncateBytes(base, MAX_IDENTIFIER_BYTES[provider] - suffix.length) + suffix;
}

/** First of `candidates` (then `candidate_2`, `_3`, ...) that `taken` rejects. */
export function freeName(candidate: string, taken: (name: string) => boolean): string {
  if (!taken(candidate)) return candidate;
  for (let i = 2; ; i++) {
    const next = `${candidate}_${i}`;
    if (!taken(next)) return next;
  }
}

const PRISMA_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A Prisma field or model name for a database name: the name itself when Prisma accepts it. */
export function prismaIdentifier(dbName: string): string {
  if (PRISMA_IDENTIFIER.test(dbName)) return dbName;
  const cleaned = dbName.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]+/, '');
  return cleaned.length > 0 ? cleaned : 'field';
}
