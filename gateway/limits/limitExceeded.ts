import { GraphQLError, type ASTNode } from 'graphql';
import { ErrorCode } from '../../canonical/index.js';

/**
 * The refusal of every operation limit: `extensions.code` LIMIT_EXCEEDED, and a message naming the
 * limit and the value that broke it, e.g. `query depth 14 exceeds the limit of 10`; the numbers are
 * also in `extensions.limit` and `extensions.value`.
 */
export function limitExceeded(
  what: string,
  value: number,
  limit: number,
  nodes?: ASTNode | readonly ASTNode[],
): GraphQLError {
  return new GraphQLError(`${what} ${value} exceeds the limit of ${limit}`, {
    nodes,
    extensions: { code: ErrorCode.LIMIT_EXCEEDED, limit, value },
  });
}

/**
 * Apollo Server wraps validation and parse errors in its own classes, which overwrite
 * `extensions.code`; an error carrying `limit` and `value` came from a limit and keeps LIMIT_EXCEEDED.
 */
export const isLimitExtensions = (ext: Record<string, unknown>): boolean =>
  typeof ext.limit === 'number' && typeof ext.value === 'number';
