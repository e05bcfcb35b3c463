import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import type { Session } from './session';

/** SHA-256 hex of a query, with the browser's Web Crypto (APQ hashes). */
async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Apollo Client for one signed-in shopper: queries over HTTP with automatic persisted queries (the
 * hash first, the document only when the gateway does not know it yet) and the customer JWT as
 * `Authorization`; subscriptions over graphql-ws on the same URL with the JWT in `connection_init`.
 */
export function createApolloClient(gatewayUrl: string, session: Session): { client: ApolloClient; close: () => void } {
  const ws = createClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${session.token}` },
    retryAttempts: 5,
  });
  const http = ApolloLink.from([
    new PersistedQueryLink({ sha256 }),
    new SetContextLink((prev) => ({ headers: { ...prev.headers, authorization: `Bearer ${session.token}` } })),
    new HttpLink({ uri: gatewayUrl }),
  ]);
  const link = ApolloLink.split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    http,
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return {
    client,
    close: () => {
      void ws.dispose();
      client.stop();
    },
  };
}
