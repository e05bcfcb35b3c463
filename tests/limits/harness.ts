import { expect } from 'vitest';
import { SYSTEM_NAMES as SUBGRAPH_NAMES } from '../../canonical/systems.js';
import type { Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { requestHeaders, type GqlResponse } from '../helpers/http.js';
import { stack } from '../helpers/stack.js';

/** A small graph (60 orders) with subscriptions on, under the default limits. */
export const limitsStack = (): Promise<Stack> => stack({ orders: 60, bus: new MemoryEventBus() });

/** A refusal must come back fast: this is generous for CI, far below running any plan. */
export const FAST_MS = 1000;

/** Sends `send` and asserts a fast LIMIT_EXCEEDED refusal naming the limit, with no subgraph called. */
export async function expectRefused(
  s: Stack,
  send: () => Promise<GqlResponse>,
  message: RegExp,
  limit?: number,
): Promise<GqlResponse> {
  for (const name of SUBGRAPH_NAMES) s.subgraphs[name].sim.resetCalls();
  const started = performance.now();
  const r = await send();
  const elapsed = performance.now() - started;
  expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(400);
  expect(r.body.data ?? undefined).toBeUndefined();
  const errors = r.body.errors ?? [];
  expect(errors[0]?.extensions?.code, JSON.stringify(errors).slice(0, 300)).toBe('LIMIT_EXCEEDED');
  const hit = errors.find((e) => message.test(e.message));
  expect(
    hit,
    `an error matching ${message} in ${JSON.stringify(errors.map((e) => e.message)).slice(0, 300)}`,
  ).toBeDefined();
  expect(hit!.extensions).toMatchObject({
    code: 'LIMIT_EXCEEDED',
    limit: limit ?? expect.any(Number),
    value: expect.any(Number),
  });
  expect(hit!.extensions!.value).toBeGreaterThan(hit!.extensions!.limit);
  expect(hit!.message).toBe(
    hit!.message.replace(
      /\d+ exceeds the limit of \d+/,
      `${hit!.extensions!.value} exceeds the limit of ${hit!.extensions!.limit}`,
    ),
  );
  expect(elapsed, 'refused before any planning or execution').toBeLessThan(FAST_MS);
  for (const name of SUBGRAPH_NAMES) expect(s.subgraphs[name].sim.callCount(), `${name} was not called`).toBe(0);
  return r;
}

/** POSTs a raw body (a string, or JSON of any shape: a batch is an array). */
export async function post(url: string, body: unknown): Promise<GqlResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: await requestHeaders(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse['body'] };
}

/** `n` copies of `item(i)`, space-separated. */
export const times = (n: number, item: (i: number) => string): string =>
  Array.from({ length: n }, (_, i) => item(i)).join(' ');
