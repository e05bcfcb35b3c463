import { randomUUID } from 'node:crypto';
import { CHANNELS, ErrorCode, mayAct, mayReadOrder, type Channel, type Identity } from '../../canonical/index.js';
import { auditActor, type AuditLog } from '../common/auditLog.js';
import { badUserInput, graphqlError, requireId } from '../common/errors.js';
import type { GatewayClient } from '../common/gatewayClient.js';
import { IdempotencyKeys, type ActionResults } from '../common/idempotency.js';
import type { IngestApplier, IngestSystem } from '../common/ingest.js';
import { KeyedLock, underLocks, type ActionLock } from '../common/keyedLock.js';
import type { OmsNotification } from './ingest.js';
import type { OmsPort } from './port.js';

/** `requestCancellation`'s input. */
export interface RequestCancellationInput {
  orderId: string;
  idempotencyKey: string;
  channel: Channel;
  reasonCode: string;
  lines: { lineNumber: number; quantity: number }[];
}
export interface CancellationUserError {
  code:
    | 'UNKNOWN_ORDER'
    | 'UNKNOWN_LINE'
    | 'DUPLICATE_LINE'
    | 'INVALID_QUANTITY'
    | 'NOTHING_CANCELLABLE'
    | 'IDEMPOTENCY_KEY_REUSED';
  message: string;
  field: string[];
  lineNumber?: number;
  expected?: string;
  received?: string;
}
export interface CancellationLineResult {
  lineNumber: number;
  requested: number;
  cancelled: number;
  notCancelled: number;
  reason: string | null;
}
/** `requestCancellation`'s answer; `orderId` resolves to `order` (null when unknown to the caller). */
export interface RequestCancellationResult {
  lines: CancellationLineResult[];
  result: 'ACCEPTED' | 'PARTIAL' | 'REJECTED';
  userErrors: CancellationUserError[];
  orderId: string | null;
}
/** `createReplacementOrder`'s input. */
export interface CreateReplacementOrderInput {
  originalOrderId: string;
  returnId: string;
  lines: { sku: string; quantity: number }[];
}

/** What the OMS's actions need (wired by server.ts). */
export interface OmsActionsOptions {
  port: OmsPort;
  /** Applies the OMS notification an accepted action means, publishing it like `/ingest` does. */
  applier: IngestApplier;
  /** The OMS's ingest normalizer (plans the notification into canonical events). */
  ingest: IngestSystem<OmsNotification>;
  /** Reads the other owners' facts (shipped units) through the gateway as the service identity. */
  gateway: GatewayClient;
  audit: AuditLog;
  /** The per-order (and per-key) lock: the store's holds across replicas. @default an in-process KeyedLock */
  lock?: ActionLock;
  /** Results by idempotency key: the store's are shared by replicas. @default in process memory */
  results?: ActionResults;
  /** @default Date.now */
  now?: () => number;
}

const SHIPPED =
  'query OmsCancellationFacts($id: ID!) { order(id: $id) { lineStatuses { lineNumber quantities { shipped } } } }';

/** The replacement order of a return: one per return, so the return id is the idempotency key. */
export const replacementOrderId = (returnId: string): string => `EXC-${returnId}`;

/**
 * The actions the OMS owns (docs/returns.md): cancelling unshipped units, and booking an exchange's
 * replacement order. Each runs under the order's lock, re-reads what it depends on at write time,
 * and is idempotent by key; an accepted action is applied as the OMS notification it means, through
 * the same applier as `/ingest`, so caches and subscribers see it like any other change.
 */
export class OmsActions {
  private readonly lock: ActionLock;
  private readonly cancellations: ActionResults;
  private readonly now: () => number;

  constructor(private readonly opts: OmsActionsOptions) {
    this.now = opts.now ?? Date.now;
    this.lock = opts.lock ?? new KeyedLock();
    this.cancellations = opts.results ?? new IdempotencyKeys();
  }

  /** Cancels what can still be cancelled of the requested units; see the schema's `requestCancellation`. */
  async requestCancellation(input: RequestCancellationInput, identity: Identity): Promise<RequestCancellationResult> {
    if (!mayAct(identity, 'requestCancellation')) {
      throw graphqlError(
        ErrorCode.FORBIDDEN,
        `requestCancellation is not among the actions of the ${identity.consumer} consumer (docs/security.md)`,
      );
    }
    requireId('input.orderId', input.orderId);
    checkKey(input.idempotencyKey);
    if (!CHANNELS.includes(input.channel))
      throw badUserInput(
        `input.channel must be one of ${CHANNELS.join(', ')}; received ${JSON.stringify(input.channel)}`,
      );
    if (input.lines.length < 1 || input.lines.length > 500)
      throw badUserInput(`input.lines must list 1 to 500 lines; received ${input.lines.length}`);
    const scope = `requestCancellation|${identity.consumer}|${identity.customerId ?? identity.subject}`;
    const fingerprint = JSON.stringify([
      input.orderId,
      input.channel,
      input.reasonCode,
      input.lines.map((l) => [l.lineNumber, l.quantity]),
    ]);
    const locks = [`oms|key|${scope}|${input.idempotencyKey}`, `oms|order|${input.orderId}`];
    return underLocks(this.lock, locks, `requestCancellation on ${input.orderId}`, async () => {
      const seen = await this.cancellations.get<RequestCancellationResult>(scope, input.idempotencyKey, fingerprint);
      if (seen && 'result' in seen) return seen.result;
      if (seen)
        return rejected(null, [
          {
            code: 'IDEMPOTENCY_KEY_REUSED',
            field: ['idempotencyKey'],
            message: `idempotencyKey ${JSON.stringify(input.idempotencyKey)} was used before for another request; expected a new key for a new request`,
            expected: 'a key not used for another request',
            received: input.idempotencyKey,
          },
        ]);
      const result = await this.cancel(input, identity);
      await this.cancellations.remember(scope, input.idempotencyKey, fingerprint, result);
      await this.opts.audit.append({
        orderId: input.orderId,
        at: new Date(this.now()).toISOString(),
        action: 'requestCancellation',
        channel: input.channel,
        actor: auditActor(identity),
        reasonCodes: [input.reasonCode],
        result: result.result,
        idempotencyKey: input.idempotencyKey,
        detail: result.userErrors.length
          ? result.userErrors.map((e) => e.code).join(', ')
          : result.lines
              .map(
                (l) =>
                  `line ${l.lineNumber}: ${l.cancelled} cancelled${l.notCancelled ? `, ${l.notCancelled} not (${l.reason})` : ''}`,
              )
              .join('; '),
      });
      return result;
    });
  }

  private async cancel(input: RequestCancellationInput, identity: Identity): Promise<RequestCancellationResult> {
    const [order] = await this.opts.port.ordersById([input.orderId]);
    // Another customer's order answers exactly like an unknown one.
    if (!order || !mayReadOrder(identity, { customerId: order.customerId, nodeIds: [] })) {
      return rejected(null, [
        {
          code: 'UNKNOWN_ORDER',
          field: ['orderId'],
          message: `no order ${JSON.stringify(input.orderId)} that you may act on; expected the id of one of your orders`,
          expected: 'an order id you may act on',
          received: input.orderId,
        },
      ]);
    }
    const errors: CancellationUserError[] = [];
    const seenLines = new Set<number>();
    input.lines.forEach((l, i) => {
      const field = ['lines', String(i)];
      if (seenLines.has(l.lineNumber))
        errors.push({
          code: 'DUPLICATE_LINE',
          field: [...field, 'lineNumber'],
          lineNumber: l.lineNumber,
          message: `line ${l.lineNumber} is listed twice; expected each line once`,
          expected: 'each line once',
          received: `line ${l.lineNumber} again`,
        });
      seenLines.add(l.lineNumber);
      if (!order.lines.some((ol) => ol.lineNumber === l.lineNumber))
        errors.push({
          code: 'UNKNOWN_LINE',
          field: [...field, 'lineNumber'],
          lineNumber: l.lineNumber,
          message: `the order has no line ${l.lineNumber}; expected one of ${order.lines.map((ol) => ol.lineNumber).join(', ')}`,
          expected: `one of ${order.lines.map((ol) => ol.lineNumber).join(', ')}`,
          received: String(l.lineNumber),
        });
      if (!Number.isInteger(l.quantity) || l.quantity < 1)
        errors.push({
          code: 'INVALID_QUANTITY',
          field: [...field, 'quantity'],
          lineNumber: l.lineNumber,
          message: `quantity must be at least 1; received ${l.quantity}`,
          expected: 'at least 1',
          received: String(l.quantity),
        });
    });
    if (errors.length) return rejected(order.id, errors);
    // Shipped units are the WMS's facts: re-read them through the gateway now, never trusting a preview.
    const facts = await this.opts.gateway.execute<{
      order: { lineStatuses: { lineNumber: number; quantities: { shipped: number } }[] | null } | null;
    }>(SHIPPED, { id: order.id });
    const statuses = facts.data?.order?.lineStatuses;
    if (!statuses)
      throw graphqlError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `cancelling needs the shipped units of ${order.id}, which are unavailable: ${facts.errors?.[0]?.message ?? 'no answer'}; nothing was cancelled`,
      );
    const shipped = new Map(statuses.map((s) => [s.lineNumber, s.quantities.shipped]));
    const at = new Date(this.now()).toISOString();
    const lines: CancellationLineResult[] = [];
    const notifications: OmsNotification[] = [];
    for (const l of input.lines) {
      const line = order.lines.find((ol) => ol.lineNumber === l.lineNumber)!;
      const sent = shipped.get(l.lineNumber) ?? 0;
      const cancellable = Math.max(0, line.quantity - line.cancelledQuantity - sent);
      const take = Math.min(l.quantity, cancellable);
      const reason =
        take === l.quantity
          ? null
          : `${l.quantity - take} of ${l.quantity} units could not be cancelled: ordered ${line.quantity}, already cancelled ${line.cancelledQuantity}, handed to a carrier ${sent}; at most ${cancellable} cancellable`;
      lines.push({
        lineNumber: l.lineNumber,
        requested: l.quantity,
        cancelled: take,
        notCancelled: l.quantity - take,
        reason,
      });
      if (take > 0) {
        notifications.push({
          eventId: `action-${randomUUID()}`,
          eventType: 'ORDER_LINE_CANCELLED',
          eventTime: at,
          orderId: order.id,
          line: { lineNumber: l.lineNumber, cancelledQuantity: line.cancelledQuantity + take },
          reasonCode: input.reasonCode,
        });
      }
    }
    for (const n of notifications) await this.opts.applier.ingest(this.opts.ingest.plan(n));
    const total = lines.reduce((n, l) => n + l.cancelled, 0);
    const missing = lines.reduce((n, l) => n + l.notCancelled, 0);
    if (total === 0) {
      return {
        lines,
        result: 'REJECTED',
        orderId: order.id,
        userErrors: lines.map((l) => ({
          code: 'NOTHING_CANCELLABLE' as const,
          field: ['lines', String(input.lines.findIndex((x) => x.lineNumber === l.lineNumber))],
          lineNumber: l.lineNumber,
          message: l.reason!,
          expected: 'units not yet handed to a carrier or cancelled',
          received: `${l.requested} units`,
        })),
      };
    }
    return { lines, result: missing > 0 ? 'PARTIAL' : 'ACCEPTED', userErrors: [], orderId: order.id };
  }

  /** Books (or finds) the replacement order of a return; see the schema's `createReplacementOrder`. */
  async createReplacementOrder(input: CreateReplacementOrderInput, identity: Identity): Promise<string> {
    if (!mayAct(identity, 'createReplacementOrder')) {
      throw graphqlError(
        ErrorCode.FORBIDDEN,
        "createReplacementOrder is the returns desk's service call; only the internal service identity may make it (docs/security.md)",
      );
    }
    requireId('input.originalOrderId', input.originalOrderId);
    requireId('input.returnId', input.returnId);
    if (input.lines.length < 1 || input.lines.length > 500)
      throw badUserInput(`input.lines must list 1 to 500 lines; received ${input.lines.length}`);
    input.lines.forEach((l, i) => {
      requireId(`input.lines[${i}].sku`, l.sku);
      if (!Number.isInteger(l.quantity) || l.quantity < 1)
        throw badUserInput(`input.lines[${i}].quantity must be at least 1; received ${l.quantity}`);
    });
    const id = replacementOrderId(input.returnId);
    // The OMS's own lock of the order (not the returns desk's, which its caller holds meanwhile).
    return underLocks(
      this.lock,
      [`oms|order|${input.originalOrderId}`],
      `createReplacementOrder for ${input.returnId}`,
      async () => {
        const [original, existing] = await this.opts.port.ordersById([input.originalOrderId, id]);
        if (existing) return existing.id;
        if (!original)
          throw badUserInput(
            `input.originalOrderId must name an order the OMS knows; received ${JSON.stringify(input.originalOrderId)}`,
          );
        const [customer] = await this.opts.port.customersById([original.customerId]);
        if (!customer)
          throw graphqlError(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            `the OMS has no customer ${original.customerId} for ${original.id}`,
          );
        const at = new Date(this.now()).toISOString();
        await this.opts.applier.ingest(
          this.opts.ingest.plan({
            eventId: `action-${randomUUID()}`,
            eventType: 'ORDER_CREATED',
            eventTime: at,
            orderId: id,
            order: {
              number: `X-${original.number}-${input.returnId}`.slice(0, 64),
              channel: original.channel,
              placedAt: at,
              customer: {
                id: customer.id,
                name: customer.name,
                email: customer.email,
                salesforceAccountId: customer.salesforceAccountId,
              },
              lines: input.lines.map((l, i) => ({
                lineNumber: i + 1,
                sku: l.sku,
                description: `exchange for return ${input.returnId}`,
                finalSale: false,
                quantity: l.quantity,
              })),
            },
          }),
        );
        await this.opts.audit.append({
          orderId: original.id,
          at,
          action: 'createReplacementOrder',
          channel: original.channel,
          actor: auditActor(identity),
          reasonCodes: ['EXCHANGE'],
          result: 'ACCEPTED',
          detail: `replacement order ${id} for return ${input.returnId}`,
          idempotencyKey: input.returnId,
        });
        return id;
      },
    );
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length < 1 || key.length > 128 || /\p{Cc}/u.test(key)) {
    throw badUserInput(
      `input.idempotencyKey must be 1-128 characters without control characters; received ${typeof key === 'string' ? `${key.length} characters` : typeof key}`,
    );
  }
}

function rejected(orderId: string | null, userErrors: CancellationUserError[]): RequestCancellationResult {
  return { lines: [], result: 'REJECTED', userErrors, orderId };
}
