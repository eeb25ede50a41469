/**
 * The walk over libpg-query parse trees that the replay's detectors share:
 * document order, arrays and nested objects, the first match and nothing
 * inside it, and the visitor's skip / stop. The trees are the real parser's
 * (SQL statements and a PL/pgSQL body).
 */
import * as assert from 'assert';
import type { Node } from 'libpg-query';
import { findInParseTree, walkParseTree, type ParseTreeObject, type WalkStep } from '../../server/src/replay/parseTree';
import { names } from '../../server/src/replay/pgTypes';
import { loadPostgresParser, parsePlpgsqlBody, parsePostgresStatements } from '../../server/src/replay/statements';

function statement(sql: string): unknown {
  const parsed = parsePostgresStatements(sql);
  assert.deepStrictEqual(parsed.notes, []);
  return parsed.statements[0].ast;
}

/** The name and place of a column reference node, or undefined for any other object. */
function columnRef(object: ParseTreeObject): { column: string; location: number } | undefined {
  const ref = object.ColumnRef as { fields?: Node[]; location: number } | undefined;
  return ref ? { column: names(ref.fields).join('.'), location: ref.location } : undefined;
}

/** Node kinds (`{ Kind: body }` wrappers) in the order the walk reaches them, with the visitor's answers. */
function kindsWalked(tree: unknown, step: (object: ParseTreeObject) => WalkStep = () => undefined): string[] {
  const kinds: string[] = [];
  walkParseTree(tree, (object) => {
    assert.ok(!Array.isArray(object), 'the visitor is given objects, not arrays');
    const keys = Object.keys(object);
    if (keys.length === 1 && /^[A-Z]/.test(keys[0])) kinds.push(keys[0]);
    return step(object);
  });
  return kinds;
}

describe('replay parse tree walk', () => {
  before(async () => {
    await loadPostgresParser();
  });

  describe('findInParseTree', () => {
    it('returns the first match in document order', () => {
      const tree = statement('SELECT f(a), b FROM t WHERE c = 1');
      assert.deepStrictEqual(findInParseTree(tree, columnRef), { column: 'a', location: 9 });
    });

    it('goes through arrays item by item and into nested objects', () => {
      const tree = statement('SELECT 1, coalesce(2, lower(upper(u.x))), y');
      assert.deepStrictEqual(findInParseTree(tree, columnRef), { column: 'u.x', location: 34 });
    });

    it('is undefined when nothing matches, after looking at every object once', () => {
      const tree = statement("SELECT 1, 'two'");
      const seen: string[] = [];
      const found = findInParseTree(tree, (object) => {
        seen.push(Object.keys(object).join(','));
        return columnRef(object);
      });
      assert.strictEqual(found, undefined);
      assert.deepStrictEqual(seen, [
        'SelectStmt',
        'targetList,limitOption,op',
        'ResTarget',
        'val,location',
        'A_Const',
        'ival,location',
        'ival',
        'ResTarget',
        'val,location',
        'A_Const',
        'sval,location',
        'sval',
      ]);
    });

    it('is undefined for a missing tree or a scalar, without calling match', () => {
      const calls: unknown[] = [];
      const match = (object: ParseTreeObject): true => {
        calls.push(object);
        return true;
      };
      assert.deepStrictEqual([undefined, null, 0, 'SELECT 1', []].map((tree) => findInParseTree(tree, match)), [undefined, undefined, undefined, undefined, undefined]);
      assert.deepStrictEqual(calls, []);
    });

    it('does not go into the object it matched, and stops there', () => {
      const tree = statement('SELECT f(a), b FROM t');
      const seen: string[] = [];
      const found = findInParseTree(tree, (object) => {
        const keys = Object.keys(object);
        if (keys.length === 1 && /^[A-Z]/.test(keys[0])) seen.push(keys[0]);
        const call = object.FuncCall as { funcname?: Node[] } | undefined;
        return call ? names(call.funcname) : undefined;
      });
      assert.deepStrictEqual(found, ['f']);
      assert.deepStrictEqual(seen, ['SelectStmt', 'ResTarget', 'FuncCall']);
    });

    it('finds in a PL/pgSQL body: the first SQL statement, inside an IF before the later ones', () => {
      const tree = parsePlpgsqlBody('BEGIN\n  IF x THEN\n    UPDATE t SET a = 1;\n  END IF;\n  DELETE FROM t;\nEND');
      const found = findInParseTree(tree, (object) => (object.PLpgSQL_stmt_execsql as { sqlstmt: { PLpgSQL_expr: { query: string } } } | undefined)?.sqlstmt.PLpgSQL_expr.query);
      assert.strictEqual(found, 'UPDATE t SET a = 1');
    });
  });

  describe('walkParseTree', () => {
    const sql = 'SELECT a, f(b, c), d FROM t WHERE e = g AND h IN (i, lower(j))';

    it('visits every node in document order', () => {
      const columns: string[] = [];
      walkParseTree(statement(sql), (object) => {
        const ref = columnRef(object);
        if (ref) columns.push(ref.column);
      });
      assert.deepStrictEqual(columns, ['a', 'b', 'c', 'd', 'e', 'g', 'h', 'i', 'j']);
      assert.deepStrictEqual(kindsWalked(statement('SELECT f(a) FROM t')), ['SelectStmt', 'ResTarget', 'FuncCall', 'String', 'ColumnRef', 'String', 'RangeVar']);
    });

    it("'skip' leaves out what an object holds and goes on with what follows it", () => {
      const columns: string[] = [];
      walkParseTree(statement(sql), (object) => {
        const ref = columnRef(object);
        if (ref) columns.push(ref.column);
        return object.FuncCall ? 'skip' : undefined;
      });
      assert.deepStrictEqual(columns, ['a', 'd', 'e', 'g', 'h', 'i']);
    });

    it("'stop' ends the walk", () => {
      const columns: string[] = [];
      walkParseTree(statement(sql), (object) => {
        const ref = columnRef(object);
        if (ref) columns.push(ref.column);
        return ref?.column === 'c' ? 'stop' : undefined;
      });
      assert.deepStrictEqual(columns, ['a', 'b', 'c']);
      assert.deepStrictEqual(
        kindsWalked(statement(sql), (object) => (object.FuncCall ? 'stop' : undefined)),
        ['SelectStmt', 'ResTarget', 'ColumnRef', 'String', 'ResTarget', 'FuncCall'],
      );
    });

    it('walks a PL/pgSQL body: the queries of its statements in order', () => {
      const tree = parsePlpgsqlBody('BEGIN\n  IF x THEN\n    UPDATE t SET a = 1;\n  END IF;\n  PERFORM g();\nEND');
      const queries: string[] = [];
      walkParseTree(tree, (object) => {
        if (typeof object.query === 'string') queries.push(object.query);
      });
      assert.deepStrictEqual(queries, ['x', 'UPDATE t SET a = 1', 'SELECT g()']);
    });
  });
});
