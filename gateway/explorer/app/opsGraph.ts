import { createClient, type Client } from 'graphql-ws';

/** The gateway's GraphQL endpoint, on the page's own origin. */
export const GRAPHQL_URL = new URL('/graphql', window.location.href).toString();

/** One GraphQL answer. */
export interface Answer<D> {
  data?: D | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POSTs an operation with the operator's credential (`Authorization: Bearer <ops JWT>`). */
export async function query<D>(
  token: string,
  document: string,
  variables: Record<string, unknown> = {},
): Promise<Answer<D>> {
  const res = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: document, variables }),
  });
  const text = await res.text();
  try {
    return JSON.parse(text) as Answer<D>;
  } catch {
    return { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 200)}` }] };
  }
}

/** The messages of an answer's errors, joined; undefined when there are none. */
export const problemsOf = (a: Answer<unknown>): string | undefined =>
  a.errors?.length
    ? a.errors.map((e) => (e.extensions?.code ? `${e.message} (${e.extensions.code})` : e.message)).join('; ')
    : undefined;

/** A graphql-ws client on the same URL, the credential in `connection_init`. */
export function liveClient(token: string): Client {
  return createClient({
    url: GRAPHQL_URL.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 5,
  });
}

/** Development only: an ops credential from the gateway's development endpoint (404 in production). */
export async function developmentOpsToken(): Promise<string> {
  const res = await fetch('/explorer/api/credential', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"consumer":"ops"}',
  });
  if (!res.ok)
    throw new Error(
      res.status === 404 ? 'no development credentials here (production): paste an ops token' : `HTTP ${res.status}`,
    );
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
    timeline { version status previousStatus causeEventId causeSource causeType occurredAt changedAt }
    exceptions { id type since open closedAt actor }
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

/**
 * The root fields the observability work adds (the console shows those sections once the graph has
 * them) and the exception types to filter by — ops may introspect.
 */
export const OBSERVABILITY_FIELDS = /* GraphQL */ `
  query OpsGraphShape {
    __type(name: "Query") { fields { name } }
    exceptionTypes: __type(name: "ExceptionType") { enumValues { name description } }
  }
`;

/** `Query.operationsHealth`: one cheap summary (counts, lag percentiles, breaker states). */
export const HEALTH = /* GraphQL */ `
  query OpsHealth {
    operationsHealth {
      generatedAt
      openExceptions { type count }
      deadLetterDepth { consumer ingest total }
      eventLag { hop count p50 p99 }
      systems { system breaker lastSuccessAt stalenessMs reporters }
    }
  }
`;

/** A page of business exceptions, oldest `since` first. */
export const EXCEPTIONS = /* GraphQL */ `
  query OpsExceptions($filter: ExceptionFilter, $first: Int, $after: String) {
    exceptions(filter: $filter, first: $first, after: $after) {
      nodes { id type since slaSeconds actor open openedAt closedAt closeReason channel fulfillmentNodeId order { id } facts { name value } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/** A page of dead letters, most recently failed first (the list; inspecting one reads {@link DEAD_LETTER}). */
export const DEAD_LETTERS = /* GraphQL */ `
  query OpsDeadLetters($filter: DeadLetterFilter, $first: Int, $after: String) {
    deadLetters(filter: $filter, first: $first, after: $after) {
      nodes { id kind state group system eventType order { id } error attempts firstFailedAt lastFailedAt replays }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const LETTER_FIELDS = /* GraphQL */ `
  fragment OpsLetter on DeadLetter {
    id kind state stream group system eventId eventType order { id }
    payload headers { name value } error attempts firstFailedAt lastFailedAt replays
    resolvedAt resolvedBy resolution audit { action actor reason outcome at }
  }
`;

/** One dead letter with its payload, headers and audit trail. */
export const DEAD_LETTER = /* GraphQL */ `
  query OpsDeadLetter($id: ID!) { deadLetter(id: $id) { ...OpsLetter } }
  ${LETTER_FIELDS}
`;

/** Re-delivers one open letter (ops only; audited, idempotent: a second replay answers NOOP). */
export const REPLAY = /* GraphQL */ `
  mutation OpsReplayDeadLetter($id: ID!, $reason: String!) { replayDeadLetter(id: $id, reason: $reason) { outcome error letter { ...OpsLetter } } }
  ${LETTER_FIELDS}
`;

/** Discards one open letter with a reason (required). */
export const DISCARD = /* GraphQL */ `
  mutation OpsDiscardDeadLetter($id: ID!, $reason: String!) { discardDeadLetter(id: $id, reason: $reason) { outcome error letter { ...OpsLetter } } }
  ${LETTER_FIELDS}
`;
