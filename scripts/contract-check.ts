/**
 * `npm run contract:check [-- <gateway URL>]`: checks that a running gateway serves the public
 * contract of docs/canonical-model.md — the type, field and enum names clients depend on — by
 * introspection. Extra fields and values are fine; a missing or renamed one is a gap. Exit 0 and
 * "contract ok", or exit 1 and the list of gaps.
 *
 *   npm start &                                  # the embedded stack on :4000
 *   AUTH_HEADER="$(npm run -s token -- ops)" npm run contract:check
 *
 * AUTH_HEADER is one header line (`Name: value`) sent with the request; the default URL is
 * http://127.0.0.1:4000.
 */
import { pathToFileURL } from 'node:url';
import {
  CHANNELS,
  HOLD_TYPES,
  ORDER_STATUSES,
  PAYMENT_STATUSES,
  RETURN_STATUSES,
  SHIPMENT_STATUSES,
  WAREHOUSE_STATUSES,
} from '../canonical/vocabularies.js';

/** The fields clients depend on, per type (docs/canonical-model.md). */
export const CONTRACT_FIELDS: Record<string, readonly string[]> = {
  Query: ['order', 'orderByNumber', 'orders'],
  Order: [
    'id',
    'number',
    'channel',
    'placedAt',
    'customer',
    'lines',
    'fulfillmentOrders',
    'status',
    'statusDetail',
    'lineStatuses',
    'acceptedAt',
    'holds',
    'payments',
    'paymentStatus',
    'invoices',
    'creditMemos',
    'totals',
    'shipments',
    'returns',
  ],
  OrderLine: ['lineNumber', 'sku', 'quantity', 'finalSale'],
  LineStatus: ['lineNumber', 'quantities', 'status'],
  LineQuantities: [
    'ordered',
    'cancelled',
    'allocated',
    'backordered',
    'picked',
    'shipped',
    'delivered',
    'returnInitiated',
    'returned',
  ],
  StatusExplanation: ['status', 'rule', 'reason', 'facts'],
  Hold: ['type', 'placedAt', 'releasedAt'],
  OrderConnection: ['edges', 'pageInfo', 'totalCount'],
  Shipment: ['id', 'status', 'carrier', 'trackingNumber', 'events', 'lines', 'shippedAt', 'order', 'fulfillmentOrder'],
  Return: ['id', 'rmaNumber', 'status', 'lines', 'receipt', 'order'],
  FulfillmentOrder: ['id', 'node', 'lines', 'warehouseStatus'],
  Payment: ['id', 'status', 'amount'],
  Customer: ['id', 'salesforceAccountId'],
};

/** The enums clients depend on, with the values of canonical/vocabularies.ts. */
export const CONTRACT_ENUMS: Record<string, readonly string[]> = {
  OrderStatus: ORDER_STATUSES,
  ShipmentStatus: SHIPMENT_STATUSES,
  ReturnStatus: RETURN_STATUSES,
  PaymentStatus: PAYMENT_STATUSES,
  Channel: CHANNELS,
  WarehouseStatus: WAREHOUSE_STATUSES,
  HoldType: HOLD_TYPES,
};

export const CONTRACT_INTROSPECTION = '{ __schema { types { name kind fields { name } enumValues { name } } } }';

/** One type of an introspection answer, as far as the check reads it. */
export interface IntrospectedType {
  name: string;
  kind: string;
  fields: { name: string }[] | null;
  enumValues: { name: string }[] | null;
}

/** What the schema lacks of the contract: `type X`, `X.field`, `enum E` or `E.VALUE`. */
export function contractGaps(types: readonly IntrospectedType[]): string[] {
  const byName = new Map(types.map((t) => [t.name, t]));
  const gaps: string[] = [];
  for (const [type, fields] of Object.entries(CONTRACT_FIELDS)) {
    const t = byName.get(type);
    if (!t) {
      gaps.push(`type ${type}`);
      continue;
    }
    const have = new Set((t.fields ?? []).map((f) => f.name));
    for (const f of fields) if (!have.has(f)) gaps.push(`${type}.${f}`);
  }
  for (const [name, values] of Object.entries(CONTRACT_ENUMS)) {
    const e = byName.get(name);
    if (e?.kind !== 'ENUM') {
      gaps.push(`enum ${name}`);
      continue;
    }
    const have = new Set((e.enumValues ?? []).map((v) => v.name));
    for (const v of values) if (!have.has(v)) gaps.push(`${name}.${v}`);
  }
  return gaps;
}

async function main(argv: readonly string[]): Promise<number> {
  const url = `${(argv[0] ?? 'http://127.0.0.1:4000').replace(/\/(graphql)?$/, '')}/graphql`;
  const line = process.env.AUTH_HEADER ?? '';
  const i = line.indexOf(':');
  const auth: Record<string, string> =
    i > 0 ? { [line.slice(0, i).trim().toLowerCase()]: line.slice(i + 1).trim() } : {};
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...auth },
    body: JSON.stringify({ query: CONTRACT_INTROSPECTION }),
  });
  const text = await res.text();
  let body: { data?: { __schema: { types: IntrospectedType[] } } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    console.log(`contract:check: ${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    return 1;
  }
  if (!body.data) {
    console.log(`contract:check: introspection of ${url} failed (${res.status}): ${text.slice(0, 300)}`);
    return 1;
  }
  const gaps = contractGaps(body.data.__schema.types);
  if (gaps.length) {
    console.log(`missing from the contract (${gaps.length}): ${gaps.join(', ')}`);
    return 1;
  }
  console.log('contract ok');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`contract:check: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
