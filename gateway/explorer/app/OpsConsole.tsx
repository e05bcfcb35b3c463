import { useEffect, useState, type FormEvent } from 'react';
import { developmentOpsToken, LIVE_CHANGES, liveClient, OBSERVABILITY_FIELDS, ORDER_LOOKUP, query } from './opsGraph';

/** Answers are shown as the graph sends them: the console reads fields by name, untyped. */
type Order = any;

interface Change { cursor: string; orderId: string; number?: string; previousStatus: string | null; status: string; changedAt: string; cause: { type: string; source: string } }

const TOKEN_KEY = 'ops-console.token';
const WAITING_FOR = ['exceptions', 'deadLetters'];

const ago = (iso: string, now: number): string => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
};

/**
 * The operations console at /ops: the page shell is public; every call carries the operator's ops
 * credential, and everything comes from the graph itself (no private endpoint): an order lookup
 * with "why this status" (the rule, its reason and every fact with its source), and live status
 * changes over graphql-ws. Exceptions and dead letters (with replay) appear once the graph has the
 * observability fields.
 */
export function OpsConsole() {
  const [token, setToken] = useState<string | undefined>(() => sessionStorage.getItem(TOKEN_KEY) ?? undefined);
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string>();
  const [lookup, setLookup] = useState('');
  const [order, setOrder] = useState<Order | null | undefined>();
  const [changes, setChanges] = useState<Change[]>([]);
  const [missing, setMissing] = useState<string[]>();
  const [now, setNow] = useState(Date.now());

  const use = (t: string | undefined) => {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
    setToken(t);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the token changes; `use` is a fresh closure each render
  useEffect(() => {
    if (token) return;
    developmentOpsToken().then(use, (err: Error) => setProblem(err.message));
  }, [token]);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: one live client per token; the helpers are fresh closures each render
  useEffect(() => {
    if (!token) return undefined;
    query<{ __type: { fields: { name: string }[] } }>(token, OBSERVABILITY_FIELDS).then((a) => {
      if (a.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') return use(undefined);
      const have = new Set(a.data?.__type.fields.map((f) => f.name));
      setMissing(WAITING_FOR.filter((f) => !have.has(f)));
    }, (err: Error) => setProblem(err.message));
    const client = liveClient(token);
    const stop = client.subscribe<{ orderStatusChanged: Change & { order: { number: string } | null } }>({ query: LIVE_CHANGES }, {
      next: (m) => {
        const c = m.data?.orderStatusChanged;
        if (c) setChanges((all) => [{ ...c, number: c.order?.number }, ...all].slice(0, 50));
      },
      error: (err) => setProblem(`live changes stopped: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
      complete: () => undefined,
    });
    return () => { stop(); void client.dispose(); };
  }, [token]);

  const find = async (value: string) => {
    if (!token || !value.trim()) return;
    setProblem(undefined);
    const v = value.trim();
    const byNumber = !/^ORD-/i.test(v);
    const a = await query<{ byId?: Order; byNumber?: Order }>(token, ORDER_LOOKUP, { id: v, number: v, byNumber });
    if (a.errors?.length && !a.data) return setProblem(a.errors.map((e) => e.message).join('; '));
    setOrder((byNumber ? a.data?.byNumber : a.data?.byId) ?? null);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void find(lookup);
  };

  return (
    <div className="ops">
      <header className="ops-bar">
        <strong>Operations console</strong>
        {token ? (
          <span data-testid="ops-session">ops credential in use <button type="button" className="link" onClick={() => use(undefined)}>forget</button></span>
        ) : (
          <form onSubmit={(e) => { e.preventDefault(); use(pasted.replace(/^Bearer /, '').trim() || undefined); }}>
            <input placeholder="ops token (Bearer …)" value={pasted} onChange={(e) => setPasted(e.target.value)} size={40} />{' '}
            <button type="submit">Use</button>
          </form>
        )}
        {problem && <span className="problem" role="alert">{problem}</span>}
      </header>
      <main className="ops-main">
        <section className="panel">
          <h2>Order lookup</h2>
          <form onSubmit={submit}>
            <input name="order" placeholder="order id (ORD-…) or number" value={lookup} onChange={(e) => setLookup(e.target.value)} size={30} />{' '}
            <button type="submit" disabled={!token}>Look up</button>
          </form>
          {order === null && <p data-testid="ops-not-found">No order with that id or number.</p>}
          {order && <OrderView order={order} />}
        </section>
        <section className="panel">
          <h2>Live status changes <span className="muted">({changes.length})</span></h2>
          {changes.length === 0 ? <p className="muted">Waiting for the next change…</p> : (
            <table data-testid="ops-live">
              <thead><tr><th>When</th><th>Order</th><th>Change</th><th>Cause</th></tr></thead>
              <tbody>
                {changes.map((c) => (
                  <tr key={c.cursor}>
                    <td>{ago(c.changedAt, now)}</td>
                    <td><button type="button" className="link" onClick={() => { setLookup(c.orderId); void find(c.orderId); }}>{c.number ?? c.orderId}</button></td>
                    <td>{c.previousStatus ?? '—'} → <b>{c.status}</b></td>
                    <td>{c.cause.type} ({c.cause.source})</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel" data-testid="ops-observability">
          <h2>Open exceptions and dead letters</h2>
          {missing === undefined ? <p className="muted">Checking the graph…</p> : missing.length > 0 ? (
            <p className="muted">
              This graph does not have {missing.map((f) => `Query.${f}`).join(' and ')} yet (the observability work adds them, with
              replay of dead letters); this section lists them once it does.
            </p>
          ) : (
            <p className="muted">The graph has Query.exceptions and Query.deadLetters; their views here are the next step of this console.</p>
          )}
        </section>
      </main>
    </div>
  );
}

function OrderView({ order }: { order: Order }) {
  return (
    <div data-testid="ops-order">
      <h3>{order.number} · <span data-testid="ops-order-status">{order.status ?? 'status unavailable'}</span> <span className="muted">{order.id} · {order.channel} · {order.customer?.name}</span></h3>
      {order.statusDetail && (
        <div className="why" data-testid="ops-why">
          <p><b>Why this status:</b> rule {order.statusDetail.rule}: {order.statusDetail.reason}</p>
          <table>
            <thead><tr><th>Source</th><th>Fact</th><th>Observed</th></tr></thead>
            <tbody>
              {(order.statusDetail.facts ?? []).map((f: any) => (
                <tr key={`${f.source}:${f.fact}`}><td>{f.source}</td><td>{f.fact}</td><td>{f.observedAt ?? '—'}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {order.holds?.length > 0 && (
        <p>Holds: {order.holds.map((h: any) => `${h.type}${h.reason ? ` (${h.reason})` : ''} ${h.releasedAt ? `released ${h.releasedAt}` : 'active'}`).join('; ')}</p>
      )}
      <table>
        <thead><tr><th>Line</th><th>Status</th><th>Ordered</th><th>Cancelled</th><th>Allocated</th><th>Backordered</th><th>Picked</th><th>Shipped</th><th>Delivered</th><th>Return init.</th><th>Returned</th></tr></thead>
        <tbody>
          {(order.lineStatuses ?? []).map((l: any) => (
            <tr key={l.lineNumber}>
              <td>{l.lineNumber}</td><td>{l.status}</td>
              {['ordered', 'cancelled', 'allocated', 'backordered', 'picked', 'shipped', 'delivered', 'returnInitiated', 'returned'].map((k) => <td key={k}>{l.quantities[k]}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Fulfillment: {(order.fulfillmentOrders ?? []).map((f: any) => `${f.id} at ${f.node.name}: ${f.warehouseStatus ?? '?'}`).join('; ') || 'none'} ·
        Shipments: {(order.shipments ?? []).map((s: any) => `${s.carrier ?? ''} ${s.trackingNumber ?? ''} ${s.status ?? ''}`.trim()).join('; ') || 'none'}
      </p>
    </div>
  );
}
