import { createServer } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express, { type RequestHandler, type Router } from 'express';
import { parse, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  BOUND_MAX_AGE_SECONDS,
  bodyDigest,
  ErrorCode,
  IDENTITY_HEADER,
  perSystem,
  verifyBoundIdentity,
  type Identity,
} from '../../canonical/index.js';
import { enforceFieldRules } from './fieldRules.js';
import { MemoryNonceStore, type NonceStore } from './nonces.js';
import { DEV_IDENTITY_SECRET } from '../../runtime/identitySecret.js';
import { readProjectFile } from '../../runtime/project.js';
import { toPublicError } from './errors.js';
import { jsonErrorHandler, listen, type RunningService } from '../../runtime/http.js';
import type { EventBus } from '../../events/bus.js';
import type { OrderVersions } from '../../events/versions.js';
import type { Logger } from '../../runtime/logger.js';
import type { AuditLog } from './auditLog.js';
import type { ActionResults } from './idempotency.js';
import type { ActionLock } from './keyedLock.js';
import type { GatewayLocation } from './gatewayClient.js';
import {
  createIngestApplier,
  ingestRouter,
  type IngestApplier,
  type IngestSystem,
  type RefusedWebhook,
} from './ingest.js';
import type { IngestLedger } from './ingestLedger.js';
import { answerMetrics, startMetricsServer } from '../../runtime/metrics.js';
import { PROCESS_OWNS_SHUTDOWN } from '../../runtime/process.js';
import { setUpTracing } from '../../runtime/telemetry.js';
import { observeRequests, operatorSigned, SubgraphMetrics } from './observability.js';

/** What every subgraph's request context carries: the verified caller (its field rules read it). */
export interface SubgraphContext extends BaseContext {
  identity: Identity;
}

export interface SubgraphServerOptions<Ctx extends SubgraphContext> {
  /** Subgraph name as in supergraph.yaml (`erp`, `oms`, …). */
  name: string;
  /** Resolvers keyed by type name (checked against schema.graphql when the schema is built). */
  resolvers: object;
  /** Builds the per-request context from the caller's verified identity (DataLoaders live here, never in module globals). */
  context: (identity: Identity) => Ctx;
  /** Verifies the gateway's signed identity header on every `/graphql` request (see {@link SubgraphServiceOptions.identitySecret}). */
  identity: IdentityCheck;
  /** Where to listen. */
  listen?: ListenOptions;
  /** Refusals of unsigned requests are logged here. */
  logger?: Logger;
  /** `Cache-Control: max-age` of answers, seconds. @default DEFAULT_CACHE_MAX_AGE_SECONDS[name] */
  cacheMaxAgeSeconds?: number;
  /**
   * The `POST /ingest` router (subgraphs/common/ingest.ts), mounted before any body parser.
   * Absent: no ingest endpoint.
   */
  ingest?: Router;
  /** The service's metrics, when the caller feeds some of its own (the visibility store's counts). @default new ones */
  metrics?: SubgraphMetrics;
}

/** Where a service listens. */
export interface ListenOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * A second port serving only `GET /metrics` without a credential, for a scraper on a private
   * network (`METRICS_PORT` / `<NAME>_METRICS_PORT`). On the service port `/metrics` needs the
   * gateway's signed identity of an ops caller. @default none
   */
  metricsPort?: number;
}

/**
 * How long each system's answers may be kept by the gateway, seconds (`Cache-Control: max-age`):
 * ingest bumps the order versions on every change, so these only bound how long a change the
 * system did not announce can stay unseen.
 */
export const DEFAULT_CACHE_MAX_AGE_SECONDS: Readonly<Record<string, number>> = perSystem((s) => s.cacheMaxAgeSeconds);

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
  /** Bumped by ingest before each 2xx (ARCHITECTURE.md, "Caching without lying"). @default none */
  versions?: OrderVersions;
  /**
   * The secret the gateway signs `x-gateway-identity` with (`GATEWAY_IDENTITY_SECRET`). Every
   * `/graphql` request without a valid signature is refused with 401 `UNAUTHENTICATED`, so
   * `_entities` fetches can only follow an entry point the gateway guarded.
   * @default DEV_IDENTITY_SECRET (development only)
   */
  identitySecret?: string;
  /**
   * Trust mode, for the benchmark's peer gateways only (bench/gateways/subgraphs.ts): requests
   * without the signature are served as the widest reading identity (`ops`: every row, every
   * internal and operational field), so a peer that does not sign is given what our gateway may
   * ask for. Never the default, never read from the environment, refused when
   * `NODE_ENV=production`; logged loudly when on. @default false
   */
  trustUnsignedRequests?: boolean;
  /**
   * The gateway's GraphQL URL (`GATEWAY_URL`), for the actions that re-read other owners' facts as
   * the internal service identity (docs/returns.md); a function when the gateway starts after the
   * subgraph (the embedded stack). Absent: the actions answer `UPSTREAM_UNAVAILABLE`.
   */
  gatewayUrl?: GatewayLocation;
  /** Where the actions record who requested and decided what (docs/returns.md). @default a MemoryAuditLog per subgraph */
  audit?: AuditLog;
  /**
   * The actions' per-order lock. The visibility store's (`VisibilityStore.actionLocks`, a lease row
   * per order) holds across every replica sharing the database. @default an in-process KeyedLock
   */
  actionLock?: ActionLock;
  /**
   * The actions' results by idempotency key. The visibility store's (`VisibilityStore.actionResults`)
   * is shared by every replica and survives restarts. @default in process memory (IdempotencyKeys)
   */
  actionResults?: ActionResults;
  /**
   * Ingest's idempotency ledger. The visibility store's (`VisibilityStore.ledger`) is shared by every
   * replica and survives restarts. @default an in-process one (see subgraphs/common/ingestLedger.ts)
   */
  ledger?: IngestLedger;
  /** Keeps webhooks refused with a 409 as ingest dead letters (e.g. `VisibilityStore.deadLetters.recordIngest`). @default none */
  keepRefused?: (letter: RefusedWebhook) => Promise<void>;
  /**
   * Where nonces of single-use identity headers (row-ruled `_entities` fetches) are remembered;
   * shared in Redis by a subgraph's replicas. @default an in-process store
   */
  nonces?: NonceStore;
}

/** How a subgraph checks who is calling. */
export interface IdentityCheck {
  /** This subgraph's name: a header must be bound to it. */
  subgraph: string;
  secret: string;
  trustUnsigned: boolean;
  nonces: NonceStore;
}

/** The identity check of a subgraph's options, warning when trust mode is on. */
export function identityCheckFromOptions<Port>(name: string, opts: SubgraphServiceOptions<Port>): IdentityCheck {
  const trustUnsigned = opts.trustUnsignedRequests === true;
  if (trustUnsigned && process.env.NODE_ENV === 'production')
    throw new Error(
      `${name}: trustUnsignedRequests is a benchmark-only switch and is refused with NODE_ENV=production`,
    );
  if (trustUnsigned)
    opts.logger?.warn(`${name}: trust mode — unsigned requests are served as an all-rows identity (benchmarks only)`);
  return {
    subgraph: name,
    secret: opts.identitySecret ?? DEV_IDENTITY_SECRET,
    trustUnsigned,
    nonces: opts.nonces ?? new MemoryNonceStore(),
  };
}

/**
 * The identity requests without a signature get in trust mode: the widest reading consumer (`ops`
 * holds every scope `@requiresScopes` checks), so the benchmark's peers, which strip the auth
 * directives and sign nothing, are answered in full as a salesforce or ops caller of ours is.
 */
const TRUSTED_UNSIGNED: Identity = { consumer: 'ops', subject: 'trust-mode', scopes: [] };

/**
 * The caller's identity from the gateway's signed header, or a 401 with a GraphQL error body. The
 * header must be bound to this subgraph and to the body that arrived (its SHA-256, computed while
 * the body is parsed), at most 30 s old, and — when it carries a nonce (row-ruled `_entities`) —
 * never seen before. The reason stays in the log: a caller that is not the gateway learns only
 * that it was refused.
 */
function verifiedIdentity(check: IdentityCheck, logger: Logger | undefined): RequestHandler {
  return (req, res, next) => {
    const header = req.headers[IDENTITY_HEADER];
    const refuse = (why: string): void => {
      logger?.warn(
        { present: header !== undefined, why },
        'refused a request without a valid gateway identity signature',
      );
      res.status(401).json({
        errors: [
          {
            message: `expected a request signed by the gateway (${IDENTITY_HEADER}); this subgraph serves only the gateway`,
            extensions: { code: ErrorCode.UNAUTHENTICATED },
          },
        ],
      });
    };
    if (header === undefined && check.trustUnsigned) {
      res.locals.identity = TRUSTED_UNSIGNED;
      return next();
    }
    const digest = (req as { bodySha256?: string }).bodySha256 ?? bodyDigest('');
    const bound = verifyBoundIdentity(typeof header === 'string' ? header : undefined, check.secret, {
      subgraph: check.subgraph,
      bodySha256: digest,
    });
    if (!bound) return refuse('invalid, unbound, stale, or bound to another subgraph or body');
    if (bound.nonce === undefined) {
      res.locals.identity = bound.identity;
      return next();
    }
    check.nonces.claim(bound.nonce, BOUND_MAX_AGE_SECONDS * 1000 + 5_000).then((fresh) => {
      if (!fresh) return refuse(`single-use header replayed (request ${bound.requestId})`);
      res.locals.identity = bound.identity;
      next();
    }, next);
  };
}

/** The ingest router a subgraph mounts when its options enable ingest (bus and secret), else undefined. */
export function ingestFromOptions<Port, N>(
  opts: SubgraphServiceOptions<Port>,
  system: () => IngestSystem<N>,
  applier?: IngestApplier,
): Router | undefined {
  if (!opts.bus || opts.webhookSecret === undefined) return undefined;
  return ingestRouter({
    system: system(),
    bus: opts.bus,
    secret: opts.webhookSecret,
    logger: opts.logger,
    versions: opts.versions,
    ledger: opts.ledger,
    keepRefused: opts.keepRefused,
    applier,
  });
}

/**
 * The applier a subgraph's actions and its `/ingest` share (one ledger, one queue), when a bus is
 * given; undefined otherwise (then the subgraph has no actions).
 */
export function applierFromOptions<Port, N>(
  opts: SubgraphServiceOptions<Port>,
  system: IngestSystem<N>,
): IngestApplier | undefined {
  if (!opts.bus) return undefined;
  return createIngestApplier({
    system: system as IngestSystem<unknown>,
    bus: opts.bus,
    logger: opts.logger,
    versions: opts.versions,
    ledger: opts.ledger,
  });
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
        const limited =
          response.body.singleResult.errors?.filter((e) => e.extensions?.code === ErrorCode.RATE_LIMITED) ?? [];
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
  return {
    message: mapped.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: mapped.extensions,
  };
}

/** Starts one subgraph: Apollo Server 5 on Express 5, `/graphql`, `/health/live`, `/health/ready`, and `/ingest` when given. */
export async function startSubgraphServer<Ctx extends SubgraphContext>(
  opts: SubgraphServerOptions<Ctx>,
): Promise<RunningService> {
  const app = express();
  const httpServer = createServer(app);
  const schema = buildSubgraphSchema({ typeDefs: loadSubgraphSchema(opts.name), resolvers: opts.resolvers as never });
  enforceFieldRules(schema, (context) => (context as Partial<SubgraphContext> | undefined)?.identity);
  const apollo = new ApolloServer<Ctx>({
    schema,
    includeStacktraceInErrorResponses: false,
    ...PROCESS_OWNS_SHUTDOWN,
    formatError: formatPublicError,
    // Inline traces (ftv1) only feed Apollo Studio; the gateway does not report there.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      rateLimitStatusPlugin,
      // How long the gateway may keep this system's answers: `Cache-Control: max-age` bounds its TTLs.
      ApolloServerPluginCacheControl({
        defaultMaxAge: opts.cacheMaxAgeSeconds ?? DEFAULT_CACHE_MAX_AGE_SECONDS[opts.name] ?? 0,
      }),
    ],
  });
  await apollo.start();
  app.disable('x-powered-by');
  setUpTracing();
  const metrics = opts.metrics ?? new SubgraphMetrics(opts.name);
  // Request id, trace span (continuing the gateway's traceparent), RED metrics, access log line.
  app.use(observeRequests(metrics, opts.logger));
  const isOperator = operatorSigned(opts.identity.secret);
  app.all('/metrics', (req, res, next) => {
    answerMetrics(metrics.metrics, req, res, isOperator).catch(next);
  });
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: opts.name });
  });
  app.get('/health/ready', (_req, res) => {
    res.json({ status: 'ready', service: opts.name });
  });
  if (opts.ingest) app.use('/ingest', opts.ingest);
  // The body is parsed first so that its SHA-256 (what the gateway signed) is known to the check.
  const json = express.json({
    limit: '1mb',
    verify: (req, _res, buf) => {
      (req as { bodySha256?: string }).bodySha256 = bodyDigest(buf);
    },
  });
  app.use(
    '/graphql',
    json,
    verifiedIdentity(opts.identity, opts.logger),
    expressMiddleware(apollo, {
      context: async ({ res }) => opts.context(res.locals.identity as Identity),
    }),
  );
  app.use(jsonErrorHandler);
  const host = opts.listen?.host ?? '127.0.0.1';
  const metricsServer =
    opts.listen?.metricsPort !== undefined
      ? await startMetricsServer(metrics.metrics, opts.listen.metricsPort, host)
      : undefined;
  return listen(opts.name, httpServer, opts.listen?.port ?? 0, host, async () => {
    await metricsServer?.stop();
    await apollo.stop();
  });
}
