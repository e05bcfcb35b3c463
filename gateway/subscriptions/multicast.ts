import {
  Kind,
  subscribe,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql';
import { PushQueue } from './queue.js';
import type { SubscriptionContext } from './schema.js';

type Source = AsyncIterator<ExecutionResult>;

interface Group {
  members: Set<Member>;
  source: Source;
}

interface Member {
  queue: PushQueue<ExecutionResult>;
  drop: () => void;
  /** Writes a pre-serialized payload to the member's socket (SubscriptionContext.sendPayload); else its queue gets the result. */
  write: ((payload: Buffer) => void) | undefined;
}

/**
 * Executes each distinct subscription once and hands every result to all of its subscribers:
 * 10,000 clients sending the same document with the same variables, as the same visibility scope,
 * cost one execution per event instead of 10,000. Each member has its own bounded queue, so a slow
 * one is dropped (as a slow consumer) without holding the others back. A subscription that replays
 * from a cursor (`after`) is never shared: a member joining later would miss the replay.
 *
 * Each result of a shared execution is serialized once; a member whose transport gives
 * `sendPayload` (graphql-ws over ws, gateway/subscriptions/server.ts) gets it written to its socket
 * in the same turn, its id spliced into the frame — no per-subscriber JSON, promise or queue turn.
 * Such a member falls behind in its socket, not in its queue, so the socket's budgets (buffered and
 * unacknowledged bytes) are what drop it; its queue only carries the end or the failure.
 */
export class SubscriptionMulticast {
  private readonly groups = new WeakMap<DocumentNode, Map<string, Group>>();
  /** Distinct executions started (for tests and the benchmark). */
  executions = 0;
  /** Subscribers currently attached, shared or not. */
  subscribers = 0;

  /**
   * @param maxQueued events a subscriber may fall behind
   * @param maxQueuedBytes bytes (of each result's JSON) a subscriber may fall behind, each its own budget. @default 1048576
   */
  constructor(
    private readonly maxQueued: number,
    private readonly maxQueuedBytes = 1_048_576,
  ) {}

  /** The `subscribe` to hand graphql-ws. */
  readonly subscribe = async (
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const ctx = args.contextValue as SubscriptionContext;
    const key = replays(args)
      ? null
      : `${ctx.scope}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
    if (key === null) {
      this.executions++;
      const own = await subscribe(args);
      return isIterator(own) ? this.counted(own) : own;
    }
    let byKey = this.groups.get(args.document);
    if (!byKey) this.groups.set(args.document, (byKey = new Map()));
    let group = byKey.get(key);
    if (!group) {
      this.executions++;
      // When the shared execution itself falls behind, every member is equally behind: drop them all.
      let created: Group | undefined;
      const shared: SubscriptionContext = {
        ...ctx,
        sendPayload: undefined,
        dropSlowConsumer: () => created?.members.forEach((m) => m.drop()),
      };
      const result = await subscribe({ ...args, contextValue: shared });
      if (!isIterator(result)) return result; // cannot start (bad input, expired cursor): this caller alone
      const raced = byKey.get(key);
      if (raced) {
        await result.return?.();
        group = raced;
      } else {
        group = created = { members: new Set(), source: result };
        byKey.set(key, group);
        void this.pump(byKey, key, group);
      }
    }
    const g = group;
    const member: Member = {
      drop: ctx.dropSlowConsumer,
      write: ctx.sendPayload,
      queue: new PushQueue<ExecutionResult>(
        this.maxQueued,
        () => {
          this.subscribers--;
          g.members.delete(member);
          if (g.members.size === 0) this.end(byKey, key, g);
        },
        this.maxQueuedBytes,
      ),
    };
    g.members.add(member);
    this.subscribers++;
    return member.queue;
  };

  /** An unshared subscription, counted while it runs. */
  private counted(source: AsyncIterableIterator<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
    this.subscribers++;
    let open = true;
    const close = (): void => {
      if (open) this.subscribers--;
      open = false;
    };
    return {
      next: async () => {
        const r = await source.next().catch((err: unknown) => {
          close();
          throw err;
        });
        if (r.done) close();
        return r;
      },
      return: async () => {
        close();
        return (await source.return?.()) ?? { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  private async pump(byKey: Map<string, Group>, key: string, g: Group): Promise<void> {
    try {
      for (;;) {
        const next = await g.source.next();
        if (next.done) break;
        // Serialized once per event: written as is to the members that take bytes, measured for
        // (and charged to) every queued member that has not read it yet.
        const payload = Buffer.from(JSON.stringify(next.value));
        for (const m of g.members) {
          if (m.write) {
            m.write(payload);
            continue;
          }
          m.queue.push(next.value, payload.length);
          if (m.queue.overflowed) m.drop();
        }
      }
      for (const m of g.members) void m.queue.return();
    } catch (err) {
      for (const m of g.members) m.queue.fail(err);
    } finally {
      if (byKey.get(key) === g) byKey.delete(key);
    }
  }

  private end(byKey: Map<string, Group>, key: string, g: Group): void {
    if (byKey.get(key) === g) byKey.delete(key);
    void g.source.return?.();
  }
}

function isIterator(r: unknown): r is Source {
  return typeof (r as Source | null)?.next === 'function';
}

/** True when a root field is given a non-null `after` (literally or through a variable). */
function replays(args: ExecutionArgs): boolean {
  const op = args.document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
  );
  for (const sel of op?.selectionSet.selections ?? []) {
    if (sel.kind !== Kind.FIELD) continue;
    for (const arg of sel.arguments ?? []) {
      if (arg.name.value !== 'after') continue;
      if (arg.value.kind === Kind.NULL) continue;
      if (arg.value.kind === Kind.VARIABLE && (args.variableValues?.[arg.value.name.value] ?? null) === null) continue;
      return true;
    }
  }
  return false;
}
