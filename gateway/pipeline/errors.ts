import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../canonical/index.js';
import { isLimitExtensions, withoutSuggestions } from '../limits/index.js';

const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));

/** Apollo Server's own codes, said in the one ErrorCode enum. */
const APOLLO_CODES: Readonly<Record<string, ErrorCode>> = {
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  INVALID_GRAPHQL: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.BAD_USER_INPUT,
};

/** Extension keys that may reach a client; anything else (responses, stacks, internals) is dropped. */
const PUBLIC_EXTENSIONS = new Set(['code', 'serviceName', 'retryAfter', 'field', 'limit', 'value', 'reason']);

/**
 * The gateway's last word on every error, on every transport: only codes of the one `ErrorCode`
 * enum reach clients (Apollo Server's own are translated; anything else becomes
 * UPSTREAM_UNAVAILABLE when a subgraph produced it, INTERNAL_SERVER_ERROR with the message
 * "internal error" otherwise), and only public extension keys — never a stack, a subgraph's raw
 * response or an internal address. An operation limit's refusal keeps LIMIT_EXCEEDED (graphql
 * reports it as a parse or validation failure), and "Did you mean …?" suggestions never reach a client.
 */
export function formatGatewayError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const ext = formatted.extensions ?? {};
  const given = isLimitExtensions(ext) ? ErrorCode.LIMIT_EXCEEDED : typeof ext.code === 'string' ? ext.code : undefined;
  const rawCode = given !== undefined ? (APOLLO_CODES[given] ?? given) : undefined;
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ext)) if (PUBLIC_EXTENSIONS.has(k)) extensions[k] = v;
  if (rawCode) extensions.code = rawCode;
  let message = withoutSuggestions(formatted.message);
  if (!rawCode || !PUBLIC_CODES.has(rawCode)) {
    if (ext.serviceName !== undefined || rawCode === 'DOWNSTREAM_SERVICE_ERROR') {
      extensions.code = ErrorCode.UPSTREAM_UNAVAILABLE;
      message = `${String(ext.serviceName ?? 'a subgraph')} failed; its fields are null`;
    } else {
      extensions.code = ErrorCode.INTERNAL_SERVER_ERROR;
      message = 'internal error';
    }
  } else if (rawCode === ErrorCode.INTERNAL_SERVER_ERROR) {
    message = 'internal error';
  }
  return {
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  };
}

/**
 * A stage's refusal of a whole request, before any operation runs (a bad credential, a quota used
 * up, a body that is not JSON, a persisted-only consumer's ad-hoc document): the HTTP status, the
 * code and a message that says what was expected and what arrived. Over WebSocket it becomes the
 * subscription's GraphQL error with the same code and message.
 */
export class RequestRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Further public extensions (`retryAfter`, `limit`, `value`, `reason`). @default {} */
    readonly extensions: Record<string, unknown> = {},
    /** Headers of the HTTP answer (`retry-after`, `www-authenticate`). @default {} */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RequestRefusal';
  }

  /** Whether the refusal is about the GraphQL request itself (its JSON, its parameters), not about the caller. */
  get isRequestError(): boolean {
    return (
      this.code === ErrorCode.BAD_USER_INPUT ||
      this.code === ErrorCode.GRAPHQL_PARSE_FAILED ||
      this.code === ErrorCode.GRAPHQL_VALIDATION_FAILED
    );
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: { ...this.extensions, code: this.code } });
  }
}

/** An HTTP answer the pipeline gives before (or instead of) running an operation. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The one function that turns any failure into the GraphQL error body a client receives: a
 * {@link RequestRefusal} keeps its status, code and message; a GraphQLError is formatted by
 * {@link formatGatewayError}; anything else is an internal error, redacted (the transport logs it).
 */
export function errorAnswer(err: unknown): Answer {
  let status = 500;
  let headers: Record<string, string> = {};
  let formatted: GraphQLFormattedError;
  if (err instanceof RequestRefusal) {
    status = err.status;
    headers = err.headers;
    formatted = err.toGraphQLError().toJSON();
  } else if (err instanceof GraphQLError) {
    status = 400;
    formatted = err.toJSON();
  } else {
    formatted = { message: 'internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  return { status, headers, body: JSON.stringify({ errors: [formatGatewayError(formatted)] }) };
}
