import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';
import { CONSUMER_POLICIES, ErrorCode } from '../../../canonical/index.js';
import { costMeter, limitExceeded, limitRules, tokenLimitError, type OperationLimits } from '../../limits/index.js';
import { RequestRefusal } from '../errors.js';
import type { Stage } from '../stage.js';

const introspects = (doc: DocumentNode): boolean => {
  let found = false;
  visit(doc, {
    Field: (f) => {
      if (f.name.value === '__schema' || f.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
};

/** External consumers (everyone but ops and the gateway's own reads) may not introspect the schema. */
const isExternal = (consumer: string): boolean =>
  consumer !== 'internal' && !CONSUMER_POLICIES[consumer as keyof typeof CONSUMER_POLICIES]?.operational;

/**
 * Operation limits (docs/limits.md), each refusal `LIMIT_EXCEEDED` before query planning:
 * - a JSON array body (a batch) of more than `maxBatch` operations is refused (Apollo Server's
 *   own refusal would be a bare "Operation batching disabled.");
 * - the token limit runs as graphql's `parse(source, { maxTokens })` (parsing stops at the limit)
 *   and its syntax error is restated with the token count;
 * - the limit rules run with graphql's own validation; field suggestions are off;
 * - introspection is refused to external consumers (`FORBIDDEN`);
 * - a consumer listed in `maxCostByConsumer` (`LIMIT_MAX_COST_<CONSUMER>`) may not run an
 *   operation that costs more than its ceiling (the gateway's own reads are not its callers').
 * The graphql-ws transport runs the same limits through `parseAndValidate`.
 */
export function operationLimitsStage(
  limits: OperationLimits,
  maxCostByConsumer: Readonly<Partial<Record<string, number>>> = {},
): Stage {
  const costOf = costMeter(limits.cost);
  return {
    name: 'operation limits',
    serverOptions: {
      parseOptions: { maxTokens: limits.maxTokens },
      validationRules: limitRules(limits),
      hideSchemaDetailsFromClientErrors: true,
      allowBatchedHttpRequests: limits.maxBatch > 1,
    },
    onRequest(call) {
      if (!call.batch || call.operations.length <= limits.maxBatch) return;
      const err = limitExceeded('batch size', call.operations.length, limits.maxBatch);
      const message =
        limits.maxBatch <= 1 ? `${err.message}: send one operation per request (batching is off)` : err.message;
      throw new RequestRefusal(400, ErrorCode.LIMIT_EXCEEDED, message, {
        limit: err.extensions.limit,
        value: err.extensions.value,
      });
    },
    onParseError(error, source) {
      const refusal = tokenLimitError(error, source, limits.maxTokens);
      if (!refusal) return;
      error.message = refusal.message;
      Object.assign(error.extensions, refusal.extensions);
    },
    onOperation({ schema, document, operation, context }) {
      // Apollo Gateway plans queries and mutations; a subscription would fail in the planner as a 500.
      if (operation.operation === 'subscription') {
        throw new GraphQLError(
          'only queries and mutations run over HTTP /graphql: subscriptions run over graphql-ws on the same path (received a subscription)',
          {
            extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } },
          },
        );
      }
      if (isExternal(context.identity.consumer) && introspects(document)) {
        throw new GraphQLError('introspection is not available to external consumers', {
          extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
        });
      }
      const consumer = context.identity.consumer;
      const max = maxCostByConsumer[consumer];
      if (max && context.transport !== 'internal') {
        const cost = costOf(schema, document, operation);
        if (cost > max) {
          throw new GraphQLError(
            `${operation.operation} cost ${cost} exceeds the limit of ${max} for ${consumer} callers (LIMIT_MAX_COST_${consumer.toUpperCase()}): ask for fewer items (first:) or fewer fields`,
            { extensions: { code: ErrorCode.LIMIT_EXCEEDED, limit: max, value: cost, http: { status: 400 } } },
          );
        }
      }
    },
  };
}
