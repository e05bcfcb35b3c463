import { randomBytes } from 'node:crypto';
import { isRecord, type OrgResponse } from './responses.js';

/**
 * The org's OAuth side: the connected clients, the access tokens it issued, and the check of a
 * bearer token on every REST call.
 */
export class OrgAuth {
  private readonly tokens = new Set<string>();

  constructor(
    private readonly orgId: string,
    private readonly userId: string,
    private readonly clients: Record<string, string>,
  ) {}

  /**
   * The OAuth 2.0 token endpoint for the client-credentials and JWT-bearer flows: `access_token`,
   * `instance_url`, `id` = `<login>/id/<orgId>/<userId>`, `token_type`, `issued_at`, `signature`
   * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm,
   * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm). Failures answer
   * 400 `{ error, error_description }` as the real endpoint does.
   */
  token(form: URLSearchParams, baseUrl: string): OrgResponse {
    const grant = form.get('grant_type');
    let clientId: string | null;
    if (grant === 'client_credentials') {
      clientId = form.get('client_id');
      if (!clientId || this.clients[clientId] === undefined || this.clients[clientId] !== form.get('client_secret')) {
        return { status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } };
      }
    } else if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const claims = decodeJwtClaims(form.get('assertion'));
      clientId = typeof claims?.['iss'] === 'string' ? claims['iss'] : null;
      if (!claims || !clientId || this.clients[clientId] === undefined || typeof claims['sub'] !== 'string') {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'invalid assertion' } };
      }
      if (typeof claims['exp'] !== 'number' || claims['exp'] * 1000 < Date.now()) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'expired authorization code' } };
      }
    } else {
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: `grant type not supported: ${grant ?? '(none)'}` },
      };
    }
    const token = `${this.orgId}!${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    return {
      status: 200,
      body: {
        access_token: token,
        signature: randomBytes(32).toString('base64'),
        scope: 'api',
        instance_url: baseUrl,
        id: `${baseUrl}/id/${this.orgId}/${this.userId}`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
      },
    };
  }

  /** Whether an `Authorization` header carries a token this org issued and still honours. */
  authorized(authorization: string | undefined): boolean {
    const token = authorization?.replace(/^(Bearer|OAuth)\s+/i, '');
    return !!token && this.tokens.has(token);
  }

  /** Invalidates every access token. */
  expireAll(): void {
    this.tokens.clear();
  }
}

/** The claims of a JWT, unverified (the emulator trusts its clients' keys; a real org verifies the certificate). */
function decodeJwtClaims(jwt: string | null): Record<string, unknown> | undefined {
  const payload = jwt?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isRecord(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}
