/**
 * What a newcomer trips over when starting processes: a subgraph port without its URL, a busy
 * port, and logs that do not say which component wrote them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Stack } from '../../embedded/stack.js';
import { defaultGatewayConfig, gatewayConfigFromEnv, withSubgraphPorts } from '../../gateway/config.js';
import { ConfigError } from '../../runtime/env.js';
import { projectRoot } from '../../runtime/project.js';
import { gql } from '../helpers/http.js';
import { stack } from '../helpers/stack.js';

// Every test here starts a process cold (tsx compiles on start): on a loaded 2-core machine that
// alone may take most of Vitest's default 30 s.
vi.setConfig({ testTimeout: 90_000 });
const root = projectRoot();
const children: ChildProcess[] = [];
let busy: Server;
let busyPort: number;
let s: Stack;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyPort = (busy.address() as { port: number }).port;
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
const tempDirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ovg-startup-'));
  tempDirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await s?.stop();
  await new Promise((r) => busy.close(r));
});

/** Runs an entry point as its own process; its output and exit code. */
function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', DEMO_ORDERS: '30', VITEST: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (re: RegExp): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + 60_000; // a cold start on a loaded 2-core machine
    for (;;) {
      const m = out.match(re);
      if (m) return m;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`never printed ${re}; output:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { output: () => out, exit, waitFor };
}

describe('subgraph URLs from their ports (distributed mode)', () => {
  it("should derive a subgraph's URL from its <NAME>_PORT when <NAME>_URL is not set", () => {
    const env = { ERP_PORT: '5101', OMS_URL: 'http://oms.internal:80/graphql', OMS_PORT: '5102' };
    const { config, derived } = withSubgraphPorts(gatewayConfigFromEnv(env), env);
    expect(config.subgraphUrls.erp).toBe('http://127.0.0.1:5101/graphql');
    expect(config.subgraphUrls.oms).toBe('http://oms.internal:80/graphql');
    expect(derived).toEqual({ erp: 'ERP_PORT' });
  });

  it('should refuse <NAME>_PORT=0 without <NAME>_URL, naming both variables', () => {
    expect(() => withSubgraphPorts(defaultGatewayConfig(), { WMS_PORT: '0' })).toThrow(ConfigError);
    expect(() => withSubgraphPorts(defaultGatewayConfig(), { WMS_PORT: '0' })).toThrow(
      /WMS_PORT=0 lets wms listen on any free port.*set WMS_URL/,
    );
  });

  it("should route a gateway process by the subgraphs' <NAME>_PORT variables alone", async () => {
    s = await stack({ orders: 30 });
    const ports = Object.fromEntries(
      Object.entries(s.subgraphs).map(([name, sg]) => [`${name.toUpperCase()}_PORT`, String(sg.service.port)]),
    );
    const gw = run([join(root, 'gateway/main.ts')], { PORT: '0', ...ports });
    const [, url] = await gw.waitFor(/"url":"(http:\/\/[^"]+)","msg":"gateway listening"/);
    // A cold gateway process on a loaded machine may miss the 2 s subgraph deadline on its first
    // fetches (the answer is then partial, with UPSTREAM_UNAVAILABLE): ask until the whole graph answers.
    const query = '{ order(id: "ORD-000001") { number acceptedAt status } }';
    let r = await gql(url!, query);
    for (let i = 0; i < 30 && r.body.errors; i++) {
      await new Promise((done) => setTimeout(done, 1000));
      r = await gql(url!, query);
    }
    expect(r.body.errors).toBeUndefined();
    expect(gw.output()).toMatch(/"subgraph":"erp".*"from":"ERP_PORT".*subgraph URL derived from its port/);
  });
});

describe('a busy port', () => {
  it("should name PORT when the gateway's port is taken", async () => {
    const gw = run([join(root, 'gateway/main.ts')], { PORT: String(busyPort) });
    expect(await gw.exit).toBe(1);
    expect(gw.output()).toContain(
      `gateway cannot listen on 127.0.0.1:${busyPort}: the port is in use (chosen by PORT=${busyPort}); stop what uses it, or set PORT to another port (0: any free port)`,
    );
  });

  it('should name <NAME>_PORT when a subgraph process took its port from it', async () => {
    const erp = run([join(root, 'subgraphs/erp/main.ts')], { ERP_PORT: String(busyPort), PORT: '' });
    expect(await erp.exit).toBe(1);
    expect(erp.output()).toContain(
      `erp cannot listen on 127.0.0.1:${busyPort}: the port is in use (chosen by ERP_PORT=${busyPort})`,
    );
  });
});

describe('logs', () => {
  it('should write every line as JSON through pino, named after its component', async () => {
    const p = run(
      [
        '-e',
        "const m = await import('./events/options.ts'); m.defaultOnError(new Error('connection lost'), 'redis subscriber'); const g = await import('./gateway/cache/guard.ts');",
      ],
      {},
    );
    await p.exit;
    const lines = p
      .output()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        name: 'events',
        err: 'connection lost',
        context: 'redis subscriber',
        msg: 'event bus error',
      }),
    ]);
  });

  it('should name the gateway on the gateway\'s lines in the embedded stack, not "embedded"', async () => {
    // Its own PGlite directory: the checkout's .data/ may be held by `npm start` or another test.
    const env = {
      PORT: '0',
      ERP_PORT: '0',
      OMS_PORT: '0',
      WMS_PORT: '0',
      CARRIER_PORT: '0',
      RETURNS_PORT: '0',
      VISIBILITY_PORT: '0',
      SALESFORCE_EMULATOR_PORT: '0',
      LIFECYCLE_RATE: '0',
      DATA_DIR: join(tempDir(), 'pglite'),
    };
    const p = run([join(root, 'embedded/main.ts')], env);
    await p.waitFor(/graph ready at/);
    const loaded = p
      .output()
      .split('\n')
      .filter((l) => l.includes('supergraph loaded'))
      .map((l) => JSON.parse(l));
    expect(loaded.map((l) => l.name)).toEqual(['gateway']);
  });
});
