import type { OrderStatus } from '../../canonical/index.js';
import { internalIdentity } from '../auth/index.js';
import type { ExecuteOperation } from '../execute.js';
import type { ReadStatus } from './tracker.js';

/** The tracker's view of the graph: the least-privilege internal identity (every row, no internal fields). */
const TRACKER = internalIdentity('status-tracker');

export function trackerRead(execute: ExecuteOperation): ReadStatus {
  return async (orderId) => {
    const r = await execute(
      'query TrackerStatus($id: ID!) { order(id: $id) { status customer { id } } }',
      { id: orderId },
      TRACKER,
    );
    const order = r.data?.order as { status: OrderStatus | null; customer: { id: string } | null } | null | undefined;
    const unseen = unseenReason(r);
    if (unseen) return { status: null, customerId: order?.customer?.id ?? null, unseen };
    if (!order) return null;
    return { status: order.status, customerId: order.customer?.id ?? null };
  };
}

/**
 * Why an answer does not show the graph as it is now, or undefined when it does: any error (a
 * rate limit, an outage, a refusal — whatever the data beside it says), or a slice served from its
 * last known value (`extensions.freshness`). The tracker must not take such an answer for "no change".
 */
export function unseenReason(
  r: Awaited<ReturnType<ExecuteOperation>> & { extensions?: Record<string, unknown> },
): string | undefined {
  if (r.errors?.length) {
    const e = r.errors[0]!;
    return `${String(e.extensions?.code ?? 'error')}: ${e.message}`;
  }
  const freshness = r.extensions?.freshness as { subgraph: string; reason: string }[] | undefined;
  if (freshness?.length) return `stale slice ${freshness.map((f) => `${f.subgraph} (${f.reason})`).join(', ')}`;
  return undefined;
}

const SEED_QUERY =
  'query TrackerSeed($after: String) { orders(first: 100, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }';
const SEED_RETRIES_MS = [200, 400, 800, 1600];

/** Every order's current status, page by page through the graph. */
export async function* allStatuses(execute: ExecuteOperation): AsyncIterable<{ orderId: string; status: OrderStatus }> {
  let after: string | null = null;
  for (;;) {
    // A page that cannot be seen as it is now is read again; after the last try it is skipped
    // (its orders get their first record from their next event), never recorded from a stale slice.
    let r = await execute(SEED_QUERY, { after }, TRACKER);
    for (let attempt = 0; unseenReason(r) && attempt < SEED_RETRIES_MS.length; attempt++) {
      await new Promise((res) => setTimeout(res, SEED_RETRIES_MS[attempt]));
      r = await execute(SEED_QUERY, { after }, TRACKER);
    }
    const unseen = unseenReason(r) !== undefined;
    const page = r.data?.orders as
      | {
          edges: { node: { id: string; status: OrderStatus | null } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        }
      | undefined;
    if (!page) return;
    if (!unseen) for (const { node } of page.edges) if (node.status) yield { orderId: node.id, status: node.status };
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor;
  }
}
