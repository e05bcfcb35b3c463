#!/usr/bin/env node
// `npm run example:storefront` / `npm run example:partner-portal`: installs the example's own
// dependencies when missing, builds it when its sources changed, and serves the build against the
// gateway of `npm start`.
//
//   node examples/run.mjs <storefront|partner-portal> [--port N] [--gateway http://127.0.0.1:4000/graphql]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveStatic } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The example consumers and the port each is served on by default. */
export const EXAMPLES = {
  storefront: { port: 5173, inputs: ['../operations/storefront', '../schema/released.graphql'] },
  'partner-portal': { port: 5174, inputs: ['../operations/manifest.json', '../operations/partner'] },
};

/** The folder of an example. */
export const exampleDir = (name) => join(here, name);

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let n = s.mtimeMs;
  for (const e of readdirSync(path))
    if (e !== 'node_modules' && e !== 'dist' && e !== 'gql') n = Math.max(n, newest(join(path, e)));
  return n;
}

function run(cwd, args, log) {
  log(`$ npm ${args.join(' ')}   (in examples/${cwd.split('/').pop()})`);
  const r = spawnSync('npm', args, {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd} (exit ${r.status})`);
}

/**
 * Makes `dist/` of the example current: `npm ci` when its node_modules is missing or older than
 * its lockfile, `npm run build` (codegen, typecheck, Vite) when any source or input is newer than
 * the last build. Returns the dist folder.
 */
export function prepareExample(name, { log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const example = EXAMPLES[name];
  if (!example)
    throw new Error(`unknown example ${JSON.stringify(name)}; expected one of ${Object.keys(EXAMPLES).join(', ')}`);
  const dir = exampleDir(name);
  const modules = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(modules) || statSync(join(dir, 'package-lock.json')).mtimeMs > statSync(modules).mtimeMs)
    run(dir, ['ci'], log);
  const built = join(dir, 'dist', 'index.html');
  const inputs = [dir, ...example.inputs.map((p) => resolve(here, p))];
  if (!existsSync(built) || Math.max(...inputs.map(newest)) > statSync(built).mtimeMs)
    run(dir, ['run', '-s', 'build'], log);
  return join(dir, 'dist');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql' },
      'build-only': { type: 'boolean', default: false },
    },
  });
  const names = positionals.length ? positionals : [];
  if (names.length === 0 || names.some((n) => !EXAMPLES[n])) {
    process.stderr.write(
      `usage: node examples/run.mjs <${Object.keys(EXAMPLES).join('|')}>… [--port N] [--gateway URL] [--build-only]\n`,
    );
    process.exit(2);
  }
  try {
    for (const name of names) {
      const dist = prepareExample(name);
      if (values['build-only']) continue;
      const port = Number(values.port ?? process.env.PORT ?? EXAMPLES[name].port);
      const running = await serveStatic(dist, { port, host: values.host, config: { gatewayUrl: values.gateway } });
      process.stdout.write(
        `\n${name} at ${running.url}  (gateway ${values.gateway}; start it with npm start)\nCtrl-C stops it.\n`,
      );
    }
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
