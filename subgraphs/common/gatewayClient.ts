import { ErrorCode, signIdentity, type Identity } from '../../canonical/index.js';
import { graphqlError } from './errors.js';

/** Where the gateway is: a URL, or a function for a stack that starts the gateway after its subgraphs. */
export type GatewayLocation = string | (() => string | undefined);

/** One GraphQL answer from the gateway. */
export interface GatewayAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * A subgraph's way back into the graph, as the `internal` service identity: a root mutation cannot
 * use `@requires`, so the subgraph that owns an action re-reads the other owners' facts through the
 * gateway at write time (docs/returns.md). The credential is `Authorization: Service <token>`, an
 * `internal` identity signed with the identity secret the gateway and its subgraphs share, fresh
 * for each call (the gateway accepts it for 60 s; docs/security.md).
 */
export class GatewayClient {
  private readonly identity: Identity;

  /**
   * @param location `GATEWAY_URL`, e.g. `http://127.0.0.1:4000/graphql`.
   * @param secret `GATEWAY_IDENTITY_SECRET` (≥ 32 characters). Never logged.
   * @param subject the service's name in the gateway's logs and the audit trail, e.g. `returns-service`.
   * @param timeoutMs @default 10000
   */
  constructor(
    private readonly location: GatewayLocation | undefined,
    private readonly secret: string,
    subject: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.identity = { consumer: 'internal', subject, scopes: [] };
  }

  /** Runs `query` with `variables`; a transport failure or a missing URL is `UPSTREAM_UNAVAILABLE`. */
  async execute<T>(query: string, variables: Record<string, unknown>): Promise<GatewayAnswer<T>> {
    const url = typeof this.location === 'function' ? this.location() : this.location;
    if (!url)
      throw graphqlError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        'this action re-reads the order through the gateway, and no GATEWAY_URL is configured',
        { serviceName: 'gateway' },
      );
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Service ${signIdentity(this.identity, this.secret)}`,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw graphqlError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `the gateway could not be reached to re-read the order: ${(err as Error).message}`,
        { serviceName: 'gateway' },
      );
    }
    const body = (await res.json().catch(() => null)) as GatewayAnswer<T> | null;
    if (!body || (res.status >= 400 && !body.data)) {
      throw graphqlError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `the gateway answered HTTP ${res.status} to a service read: ${body?.errors?.[0]?.message ?? 'no GraphQL body'}`,
        { serviceName: 'gateway' },
      );
    }
    return body;
  }
}
