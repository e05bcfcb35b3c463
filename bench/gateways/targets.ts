/**
 * The gateways `bench/gateways.ts` measures, each started as a process of its own (so CPU and RSS
 * are per gateway), and the seams to adjust as the product changes:
 *
 *   peerSupergraph()  the supergraph the peers get (auth stripped, routed to the bench's subgraphs)
 *   oursEnv()         the environment our gateway starts with (auth, caching, Redis)
 *   hiveConfig()      Hive Gateway's configuration file for the response-cache variant
 *   (and oursDeps() in bench/gateways/ours.ts, trustOptions() in bench/gateways/subgraphs.ts,
 *    credential() in bench/gateways/workload.ts)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Kind, parse, print, visit, type ConstDirectiveNode, type EnumValueDefinitionNode } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../gateway/config.js';
import { Proc, sleep } from './proc.js';

export type TargetId = 'apollo' | 'hive' | 'hive-cache' | 'ours-nocache' | 'ours' | 'bare';
export const TARGET_IDS: readonly TargetId[] = ['apollo', 'hive', 'hive-cache', 'ours-nocache', 'ours', 'bare'];

export const TARGET_LABELS: Record<TargetId, { letter: string; label: string }> = {
  apollo: { letter: 'a', label: '@apollo/gateway + @apollo/server, defaults' },
  hive: { letter: 'b', label: 'Hive Gateway, router runtime, defaults' },
  'hive-cache': { letter: 'b-cache', label: 'Hive Gateway, router runtime, response cache on' },
  'ours-nocache': { letter: 'c', label: 'ours, caching off' },
  ours: { letter: 'd', label: 'ours, default configuration' },
  bare: { letter: 'e', label: 'bare node:http, recorded response bytes (ceiling)' },
};

export interface TargetContext {
  root: string;
  benchDir: string;
  tmpDir: string;
  /** The subgraphs' /graphql URLs. */
  subgraphUrls: Record<SubgraphName, string>;
  /** The private redis-server (the event bus our gateway shares with the subgraphs), if any. */
  redisUrl: string | undefined;
  /** The peers' supergraph file. */
  peerSupergraphPath: string;
  /** The load generator's recorded responses (for the bare server). */
  recordedPath: string;
  cpus: string | undefined;
  onUnexpectedExit: (why: string) => void;
  /** An `authorization` value our gateway accepts (a salesforce token), for the readiness probe; the peers ignore it. */
  probeAuthorization: string;
}

export interface RunningTarget {
  id: TargetId;
  proc: Proc;
  url: string;
  startMs: number;
  /** What was started, for the report. */
  command: string;
  env: Record<string, string>;
}

/** A free TCP port on 127.0.0.1 (closed again; the target binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// ---- seam: the peers' supergraph -------------------------------------------------------------------
const AUTH_SPECS = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\//;
const AUTH_DIRECTIVES = new Set(['authenticated', 'requiresScopes', 'policy']);
const AUTH_SCALARS = new Set(['requiresScopes__Scope', 'policy__Policy']);

/**
 * SEAM (supergraph): the repository's supergraph as the peers get it — the auth links
 * (`@link(url: ".../authenticated/…" | ".../requiresScopes/…" | ".../policy/…")`), their directive
 * and scalar definitions and every use of `@authenticated`, `@requiresScopes`, `@policy` removed
 * (neither peer would enforce them the way ours does), and each `join__Graph` routed to the
 * bench's subgraph URLs. If gateway/supergraph/loader.ts exports its own stripping helper, call it
 * here instead of `stripAuth`.
 */
export function peerSupergraph(sdl: string, urls: Record<SubgraphName, string>): { sdl: string; stripped: number } {
  return routeTo(stripAuth(sdl), urls);
}

function stripAuth(sdl: string): { sdl: string; stripped: number } {
  let stripped = 0;
  const isAuthLink = (d: ConstDirectiveNode): boolean =>
    d.name.value === 'link' &&
    d.arguments?.some(
      (a) => a.name.value === 'url' && a.value.kind === Kind.STRING && AUTH_SPECS.test(a.value.value),
    ) === true;
  const doc = visit(parse(sdl), {
    Directive(node) {
      if (AUTH_DIRECTIVES.has(node.name.value) || isAuthLink(node as ConstDirectiveNode)) {
        stripped++;
        return null;
      }
      return undefined;
    },
    DirectiveDefinition(node) {
      if (!AUTH_DIRECTIVES.has(node.name.value)) return undefined;
      stripped++;
      return null;
    },
    ScalarTypeDefinition(node) {
      if (!AUTH_SCALARS.has(node.name.value)) return undefined;
      stripped++;
      return null;
    },
  });
  return { sdl: print(doc), stripped };
}

function routeTo(
  input: { sdl: string; stripped: number },
  urls: Record<SubgraphName, string>,
): { sdl: string; stripped: number } {
  const doc = visit(parse(input.sdl), {
    EnumValueDefinition(node: EnumValueDefinitionNode) {
      const jg = node.directives?.find((d) => d.name.value === 'join__graph');
      const name = jg?.arguments?.find((a) => a.name.value === 'name');
      if (!jg || !name || name.value.kind !== Kind.STRING) return undefined;
      const url = urls[name.value.value as SubgraphName];
      if (!url) throw new Error(`the supergraph names subgraph ${name.value.value}, which the bench does not run`);
      return {
        ...node,
        directives: node.directives!.map((d) =>
          d !== jg
            ? d
            : {
                ...d,
                arguments: d.arguments!.map((a) =>
                  a.name.value === 'url' ? { ...a, value: { kind: Kind.STRING, value: url } } : a,
                ),
              },
        ),
      };
    },
  });
  return { sdl: print(doc), stripped: input.stripped };
}

// ---- seam: our gateway's environment ----------------------------------------------------------------
/**
 * SEAM (ours): the environment our gateway starts with. (d) is the default configuration; (c) is
 * the same with caching off. Authentication is on as users run it: development credentials
 * (gateway/auth/devCredentials.ts), which the gateway accepts outside NODE_ENV=production, so
 * NODE_ENV is left unset here (the peers run with NODE_ENV=production). REDIS_URL is the bench's
 * private redis-server: the event bus our gateway shares with the subgraphs' /ingest (and where
 * the distributed mode keeps shared state). Adjust the caching switch here once it lands.
 */
export function oursEnv(
  kind: 'ours' | 'ours-nocache',
  ctx: TargetContext,
  port: number,
  mode: OursMode = 'throughput',
): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_URL`, ctx.subgraphUrls[n]])),
    TRACKER_SEED: 'false',
    // The load generator plays thousands of shoppers with one token per customer, and Zipf sends
    // a few customers far more requests than any real shopper makes: per-caller quotas off, the
    // request pace and the cost budget both (a shopper's 6,000 a minute refused (c)'s uncached
    // Zipf-hot customers with 429 in the 2026-12-04 18:16 run).
    QUOTA_STOREFRONT_PER_MINUTE: '0',
    QUOTA_SALESFORCE_PER_MINUTE: '0',
    QUOTA_STOREFRONT_COST_PER_MINUTE: '0',
    QUOTA_SALESFORCE_COST_PER_MINUTE: '0',
  };
  if (mode === 'throughput') {
    // Throughput runs turn the ERP's own limit off; the shield is configured for that ERP (its
    // rate limit is the ERP's allowance), so it does not limit the comparison. Concurrency,
    // deadline, retries, breaker and coalescing stay as configured by default.
    env.SHIELD_ERP_RATE_PER_SECOND = '1000000';
    env.SHIELD_ERP_BURST = '1000000';
    env.SHIELD_ERP_MAX_CONCURRENCY = '64';
    env.SHIELD_ERP_MAX_QUEUE = '256';
  }
  if (ctx.redisUrl) env.REDIS_URL = ctx.redisUrl;
  if (kind === 'ours-nocache') env.CACHE_ENABLED = 'false';
  return env;
}

/** `throughput`: the shield sized for an ERP without a limit; `shielding`: the default shield (ERP 25 fetches/s). */
export type OursMode = 'throughput' | 'shielding';

// ---- seam: Hive Gateway's response cache ------------------------------------------------------------
/**
 * SEAM (Hive): the gateway.config for "response cache on": `responseCaching` with a global
 * session (`session: () => null`, the documented "global cache" form; the peers ignore
 * credentials, so a per-user session would only lower its hit rate) and every other option at its
 * default (TTL: unbounded; storage: the CLI's default in-memory cache).
 * See https://the-guild.dev/graphql/hive/docs/gateway/other-features/performance/response-caching
 */
function hiveConfig(): string {
  // defineConfig() is the identity; a plain object needs no import (the file lives in a temp directory).
  return 'export const gatewayConfig = { responseCaching: { session: () => null } };\n';
}

/** Environment common to every target process. */
function baseEnv(extra: Record<string, string>, production: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Never inherit the runner's own settings into a target.
  for (const k of ['REDIS_URL', 'NODE_ENV', 'PORT', 'HOST', 'CACHE_ENABLED', 'SUPERGRAPH_PATH', 'FORK', 'CONFIG_PATH'])
    if (!(k in extra)) delete env[k];
  if (production) env.NODE_ENV = 'production';
  return env;
}

const TSX = ['--import', 'tsx'];

/** Starts a target and waits until it answers `{ __typename }` with 200. */
export async function startTarget(
  id: TargetId,
  ctx: TargetContext,
  mode: OursMode = 'throughput',
): Promise<RunningTarget> {
  const t0 = performance.now();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  let args: string[];
  let env: Record<string, string>;
  let production = true;
  let cwd = ctx.root;
  let ipc = false;
  switch (id) {
    case 'apollo':
      env = { PORT: String(port), HOST: '127.0.0.1', BENCH_SUPERGRAPH: ctx.peerSupergraphPath };
      args = [...TSX, join(ctx.benchDir, 'gateways', 'apollo.ts')];
      break;
    case 'hive':
    case 'hive-cache': {
      // The CLI (one process: --fork defaults to 1), in an empty directory so it finds no config by
      // accident, on the Hive Router runtime (@graphql-hive/router-runtime: the Rust query planner,
      // Hive's recommended runtime for federation; the default JS runtime could not answer the
      // mix — BENCHMARKS.md, "Which Hive runtime"). The CLI falls back to its JS runtime with a
      // warning when the package is missing: waitHiveRuntime() refuses that.
      const dir = join(ctx.tmpDir, id);
      const cli = join(ctx.benchDir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
      args = [
        cli,
        'supergraph',
        ctx.peerSupergraphPath,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--hive-router-runtime',
      ];
      if (id === 'hive-cache') {
        const cfg = join(ctx.tmpDir, 'hive-gateway.config.mjs');
        writeFileSync(cfg, hiveConfig());
        args.push('--config-path', cfg);
      }
      cwd = dir;
      env = {};
      break;
    }
    case 'ours':
    case 'ours-nocache':
      env = oursEnv(id, ctx, port, mode);
      args = [...TSX, join(ctx.benchDir, 'gateways', 'ours.ts')];
      production = false;
      ipc = true;
      break;
    case 'bare':
      env = { PORT: String(port), HOST: '127.0.0.1', BENCH_RECORDED: ctx.recordedPath };
      args = [...TSX, join(ctx.benchDir, 'gateways', 'bare.ts')];
      break;
  }
  mkdirSync(cwd, { recursive: true });
  const proc = new Proc({
    name: `target ${id}`,
    command: process.execPath,
    args,
    cwd,
    env: baseEnv(env, production),
    cpus: ctx.cpus,
    ipc,
    onUnexpectedExit: ctx.onUnexpectedExit,
  });
  const command = `${ctx.cpus !== undefined ? `taskset -c ${ctx.cpus} ` : ''}node ${args.map((a) => a.replace(`${ctx.root}/`, '')).join(' ')}`;
  try {
    await waitReady(proc, url, ctx.probeAuthorization, 90_000);
    if (id === 'hive' || id === 'hive-cache') hiveRuntimeLoaded(proc);
  } catch (err) {
    proc.kill();
    throw err;
  }
  return { id, proc, url, startMs: Math.round(performance.now() - t0), command, env };
}

/** The Hive CLI says which runtime it took; a fallback to the JS runtime would measure another gateway. */
function hiveRuntimeLoaded(proc: Proc): void {
  const out = proc.log.join('\n');
  if (/Could not load the @graphql-hive\/router-runtime/.test(out) || !/Using Hive Router Runtime/.test(out))
    throw new Error(
      `${proc.opts.name} is not on the Hive Router runtime (is bench/node_modules/@graphql-hive/router-runtime installed?); output:\n${proc.log.slice(-10).join('\n')}`,
    );
}

/**
 * Resolves once the gateway answers `{ __typename }` with 200 and `ready()` holds (e.g. a cluster's
 * primary logged that every worker listens); throws when it exits or the time is up.
 */
export async function waitReady(
  proc: Proc,
  url: string,
  authorization: string,
  timeoutMs: number,
  ready: () => boolean = () => true,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    if (proc.child.exitCode !== null)
      throw new Error(
        `${proc.opts.name} exited (code ${proc.child.exitCode}) while starting; last output:\n${proc.log.slice(-20).join('\n')}`,
      );
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(2000),
      });
      last = `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.ok && ready()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(
    `${proc.opts.name} did not answer at ${url} within ${timeoutMs} ms (last: ${last}); output:\n${proc.log.slice(-20).join('\n')}`,
  );
}
