import { useEffect, useState } from 'react';
import { ago, pretty } from './opsFormat';
import { DEAD_LETTER, DEAD_LETTERS, DISCARD, problemsOf, query, REPLAY } from './opsGraph';
import { pageSizeOf, useConnectionPage, usePages } from './OpsPaging';

/** A dead letter as the list shows it. */
interface LetterRow {
  id: string;
  kind: 'CONSUMER' | 'INGEST';
  state: 'OPEN' | 'REPLAYING' | 'REPLAYED' | 'DISCARDED';
  group: string | null;
  system: string | null;
  eventType: string | null;
  order: { id: string } | null;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  replays: number;
}

/** One letter inspected: everything the graph keeps of it. */
interface Letter extends LetterRow {
  stream: string | null;
  eventId: string | null;
  payload: string | null;
  headers: { name: string; value: string }[];
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  audit: { action: string; actor: string; reason: string; outcome: string; at: string }[];
}

interface ActionAnswer {
  outcome: 'REPLAYED' | 'DISCARDED' | 'NOOP' | 'FAILED';
  error: string | null;
  letter: Letter;
}

interface Props {
  token: string;
  refresh: number;
  now: number;
  onOrder: (orderId: string) => void;
  /** After a replay or discard: the other views (health, exceptions, the order) may have changed. */
  onChanged: () => void;
}

const STATES = ['OPEN', 'REPLAYING', 'REPLAYED', 'DISCARDED'] as const;

/**
 * Dead letters (`Query.deadLetters`, ops only): open ones by default, most recently failed first.
 * Inspect one for its payload, headers, error, attempts, first and last failure and audit trail,
 * and replay it (`replayDeadLetter`) or discard it with a reason (`discardDeadLetter`) — both
 * audited by the graph under the operator's ops credential, and idempotent.
 */
export function OpsDeadLetters({ token, refresh, now, onOrder, onChanged }: Props) {
  const [state, setState] = useState<string>('OPEN');
  const [kind, setKind] = useState('');
  const [size, setSize] = useState('20');
  const [inspected, setInspected] = useState<string>();
  const pages = usePages();
  const first = pageSizeOf(size, 20);
  const { after } = pages;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a filter change goes back to the first page; `pages` is a fresh object each render
  useEffect(() => pages.first(), [state, kind, first]);

  const { nodes, hasNext, endCursor, problem } = useConnectionPage<LetterRow>(
    token,
    DEAD_LETTERS,
    'deadLetters',
    { ...(state ? { state } : {}), ...(kind ? { kind } : {}) },
    first,
    after,
    refresh,
  );

  return (
    <section className="panel wide" data-testid="ops-dead-letters">
      <h2>
        Dead letters <span className="muted">most recently failed first · page {pages.page}</span>
      </h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          State{' '}
          <select name="letterState" value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">any state</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind{' '}
          <select name="letterKind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">any kind</option>
            <option value="CONSUMER">CONSUMER (an event a consumer gave up on)</option>
            <option value="INGEST">INGEST (a refused webhook)</option>
          </select>
        </label>
        <label>
          Per page{' '}
          <input
            name="letterPageSize"
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
        <p className="muted" data-testid="ops-dead-letters-empty">
          No {state ? `${state.toLowerCase()} ` : ''}dead letters{pages.page > 1 ? ' on this page' : ''}.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Kind</th>
              <th>From</th>
              <th>Event</th>
              <th>Order</th>
              <th>Error</th>
              <th>Attempts</th>
              <th>Last failure</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {nodes.map((l) => (
              <tr key={l.id} data-testid="ops-dead-letter" className={l.id === inspected ? 'selected' : undefined}>
                <td>{l.kind}</td>
                <td>{[l.system, l.group].filter(Boolean).join(' → ') || '—'}</td>
                <td>{l.eventType ?? '—'}</td>
                <td>
                  {l.order ? (
                    <button type="button" className="link" onClick={() => onOrder(l.order!.id)}>
                      {l.order.id}
                    </button>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="error" title={l.error}>
                  {l.error}
                </td>
                <td>{l.attempts}</td>
                <td title={l.lastFailedAt}>{ago(l.lastFailedAt, now)}</td>
                <td>
                  <span className={`badge ${l.state.toLowerCase()}`}>{l.state}</span>
                </td>
                <td>
                  <button type="button" onClick={() => setInspected(l.id)}>
                    Inspect
                  </button>
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
      {inspected && (
        <LetterView
          key={inspected}
          token={token}
          id={inspected}
          refresh={refresh}
          now={now}
          onOrder={onOrder}
          onClose={() => setInspected(undefined)}
          onChanged={onChanged}
        />
      )}
    </section>
  );
}

function LetterView({
  token,
  id,
  refresh,
  now,
  onOrder,
  onClose,
  onChanged,
}: {
  token: string;
  id: string;
  refresh: number;
  now: number;
  onOrder: (orderId: string) => void;
  onClose: () => void;
  onChanged: () => void;
}) {
  const [letter, setLetter] = useState<Letter | null>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [problem, setProblem] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `refresh` is the re-read trigger (Refresh, the 15 s timer, an operator action): a new value reads again
  useEffect(() => {
    let current = true;
    query<{ deadLetter: Letter | null }>(token, DEAD_LETTER, { id }).then(
      (a) => {
        if (!current) return;
        setProblem(problemsOf(a));
        if (a.data) setLetter(a.data.deadLetter);
      },
      (err: Error) => current && setProblem(err.message),
    );
    return () => {
      current = false;
    };
  }, [token, id, refresh]);

  const act = async (action: 'replay' | 'discard') => {
    setBusy(true);
    setProblem(undefined);
    setResult(undefined);
    try {
      const a = await query<{ replayDeadLetter?: ActionAnswer; discardDeadLetter?: ActionAnswer }>(
        token,
        action === 'replay' ? REPLAY : DISCARD,
        { id, reason: reason.trim() },
      );
      const answer = action === 'replay' ? a.data?.replayDeadLetter : a.data?.discardDeadLetter;
      if (!answer) return setProblem(problemsOf(a) ?? 'no answer');
      setLetter(answer.letter);
      setResult(answer.outcome === 'FAILED' ? `FAILED: ${answer.error ?? 'redelivery failed'}` : answer.outcome);
      setReason('');
      onChanged();
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (letter === undefined) return <div className="letter muted">{problem ?? 'Loading the letter…'}</div>;
  if (letter === null)
    return (
      <div className="letter muted">
        No dead letter {id} (any more).{' '}
        <button type="button" className="link" onClick={onClose}>
          close
        </button>
      </div>
    );
  const open = letter.state === 'OPEN';
  return (
    <div className="letter" data-testid="ops-letter">
      <h3>
        {letter.kind === 'CONSUMER' ? 'Consumer letter' : 'Ingest letter'} ·{' '}
        <span data-testid="ops-letter-state" className={`badge ${letter.state.toLowerCase()}`}>
          {letter.state}
        </span>{' '}
        <span className="muted">{letter.id}</span>{' '}
        <button type="button" className="link" onClick={onClose}>
          close
        </button>
      </h3>
      <dl>
        <dt>From</dt>
        <dd>
          {letter.kind === 'CONSUMER'
            ? `stream ${letter.stream ?? '?'}, consumer group ${letter.group ?? '?'}`
            : `a webhook to ${letter.system ?? '?'}'s /ingest`}
        </dd>
        {(letter.eventId || letter.eventType) && (
          <>
            <dt>Event</dt>
            <dd>{[letter.eventType, letter.eventId].filter(Boolean).join(' · ')}</dd>
          </>
        )}
        {letter.order && (
          <>
            <dt>Order</dt>
            <dd>
              <button type="button" className="link" onClick={() => onOrder(letter.order!.id)}>
                {letter.order.id}
              </button>
            </dd>
          </>
        )}
        <dt>Error</dt>
        <dd className="error-text" data-testid="ops-letter-error">
          {letter.error}
        </dd>
        <dt>Attempts</dt>
        <dd>
          {letter.attempts}
          {letter.replays ? ` · replayed ${letter.replays}×` : ''}
        </dd>
        <dt>First failure</dt>
        <dd>
          {letter.firstFailedAt} <span className="muted">({ago(letter.firstFailedAt, now)})</span>
        </dd>
        <dt>Last failure</dt>
        <dd>
          {letter.lastFailedAt} <span className="muted">({ago(letter.lastFailedAt, now)})</span>
        </dd>
        {letter.resolvedAt && (
          <>
            <dt>Resolved</dt>
            <dd>
              {letter.resolvedAt} by {letter.resolvedBy}
              {letter.resolution ? `: ${letter.resolution}` : ''}
            </dd>
          </>
        )}
      </dl>
      <h4>Payload</h4>
      <pre className="payload" data-testid="ops-letter-payload">
        {pretty(letter.payload) || '—'}
      </pre>
      {letter.headers.length > 0 && (
        <details>
          <summary>Headers as received ({letter.headers.length}; transport credentials removed)</summary>
          <table>
            <tbody>
              {letter.headers.map((h) => (
                <tr key={h.name}>
                  <td>{h.name}</td>
                  <td className="mono">{h.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {letter.audit.length > 0 && (
        <>
          <h4>Audit trail</h4>
          <table data-testid="ops-letter-audit">
            <thead>
              <tr>
                <th>When</th>
                <th>Action</th>
                <th>Who</th>
                <th>Why</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {letter.audit.map((e) => (
                <tr key={`${e.at}:${e.action}:${e.outcome}`}>
                  <td title={e.at}>{ago(e.at, now)}</td>
                  <td>{e.action}</td>
                  <td>{e.actor}</td>
                  <td>{e.reason || '—'}</td>
                  <td>{e.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <form className="actions" onSubmit={(e) => e.preventDefault()}>
        <input
          name="letterReason"
          placeholder={open ? 'why (kept in the audit trail; required to discard)' : 'this letter is not open'}
          value={reason}
          maxLength={500}
          onChange={(e) => setReason(e.target.value)}
          size={50}
          disabled={!open || busy}
        />{' '}
        <button type="button" disabled={!open || busy} onClick={() => void act('replay')}>
          Replay
        </button>{' '}
        <button type="button" disabled={!open || busy || reason.trim() === ''} onClick={() => void act('discard')}>
          Discard
        </button>
        {result && (
          <span className="outcome" data-testid="ops-letter-outcome" role="status">
            {result}
          </span>
        )}
        {problem && (
          <span className="problem-text after" role="alert">
            {problem}
          </span>
        )}
      </form>
    </div>
  );
}
