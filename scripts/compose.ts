/**
 * `npm run compose [-- --config supergraph.yaml --out supergraph.graphql]`: composes rover's
 * supergraph config in-process (no rover needed) and writes the supergraph SDL. Composition
 * errors are listed and the exit code is 1; so is a `federation_version` that is not the installed
 * composition's (scripts/federationVersion.ts), before anything is written.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CompositionError, composeSupergraph } from '../gateway/supergraph/compose.js';
import { projectRoot } from '../runtime/project.js';
import { federationVersionProblem } from './federationVersion.js';

const root = projectRoot();
const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } } });
const config = values.config ? resolve(values.config) : join(root, 'supergraph.yaml');
const out = values.out ? resolve(values.out) : join(root, 'supergraph.graphql');
try {
  const problem = federationVersionProblem(config);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  const sdl = composeSupergraph(config);
  writeFileSync(out, sdl);
  console.log(`composed ${config} → ${out} (${sdl.length} bytes)`);
} catch (err) {
  console.error(
    err instanceof CompositionError || (err as NodeJS.ErrnoException).code === 'ENOENT' ? (err as Error).message : err,
  );
  process.exit(1);
}
