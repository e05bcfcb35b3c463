import { createServer } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express, { type Router } from 'express';
import { parse, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode } from '../../canonical/index.js';
import { readProjectFile } from '../../runtime/project.js';
import { toPublicError } from './errors.js';
import { jsonErrorHandler, listen, type RunningService } from '../../runtime/http.js';
import type { EventBus } from '../../events/bus.js';
import type { Logger } from '../../runtime/logger.js';
import { ingestRouter, type IngestSystem } from './ingest.js';

export interface SubgraphServerOptions<Ctx extends BaseContext> {
  /** Subgraph name as in supergraph.yaml (`erp`, `oms`, …). */
  name: string;
  /** Resolvers keyed by type name (checked against schema.graphql when the schema is built). */
  resolvers: object;
  /** Builds the per-request context (DataLoaders live here, never in module globals). */
  context: () => Ctx;
  /** Where to listen. */
  listen?: ListenOptions;
  /**
   * The `POST /ingest` router (subgraphs/common/ingest.ts), mounted before any body parser.
   * Absent: no ingest endpoint.
   */
  ingest?: Router;
}

/** Where a service listens. */
export interface ListenOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** What every subgraph's `start()` takes: its system's port, where to listen, and ingest. */
export interface SubgraphServiceOptions<Port> extends ListenOptions {
  /**
   * The backing system this subgraph reads, through its port. With ingest enabled it must also
   * accept changes (the memory adapters do).
   */
  system: Port;
  /**
   * Where `POST /ingest` publishes canonical events (`Streams.SOURCE`). Ingest is mounted only
   * when both `bus` and `webhookSecret` are given.
   */
  bus?: EventBus;
  /** The HMAC secret webhook senders sign with; at least 16 characters. Never logged. */
  webhookSecret?: string;
  /** Receives ingest's log lines. @default none */
  logger?: Logger;
}

/** The ingest router a subgraph mounts when its options enable ingest (bus and secret), else undefined. */
export function ingestFromOptions<Port, N>(opts: SubgraphServiceOptions<Port>, system: () => IngestSystem<N>): Router | undefined {
  if (!opts.bus || opts.webhookSecret === undefined) return undefined;
  return ingestRouter({ system: system(), bus: opts.bus, secret: opts.webhookSecret, logger: opts.logger });
}

/** Parses `subgraphs/<name>/schema.graphql`, the subgraph's source of truth. */
export function loadSubgraphSchema(name: string) {
  return parse(readProjectFile(`subgraphs/${name}/schema.graphql`));
}

/**
 * Answers HTTP 429 with `Retry-After` when the backing system refused the fetch for its rate
 * limit, so the gateway (and any client) can back off; the body still carries `RATE_LIMITED`.
 */
const rateLimitStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const limited = response.body.singleResult.errors?.filter((e) => e.extensions?.code === ErrorCode.RATE_LIMITED) ?? [];
        if (limited.length === 0) return;
        const retryAfter = Math.max(1, ...limited.map((e) => Number(e.extensions?.retryAfter) || 1));
        response.http.status = 429;
        response.http.headers.set('retry-after', String(retryAfter));
      },
    };
  },
};

/** Public errors pass through; anything else is reported without internals or stack. */
export function formatPublicError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
  const mapped = toPublicError(unwrapResolverError(error));
  return { message: mapped.message, locations: formatted.locations, path: formatted.path, extensions: mapped.extensions };
}

/** Starts one subgraph: Apollo Server 5 on Express 5, `/graphql`, `/health/live`, `/health/ready`, and `/ingest` when given. */
export async function startSubgraphServer<Ctx extends BaseContext>(opts: SubgraphServerOptions<Ctx>): Promise<RunningService> {
  const app = express();
  const httpServer = createServer(app);
  const schema = buildSubgraphSchema({ typeDefs: loadSubgraphSchema(opts.name), resolvers: opts.resolvers as never });
  const apollo = new ApolloServer<Ctx>({
    schema,
    includeStacktraceInErrorResponses: false,
    formatError: formatPublicError,
    // Inline traces (ftv1) only feed Apollo Studio; the gateway does not report there.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled(), rateLimitStatusPlugin],
  });
  await apollo.start();
  app.disable('x-powered-by');
  app.get('/health/live', (_req, res) => { res.json({ status: 'ok', service: opts.name }); });
  app.get('/health/ready', (_req, res) => { res.json({ status: 'ready', service: opts.name }); });
  if (opts.ingest) app.use('/ingest', opts.ingest);
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo, { context: async () => opts.context() }));
  app.use(jsonErrorHandler);
  return listen(opts.name, httpServer, opts.listen?.port ?? 0, opts.listen?.host ?? '127.0.0.1', () => apollo.stop());
}
