import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations from the storefront's documents in operations/storefront, against the released
 * client schema (supergraph API schema + the gateway's Subscription): `npm run codegen` writes
 * src/gql/ (not committed; the build regenerates it).
 */
const config: CodegenConfig = {
  schema: '../../schema/released.graphql',
  documents: ['../../operations/storefront/*.graphql'],
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars: { DateTime: 'string', JSON: 'unknown' }, enumsAsTypes: true, useTypeImports: true },
    },
  },
  silent: true,
};

export default config;
