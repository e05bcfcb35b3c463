#!/usr/bin/env node
// `npm start`: builds dist/ when it is missing or older than any source file, then runs the whole
// stack in one process (embedded/main). Plain JavaScript so it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'embedded', 'main.js');
const sources = ['canonical', 'runtime', 'events', 'demo', 'subgraphs', 'gateway', 'connectors', 'embedded'];

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(entry) || Math.max(...sources.map((s) => newestSource(join(root, s))), statSync(join(root, 'tsconfig.json')).mtimeMs) > statSync(entry).mtimeMs;
if (stale) {
  process.stdout.write('building (tsc)…\n');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
// @apollo/gateway loads OpenTelemetry's GCP resource detector, which probes the cloud metadata
// server and warns when something answers; this graph reports nowhere, so skip the probe.
process.env.METADATA_SERVER_DETECTION ??= 'none';
await import(entry);
