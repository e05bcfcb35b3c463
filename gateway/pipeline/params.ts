import { ErrorCode } from '../../canonical/index.js';
import { RequestRefusal } from './errors.js';
import type { GraphQLParams } from './stage.js';

/**
 * Deepest nesting of `variables` (and `extensions`) accepted, in objects and lists. No input
 * type of this graph nests more than a few levels; 5,000 levels would only exhaust the stack of
 * whatever walks them next (a cache key, graphql's coercion).
 */
export const MAX_PARAMS_DEPTH = 64;

/** The nesting depth of a JSON value, walked without recursion; stops counting past `limit`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (depth > limit) return depth;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return deepest;
}

const kind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

/**
 * Checks what every transport must check before any stage reads the parameters (GraphQL over
 * HTTP, "Request Parameters"): `query` and `operationName` strings, `variables` and `extensions`
 * maps — each may be absent or null — else 400 `BAD_USER_INPUT` saying what arrived; and
 * `variables` and `extensions` nested at most {@link MAX_PARAMS_DEPTH} deep (else 400
 * `LIMIT_EXCEEDED`).
 */
export function checkParams(params: GraphQLParams): void {
  for (const name of ['query', 'operationName'] as const) {
    const v = params[name];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new RequestRefusal(400, ErrorCode.BAD_USER_INPUT, `expected ${name} to be a string; received ${kind(v)}`);
    }
  }
  for (const name of ['variables', 'extensions'] as const) {
    const v = params[name];
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
      throw new RequestRefusal(
        400,
        ErrorCode.BAD_USER_INPUT,
        `expected ${name} to be a JSON object (a map); received ${kind(v)}`,
      );
    }
  }
  for (const name of ['variables', 'extensions'] as const) {
    const depth = depthOf(params[name], MAX_PARAMS_DEPTH);
    if (depth > MAX_PARAMS_DEPTH) {
      throw new RequestRefusal(
        400,
        ErrorCode.LIMIT_EXCEEDED,
        `${name} nesting depth exceeds the limit of ${MAX_PARAMS_DEPTH} levels (received more than ${MAX_PARAMS_DEPTH})`,
        { limit: MAX_PARAMS_DEPTH, value: depth },
      );
    }
  }
}
