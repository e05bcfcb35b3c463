/**
 * How many Redis connections a gateway and a subgraph open (docs/running.md): counted in
 * `CLIENT LIST` by the name every connection gives itself (`<REDIS_CLIENT_NAME>:<role>:<purpose>`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { projectRoot } from '../../runtime/project.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { stack } from '../helpers/stack.js';
import { eventually } from '../helpers/ws.js';
import { databaseUrl, dropSchema, uniqueSchema } from '../helpers/postgres.js';

const root = projectRoot();
const children: ChildProcess[] = [];
const prefix = uniquePrefix();
// The distributed mode (REDIS_URL) requires the shared visibility store: a PostgreSQL schema of this run.
const schema = uniqueSchema();
let raw: Redis;
let s: Stack;

/** Starts an entry point with Redis on; resolves once it printed `ready`. */
async function start(entry: string, tag: string, env: Record<string, string>, ready: RegExp): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
    cwd: root,
    env: {
      ...process.env,
      VITEST: '',
      LOG_LEVEL: 'info',
      DEMO_ORDERS: '30',
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: prefix,
      REDIS_CLIENT_NAME: tag,
      DATABASE_URL: databaseUrl(),
      STORE_SCHEMA: schema,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!ready.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${entry} never printed ${ready}:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The connections named `<tag>:…`, by name. */
async function connections(tag: string): Promise<string[]> {
  const list = (await raw.client('LIST')) as string;
  return list
    .split('\n')
    .map((l) => / name=(\S+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n.startsWith(`${tag}:`))
    .sort();
}

await describeRedis('Redis connections per process', () => {
  beforeAll(async () => {
    raw = new Redis(redisUrl());
    s = await stack({ orders: 30 });
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await s?.stop();
    await cleanupPrefix(prefix);
    await dropSchema(schema).catch(() => undefined);
    raw?.disconnect();
  });

  it('should open 4 connections in a gateway: one shared per role, one per blocking read', async () => {
    const tag = `${prefix}gw`;
    const urls = Object.fromEntries(
      Object.entries(s.subgraphs).map(([name, sg]) => [`${name.toUpperCase()}_URL`, sg.service.url]),
    );
    await start('gateway/main.ts', tag, { PORT: '0', TRACKER_SEED: 'false', ...urls }, /gateway listening/);
    // The tracker's consumer and the subscriptions' reader connect as the gateway starts; wait for
    // four (not a fixed pause), then assert which four — a fifth would still fail below.
    await eventually(async () => (await connections(tag)).length >= 4, 10_000, 'four connections');
    await new Promise((r) => setTimeout(r, 200));
    expect(await connections(tag)).toEqual([
      `${tag}:bus:commands`, // bus commands, order versions, tracker store
      expect.stringMatching(new RegExp(`^${tag}:bus:consumer:`)), // the status tracker's group read: its stream and its redelivery stream
      expect.stringMatching(new RegExp(`^${tag}:bus:reader:`)), // subscriptions: the source and visibility streams in one read
      `${tag}:cache:commands`, // response and fetch caches, tags, APQ, shield buckets, quotas
    ]);
  });

  it('should open 1 connection in a subgraph: the shared bus connection (publishing and order versions)', async () => {
    const tag = `${prefix}erp`;
    await start('subgraphs/erp/main.ts', tag, { PORT: '0' }, /erp subgraph listening/);
    expect(await connections(tag)).toEqual([`${tag}:bus:commands`]);
  });
});
