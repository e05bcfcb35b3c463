import { Kind, type OperationDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * A limit rule: measures each operation once, on entering the document (so its refusal comes
 * before graphql's own per-field errors), and reports the ones over the limit.
 */
export function operationRule(check: (ctx: ValidationContext, op: OperationDefinitionNode) => void): ValidationRule {
  return (ctx) => ({
    Document(doc) {
      for (const def of doc.definitions) if (def.kind === Kind.OPERATION_DEFINITION) check(ctx, def);
      return false;
    },
  });
}
