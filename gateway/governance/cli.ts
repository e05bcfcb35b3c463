import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SchemaCheckOptions } from './check.js';

/**
 * Parses the scripts' shared options — `--config <supergraph.yaml>`, `--released
 * <released.graphql>`, `--operations <folder>` — defaulting to the repository's files under `root`.
 * Relative paths resolve against the working directory.
 */
export function parseCheckArgs(args: readonly string[], root: string): SchemaCheckOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: 'string' }, released: { type: 'string' }, operations: { type: 'string' } },
    strict: true,
  });
  return {
    config: values.config ? resolve(values.config) : join(root, 'supergraph.yaml'),
    released: values.released ? resolve(values.released) : join(root, 'schema', 'released.graphql'),
    operations: values.operations ? resolve(values.operations) : join(root, 'operations'),
    displayRoot: root,
  };
}
