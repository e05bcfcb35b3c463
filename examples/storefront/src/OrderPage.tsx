import { useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import {
  ShopperOrderStatusChangedDocument,
  ShopperOrderStatusDocument,
  type ShopperOrderStatusQuery,
} from './gql/graphql';
import { ReturnForm } from './ReturnForm';
import { Shipments } from './Shipments';
import { day, moment, money, shopperStatus } from './words';

type Order = NonNullable<ShopperOrderStatusQuery['order']>;

/** One change pushed over graphql-ws while the page was open. */
interface LiveChange {
  cursor: string;
  from: string | null;
  to: string;
  at: string;
}

/**
 * The order status page (operations/storefront/ShopperOrderStatus.graphql), kept live by
 * ShopperOrderStatusChanged over graphql-ws: each change re-reads the order, so the status,
 * its explanation and the tracking shown always come from one answer of the graph.
 */
export function OrderPage({ orderId, customerId }: { orderId: string; customerId: string }) {
  const { data, loading, error, refetch } = useQuery(ShopperOrderStatusDocument, {
    variables: { orderId },
    fetchPolicy: 'cache-and-network',
  });
  const [changes, setChanges] = useState<LiveChange[]>([]);
  const live = useSubscription(ShopperOrderStatusChangedDocument, {
    variables: { orderId, customerId },
    onData: ({ data: message }) => {
      const c = message.data?.orderStatusChanged;
      if (!c) return;
      setChanges((all) =>
        [{ cursor: c.cursor, from: c.previousStatus, to: c.status, at: c.changedAt }, ...all].slice(0, 10),
      );
      void refetch();
    },
  });

  if (loading && !data) return <p className="muted">Loading your order…</p>;
  if (error && !data)
    return (
      <p className="problem" role="alert">
        We can't show this order right now ({error.message}).
      </p>
    );
  const order = data?.order;
  if (!order) {
    return (
      <section className="card" data-testid="order-not-found">
        <h1>Order not found</h1>
        <p>
          We couldn't find this order in your account. Check the link, or see <a href="#/">all your orders</a>.
        </p>
      </section>
    );
  }
  return (
    <article className="order">
      <p>
        <a href="#/">← My orders</a>
      </p>
      <h1>
        Order {order.number} <span className="muted">placed {day(order.placedAt)}</span>
      </h1>
      <StatusCard order={order} live={!live.error} />
      {changes.length > 0 && (
        <section className="card">
          <h2>Updates since you opened this page</h2>
          <ul className="changes" data-testid="live-changes">
            {changes.map((c) => (
              <li key={c.cursor}>
                {moment(c.at)}: {shopperStatus(c.from).headline} → <b>{shopperStatus(c.to).headline}</b>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Items order={order} />
      <Shipments order={order} />
      <Returns order={order} onReturnRequested={() => void refetch()} />
    </article>
  );
}

function StatusCard({ order, live }: { order: Order; live: boolean }) {
  const s = shopperStatus(order.status);
  return (
    <section className={`card status ${s.tone}`} data-testid="order-status" data-status={order.status ?? ''}>
      <div className="status-head">
        <h2 data-testid="status-headline">{s.headline}</h2>
        <span className={live ? 'live on' : 'live'} title="Changes appear here as they happen">
          {live ? '● Live' : 'Not live'}
        </span>
      </div>
      <p data-testid="status-explanation">{s.explanation}</p>
    </section>
  );
}

function Items({ order }: { order: Order }) {
  const lineStatus = new Map((order.lineStatuses ?? []).map((l) => [l.lineNumber, l]));
  return (
    <section className="card">
      <h2>Items</h2>
      <table className="items">
        <thead>
          <tr>
            <th>Item</th>
            <th className="num">Qty</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => {
            const ls = lineStatus.get(line.lineNumber);
            const q = ls?.quantities;
            return (
              <tr key={line.lineNumber}>
                <td>
                  {line.description ?? line.sku}
                  {line.finalSale && <span className="tag">Final sale</span>}
                </td>
                <td className="num">
                  {line.quantity}
                  {q && q.cancelled > 0 ? ` (${q.cancelled} cancelled)` : ''}
                </td>
                <td>{ls ? shopperStatus(ls.status).headline : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {order.totals && (
        <dl className="totals">
          <dt>Subtotal</dt>
          <dd>{money(order.totals.subtotal)}</dd>
          <dt>Shipping</dt>
          <dd>{money(order.totals.shipping)}</dd>
          <dt>Tax</dt>
          <dd>{money(order.totals.tax)}</dd>
          <dt>Total</dt>
          <dd>
            <b>{money(order.totals.total)}</b>
          </dd>
        </dl>
      )}
    </section>
  );
}

function Returns({ order, onReturnRequested }: { order: Order; onReturnRequested: () => void }) {
  const returns = order.returns ?? [];
  return (
    <section className="card" data-testid="returns">
      <h2>Returns</h2>
      {returns.length > 0 && (
        <ul>
          {returns.map((r) => (
            <li key={r.id}>
              Return {r.rmaNumber ?? r.id} requested {day(r.requestedAt)}:{' '}
              {shopperStatus(
                r.status === 'REFUNDED' || r.status === 'CLOSED' ? 'RETURNED' : 'RETURN_INITIATED',
              ).headline.toLowerCase()}
              {r.refund && (
                <>
                  {' '}
                  · refund {money(r.refund.amount)}
                  {r.refund.refundedAt ? ` on ${day(r.refund.refundedAt)}` : ' pending'}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <ReturnForm orderId={order.id} onRequested={onReturnRequested} />
    </section>
  );
}
