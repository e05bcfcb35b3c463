/**
 * Findings of `npm run fuzz` that are known and owned elsewhere: each is in gateway/, which the
 * `pipeline` branch (issue 9 §1, issue 16 #9) rewrites. The short fuzz test accepts these and no
 * other; delete an entry once its fix is merged, and the test then proves it stays fixed.
 */
import type { Finding } from './run.js';

export interface KnownFinding {
  /** What goes wrong, and what a client should get instead. */
  what: string;
  /** A request that reproduces it (`curl` against `npm start`, with a salesforce credential). */
  reproduce: string;
  matches: (f: Finding) => boolean;
}

const graphql = (f: Finding): boolean => f.target.startsWith('graphql as ');

export const KNOWN_GATEWAY_FINDINGS: readonly KnownFinding[] = [
  {
    what: 'a malformed persistedQuery extension (version 2, or not an object) answers 400 with INTERNAL_SERVER_ERROR "internal error"',
    reproduce: `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":2}}}`,
    matches: (f) => graphql(f) && f.kind === 'extensions-junk',
  },
];

/** The findings no known entry explains. */
export const unexplained = (findings: readonly Finding[]): Finding[] =>
  findings.filter((f) => !KNOWN_GATEWAY_FINDINGS.some((k) => k.matches(f)));
