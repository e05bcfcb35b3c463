import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { OpsDeadLetters } from './OpsDeadLetters';
import { OpsExceptions } from './OpsExceptions';
import { ago, duration } from './opsFormat';
import {
  developmentOpsToken,
  LIVE_CHANGES,
  liveClient,
  OBSERVABILITY_FIELDS,
  ORDER_LOOKUP,
  problemsOf,
  query,
} from './opsGraph';
import { OpsHealth } from './OpsHealth';

/** Answers are shown as the graph sends them: the order view reads fields by name, untyped. */
type Order = any;

interface Change {
  cursor: string;
  orderId: string;
  number?: string;
  previousStatus: string | null;
  status: string;
  changedAt: string;
  cause: { type: string; source: string };
}

/** A change of `Order.timeline`. */
interface TimelineEntry {
  version: number;
  status: string;
  previousStatus: string | null;
  causeEventId: string;
  causeSource: string | null;
  causeType: string | null;
  occurredAt: string | null;
  changedAt: string;
}

/** An exception of `Order.exceptions`. */
interface OrderException {
  id: string;
  type: string;
  since: string;
  open: boolean;
  closedAt: string | null;
  actor: string;
}

interface GraphShape {
  __type: { fields: { name: string }[] } | null;
  exceptionTypes: { enumValues: { name: string; description: string | null }[] } | null;
}

const TOKEN_KEY = 'ops-console.token';
/** The root fields the observability sections read. */
const WAITING_FOR = ['exceptions', 'deadLetters', 'operationsHealth'];
/** How often the lists and the health summary re-read the graph on their own. */
const REFRESH_MS = 15_000;

/**
 * The operations console at /ops: the page shell is public; every call carries the operator's ops
 * credential, and everything comes from the graph itself (no private endpoint): an order lookup
 * with "why this status" and its timeline, live status changes over graphql-ws, the operations
 * health summary, open business exceptions with their age, and dead letters to inspect, replay or
 * discard with a reason.
 */
export function OpsConsole() {
  const [token, setToken] = useState<string | undefined>(() => sessionStorage.getItem(TOKEN_KEY) ?? undefined);
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string>();
  const [lookup, setLookup] = useState('');
  const [order, setOrder] = useState<Order | null | undefined>();
  const [changes, setChanges] = useState<Change[]>([]);
  const [missing, setMissing] = useState<string[]>();
  const [types, setTypes] = useState<{ name: string; description: string | null }[]>([]);
  const [exceptionType, setExceptionType] = useState('');
  const [refresh, setRefresh] = useState(0);
  const [now, setNow] = useState(Date.now());
  const lookupPanel = useRef<HTMLElement>(null);
  const shown = useRef<string | undefined>(undefined);

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
    const clock = setInterval(() => setNow(Date.now()), 5000);
    const reread = setInterval(() => setRefresh((n) => n + 1), REFRESH_MS);
    return () => {
      clearInterval(clock);
      clearInterval(reread);
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: one live client per token; the helpers are fresh closures each render
  useEffect(() => {
    if (!token) return undefined;
    query<GraphShape>(token, OBSERVABILITY_FIELDS).then(
      (a) => {
        if (a.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') return use(undefined);
        if (!a.data?.__type) return setProblem(problemsOf(a) ?? 'the graph did not describe its Query type');
        const have = new Set(a.data.__type.fields.map((f) => f.name));
        setMissing(WAITING_FOR.filter((f) => !have.has(f)));
        setTypes(a.data.exceptionTypes?.enumValues ?? []);
      },
      (err: Error) => setProblem(err.message),
    );
    const client = liveClient(token);
    const stop = client.subscribe<{ orderStatusChanged: Change & { order: { number: string } | null } }>(
      { query: LIVE_CHANGES },
      {
        next: (m) => {
          const c = m.data?.orderStatusChanged;
          if (c) setChanges((all) => [{ ...c, number: c.order?.number }, ...all].slice(0, 50));
        },
        error: (err) => setProblem(`live changes stopped: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
        complete: () => undefined,
      },
    );
    return () => {
      stop();
      void client.dispose();
    };
  }, [token]);

  const find = useCallback(
    async (value: string) => {
      if (!token || !value.trim()) return;
      setProblem(undefined);
      const v = value.trim();
      const byNumber = !/^ORD-/i.test(v);
      const a = await query<{ byId?: Order; byNumber?: Order }>(token, ORDER_LOOKUP, { id: v, number: v, byNumber });
      if (a.errors?.length && !a.data) return setProblem(problemsOf(a));
      const found = (byNumber ? a.data?.byNumber : a.data?.byId) ?? null;
      shown.current = found?.id;
      setOrder(found);
    },
    [token],
  );

  /** Looks an order up from elsewhere on the page (a change, an exception, a letter) and shows it. */
  const show = (orderId: string) => {
    setLookup(orderId);
    void find(orderId);
    lookupPanel.current?.scrollIntoView({ block: 'start' });
  };

  // The order on screen follows the other views' refreshes (a replay may have changed it).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on refresh; the order shown is read from the ref
  useEffect(() => {
    if (refresh > 0 && shown.current) void find(shown.current);
  }, [refresh]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void find(lookup);
  };

  const observability = token && missing !== undefined && missing.length === 0;
  return (
    <div className="ops">
      <header className="ops-bar">
        <strong>Operations console</strong>
        {token ? (
          <span data-testid="ops-session">
            ops credential in use{' '}
            <button type="button" className="link" onClick={() => use(undefined)}>
              forget
            </button>
          </span>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              use(pasted.replace(/^Bearer /, '').trim() || undefined);
            }}
          >
            <input
              placeholder="ops token (Bearer …)"
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              size={40}
            />{' '}
            <button type="submit">Use</button>
          </form>
        )}
        {token && (
          <button
            type="button"
            onClick={() => setRefresh((n) => n + 1)}
            title={`the lists re-read the graph every ${REFRESH_MS / 1000} s on their own`}
          >
            Refresh
          </button>
        )}
        {problem && (
          <span className="problem" role="alert">
            {problem}
          </span>
        )}
      </header>
      <main className="ops-main">
        <section className="panel wide" ref={lookupPanel}>
          <h2>Order lookup</h2>
          <form onSubmit={submit}>
            <input
              name="order"
              placeholder="order id (ORD-…) or number"
              value={lookup}
              onChange={(e) => setLookup(e.target.value)}
              size={30}
            />{' '}
            <button type="submit" disabled={!token}>
              Look up
            </button>
          </form>
          {order === null && <p data-testid="ops-not-found">No order with that id or number.</p>}
          {order && <OrderView order={order} now={now} />}
        </section>
        {observability ? (
          <OpsHealth token={token} refresh={refresh} now={now} onType={setExceptionType} />
        ) : (
          <section className="panel" data-testid="ops-observability">
            <h2>Operations health, exceptions and dead letters</h2>
            {missing === undefined ? (
              <p className="muted">Checking the graph…</p>
            ) : (
              <p className="muted">
                This graph does not have {missing.map((f) => `Query.${f}`).join(', ')} (the visibility subgraph serves
                them); these sections appear once it does.
              </p>
            )}
          </section>
        )}
        <section className="panel">
          <h2>
            Live status changes <span className="muted">({changes.length})</span>
          </h2>
          {changes.length === 0 ? (
            <p className="muted">Waiting for the next change…</p>
          ) : (
            <table data-testid="ops-live">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Order</th>
                  <th>Change</th>
                  <th>Cause</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((c) => (
                  <tr key={c.cursor}>
                    <td>{ago(c.changedAt, now)}</td>
                    <td>
                      <button type="button" className="link" onClick={() => show(c.orderId)}>
                        {c.number ?? c.orderId}
                      </button>
                    </td>
                    <td>
                      {c.previousStatus ?? '—'} → <b>{c.status}</b>
                    </td>
                    <td>
                      {c.cause.type} ({c.cause.source})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {observability && (
          <>
            <OpsExceptions
              token={token}
              types={types}
              type={exceptionType}
              onType={setExceptionType}
              refresh={refresh}
              now={now}
              onOrder={show}
            />
            <OpsDeadLetters
              token={token}
              refresh={refresh}
              now={now}
              onOrder={show}
              onChanged={() => setRefresh((n) => n + 1)}
            />
          </>
        )}
      </main>
    </div>
  );
}

function OrderView({ order, now }: { order: Order; now: number }) {
  return (
    <div data-testid="ops-order">
      <h3>
        {order.number} · <span data-testid="ops-order-status">{order.status ?? 'status unavailable'}</span>{' '}
        <span className="muted">
          {order.id} · {order.channel} · {order.customer?.name}
        </span>
      </h3>
      {order.statusDetail && (
        <div className="why" data-testid="ops-why">
          <p>
            <b>Why this status:</b> rule {order.statusDetail.rule}: {order.statusDetail.reason}
          </p>
          <table>
            <thead>
              <tr>
                <th>Source</th>
                <th>Fact</th>
                <th>Observed</th>
              </tr>
            </thead>
            <tbody>
              {(order.statusDetail.facts ?? []).map((f: any) => (
                <tr key={`${f.source}:${f.fact}`}>
                  <td>{f.source}</td>
                  <td>{f.fact}</td>
                  <td>{f.observedAt ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {order.holds?.length > 0 && (
        <p>
          Holds:{' '}
          {order.holds
            .map(
              (h: any) =>
                `${h.type}${h.reason ? ` (${h.reason})` : ''} ${h.releasedAt ? `released ${h.releasedAt}` : 'active'}`,
            )
            .join('; ')}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Line</th>
            <th>Status</th>
            <th>Ordered</th>
            <th>Cancelled</th>
            <th>Allocated</th>
            <th>Backordered</th>
            <th>Picked</th>
            <th>Shipped</th>
            <th>Delivered</th>
            <th>Return init.</th>
            <th>Returned</th>
          </tr>
        </thead>
        <tbody>
          {(order.lineStatuses ?? []).map((l: any) => (
            <tr key={l.lineNumber}>
              <td>{l.lineNumber}</td>
              <td>{l.status}</td>
              {[
                'ordered',
                'cancelled',
                'allocated',
                'backordered',
                'picked',
                'shipped',
                'delivered',
                'returnInitiated',
                'returned',
              ].map((k) => (
                <td key={k}>{l.quantities[k]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {order.exceptions?.length > 0 && (
        <p data-testid="ops-order-exceptions">
          Exceptions:{' '}
          {(order.exceptions as OrderException[])
            .map(
              (x) =>
                `${x.type} (${x.actor}) ${x.open ? `open ${duration(now - Date.parse(x.since))}` : `closed ${ago(x.closedAt!, now)}`}`,
            )
            .join('; ')}
        </p>
      )}
      {order.timeline && (
        <details data-testid="ops-timeline" open={order.timeline.length <= 8}>
          <summary>
            Timeline: {order.timeline.length} recorded status change{order.timeline.length === 1 ? '' : 's'}
          </summary>
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>Change</th>
                <th>Cause</th>
                <th>Occurred</th>
                <th>Recorded</th>
              </tr>
            </thead>
            <tbody>
              {(order.timeline as TimelineEntry[]).map((c) => (
                <tr key={c.version}>
                  <td>{c.version}</td>
                  <td>
                    {c.previousStatus ?? '—'} → <b>{c.status}</b>
                  </td>
                  <td>
                    {c.causeType ?? c.causeEventId} {c.causeSource ? `(${c.causeSource})` : ''}{' '}
                    <span className="muted">{c.causeEventId}</span>
                  </td>
                  <td>{c.occurredAt ?? '—'}</td>
                  <td title={c.changedAt}>{ago(c.changedAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      <p className="muted">
        Fulfillment:{' '}
        {(order.fulfillmentOrders ?? [])
          .map((f: any) => `${f.id} at ${f.node.name}: ${f.warehouseStatus ?? '?'}`)
          .join('; ') || 'none'}{' '}
        · Shipments:{' '}
        {(order.shipments ?? [])
          .map((s: any) => `${s.carrier ?? ''} ${s.trackingNumber ?? ''} ${s.status ?? ''}`.trim())
          .join('; ') || 'none'}
      </p>
    </div>
  );
}
