import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode, parseDateTime } from '../../canonical/index.js';

const invalid = (received: string): GraphQLError =>
  new GraphQLError(
    `DateTime must be an ISO-8601 date-time with a zone, e.g. 2026-11-01T09:30:00Z; received ${received}`,
    {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    },
  );

function parse(value: unknown): string {
  if (typeof value !== 'string') throw invalid(typeof value);
  const parsed = parseDateTime(value);
  if (parsed === null) throw invalid(JSON.stringify(value.slice(0, 40)));
  return parsed;
}

/** ISO-8601 UTC date-time; inputs are validated and normalized to UTC. */
export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid(ast.kind);
    return parse(ast.value);
  },
});
