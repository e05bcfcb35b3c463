import type { ShopperOrderStatusQuery } from './gql/graphql';
import { day, moment, shipmentWords } from './words';

type Order = NonNullable<ShopperOrderStatusQuery['order']>;

/** Each parcel: carrier, tracking number (linked to the carrier's page), where it is and its scans. */
export function Shipments({ order }: { order: Order }) {
  const shipments = order.shipments;
  if (shipments === null)
    return (
      <section className="card">
        <h2>Shipments</h2>
        <p className="muted">Tracking is unavailable right now.</p>
      </section>
    );
  if (shipments.length === 0) return null;
  const description = new Map(order.lines.map((l) => [l.lineNumber, l.description ?? l.sku]));
  return (
    <section className="card" data-testid="shipments">
      <h2>Shipments</h2>
      {shipments.map((s, i) => (
        <div className="shipment" key={s.id}>
          <h3>
            Parcel {i + 1}
            {s.carrier ? ` · ${s.carrier}${s.service ? ` ${s.service}` : ''}` : ''}{' '}
            <span className="pill progress" data-testid="shipment-status">
              {shipmentWords(s.status)}
            </span>
          </h3>
          <p>
            Shipped {day(s.shippedAt)}
            {s.trackingNumber && (
              <>
                {' '}
                · Tracking{' '}
                {s.trackingUrl ? (
                  <a href={s.trackingUrl} target="_blank" rel="noreferrer">
                    {s.trackingNumber}
                  </a>
                ) : (
                  s.trackingNumber
                )}
              </>
            )}
            {s.deliveredAt
              ? ` · Delivered ${day(s.deliveredAt)}`
              : s.estimatedDeliveryAt
                ? ` · Expected ${day(s.estimatedDeliveryAt)}`
                : ''}
          </p>
          <p className="muted">
            {s.lines
              .map((l) => `${l.quantity} × ${description.get(l.lineNumber) ?? `line ${l.lineNumber}`}`)
              .join(', ')}
          </p>
          {s.events && s.events.length > 0 && (
            <ol className="scans">
              {[...s.events].reverse().map((e) => (
                <li key={`${e.occurredAt}-${e.status}`}>
                  {moment(e.occurredAt)} · {e.description}
                  {e.location ? ` · ${e.location}` : ''}
                </li>
              ))}
            </ol>
          )}
        </div>
      ))}
    </section>
  );
}
