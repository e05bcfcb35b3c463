import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { composeSupergraph } from '../../gateway/supergraph/compose.js';
import { projectRoot } from '../../runtime/project.js';
import { codes, credential, gql } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';

const ORDERS = 100;
const root = projectRoot();
const tmp = mkdtempSync(join(tmpdir(), 'ovg-gateway-'));
let s: Stack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes like a deploy does: a temporary file renamed over the served one. */
function replaceFile(path: string, content: string): void {
  writeFileSync(`${path}.next`, content);
  renameSync(`${path}.next`, path);
}

/** The supergraph as it was before the erp subgraph added `Query.payment`. */
function supergraphWithoutPaymentQuery(): string {
  const erp = readFileSync(join(root, 'subgraphs/erp/schema.graphql'), 'utf8');
  const query = erp.indexOf('type Query {');
  const start = erp.lastIndexOf('"""', erp.lastIndexOf('"""', query) - 1); // with its description
  const end = erp.indexOf('}', query) + 1;
  expect(start).toBeGreaterThan(0);
  writeFileSync(join(tmp, 'erp-old.graphql'), erp.slice(0, start) + erp.slice(end));
  const config = join(tmp, 'old.yaml');
  const yaml = readFileSync(join(root, 'supergraph.yaml'), 'utf8').replaceAll('./subgraphs/', `${root}/subgraphs/`);
  writeFileSync(config, yaml.replace(`${root}/subgraphs/erp/schema.graphql`, join(tmp, 'erp-old.graphql')));
  return composeSupergraph(config);
}

describe('health', () => {
  it('should answer live and ready, listing each subgraph up', async () => {
    s = await stack({ orders: ORDERS });
    const live = await fetch(new URL('/health/live', s.gateway.origin));
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(new URL('/health/ready', s.gateway.origin), { headers: await credential('ops') });
    expect(ready.status).toBe(200);
    const body: any = await ready.json();
    expect(body.status).toBe('ready');
    expect(Object.keys(body.subgraphs).sort()).toEqual(['carrier', 'erp', 'oms', 'returns', 'visibility', 'wms']);
    for (const sg of Object.values<any>(body.subgraphs)) expect(sg.state).toBe('up');
  });

  it('should stay ready when a subgraph is down, and say which one', async () => {
    s = await stack({ orders: ORDERS });
    await s.subgraphs.carrier.service.stop();
    const ready = await fetch(new URL('/health/ready', s.gateway.origin), { headers: await credential('ops') });
    expect(ready.status).toBe(200);
    const body: any = await ready.json();
    expect(body.subgraphs.carrier.state).toBe('down');
    expect(body.subgraphs.erp.state).toBe('up');
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1/);
  });
});

describe('supergraph hot reload', () => {
  it('should serve a changed supergraph.graphql without dropping a request in flight', async () => {
    const path = join(tmp, 'supergraph.graphql');
    writeFileSync(path, supergraphWithoutPaymentQuery());
    s = await stack({ orders: ORDERS, gateway: { supergraphPath: path } });
    const id = demo(ORDERS).data.oms.orders[0]!.id;
    const paymentId = demo(ORDERS).data.erp.payments[0]!.id;
    const newField = `{ payment(id: "${paymentId}") { id status } }`;
    expect(codes(await gql(s.gateway.url, newField))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    let running = true;
    const failures: unknown[] = [];
    let served = 0;
    const load = Array.from({ length: 8 }, async () => {
      while (running) {
        const r = await gql(s!.gateway.url, `{ order(id: "${id}") { number status } }`).catch((e) => ({
          status: 0,
          body: { errors: [e] },
        }));
        if (r.status !== 200 || r.body.errors) failures.push(r.body);
        else served++;
      }
    });
    await new Promise((r) => setTimeout(r, 100));
    replaceFile(path, readFileSync(join(root, 'supergraph.graphql'), 'utf8'));
    const deadline = Date.now() + 10_000;
    let after = await gql(s.gateway.url, newField);
    while (after.body.errors && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = await gql(s.gateway.url, newField);
    }
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    await Promise.all(load);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data.payment.id).toBe(paymentId);
    expect(s.gateway.loads()).toBe(2);
    expect(served).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });

  it('should keep serving the previous supergraph when the new file is not a valid supergraph', async () => {
    const path = join(tmp, 'supergraph-bad.graphql');
    writeFileSync(path, readFileSync(join(root, 'supergraph.graphql'), 'utf8'));
    s = await stack({ orders: ORDERS, gateway: { supergraphPath: path } });
    replaceFile(path, 'type Query { broken: }');
    await new Promise((r) => setTimeout(r, 400));
    const r = await gql(
      s.gateway.url,
      `{ order(id: "${demo(ORDERS).data.oms.orders[0]!.id}") { number returns { id } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    expect(s.gateway.loads()).toBe(1);
  });
});
