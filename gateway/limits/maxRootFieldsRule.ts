import type { ValidationRule } from 'graphql';
import { limitExceeded } from './limitExceeded.js';
import { measureOperation } from './measure.js';
import { operationRule } from './operationRule.js';

/** Refuses an operation selecting more than `max` fields at its root (each root field is its own query plan branch). */
export function maxRootFieldsRule(max: number): ValidationRule {
  return operationRule((ctx, op) => {
    const fields = measureOperation(ctx, op, { combine: 'sum', field: () => 1 });
    if (fields > max) ctx.reportError(limitExceeded(`${op.operation} root field count`, fields, max, op));
  });
}
