/**
 * Whether a browser `Origin` is one of the configured origins. An entry is an exact origin
 * (`https://shop.example.com`) or a wildcard over one or more subdomain labels
 * (`https://*.lightning.force.com`), or any port of one host (`http://localhost:*`); otherwise
 * scheme and port must match exactly.
 */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  for (const entry of allowed) {
    if (entry === origin) return true;
    // `http://localhost:*`: that exact scheme and host on any port (development pages).
    if (entry.endsWith(':*')) {
      const prefix = entry.slice(0, -1);
      if (origin.startsWith(prefix) && /^\d{1,5}$/.test(origin.slice(prefix.length))) return true;
      continue;
    }
    const star = entry.indexOf('://*.');
    if (star < 0) continue;
    const scheme = entry.slice(0, star + 3);
    const suffix = entry.slice(star + 4); // ".lightning.force.com"
    if (origin.startsWith(scheme) && origin.endsWith(suffix)) {
      const host = origin.slice(scheme.length, origin.length - suffix.length);
      if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) return true;
    }
  }
  return false;
}

/**
 * CORS for the configured origins (Salesforce Lightning domains, the storefront), as the HTTP
 * transport applies it: an allowed origin gets `access-control-allow-origin` (and a preflight the
 * methods and headers a GraphQL client sends); any other origin gets no CORS headers, so browsers
 * keep its pages from reading the answer, and its preflight is refused. Requests without an
 * `Origin` (servers, Apex callouts) are not affected.
 * @returns the headers to add, and whether this is a preflight to answer at once (204 or 403).
 */
export function corsHeaders(
  origin: string | undefined,
  method: string | undefined,
  allowed: readonly string[],
  maxAgeSeconds = 600,
): { headers: Record<string, string>; preflight?: { status: 204 } | { status: 403; message: string } } {
  const headers: Record<string, string> = { vary: 'Origin' };
  const ok = typeof origin === 'string' && originAllowed(origin, allowed);
  if (ok) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-credentials'] = 'true';
  }
  if (method !== 'OPTIONS') return { headers };
  if (!ok) {
    return {
      headers,
      preflight: {
        status: 403,
        message: `expected a request from one of the configured origins (CORS_ORIGINS); received ${typeof origin === 'string' ? JSON.stringify(origin.slice(0, 100)) : 'no Origin'}`,
      },
    };
  }
  headers['access-control-allow-methods'] = 'GET, POST, OPTIONS';
  headers['access-control-allow-headers'] =
    'authorization, x-api-key, content-type, accept, apollo-require-preflight, x-apollo-operation-name';
  headers['access-control-max-age'] = String(maxAgeSeconds);
  return { headers, preflight: { status: 204 } };
}
