import { useQuery } from '@apollo/client/react';
import { PartnerNodeOrders, type NodeOrder } from './operations';

const OPEN = new Set(['RELEASED', 'PICKING', 'PICKED', 'PACKED']);

const units = (lines: { quantity: number }[]): number => lines.reduce((n, l) => n + l.quantity, 0);
const day = (iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' })
    : '—';

/** What this node still has to ship for one order: its open fulfillment orders. */
function toShip(order: NodeOrder, nodeId: string) {
  const mine = order.fulfillmentOrders.filter((f) => f.node.id === nodeId);
  const open = mine.filter((f) => OPEN.has(f.warehouseStatus ?? ''));
  return { mine, open, units: open.reduce((n, f) => n + units(f.lines), 0) };
}

/** The orders with a fulfillment order at this node (PartnerNodeOrders, by id), open work first. */
export function NodeOrders({ nodeId }: { nodeId: string }) {
  const { data, loading, error, fetchMore } = useQuery(PartnerNodeOrders, {
    variables: { fulfillmentNodeId: nodeId, first: 50 },
  });
  if (loading && !data) return <p className="muted">Loading orders…</p>;
  if (error && !data)
    return (
      <p className="problem" role="alert">
        The orders could not be loaded: {error.message}
      </p>
    );
  const page = data!.orders;
  const rows = page.edges.map(({ node }) => ({ order: node, ...toShip(node, nodeId) }));
  const open = rows.filter((r) => r.open.length > 0);
  const done = rows.filter((r) => r.open.length === 0);
  return (
    <section>
      <h1>
        Orders at {nodeId} <span className="muted">({page.totalCount})</span>
      </h1>
      <div className="summary">
        <div className="card">
          <b data-testid="open-count">{open.length}</b> to ship
        </div>
        <div className="card">
          <b>{open.reduce((n, r) => n + r.units, 0)}</b> units
        </div>
        <div className="card">
          <b>{done.length}</b> done
        </div>
      </div>
      <h2>To ship</h2>
      <Table rows={open} />
      <h2>Shipped or closed</h2>
      <Table rows={done} />
      {page.pageInfo.hasNextPage && (
        <button
          type="button"
          onClick={() =>
            void fetchMore({
              variables: { after: page.pageInfo.endCursor },
              updateQuery: (prev, { fetchMoreResult }) => ({
                orders: { ...fetchMoreResult.orders, edges: [...prev.orders.edges, ...fetchMoreResult.orders.edges] },
              }),
            })
          }
        >
          More orders
        </button>
      )}
    </section>
  );
}

function Table({ rows }: { rows: (ReturnType<typeof toShip> & { order: NodeOrder })[] }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table data-testid="node-orders">
      <thead>
        <tr>
          <th>Order</th>
          <th>Placed</th>
          <th>Warehouse status</th>
          <th className="num">Units to ship</th>
          <th>Parcels</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ order, mine, units: open }) => {
          const mineIds = new Set(mine.map((f) => f.id));
          const parcels = (order.shipments ?? []).filter((s) => mineIds.has(s.fulfillmentOrder.id));
          return (
            <tr key={order.id}>
              <td>
                <a href={`#/orders/${encodeURIComponent(order.id)}`}>{order.number}</a>
              </td>
              <td>{day(order.placedAt)}</td>
              <td>{mine.map((f) => f.warehouseStatus ?? 'unknown').join(', ')}</td>
              <td className="num">{open}</td>
              <td>
                {parcels.length
                  ? parcels.map((p) => `${p.carrier ?? ''} ${p.trackingNumber ?? ''}`.trim()).join(', ')
                  : '—'}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
