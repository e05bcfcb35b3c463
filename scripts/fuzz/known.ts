/**
 * Findings of `npm run fuzz` that are known and not yet fixed, each with a reproduction. The short
 * fuzz test accepts these and no other; delete an entry once its fix is merged, and the test then
 * proves it stays fixed. Empty: the last one (a malformed persistedQuery extension answered as an
 * internal error) is refused 400 BAD_USER_INPUT since the persisted-operations stage checks its shape.
 */
import type { Finding } from './run.js';

export interface KnownFinding {
  /** What goes wrong, and what a client should get instead. */
  what: string;
  /** A request that reproduces it (`curl` against `npm start`, with a salesforce credential). */
  reproduce: string;
  matches: (f: Finding) => boolean;
}

export const KNOWN_GATEWAY_FINDINGS: readonly KnownFinding[] = [];

/** The findings no known entry explains. */
export const unexplained = (findings: readonly Finding[]): Finding[] =>
  findings.filter((f) => !KNOWN_GATEWAY_FINDINGS.some((k) => k.matches(f)));
