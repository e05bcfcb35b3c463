import { grantedScopes } from '../../../canonical/index.js';
import { findForbidden, markForbidden, withoutForbidden } from '../../access/forbidden.js';
import type { AccessRules } from '../../access/rules.js';
import type { Stage } from '../stage.js';

/** Options of {@link fieldAccessStage}. */
export interface FieldAccessOptions {
  /** The rules of the supergraph currently served (they change with hot reloads). */
  rules: () => AccessRules;
}

/**
 * Field-level rules (`@authenticated`, `@requiresScopes` in the subgraph schemas), enforced before
 * execution: once the operation is resolved, the fields the caller may not see are taken out of
 * the document the gateway plans and executes (so no subgraph is asked for them), and put back
 * into the answer as null, each with a `FORBIDDEN` error naming the field. The rest answers.
 * The plan key of a rewritten document names the fields taken out: two callers allowed different
 * fields never share a plan.
 */
export function fieldAccessStage(opts: FieldAccessOptions): Stage {
  return {
    name: 'field access',
    onOperation({ schema, document, operation, context }) {
      const caller = { authenticated: true, scopes: new Set(grantedScopes(context.identity)) };
      const forbidden = findForbidden(schema, document, operation, opts.rules(), caller);
      if (forbidden.length === 0) return undefined;
      context.forbiddenFields = forbidden;
      return {
        document: withoutForbidden(document, forbidden),
        planKey: `forbidden:${forbidden.map((f) => f.path.join('.')).join(',')}`,
      };
    },
    onResponse({ result, context }) {
      const forbidden = context.forbiddenFields;
      if (!forbidden) return;
      const errors = markForbidden(result.data as Record<string, unknown> | null | undefined, forbidden).map((e) =>
        e.toJSON(),
      );
      (result as { errors?: unknown[] }).errors = [...(result.errors ?? []), ...errors];
    },
  };
}
