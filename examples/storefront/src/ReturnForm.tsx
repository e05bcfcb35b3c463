import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import {
  type ReturnReasonCode,
  ShopperRequestReturnDocument,
  type ShopperRequestReturnMutation,
  ShopperReturnEligibilityDocument,
} from './gql/graphql';
import { day } from './words';

/** The reasons a shopper picks from, in shopper words (the graph's ReturnReasonCode). */
const REASONS: Array<[ReturnReasonCode, string]> = [
  ['CHANGED_MIND', 'I changed my mind'],
  ['SIZE_FIT', "It doesn't fit"],
  ['DAMAGED', 'It arrived damaged'],
  ['DEFECTIVE', "It doesn't work"],
  ['WRONG_ITEM', "It's not what I ordered"],
  ['NOT_AS_DESCRIBED', "It's not as described"],
  ['ARRIVED_LATE', 'It arrived too late'],
];

type Answer = ShopperRequestReturnMutation['requestReturn'];

/**
 * The return form (operations/storefront/ShopperReturnEligibility + ShopperRequestReturn): per
 * line, what can be returned now and, when nothing can, why — the one returns policy, the same
 * answer an agent sees in Salesforce. The request carries an idempotency key per intent (the same
 * key on a retry of the same submission, a new one after an answer), and the graph re-checks every
 * rule when it writes: its userErrors are shown as they come.
 */
export function ReturnForm({ orderId, onRequested }: { orderId: string; onRequested: () => void }) {
  const eligibility = useQuery(ShopperReturnEligibilityDocument, {
    variables: { orderId },
    fetchPolicy: 'network-only',
  });
  const [send, sending] = useMutation(ShopperRequestReturnDocument);
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const [reason, setReason] = useState<ReturnReasonCode>('CHANGED_MIND');
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [answer, setAnswer] = useState<Answer | undefined>();

  const order = eligibility.data?.order;
  if (eligibility.loading && !order) return <p className="muted">Checking what can be returned…</p>;
  if (!order?.returnEligibility) {
    return (
      <p className="muted" data-testid="return-form-unavailable">
        We can't check returns for this order right now. Please try again later.
      </p>
    );
  }
  const lines = new Map(order.lines.map((l) => [l.lineNumber, l]));
  const eligible = order.returnEligibility.filter((e) => e.eligible && e.returnableQuantity > 0);
  const chosen = Object.entries(quantities)
    .filter(([, q]) => q > 0)
    .map(([n, q]) => ({ lineNumber: Number(n), quantity: q, reasonCode: reason }));

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setAnswer(undefined);
    const result = await send({
      variables: { input: { orderId, idempotencyKey: key, channel: 'WEB', lines: chosen } },
    });
    const a = result.data?.requestReturn;
    if (!a) return;
    setAnswer(a);
    setKey(crypto.randomUUID()); // answered: the next submission is a new intent
    if (a.result === 'ACCEPTED') {
      setQuantities({});
      onRequested();
      void eligibility.refetch();
    }
  };

  return (
    <form className="return-form" data-testid="return-form" onSubmit={submit}>
      <h3>Return items</h3>
      <ul className="return-lines">
        {order.returnEligibility.map((e) => {
          const line = lines.get(e.lineNumber);
          const name = line?.description ?? line?.sku ?? `Line ${e.lineNumber}`;
          return (
            <li key={e.lineNumber} data-testid={`return-line-${e.lineNumber}`}>
              <span>{name}</span>
              {e.eligible && e.returnableQuantity > 0 ? (
                <label>
                  {' '}
                  Return{' '}
                  <input
                    type="number"
                    name={`return-qty-${e.lineNumber}`}
                    min={0}
                    max={e.returnableQuantity}
                    value={quantities[e.lineNumber] ?? 0}
                    onChange={(ev) =>
                      setQuantities((q) => ({
                        ...q,
                        [e.lineNumber]: Math.max(0, Math.min(e.returnableQuantity, Number(ev.target.value) || 0)),
                      }))
                    }
                  />{' '}
                  of {e.returnableQuantity}
                  {e.windowClosesAt && <span className="muted"> · until {day(e.windowClosesAt)}</span>}
                </label>
              ) : (
                <span className="muted" data-testid="not-returnable">
                  {' '}
                  — can't be returned: {e.failures.map((f) => f.message).join('; ') || 'nothing left to return'}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {eligible.length > 0 && (
        <p>
          <label>
            Why?{' '}
            <select
              name="return-reason"
              value={reason}
              onChange={(ev) => setReason(ev.target.value as ReturnReasonCode)}
            >
              {REASONS.map(([code, words]) => (
                <option key={code} value={code}>
                  {words}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="submit" disabled={chosen.length === 0 || sending.loading}>
            {sending.loading ? 'Sending…' : 'Request return'}
          </button>
        </p>
      )}
      {sending.error && (
        <p className="problem" role="alert">
          We couldn't send your request ({sending.error.message}). Try again: it won't be sent twice.
        </p>
      )}
      {answer?.result === 'ACCEPTED' && answer.return && (
        <p className="done" data-testid="return-confirmation">
          Return requested on {day(answer.return.requestedAt)}:{' '}
          {answer.return.lines.reduce((n, l) => n + l.quantity, 0)} item(s). We'll email your return label.
        </p>
      )}
      {answer && answer.userErrors.length > 0 && (
        <ul className="problem" role="alert" data-testid="return-errors">
          {answer.userErrors.map((u) => (
            <li key={`${u.code}-${u.lineNumber ?? ''}-${u.field ?? ''}`}>{u.message}</li>
          ))}
        </ul>
      )}
    </form>
  );
}
