/**
 * The "same `data` shape" check of `bench/gateways.ts`: a response's shape is the set of keys it
 * holds, by path (`order.shipments[].events[].status`), values ignored. Two shapes differ where one
 * has a key the other lacks under a parent that is a non-null object (or a non-empty list) in both:
 * a null object or an empty list on one side is a difference in data (events move orders between
 * runs), not in shape.
 */
export interface Shape {
  /** Every key, by path. */
  keys: Set<string>;
  /** Paths whose value is a non-null object, or a non-empty list (`p[]`); '' is the root. */
  expanded: Set<string>;
}

export function shapeOf(value: unknown): Shape {
  const keys = new Set<string>();
  const expanded = new Set<string>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      if (v.length) expanded.add(`${path}[]`);
      for (const x of v) walk(x, `${path}[]`);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    expanded.add(path);
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      keys.add(p);
      walk(x, p);
    }
  };
  walk(value, '');
  return { keys, expanded };
}

const parentOf = (p: string): string => {
  const i = p.lastIndexOf('.');
  return i < 0 ? '' : p.slice(0, i);
};

/** Keys present in one shape and missing from the other although their parent is expanded in both. */
export function compareShapes(a: Shape, b: Shape): string[] {
  const diff: string[] = [];
  const both = (p: string): boolean => a.expanded.has(p) && b.expanded.has(p);
  for (const p of a.keys) if (!b.keys.has(p) && both(parentOf(p))) diff.push(`-${p}`);
  for (const p of b.keys) if (!a.keys.has(p) && both(parentOf(p))) diff.push(`+${p}`);
  return diff;
}
