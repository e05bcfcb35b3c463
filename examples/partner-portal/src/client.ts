import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { manifest } from './operations';

/**
 * Apollo Client for a partner: every request carries only the operation's id from the persisted
 * query manifest (`extensions.persistedQuery.sha256Hash`, no `query`), as the gateway requires of
 * partners, and the partner's API key as `X-Api-Key`.
 */
export function createPartnerClient(gatewayUrl: string, apiKey: string): ApolloClient {
  const link = ApolloLink.from([
    new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest })),
    new SetContextLink((prev) => ({ headers: { ...prev.headers, 'x-api-key': apiKey } })),
    new HttpLink({ uri: gatewayUrl }),
  ]);
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

/** Development sign-in: the gateway's development endpoint hands out the partner key of a demo node (off in production). */
export async function developmentPartnerKey(gatewayUrl: string, partnerNodeId: string): Promise<string> {
  const res = await fetch(new URL('/explorer/api/credential', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ consumer: 'partner', partnerNodeId }),
  });
  const body = (await res.json().catch(() => ({}))) as { value?: string; errors?: { message: string }[] };
  if (!res.ok || !body.value) throw new Error(body.errors?.[0]?.message ?? `the gateway answered HTTP ${res.status}`);
  return body.value;
}

/** The partner nodes that have development keys. */
export async function developmentNodes(gatewayUrl: string): Promise<string[]> {
  const res = await fetch(new URL('/explorer/api/setup', gatewayUrl));
  if (!res.ok)
    throw new Error(
      `the gateway answered HTTP ${res.status} for its development setup (is it running with NODE_ENV=production?)`,
    );
  return ((await res.json()) as { partnerNodes: string[] }).partnerNodes;
}
