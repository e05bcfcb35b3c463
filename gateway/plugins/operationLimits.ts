import type { ApolloServerOptions, ApolloServerPlugin, BaseContext, GraphQLRequestContext } from '@apollo/server';
import type { RequestHandler } from 'express';
import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';
import { ErrorCode } from '../../canonical/index.js';
import { limitExceeded, limitRules, tokenLimitError, type OperationLimits } from '../limits/index.js';

/** Options of {@link operationLimitsPlugin}. */
export interface OperationLimitsOptions<C extends BaseContext = BaseContext> {
  limits: OperationLimits;
  /**
   * Whether a request comes from an external consumer. External consumers may not introspect the
   * schema (the gateway: everyone but ops and its own internal reads).
   * @default () => false
   */
  isExternal?: (ctx: GraphQLRequestContext<C>) => boolean;
}

/**
 * The Apollo Server options that enforce the limits: the token limit as graphql's
 * `parse(source, { maxTokens })` (parsing stops at the limit), the limit rules run with graphql's
 * own validation (before `didResolveOperation`, so before query planning), field suggestions off,
 * and batching on only when `maxBatch` allows more than one operation.
 */
export function operationLimitsServerOptions(limits: OperationLimits): Pick<ApolloServerOptions<BaseContext>, 'parseOptions' | 'validationRules' | 'hideSchemaDetailsFromClientErrors' | 'allowBatchedHttpRequests'> {
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitRules(limits),
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: limits.maxBatch > 1,
  };
}

const introspects = (doc: DocumentNode): boolean => {
  let found = false;
  visit(doc, { Field: (f) => { if (f.name.value === '__schema' || f.name.value === '__type') { found = true; return BREAK; } return undefined; } });
  return found;
};

/**
 * Operation limits, the parts that are hooks: a document over the token limit is refused as
 * LIMIT_EXCEEDED with its token count (graphql reports it as a syntax error), and introspection is
 * refused to external consumers ({@link OperationLimitsOptions.isExternal}).
 */
export function operationLimitsPlugin<C extends BaseContext>(opts: OperationLimitsOptions<C>): ApolloServerPlugin<C> {
  const isExternal = opts.isExternal ?? (() => false);
  return {
    async requestDidStart() {
      return {
        async parsingDidStart(ctx) {
          return async (err) => {
            const refusal = err && tokenLimitError(err, ctx.source ?? '', opts.limits.maxTokens);
            // Apollo Server wraps the parse error it reported; its message and extensions carry over.
            if (refusal && err instanceof GraphQLError) {
              err.message = refusal.message;
              Object.assign(err.extensions, refusal.extensions);
            }
          };
        },
        async didResolveOperation(ctx) {
          if (isExternal(ctx) && introspects(ctx.document)) {
            throw new GraphQLError('introspection is not available to external consumers', { extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } } });
          }
        },
      };
    },
  };
}

/**
 * Refuses a JSON array body (a batch) of more than `maxBatch` operations before Apollo Server sees
 * it, as LIMIT_EXCEEDED (Apollo Server's own refusal is a bare BAD_REQUEST "Operation batching disabled.").
 */
export function batchLimit(limits: OperationLimits): RequestHandler {
  return (req, res, next) => {
    if (!Array.isArray(req.body) || req.body.length <= limits.maxBatch) return next();
    const err = limitExceeded('batch size', req.body.length, limits.maxBatch);
    const message = limits.maxBatch <= 1 ? `${err.message}: send one operation per request (batching is off)` : err.message;
    res.status(400).json({ errors: [{ message, extensions: err.extensions }] });
  };
}
