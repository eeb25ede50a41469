/**
 * node-postgres, in a module of its own: the preflight and the table-size
 * reader require this file by a computed path only when the user has
 * configured a database to connect to, so the bundler leaves the driver out of
 * the server's bundle (scripts/build-extension.js bundles it as
 * dist/pgDriver.js) and no start reads or compiles it.
 */
import * as pg from 'pg';

export function postgresDriver(): typeof pg {
  return pg;
}
