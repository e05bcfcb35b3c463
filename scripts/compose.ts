/** `npm run compose`: supergraph.yaml → supergraph.graphql, in-process (no rover needed). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompositionError, composeSupergraph } from '../gateway/supergraph/compose.js';
import { projectRoot } from '../runtime/project.js';

const root = projectRoot();
try {
  const sdl = composeSupergraph(join(root, 'supergraph.yaml'));
  writeFileSync(join(root, 'supergraph.graphql'), sdl);
  console.log(`wrote supergraph.graphql (${sdl.length} bytes)`);
} catch (err) {
  console.error(err instanceof CompositionError ? err.message : err);
  process.exit(1);
}
