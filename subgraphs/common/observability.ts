import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { CONSUMER_POLICIES, IDENTITY_HEADER, verifyIdentity, type Identity } from '../../canonical/index.js';
import type { Logger } from '../../runtime/logger.js';
import { ServiceMetrics } from '../../runtime/metrics.js';
import { endSpan, incomingTraceContext, otelContext, SpanKind, trace, tracer } from '../../runtime/telemetry.js';

/** The request id header the gateway forwards (and a subgraph echoes). */
const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The route label of a path: a fixed set, so no caller can create label values. */
function routeOf(path: string): string {
  if (path === '/graphql' || path.startsWith('/graphql?')) return 'graphql';
  if (path.startsWith('/ingest')) return 'ingest';
  if (path.startsWith('/health/')) return 'health';
  if (path === '/metrics' || path.startsWith('/metrics?')) return 'metrics';
  return 'other';
}

/** A subgraph's metrics: `ovg_subgraph_requests_total{subgraph,route,status}` and `ovg_subgraph_request_duration_seconds{subgraph,route}`, plus the process metrics. */
export class SubgraphMetrics {
  readonly metrics: ServiceMetrics;
  readonly requests;
  readonly seconds;
  constructor(readonly subgraph: string) {
    this.metrics = new ServiceMetrics(subgraph);
    this.requests = this.metrics.counter(
      'ovg_subgraph_requests_total',
      'Requests a subgraph served, by route (graphql, ingest, health, metrics, other) and HTTP status',
      ['subgraph', 'route', 'status'],
    );
    this.seconds = this.metrics.histogram(
      'ovg_subgraph_request_duration_seconds',
      'Time a subgraph took to answer, by route',
      ['subgraph', 'route'],
    );
  }
}

/**
 * Per request, before every route: the request id (`x-request-id` from the gateway when sane, else
 * generated; echoed), a SERVER span continuing the caller's W3C `traceparent`, the RED metrics, and
 * one pino access line (`"msg":"request"`: request id, route, consumer, operation name, status,
 * duration — chosen fields only, never a header or a body).
 */
export function observeRequests(m: SubgraphMetrics, logger: Logger | undefined): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const given = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const route = routeOf(req.originalUrl ?? req.url);
    const parent = incomingTraceContext(req.headers);
    const span = tracer().startSpan(
      `${req.method} /${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'ovg.subgraph': m.subgraph, 'ovg.request_id': requestId, 'http.request.method': req.method },
      },
      parent,
    );
    res.once('finish', () => {
      const status = res.statusCode;
      const seconds = (performance.now() - started) / 1000;
      m.requests.inc({ subgraph: m.subgraph, route, status: String(status) });
      m.seconds.observe({ subgraph: m.subgraph, route }, seconds);
      const identity = res.locals.identity as Identity | undefined;
      const body = req.body as { operationName?: unknown } | undefined;
      const operation = typeof body?.operationName === 'string' ? body.operationName.slice(0, 100) : undefined;
      span.setAttributes({
        'http.response.status_code': status,
        ...(identity ? { 'ovg.consumer': identity.consumer } : {}),
        ...(operation ? { 'graphql.operation.name': operation } : {}),
      });
      endSpan(span, status >= 500 ? `HTTP ${status}` : undefined);
      logger?.info(
        {
          requestId,
          route,
          method: req.method,
          consumer: identity?.consumer,
          operation,
          status,
          durationMs: Math.round(seconds * 10_000) / 10,
        },
        'request',
      );
    });
    otelContext.with(trace.setSpan(parent, span), next);
  };
}

/**
 * Whether a request may read this subgraph's `/metrics` on its service port: it carries the
 * gateway's signed identity (`x-gateway-identity`) of a consumer allowed operational data (ops).
 * A scraper without one uses the metrics port (`METRICS_PORT`).
 */
export function operatorSigned(secret: string): (req: IncomingMessage) => Promise<boolean> {
  return async (req) => {
    const header = req.headers[IDENTITY_HEADER];
    const identity = verifyIdentity(typeof header === 'string' ? header : undefined, secret);
    return !!identity && CONSUMER_POLICIES[identity.consumer as keyof typeof CONSUMER_POLICIES]?.operational === true;
  };
}
