import { describe, expect, it } from 'vitest';
import { MAX_ID_LENGTH, checkId, parseDateTime } from '../../canonical/validation.js';

describe('checkId', () => {
  it('should accept an ordinary id', () => {
    expect(checkId('id', 'ord_0001')).toBeNull();
    expect(checkId('id', 'a')).toBeNull();
    expect(checkId('id', '9f1c2e4a-7b3d-4e8f-a1b2-c3d4e5f60718')).toBeNull();
  });

  it('should cap ids at 64 characters', () => {
    expect(MAX_ID_LENGTH).toBe(64);
  });

  it('should reject an empty id, saying what was expected and what arrived', () => {
    const message = checkId('orderId', '');
    expect(message).not.toBeNull();
    expect(message).toContain('orderId');
    expect(message).toMatch(/non-empty/);
    expect(message).toMatch(/received an empty string/);
  });

  it('should accept an id of exactly 64 characters', () => {
    expect(checkId('id', 'x'.repeat(64))).toBeNull();
  });

  it('should reject an id of 65 characters with the limit and the length received, not the value', () => {
    const value = 'Q'.repeat(65);
    const message = checkId('customerId', value);
    expect(message).toBe('customerId must be at most 64 characters; received 65');
    expect(message).not.toContain(value);
    expect(message).not.toContain('QQ');
  });

  it('should reject a very long hostile id without echoing it', () => {
    const value = '<script>alert(1)</script>'.repeat(10);
    const message = checkId('id', value);
    expect(message).toMatch(/at most 64 characters; received 250$/);
    expect(message).not.toContain('<script>');
  });

  const controls: [string, string][] = [
    ['NUL \\u0000', '\u0000'],
    ['TAB \\u0009', '\t'],
    ['LF \\u000a', '\n'],
    ['CR \\u000d', '\r'],
    ['ESC \\u001b', '\u001b'],
    ['unit separator \\u001f', '\u001f'],
    ['DEL \\u007f', '\u007f'],
    ['C1 \\u0080', '\u0080'],
    ['C1 NEL \\u0085', '\u0085'],
    ['C1 \\u009f', '\u009f'],
  ];
  for (const [name, ch] of controls) {
    it(`should reject an id containing ${name}, naming the position, not the value`, () => {
      const value = `ord${ch}SECRET`;
      const message = checkId('id', value);
      expect(message).toBe('id must not contain control characters; received one at position 3');
      expect(message).not.toContain(ch);
      expect(message).not.toContain('SECRET');
    });
  }

  it('should point at the first control character', () => {
    expect(checkId('id', '\u0000abc')).toMatch(/position 0$/);
    expect(checkId('id', 'abc\u007f\u0000')).toMatch(/position 3$/);
  });

  it('should accept characters just outside the control ranges', () => {
    expect(checkId('id', ' ')).toBeNull(); // \u0020
    expect(checkId('id', '~')).toBeNull(); // \u007e
    expect(checkId('id', '\u00a0')).toBeNull(); // first after C1
    expect(checkId('id', 'commande-é-中文')).toBeNull();
  });

  it('should check the length before the characters', () => {
    expect(checkId('id', '\u0000'.repeat(65))).toBe('id must be at most 64 characters; received 65');
  });
});

describe('parseDateTime', () => {
  const valid: [string, string][] = [
    ['2025-03-01T09:05:00Z', '2025-03-01T09:05:00.000Z'],
    ['2025-03-01T09:05:00.123Z', '2025-03-01T09:05:00.123Z'],
    ['2025-03-01T09:05:00.5Z', '2025-03-01T09:05:00.500Z'],
    ['2025-03-01T09:05Z', '2025-03-01T09:05:00.000Z'],
    ['2025-03-01T09:05:00+00:00', '2025-03-01T09:05:00.000Z'],
    ['2025-03-01T09:05:00-00:00', '2025-03-01T09:05:00.000Z'],
    ['2025-03-01T11:05:00+02:00', '2025-03-01T09:05:00.000Z'],
    ['2025-03-01T04:05:00-05:00', '2025-03-01T09:05:00.000Z'],
    ['2025-03-01T14:35:00+05:30', '2025-03-01T09:05:00.000Z'],
    ['2025-03-01T01:00:00+02:00', '2025-02-28T23:00:00.000Z'],
    ['2024-12-31T22:00:00-03:00', '2025-01-01T01:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ];
  for (const [input, expected] of valid) {
    it(`should normalize ${input} to ${expected}`, () => {
      expect(parseDateTime(input)).toBe(expected);
    });
  }

  it('should return a string that parses back to itself', () => {
    for (const [input] of valid) {
      const normalized = parseDateTime(input);
      expect(normalized).not.toBeNull();
      expect(parseDateTime(normalized!)).toBe(normalized);
    }
  });

  const invalidFormat = [
    '',
    'yesterday',
    '2025-03-01', // date only
    '2025-03-01T09:05:00', // no zone
    '2025-03-01 09:05:00Z', // space instead of T
    '2025-03-01t09:05:00z',
    '2025-3-1T09:05:00Z',
    '20250301T090500Z', // basic format
    '2025-03-01T09:05:00+0200', // offset without colon
    '2025-03-01T09:05:00+02', // offset without minutes
    '2025-03-01T09:05:00 Z',
    ' 2025-03-01T09:05:00Z',
    '2025-03-01T09:05:00Z ',
    '2025-03-01T09Z',
    '2025-03-01T09:05:00.Z',
    '2025-03-01T09:05:00.1234567890Z', // more than nine fractional digits
    '1740819900000', // epoch millis
    'Sat, 01 Mar 2025 09:05:00 GMT',
    '+002025-03-01T09:05:00Z', // expanded year
  ];
  for (const input of invalidFormat) {
    it(`should reject the format ${JSON.stringify(input)}`, () => {
      expect(parseDateTime(input)).toBeNull();
    });
  }

  const impossible = [
    '2025-13-01T00:00:00Z', // month 13
    '2025-00-10T00:00:00Z', // month 0
    '2025-01-00T00:00:00Z', // day 0
    '2025-01-32T00:00:00Z', // day 32
    '2025-01-01T25:00:00Z', // hour 25
    '2025-01-01T23:60:00Z', // minute 60
    '2025-01-01T23:59:61Z', // second 61
    '2025-01-01T00:00:00+25:00', // offset hour 25
    '2025-01-01T00:00:00+05:60', // offset minute 60
    '2025-02-30T00:00:00Z', // 30 February
    '2025-02-29T00:00:00Z', // 29 February in a common year
    '2025-04-31T00:00:00Z', // 31 April
    '2025-06-31T12:00:00+02:00', // 31 June
    '2100-02-29T00:00:00Z', // 2100 is not a leap year
  ];
  for (const input of impossible) {
    it(`should reject the impossible date-time ${input}`, () => {
      expect(parseDateTime(input)).toBeNull();
    });
  }
});

describe('parseDateTime edge of the day', () => {
  it('should reject hour 24, which RFC 3339 does not allow', () => {
    expect(parseDateTime('2026-01-01T24:00:00Z')).toBeNull();
  });
});
