import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../../gateway/config.js';
import { undescribed } from '../../gateway/governance/lint.js';
import { projectRoot } from '../../runtime/project.js';

// The description lint lives in gateway/governance/lint.ts, shared with `npm run schema:check`
// (which also checks naming; see tests/governance).

describe('subgraph schemas', () => {
  for (const name of SUBGRAPH_NAMES) {
    it(`should describe every type, field, argument and enum value of ${name}`, () => {
      const sdl = readFileSync(join(projectRoot(), 'subgraphs', name, 'schema.graphql'), 'utf8');
      expect(undescribed(sdl)).toEqual([]);
    });
  }

  it('should catch an undescribed field (the check can fail)', () => {
    expect(undescribed('"A" type A { "x" x: Int y: Int }')).toEqual(['A.y']);
  });

  it('should link federation v2.5 in every subgraph', () => {
    for (const name of SUBGRAPH_NAMES) {
      expect(readFileSync(join(projectRoot(), 'subgraphs', name, 'schema.graphql'), 'utf8')).toContain(
        'https://specs.apollo.dev/federation/v2.5',
      );
    }
  });
});
