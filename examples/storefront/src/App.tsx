import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { createApolloClient } from './client';
import type { Config } from './config';
import { OrderHistory } from './OrderHistory';
import { OrderPage } from './OrderPage';
import { developmentSignIn, saveSession, savedSession, type Session } from './session';

/** `#/` is the order history, `#/orders/<id>` one order. */
function useRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

export function App({ config }: { config: Config }) {
  const [session, setSession] = useState<Session | undefined>(savedSession);
  const route = useRoute();
  const apollo = useMemo(
    () => (session ? createApolloClient(config.gatewayUrl, session) : undefined),
    [config.gatewayUrl, session],
  );
  useEffect(() => () => apollo?.close(), [apollo]);

  const signOut = () => {
    saveSession(undefined);
    setSession(undefined);
    window.location.hash = '/';
  };

  return (
    <div className="shop">
      <header className="shop-header">
        <a className="shop-brand" href="#/">
          Northwind Outfitters
        </a>
        {session && (
          <span className="shop-account">
            Signed in as <b data-testid="customer">{session.customerId}</b>{' '}
            <button type="button" className="link" onClick={signOut}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main className="shop-main">
        {!session || !apollo ? (
          <SignIn
            gatewayUrl={config.gatewayUrl}
            onSignedIn={(s) => {
              saveSession(s);
              setSession(s);
            }}
          />
        ) : (
          <ApolloProvider client={apollo.client}>
            {route.startsWith('/orders/') ? (
              <OrderPage orderId={decodeURIComponent(route.slice('/orders/'.length))} customerId={session.customerId} />
            ) : (
              <OrderHistory customerId={session.customerId} />
            )}
          </ApolloProvider>
        )}
      </main>
    </div>
  );
}

function SignIn({ gatewayUrl, onSignedIn }: { gatewayUrl: string; onSignedIn: (s: Session) => void }) {
  const [customerId, setCustomerId] = useState('CUST-00001');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      onSignedIn(await developmentSignIn(gatewayUrl, customerId.trim()));
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card sign-in" onSubmit={submit}>
      <h1>Sign in to see your orders</h1>
      <label>
        Customer number
        <input
          name="customerId"
          value={customerId}
          onChange={(e) => setCustomerId(e.target.value)}
          autoComplete="off"
        />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      <p className="hint">
        Development sign-in: the gateway's development endpoint issues a customer token for this number (the keys of{' '}
        <code>npm run token</code>; off in production, where your identity provider signs it).
      </p>
    </form>
  );
}
