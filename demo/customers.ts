/**
 * Demo customers: CUST-00001 is a heavy business account; the rest are consumers, most linked to
 * a Salesforce Account (18-character id with the `001` key prefix), a few not linked at all.
 */
import { FIRST_NAMES, LAST_NAMES } from './catalogue.js';
import type { OmsCustomer } from './records.js';
import type { Rng } from './rng.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const SPAN = 62 ** 5;

/**
 * A Salesforce-style 18-character Account id for customer number `n`: the 15-character
 * case-sensitive id (`001` key prefix, pod, then a unique tail) plus the 3-character
 * case-insensitive checksum Salesforce appends (one bit per upper-case letter in each 5-char chunk).
 */
export function salesforceAccountId(n: number): string {
  let x = (n * 1_000_003 + 104_729) % SPAN; // a bijection on [0, 62^5): unique, scattered tails
  let tail = '';
  for (let i = 0; i < 5; i++) {
    tail = BASE62[x % 62]! + tail;
    x = Math.floor(x / 62);
  }
  const id15 = `0015e00000${tail}`;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let j = 0; j < 5; j++) {
      const c = id15[chunk * 5 + j]!;
      if (c >= 'A' && c <= 'Z') bits |= 1 << j;
    }
    suffix += SUFFIX[bits]!;
  }
  return id15 + suffix;
}

const ascii = (s: string): string =>
  s
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/** `CUST-00001` … for customer number `n` (1-based). */
export const customerId = (n: number): string => `CUST-${String(n).padStart(5, '0')}`;

/** Creates `count` customers from their own random stream. */
export function makeCustomers(rng: Rng, count: number): OmsCustomer[] {
  const customers: OmsCustomer[] = [];
  for (let n = 1; n <= count; n++) {
    if (n === 1) {
      customers.push({
        id: customerId(1),
        salesforceAccountId: salesforceAccountId(1),
        name: 'Northwind Traders',
        email: 'purchasing@northwind.example.com',
      });
      continue;
    }
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    customers.push({
      id: customerId(n),
      salesforceAccountId: rng.chance(0.04) ? null : salesforceAccountId(n),
      name: `${first} ${last}`,
      email: `${ascii(first)}.${ascii(last)}.${n}@example.com`,
    });
  }
  return customers;
}
