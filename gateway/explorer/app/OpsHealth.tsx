import { useEffect, useState } from 'react';
import { ago, duration } from './opsFormat';
import { HEALTH, problemsOf, query } from './opsGraph';

interface Health {
  generatedAt: string;
  openExceptions: { type: string; count: number }[];
  deadLetterDepth: { consumer: number; ingest: number; total: number };
  eventLag: { hop: string; count: number; p50: number | null; p99: number | null }[];
  systems: {
    system: string;
    breaker: string;
    lastSuccessAt: string | null;
    stalenessMs: number | null;
    reporters: number;
  }[];
}

const ms = (v: number | null): string => (v === null ? '—' : v < 1000 ? `${Math.round(v)} ms` : duration(v));

/**
 * `Query.operationsHealth` in one line per concern: open exceptions by type (a click filters the
 * exception list), open dead letters by kind, event lag per hop, and each system's breaker and
 * freshness as the gateways reported them in the last minute.
 */
export function OpsHealth({
  token,
  refresh,
  now,
  onType,
}: {
  token: string;
  refresh: number;
  now: number;
  onType: (type: string) => void;
}) {
  const [health, setHealth] = useState<Health>();
  const [problem, setProblem] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `refresh` is the re-read trigger (Refresh, the 15 s timer, an operator action): a new value reads again
  useEffect(() => {
    let current = true;
    query<{ operationsHealth: Health }>(token, HEALTH).then(
      (a) => {
        if (!current) return;
        setProblem(problemsOf(a));
        if (a.data?.operationsHealth) setHealth(a.data.operationsHealth);
      },
      (err: Error) => current && setProblem(err.message),
    );
    return () => {
      current = false;
    };
  }, [token, refresh]);

  const open = health?.openExceptions.reduce((n, x) => n + x.count, 0) ?? 0;
  return (
    <section className="panel" data-testid="ops-health">
      <h2>Operations health {health && <span className="muted">as of {ago(health.generatedAt, now)}</span>}</h2>
      {problem && (
        <p className="problem-text" role="alert">
          {problem}
        </p>
      )}
      {!health ? (
        <p className="muted">Loading…</p>
      ) : (
        <dl className="health">
          <dt>Open exceptions</dt>
          <dd data-testid="ops-health-exceptions">
            <b>{open}</b>
            {health.openExceptions.length > 0 && ': '}
            {health.openExceptions.map((x, i) => (
              <span key={x.type}>
                {i > 0 && ', '}
                <button type="button" className="link" onClick={() => onType(x.type)}>
                  {x.type}
                </button>{' '}
                {x.count}
              </span>
            ))}
          </dd>
          <dt>Open dead letters</dt>
          <dd data-testid="ops-health-letters">
            <b>{health.deadLetterDepth.total}</b> (consumer {health.deadLetterDepth.consumer}, ingest{' '}
            {health.deadLetterDepth.ingest})
          </dd>
          <dt>Event lag, 15 min</dt>
          <dd>
            {health.eventLag.length === 0 ? (
              <span className="muted">no events</span>
            ) : (
              health.eventLag.map((l) => (
                <div key={l.hop}>
                  {l.hop}: p50 {ms(l.p50)}, p99 {ms(l.p99)} <span className="muted">({l.count})</span>
                </div>
              ))
            )}
          </dd>
          <dt>Systems</dt>
          <dd>
            {health.systems.length === 0 ? (
              <span className="muted">no gateway reported in the last minute</span>
            ) : (
              health.systems.map((s) => (
                <div key={s.system}>
                  {s.system}: <span className={`badge ${s.breaker === 'CLOSED' ? 'ok' : 'open'}`}>{s.breaker}</span>{' '}
                  <span className="muted">
                    {s.stalenessMs === null ? 'no successful fetch' : `fresh ${duration(s.stalenessMs)} ago`} ·{' '}
                    {s.reporters} gateway{s.reporters === 1 ? '' : 's'}
                  </span>
                </div>
              ))
            )}
          </dd>
        </dl>
      )}
    </section>
  );
}
