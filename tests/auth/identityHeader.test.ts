import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../gateway/auth/identity.js';
import { signIdentity, verifyIdentity } from '../../canonical/identityHeader.js';

const SECRET = 'a-test-identity-secret-of-at-least-32-chars';
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const storefront: Identity = {
  consumer: 'storefront',
  subject: 'CUST-00001',
  customerId: 'CUST-00001',
  scopes: ['orders:read:own'],
  expiresAt: NOW + 3_600_000,
};

/** Replaces one character of `s` at `i` with another base64url character. */
const flip = (s: string, i: number): string => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;

describe('identity header', () => {
  it('should round-trip every kind of identity', () => {
    const identities: Identity[] = [
      storefront,
      { consumer: 'partner', subject: 'acme-2025', partnerNodeId: 'DS-ACME', scopes: [] },
      { consumer: 'ops', subject: 'ops-developer', scopes: ['ops', 'orders:read'], expiresAt: NOW + 60_000 },
      { consumer: 'salesforce', subject: 'named-credential', scopes: [] },
      { consumer: 'internal', subject: 'status-tracker', scopes: [] },
    ];
    for (const identity of identities) {
      const header = signIdentity(identity, SECRET, NOW);
      expect(header).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
      expect(verifyIdentity(header, SECRET, NOW + 59_000)).toEqual(identity);
    }
  });

  it('should return null for a tampered payload or signature', () => {
    const header = signIdentity(storefront, SECRET, NOW);
    const [v, body, sig] = header.split('.') as [string, string, string];
    const otherCustomer = Buffer.from(
      JSON.stringify({ c: 'storefront', s: 'CUST-00002', cu: 'CUST-00002', sc: [], iat: NOW / 1000 }),
    ).toString('base64url');
    expect(verifyIdentity(`${v}.${otherCustomer}.${sig}`, SECRET, NOW)).toBeNull();
    expect(verifyIdentity(`${v}.${flip(body, 3)}.${sig}`, SECRET, NOW)).toBeNull();
    expect(verifyIdentity(`${v}.${body}.${flip(sig, 5)}`, SECRET, NOW)).toBeNull();
    expect(verifyIdentity(`${header}=`, SECRET, NOW)).toBeNull();
    expect(verifyIdentity(`v2.${body}.${sig}`, SECRET, NOW)).toBeNull();
  });

  it('should return null for a header signed with another secret', () => {
    const header = signIdentity(storefront, 'another-secret-that-is-also-32-characters', NOW);
    expect(verifyIdentity(header, SECRET, NOW)).toBeNull();
  });

  it('should return null when the header is stale or from the future', () => {
    const header = signIdentity(storefront, SECRET, NOW);
    expect(verifyIdentity(header, SECRET, NOW + 61_000)).toBeNull();
    expect(verifyIdentity(header, SECRET, NOW + 9_000, 10)).not.toBeNull();
    expect(verifyIdentity(header, SECRET, NOW + 11_000, 10)).toBeNull();
    expect(verifyIdentity(header, SECRET, NOW - 10_000)).toBeNull();
    expect(verifyIdentity(header, SECRET, NOW - 4_000)).not.toBeNull();
  });

  it('should return null for absent or garbage values', () => {
    for (const value of [undefined, '', 'v1', 'v1..', 'v1.e30.', 'Bearer x', 'v1.x.y.z', 'x'.repeat(10_000)]) {
      expect(verifyIdentity(value, SECRET, NOW)).toBeNull();
    }
  });

  it('should return null for a correctly signed payload of the wrong shape', () => {
    // Signs an arbitrary payload the way signIdentity does, to prove the shape is checked too.
    const mint = (payload: unknown): string => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `v1.${body}.${createHmac('sha256', SECRET).update(`v1.${body}`).digest('base64url')}`;
    };
    expect(verifyIdentity(mint({ c: 'admin', s: 'x', sc: [], iat: NOW / 1000 }), SECRET, NOW)).toBeNull();
    expect(verifyIdentity(mint({ c: 'ops', s: 'x', sc: 'ops', iat: NOW / 1000 }), SECRET, NOW)).toBeNull();
    expect(verifyIdentity(mint({ c: 'ops', s: 'x', sc: ['ops'] }), SECRET, NOW)).toBeNull();
    expect(verifyIdentity(mint({ c: 'ops', s: 'x', sc: ['ops'], iat: NOW / 1000 }), SECRET, NOW)).not.toBeNull();
  });

  it('should carry the acting user of a salesforce identity inside the signature, and refuse it for anyone else or malformed', () => {
    const agent: Identity = {
      consumer: 'salesforce',
      subject: 'named-credential',
      scopes: [],
      actingUser: '005Hs00000AbCdEAAZ',
    };
    const header = signIdentity(agent, SECRET, NOW);
    expect(verifyIdentity(header, SECRET, NOW)).toEqual(agent);
    // Tampering with it breaks the signature like any other field.
    const [v, , sig] = header.split('.') as [string, string, string];
    const other = Buffer.from(
      JSON.stringify({ c: 'salesforce', s: 'named-credential', sc: [], au: '005Hs00000ZzZzZAAZ', iat: NOW / 1000 }),
    ).toString('base64url');
    expect(verifyIdentity(`${v}.${other}.${sig}`, SECRET, NOW)).toBeNull();
    // The gateway never signs one for another consumer or a malformed id ...
    expect(() => signIdentity({ ...storefront, actingUser: '005Hs00000AbCdEAAZ' }, SECRET, NOW)).toThrow(
      'an acting user is signed only for salesforce and only as a Salesforce user id; received "005Hs00000AbCdEAAZ" for storefront',
    );
    expect(() => signIdentity({ ...agent, actingUser: 'agent-007' }, SECRET, NOW)).toThrow(
      /received "agent-007" for salesforce/,
    );
    // ... and a subgraph refuses such a header even when it is signed with the secret.
    const mint = (payload: unknown): string => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `v1.${body}.${createHmac('sha256', SECRET).update(`v1.${body}`).digest('base64url')}`;
    };
    expect(
      verifyIdentity(
        mint({ c: 'storefront', s: 'C-1', cu: 'C-1', sc: [], au: '005Hs00000AbCdEAAZ', iat: NOW / 1000 }),
        SECRET,
        NOW,
      ),
    ).toBeNull();
    expect(
      verifyIdentity(mint({ c: 'salesforce', s: 'x', sc: [], au: 'agent-007', iat: NOW / 1000 }), SECRET, NOW),
    ).toBeNull();
    expect(verifyIdentity(mint({ c: 'salesforce', s: 'x', sc: [], au: 5, iat: NOW / 1000 }), SECRET, NOW)).toBeNull();
  });

  it('should refuse to sign or verify with a secret shorter than 32 characters', () => {
    expect(() => signIdentity(storefront, 'short', NOW)).toThrow('at least 32 characters; received 5');
    expect(() => verifyIdentity('v1.a.b', 'short', NOW)).toThrow('at least 32 characters');
  });
});
