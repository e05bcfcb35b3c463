import { describe, expect, it } from 'vitest';
import { SUBSCRIPTION_SDL } from '../../gateway/subscriptions/schema.js';
import { lintSdl } from '../../gateway/governance/lint.js';

describe('schema lint', () => {
  it('should pass the gateway-declared SUBSCRIPTION_SDL', () => {
    expect(lintSdl(SUBSCRIPTION_SDL, 'SUBSCRIPTION_SDL')).toEqual([]);
  });

  it('should require a description on every type, field, argument, input field and enum value', () => {
    const sdl = 'type T { f(a: Int): Int }\ninput I { x: Int }\nenum E { A }\nscalar S';
    expect(lintSdl(sdl, 'x.graphql').map((p) => p.where)).toEqual([
      'x.graphql:1 T',
      'x.graphql:1 T.f',
      'x.graphql:1 T.f(a:)',
      'x.graphql:2 I',
      'x.graphql:2 I.x',
      'x.graphql:3 E',
      'x.graphql:3 E.A',
      'x.graphql:4 S',
    ]);
  });

  it('should enforce PascalCase types, camelCase fields and arguments, UPPER_SNAKE_CASE enum values', () => {
    const sdl =
      '"d" type order_line { "d" Line_number("d" Sort_by: Int): Int }\n"d" enum Kind { "d" partlyShipped "d" FULLY_SHIPPED }';
    expect(lintSdl(sdl, 'x.graphql').map((p) => `${p.where}: ${p.message}`)).toEqual([
      'x.graphql:1 order_line: type name "order_line" is not PascalCase',
      'x.graphql:1 order_line.Line_number: field name "Line_number" is not camelCase',
      'x.graphql:1 order_line.Line_number(Sort_by:): argument name "Sort_by" is not camelCase',
      'x.graphql:2 Kind.partlyShipped: enum value name "partlyShipped" is not UPPER_SNAKE_CASE',
    ]);
  });

  it('should not require descriptions on extend schema and type extensions themselves', () => {
    expect(
      lintSdl(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5")\nextend type Q { "d" f: Int }',
        'x.graphql',
      ),
    ).toEqual([]);
  });
});
