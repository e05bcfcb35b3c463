import { randomUUID } from 'node:crypto';
import {
  CHANNELS,
  ErrorCode,
  evaluateReturnEligibility,
  mayAct,
  mayReadOrder,
  type Channel,
  type Identity,
  type ReturnRuleFailure,
} from '../../canonical/index.js';
import { auditActor, type AuditLog } from '../common/auditLog.js';
import { badUserInput, graphqlError, requireId } from '../common/errors.js';
import type { GatewayClient } from '../common/gatewayClient.js';
import { IdempotencyKeys, type ActionResults } from '../common/idempotency.js';
import type { IngestApplier, IngestSystem } from '../common/ingest.js';
import { KeyedLock, underLocks, type ActionLock } from '../common/keyedLock.js';
import type { ReturnsWebhook } from './ingest.js';
import type { ReturnRecord, ReturnsPort } from './port.js';

/** `requestReturn`'s input. */
export interface RequestReturnInput {
  orderId: string;
  idempotencyKey: string;
  channel: Channel;
  lines: { lineNumber: number; quantity: number; reasonCode: string }[];
  exchange?: { lineNumber: number; sku: string }[] | null;
}
export type ReturnErrorCode =
  | 'UNKNOWN_ORDER'
  | 'UNKNOWN_LINE'
  | 'DUPLICATE_LINE'
  | 'INVALID_QUANTITY'
  | 'NOT_DELIVERED'
  | 'NOT_INVOICED'
  | 'WINDOW_CLOSED'
  | 'FINAL_SALE'
  | 'QUANTITY_ABOVE_RETURNABLE'
  | 'INVALID_EXCHANGE'
  | 'IDEMPOTENCY_KEY_REUSED';
export interface ReturnUserError {
  code: ReturnErrorCode;
  message: string;
  field: string[];
  lineNumber?: number;
  expected?: string;
  received?: string;
  closedAt?: string;
}
/** `requestReturn`'s answer; `returnId` resolves to the `return`. */
export interface RequestReturnResult {
  returnId: string | null;
  result: 'ACCEPTED' | 'REJECTED';
  userErrors: ReturnUserError[];
}

/** What the returns desk's actions need (wired by server.ts). */
export interface ReturnsActionsOptions {
  port: ReturnsPort;
  /** Applies the desk's `return.requested` webhook an accepted request means, publishing it like `/ingest`. */
  applier: IngestApplier;
  ingest: IngestSystem<ReturnsWebhook>;
  /** Re-reads the policy's inputs (carrier, ERP, OMS) and books the exchange order (OMS) as the service identity. */
  gateway: GatewayClient;
  audit: AuditLog;
  /** The per-order (and per-key) lock: the store's holds across replicas. @default an in-process KeyedLock */
  lock?: ActionLock;
  /** Results by idempotency key: the store's are shared by replicas. @default in process memory */
  results?: ActionResults;
  /** @default Date.now */
  now?: () => number;
}

/** The policy's inputs the other owners hold, re-read at write time. */
const FACTS = `query ReturnsPolicyFacts($id: ID!) { order(id: $id) { id customer { id } lines { lineNumber sku finalSale }
  returnEligibility { lineNumber delivered invoiced lastDeliveredAt windowDays } } }`;
const REPLACEMENT =
  'mutation ReturnsExchangeOrder($input: CreateReplacementOrderInput!) { createReplacementOrder(input: $input) { order { id } } }';

interface Facts {
  order: {
    id: string;
    customer: { id: string };
    lines: { lineNumber: number; sku: string; finalSale: boolean }[];
    returnEligibility:
      | {
          lineNumber: number;
          delivered: number;
          invoiced: number;
          lastDeliveredAt: string | null;
          windowDays: number;
        }[]
      | null;
  } | null;
}

/** Statuses whose units no longer count as in a return. */
const VOID = new Set(['REJECTED', 'CANCELLED']);

/**
 * The returns desk's action (docs/returns.md): a return request, checked against the one policy at
 * write time — the other owners' facts re-read through the gateway as the service identity, the
 * units already in a return from the desk's own records, under the order's lock, so two requests
 * for the same last unit are decided one after the other. Idempotent by key.
 */
export class ReturnsActions {
  private readonly lock: ActionLock;
  private readonly requests: ActionResults;
  private readonly now: () => number;

  constructor(private readonly opts: ReturnsActionsOptions) {
    this.now = opts.now ?? Date.now;
    this.lock = opts.lock ?? new KeyedLock();
    this.requests = opts.results ?? new IdempotencyKeys();
  }

  async requestReturn(input: RequestReturnInput, identity: Identity): Promise<RequestReturnResult> {
    if (!mayAct(identity, 'requestReturn')) {
      throw graphqlError(
        ErrorCode.FORBIDDEN,
        `requestReturn is not among the actions of the ${identity.consumer} consumer (docs/security.md)`,
      );
    }
    requireId('input.orderId', input.orderId);
    const key = input.idempotencyKey;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || /\p{Cc}/u.test(key)) {
      throw badUserInput(
        `input.idempotencyKey must be 1-128 characters without control characters; received ${typeof key === 'string' ? `${key.length} characters` : typeof key}`,
      );
    }
    if (!CHANNELS.includes(input.channel))
      throw badUserInput(
        `input.channel must be one of ${CHANNELS.join(', ')}; received ${JSON.stringify(input.channel)}`,
      );
    if (input.lines.length < 1 || input.lines.length > 500)
      throw badUserInput(`input.lines must list 1 to 500 lines; received ${input.lines.length}`);
    const scope = `requestReturn|${identity.consumer}|${identity.customerId ?? identity.subject}`;
    const fingerprint = JSON.stringify([
      input.orderId,
      input.channel,
      input.lines.map((l) => [l.lineNumber, l.quantity, l.reasonCode]),
      (input.exchange ?? []).map((e) => [e.lineNumber, e.sku]),
    ]);
    // The key, then the order: a retry racing its original waits for it (on any replica), and two
    // requests for the same order are decided one after the other.
    const locks = [`returns|key|${scope}|${key}`, `returns|order|${input.orderId}`];
    return underLocks(this.lock, locks, `requestReturn on ${input.orderId}`, async () => {
      const seen = await this.requests.get<RequestReturnResult>(scope, key, fingerprint);
      if (seen && 'result' in seen) return seen.result;
      if (seen) {
        return rejected([
          {
            code: 'IDEMPOTENCY_KEY_REUSED',
            field: ['idempotencyKey'],
            message: `idempotencyKey ${JSON.stringify(key)} was used before for another request; expected a new key for a new request`,
            expected: 'a key not used for another request',
            received: key,
          },
        ]);
      }
      const result = await this.decide(input, identity);
      await this.requests.remember(scope, key, fingerprint, result);
      const reasonCodes = [...new Set(input.lines.map((l) => l.reasonCode))];
      await this.opts.audit.append({
        orderId: input.orderId,
        at: new Date(this.now()).toISOString(),
        action: 'requestReturn',
        channel: input.channel,
        actor: auditActor(identity),
        reasonCodes,
        result: result.result,
        idempotencyKey: key,
        detail: result.returnId
          ? `return ${result.returnId} requested: ${input.lines.map((l) => `line ${l.lineNumber} × ${l.quantity}`).join(', ')}${input.exchange?.length ? ' (exchange)' : ''}`
          : result.userErrors.map((e) => (e.lineNumber ? `${e.code} (line ${e.lineNumber})` : e.code)).join(', '),
      });
      return result;
    });
  }

  private async decide(input: RequestReturnInput, identity: Identity): Promise<RequestReturnResult> {
    const answer = await this.opts.gateway.execute<Facts>(FACTS, { id: input.orderId });
    const order = answer.data?.order ?? null;
    // An order the caller may not see answers exactly like one that does not exist.
    if (!order || !mayReadOrder(identity, { customerId: order.customer.id, nodeIds: [] })) {
      if (!order && answer.errors?.length && answer.data?.order !== null) {
        throw graphqlError(
          ErrorCode.UPSTREAM_UNAVAILABLE,
          `re-reading order ${input.orderId} failed: ${answer.errors[0]!.message}; nothing was requested`,
        );
      }
      return rejected([
        {
          code: 'UNKNOWN_ORDER',
          field: ['orderId'],
          message: `no order ${JSON.stringify(input.orderId)} that you may act on; expected the id of one of your orders`,
          expected: 'an order id you may act on',
          received: input.orderId,
        },
      ]);
    }
    if (!order.returnEligibility) {
      throw graphqlError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `the returns policy needs the delivered and invoiced units of ${order.id}, which are unavailable: ${answer.errors?.[0]?.message ?? 'no answer'}; nothing was requested`,
      );
    }
    // Units already in a return: the desk's own records, fresh under the lock (never a cached read).
    const [existing] = await this.opts.port.returnsByOrderIds([order.id]);
    const initiated = new Map<number, number>();
    for (const r of existing ?? [])
      if (!VOID.has(r.status))
        for (const l of r.lines) initiated.set(l.lineNumber, (initiated.get(l.lineNumber) ?? 0) + l.quantity);
    const facts = new Map(order.returnEligibility.map((f) => [f.lineNumber, f]));
    const requestedAt = new Date(this.now()).toISOString();
    const errors: ReturnUserError[] = [];
    const listed = new Set<number>();
    input.lines.forEach((l, i) => {
      const field = ['lines', String(i)];
      const line = order.lines.find((ol) => ol.lineNumber === l.lineNumber);
      const f = facts.get(l.lineNumber);
      if (listed.has(l.lineNumber)) {
        errors.push({
          code: 'DUPLICATE_LINE',
          field: [...field, 'lineNumber'],
          lineNumber: l.lineNumber,
          message: `line ${l.lineNumber} is listed twice; expected each line once`,
          expected: 'each line once',
          received: `line ${l.lineNumber} again`,
        });
        return;
      }
      listed.add(l.lineNumber);
      if (!line || !f) {
        const known = order.lines.map((ol) => ol.lineNumber).join(', ');
        errors.push({
          code: 'UNKNOWN_LINE',
          field: [...field, 'lineNumber'],
          lineNumber: l.lineNumber,
          message: `the order has no line ${l.lineNumber}; expected one of ${known}`,
          expected: `one of ${known}`,
          received: String(l.lineNumber),
        });
        return;
      }
      if (!Number.isInteger(l.quantity) || l.quantity < 1) {
        errors.push({
          code: 'INVALID_QUANTITY',
          field: [...field, 'quantity'],
          lineNumber: l.lineNumber,
          message: `quantity must be at least 1; received ${l.quantity}`,
          expected: 'at least 1',
          received: String(l.quantity),
        });
        return;
      }
      const verdict = evaluateReturnEligibility({
        requestedAt,
        quantity: l.quantity,
        finalSale: line.finalSale,
        delivered: f.delivered,
        invoiced: f.invoiced,
        returnInitiated: initiated.get(l.lineNumber) ?? 0,
        lastDeliveredAt: f.lastDeliveredAt,
        windowDays: f.windowDays,
      });
      for (const failure of verdict.failures)
        errors.push(ruleError(failure, l, field, requestedAt, verdict.returnableQuantity));
    });
    (input.exchange ?? []).forEach((e, i) => {
      const field = ['exchange', String(i)];
      if (!listed.has(e.lineNumber)) {
        errors.push({
          code: 'INVALID_EXCHANGE',
          field: [...field, 'lineNumber'],
          lineNumber: e.lineNumber,
          message: `an exchange must name a line of this request; expected one of ${[...listed].join(', ')}, received ${e.lineNumber}`,
          expected: `one of ${[...listed].join(', ')}`,
          received: String(e.lineNumber),
        });
      } else if (typeof e.sku !== 'string' || e.sku.length < 1 || e.sku.length > 64 || /\p{Cc}/u.test(e.sku)) {
        errors.push({
          code: 'INVALID_EXCHANGE',
          field: [...field, 'sku'],
          lineNumber: e.lineNumber,
          message: `an exchange SKU must be 1-64 characters without control characters; received ${JSON.stringify(e.sku)}`,
          expected: 'a SKU of 1-64 characters',
          received: String(e.sku),
        });
      }
    });
    if (errors.length) return rejected(errors);

    const returnId = nextReturnId(order.id, existing ?? []);
    let exchangeOrderId: string | null = null;
    if (input.exchange?.length) {
      // The replacement order is the OMS's: booked through the gateway as the service identity.
      const lines = input.exchange.map((e) => ({
        sku: e.sku,
        quantity: input.lines.find((l) => l.lineNumber === e.lineNumber)!.quantity,
      }));
      const booked = await this.opts.gateway.execute<{ createReplacementOrder: { order: { id: string } } }>(
        REPLACEMENT,
        { input: { originalOrderId: order.id, returnId, lines } },
      );
      exchangeOrderId = booked.data?.createReplacementOrder?.order.id ?? null;
      if (!exchangeOrderId)
        throw graphqlError(
          ErrorCode.UPSTREAM_UNAVAILABLE,
          `the OMS did not book the exchange's replacement order: ${booked.errors?.[0]?.message ?? 'no answer'}; nothing was requested`,
        );
    }
    await this.opts.applier.ingest(
      this.opts.ingest.plan({
        webhookId: `action-${randomUUID()}`,
        topic: 'return.requested',
        createdAt: requestedAt,
        return: {
          id: returnId,
          orderId: order.id,
          channel: input.channel,
          reason: input.lines[0]!.reasonCode,
          exchangeOrderId,
          lines: input.lines.map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity, reason: l.reasonCode })),
        },
      }),
    );
    return { returnId, result: 'ACCEPTED', userErrors: [] };
  }
}

function ruleError(
  f: ReturnRuleFailure,
  l: { lineNumber: number; quantity: number },
  field: string[],
  requestedAt: string,
  returnable: number,
): ReturnUserError {
  const base = { field, lineNumber: l.lineNumber };
  switch (f.rule) {
    case 'NOT_DELIVERED':
      return {
        ...base,
        code: f.rule,
        message: `line ${l.lineNumber}: ${f.message}; expected delivered units`,
        expected: 'delivered units',
        received: 'none delivered',
      };
    case 'NOT_INVOICED':
      return {
        ...base,
        code: f.rule,
        message: `line ${l.lineNumber}: ${f.message}; expected invoiced units`,
        expected: 'invoiced units',
        received: 'none invoiced',
      };
    case 'WINDOW_CLOSED':
      return {
        ...base,
        code: f.rule,
        closedAt: f.closedAt,
        message: `line ${l.lineNumber}: ${f.message}; expected a request by ${f.closedAt}, received ${requestedAt}`,
        expected: `by ${f.closedAt}`,
        received: requestedAt,
      };
    case 'FINAL_SALE':
      return {
        ...base,
        code: f.rule,
        message: `line ${l.lineNumber}: ${f.message}; final-sale items are never returnable`,
        expected: 'a line not sold as final sale',
        received: 'final sale',
      };
    case 'QUANTITY_ABOVE_RETURNABLE':
      return {
        ...base,
        field: [...field, 'quantity'],
        code: f.rule,
        message: `line ${l.lineNumber}: ${f.message}; expected at most ${returnable}, received ${l.quantity}`,
        expected: `at most ${returnable}`,
        received: String(l.quantity),
      };
    case 'INVALID_REQUEST':
      return {
        ...base,
        field: [...field, 'quantity'],
        code: 'INVALID_QUANTITY',
        message: f.message,
        expected: 'at least 1',
        received: String(l.quantity),
      };
  }
}

/** `RET-<order id>-<n>`, the next n after the order's existing returns. */
function nextReturnId(orderId: string, existing: readonly ReturnRecord[]): string {
  const taken = new Set(existing.map((r) => r.id));
  let n = existing.length + 1;
  while (taken.has(`RET-${orderId}-${n}`)) n += 1;
  return `RET-${orderId}-${n}`;
}

function rejected(userErrors: ReturnUserError[]): RequestReturnResult {
  return { returnId: null, result: 'REJECTED', userErrors };
}
