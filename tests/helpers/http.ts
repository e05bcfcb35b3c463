import { bodyDigest, IDENTITY_HEADER, signIdentity, type Consumer, type Identity } from '../../canonical/index.js';
import { devCredentialHeader, devToken, type DevCredentialOptions } from '../../gateway/auth/devCredentials.js';
import { DEV_IDENTITY_SECRET } from '../../runtime/identitySecret.js';

/** A GraphQL answer as a client sees it: HTTP status, headers and the parsed body. */
export interface GqlResponse<D = any> {
  status: number;
  headers: Headers;
  body: {
    data?: D | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
    extensions?: Record<string, any>;
  };
}

/** The salesforce credential every test request carries unless it says otherwise (cached per process). */
let defaultToken: Promise<string> | undefined;
export const salesforceAuthorization = (): Promise<string> =>
  (defaultToken ??= devToken('salesforce').then((t) => `Bearer ${t}`));

/** A credential header for `consumer` (development keys), as `{ name: value }`. */
export async function credential(
  consumer: Consumer,
  options: DevCredentialOptions = {},
): Promise<Record<string, string>> {
  const line = await devCredentialHeader(consumer, options);
  const i = line.indexOf(': ');
  return { [line.slice(0, i).toLowerCase()]: line.slice(i + 2) };
}

const OPS_IDENTITY: Identity = { consumer: 'ops', subject: 'tests', scopes: ['ops'] };
const serviceNames = new Map<string, Promise<string>>();

/** The name a service at `url` gives itself (`/health/live` → `service`), asked once per origin. */
export function serviceName(url: string): Promise<string> {
  const origin = new URL(url).origin;
  let name = serviceNames.get(origin);
  if (!name) {
    name = fetch(`${origin}/health/live`).then(
      async (r) => String(((await r.json()) as { service?: string }).service ?? 'unknown'),
      () => 'unknown',
    );
    serviceNames.set(origin, name);
  }
  return name;
}

/**
 * The signed identity header a subgraph accepts for this body, as the gateway sends it: bound to
 * the subgraph at `url`, a request id and the body's SHA-256 (ops: every row).
 */
export async function gatewaySignature(
  url: string,
  body: string,
  identity: Identity = OPS_IDENTITY,
  opts: { singleUse?: boolean; now?: number } = {},
): Promise<Record<string, string>> {
  const binding = {
    subgraph: await serviceName(url),
    requestId: `test-${Math.random().toString(36).slice(2)}`,
    bodySha256: bodyDigest(body),
    singleUse: opts.singleUse ?? false,
  };
  return { [IDENTITY_HEADER]: signIdentity(identity, DEV_IDENTITY_SECRET, opts.now ?? Date.now(), binding) };
}

/**
 * The headers of a test request: content type and a salesforce credential (for the gateway),
 * unless `headers` replaces them; a `null` value leaves that header out (`{ authorization: null }`:
 * no credential). {@link gql} adds the gateway's signature, bound to the body, for a subgraph.
 */
export async function requestHeaders(headers: Record<string, string | null> = {}): Promise<Record<string, string>> {
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  const hasCredential = names.includes('authorization') || names.includes('x-api-key');
  const out: Record<string, string | null> = {
    'content-type': 'application/json',
    ...(hasCredential ? {} : { authorization: await salesforceAuthorization() }),
    ...headers,
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, string] => e[1] !== null));
}

/** POSTs one GraphQL operation over real HTTP (with {@link requestHeaders}). */
export async function gql<D = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string | null> = {},
): Promise<GqlResponse<D>> {
  const payload = JSON.stringify({ query, variables });
  const signed = Object.keys(headers).some((h) => h.toLowerCase() === IDENTITY_HEADER)
    ? {}
    : await gatewaySignature(url, payload);
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...signed, ...(await requestHeaders(headers)) },
    body: payload,
  });
  const text = await res.text();
  let body: GqlResponse<D>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON body from ${url}, got HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body };
}

/** The error codes of a response, in order. */
export const codes = (r: GqlResponse): string[] => (r.body.errors ?? []).map((e) => String(e.extensions?.code));
