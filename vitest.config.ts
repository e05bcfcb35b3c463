import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql instance, the one Node resolves (graphql 16 ships CJS `main` and ESM `module`):
    // Apollo and graphql-ws load it through Node, so our code must too, or `instanceof
    // GraphQLError` and schema realm checks fail between the two copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Generous: many tests start whole stacks, and two forks share two cores; a hang still fails.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites start real servers on port 0; forks keep their sockets and timers apart.
    pool: 'forks',
    // Two files at a time even on two cores (Vitest's default there is one): most of the suite
    // waits on sockets, timers and child processes, so the second fork keeps the cores busy and the
    // whole suite well under 15 minutes. Timing-sensitive tests poll for what a client would see.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.ci/results.json' } : undefined,
  },
});
