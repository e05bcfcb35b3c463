/** A signed-in shopper: the customer id and the customer JWT (`aud` storefront, `sub` = customer id). */
export interface Session {
  customerId: string;
  token: string;
}

const KEY = 'storefront.session';

export function savedSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!s || typeof s.token !== 'string' || typeof s.customerId !== 'string') return undefined;
    // A token past its `exp` would only earn 401s: sign in again instead.
    const { exp } = JSON.parse(atob(s.token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return typeof exp === 'number' && exp * 1000 > Date.now() + 30_000 ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

/**
 * Development sign-in: the gateway's development credential endpoint (the keys of
 * `npm run token`; off in production) issues a customer JWT for `customerId`. A real shop gets the
 * same kind of token from its identity provider at login.
 */
export async function developmentSignIn(gatewayUrl: string, customerId: string): Promise<Session> {
  const res = await fetch(new URL('/explorer/api/credential', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ consumer: 'storefront', customerId }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    name?: string;
    value?: string;
    errors?: { message: string }[];
  };
  if (!res.ok || !body.value) throw new Error(body.errors?.[0]?.message ?? `the gateway answered HTTP ${res.status}`);
  return { customerId, token: body.value.replace(/^Bearer /, '') };
}
