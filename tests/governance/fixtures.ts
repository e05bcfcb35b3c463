import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../gateway/config.js';
import type { SchemaCheckOptions } from '../../gateway/governance/check.js';
import { projectRoot } from '../../runtime/project.js';

/** The repository's own inputs: what `npm run schema:check` checks by default. */
export function repoOptions(): SchemaCheckOptions {
  const root = projectRoot();
  return {
    config: join(root, 'supergraph.yaml'),
    released: join(root, 'schema', 'released.graphql'),
    operations: join(root, 'operations'),
    displayRoot: root,
  };
}

/** Replaces `from` by `to` in `text`, failing loudly when `from` is not there (the fixture drifted). */
export function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  return text.replace(from, to);
}

/** A temp copy of the graph's inputs: subgraph schemas and released schema, each optionally edited. */
export interface TempGraph {
  options: SchemaCheckOptions;
  dir: string;
  remove: () => void;
}

/**
 * Writes a temp supergraph.yaml over copies of the subgraph schemas (`edits` change some) and a
 * copy of schema/released.graphql (`released` changes it); operations stay the repository's.
 */
export function tempGraph(
  edits: Partial<Record<SubgraphName, (sdl: string) => string>> = {},
  released: (sdl: string) => string = (s) => s,
): TempGraph {
  const root = projectRoot();
  const dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
  const lines = ['federation_version: =2.14.4', 'subgraphs:'];
  SUBGRAPH_NAMES.forEach((name, i) => {
    const sdl = readFileSync(join(root, 'subgraphs', name, 'schema.graphql'), 'utf8');
    writeFileSync(join(dir, `${name}.graphql`), (edits[name] ?? ((s: string) => s))(sdl));
    lines.push(
      `  ${name}:`,
      `    routing_url: http://127.0.0.1:${4001 + i}/graphql`,
      `    schema:`,
      `      file: ./${name}.graphql`,
    );
  });
  writeFileSync(join(dir, 'supergraph.yaml'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'released.graphql'),
    released(readFileSync(join(root, 'schema', 'released.graphql'), 'utf8')),
  );
  return {
    dir,
    options: {
      config: join(dir, 'supergraph.yaml'),
      released: join(dir, 'released.graphql'),
      operations: join(root, 'operations'),
      displayRoot: root,
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** oms without `Order.number` (used by operations of every client). */
export const withoutOrderNumber = (sdl: string): string =>
  edit(sdl, '  "The customer-facing order number (OMS)."\n  number: String!\n', '');

/** wms without `Shipment.order` (used by no operation). */
export const withoutShipmentOrder = (sdl: string): string =>
  edit(sdl, '  "The order it ships."\n  order: Order!\n', '');

/** The released schema with `Shipment.order` deprecated. */
export const releasedWithShipmentOrderDeprecated = (sdl: string): string =>
  edit(
    sdl,
    '"""The order it ships."""\n  order: Order!\n',
    '"""The order it ships."""\n  order: Order! @deprecated(reason: "Use Order.shipments.")\n',
  );

/** The released schema with `Order.number` deprecated. */
export const releasedWithOrderNumberDeprecated = (sdl: string): string =>
  edit(
    sdl,
    '"""The customer-facing order number (OMS)."""\n  number: String!\n',
    '"""The customer-facing order number (OMS)."""\n  number: String! @deprecated(reason: "Use id.")\n',
  );
