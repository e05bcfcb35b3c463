/** An amount of money: a decimal string (never a float) and its ISO-4217 currency (contract type `Money`). */
export interface Money {
  amount: string;
  currency: string;
}

/** Minor units (cents) of a two-decimal amount. */
export const toCents = (m: Money): number => Math.round(Number(m.amount) * 100);

/** A two-decimal amount from minor units. @default currency 'USD' */
export const fromCents = (cents: number, currency = 'USD'): Money => ({ amount: (cents / 100).toFixed(2), currency });
