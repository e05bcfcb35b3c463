import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`. */
export const SIGNATURE_HEADER = 'x-signature';
/** Header carrying the signing time in unix seconds. */
export const TIMESTAMP_HEADER = 'x-signature-timestamp';
/** How far the signing time may be from the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Shortest webhook secret accepted anywhere. */
export const MIN_SECRET_LENGTH = 16;

const hmac = (secret: string, timestamp: string, body: string | Buffer): Buffer =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();

/**
 * The headers a sender adds to a webhook (CANONICAL_MODEL.md, "Webhooks"): the signature over
 * `timestamp + "." + body` and the timestamp, plus the JSON content type.
 * @param body the exact bytes that will be sent, as a string.
 * @param nowSeconds signing time in unix seconds. @default the current time
 */
export function signWebhook(
  secret: string,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const timestamp = String(Math.floor(nowSeconds));
  return {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: `sha256=${hmac(secret, timestamp, body).toString('hex')}`,
    [TIMESTAMP_HEADER]: timestamp,
  };
}

/**
 * Checks a webhook's signature headers against the raw body. Returns null when authentic, else
 * why not. The message never contains the secret or the signature received.
 */
export function verifySignature(
  secret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  rawBody: Buffer,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): string | null {
  if (!signature)
    return `missing ${SIGNATURE_HEADER} header; expected sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`;
  if (!timestamp) return `missing ${TIMESTAMP_HEADER} header; expected the signing time in unix seconds`;
  if (!/^\d{1,12}$/.test(timestamp))
    return `${TIMESTAMP_HEADER} must be unix seconds (digits only); received ${timestamp.length} characters that are not`;
  const skew = Math.abs(nowSeconds - Number(timestamp));
  if (skew > toleranceSeconds)
    return `${TIMESTAMP_HEADER} is ${Math.round(skew)} s away from the receiver's clock; at most ${toleranceSeconds} s allowed`;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(signature);
  if (!m) return `${SIGNATURE_HEADER} is malformed; expected sha256= followed by 64 hex digits`;
  const expected = hmac(secret, timestamp, rawBody);
  return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'))
    ? null
    : `${SIGNATURE_HEADER} does not match the body and timestamp`;
}
