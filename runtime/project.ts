import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The repository root (the folder holding package.json), whether running from source or dist/. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'supergraph.yaml'))) return (root = dir);
    const up = resolve(dir, '..');
    if (up === dir)
      throw new Error(
        `cannot find the project root (package.json + supergraph.yaml) above ${fileURLToPath(import.meta.url)}`,
      );
    dir = up;
  }
}

/** Reads a text file by its path relative to the repository root. */
export function readProjectFile(relativePath: string): string {
  return readFileSync(join(projectRoot(), relativePath), 'utf8');
}
