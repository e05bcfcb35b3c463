/** What the benchmarks share: the source fingerprint, BENCHMARKS.md sections, the IPC loop of their child processes. */
import { createHash } from 'node:crypto';
import { type Dirent, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A short hash of the product sources under `paths` (`.ts`, `.graphql`, `.json` files, in path
 * order): a benchmark records it, and refuses to write BENCHMARKS.md when it changed mid-run.
 */
export function sourcesFingerprint(root: string, paths: readonly string[]): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    if (!existsSync(abs)) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      h.update(rel).update(readFileSync(abs));
      return;
    }
    for (const e of entries.sort((x, y) => x.name.localeCompare(y.name))) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (/\.(ts|graphql|json)$/.test(e.name)) h.update(r).update(readFileSync(join(root, r)));
    }
  };
  for (const p of paths) walk(p);
  return h.digest('hex').slice(0, 16);
}

/**
 * Replaces the `## <heading>` section of BENCHMARKS.md (up to the next `## `) with `section`, or
 * appends it; every other section is left as it is.
 */
export function replaceBenchmarksSection(root: string, heading: string, section: string): void {
  const file = join(root, 'BENCHMARKS.md');
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nMeasured figures, each with the command that produced it.\n';
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = current.search(new RegExp(`^## ${escaped}\\s*$`, 'm'));
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${section.trimEnd()}\n`;
  else {
    const rest = current.slice(start + 1);
    const end = rest.search(/^## /m);
    next = `${current.slice(0, start)}${section.trimEnd()}\n${end >= 0 ? `\n${rest.slice(end)}` : ''}`;
  }
  writeFileSync(file, next);
}

/** One request from a benchmark's parent process. */
export interface IpcRequest {
  id: number;
  cmd: string;
  args?: Record<string, unknown>;
}

/**
 * Serves the parent's requests over IPC with `handle` (each answered `{ id, ok, result }` or
 * `{ id, ok: false, error }`), and exits when the parent goes away.
 */
export function serveIpc(handle: (req: IpcRequest) => Promise<unknown>): void {
  const send = (msg: unknown): void => void process.send?.(msg);
  process.on('message', (raw) => {
    const req = raw as IpcRequest;
    handle(req).then(
      (result) => send({ id: req.id, ok: true, result }),
      (err: unknown) =>
        send({ id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
}
