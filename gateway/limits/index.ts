import {
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { costRule, DEFAULT_COST, type CostOptions } from './costRule.js';
import { maxAliasesRule } from './maxAliasesRule.js';
import { maxDepthRule } from './maxDepthRule.js';
import { maxDirectivesRule } from './maxDirectivesRule.js';
import { maxRootFieldsRule } from './maxRootFieldsRule.js';
import { tokenLimitError } from './tokens.js';

export { costMeter, costRule, DEFAULT_COST, type CostOptions } from './costRule.js';
export { isLimitExtensions, limitExceeded } from './limitExceeded.js';
export { countTokens, tokenLimitError } from './tokens.js';
export { maxAliasesRule, maxDepthRule, maxDirectivesRule, maxRootFieldsRule };

/**
 * Limits on what one request may ask for; each refusal is LIMIT_EXCEEDED, before query planning.
 * The defaults leave at least 2× headroom over every operation in `operations/` (see docs/limits.md).
 */
export interface OperationLimits {
  /** Most tokens in a document, counted while parsing (`LIMIT_MAX_TOKENS`). @default 500 */
  maxTokens: number;
  /** Deepest field nesting (`LIMIT_MAX_DEPTH`). @default 15 */
  maxDepth: number;
  /** Most aliased fields in an operation (`LIMIT_MAX_ALIASES`). @default 30 */
  maxAliases: number;
  /** Most fields at an operation's root (`LIMIT_MAX_ROOT_FIELDS`). @default 10 */
  maxRootFields: number;
  /** Most directives on one field or fragment (`LIMIT_MAX_DIRECTIVES_PER_FIELD`). @default 4 */
  maxDirectivesPerField: number;
  /** Most directives in an operation (`LIMIT_MAX_DIRECTIVES`). @default 50 */
  maxDirectives: number;
  /** List-size-aware cost (`LIMIT_MAX_COST`, `LIMIT_DEFAULT_LIST_SIZE`, `LIMIT_COST_FIELD_WEIGHTS`). */
  cost: CostOptions;
  /** Operations in one HTTP request (a JSON array body); 1 refuses batches (`LIMIT_MAX_BATCH`). @default 1 */
  maxBatch: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxTokens: 500,
  maxDepth: 15,
  maxAliases: 30,
  maxRootFields: 10,
  maxDirectivesPerField: 4,
  maxDirectives: 50,
  cost: DEFAULT_COST,
  maxBatch: 1,
};

/** The registry: every limit rule, configured. Runs with (and before) graphql's specified rules. */
export function limitRules(limits: OperationLimits): ValidationRule[] {
  return [
    maxDepthRule(limits.maxDepth),
    maxAliasesRule(limits.maxAliases),
    maxRootFieldsRule(limits.maxRootFields),
    maxDirectivesRule(limits.maxDirectivesPerField, limits.maxDirectives),
    costRule(limits.cost),
  ];
}

/** graphql's "Did you mean …?" field suggestions, which reveal the schema: stripped from messages. */
export const withoutSuggestions = (message: string): string => message.replace(/ ?Did you mean(.+?)\?$/, '');

/**
 * Parses and validates a document under the limits, as the HTTP pipeline does (Apollo Server runs
 * the same parse options and rules there): for paths Apollo Server does not serve, like graphql-ws.
 */
export function parseAndValidate(
  schema: GraphQLSchema,
  source: string,
  limits: OperationLimits,
): DocumentNode | readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    return [tokenLimitError(err, source, limits.maxTokens) ?? (err as GraphQLError)];
  }
  const errors = validate(schema, document, [...specifiedRules, ...limitRules(limits)]);
  for (const e of errors) e.message = withoutSuggestions(e.message);
  return errors.length ? errors : document;
}
