/**
 * Trace export is off by default and on with OTEL_EXPORTER_OTLP_ENDPOINT: a process started with it
 * POSTs its spans (OTLP over HTTP) to `<endpoint>/v1/traces` — here a real receiver on port 0.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../runtime/project.js';

const received: { path: string; body: Buffer }[] = [];
let receiver: Server;
let endpoint: string;
beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const dir = mkdtempSync(join(tmpdir(), 'ovg-otlp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = (): string => `
import { setUpTracing, tracer } from '${projectRoot()}/runtime/telemetry.ts';
const tracing = setUpTracing();
const span = tracer().startSpan('export-check');
span.end();
await tracing.shutdown();
console.log(JSON.stringify({ exporting: tracing.exporting }));
`;

function run(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const file = join(dir, 'export.mts');
    writeFileSync(file, script());
    execFile(
      `${projectRoot()}/node_modules/.bin/tsx`,
      [file],
      { cwd: projectRoot(), env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(stdout.trim());
      },
    );
  });
}

describe('OTLP trace export', () => {
  it('should send nothing without OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    received.length = 0;
    expect(JSON.parse(await run({}))).toEqual({ exporting: false });
    expect(received).toEqual([]);
  });

  it('should POST the spans to <endpoint>/v1/traces when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    received.length = 0;
    expect(JSON.parse(await run({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }))).toEqual({ exporting: true });
    expect(received.map((r) => r.path)).toContain('/v1/traces');
    expect(received.find((r) => r.path === '/v1/traces')!.body.toString('latin1')).toContain('export-check');
  });
});
