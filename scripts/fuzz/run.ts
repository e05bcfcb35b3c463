/**
 * `npm run fuzz`: random GraphQL requests through the gateway with every consumer's credential, and
 * mutated, correctly signed webhooks for every system's /ingest, against a real embedded stack.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { type Consumer, type SystemName, SYSTEMS } from '../../canonical/index.js';
import { generateDemo, Rng } from '../../demo/index.js';
import { devCredentialHeader } from '../../gateway/auth/devCredentials.js';
import { signWebhook } from '../../subgraphs/common/signature.js';
import { type FuzzRequest, graphqlCase, persistedCase, type Samples } from './documents.js';
import { judgeGraphql, judgeIngest, type Verdict } from './judge.js';
import { StackProcess } from './stack.js';
import { mutateWebhook, sampleWebhooks } from './webhooks.js';

export interface FuzzOptions {
  /** The repository root. */
  root: string;
  /** GraphQL requests in all (spread over the consumers). @default 10000 */
  graphqlCases?: number;
  /** Webhooks in all (spread over the systems). @default 10000 */
  webhookCases?: number;
  /** Seed of every choice. @default 1 */
  seed?: number;
  /** Requests in flight at once. @default 8 */
  concurrency?: number;
  /** Demo orders in the stack. @default 300 */
  orders?: number;
  /** Progress lines. @default none */
  log?: (msg: string) => void;
}

/** One finding, with what reproduces it. */
export interface Finding {
  verdict: Exclude<Verdict, 'ok'>;
  target: string;
  kind: string;
  /** The operation type the GraphQL document was built as; absent for webhooks. */
  operation?: FuzzRequest['operation'];
  status: number | null;
  request: string;
  answer: string;
}

export interface FuzzReport {
  seed: number;
  graphql: { cases: number; byVerdict: Record<string, number> };
  webhooks: { cases: number; byVerdict: Record<string, number> };
  crashes: number;
  /** Up to five of each (verdict, target, kind). */
  findings: Finding[];
  /** Every (verdict, target, kind) seen, with counts. */
  signatures: Record<string, number>;
}

const CONSUMERS: Consumer[] = ['salesforce', 'storefront', 'ops', 'partner'];
const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123456789';
const cut = (s: string, n = 600): string => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

async function send(url: string, init: RequestInit): Promise<{ status: number; text: string } | { error: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const seed = opts.seed ?? 1;
  const graphqlCases = opts.graphqlCases ?? 10_000;
  const webhookCases = opts.webhookCases ?? 10_000;
  const concurrency = opts.concurrency ?? 8;
  const orders = opts.orders ?? 300;
  const log = opts.log ?? (() => undefined);
  const rng = new Rng(seed, 31);
  const schema = buildSchema(readFileSync(join(opts.root, 'schema', 'released.graphql'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(opts.root, 'operations', 'manifest.json'), 'utf8')) as {
    operations: { id: string; body: string; clientName: string; type: string }[];
  };
  const { data } = generateDemo({ seed, orders });
  const samples: Samples = {
    orderIds: data.oms.orders.slice(0, 50).map((o) => o.id),
    orderNumbers: data.oms.orders.slice(0, 50).map((o) => o.number),
    customerIds: data.oms.customers.slice(0, 20).map((c) => c.id),
    nodeIds: [...new Set(data.oms.fulfillmentOrders.map((f) => f.nodeId))],
  };
  const webhookSamples = sampleWebhooks(generateDemo({ seed, orders }).data, new Rng(seed, 32));
  const customer = data.oms.orders[0]!.customerId;
  const credentials = Object.fromEntries(
    await Promise.all(
      CONSUMERS.map(async (c) => {
        const line = await devCredentialHeader(c, {
          customerId: customer,
          partnerNodeId: 'DS-ACME',
          ttlSeconds: 6 * 3600,
        });
        const i = line.indexOf(': ');
        return [c, { [line.slice(0, i).toLowerCase()]: line.slice(i + 2) }] as const;
      }),
    ),
  ) as Record<Consumer, Record<string, string>>;
  const persisted = {
    partner: manifest.operations.filter((o) => o.clientName === 'partner'),
    storefront: manifest.operations.filter((o) => o.clientName === 'storefront'),
  };

  const report: FuzzReport = {
    seed,
    graphql: { cases: 0, byVerdict: {} },
    webhooks: { cases: 0, byVerdict: {} },
    crashes: 0,
    findings: [],
    signatures: {},
  };
  const record = (part: 'graphql' | 'webhooks', verdict: Verdict, f: Omit<Finding, 'verdict'>): void => {
    report[part].cases++;
    report[part].byVerdict[verdict] = (report[part].byVerdict[verdict] ?? 0) + 1;
    if (verdict === 'ok') return;
    const signature = `${verdict} ${f.target} ${f.kind}${f.operation === 'subscription' ? ' (subscription)' : ''}`;
    report.signatures[signature] = (report.signatures[signature] ?? 0) + 1;
    if (report.signatures[signature]! <= 5) report.findings.push({ verdict, ...f });
  };
  /** After a failed request: was it the process? Then restart it. */
  const settle = async (): Promise<Verdict> => {
    await new Promise((r) => setTimeout(r, 200));
    if (stack.alive) return 'no-answer';
    report.crashes++;
    log(`the stack exited; restarting (last lines: ${stack.log.slice(-40).join(' | ')})`);
    await stack.start();
    return 'crash';
  };

  // Every case is drawn in order from the one seeded Rng before any request is sent, so a seed
  // always produces the same cases whatever the timing.
  const gqlCases = Array.from({ length: graphqlCases }, (_, i) => {
    const consumer = CONSUMERS[i % CONSUMERS.length]!;
    const ops = consumer === 'partner' || consumer === 'storefront' ? persisted[consumer] : [];
    const req: FuzzRequest =
      ops.length && rng.chance(0.3) ? persistedCase(ops, rng, samples) : graphqlCase(schema, rng, samples);
    return { consumer, req };
  });
  const hookCases = Array.from({ length: webhookCases }, (_, i) => {
    const system = SYSTEMS[i % SYSTEMS.length]!.name as SystemName;
    const pool = webhookSamples[system];
    return { system, ...mutateWebhook(rng.pick(pool.length ? pool : [{}]), rng) };
  });

  const stack = new StackProcess({ root: opts.root, seed, orders, webhookSecret: WEBHOOK_SECRET });
  try {
    await stack.start();
    log(`stack up: gateway ${stack.gatewayUrl}`);
    await exercise();
  } finally {
    await stack.stop();
  }
  return report;

  async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < items.length) await work(items[next++]!);
      }),
    );
  }

  async function exercise(): Promise<void> {
    await pool(gqlCases, async ({ consumer, req }) => {
      const headers: Record<string, string> = {
        ...credentials[consumer],
        accept: 'application/graphql-response+json, application/json',
      };
      if (req.contentType) headers['content-type'] = req.contentType;
      const url = req.method === 'GET' ? `${stack.gatewayUrl}?${req.body}` : stack.gatewayUrl;
      const init: RequestInit =
        req.method === 'GET'
          ? { method: 'GET', headers: { ...headers, 'apollo-require-preflight': 'true' } }
          : { method: 'POST', headers, body: req.body };
      const r = await send(url, init);
      const verdict = 'error' in r ? await settle() : judgeGraphql(r.status, r.text);
      record('graphql', verdict, {
        target: `graphql as ${consumer}`,
        kind: req.kind,
        operation: req.operation,
        status: 'error' in r ? null : r.status,
        request: cut(`${req.method} ${req.contentType} ${req.body}`),
        answer: cut('error' in r ? r.error : r.text),
      });
    });
    log(`graphql: ${report.graphql.cases} cases ${JSON.stringify(report.graphql.byVerdict)}`);

    await pool(hookCases, async ({ system, kind, raw }) => {
      const r = await send(stack.ingest[system], {
        method: 'POST',
        headers: { ...signWebhook(WEBHOOK_SECRET, raw), 'content-type': 'application/json' },
        body: raw,
      });
      const verdict = 'error' in r ? await settle() : judgeIngest(r.status, r.text);
      record('webhooks', verdict, {
        target: `${system} /ingest`,
        kind,
        status: 'error' in r ? null : r.status,
        request: cut(raw),
        answer: cut('error' in r ? r.error : r.text),
      });
    });
    log(`webhooks: ${report.webhooks.cases} cases ${JSON.stringify(report.webhooks.byVerdict)}`);
  }
}
