import type { OrderStatus } from '../../canonical/index.js';
import { internalIdentity } from '../auth/index.js';
import type { ExecuteOperation } from '../execute.js';
import type { ReadStatus } from './tracker.js';

/** The tracker's view of the graph: the least-privilege internal identity (every row, no internal fields). */
const TRACKER = internalIdentity('status-tracker');

export function trackerRead(execute: ExecuteOperation): ReadStatus {
  return async (orderId) => {
    const r = await execute('query TrackerStatus($id: ID!) { order(id: $id) { status customer { id } } }', { id: orderId }, TRACKER);
    const order = r.data?.order as { status: OrderStatus | null; customer: { id: string } | null } | null | undefined;
    if (!order) {
      if (r.errors?.length) throw new Error(`reading ${orderId} failed: ${r.errors[0]!.message}`);
      return null;
    }
    return { status: order.status, customerId: order.customer?.id ?? null };
  };
}

/** Every order's current status, page by page through the graph. */
export async function* allStatuses(execute: ExecuteOperation): AsyncIterable<{ orderId: string; status: OrderStatus }> {
  let after: string | null = null;
  for (;;) {
    const r = await execute('query TrackerSeed($after: String) { orders(first: 100, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }', { after }, TRACKER);
    const page = r.data?.orders as { edges: { node: { id: string; status: OrderStatus | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | undefined;
    if (!page) return;
    for (const { node } of page.edges) if (node.status) yield { orderId: node.id, status: node.status };
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor;
  }
}
