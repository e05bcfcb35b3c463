/**
 * The README's example works exactly as printed: its curl body is JSON, and the gateway answers
 * it with data and no errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { projectRoot } from '../../runtime/project.js';
import { requestHeaders } from '../helpers/http.js';
import { stack } from '../helpers/stack.js';

const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');

/** The single-quoted `-d '…'` argument of the README's curl, as the shell passes it. */
function curlBody(): string {
  const block = /```sh\n(curl -s http:\/\/127\.0\.0\.1:4000\/graphql[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no curl example for http://127.0.0.1:4000/graphql');
  const body = /-d '([^']*)'/.exec(block)?.[1];
  if (body === undefined) throw new Error(`the README's curl has no -d '…' body: ${block}`);
  return body;
}

let s: Stack;
beforeAll(async () => {
  s = await stack({ orders: 10 });
});
afterAll(() => s?.stop());

describe('the README example', () => {
  it('should send a body that is valid JSON as printed', () => {
    expect(() => JSON.parse(curlBody())).not.toThrow();
  });

  it('should be answered with the order and no errors', async () => {
    const res = await fetch(s.gateway.url, { method: 'POST', headers: await requestHeaders(), body: curlBody() });
    const body = (await res.json()) as { data?: { order?: { number?: string } }; errors?: unknown[] };
    expect(res.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.order?.number).toMatch(/^K\d+/);
  });
});
