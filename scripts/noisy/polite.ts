/**
 * The well-behaved clients of `npm run noisy`, in a process of their own: an open-loop mix at a
 * fixed rate — storefront shoppers asking for their own order (`ShopperOrderStatus`, each with its
 * own token), the Salesforce agent console's `AgentOrderDetail`, a partner portal's persisted
 * `PartnerOrderFulfillment` by hash — and a few subscribers (shoppers on their own order, agents on
 * orders that change all along). Each request's latency runs from the time the schedule said to
 * send it, so a send held up by a busy machine counts. The runner says when a phase starts
 * (`{ phase, startAt, endAt }`); at its end this process sends the phase's samples back.
 *
 * Environment: NOISY_POLITE (a JSON {@link PoliteConfig}).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Rng } from '../../demo/rng.js';
import type { PoliteConfig, PoliteSample, PoliteSubscriptions } from './types.js';

const config = JSON.parse(process.env.NOISY_POLITE!) as PoliteConfig;
const ops = join(import.meta.dirname, '..', '..', 'operations');
const SHOPPER = readFileSync(join(ops, 'storefront', 'ShopperOrderStatus.graphql'), 'utf8');
const SHOPPER_LIVE = readFileSync(join(ops, 'storefront', 'ShopperOrderStatusChanged.graphql'), 'utf8');
const AGENT = readFileSync(join(ops, 'lwc', 'AgentOrderDetail.graphql'), 'utf8');
const AGENT_LIVE = readFileSync(join(ops, 'lwc', 'AgentOrderStatusChanged.graphql'), 'utf8');

/** The mix: of every 10 requests, 5 shoppers, 4 agents, 1 partner. */
const MIX: PoliteSample['op'][] = [
  'storefront',
  'agent',
  'storefront',
  'agent',
  'storefront',
  'partner',
  'storefront',
  'agent',
  'storefront',
  'agent',
];

let samples: PoliteSample[] = [];
let subs: PoliteSubscriptions = { events: 0, lagsMs: [], errors: {}, closes: 0 };
let n = 0;
// The agents' orders drawn at random (seeded), not in turn: taken in turn, each of the ids was asked
// every 15 s in lockstep with the 30 s response-cache TTL, so whole 15 s windows missed or hit
// together, and phase A had one missing window where B had two — a p99 difference with nothing
// to do with the abuser. Drawn, the hit ratio is the same all along.
const agentPick = new Rng(16, 1);

async function send(op: PoliteSample['op'], dueAt: number): Promise<void> {
  const i = n++;
  let headers: Record<string, string>;
  let body: unknown;
  if (op === 'storefront') {
    const s = config.shoppers[i % config.shoppers.length]!;
    headers = { authorization: s.authorization };
    body = { query: SHOPPER, variables: { orderId: s.orderId } };
  } else if (op === 'agent') {
    headers = { authorization: config.agent.authorization };
    body = { query: AGENT, variables: { orderId: agentPick.pick(config.agent.orderIds) } };
  } else {
    const p = config.partners[i % config.partners.length]!;
    headers = { 'x-api-key': p.apiKey };
    body = {
      variables: { orderId: p.orderId },
      extensions: { persistedQuery: { version: 1, sha256Hash: config.partnerHash } },
    };
  }
  const sample: PoliteSample = { op, dueAt, ms: 0, status: 0 };
  try {
    const res = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    sample.status = res.status;
    const cache = res.headers.get('x-cache');
    if (cache) sample.cache = cache;
    const answer = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    const code = answer.errors?.[0]?.extensions?.code;
    if (answer.errors?.length) sample.code = code ?? 'none';
  } catch {
    sample.status = 0;
  }
  sample.ms = Date.now() - dueAt;
  samples.push(sample);
}

/** Sends at `rate` per second from `startAt` to `endAt`, each on its due time whatever is in flight. */
async function run(startAt: number, endAt: number): Promise<void> {
  const gap = 1000 / config.rate;
  const pending: Promise<void>[] = [];
  for (let k = 0; ; k++) {
    const dueAt = startAt + k * gap;
    if (dueAt >= endAt) break;
    const wait = dueAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(MIX[k % MIX.length]!, Math.round(dueAt)));
  }
  await Promise.all(pending);
}

function subscriber(k: number): Client {
  const shopper = k % 2 === 0;
  const s = config.shoppers[k % config.shoppers.length]!;
  const client = createClient({
    url: config.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 5,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: { authorization: shopper ? s.authorization : config.agent.authorization },
    on: { closed: () => void subs.closes++ },
  });
  client.subscribe(
    shopper
      ? { query: SHOPPER_LIVE, variables: { orderId: s.orderId, customerId: s.customerId } }
      : { query: AGENT_LIVE, variables: { orderId: config.watchedOrderIds[k % config.watchedOrderIds.length] } },
    {
      next: (m) => {
        subs.events++;
        const at = Date.parse(String((m.data?.orderStatusChanged as { changedAt?: string } | undefined)?.changedAt));
        if (Number.isFinite(at)) subs.lagsMs.push(Date.now() - at);
      },
      error: (e) => {
        const code = String((e as { extensions?: { code?: string } }[])[0]?.extensions?.code ?? 'closed');
        subs.errors[code] = (subs.errors[code] ?? 0) + 1;
      },
      complete: () => undefined,
    },
  );
  return client;
}
const clients = Array.from({ length: config.subscribers }, (_, k) => subscriber(k));

process.on('message', (m) => {
  const msg = m as { phase?: string; startAt?: number; endAt?: number; stop?: boolean };
  if (msg.stop) {
    void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
    return;
  }
  if (msg.phase === undefined) return;
  samples = [];
  subs = { events: 0, lagsMs: [], errors: {}, closes: 0 };
  void run(msg.startAt!, msg.endAt!).then(() => process.send?.({ phase: msg.phase, samples, subs }));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
