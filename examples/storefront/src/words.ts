import type { OrderStatus, ShipmentStatus } from './gql/graphql';

/** An order status as a shopper reads it: a short headline and one sentence of why. */
export interface ShopperStatus {
  headline: string;
  explanation: string;
  tone: 'progress' | 'done' | 'attention' | 'neutral';
}

/**
 * The graph's status (and its rule, in `statusDetail`) in shopper words. Internal reasons (hold
 * types, payment review) are never shown: the storefront does not receive them, and a shopper is
 * told what happens next instead.
 */
const ORDER: Record<OrderStatus, ShopperStatus> = {
  PENDING: {
    headline: 'Order received',
    explanation: "We've received your order and are confirming it.",
    tone: 'progress',
  },
  ACCEPTED: {
    headline: 'Order confirmed',
    explanation: 'Your order is confirmed; we are reserving your items.',
    tone: 'progress',
  },
  ON_HOLD: {
    headline: 'Taking a little longer',
    explanation:
      "We're checking a detail of your order before we send it. Nothing is needed from you unless we get in touch.",
    tone: 'attention',
  },
  BACKORDERED: {
    headline: 'Waiting for stock',
    explanation: "Some items are out of stock right now; we'll send them as soon as they arrive.",
    tone: 'attention',
  },
  PARTIALLY_ALLOCATED: {
    headline: 'Getting ready',
    explanation: 'Part of your order is reserved for you; the rest is waiting for stock.',
    tone: 'progress',
  },
  ALLOCATED: {
    headline: 'Getting ready',
    explanation: 'Every item is reserved for you and will be packed soon.',
    tone: 'progress',
  },
  IN_FULFILLMENT: { headline: 'Being packed', explanation: 'We are picking and packing your items.', tone: 'progress' },
  PARTIALLY_SHIPPED: {
    headline: 'Partly on its way',
    explanation: 'Part of your order has shipped; the rest will follow.',
    tone: 'progress',
  },
  SHIPPED: {
    headline: 'On its way',
    explanation: 'Everything has shipped. Track your parcels below.',
    tone: 'progress',
  },
  PARTIALLY_DELIVERED: {
    headline: 'Partly delivered',
    explanation: 'Some of your parcels have arrived; the rest are on their way.',
    tone: 'progress',
  },
  DELIVERED: { headline: 'Delivered', explanation: 'Everything has been delivered. Enjoy!', tone: 'done' },
  RETURN_INITIATED: {
    headline: 'Return started',
    explanation: "We've registered your return; we'll let you know when it arrives.",
    tone: 'neutral',
  },
  PARTIALLY_RETURNED: {
    headline: 'Partly returned',
    explanation: "We've received part of your return.",
    tone: 'neutral',
  },
  RETURNED: { headline: 'Returned', explanation: "We've received your return.", tone: 'done' },
  CANCELLED: {
    headline: 'Cancelled',
    explanation: 'This order was cancelled. If you were charged, the money is on its way back to you.',
    tone: 'neutral',
  },
};

/** Statuses the graph may add later read as their name until they get words here. */
export function shopperStatus(status: OrderStatus | string | null | undefined): ShopperStatus {
  if (!status)
    return {
      headline: 'Status unavailable',
      explanation: "We can't check the latest status right now; please look again in a few minutes.",
      tone: 'attention',
    };
  return ORDER[status as OrderStatus] ?? { headline: humanize(status), explanation: '', tone: 'neutral' };
}

const SHIPMENT: Record<ShipmentStatus, string> = {
  LABEL_CREATED: 'Label created, waiting for the carrier',
  IN_TRANSIT: 'In transit',
  OUT_FOR_DELIVERY: 'Out for delivery',
  AVAILABLE_FOR_PICKUP: 'Ready for pickup',
  DELIVERY_ATTEMPTED: 'Delivery attempted',
  DELIVERED: 'Delivered',
  EXCEPTION: 'Delayed: the carrier reported a problem',
  RETURNED_TO_SENDER: 'Coming back to us',
  CANCELLED: 'Label cancelled',
  UNKNOWN: 'Waiting for the first tracking update',
};

export function shipmentWords(status: ShipmentStatus | string | null | undefined): string {
  if (!status) return 'Tracking unavailable right now';
  return SHIPMENT[status as ShipmentStatus] ?? humanize(status);
}

export function humanize(value: string): string {
  const s = value.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function money(m: { amount: string; currency: string } | null | undefined): string {
  if (!m) return '—';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency }).format(Number(m.amount));
  } catch {
    return `${m.amount} ${m.currency}`;
  }
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

export function moment(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-US', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  });
}
