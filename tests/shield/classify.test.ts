import { describe, expect, it } from 'vitest';
import { defaultClassify, parseRetryAfter, verdictForStatus } from '../../gateway/shield/index.js';

describe('parseRetryAfter', () => {
  it('should read delay-seconds and HTTP-dates as ms from now, and nothing else', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('verdictForStatus', () => {
  it('should map 429 to rateLimited, 408 and 5xx to retryable, other 4xx to fatal, the rest to ok', () => {
    expect(verdictForStatus(429, '2')).toEqual({ rateLimited: 2000 });
    expect(verdictForStatus(429, null)).toEqual({ rateLimited: 1000 });
    expect([500, 502, 503, 504, 408].map((s) => verdictForStatus(s))).toEqual(Array(5).fill('retryable'));
    expect([400, 401, 403, 404, 413].map((s) => verdictForStatus(s))).toEqual(Array(5).fill('fatal'));
    expect([200, 204, 304].map((s) => verdictForStatus(s))).toEqual(['ok', 'ok', 'ok']);
  });

  it('should treat values as ok and errors as retryable by default', () => {
    expect(defaultClassify({ ok: true, value: 1 })).toBe('ok');
    expect(defaultClassify({ ok: false, error: new Error('x') })).toBe('retryable');
  });
});
