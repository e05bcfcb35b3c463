import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { createPartnerClient, developmentNodes, developmentPartnerKey } from './client';
import type { Config } from './config';
import { OrderDetail } from './OrderDetail';
import { NodeOrders } from './NodeOrders';

/** A signed-in partner: its fulfillment node and API key. */
interface Partner {
  nodeId: string;
  apiKey: string;
}

const KEY = 'partner-portal.session';

function useHashRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

export function App({ config }: { config: Config }) {
  const [partner, setPartner] = useState<Partner | undefined>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) ?? 'null') ?? undefined;
    } catch {
      return undefined;
    }
  });
  const client = useMemo(
    () => (partner ? createPartnerClient(config.gatewayUrl, partner.apiKey) : undefined),
    [config.gatewayUrl, partner],
  );
  useEffect(() => () => client?.stop(), [client]);
  const route = useHashRoute();
  const signIn = (p: Partner | undefined) => {
    if (p) sessionStorage.setItem(KEY, JSON.stringify(p));
    else sessionStorage.removeItem(KEY);
    setPartner(p);
  };
  return (
    <div className="portal">
      <header className="portal-header">
        <a className="portal-brand" href="#/">
          Fulfillment partner portal
        </a>
        {partner && (
          <span>
            Node <b data-testid="node">{partner.nodeId}</b>{' '}
            <button type="button" className="link" onClick={() => signIn(undefined)}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main className="portal-main">
        {!partner || !client ? (
          <SignIn gatewayUrl={config.gatewayUrl} onSignedIn={signIn} />
        ) : (
          <ApolloProvider client={client}>
            {route.startsWith('/orders/') ? (
              <OrderDetail orderId={decodeURIComponent(route.slice('/orders/'.length))} nodeId={partner.nodeId} />
            ) : (
              <NodeOrders nodeId={partner.nodeId} />
            )}
          </ApolloProvider>
        )}
      </main>
    </div>
  );
}

function SignIn({ gatewayUrl, onSignedIn }: { gatewayUrl: string; onSignedIn: (p: Partner) => void }) {
  const [nodes, setNodes] = useState<string[]>([]);
  const [nodeId, setNodeId] = useState('');
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    developmentNodes(gatewayUrl).then(
      (n) => {
        setNodes(n);
        setNodeId((current) => current || (n.find((x) => x.startsWith('DS-')) ?? n[0] ?? ''));
      },
      (err: Error) => setProblem(err.message),
    );
  }, [gatewayUrl]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    try {
      onSignedIn({ nodeId, apiKey: await developmentPartnerKey(gatewayUrl, nodeId) });
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <form className="card sign-in" onSubmit={submit}>
      <h1>Sign in</h1>
      <label>
        Fulfillment node
        <select name="nodeId" value={nodeId} onChange={(e) => setNodeId(e.target.value)}>
          {nodes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!nodeId}>
        Sign in
      </button>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      <p className="hint">
        Development sign-in: the gateway's development endpoint hands out this node's partner key (as
        <code> npm run token -- partner --partner &lt;node&gt;</code>; off in production, where each partner gets its
        own key).
      </p>
    </form>
  );
}
