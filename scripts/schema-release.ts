/**
 * `npm run schema:release [-- --config … --released … --operations …]`: writes the current client
 * schema (supergraph API schema + SUBSCRIPTION_SDL) to schema/released.graphql, the baseline
 * `schema:check` compares with. Releasing accepts the breaking changes it lists; it is refused
 * while composition, the lint, an operation or the manifest fails.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { runSchemaCheck } from '../gateway/governance/check.js';
import { parseCheckArgs } from '../gateway/governance/cli.js';
import { printReleased } from '../gateway/governance/clientSchema.js';
import { formatProblem } from '../gateway/governance/problems.js';
import { projectRoot } from '../runtime/project.js';

let options: ReturnType<typeof parseCheckArgs>;
try {
  options = parseCheckArgs(process.argv.slice(2), projectRoot());
} catch (err) {
  console.error(`schema:release: ${(err as Error).message}`);
  process.exit(2);
}
const { problems, clientSchema } = runSchemaCheck(options);
const blocking = problems.filter((p) => p.severity === 'error' && p.stage !== 'breaking');
if (blocking.length > 0 || !clientSchema) {
  for (const p of blocking) console.log(formatProblem(p));
  console.log(`schema release refused: ${blocking.length} error(s) to fix first`);
  process.exit(1);
}
const shown = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
const first = !existsSync(options.released);
const accepted = first ? [] : problems.filter((p) => p.stage === 'breaking' && p.severity !== 'warning');
for (const p of accepted) console.log(`accepted ${p.where}: ${p.message}`);
mkdirSync(dirname(options.released), { recursive: true });
writeFileSync(options.released, printReleased(clientSchema));
console.log(
  `released the client schema → ${shown(options.released)}${first ? ' (first release)' : ` (${accepted.length} breaking change(s) or removal(s) accepted)`}`,
);
