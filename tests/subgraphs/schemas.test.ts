import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../../gateway/config.js';
import { projectRoot } from '../../runtime/project.js';

/** Every type, field, argument, input field and enum value without a description. */
function undescribed(sdl: string): string[] {
  const missing: string[] = [];
  let parent = '';
  visit(parse(sdl), {
    enter(node) {
      switch (node.kind) {
        case Kind.OBJECT_TYPE_DEFINITION: case Kind.INPUT_OBJECT_TYPE_DEFINITION: case Kind.ENUM_TYPE_DEFINITION:
        case Kind.SCALAR_TYPE_DEFINITION: case Kind.INTERFACE_TYPE_DEFINITION: case Kind.UNION_TYPE_DEFINITION:
          parent = node.name.value;
          if (!node.description) missing.push(parent);
          break;
        case Kind.FIELD_DEFINITION: case Kind.INPUT_VALUE_DEFINITION: case Kind.ENUM_VALUE_DEFINITION:
          if (!node.description) missing.push(`${parent}.${node.name.value}`);
          break;
      }
    },
  });
  return missing;
}

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
      expect(readFileSync(join(projectRoot(), 'subgraphs', name, 'schema.graphql'), 'utf8')).toContain('https://specs.apollo.dev/federation/v2.5');
    }
  });
});
