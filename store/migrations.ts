import type { Db } from './db.js';

/** One versioned schema change: applied once, in order, recorded in `store_migrations`. Never edit a released one; add the next. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'orders, status history, sources, exceptions, dead letters, ingest ledger, system health',
    sql: `
CREATE TABLE orders (
  order_id text PRIMARY KEY,
  customer_id text,
  channel text,
  fulfillment_node_ids text[] NOT NULL DEFAULT '{}',
  status text,
  status_since timestamptz,
  version integer NOT NULL DEFAULT 0,
  cause_id text,
  previous_status text,
  fulfillment_state text,
  fulfillment_state_since timestamptz,
  financial_state text,
  financial_state_since timestamptz,
  return_state text,
  return_state_since timestamptz,
  facts jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_by_status ON orders (status, status_since, order_id);

CREATE TABLE status_history (
  order_id text NOT NULL,
  version integer NOT NULL,
  status text NOT NULL,
  previous_status text,
  cause_id text NOT NULL,
  cause_source text,
  cause_type text,
  occurred_at timestamptz,
  recorded_at timestamptz,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, version)
);

CREATE TABLE order_sources (
  order_id text NOT NULL,
  source text NOT NULL,
  last_event_id text NOT NULL,
  last_event_type text NOT NULL,
  last_occurred_at timestamptz NOT NULL,
  last_recorded_at timestamptz,
  PRIMARY KEY (order_id, source)
);

CREATE TABLE exceptions (
  id bigserial PRIMARY KEY,
  type text NOT NULL,
  order_id text NOT NULL,
  subject_key text NOT NULL DEFAULT '',
  channel text,
  fulfillment_node_id text,
  since timestamptz NOT NULL,
  sla_seconds integer NOT NULL,
  facts jsonb NOT NULL DEFAULT '{}',
  actor text NOT NULL,
  opened_at timestamptz NOT NULL,
  closed_at timestamptz,
  close_reason text
);
CREATE UNIQUE INDEX exceptions_one_open ON exceptions (type, order_id, subject_key) WHERE closed_at IS NULL;
CREATE INDEX exceptions_open_by_since ON exceptions (since, id) WHERE closed_at IS NULL;
CREATE INDEX exceptions_open_by_type ON exceptions (type, since, id) WHERE closed_at IS NULL;
CREATE INDEX exceptions_open_by_channel ON exceptions (channel, since, id) WHERE closed_at IS NULL;
CREATE INDEX exceptions_open_by_node ON exceptions (fulfillment_node_id, since, id) WHERE closed_at IS NULL;
CREATE INDEX exceptions_by_since ON exceptions (since, id);
CREATE INDEX exceptions_by_order ON exceptions (order_id, id);

CREATE TABLE dead_letters (
  id text PRIMARY KEY,
  kind text NOT NULL,
  state text NOT NULL DEFAULT 'open',
  stream text,
  group_name text,
  system text,
  event_id text,
  event_type text,
  order_id text,
  payload jsonb,
  raw_body text,
  headers jsonb,
  error text NOT NULL,
  attempts integer NOT NULL,
  first_failed_at timestamptz NOT NULL,
  last_failed_at timestamptz NOT NULL,
  replays integer NOT NULL DEFAULT 0,
  resolved_at timestamptz,
  resolved_by text,
  resolution text
);
CREATE INDEX dead_letters_open ON dead_letters (state, last_failed_at, id);

CREATE TABLE dead_letter_audit (
  id bigserial PRIMARY KEY,
  letter_id text NOT NULL,
  action text NOT NULL,
  actor text NOT NULL,
  reason text NOT NULL,
  outcome text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX dead_letter_audit_by_letter ON dead_letter_audit (letter_id, id);

CREATE TABLE ingest_ledger (
  event_id text PRIMARY KEY,
  state text NOT NULL,
  holder text NOT NULL,
  claimed_at timestamptz NOT NULL,
  done_at timestamptz
);
CREATE INDEX ingest_ledger_done ON ingest_ledger (done_at);

CREATE TABLE ingest_entities (
  entity text PRIMARY KEY,
  last_time text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE system_health (
  reporter text NOT NULL,
  system text NOT NULL,
  breaker text NOT NULL,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  detail text,
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (reporter, system)
);

CREATE TABLE event_lag (
  id bigserial PRIMARY KEY,
  hop text NOT NULL,
  lag_ms integer NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX event_lag_by_at ON event_lag (at);
`,
  },
  {
    version: 2,
    name: 'audit trail of requests and decisions on orders (returns, cancellations, exchanges)',
    sql: `
CREATE TABLE audit_trail (
  id bigserial PRIMARY KEY,
  order_id text NOT NULL,
  at timestamptz NOT NULL,
  action text NOT NULL,
  channel text,
  actor_kind text NOT NULL,
  actor_consumer text NOT NULL,
  actor_id text NOT NULL,
  actor_asserted boolean NOT NULL DEFAULT false,
  reason_codes jsonb NOT NULL DEFAULT '[]',
  result text NOT NULL,
  detail text NOT NULL,
  idempotency_key text
);
CREATE INDEX audit_trail_by_order ON audit_trail (order_id, id);
`,
  },
  {
    version: 3,
    name: 'action leases (per-order locks) and action results by idempotency key, shared by replicas',
    sql: `
CREATE TABLE action_leases (
  lease_key text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE action_results (
  scope text NOT NULL,
  idempotency_key text NOT NULL,
  fingerprint text NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX action_results_by_created ON action_results (created_at);
`,
  },
  {
    version: 4,
    name: 'the ingest ledger records the order of each event applied, to rebuild what a lost bus held',
    sql: `
ALTER TABLE ingest_ledger ADD COLUMN order_id text;
CREATE INDEX ingest_ledger_done_orders ON ingest_ledger (done_at, order_id) WHERE order_id IS NOT NULL;
`,
  },
];

/** Applies every migration newer than the database's, each in its own transaction; concurrent starters wait on an advisory lock. Returns the versions applied. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS store_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      // One migrator at a time per database (another replica starting at once waits here).
      await tx.query('SELECT pg_advisory_xact_lock(774411)');
      const [row] = await tx.query('SELECT 1 FROM store_migrations WHERE version = $1', [m.version]);
      if (row) return false;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO store_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

/** The highest applied version (0 for a fresh database). */
export async function schemaVersion(db: Db): Promise<number> {
  const [row] = await db.query<{ v: number | null }>('SELECT max(version)::int AS v FROM store_migrations');
  return row?.v ?? 0;
}

/** A migration script's statements (they contain no semicolons inside literals). */
function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
