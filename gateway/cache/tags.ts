import { EventType, type CloudEvent, type EventSource } from '../../canonical/index.js';

/**
 * The tags cache entries carry (ARCHITECTURE.md, "Caching without lying"): whole responses carry
 * `order:<id>` for each order they contain and `customer:<id>:lists` for a customer's lists;
 * subgraph fetches carry `order:<id>:<source>` only — so an event purges the responses that show
 * its order and that order's fetches from its own system, not the other systems' fetches.
 */
export const CacheTags = {
  /** A whole response containing the order. */
  order: (orderId: string): string => `order:${orderId}`,
  /** A fetch of the order's slice from one system, e.g. `order:ORD-1:carrier`. */
  orderSlice: (orderId: string, source: EventSource): string => `order:${orderId}:${source}`,
  /** A whole response listing the customer's orders. */
  customerLists: (customerId: string): string => `customer:${customerId}:lists`,
} as const;

/** The tags an accepted source event makes stale: its order's responses, its system's slice, and for a new order its customer's lists. */
export function tagsOfEvent(event: CloudEvent): string[] {
  const tags = [CacheTags.order(event.subject), CacheTags.orderSlice(event.subject, event.source)];
  const customerId = event.data['customerId'];
  if (event.type === EventType.ORDER_PLACED && typeof customerId === 'string' && customerId !== '')
    tags.push(CacheTags.customerLists(customerId));
  return tags;
}
