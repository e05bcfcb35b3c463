/**
 * The one abusive client of `npm run noisy`, in a process of its own: one storefront shopper (one
 * token, one caller) trying, in turn, to take more than its budgets —
 *
 * 1. **subscriptions**: `connections` graphql-ws connections at once, each sending
 *    `perConnectionTry` subscribes to its own order (over the per-connection cap, and together
 *    over the per-caller cap); the first `paused` of them then stop reading (`ws.pause()`: no
 *    reads, so no pongs) while the order keeps changing. Every 5 s to the end of the phase it tries
 *    again on a new connection (a dropped socket frees its share: does the cap still hold?).
 * 2. **cache**: `names` distinct large queries (`orders(first: fillFirst)` with the status page's
 *    fields: the largest page its cost ceiling allows) under as many operation names,
 *    `concurrency` in flight, to fill the response cache.
 * 3. **quota**: a small query of another of its orders (a cache hit) as fast as `concurrency`
 *    requests in flight allow, past its quota.
 *
 * Reports what it got ({@link AbuseReport}) to the runner at the end. Environment: NOISY_ABUSER
 * (a JSON {@link AbuserConfig}).
 */
import WebSocket from 'ws';
import { type AbuseConnection, type AbuseReport, type AbuserConfig, abuseParts, fillQuery } from './types.js';

const config = JSON.parse(process.env.NOISY_ABUSER!) as AbuserConfig;
const wsUrl = config.url.replace(/^http/, 'ws');
const LIVE =
  'subscription Live($orderId: ID!, $customerId: ID!) { orderStatusChanged(orderId: $orderId, customerId: $customerId) { cursor orderId status changedAt order { id status shipments { id status } } } }';

const report: AbuseReport = { parts: [], http: {}, admittedPerMinute: {}, connections: [], namesSent: 0 };
const admitted = (at = Date.now()): void => {
  const minute = String(Math.floor(at / 60_000));
  report.admittedPerMinute[minute] = (report.admittedPerMinute[minute] ?? 0) + 1;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const sockets: { ws: WebSocket; c: AbuseConnection }[] = [];

/** One raw graphql-transport-ws connection sending `count` subscribes once acknowledged. */
async function connect(kind: AbuseConnection['kind'], count: number): Promise<{ ws: WebSocket; c: AbuseConnection }> {
  const c: AbuseConnection = {
    kind,
    openedAt: Date.now(),
    sent: 0,
    accepted: 0,
    refused: {},
    paused: false,
    events: 0,
    closeCode: null,
  };
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  const entry = { ws, c };
  sockets.push(entry);
  report.connections.push(c);
  const refusedIds = new Set<string>();
  ws.on('close', (code, why) => {
    c.closeCode = code;
    c.closeReason = why.toString('utf8');
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString('utf8')) as {
        type: string;
        id?: string;
        payload?: { message?: string; extensions?: { code?: string } }[];
      };
      if (m.type === 'connection_ack') resolve();
      else if (m.type === 'next') c.events++;
      else if (m.type === 'error' && m.id) {
        refusedIds.add(m.id);
        const code = m.payload?.[0]?.extensions?.code ?? 'none';
        c.refused[code] = (c.refused[code] ?? 0) + 1;
        c.firstRefusal ??= m.payload?.[0]?.message;
      } else if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: config.authorization } })),
    );
    ws.on('close', () => resolve());
  });
  if (ws.readyState !== WebSocket.OPEN) return entry;
  for (let i = 0; i < count; i++) {
    ws.send(
      JSON.stringify({
        id: `${kind}-${report.connections.length}-${i}`,
        type: 'subscribe',
        payload: { query: LIVE, variables: { orderId: config.orderId, customerId: config.customerId } },
      }),
    );
    c.sent++;
  }
  // No acknowledgement of a subscribe in graphql-ws: settle, then what was not refused was accepted.
  await sleep(1500);
  c.accepted = c.sent - refusedIds.size;
  for (let i = 0; i < c.accepted; i++) admitted(c.openedAt);
  return entry;
}

async function http(part: string, query: string, operationName: string): Promise<void> {
  const tally = (report.http[part] ??= {});
  let key: string;
  try {
    const res = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: config.authorization },
      body: JSON.stringify({ query, operationName }),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = (await res.json()) as {
      errors?: { message?: string; extensions?: { code?: string } }[];
    };
    const code = answer.errors?.[0]?.extensions?.code;
    key = `${res.status}${code ? ` ${code}` : ''}${res.headers.get('x-cache') === 'hit' ? ' (cache hit)' : ''}`;
    if (res.status < 300) admitted();
    if (res.status === 429 && !report.firstRefusal)
      report.firstRefusal = {
        message: answer.errors?.[0]?.message ?? '',
        retryAfter: res.headers.get('retry-after'),
        extensions: answer.errors?.[0]?.extensions,
      };
  } catch (err) {
    key = `no answer ${(err as Error).name}`;
  }
  tally[key] = (tally[key] ?? 0) + 1;
}

/** Runs `next()` with `concurrency` in flight until it returns false or `until`. */
async function flood(until: number, next: () => Promise<void> | false): Promise<void> {
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      const p = next();
      if (p === false) return;
      await p;
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
}

const parts = abuseParts(config.startAt, config.endAt);
report.parts = parts;

process.on('message', (m) => {
  if ((m as { go?: boolean }).go) void abuse();
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });

async function abuse(): Promise<void> {
  await sleep(config.startAt - Date.now());
  // 1. Subscriptions over the caps, some on sockets that stop reading.
  const burst = await Promise.all(
    Array.from({ length: config.connections }, () => connect('burst', config.perConnectionTry)),
  );
  for (const { ws, c } of burst.slice(0, config.paused)) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    ws.pause();
    c.paused = true;
    c.pausedAt = Date.now();
  }
  // Tries again every 5 s on a new connection, to the end of the phase (a connection with
  // nothing accepted is closed; one with subscriptions stays).
  const retries = (async () => {
    for (let at = Date.now() + 5000; at < config.endAt - 2000; at += 5000) {
      await sleep(at - Date.now());
      const { ws, c } = await connect('retry', config.perConnectionTry);
      if (c.accepted === 0 && ws.readyState === WebSocket.OPEN) ws.close(1000);
    }
  })();
  // 2. Fill the response cache under many operation names.
  await sleep(parts[1]!.startAt - Date.now());
  let k = 0;
  await flood(parts[1]!.endAt, () => {
    if (k >= config.names) return false;
    const i = k++;
    report.namesSent++;
    return http('cache', fillQuery(i, config.fillFirst), `Fill${i}`);
  });
  // 3. Past the quota: one small query of an order that does not change (a cache hit once
  // answered: the cheap way to many requests) as fast as it comes back.
  await sleep(parts[2]!.startAt - Date.now());
  const small = `query Again { order(id: ${JSON.stringify(config.quotaOrderId)}) { id number status } }`;
  await flood(parts[2]!.endAt, () => http('quota', small, 'Again'));
  await retries;
  // What happened to the paused sockets: read again, then see whether the server had closed them.
  for (const { ws } of sockets) ws.resume();
  await sleep(2000);
  for (const { ws } of sockets) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    ws.removeAllListeners('close');
    ws.terminate();
  }
  process.send?.({ report });
  await sleep(200);
  process.exit(0);
}
