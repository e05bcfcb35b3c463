#!/usr/bin/env node
// A static file server for a built example (plain Node, no dependencies): serves `dist/`, answers
// `/config.json` with where the gateway is, and falls back to index.html for client-side routes.
//
//   node examples/serve.mjs <dist dir> [--port 5173] [--host 127.0.0.1] [--gateway http://127.0.0.1:4000]
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serves the built example in `root` on `port` (0 = a free one). `config` is answered at
 * `/config.json`: the page reads the gateway's URL from it, so one build runs against any gateway.
 * The page may talk only to itself and to the gateway (Content-Security-Policy).
 * Resolves to `{ url, close() }`.
 */
export async function serveStatic(root, { port = 0, host = '127.0.0.1', config = {} } = {}) {
  const base = resolve(root);
  if (!existsSync(join(base, 'index.html')))
    throw new Error(`expected a built example with index.html in ${base}; run its build first`);
  const gateway = config.gatewayUrl ? new URL(config.gatewayUrl) : undefined;
  const connect = gateway ? `${gateway.origin} ${gateway.origin.replace(/^http/, 'ws')}` : '';
  const csp = `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ${connect}; frame-ancestors 'none'; base-uri 'none'`;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' })
        .end(`expected GET or HEAD; received ${req.method}\n`);
      return;
    }
    if (path === '/config.json') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(config));
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('expected a path inside the site\n');
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) file = join(base, 'index.html');
    const isHtml = extname(file) === '.html';
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': isHtml ? 'no-store' : 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      ...(isHtml ? { 'content-security-policy': csp } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  const shownHost = host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '5173' },
      host: { type: 'string', default: '127.0.0.1' },
      gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql' },
    },
  });
  if (positionals.length !== 1) {
    process.stderr.write(
      'usage: node examples/serve.mjs <dist dir> [--port 5173] [--host 127.0.0.1] [--gateway http://127.0.0.1:4000/graphql]\n',
    );
    process.exit(2);
  }
  const running = await serveStatic(positionals[0], {
    port: Number(values.port),
    host: values.host,
    config: { gatewayUrl: values.gateway },
  });
  process.stdout.write(`serving ${positionals[0]} at ${running.url} (gateway ${values.gateway})\n`);
}
