import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { Span as SdkSpan } from '@opentelemetry/sdk-trace-base';

/**
 * The span processors of the process: the OTLP exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` is
 * set, plus any added at run time (a test's in-memory exporter). Spans are always created and
 * propagated (W3C `traceparent`), so a trace crosses the gateway and the subgraphs whether or not
 * it is exported.
 */
class ProcessorList implements SpanProcessor {
  readonly list = new Set<SpanProcessor>();
  onStart(span: SdkSpan, parent: Context): void {
    for (const p of this.list) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.list) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all([...this.list].map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all([...this.list].map((p) => p.shutdown()));
  }
}

/** What {@link setUpTracing} set up. */
export interface Tracing {
  /** Whether spans are exported (OTLP over HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  exporting: boolean;
  /** Adds a span processor (tests: an in-memory exporter); returns its removal. */
  addSpanProcessor(processor: SpanProcessor): () => void;
  /** Exports what is pending and stops (process exit). */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/**
 * Where spans are exported: `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
 * undefined when unset (no export). @throws Error saying what arrived when it is not an http(s) URL
 */
export function otlpEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const name = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const endpoint = env[name]?.trim();
  if (!endpoint) return undefined;
  let protocol = '';
  try {
    protocol = new URL(endpoint).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new Error(
      `${name} must be an http(s) URL such as http://127.0.0.1:4318; received ${JSON.stringify(endpoint.slice(0, 100))}`,
    );
  }
  return endpoint;
}

/**
 * Registers the process's tracer provider once (idempotent: the embedded stack runs several
 * services in one process): AsyncLocalStorage context, the W3C trace-context propagator, and the
 * OTLP/HTTP exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (off by default; the exporter reads
 * the standard `OTEL_EXPORTER_OTLP_*` variables). @apollo/gateway's own spans (plan, fetch) go
 * through the same provider via @opentelemetry/api.
 * @param env @default process.env
 */
export function setUpTracing(env: NodeJS.ProcessEnv = process.env): Tracing {
  if (installed) return installed;
  const processors = new ProcessorList();
  const exporting = otlpEndpoint(env) !== undefined;
  if (exporting) processors.list.add(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({ spanProcessors: [processors] });
  provider.register();
  installed = {
    exporting,
    addSpanProcessor: (p) => {
      processors.list.add(p);
      return () => void processors.list.delete(p);
    },
    shutdown: () => provider.shutdown(),
  };
  return installed;
}

/** The tracer of this project's own spans (request, subgraph fetch). */
export function tracer(): Tracer {
  return trace.getTracer('order-visibility-gateway');
}

/** A W3C `traceparent`: version 00, 32 hex trace id, 16 hex parent id, 2 hex flags (not all zero ids). */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace context a caller sent (`traceparent`, `tracestate`), or the root context when it sent none or a malformed one. */
export function incomingTraceContext(headers: Readonly<Record<string, unknown>>): Context {
  const traceparent = headers.traceparent;
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent.trim())) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, {
    traceparent: traceparent.trim(),
    ...(typeof headers.tracestate === 'string' ? { tracestate: headers.tracestate } : {}),
  });
}

/** Writes `traceparent` (and `tracestate`) of `ctx` into `headers`. */
export function injectTraceContext(ctx: Context, headers: Record<string, string>): void {
  propagation.inject(ctx, headers);
}

/** Ends `span` as failed when `error` is given, after recording it without its message's secrets (the code only). */
export function endSpan(span: Span, failure?: string): void {
  if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
  span.end();
}

export { context as otelContext, SpanKind, trace };
