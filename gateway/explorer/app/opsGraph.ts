import { createClient, type Client } from 'graphql-ws';

/** The gateway's GraphQL endpoint, on the page's own origin. */
export const GRAPHQL_URL = new URL('/graphql', window.location.href).toString();

/** One GraphQL answer. */
export interface Answer<D> {
  data?: D | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POSTs an operation with the operator's credential (`Authorization: Bearer <ops JWT>`). */
export async function query<D>(token: string, document: string, variables: Record<string, unknown> = {}): Promise<Answer<D>> {
  const res = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: document, variables }),
  });
  return (await res.json()) as Answer<D>;
}

/** A graphql-ws client on the same URL, the credential in `connection_init`. */
export function liveClient(token: string): Client {
  return createClient({ url: GRAPHQL_URL.replace(/^http/, 'ws'), connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 5 });
}

/** Development only: an ops credential from the gateway's development endpoint (404 in production). */
export async function developmentOpsToken(): Promise<string> {
  const res = await fetch('/explorer/api/credential', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"consumer":"ops"}' });
  if (!res.ok) throw new Error(res.status === 404 ? 'no development credentials here (production): paste an ops token' : `HTTP ${res.status}`);
  return ((await res.json()) as { value: string }).value.replace(/^Bearer /, '');
}

export const ORDER_LOOKUP = /* GraphQL */ `
  query OpsOrder($id: ID!, $number: String!, $byNumber: Boolean!) {
    byId: order(id: $id) @skip(if: $byNumber) { ...OpsOrder }
    byNumber: orderByNumber(number: $number) @include(if: $byNumber) { ...OpsOrder }
  }
  fragment OpsOrder on Order {
    id number channel placedAt
    customer { id name }
    status
    statusDetail { rule reason facts { source fact observedAt } }
    holds { type reason placedAt releasedAt }
    lineStatuses { lineNumber status quantities { ordered cancelled allocated backordered picked shipped delivered returnInitiated returned } }
    fulfillmentOrders { id node { id name } warehouseStatus }
    shipments { id carrier trackingNumber status lastScanAt }
  }
`;

export const LIVE_CHANGES = /* GraphQL */ `
  subscription OpsStatusChanges {
    orderStatusChanged { cursor orderId previousStatus status changedAt cause { type source occurredAt } order { number } }
  }
`;

/** The root fields the observability work adds; the console shows those sections once the graph has them. */
export const OBSERVABILITY_FIELDS = /* GraphQL */ `{ __type(name: "Query") { fields { name } } }`;
