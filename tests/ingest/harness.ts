import type { CloudEvent } from '../../canonical/index.js';
import { generateDemo } from '../../demo/index.js';
import type { DemoData, SystemName } from '../../demo/records.js';
import { Streams, type EventBus } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import type { RunningService } from '../../runtime/http.js';
import { MemoryCarrier } from '../../subgraphs/carrier/adapters/memory.js';
import { start as startCarrier } from '../../subgraphs/carrier/server.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { MemoryErp } from '../../subgraphs/erp/adapters/memory.js';
import { start as startErp } from '../../subgraphs/erp/server.js';
import { MemoryOms } from '../../subgraphs/oms/adapters/memory.js';
import { start as startOms } from '../../subgraphs/oms/server.js';
import { MemoryReturns } from '../../subgraphs/returns/adapters/memory.js';
import { start as startReturns } from '../../subgraphs/returns/server.js';
import { MemoryWms } from '../../subgraphs/wms/adapters/memory.js';
import { start as startWms } from '../../subgraphs/wms/server.js';
import { gql, type GqlResponse } from '../helpers/http.js';

export const SECRET = 'test-webhook-secret-0123456789';

/** A fresh demo world (tests change it, so never shared between tests). */
export const freshDemo = (orders = 120) => generateDemo({ orders });

/** Starts one subgraph over its memory simulator with ingest on `bus`. */
export function startSubgraph(
  name: SystemName,
  data: DemoData,
  bus: EventBus,
  secret = SECRET,
): Promise<RunningService> {
  const common = { port: 0, bus, webhookSecret: secret };
  switch (name) {
    case 'erp':
      return startErp({ ...common, system: new MemoryErp(data.erp) });
    case 'oms':
      return startOms({ ...common, system: new MemoryOms(data.oms) });
    case 'wms':
      return startWms({ ...common, system: new MemoryWms(data.wms) });
    case 'carrier':
      return startCarrier({ ...common, system: new MemoryCarrier(data.carrier) });
    case 'returns':
      return startReturns({ ...common, system: new MemoryReturns(data.returns) });
  }
}

/** What an ingest endpoint answered. */
export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A subgraph with ingest, its bus and its data, on real ports. */
export interface Harness {
  service: RunningService;
  bus: MemoryEventBus;
  data: DemoData;
  scenarios: ReturnType<typeof freshDemo>['scenarios'];
  /** POSTs `body` (an object is JSON-encoded) to /ingest, signed unless `sign: false`. */
  post(
    body: unknown,
    opts?: { sign?: boolean; headers?: Record<string, string>; nowSeconds?: number; secret?: string },
  ): Promise<Answer>;
  /** Runs a GraphQL operation against the subgraph itself. */
  query(query: string, variables?: Record<string, unknown>): Promise<GqlResponse>;
  /** Every event published on the source stream so far. */
  published(): Promise<CloudEvent[]>;
  stop(): Promise<void>;
}

export async function harness(name: SystemName, orders = 120): Promise<Harness> {
  const { data, scenarios } = freshDemo(orders);
  const bus = new MemoryEventBus();
  const service = await startSubgraph(name, data, bus);
  return {
    service,
    bus,
    data,
    scenarios,
    post: (body, opts = {}) => post(`${service.origin}/ingest`, body, opts),
    query: (q, v) => gql(service.url, q, v),
    published: async () => (await bus.read(Streams.SOURCE, { count: 10_000 })).map((e) => e.event),
    stop: async () => {
      await service.stop();
      await bus.close();
    },
  };
}

export async function post(
  url: string,
  body: unknown,
  opts: { sign?: boolean; headers?: Record<string, string>; nowSeconds?: number; secret?: string } = {},
): Promise<Answer> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signed =
    opts.sign === false
      ? { 'content-type': 'application/json' }
      : signWebhook(opts.secret ?? SECRET, raw, opts.nowSeconds);
  const res = await fetch(url, { method: 'POST', headers: { ...signed, ...opts.headers }, body: raw });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: the assertion shows it
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** An ISO time `minutes` after the demo epoch (after every demo record). */
export const after = (minutes: number): string =>
  new Date(Date.parse('2026-11-01T00:00:00.000Z') + minutes * 60_000).toISOString();
