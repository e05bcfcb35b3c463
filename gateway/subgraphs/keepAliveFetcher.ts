import http from 'node:http';
import https from 'node:https';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';

/** Options of the subgraph HTTP client. */
export interface KeepAliveOptions {
  /** Most sockets open to one subgraph at once. @default 256 */
  maxSockets?: number;
  /** Idle sockets kept per subgraph. @default 64 */
  maxFreeSockets?: number;
}

/**
 * A fetch for subgraph calls on node:http with keep-alive agents: connections to each subgraph
 * are reused across requests instead of opened per fetch.
 */
export function keepAliveFetcher(opts: KeepAliveOptions = {}): Fetcher & { destroy(): void } {
  const agentOptions = {
    keepAlive: true,
    maxSockets: opts.maxSockets ?? 256,
    maxFreeSockets: opts.maxFreeSockets ?? 64,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const fetcher = (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const transport = target.protocol === 'https:' ? https : http;
      const req = transport.request(
        target,
        {
          method: init.method ?? 'GET',
          headers: init.headers,
          agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
          signal: init.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (Array.isArray(value)) for (const v of value) headers.append(name, v);
              else if (value !== undefined) headers.set(name, value);
            }
            const status = res.statusCode ?? 502;
            const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(
              new Response(body, {
                status,
                statusText: res.statusMessage ?? '',
                headers,
              }) as unknown as FetcherResponse,
            );
          });
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
  return Object.assign(fetcher, {
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  });
}
