import type { ValidationRule } from 'graphql';
import { limitExceeded } from './limitExceeded.js';
import { measureOperation } from './measure.js';
import { operationRule } from './operationRule.js';

/**
 * Refuses an operation whose fields nest deeper than `max` (`{ a { b } }` is depth 2; fragments
 * count where they are spread; introspection fields count like any other, which stops circular
 * `__schema { types { fields { type { ofType … } } } }` probes).
 */
export function maxDepthRule(max: number): ValidationRule {
  return operationRule((ctx, op) => {
    const depth = measureOperation(ctx, op, { combine: 'max', field: (_f, _d, _t, children) => 1 + children() });
    if (depth > max) ctx.reportError(limitExceeded(`${op.operation} depth`, depth, max, op));
  });
}
