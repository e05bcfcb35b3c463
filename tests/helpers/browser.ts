import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { projectRoot } from '../../runtime/project.js';

/** Debian's Chromium (`apt-get install chromium`); playwright-core drives it, nothing is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The flags every browser test launches Chromium with: headless, no sandbox (root in CI), no network chatter. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/**
 * `describe` when Chromium is installed at {@link CHROMIUM}; otherwise the suite is skipped with a
 * console notice — or, with `REQUIRE_BROWSER=1` (set by .ci/run), replaced by a failing test.
 */
export function describeBrowser(name: string, suite: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, suite);
  } else if (process.env.REQUIRE_BROWSER === '1') {
    describe(name, () => {
      it('should have Chromium available (REQUIRE_BROWSER=1)', () => {
        throw new Error(
          `no Chromium at ${CHROMIUM}; install it with apt-get install -y chromium (or set CHROMIUM_PATH)`,
        );
      });
    });
  } else {
    console.warn(
      `[tests] skipping "${name}": no Chromium at ${CHROMIUM}; apt-get install -y chromium (set REQUIRE_BROWSER=1 to fail instead)`,
    );
    describe.skip(name, suite);
  }
}

/** A running headless Chromium; `close()` ends it and removes its profile. */
export interface RunningBrowser {
  browser: Browser;
  /** A new isolated context (own cookies and storage): one per simulated person. */
  context(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless with {@link CHROMIUM_FLAGS}. Playwright gives every launch a
 * fresh `--user-data-dir` of its own (a new temporary directory, removed on close), so no state
 * carries over between runs.
 */
export async function launchChromium(): Promise<RunningBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  return {
    browser,
    context: () => browser.newContext({ viewport: { width: 1280, height: 800 } }),
    close: () => browser.close(),
  };
}

/** A request a page made. */
export interface RecordedRequest {
  url: string;
  method: string;
  body: string | null;
  headers: Record<string, string>;
}

/** Every request a page makes, for asserting where it went and what it sent. */
export function recordRequests(page: Page): RecordedRequest[] {
  const seen: RecordedRequest[] = [];
  page.on('request', (r) => seen.push({ url: r.url(), method: r.method(), body: r.postData(), headers: r.headers() }));
  return seen;
}

/** A page in a context of its own, with what it logged as errors and every request it made. */
export interface OpenPage {
  page: Page;
  /** {@link pageProblems}: console errors and uncaught page errors. */
  problems: string[];
  /** {@link recordRequests}. */
  requests: RecordedRequest[];
  /** Closes the page's context (its cookies and storage go with it). */
  close(): Promise<void>;
}

/** Opens a page in a new isolated context of `chromium`, recording its problems and requests from the start. */
export async function openPage(chromium: RunningBrowser): Promise<OpenPage> {
  const context = await chromium.context();
  const page = await context.newPage();
  return { page, problems: pageProblems(page), requests: recordRequests(page), close: () => context.close() };
}

/** Console errors and uncaught page errors, so a test can show them when it fails. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}

const root = projectRoot();

/**
 * Builds what the browser suites load, once for all of them: the explorer (`npm run
 * build:explorer`) and the two example consumers (`node examples/run.mjs … --build-only`: their
 * own `npm ci` when missing, codegen, typecheck, Vite). Each is rebuilt only when its sources are
 * newer than its build; files running in parallel wait on one lock directory.
 */
export async function buildForBrowser(): Promise<{ storefront: string; partnerPortal: string }> {
  const lock = join(root, 'dist', '.browser-build.lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline was left by a killed run.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 240_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another test file held ${lock} for 4 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const explorerIndex = join(root, 'dist', 'explorer', 'index.html');
    if (
      !existsSync(explorerIndex) ||
      newest(join(root, 'gateway', 'explorer', 'app')) > statSync(explorerIndex).mtimeMs
    ) {
      run(process.execPath, [
        join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        join(root, 'gateway', 'explorer', 'app', 'vite.config.ts'),
      ]);
    }
    run(process.execPath, [join(root, 'examples', 'run.mjs'), 'storefront', 'partner-portal', '--build-only']);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return {
    storefront: join(root, 'examples', 'storefront', 'dist'),
    partnerPortal: join(root, 'examples', 'partner-portal', 'dist'),
  };
}

function run(command: string, args: string[]): void {
  // Builds are production builds, whatever NODE_ENV the test runner set (vitest sets "test").
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: undefined } });
  if (r.status !== 0)
    throw new Error(
      `${args.slice(0, 2).join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`.slice(0, 4000),
    );
}

function newest(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n = Math.max(n, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return n;
}

/** Serves a built example (examples/serve.mjs) against `gatewayUrl`; the page's URL uses `localhost`. */
export async function serveExample(
  dist: string,
  gatewayUrl: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const { serveStatic } = (await import(join(root, 'examples', 'serve.mjs'))) as {
    serveStatic: (
      root: string,
      o: { port: number; config: { gatewayUrl: string } },
    ) => Promise<{ url: string; close: () => Promise<void> }>;
  };
  return serveStatic(dist, { port: 0, config: { gatewayUrl } });
}

/** Saves a screenshot of `page` to docs/screenshots/<name>.png when SCREENSHOTS=1 (for the docs; never in CI). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  mkdirSync(join(root, 'docs', 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(root, 'docs', 'screenshots', `${name}.png`), fullPage });
}
