import { GraphQLError } from 'graphql';
import { checkId, ErrorCode } from '../../canonical/index.js';

/** The backing system did not answer (outage, error, timeout). */
export class SystemUnavailableError extends Error {
  constructor(
    readonly system: string,
    readonly detail: string,
  ) {
    super(`${system} is unavailable: ${detail}`);
    this.name = 'SystemUnavailableError';
  }
}

/** The backing system refused the call for its rate limit. */
export class SystemRateLimitedError extends Error {
  constructor(
    readonly system: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`${system} refused the request: rate limit reached, retry after ${retryAfterSeconds}s`);
    this.name = 'SystemRateLimitedError';
  }
}

/** A GraphQL error with one of the public codes. */
export function graphqlError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badUserInput = (message: string): GraphQLError => graphqlError(ErrorCode.BAD_USER_INPUT, message);

/** Refuses an id argument that cannot be valid (empty, over 64 characters, control characters). */
export function requireId(argument: string, value: string): void {
  const problem = checkId(argument, value);
  if (problem) throw badUserInput(problem);
}

/**
 * Maps a port failure to the public error a client sees. Anything unexpected becomes
 * INTERNAL_SERVER_ERROR with a generic message: internals never reach a client.
 */
export function toPublicError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  if (err instanceof SystemRateLimitedError) {
    return graphqlError(ErrorCode.RATE_LIMITED, err.message, { retryAfter: err.retryAfterSeconds });
  }
  if (err instanceof SystemUnavailableError) return graphqlError(ErrorCode.UPSTREAM_UNAVAILABLE, err.message);
  return graphqlError(ErrorCode.INTERNAL_SERVER_ERROR, 'internal error');
}
