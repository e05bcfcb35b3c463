/**
 * `npm run schema:check [-- --config supergraph.yaml --released schema/released.graphql --operations operations]`:
 * composes the supergraph, lints every schema, compares the client schema with the released one
 * and validates every client operation against it (docs/schema-governance.md). One line per
 * problem, then a summary; exit 1 on any error, 0 otherwise.
 */
import { runSchemaCheck } from '../gateway/governance/check.js';
import { parseCheckArgs } from '../gateway/governance/cli.js';
import { formatProblem, summarize } from '../gateway/governance/problems.js';
import { projectRoot } from '../runtime/project.js';

let options: ReturnType<typeof parseCheckArgs>;
try {
  options = parseCheckArgs(process.argv.slice(2), projectRoot());
} catch (err) {
  console.error(`schema:check: ${(err as Error).message}`);
  process.exit(2);
}
const { problems } = runSchemaCheck(options);
for (const p of problems) console.log(formatProblem(p));
const summary = summarize(problems);
console.log(summary.line);
process.exitCode = summary.errors > 0 ? 1 : 0;
