import type { Provider } from '../core/dbState';

/**
 * Prisma's default constraint and index names, byte for byte.
 *
 * Since Prisma 3 (named constraints) the engine builds `<table>_<columns>` and,
 * when that plus the suffix would not fit the provider's identifier limit,
 * cuts the *base* so the suffix survives: `..._conten_key` (63 bytes on
 * PostgreSQL). The cut is in UTF-8 bytes at a character boundary.
 *
 * A migration that spells out the long name instead (hand-written SQL, other
 * tools) leaves the cut to PostgreSQL, which keeps the first 63 bytes of the
 * whole name: `..._content_ke`. Both conventions occur in real projects (the
 * inbox-zero corpus head has four such indexes that Prisma's engine wants to
 * rename); `postgresTruncate` gives the second form so the diff can recognise
 * a difference that is only naming.
 */

export const MAX_IDENTIFIER_BYTES: Record<Provider, number> = {
  postgresql: 63,
  mysql: 64,
  // Prisma's SQLite connector declares 10000: no practical limit.
  sqlite: 10000,
};

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (text.length <= maxBytes && utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      size = 4;
      units = 2;
    } else size = 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return text.slice(0, i);
}

/** What PostgreSQL itself stores for an over-long identifier (NAMEDATALEN - 1 = 63 bytes). */
export function postgresTruncate(name: string): string {
  return truncateBytes(name, 63);
}

function withSuffix(base: string, suffix: string, provider: Provider): string {
  const limit = MAX_IDENTIFIER_BYTES[provider];
  return truncateBytes(base, limit - suffix.length) + suffix;
}

export function primaryKeyName(table: string, provider: Provider): string {
  return withSuffix(table, '_pkey', provider);
}

export function uniqueIndexName(table: string, columns: string[], provider: Provider): string {
  return withSuffix(`${table}_${columns.join('_')}`, '_key', provider);
}

export function indexName(table: string, columns: string[], provider: Provider): string {
  return withSuffix(`${table}_${columns.join('_')}`, '_idx', provider);
}

export function foreignKeyName(table: string, columns: string[], provider: Provider): string {
  return withSuffix(`${table}_${columns.join('_')}`, '_fkey', provider);
}

/**
 * The name the same object gets when the untruncated name reaches PostgreSQL
 * (see the file comment); undefined when both conventions agree.
 */
export function postgresVariant(base: string, suffix: string, provider: Provider): string | undefined {
  if (provider !== 'postgresql') return undefined;
  const full = base + suffix;
  if (utf8Length(full) <= 63) return undefined;
  return postgresTruncate(full);
}

/** Default relation name of an unnamed relation: the two model names in byte order, joined by `To`. */
export function defaultRelationName(modelA: string, modelB: string): string {
  return modelA < modelB ? `${modelA}To${modelB}` : `${modelB}To${modelA}`;
}
