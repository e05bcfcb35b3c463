/**
 * `npm run operations:manifest [-- --operations operations]`: writes `<operations>/manifest.json`,
 * Apollo's persisted query manifest of every client operation (docs/schema-governance.md).
 * Exit 1, writing nothing, when an operation file is malformed.
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE } from '../gateway/governance/check.js';
import { buildManifest, serializeManifest } from '../gateway/governance/manifest.js';
import { loadOperations } from '../gateway/governance/operations.js';
import { formatProblem } from '../gateway/governance/problems.js';
import { projectRoot } from '../runtime/project.js';

const root = projectRoot();
const { values } = parseArgs({ options: { operations: { type: 'string' } } });
const dir = values.operations ? resolve(values.operations) : join(root, 'operations');
const { operations, problems } = loadOperations(dir, root);
if (problems.length > 0) {
  for (const p of problems) console.log(formatProblem(p));
  console.log(`manifest not written: ${problems.length} error(s)`);
  process.exit(1);
}
const out = join(dir, MANIFEST_FILE);
writeFileSync(out, serializeManifest(buildManifest(operations)));
console.log(`wrote ${operations.length} operation(s) → ${relative(process.cwd(), out) || out}`);
