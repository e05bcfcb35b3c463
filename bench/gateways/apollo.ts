/**
 * Target (a) of `bench/gateways.ts`: plain @apollo/gateway on @apollo/server with defaults —
 * `new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) })` and startStandaloneServer —
 * from the bench package's own node_modules. Not meant to be run by hand.
 *
 * Environment: BENCH_SUPERGRAPH (the peers' supergraph file), PORT, HOST.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const supergraphSdl = readFileSync(process.env.BENCH_SUPERGRAPH!, 'utf8');
const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' },
});
process.stdout.write(`apollo gateway listening at ${url}\n`);
const stop = (): void => void server.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
