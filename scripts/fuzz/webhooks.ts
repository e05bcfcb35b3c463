/**
 * Mutated webhook bodies for every system's /ingest: real bodies as the lifecycle simulator builds
 * them (each system's own shape), then changed — a field removed, retyped, renamed, made huge or
 * hostile, the JSON cut short — and always correctly signed, so every case reaches the validator.
 */
import { type SystemName, SYSTEMS } from '../../canonical/index.js';
import type { Rng } from '../../demo/index.js';
import type { DemoData } from '../../demo/records.js';
import { Planner } from '../../embedded/lifecycle/planner.js';
import { View } from '../../embedded/lifecycle/view.js';

/** Up to `perSystem` real webhook bodies of each system, from the simulator's planner over `data`. */
export function sampleWebhooks(data: DemoData, rng: Rng, perSystem = 40): Record<SystemName, object[]> {
  const view = new View(data);
  view.refresh();
  const planner = new Planner(data, view, rng, performance.now());
  const out = Object.fromEntries(SYSTEMS.map((s) => [s.name, [] as object[]])) as Record<SystemName, object[]>;
  const created = planner.newOrder();
  for (const send of created?.sends ?? []) out[send.system].push(send.body);
  for (const id of view.orderIds) {
    const order = view.orders.get(id);
    if (!order) continue;
    for (const send of planner.plan(order) ?? [])
      if ('system' in send && out[send.system].length < perSystem) out[send.system].push(send.body);
    if (SYSTEMS.every((s) => out[s.name].length >= perSystem)) break;
  }
  return out;
}

const HOSTILE: unknown[] = [
  null,
  '',
  0,
  -1,
  Number.MAX_VALUE,
  -0.000001,
  2 ** 53 + 1,
  true,
  [],
  {},
  [[[[]]]],
  'x'.repeat(5000),
  '\u0000\u001f',
  '😀🏳️‍🌈',
  '__proto__',
  '2024-02-30T25:61:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  'ORD-000001',
  { $where: 'x' },
  '<script>',
  "'; DROP TABLE orders; --",
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to every value inside `v`. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) for (const [i, x] of v.entries()) paths(x, [...at, i], out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(
  root: Json,
  path: (string | number)[],
  fn: (parent: Record<string, Json> | Json[], key: string | number) => void,
): void {
  if (path.length === 0) return;
  let cur: Json = root;
  for (const k of path.slice(0, -1)) cur = (cur as Record<string, Json>)[k as string] as Json;
  if (cur && typeof cur === 'object') fn(cur as Record<string, Json>, path.at(-1)!);
}

/** One mutated body (as raw text: some mutations are not JSON at all) and what was done. */
export function mutateWebhook(body: object, rng: Rng): { kind: string; raw: string } {
  const copy = JSON.parse(JSON.stringify(body)) as Json;
  const all = paths(copy).filter((p) => p.length > 0);
  const path = all.length ? rng.pick(all) : [];
  switch (rng.int(0, 9)) {
    case 0:
      setAt(copy, path, (p, k) =>
        Array.isArray(p) ? p.splice(Number(k), 1) : delete (p as Record<string, Json>)[k as string],
      );
      return { kind: 'field-removed', raw: JSON.stringify(copy) };
    case 1:
    case 2:
      setAt(copy, path, (p, k) => {
        (p as Record<string, Json>)[k as string] = rng.pick(HOSTILE) as Json;
      });
      return { kind: 'field-retyped', raw: JSON.stringify(copy) };
    case 3:
      setAt(copy, path, (p, k) => {
        if (Array.isArray(p)) return;
        const o = p as Record<string, Json>;
        o[`${String(k)}X`] = o[k as string]!;
        delete o[k as string];
      });
      return { kind: 'field-renamed', raw: JSON.stringify(copy) };
    case 4: {
      const raw = JSON.stringify(copy);
      return { kind: 'json-cut-short', raw: raw.slice(0, rng.int(0, raw.length - 1)) };
    }
    case 5:
      return { kind: 'not-an-object', raw: JSON.stringify(rng.pick([[copy], 'x', 1, null, true])) };
    case 6:
      setAt(copy, path, (p, k) => {
        const v = (p as Record<string, Json>)[k as string];
        (p as Record<string, Json>)[k as string] = Array.isArray(v)
          ? Array.from({ length: rng.int(100, 2000) }, () => v[0] ?? null)
          : (v ?? null);
      });
      return { kind: 'array-blown-up', raw: JSON.stringify(copy) };
    case 7: {
      // Built as text: a value this deep would overflow JSON.stringify's stack here.
      const n = rng.int(50, 3000);
      return { kind: 'deep-nesting', raw: `${'{"a":'.repeat(n)}${JSON.stringify(copy)}${'}'.repeat(n)}` };
    }
    case 8:
      return {
        kind: 'extra-fields',
        raw: JSON.stringify({
          ...(copy as object),
          __proto__: { polluted: true },
          constructor: { prototype: { x: 1 } },
          extra: rng.pick(HOSTILE),
        }),
      };
    default:
      return { kind: 'unchanged-replay', raw: JSON.stringify(copy) };
  }
}
