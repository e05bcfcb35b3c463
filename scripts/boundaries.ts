/**
 * `npm run lint:boundaries`: checks the import layers written in `.dependency-cruiser.cjs`.
 *
 * dependency-cruiser 18's command line refuses Node 20 (its `engines` say ^22), while its
 * programmatic API runs here unchanged; this script is that command line's `--validate` for our
 * one configuration, so the product keeps its Node 20 floor.
 *
 * Exit code 0 when every import respects the layers, 1 when a rule is broken (each violation is
 * printed as `rule: from → to` with the rule's comment), 2 when the check itself could not run.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, type IConfiguration } from 'dependency-cruiser';
import { projectRoot } from '../runtime/project.js';

/** Top-level folders whose imports are checked (missing ones are skipped). */
export const BOUNDARY_ROOTS = [
  'canonical',
  'runtime',
  'events',
  'store',
  'subgraphs',
  'gateway',
  'connectors',
  'embedded',
  'demo',
  'bench',
  'scripts',
  'tests',
  'examples',
] as const;

/** One broken rule: the importing file, the imported file, and what the rule says. */
export interface BoundaryViolation {
  rule: string;
  from: string;
  to: string;
  comment: string;
}

/** Reads `.dependency-cruiser.cjs` of this repository. */
export function boundaryConfig(root: string = projectRoot()): IConfiguration {
  return createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as IConfiguration;
}

/**
 * Checks every import under `dir` (a repository root, or a fixture laid out like one) against the
 * rules. Paths in the answer are relative to `dir`.
 */
export async function checkBoundaries(
  dir: string,
  config: IConfiguration = boundaryConfig(),
): Promise<{ modules: number; imports: number; violations: BoundaryViolation[] }> {
  const roots = BOUNDARY_ROOTS.filter((r) => existsSync(join(dir, r)));
  const previous = process.cwd();
  process.chdir(dir);
  try {
    const options = { ...config.options };
    if (options.tsConfig?.fileName && !existsSync(join(dir, options.tsConfig.fileName))) delete options.tsConfig;
    const result = await cruise(roots, { ...options, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } });
    if (typeof result.output === 'string')
      throw new Error('dependency-cruiser returned text; expected a result object');
    const comments = new Map((config.forbidden ?? []).map((r) => [r.name, r.comment ?? '']));
    const violations = result.output.summary.violations
      .filter((v) => v.rule.severity === 'error')
      .map((v) => ({ rule: v.rule.name, from: v.from, to: v.to, comment: comments.get(v.rule.name) ?? '' }));
    return {
      modules: result.output.summary.totalCruised,
      imports: result.output.summary.totalDependenciesCruised ?? 0,
      violations,
    };
  } finally {
    process.chdir(previous);
  }
}

async function main(): Promise<number> {
  const { modules, imports, violations } = await checkBoundaries(projectRoot());
  for (const v of violations) console.log(`${v.rule}: ${v.from} → ${v.to}\n    ${v.comment}`);
  const plural = violations.length === 1 ? '' : 's';
  console.log(`boundaries: ${modules} modules, ${imports} imports, ${violations.length} violation${plural}`);
  return violations.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`boundaries: the check could not run: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
