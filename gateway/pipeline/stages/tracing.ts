import {
  endSpan,
  incomingTraceContext,
  injectTraceContext,
  otelContext,
  SpanKind,
  trace,
  tracer,
} from '../../../runtime/telemetry.js';
import type { GatewayContext } from '../context.js';
import type { Stage } from '../stage.js';
import { operationNameOf } from './accessLog.js';

/** The attributes every request span carries once the caller is known. */
function requestAttributes(context: GatewayContext | undefined, operation: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (context) attributes['ovg.consumer'] = context.identity.consumer;
  if (operation) attributes['graphql.operation.name'] = operation;
  if (context?.requestId) attributes['ovg.request_id'] = context.requestId;
  if (context?.actingUser) {
    attributes['ovg.acting_user'] = context.actingUser.actingUser;
    attributes['ovg.acting_user.asserted_by'] = context.actingUser.assertedBy;
  }
  return attributes;
}

/**
 * OpenTelemetry tracing (runtime/telemetry.ts sets up the provider; export is off unless
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set):
 * - `aroundRequest`: a SERVER span per HTTP request, continuing the caller's W3C `traceparent`
 *   (a malformed one starts a new trace); everything after runs inside it, so @apollo/gateway's
 *   own spans (plan, fetch) are its children;
 * - `onRequest` (graphql-ws): a span per `subscribe`, continuing the `traceparent` of the
 *   connection's `connection_init` payload;
 * - `onSubgraphFetch`: a CLIENT span per subgraph fetch, whose context travels upstream as
 *   `traceparent`; the subgraph continues the trace from it.
 */
export function tracingStage(): Stage {
  return {
    name: 'tracing',
    async aroundRequest(call, next) {
      const parent = incomingTraceContext(call.headers);
      const span = tracer().startSpan(
        `${call.method} /graphql`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': call.method } },
        parent,
      );
      let status = 500;
      try {
        status = await otelContext.with(trace.setSpan(parent, span), next);
        return status;
      } finally {
        span.setAttributes({
          ...requestAttributes(
            call.context,
            call.context?.facts.operationName ?? operationNameOf(call.operations[0]?.operationName),
          ),
          'http.response.status_code': status,
        });
        endSpan(span, status >= 500 ? `HTTP ${status}` : undefined);
      }
    },
    onRequest(call, context) {
      if (call.transport !== 'ws') return undefined;
      const operation = operationNameOf(call.operations[0]?.operationName);
      const span = tracer().startSpan(
        `subscribe ${operation ?? ''}`.trim(),
        { kind: SpanKind.SERVER, attributes: requestAttributes(context, operation) },
        incomingTraceContext(call.headers),
      );
      span.end();
      return undefined;
    },
    async onSubgraphFetch(fetch, next) {
      const parent = otelContext.active();
      const span = tracer().startSpan(
        `subgraph ${fetch.subgraph}`,
        { kind: SpanKind.CLIENT, attributes: { 'ovg.subgraph': fetch.subgraph } },
        parent,
      );
      const ctx = trace.setSpan(parent, span);
      injectTraceContext(ctx, (fetch.headers ??= {}));
      try {
        const response = await otelContext.with(ctx, next);
        const code = response.errors?.[0]?.extensions?.code;
        endSpan(span, code !== undefined ? String(code) : fetch.servedStale ? 'served stale' : undefined);
        return response;
      } catch (err) {
        endSpan(span, String((err as { extensions?: { code?: unknown } }).extensions?.code ?? 'failed'));
        throw err;
      }
    },
  };
}
