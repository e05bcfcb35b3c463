import { IDENTITY_HEADER, signIdentity, type Consumer, type Identity } from '../../canonical/index.js';
import { devCredentialHeader, devToken, type DevCredentialOptions } from '../../gateway/auth/devCredentials.js';
import { DEV_IDENTITY_SECRET } from '../../runtime/identitySecret.js';

/** A GraphQL answer as a client sees it: HTTP status, headers and the parsed body. */
export interface GqlResponse<D = any> {
  status: number;
  headers: Headers;
  body: { data?: D | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
}

/** The salesforce credential every test request carries unless it says otherwise (cached per process). */
let defaultToken: Promise<string> | undefined;
export const salesforceAuthorization = (): Promise<string> => (defaultToken ??= devToken('salesforce').then((t) => `Bearer ${t}`));

/** A credential header for `consumer` (development keys), as `{ name: value }`. */
export async function credential(consumer: Consumer, options: DevCredentialOptions = {}): Promise<Record<string, string>> {
  const line = await devCredentialHeader(consumer, options);
  const i = line.indexOf(': ');
  return { [line.slice(0, i).toLowerCase()]: line.slice(i + 2) };
}

/** The signed identity header a subgraph accepts, as the gateway would send it (ops: every row). */
export function gatewaySignature(identity: Identity = { consumer: 'ops', subject: 'tests', scopes: ['ops'] }): Record<string, string> {
  return { [IDENTITY_HEADER]: signIdentity(identity, DEV_IDENTITY_SECRET) };
}

/**
 * The headers of a test request: content type, a salesforce credential (for the gateway) and the
 * gateway's signed identity (for a subgraph), unless `headers` replaces them; a `null` value
 * leaves that header out (`{ authorization: null }`: no credential).
 */
export async function requestHeaders(headers: Record<string, string | null> = {}): Promise<Record<string, string>> {
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  const hasCredential = names.includes('authorization') || names.includes('x-api-key');
  const out: Record<string, string | null> = {
    'content-type': 'application/json',
    ...(hasCredential ? {} : { authorization: await salesforceAuthorization() }),
    ...(names.includes(IDENTITY_HEADER) ? {} : gatewaySignature()),
    ...headers,
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, string] => e[1] !== null));
}

/** POSTs one GraphQL operation over real HTTP (with {@link requestHeaders}). */
export async function gql<D = any>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string | null> = {}): Promise<GqlResponse<D>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: await requestHeaders(headers),
    body: JSON.stringify({ query, variables }),
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
