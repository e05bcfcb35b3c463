import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeSupergraph, CompositionError } from '../../gateway/supergraph/compose.js';
import { projectRoot } from '../../runtime/project.js';

const root = projectRoot();
const tmp = mkdtempSync(join(tmpdir(), 'ovg-compose-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('composition', () => {
  it('should find the committed supergraph.graphql up to date with supergraph.yaml and the subgraph schemas (run `npm run compose`)', () => {
    const fresh = composeSupergraph(join(root, 'supergraph.yaml'));
    expect(readFileSync(join(root, 'supergraph.graphql'), 'utf8')).toBe(fresh);
  });

  it('should list every composition error and exit non-zero from `npm run compose`', () => {
    const broken = join(tmp, 'broken.graphql');
    // Channel differs from oms's (used as input there): composition must refuse it.
    writeFileSync(
      broken,
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
      type Query { x: Channel }
      enum Channel { WEB FAX }
      type Order @key(fields: "id") { id: ID! placedAt: Int }`,
    );
    const config = join(tmp, 'supergraph.yaml');
    writeFileSync(
      config,
      readFileSync(join(root, 'supergraph.yaml'), 'utf8').replaceAll('./subgraphs/', `${root}/subgraphs/`) +
        `  broken:\n    routing_url: http://127.0.0.1:4999/graphql\n    schema:\n      file: ${broken}\n`,
    );
    expect(() => composeSupergraph(config)).toThrow(CompositionError);
    try {
      composeSupergraph(config);
    } catch (err) {
      expect((err as CompositionError).problems.length).toBeGreaterThanOrEqual(2);
    }
    const out = join(tmp, 'out.graphql');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts/compose.ts'), '--config', config, '--out', out],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/composition failed with \d+ error\(s\)/);
    expect(run.stderr).toMatch(/Channel/);
  });

  it('should refuse a config without subgraphs with a message naming what was expected', () => {
    const config = join(tmp, 'empty.yaml');
    writeFileSync(config, 'federation_version: =2.5.0\n');
    expect(() => composeSupergraph(config)).toThrow(/expected a "subgraphs" map/);
  });
});
