/**
 * The client side of `npm run soak`, in a process of its own so its memory is not the stack's:
 * GraphQL queries at a steady rate (order detail through every slice, order pages), and
 * `orderStatusChanged` subscribers, one of them closed and opened again every few seconds. Sends its
 * counts to the parent (IPC) every second; stops when the parent says so or goes away.
 *
 * Environment: SOAK_GATEWAY (the gateway's /graphql URL), SOAK_QPS, SOAK_SUBSCRIBERS, SOAK_AUTHORIZATION.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const url = process.env.SOAK_GATEWAY!;
const qps = Number(process.env.SOAK_QPS ?? 20);
const subscriberCount = Number(process.env.SOAK_SUBSCRIBERS ?? 20);
const authorization = process.env.SOAK_AUTHORIZATION!;
const detail = readFileSync(
  join(import.meta.dirname, '..', '..', 'operations', 'lwc', 'AgentOrderDetail.graphql'),
  'utf8',
);
const PAGE =
  'query SoakPage($after: String) { orders(first: 20, after: $after) { edges { cursor node { id status customer { id } } } pageInfo { hasNextPage endCursor } } }';

interface Page {
  edges: { node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface Answer {
  data?: { orders?: Page } | null;
  errors?: unknown[];
}

const stats = { queries: 0, status5xx: 0, noAnswer: 0, graphqlErrors: 0, events: 0, subscriptions: 0, reopened: 0 };

async function gql(query: string, variables: Record<string, unknown>): Promise<Answer | null> {
  stats.queries++;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status >= 500) stats.status5xx++;
    const body = (await res.json()) as Answer;
    if (body.errors?.length) {
      stats.graphqlErrors++;
      const code = `error ${String((body.errors[0] as { extensions?: { code?: unknown } }).extensions?.code ?? 'none')}`;
      (stats as Record<string, number>)[code] = ((stats as Record<string, number>)[code] ?? 0) + 1;
    }
    return body;
  } catch {
    stats.noAnswer++;
    return null;
  }
}

// Order ids to ask for: the first pages of `orders`.
const ids: string[] = [];
let after: string | null = null;
for (let p = 0; p < 10; p++) {
  const r = await gql(PAGE, { after });
  const page = r?.data?.orders;
  if (!page) break;
  ids.push(...page.edges.map((e) => e.node.id));
  if (!page.pageInfo.hasNextPage) break;
  after = page.pageInfo.endCursor;
}
const cursors: (string | null)[] = [null];

let n = 0;
let inFlight = 0;
const queryTimer = setInterval(
  () => {
    if (inFlight >= 64 || ids.length === 0) return;
    inFlight++;
    const i = n++;
    const run =
      i % 10 < 7
        ? gql(detail, { orderId: ids[i % ids.length] })
        : gql(PAGE, { after: cursors[i % cursors.length] }).then((r) => {
            const end = r?.data?.orders?.pageInfo.endCursor;
            if (end && cursors.length < 50) cursors.push(end);
            return r;
          });
    void run.finally(() => inFlight--);
  },
  Math.max(1, Math.round(1000 / qps)),
);

function subscriber(): Client {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 5,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: { authorization },
  });
  client.subscribe(
    { query: 'subscription SoakChanges { orderStatusChanged { cursor orderId status order { status } } }' },
    {
      next: () => void stats.events++,
      error: () => undefined,
      complete: () => undefined,
    },
  );
  stats.subscriptions++;
  return client;
}
const clients = Array.from({ length: subscriberCount }, subscriber);
let k = 0;
const churnTimer = setInterval(() => {
  if (clients.length === 0) return;
  const at = k++ % clients.length;
  void clients[at]!.dispose();
  clients[at] = subscriber();
  stats.reopened++;
}, 5000);

const statsTimer = setInterval(() => process.send?.({ stats }), 1000);
const stop = async (): Promise<void> => {
  clearInterval(queryTimer);
  clearInterval(churnTimer);
  clearInterval(statsTimer);
  await Promise.all(clients.map((c) => c.dispose()));
  process.send?.({ stats, done: true });
  process.exit(0);
};
process.on('message', (m) => {
  if ((m as { stop?: boolean }).stop) void stop();
});
process.on('disconnect', () => void stop());
