import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/**
 * Says which slices of an answer were served from their last known value after the subgraph
 * failed or the shield refused (CANONICAL_MODEL.md): `extensions.freshness` =
 * `[{ subgraph, asOf, reason }]`. Such an answer is not an error, and is never cached.
 */
export function freshnessPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (contextValue.freshness.length === 0 || response.body.kind !== 'single') return;
          const seen = new Set<string>();
          const freshness = contextValue.freshness.filter((f) => {
            const k = `${f.subgraph}\u0000${f.asOf}\u0000${f.reason}`;
            return seen.has(k) ? false : (seen.add(k), true);
          });
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, freshness };
        },
      };
    },
  };
}
