#!/usr/bin/env node
// `npm start`: builds dist/ when it is missing or older than any source file, then runs the whole
// stack in one process (embedded/main). Plain JavaScript so it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'embedded', 'main.js');
const sources = ['canonical', 'runtime', 'events', 'store', 'demo', 'subgraphs', 'gateway', 'connectors', 'embedded'];

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const stale =
  !existsSync(entry) ||
  Math.max(...sources.map((s) => newestSource(join(root, s))), statSync(join(root, 'tsconfig.json')).mtimeMs) >
    statSync(entry).mtimeMs;
if (stale) {
  process.stdout.write('building (tsc)…\n');
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
// The development explorer (GraphiQL bundled by Vite into dist/explorer), rebuilt when its sources change.
const explorerEntry = join(root, 'dist', 'explorer', 'index.html');
const explorerSources = join(root, 'gateway', 'explorer', 'app');
const newestFile = (dir) =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newestFile(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
if (
  process.env.NODE_ENV !== 'production' &&
  (!existsSync(explorerEntry) || newestFile(explorerSources) > statSync(explorerEntry).mtimeMs)
) {
  process.stdout.write('building the explorer (vite)…\n');
  const vite = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(explorerSources, 'vite.config.ts'),
    ],
    { stdio: 'inherit', cwd: root },
  );
  if (vite.status !== 0) process.exit(vite.status ?? 1);
}
// @apollo/gateway loads OpenTelemetry's GCP resource detector, which probes the cloud metadata
// server and warns when something answers; this graph reports nowhere, so skip the probe.
process.env.METADATA_SERVER_DETECTION ??= 'none';
await import(entry);
