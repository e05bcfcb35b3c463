import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { DEFAULT_LIMITS } from '../../gateway/limits/index.js';
import { collect, wsClient } from '../helpers/ws.js';
import { FAST_MS, limitsStack, times } from './harness.js';

let s: Stack;
beforeAll(async () => {
  s = await limitsStack();
});
afterAll(async () => {
  await s?.stop();
});

/** Subscribes over graphql-ws and returns the errors of the refusal. */
async function refusal(query: string): Promise<{ errors: any[]; ms: number }> {
  const client = wsClient(s.gateway.url);
  try {
    const started = performance.now();
    const ended = await collect(client, query).ended;
    const ms = performance.now() - started;
    expect(Array.isArray(ended), `refused, not ${String(ended)}`).toBe(true);
    return { errors: ended as any[], ms };
  } finally {
    await client.dispose();
  }
}

describe('operation limits over graphql-ws (onSubscribe)', () => {
  it('should refuse a subscription over the alias limit as LIMIT_EXCEEDED, like HTTP', async () => {
    const n = DEFAULT_LIMITS.maxAliases + 1;
    const { errors, ms } = await refusal(
      `subscription { orderStatusChanged(orderId: "ORD-1") { ${times(n, (i) => `c${i}: cursor`)} } }`,
    );
    expect(errors[0]).toMatchObject({
      message: `subscription alias count ${n} exceeds the limit of ${DEFAULT_LIMITS.maxAliases}`,
      extensions: { code: 'LIMIT_EXCEEDED', limit: DEFAULT_LIMITS.maxAliases, value: n },
    });
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('should refuse a subscription over the token limit before parsing completes', async () => {
    const { errors } = await refusal(
      `subscription { orderStatusChanged(orderId: "ORD-1") { ${times(DEFAULT_LIMITS.maxTokens, () => 'cursor')} } }`,
    );
    expect(errors[0]).toMatchObject({
      message: expect.stringMatching(/^document token count \d+ exceeds the limit of 500$/),
      extensions: { code: 'LIMIT_EXCEEDED', limit: 500 },
    });
  });

  it('should refuse a subscription over the depth limit', async () => {
    const { errors } = await refusal(
      `subscription { orderStatusChanged(orderId: "ORD-1") { ${'a { '.repeat(20)} b ${'} '.repeat(20)} } }`,
    );
    expect(errors[0]).toMatchObject({
      message: 'subscription depth 22 exceeds the limit of 15',
      extensions: { code: 'LIMIT_EXCEEDED' },
    });
  });

  it('should not suggest field names over graphql-ws either', async () => {
    const { errors } = await refusal('subscription { orderStatusChanged(orderId: "ORD-1") { cursr } }');
    expect(errors[0].message).not.toMatch(/Did you mean/);
  });
});
