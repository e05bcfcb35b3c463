import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../canonical/index.js';
import { isLimitExtensions, withoutSuggestions } from './limits/index.js';

const PUBLIC_CODES = new Set<string>([...Object.values(ErrorCode), 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);

/** Extension keys that may reach a client; anything else (responses, stacks, internals) is dropped. */
const PUBLIC_EXTENSIONS = new Set(['code', 'serviceName', 'retryAfter', 'field', 'limit', 'value']);

/**
 * The gateway's last word on every error: only public codes reach clients (anything else becomes
 * UPSTREAM_UNAVAILABLE when a subgraph produced it, INTERNAL_SERVER_ERROR otherwise), and only
 * public extension keys — never a stack, a subgraph's raw response or an internal address. An
 * operation limit's refusal keeps LIMIT_EXCEEDED (Apollo Server reports it as a parse or validation
 * failure), and "Did you mean …?" suggestions never reach a client.
 */
export function formatGatewayError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const ext = formatted.extensions ?? {};
  const rawCode = isLimitExtensions(ext) ? ErrorCode.LIMIT_EXCEEDED : typeof ext.code === 'string' ? ext.code : undefined;
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
  return { message, locations: formatted.locations, path: formatted.path, extensions };
}
