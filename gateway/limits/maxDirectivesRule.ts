import { Kind, type ASTNode, type ValidationRule } from 'graphql';
import { limitExceeded } from './limitExceeded.js';
import { measureOperation } from './measure.js';
import { operationRule } from './operationRule.js';

const directivesOf = (node: ASTNode): number => ('directives' in node && node.directives ? node.directives.length : 0);

/**
 * Refuses directive overloading: more than `perField` directives on one field (or fragment), or more
 * than `total` in an operation (fragments counted where spread).
 */
export function maxDirectivesRule(perField: number, total: number): ValidationRule {
  return operationRule((ctx, op) => {
    let worst: { node: ASTNode; count: number } | undefined;
    const note = (node: ASTNode): number => {
      const n = directivesOf(node);
      if (n > perField && (!worst || n > worst.count)) worst = { node, count: n };
      return n;
    };
    const count =
      note(op) +
      measureOperation(ctx, op, {
        combine: 'sum',
        field: (f, _d, _t, children) => note(f) + children(),
        fragment: note,
      });
    if (worst) {
      const where = worst.node.kind === Kind.FIELD ? `field ${worst.node.name.value}` : 'one selection';
      ctx.reportError(limitExceeded(`directive count on ${where}`, worst.count, perField, worst.node));
    } else if (count > total) ctx.reportError(limitExceeded(`${op.operation} directive count`, count, total, op));
  });
}
