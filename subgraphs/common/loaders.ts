import DataLoader from 'dataloader';

/**
 * A per-request DataLoader over a batch-shaped port method: every key asked for in one tick
 * becomes one system call. The port returns one result per key, in key order.
 */
export function batchLoader<K, V>(fetch: (keys: readonly K[]) => Promise<readonly V[]>): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) => {
    const values = await fetch(keys);
    if (values.length !== keys.length) {
      throw new Error(`port returned ${values.length} results for ${keys.length} keys; expected one per key`);
    }
    return values;
  });
}

/** Loads many keys and drops the ones with no record (a list never holds a null item). */
export async function loadPresent<K, V>(loader: DataLoader<K, V | null>, keys: readonly K[]): Promise<V[]> {
  const values = await loader.loadMany(keys);
  const out: V[] = [];
  for (const v of values) {
    if (v instanceof Error) throw v;
    if (v != null) out.push(v);
  }
  return out;
}
