/**
 * `npm run salesforce:replay [-- --id <letter id> | --order <order id>] [--limit N] [--actor <who>] [--reason <why>]`:
 * replays the Salesforce connector's dead letters through the one replay the operators' mutations
 * use (connectors/salesforce/replay.ts → store/replay.ts). Needs the shared bus and store of the
 * distributed mode: REDIS_URL and DATABASE_URL (the embedded `npm start` keeps both inside its own
 * process — use the operators' replay mutation there). Prints one line per letter; exit 1 when a
 * redelivery failed, 2 on bad arguments or configuration.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createEventBus } from '../events/create.js';
import { openStore } from '../store/index.js';
import { replaySalesforceDeadLetters } from '../connectors/salesforce/replay.js';

const USAGE =
  'usage: npm run salesforce:replay [-- --id <letter id> | --order <order id>] [--limit N] [--actor <who>] [--reason <why>]';

function fail(problem: string): never {
  process.stderr.write(`salesforce:replay: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

let args: { id?: string; order?: string; limit?: string; actor?: string; reason?: string };
try {
  args = parseArgs({
    options: {
      id: { type: 'string' },
      order: { type: 'string' },
      limit: { type: 'string' },
      actor: { type: 'string' },
      reason: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
if (args.id && args.order) fail('give --id or --order, not both');
const limit = args.limit === undefined ? undefined : Number(args.limit);
if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
  fail(`--limit: expected a positive integer, received ${JSON.stringify(args.limit)}`);
if (!process.env.REDIS_URL?.trim())
  fail(
    'REDIS_URL is not set: the replay redelivers on the shared Redis bus (with the embedded `npm start`, use the operators’ replay mutation instead)',
  );

const store = await openStore(process.env).catch((err: unknown) => fail((err as Error).message));
const bus = createEventBus(process.env);
try {
  const outcomes = await replaySalesforceDeadLetters({
    store,
    bus,
    group: process.env.SALESFORCE_GROUP?.trim() || 'salesforce',
    selector: args.id
      ? { id: args.id }
      : { ...(args.order ? { orderId: args.order } : {}), ...(limit ? { limit } : {}) },
    who: { actor: args.actor ?? `cli:${userInfo().username}`, reason: args.reason ?? 'npm run salesforce:replay' },
  });
  for (const o of outcomes)
    process.stdout.write(`${o.outcome}\t${o.letter.id}\t${o.letter.orderId ?? ''}\t${o.error ?? o.letter.error}\n`);
  process.stdout.write(
    `${outcomes.filter((o) => o.outcome === 'replayed').length} replayed, ${outcomes.filter((o) => o.outcome === 'failed').length} failed, ${outcomes.filter((o) => o.outcome === 'noop').length} already done\n`,
  );
  process.exitCode = outcomes.some((o) => o.outcome === 'failed') ? 1 : 0;
} finally {
  await bus.close();
  await store.close();
}
