import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
    let entries;
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
