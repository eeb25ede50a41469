/**
 * mysql2 (its promise API), in a module of its own for the same reason as
 * pgDriver.ts: it is required by a computed path only when the user configured
 * a MySQL database for the preflight, and scripts/build-extension.js bundles it
 * as dist/mysqlDriver.js, so the packaged extension has it without carrying it
 * in every start.
 */
import * as mysql from 'mysql2/promise';

export function mysqlDriver(): typeof mysql {
  return mysql;
}
