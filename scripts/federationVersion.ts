/**
 * The `federation_version` of rover's `supergraph.yaml` must name the composition this repository
 * runs: `npm run compose` composes in-process with the installed `@apollo/composition`, while rover
 * (or a reader) takes the pin from the file. When they disagree, what the file promises is not what
 * was composed. Rover's syntax: `=2.14.4` pins an exact version; `2` would mean "latest 2.x", which a
 * repository that pins its dependencies cannot promise, so only an exact pin is accepted.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';

/** The version of the `@apollo/composition` package installed beside this script. */
export function installedCompositionVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@apollo/composition/package.json') as { version: string }).version;
}

/**
 * Returns null when `configPath`'s `federation_version` is `=<composition>`, else a message saying
 * what was expected, what the file says, and how to fix it.
 */
export function federationVersionProblem(
  configPath: string,
  composition: string = installedCompositionVersion(),
): string | null {
  const doc = parseYaml(readFileSync(configPath, 'utf8')) as { federation_version?: unknown } | null;
  const found = doc?.federation_version;
  const expected = `=${composition}`;
  if (found === expected) return null;
  const shown = found === undefined ? 'no federation_version' : `federation_version: ${JSON.stringify(found)}`;
  return (
    `${configPath}: federation_version must pin the composition npm run compose runs: expected "${expected}" ` +
    `(@apollo/composition ${composition} in package.json), found ${shown}. ` +
    `Set "federation_version: ${expected}" (or change @apollo/composition and this line together).`
  );
}
