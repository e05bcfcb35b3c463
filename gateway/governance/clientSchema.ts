import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, extendSchema, parse, printSchema, type GraphQLSchema } from 'graphql';
import { stripAccessDirectives } from '../access/rules.js';
import { SUBSCRIPTION_SDL } from '../subscriptions/schema.js';

/** The header of `schema/released.graphql`; comments are not part of the schema. */
export const RELEASED_HEADER = [
  '# The released client schema: the supergraph API schema + the gateway-declared Subscription.',
  '# Written by `npm run schema:release`; `npm run schema:check` compares the current schema with it.',
  '# Do not edit by hand (docs/schema-governance.md).',
].join('\n');

/**
 * The API schema of a supergraph (what @apollo/gateway serves: federation internals such as
 * `join__*`, `_entities` and `@inaccessible` elements removed), built the way the gateway builds it
 * (from the supergraph without the access directives ApolloGateway refuses).
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(stripAccessDirectives(supergraphSdl)).apiSchema().toGraphQLJSSchema();
}

/**
 * The client schema: the API schema extended with the gateway-declared `SUBSCRIPTION_SDL`,
 * the same extension `buildClientSchema` applies in the gateway (without the resolvers).
 */
export function clientSchemaOf(supergraphSdl: string): GraphQLSchema {
  return extendSchema(apiSchemaOf(supergraphSdl), parse(SUBSCRIPTION_SDL));
}

/** The client schema as the SDL `schema/released.graphql` holds (header, SDL, final newline). */
export function printReleased(schema: GraphQLSchema): string {
  return `${RELEASED_HEADER}\n\n${printSchema(schema)}\n`;
}

/** Builds the schema of a released SDL file's text. */
export function readReleased(sdl: string): GraphQLSchema {
  return buildSchema(sdl);
}
