import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';

/** One subgraph entry of rover's `supergraph.yaml`. */
export interface SupergraphConfigSubgraph {
  name: string;
  routingUrl: string;
  schemaFile: string;
}

/** A composition failure, with every error composition reported. */
export class CompositionError extends Error {
  constructor(readonly problems: string[]) {
    super(`composition failed with ${problems.length} error(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

/**
 * Reads rover's supergraph config (`federation_version`, `subgraphs.<name>.routing_url`,
 * `subgraphs.<name>.schema.file`); file paths resolve against the config's folder.
 */
export function readSupergraphConfig(configPath: string): SupergraphConfigSubgraph[] {
  const doc = parseYaml(readFileSync(configPath, 'utf8')) as unknown;
  const subgraphs = (doc as { subgraphs?: unknown } | null)?.subgraphs;
  if (!subgraphs || typeof subgraphs !== 'object') {
    throw new CompositionError([`${configPath}: expected a "subgraphs" map, found ${JSON.stringify(subgraphs)}`]);
  }
  const base = dirname(configPath);
  return Object.entries(subgraphs as Record<string, unknown>).map(([name, raw]) => {
    const entry = raw as { routing_url?: unknown; schema?: { file?: unknown } } | null;
    if (typeof entry?.routing_url !== 'string')
      throw new CompositionError([`${configPath}: subgraphs.${name}.routing_url must be a URL string`]);
    if (typeof entry.schema?.file !== 'string')
      throw new CompositionError([
        `${configPath}: subgraphs.${name}.schema.file must be a file path (only file schemas are supported)`,
      ]);
    return { name, routingUrl: entry.routing_url, schemaFile: resolve(base, entry.schema.file) };
  });
}

/** Composes the subgraphs of a rover config into supergraph SDL, or throws {@link CompositionError}. */
export function composeSupergraph(configPath: string): string {
  const services = readSupergraphConfig(configPath).map((s) => {
    let typeDefs;
    try {
      typeDefs = parse(readFileSync(s.schemaFile, 'utf8'));
    } catch (err) {
      throw new CompositionError([`${s.name}: ${s.schemaFile}: ${(err as Error).message}`]);
    }
    return { name: s.name, url: s.routingUrl, typeDefs };
  });
  const result = composeServices(services);
  if (result.errors)
    throw new CompositionError(result.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`));
  return result.supergraphSdl;
}
