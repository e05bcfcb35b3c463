/**
 * A small seeded pseudo-random generator for the demo dataset: sfc32 (Chris Doty-Humphrey's
 * "Small Fast Counting" generator, as in PractRand), seeded through splitmix32. Deterministic
 * across platforms: only 32-bit integer arithmetic. Never use `Math.random` in the demo.
 */

/** A precomputed weighted choice: build once with {@link weighted}, draw with {@link Rng.weighted}. */
export interface WeightedTable<T> {
  readonly values: readonly T[];
  /** Running totals of the weights, same order as `values`. */
  readonly cumulative: readonly number[];
  readonly total: number;
}

/**
 * Builds a weighted table from `[value, weight]` pairs.
 * @throws RangeError when a weight is negative or not finite, or all weights are 0.
 */
export function weighted<T>(entries: readonly (readonly [T, number])[]): WeightedTable<T> {
  const values: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [value, weight] of entries) {
    if (!(weight >= 0) || !Number.isFinite(weight))
      throw new RangeError(`weights must be finite and ≥ 0; received ${weight}`);
    if (weight === 0) continue;
    total += weight;
    values.push(value);
    cumulative.push(total);
  }
  if (total === 0)
    throw new RangeError(`a weighted table needs at least one positive weight; received ${entries.length} entries`);
  return { values, cumulative, total };
}

/** splitmix32: expands a seed into well-mixed 32-bit words. */
function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded sfc32 generator with the helpers the demo needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed any safe integer; the same seed and stream always give the same sequence.
   * @param stream selects an independent sequence for the same seed (e.g. customers vs orders).
   */
  constructor(seed: number, stream = 0) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix() | 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * One element of a non-empty array, uniformly.
   * @throws RangeError on an empty array.
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick needs a non-empty array; received an empty one');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One value of a weighted table, with probability weight / total. */
  weighted<T>(table: WeightedTable<T>): T {
    const x = this.next() * table.total;
    const { cumulative, values } = table;
    let i = 0;
    while (i < cumulative.length - 1 && cumulative[i]! <= x) i++;
    return values[i]!;
  }
}
