import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { grantedScopes } from '../../canonical/index.js';
import { findForbidden, markForbidden, withoutForbidden, type ForbiddenField } from '../access/forbidden.js';
import type { AccessRules } from '../access/rules.js';
import type { GatewayContext } from '../context.js';

/** Options of {@link fieldAccessPlugin}. */
export interface FieldAccessOptions {
  /** The rules of the supergraph currently served (they change with hot reloads). */
  rules: () => AccessRules;
}

/**
 * Field-level rules (`@authenticated`, `@requiresScopes` in the subgraph schemas), enforced before
 * execution: once the operation is resolved, the fields the caller may not see are taken out of
 * the document the gateway plans and executes (so no subgraph is asked for them), and put back
 * into the answer as null, each with a `FORBIDDEN` error naming the field. The rest answers.
 *
 * The query plan cache is keyed on the query hash, so the hash of a rewritten document is
 * changed too: two callers allowed different fields never share a plan.
 */
export function fieldAccessPlugin(opts: FieldAccessOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let forbidden: ForbiddenField[] = [];
      return {
        async didResolveOperation(ctx) {
          if (!ctx.operation) return;
          const caller = { authenticated: true, scopes: new Set(grantedScopes(ctx.contextValue.identity)) };
          forbidden = findForbidden(ctx.schema, ctx.document, ctx.operation, opts.rules(), caller);
          if (forbidden.length === 0) return;
          const writable = ctx as unknown as { document: typeof ctx.document; queryHash: string };
          writable.document = withoutForbidden(ctx.document, forbidden);
          writable.queryHash = createHash('sha256').update(ctx.queryHash).update('\u0000forbidden:')
            .update(forbidden.map((f) => f.path.join('.')).join(',')).digest('hex');
        },
        async willSendResponse({ response }) {
          if (forbidden.length === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const errors = markForbidden(result.data, forbidden).map((e) => e.toJSON());
          result.errors = [...(result.errors ?? []), ...errors];
        },
      };
    },
  };
}
