/**
 * node-sql-parser's MySQL grammar, in a module of its own so that the server's
 * bundle does not carry it: mysql.ts requires this file by a computed path,
 * which the bundler cannot follow, and scripts/build-extension.js bundles it as
 * dist/mysqlGrammar.js beside the server.
 */
import { Parser } from 'node-sql-parser/build/mysql';

export function createMysqlGrammar(): Parser {
  return new Parser();
}
