import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import type { GraphQLSchema } from 'graphql';
import { useEffect, useState, type FormEvent } from 'react';
import { loadCredential, loadSchema, loadSetup, type Choice, type Credential, type Setup } from './api';
import { defaultDocument } from './defaults';

/** A consumer the explorer acts as: its credential, the schema it may see, the fetcher carrying both. */
interface Session {
  id: number;
  choice: Choice;
  credential: Credential;
  schema: GraphQLSchema;
  fetcher: Fetcher;
}

const endpoint = (path: string): { http: string; ws: string } => {
  const http = new URL(path, window.location.href).toString();
  return { http, ws: http.replace(/^http/, 'ws') };
};

/**
 * The development explorer: pick a consumer, get a development credential from the gateway (the
 * same keys as `npm run token`), and explore the schema that consumer may see. Every query carries
 * the credential as a header; subscriptions carry it in graphql-ws `connection_init`.
 */
export function Explorer() {
  const [setup, setSetup] = useState<Setup>();
  const [choice, setChoice] = useState<Choice>({ consumer: 'salesforce', customerId: 'CUST-00001', partnerNodeId: '' });
  const [session, setSession] = useState<Session>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const signIn = async (next: Choice): Promise<void> => {
    setBusy(true);
    setProblem(undefined);
    try {
      const [credential, schema] = await Promise.all([loadCredential(next), loadSchema(next.consumer)]);
      const { http, ws } = endpoint(setup?.graphqlPath ?? '/graphql');
      const fetcher = createGraphiQLFetcher({
        url: http,
        subscriptionUrl: ws,
        headers: { [credential.name]: credential.value },
        wsConnectionParams: { [credential.name]: credential.value },
      });
      setSession((s) => ({ id: (s?.id ?? 0) + 1, choice: next, credential, schema, fetcher }));
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads the setup once, on mount
  useEffect(() => {
    loadSetup().then(
      (s) => {
        setSetup(s);
        const first = { ...choice, partnerNodeId: s.partnerNodes[0] ?? '' };
        setChoice(first);
        void signIn(first);
      },
      (err: Error) => setProblem(err.message),
    );
    // Runs once: the setup does not change while the page is open.
  }, []);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void signIn(choice);
  };

  return (
    <div className="explorer">
      <form className="explorer-bar" onSubmit={submit} aria-label="Consumer">
        <strong className="explorer-title">Order graph explorer</strong>
        <span className="explorer-badge" title="Off when NODE_ENV=production">
          development
        </span>
        <label>
          Consumer{' '}
          <select
            name="consumer"
            value={choice.consumer}
            onChange={(e) => setChoice({ ...choice, consumer: e.target.value })}
          >
            {(setup?.consumers ?? [choice.consumer]).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        {choice.consumer === 'storefront' && (
          <label>
            Customer{' '}
            <input
              name="customerId"
              value={choice.customerId}
              size={12}
              onChange={(e) => setChoice({ ...choice, customerId: e.target.value })}
            />
          </label>
        )}
        {choice.consumer === 'partner' && (
          <label>
            Node{' '}
            <select
              name="partnerNodeId"
              value={choice.partnerNodeId}
              onChange={(e) => setChoice({ ...choice, partnerNodeId: e.target.value })}
            >
              {(setup?.partnerNodes ?? []).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Use this consumer'}
        </button>
        {session && (
          <span className="explorer-session" data-testid="session" title={session.credential.header}>
            as <b>{session.choice.consumer}</b>
            {session.choice.consumer === 'storefront' ? ` ${session.choice.customerId}` : ''}
            {session.choice.consumer === 'partner' ? ` ${session.choice.partnerNodeId}` : ''}
            {' · '}
            {session.credential.name === 'authorization' ? 'Authorization: Bearer …' : 'X-Api-Key: …'}
          </span>
        )}
        {problem && (
          <span className="explorer-problem" role="alert">
            {problem}
          </span>
        )}
      </form>
      <main className="explorer-main">
        {session ? (
          <GraphiQL
            key={session.id}
            fetcher={session.fetcher}
            schema={session.schema}
            defaultQuery={defaultDocument(session.choice.consumer, session.choice)}
            initialQuery={defaultDocument(session.choice.consumer, session.choice)}
            shouldPersistHeaders={false}
          />
        ) : (
          <p className="explorer-waiting">
            {problem ? 'Fix the problem above and sign in again.' : 'Loading the schema…'}
          </p>
        )}
      </main>
    </div>
  );
}
