import type { RequestHandler } from 'express';

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
 * CORS for the configured origins (Salesforce Lightning domains, the storefront): a preflight from
 * an allowed origin is answered 204 with the methods and headers a GraphQL client sends; any other
 * origin gets no CORS headers, so browsers keep its pages from reading the answer. Requests without
 * an `Origin` (servers, Apex callouts) are not affected.
 */
export function cors(allowed: readonly string[], maxAgeSeconds = 600): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (typeof origin === 'string' && originAllowed(origin, allowed)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader('access-control-allow-headers', 'authorization, x-api-key, content-type, apollo-require-preflight, x-apollo-operation-name');
        res.setHeader('access-control-max-age', String(maxAgeSeconds));
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS') {
      res.status(403).json({ errors: [{ message: `expected a request from one of the configured origins (CORS_ORIGINS); received ${typeof origin === 'string' ? JSON.stringify(origin.slice(0, 100)) : 'no Origin'}`, extensions: { code: 'FORBIDDEN' } }] });
      return;
    }
    next();
  };
}
