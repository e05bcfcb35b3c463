/** Where the gateway is: `/config.json` beside the page (examples/serve.mjs writes it), else the `npm start` default. */
export interface Config {
  /** The gateway's GraphQL endpoint (HTTP); subscriptions use the same URL over ws(s). */
  gatewayUrl: string;
}

export async function loadConfig(): Promise<Config> {
  const fallback = { gatewayUrl: import.meta.env.VITE_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql' };
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) return fallback;
    const body = (await res.json()) as Partial<Config>;
    return typeof body.gatewayUrl === 'string' ? { gatewayUrl: body.gatewayUrl } : fallback;
  } catch {
    return fallback;
  }
}
