/**
 * The database drivers, loaded on first connection only. Each sits in a module
 * of its own (pgDriver.ts, mysqlDriver.ts) required here by a computed path,
 * which the bundler does not follow: the server's bundle leaves them out and
 * scripts/build-extension.js bundles each beside it (dist/pgDriver.js,
 * dist/mysqlDriver.js), so no start reads or compiles a driver.
 */

/** node-postgres, for the preflight and the table-size reader. */
export function loadPostgresDriver(): ReturnType<typeof import('./pgDriver').postgresDriver> {
  const modulePath = './pgDriver';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(modulePath) as typeof import('./pgDriver')).postgresDriver();
}

/** mysql2's promise API, for the preflight on MySQL and MariaDB. */
export function loadMysqlDriver(): ReturnType<typeof import('./mysqlDriver').mysqlDriver> {
  const modulePath = './mysqlDriver';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(modulePath) as typeof import('./mysqlDriver')).mysqlDriver();
}
