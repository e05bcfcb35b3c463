/**
 * OpenTelemetry (issue 11 item 5): a caller's W3C `traceparent` is continued by the gateway, every
 * subgraph fetch gets a span whose context reaches the subgraph as `traceparent`, @apollo/gateway's
 * own spans hang under the request span, and the subgraph continues the same trace.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { setUpTracing } from '../../runtime/telemetry.js';
import { gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

const ORDERS = 20;
const exporter = new InMemorySpanExporter();
let removeExporter: () => void;
let s: Stack;
const seen: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  removeExporter = setUpTracing().addSpanProcessor(new SimpleSpanProcessor(exporter));
  s = await stack({ orders: ORDERS });
  for (const name of ['oms', 'erp'] as const)
    s.subgraphs[name].service.httpServer.prependListener('request', (req) => void seen.push(req.headers));
});
afterAll(async () => {
  removeExporter?.();
  await s?.stop();
});

const hex = (n: number): string =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const parts = (traceparent: unknown): { traceId: string; parentId: string } => {
  const [, traceId = '', parentId = ''] = String(traceparent).split('-');
  return { traceId, parentId };
};

/** The spans of one trace, and each span's chain of ancestors by name. */
function ancestry(trace: string): { spans: ReadableSpan[]; chain: (span: ReadableSpan) => string[] } {
  const spans = exporter.getFinishedSpans().filter((sp) => sp.spanContext().traceId === trace);
  const byId = new Map(spans.map((sp) => [sp.spanContext().spanId, sp]));
  const chain = (span: ReadableSpan): string[] => {
    const names: string[] = [];
    for (let p = byId.get(span.parentSpanContext?.spanId ?? ''); p; p = byId.get(p.parentSpanContext?.spanId ?? ''))
      names.push(p.name);
    return names;
  };
  return { spans, chain };
}

describe('traces across the gateway and the subgraphs', () => {
  it("should carry the caller's trace to every subgraph, with the gateway's fetch span as the subgraph span's parent", async () => {
    const traceId = hex(32);
    const clientSpan = hex(16);
    seen.length = 0;
    const id = demo(ORDERS).data.oms.orders[0]!.id;
    const r = await gql(s.gateway.url, `query TraceMe { order(id: "${id}") { id acceptedAt } }`, undefined, {
      traceparent: `00-${traceId}-${clientSpan}-01`,
    });
    expect(r.body.errors).toBeUndefined();
    const forwarded = seen.map((h) => h.traceparent).filter((t) => t !== undefined);
    expect(forwarded.length).toBeGreaterThanOrEqual(2); // oms and erp
    for (const t of forwarded) expect(parts(t).traceId).toBe(traceId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { spans, chain } = ancestry(traceId);
    const request = spans.find((sp) => sp.name === 'POST /graphql' && sp.attributes['ovg.subgraph'] === undefined);
    expect(request?.parentSpanContext?.spanId).toBe(clientSpan);
    expect(request?.attributes['graphql.operation.name']).toBe('TraceMe');
    for (const t of forwarded) {
      const fetchSpan = spans.find((sp) => sp.spanContext().spanId === parts(t).parentId);
      expect(fetchSpan?.name).toMatch(/^subgraph (oms|erp)$/);
      // @apollo/gateway's spans sit between the request span and the fetch span.
      expect(chain(fetchSpan!)).toEqual(expect.arrayContaining(['gateway.fetch', 'gateway.execute', 'POST /graphql']));
      const subgraphSpan = spans.find((sp) => sp.parentSpanContext?.spanId === parts(t).parentId);
      expect(subgraphSpan?.name).toBe('POST /graphql');
      expect(subgraphSpan?.attributes['ovg.subgraph']).toMatch(/^(oms|erp)$/);
    }
  });

  it('should start a new trace for a malformed traceparent, and still send one upstream', async () => {
    seen.length = 0;
    const r = await gql(s.gateway.url, '{ orders(first: 1) { edges { node { id } } } }', undefined, {
      traceparent: '00-not-a-trace-01',
    });
    expect(r.status).toBe(200);
    const t = seen.find((h) => h.traceparent !== undefined)?.traceparent;
    expect(t).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
