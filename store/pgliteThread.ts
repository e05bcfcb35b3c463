import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Sql } from './db.js';

/**
 * PGlite on a thread of its own (node:worker_threads): the statements, PGlite's WebAssembly and its
 * protocol parsing — about a third of the embedded process's busy time on the change path, and an
 * eighth of what it allocates (BENCHMARKS.md, issue 11) — run beside the event loop that answers
 * webhooks, GraphQL and subscriptions instead of on it. Parameters and rows cross by structured
 * clone (Date, BigInt, Uint8Array survive it); a failed statement comes back as an Error with the
 * same `code`, `detail` and `constraint` PGlite gave it.
 *
 * The thread's program is plain JavaScript evaluated from this string (as a script or a module:
 * it only imports), so it runs the same under tsx, Vitest and the compiled dist/ without a build
 * step of its own; it starts without the parent's flags (no tsx loader to load).
 */
const THREAD_SOURCE = `
(async () => {
const { parentPort, workerData } = await import('node:worker_threads');
let pg;
const txs = new Map();
const FIELDS = ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position'];
const failure = (err) => {
  const out = { message: String(err && err.message || err), name: err && err.name || 'Error' };
  for (const f of FIELDS) if (err && err[f] !== undefined) out[f] = err[f];
  return out;
};
const reply = (id, result, error) => parentPort.postMessage(error ? { id, error: failure(error) } : { id, result });
parentPort.on('message', async (m) => {
  try {
    switch (m.op) {
      case 'open': {
        const { PGlite } = await import(workerData.pglite);
        pg = await (m.dataDir ? PGlite.create(m.dataDir) : PGlite.create(m.image ? { loadDataDir: new Blob([m.image]) } : {}));
        return reply(m.id, null);
      }
      case 'query': {
        const on = m.tx === undefined ? pg : txs.get(m.tx)?.t;
        if (!on) throw new Error('the transaction has ended');
        return reply(m.id, (await on.query(m.text, m.params)).rows);
      }
      case 'exec':
        await pg.exec(m.script);
        return reply(m.id, null);
      case 'begin': {
        let began;
        const started = new Promise((r) => (began = r));
        const done = pg.transaction(
          (t) => new Promise((resolve, reject) => { txs.set(m.tx, { t, resolve, reject }); began(); }),
        );
        done.then(() => reply(m.id, null), (err) => reply(m.id, null, err)).finally(() => txs.delete(m.tx));
        await started;
        return parentPort.postMessage({ id: m.id, began: true });
      }
      case 'end': {
        const tx = txs.get(m.tx);
        if (m.commit) tx.resolve(); else tx.reject(new Error('rolled back'));
        return reply(m.id, null);
      }
      case 'dump': {
        const blob = await pg.dumpDataDir('none');
        const bytes = new Uint8Array(await blob.arrayBuffer());
        return parentPort.postMessage({ id: m.id, result: bytes }, [bytes.buffer]);
      }
      case 'close':
        if (pg) await pg.close();
        return reply(m.id, null);
    }
  } catch (err) {
    reply(m.id, null, err);
  }
});
})();
`;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** For `begin`: called when the transaction has begun (its statements may be sent). */
  began?: () => void;
}

/** An error the thread sent back, with PGlite's fields (`code`, `detail`, …) restored. */
function revive(e: Record<string, unknown>): Error {
  const err = new Error(String(e.message));
  for (const [k, v] of Object.entries(e)) if (k !== 'message') (err as unknown as Record<string, unknown>)[k] = v;
  return err;
}

/** The thread that owns one PGlite instance, and the messages to it. */
export class PGliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextTx = 1;
  private failed: Error | undefined;

  private constructor() {
    const pglite = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { pglite }, execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; result?: unknown; error?: Record<string, unknown>; began?: true }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.began) return p.began?.();
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.error) p.reject(revive(m.error));
      else p.resolve(m.result);
    });
    const fail = (err: Error): void => {
      this.failed ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the store's PGlite thread exited (code ${code})`)));
  }

  /** Starts a thread and opens PGlite in it: in `dataDir`, else in memory (from `image` when given). */
  static async open(dataDir?: string, image?: Blob): Promise<PGliteThread> {
    const thread = new PGliteThread();
    try {
      const bytes = image ? new Uint8Array(await image.arrayBuffer()) : undefined;
      await thread.call({ op: 'open', dataDir, image: bytes }, bytes ? [bytes.buffer] : []);
      return thread;
    } catch (err) {
      await thread.worker.terminate();
      throw err;
    }
  }

  private call<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = [], began?: () => void): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    // The thread keeps the process alive only while a statement is outstanding, as a socket would.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, began });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  query<R>(text: string, params: readonly unknown[] = [], tx?: number): Promise<R[]> {
    return this.call<R[]>({ op: 'query', text, params, tx });
  }

  async exec(script: string): Promise<void> {
    await this.call({ op: 'exec', script });
  }

  /** BEGIN … COMMIT around `fn` (ROLLBACK when it throws), as PGlite's `transaction` does in process. */
  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const tx = this.nextTx++;
    let began!: () => void;
    const started = new Promise<void>((r) => {
      began = r;
    });
    const finished = this.call({ op: 'begin', tx }, [], began);
    await Promise.race([started, finished]);
    let result: T;
    try {
      result = await fn({ query: (text, params) => this.query(text, params, tx) });
    } catch (err) {
      // The caller's error is the one to report, even when the rollback cannot be sent (a dead thread).
      await this.call({ op: 'end', tx, commit: false }).catch(() => undefined);
      await finished.catch(() => undefined);
      throw err;
    }
    await this.call({ op: 'end', tx, commit: true });
    await finished;
    return result;
  }

  async dump(): Promise<Blob> {
    return new Blob([await this.call<Uint8Array>({ op: 'dump' })]);
  }

  async close(): Promise<void> {
    if (!this.failed) await this.call({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}
