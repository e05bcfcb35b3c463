import type { ValidationRule } from 'graphql';
import { limitExceeded } from './limitExceeded.js';
import { measureOperation } from './measure.js';
import { operationRule } from './operationRule.js';

/** Refuses an operation with more than `max` aliased fields (alias overloading: `a0: __typename a1: __typename …`). */
export function maxAliasesRule(max: number): ValidationRule {
  return operationRule((ctx, op) => {
    const aliases = measureOperation(ctx, op, {
      combine: 'sum',
      field: (f, _d, _t, children) => (f.alias ? 1 : 0) + children(),
    });
    if (aliases > max) ctx.reportError(limitExceeded(`${op.operation} alias count`, aliases, max, op));
  });
}
