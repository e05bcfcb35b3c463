import { createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput } from '../common/errors.js';
import { MIN_SECRET_LENGTH } from '../common/signature.js';
import type { OrderPosition } from './port.js';

/** Page sizes the `orders` connection accepts. */
export const MIN_PAGE = 1;
export const MAX_PAGE = 100;

const EXPECTED = 'expected the endCursor of a previous page of orders';

/**
 * The `orders` connection's cursors: opaque and tamper-evident — the position plus a MAC under a
 * configured key (`ORDERS_CURSOR_SECRET`, see cursorSecret.ts) — so the API accepts only cursors it
 * issued. The key protects integrity, not secrecy (a cursor holds nothing private); replicas that
 * share a key accept each other's cursors, and rotating it makes older cursors refused.
 */
export class OrderCursors {
  constructor(private readonly secret: string) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new RangeError(
        `the orders cursor secret must be at least ${MIN_SECRET_LENGTH} characters; received ${secret.length}`,
      );
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(`orders-cursor/v1|${payload}`).digest('base64url').slice(0, 16);
  }

  encode(p: OrderPosition): string {
    const payload = `${p.placedAt}|${p.id}`;
    return Buffer.from(`${payload}|${this.mac(payload)}`).toString('base64url');
  }

  /** Decodes a cursor this API issued, or throws BAD_USER_INPUT. */
  decode(cursor: string): OrderPosition {
    if (cursor.length === 0 || cursor.length > 256 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
      throw badUserInput(
        `after is not a cursor this API issued: ${EXPECTED}, received ${cursor.length} characters that are not one`,
      );
    }
    const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    const given = Buffer.from(parts[2] ?? '');
    const wanted = Buffer.from(parts.length === 3 ? this.mac(`${parts[0]}|${parts[1]}`) : '');
    if (parts.length !== 3 || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw badUserInput(`after is not a cursor this API issued: ${EXPECTED}`);
    }
    return { placedAt: parts[0]!, id: parts[1]! };
  }
}

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < MIN_PAGE || first > MAX_PAGE) {
    throw badUserInput(`first must be an integer from ${MIN_PAGE} to ${MAX_PAGE}; received ${first}`);
  }
}
