import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_STATUSES } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { gql } from '../helpers/http.js';
import { FULL_ORDER, recomputeFromResponse } from '../helpers/orders.js';
import { demo, stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await stack();
});
afterAll(async () => {
  await s?.stop();
});

describe('consistency of the derived status', () => {
  it('should, for every demo order, derive the same status from the slices in the response as Order.status says', async () => {
    const total = demo().data.oms.orders.length;
    const seen = new Set<string>();
    const statuses = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const r: any = await gql(
        s.gateway.url,
        `query ($after: String) { orders(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ...FullOrder } } } } ${FULL_ORDER}`,
        { after },
      );
      expect(r.body.errors).toBeUndefined();
      for (const { node } of r.body.data.orders.edges) {
        seen.add(node.id);
        const again = recomputeFromResponse(node);
        expect({ id: node.id, status: again.status }).toEqual({ id: node.id, status: node.status });
        expect(node.statusDetail.status).toBe(node.status);
        for (const line of node.lineStatuses) {
          expect({ id: node.id, line: line.lineNumber, q: line.quantities }).toEqual({
            id: node.id,
            line: line.lineNumber,
            q: again.lines.get(line.lineNumber),
          });
        }
        statuses.add(node.status);
      }
      if (!r.body.data.orders.pageInfo.hasNextPage) break;
      after = r.body.data.orders.pageInfo.endCursor;
    }
    expect(seen.size).toBe(total);
    expect([...statuses].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
