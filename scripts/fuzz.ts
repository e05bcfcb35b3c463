/**
 * `npm run fuzz [-- --quick] [--cases N] [--seed S]`: schema-aware random GraphQL documents (valid
 * and invalid) through the gateway with every consumer's credential, and mutated, correctly signed
 * webhook bodies for every system's /ingest, against a real embedded stack (a child process).
 * Reports crashes (the process exited), 5xx, INTERNAL_SERVER_ERROR for a client's input, and
 * answers that are neither data nor a clear error; writes the report to `.fuzz/` and exits 1 when
 * there is any finding. Full run: 10,000 cases of each; `--quick`: 500 of each.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../runtime/project.js';
import { runFuzz } from './fuzz/run.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, cases: { type: 'string' }, seed: { type: 'string' } },
});
const positive = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`fuzz: --${name} must be a positive integer; received ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
};
const cases = positive('cases', values.cases, values.quick ? 500 : 10_000);
const seed = positive('seed', values.seed, 1);
const root = projectRoot();
const started = performance.now();
const report = await runFuzz({
  root,
  graphqlCases: cases,
  webhookCases: cases,
  seed,
  log: (msg) => process.stderr.write(`[fuzz ${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`),
});
mkdirSync(join(root, '.fuzz'), { recursive: true });
const file = join(root, '.fuzz', `fuzz-seed${seed}-${cases}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
const findings = Object.entries(report.signatures).sort((a, b) => b[1] - a[1]);
console.log(
  `fuzz (seed ${seed}): graphql ${report.graphql.cases} cases ${JSON.stringify(report.graphql.byVerdict)}; webhooks ${report.webhooks.cases} cases ${JSON.stringify(report.webhooks.byVerdict)}; crashes ${report.crashes}`,
);
for (const [signature, n] of findings) console.log(`  ${n} × ${signature}`);
console.log(`report: ${file}`);
process.exit(findings.length === 0 && report.crashes === 0 ? 0 : 1);
