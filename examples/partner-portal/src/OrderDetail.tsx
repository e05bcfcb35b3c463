import { useQuery } from '@apollo/client/react';
import { PartnerOrderFulfillment } from './operations';

const day = (iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleString('en-US', {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: 'UTC',
        timeZoneName: 'short',
      })
    : '—';

/** One order's work at this node (PartnerOrderFulfillment, by id): lines to ship, what was done, parcels. */
export function OrderDetail({ orderId, nodeId }: { orderId: string; nodeId: string }) {
  const { data, loading, error } = useQuery(PartnerOrderFulfillment, { variables: { orderId } });
  if (loading && !data) return <p className="muted">Loading the order…</p>;
  if (error && !data)
    return (
      <p className="problem" role="alert">
        The order could not be loaded: {error.message}
      </p>
    );
  const order = data?.order;
  if (!order)
    return (
      <p className="card" data-testid="order-not-found">
        No such order at {nodeId}. <a href="#/">Back to the list</a>
      </p>
    );
  const lines = new Map(order.lines.map((l) => [l.lineNumber, l]));
  const mine = order.fulfillmentOrders.filter((f) => f.node.id === nodeId);
  return (
    <article>
      <p>
        <a href="#/">← Orders</a>
      </p>
      <h1>
        Order {order.number} <span className="muted">placed {day(order.placedAt)}</span>
      </h1>
      {mine.map((f) => {
        const parcels = (order.shipments ?? []).filter((s) => s.fulfillmentOrder.id === f.id);
        const shipped = new Map<number, number>();
        for (const p of parcels)
          for (const l of p.lines) shipped.set(l.lineNumber, (shipped.get(l.lineNumber) ?? 0) + l.quantity);
        return (
          <section className="card" key={f.id} data-testid="fulfillment-order">
            <h2>
              {f.id} · <span className="pill">{f.warehouseStatus ?? 'unknown'}</span>
            </h2>
            <p className="muted">
              Allocated {day(f.allocatedAt)} · picked {day(f.pickedAt)} · packed {day(f.packedAt)}
            </p>
            <table>
              <thead>
                <tr>
                  <th>SKU</th>
                  <th>Item</th>
                  <th className="num">Quantity</th>
                  <th className="num">Shipped</th>
                  <th className="num">To ship</th>
                </tr>
              </thead>
              <tbody>
                {f.lines.map((l) => {
                  const line = lines.get(l.lineNumber);
                  const s = shipped.get(l.lineNumber) ?? 0;
                  return (
                    <tr key={l.lineNumber}>
                      <td>{line?.sku ?? `line ${l.lineNumber}`}</td>
                      <td>{line?.description ?? ''}</td>
                      <td className="num">{l.quantity}</td>
                      <td className="num">{s}</td>
                      <td className="num">{f.warehouseStatus === 'CANCELLED' ? 0 : Math.max(0, l.quantity - s)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {parcels.map((p) => (
              <p key={p.id}>
                Parcel {p.id}: {p.carrier ?? 'carrier'} {p.service ?? ''} ·{' '}
                {p.trackingUrl ? (
                  <a href={p.trackingUrl} target="_blank" rel="noreferrer">
                    {p.trackingNumber}
                  </a>
                ) : (
                  (p.trackingNumber ?? 'no tracking yet')
                )}{' '}
                · {p.status ?? 'unknown'}
              </p>
            ))}
          </section>
        );
      })}
    </article>
  );
}
