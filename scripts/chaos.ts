/**
 * `npm run chaos [-- --short] [-- --only <name part, any case>]`: faults injected into a distributed stack under
 * load (scripts/chaos/run.ts); prints a table per scenario and writes the report as JSON to
 * bench/results/. Exit code 1 when any change was lost or duplicated, or a client saw a 5xx.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runChaos } from './chaos/run.js';

process.env.LOG_LEVEL ??= 'silent';
// @apollo/gateway's OpenTelemetry GCP detector probes the cloud metadata server; nothing here reports there.
process.env.METADATA_SERVER_DETECTION ??= 'none';
const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { short: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
  strict: true,
});
const report = await runChaos({ root, short: values.short, only: values.only, log: (m) => console.log(m) });

const rows = report.scenarios.map(
  (r) =>
    `| ${r.name} | ${r.changes} | ${r.lost} | ${r.duplicated} | ${r.wrongPrevious} | ${r.client5xx} (${r.clientNoAnswer}) / ${r.queries} | ${r.webhookRetries} | ${r.resumes} | ${r.recoveryMs === null ? 'not recovered' : `${(r.recoveryMs / 1000).toFixed(1)} s`} |`,
);
console.log(
  [
    '',
    '| scenario | changes | lost | duplicated | wrong previousStatus | client 5xx (no answer) / queries | webhook retries | subscriber resumes | recovery |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    `| **total** | ${report.totals.changes} | ${report.totals.lost} | ${report.totals.duplicated} | ${report.totals.wrongPrevious} | ${report.totals.client5xx} (${report.totals.clientNoAnswer}) / ${report.totals.queries} | | | |`,
  ].join('\n'),
);
const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `chaos-${report.mode}-${report.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\n${report.mode} run, ${(report.durationMs / 1000).toFixed(0)} s; report: ${file}`);
const t = report.totals;
process.exit(t.lost + t.duplicated + t.wrongPrevious + t.client5xx > 0 ? 1 : 0);
