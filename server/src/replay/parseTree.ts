/**
 * Walks over libpg-query parse trees (SQL and PL/pgSQL): plain JSON where a
 * node is an object (`{ "ColumnRef": { "fields": [...] } }`, or a node's body)
 * and lists are arrays. Objects are visited in document order (an object before
 * what it holds, properties in the parser's order, arrays item by item); arrays
 * and scalars are only passed through.
 */

/** An object of a parse tree: a node (`{ Kind: body }`) or a node's body. */
export type ParseTreeObject = Record<string, unknown>;

/**
 * What a visitor tells the walk after an object: `'skip'` leaves out what the
 * object holds, `'stop'` ends the walk; anything else goes on into the object.
 */
export type WalkStep = 'skip' | 'stop' | undefined | void;

/** Visits every object of `tree` in document order, as `visit` directs. */
export function walkParseTree(tree: unknown, visit: (object: ParseTreeObject) => WalkStep): void {
  walk(tree, visit);
}

/** Whether the walk was stopped (true) or ran to its end. */
function walk(node: unknown, visit: (object: ParseTreeObject) => WalkStep): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((item) => walk(item, visit));
  const object = node as ParseTreeObject;
  const step = visit(object);
  if (step === 'stop') return true;
  if (step === 'skip') return false;
  return Object.values(object).some((value) => walk(value, visit));
}

/**
 * The first defined result of `match` over the objects of `tree`, in document
 * order; undefined when `match` finds nothing. The walk ends at the first
 * match, so it never goes into the matched object.
 */
export function findInParseTree<T>(tree: unknown, match: (object: ParseTreeObject) => T | undefined): T | undefined {
  let found: T | undefined;
  walkParseTree(tree, (object) => {
    found = match(object);
    return found === undefined ? undefined : 'stop';
  });
  return found;
}
