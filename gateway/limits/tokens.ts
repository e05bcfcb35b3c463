import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import { limitExceeded } from './limitExceeded.js';

/**
 * Counts a document's tokens as graphql's parser does (comments excluded), stopping once past
 * `stopAfter`; a lexing error ends the count (the parser reports it).
 */
export function countTokens(source: string, stopAfter = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(source));
  let n = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF && n <= stopAfter) n++;
  } catch {
    /* the parser reports syntax errors */
  }
  return n;
}

// graphql 16 spells it "more that N tokens".
const TOO_MANY = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/;

/**
 * graphql's `parse(source, { maxTokens })` aborts as soon as the document passes the limit, before
 * building the rest of the tree; this turns its syntax error into the LIMIT_EXCEEDED refusal, with
 * the document's token count (counted by the lexer alone, up to 100× the limit). Undefined when
 * `err` is another syntax error.
 */
export function tokenLimitError(err: unknown, source: string, maxTokens: number): GraphQLError | undefined {
  if (!(err instanceof GraphQLError) || !TOO_MANY.test(err.message)) return undefined;
  return limitExceeded('document token count', countTokens(source, maxTokens * 100), maxTokens);
}
