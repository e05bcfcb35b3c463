import { useEffect, useState } from 'react';
import { ago, duration, sla } from './opsFormat';
import { EXCEPTIONS } from './opsGraph';
import { pageSizeOf, useConnectionPage, usePages } from './OpsPaging';

/** One business exception as `Query.exceptions` answers it. */
export interface BusinessException {
  id: string;
  type: string;
  since: string;
  slaSeconds: number;
  actor: string;
  open: boolean;
  openedAt: string;
  closedAt: string | null;
  closeReason: string | null;
  channel: string | null;
  fulfillmentNodeId: string | null;
  order: { id: string };
  facts: { name: string; value: string | null }[];
}

interface Props {
  token: string;
  /** The exception types the graph knows (introspected), with their meaning. */
  types: { name: string; description?: string | null }[];
  /** Set from outside (a click on a type in the health summary); the panel reads it as its type filter. */
  type: string;
  onType: (type: string) => void;
  refresh: number;
  now: number;
  onOrder: (orderId: string) => void;
}

/**
 * Business exceptions (`Query.exceptions`), open ones by default, oldest first, with their age:
 * what is stuck, since when, against which SLA, the facts behind it and who acts. Filter by type
 * and open-only; keyset paging.
 */
export function OpsExceptions({ token, types, type, onType, refresh, now, onOrder }: Props) {
  const [openOnly, setOpenOnly] = useState(true);
  const [size, setSize] = useState('20');
  const pages = usePages();
  const first = pageSizeOf(size, 20);
  const { after } = pages;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a filter change goes back to the first page; `pages` is a fresh object each render
  useEffect(() => pages.first(), [type, openOnly, first]);

  const { nodes, hasNext, endCursor, problem } = useConnectionPage<BusinessException>(
    token,
    EXCEPTIONS,
    'exceptions',
    { ...(type ? { type } : {}), ...(openOnly ? { openOnly: true } : {}) },
    first,
    after,
    refresh,
  );

  return (
    <section className="panel wide" data-testid="ops-exceptions">
      <h2>
        {openOnly ? 'Open exceptions' : 'Exceptions'} <span className="muted">oldest first · page {pages.page}</span>
      </h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Type{' '}
          <select name="exceptionType" value={type} onChange={(e) => onType(e.target.value)}>
            <option value="">any type</option>
            {types.map((t) => (
              <option key={t.name} value={t.name} title={t.description ?? undefined}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" name="openOnly" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} />{' '}
          open only
        </label>
        <label>
          Per page{' '}
          <input
            name="exceptionPageSize"
            type="number"
            min={1}
            max={200}
            value={size}
            onChange={(e) => setSize(e.target.value)}
            style={{ width: '5em' }}
          />
        </label>
      </form>
      {problem && (
        <p className="problem-text" role="alert">
          {problem}
        </p>
      )}
      {nodes === undefined ? (
        <p className="muted">Loading…</p>
      ) : nodes.length === 0 ? (
        <p className="muted" data-testid="ops-exceptions-empty">
          No {openOnly ? 'open ' : ''}exceptions{type ? ` of type ${type}` : ''}
          {pages.page > 1 ? ' on this page' : ''}.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Type</th>
              <th>Order</th>
              <th>Age</th>
              <th>SLA</th>
              <th>Who acts</th>
              <th>Facts</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((x) => (
              <tr key={x.id} data-testid="ops-exception">
                <td title={types.find((t) => t.name === x.type)?.description ?? undefined}>
                  <b>{x.type}</b>
                </td>
                <td>
                  <button type="button" className="link" onClick={() => onOrder(x.order.id)}>
                    {x.order.id}
                  </button>
                  {x.channel ? <span className="muted"> · {x.channel}</span> : null}
                </td>
                <td title={`since ${x.since}`} data-testid="ops-exception-age">
                  {x.open
                    ? duration(now - Date.parse(x.since))
                    : duration(Date.parse(x.closedAt!) - Date.parse(x.since))}
                </td>
                <td>{sla(x.slaSeconds)}</td>
                <td>{x.actor}</td>
                <td className="facts">{x.facts.map((f) => `${f.name}: ${f.value ?? '—'}`).join(' · ')}</td>
                <td>
                  {x.open ? (
                    <span className="badge open">open</span>
                  ) : (
                    <span title={x.closeReason ?? undefined}>closed {ago(x.closedAt!, now)}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" disabled={pages.page === 1} onClick={pages.previous}>
          ← Previous
        </button>{' '}
        <button type="button" disabled={!hasNext || !endCursor} onClick={() => endCursor && pages.next(endCursor)}>
          Next →
        </button>
      </div>
    </section>
  );
}
