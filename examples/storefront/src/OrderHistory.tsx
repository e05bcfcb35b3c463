import { useQuery } from '@apollo/client/react';
import { ShopperOrderHistoryDocument } from './gql/graphql';
import { day, money, shopperStatus } from './words';

/** "My orders": the shopper's own orders, newest first, 20 a page (operations/storefront/ShopperOrderHistory.graphql). */
export function OrderHistory({ customerId }: { customerId: string }) {
  const { data, loading, error, fetchMore } = useQuery(ShopperOrderHistoryDocument, { variables: { customerId } });
  if (loading && !data) return <p className="muted">Loading your orders…</p>;
  if (error && !data)
    return (
      <p className="problem" role="alert">
        We can't show your orders right now ({error.message}).
      </p>
    );
  const orders = data?.orders;
  if (!orders || orders.totalCount === 0) return <p className="card">You have no orders yet.</p>;
  return (
    <section>
      <h1>
        My orders <span className="muted">({orders.totalCount})</span>
      </h1>
      <table className="orders" data-testid="order-history">
        <thead>
          <tr>
            <th>Order</th>
            <th>Placed</th>
            <th>Status</th>
            <th className="num">Total</th>
          </tr>
        </thead>
        <tbody>
          {orders.edges.map(({ node }) => {
            const s = shopperStatus(node.status);
            return (
              <tr key={node.id}>
                <td>
                  <a href={`#/orders/${encodeURIComponent(node.id)}`}>{node.number}</a>
                </td>
                <td>{day(node.placedAt)}</td>
                <td>
                  <span className={`pill ${s.tone}`}>{s.headline}</span>
                </td>
                <td className="num">{money(node.totals?.total)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {orders.pageInfo.hasNextPage && (
        <button
          type="button"
          onClick={() =>
            void fetchMore({
              variables: { after: orders.pageInfo.endCursor },
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
