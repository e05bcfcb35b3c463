import type { Connection } from 'jsforce';
import { importPKCS8, SignJWT } from 'jose';

/**
 * How the connector logs in — both server-to-server OAuth 2.0 flows of an External Client App /
 * Connected App, no user password anywhere:
 * - client credentials: the app's consumer key and secret; the org runs the calls as the app's
 *   "Run As" integration user (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm);
 * - JWT bearer: an assertion signed with the private key whose certificate is uploaded to the app,
 *   `sub` = the integration user's username (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm).
 */
export type SalesforceAuth =
  | { flow: 'client_credentials'; clientId: string; clientSecret: string }
  | {
      flow: 'jwt_bearer';
      clientId: string;
      username: string;
      /** PKCS#8 PEM of the RSA private key. */
      privateKey: string;
      /** The `aud` claim: https://login.salesforce.com, https://test.salesforce.com or the My Domain URL. @default the login URL */
      audience?: string;
    };

/** A token endpoint answer (the fields the connector uses). */
export interface TokenResponse {
  access_token: string;
  instance_url: string;
  /** `<login>/id/<orgId>/<userId>` */
  id: string;
}

/** Asks the token endpoint `<loginUrl>/services/oauth2/token` for an access token. The secret never appears in errors. */
export async function requestToken(loginUrl: string, auth: SalesforceAuth, timeoutMs = 15_000): Promise<TokenResponse> {
  const form = new URLSearchParams();
  if (auth.flow === 'client_credentials') {
    form.set('grant_type', 'client_credentials');
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  } else {
    const key = await importPKCS8(auth.privateKey, 'RS256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(auth.clientId)
      .setSubject(auth.username)
      .setAudience(auth.audience ?? loginUrl)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 180)
      .sign(key);
    form.set('grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    form.set('assertion', assertion);
  }
  const res = await fetch(`${loginUrl.replace(/\/+$/, '')}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<TokenResponse> & {
    error?: string;
    error_description?: string;
  };
  if (!res.ok || typeof body.access_token !== 'string' || typeof body.instance_url !== 'string') {
    throw new LoginError(
      res.status,
      `Salesforce login (${auth.flow}) at ${loginUrl} failed: HTTP ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
    );
  }
  return body as TokenResponse;
}

/** A refused login. 4xx (bad client, bad assertion) does not heal by retrying; 5xx and network errors do. */
export class LoginError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

/**
 * Logs in and returns a jsforce Connection that logs in again by itself when a call answers 401
 * INVALID_SESSION_ID (jsforce's `refreshFn`: the failed call is retried once with the new token).
 * `onLogin` is told of every login (for the `logins` counter).
 */
export async function connect(opts: {
  loginUrl: string;
  auth: SalesforceAuth;
  apiVersion: string;
  onLogin?: () => void;
}): Promise<Connection> {
  // Loaded on first use: jsforce is large, and a process whose org is never reached starts faster without it.
  const { Connection: JsforceConnection } = await import('jsforce');
  const first = await requestToken(opts.loginUrl, opts.auth);
  opts.onLogin?.();
  const conn = new JsforceConnection({
    instanceUrl: first.instance_url,
    accessToken: first.access_token,
    version: opts.apiVersion,
    refreshFn: (c, callback) => {
      requestToken(opts.loginUrl, opts.auth).then(
        (t) => {
          opts.onLogin?.();
          c.instanceUrl = t.instance_url;
          callback(null, t.access_token);
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
  return conn;
}

/**
 * The connector's one login: a jsforce Connection made on first use and kept; a failed login (or
 * {@link Session.drop}) is forgotten, so the next call logs in again.
 */
export class Session {
  private conn: Promise<Connection> | undefined;

  constructor(private readonly opts: Parameters<typeof connect>[0]) {}

  connection(): Promise<Connection> {
    this.conn ??= connect(this.opts);
    const c = this.conn;
    c.catch(() => {
      if (this.conn === c) this.conn = undefined;
    });
    return c;
  }

  /** Forgets the connection (its login failed): the next call logs in again. */
  drop(): void {
    this.conn = undefined;
  }
}
