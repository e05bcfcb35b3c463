import { createHmac } from 'node:crypto';
import { badUserInput } from '../common/errors.js';
import type { OrderPosition } from './port.js';

/** Page sizes the `orders` connection accepts. */
export const MIN_PAGE = 1;
export const MAX_PAGE = 100;

// Cursors are opaque and tamper-evident: the position plus a MAC, so the API accepts only cursors
// it issued. The key protects integrity, not secrecy (a cursor holds nothing private).
const CURSOR_KEY = 'order-visibility-graph/orders-cursor/v1';
const mac = (payload: string): string => createHmac('sha256', CURSOR_KEY).update(payload).digest('base64url').slice(0, 16);

export function encodeCursor(p: OrderPosition): string {
  const payload = `${p.placedAt}|${p.id}`;
  return Buffer.from(`${payload}|${mac(payload)}`).toString('base64url');
}

/** Decodes a cursor this API issued, or throws BAD_USER_INPUT. */
export function decodeCursor(cursor: string): OrderPosition {
  const expected = 'expected the endCursor of a previous page of orders';
  if (cursor.length === 0 || cursor.length > 256 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw badUserInput(`after is not a cursor this API issued: ${expected}, received ${cursor.length} characters that are not one`);
  }
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 3 || mac(`${parts[0]}|${parts[1]}`) !== parts[2]) {
    throw badUserInput(`after is not a cursor this API issued: ${expected}`);
  }
  return { placedAt: parts[0]!, id: parts[1]! };
}

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < MIN_PAGE || first > MAX_PAGE) {
    throw badUserInput(`first must be an integer from ${MIN_PAGE} to ${MAX_PAGE}; received ${first}`);
  }
}
