/**
 * What grew between two heap snapshots of one process (`node --heapsnapshot-signal=SIGUSR2`, or
 * `v8.writeHeapSnapshot()`): the objects of the second that the first does not have (V8 keeps an
 * object's id for the life of the process), summed by kind, and by where they hang — for each new
 * object, its nearest retainer present in both snapshots, with the edge into the new part and that
 * retainer's own path a few steps up; and the net change per kind (what was freed counted too).
 * The soak's heap figures in RELIABILITY.md were attributed with it.
 *
 *   npm run heap-diff -- before.heapsnapshot after.heapsnapshot [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, depth: { type: 'string', default: '6' } },
});
if (positionals.length !== 2) {
  console.error('usage: npm run heap-diff -- <before.heapsnapshot> <after.heapsnapshot> [--top N] [--depth N]');
  process.exit(2);
}
const top = Number(values.top);
const depth = Number(values.depth);

interface Snapshot {
  nodes: Uint32Array | number[];
  edges: number[];
  strings: string[];
  nodeFields: number;
  edgeFields: number;
  nodeTypes: string[];
  edgeTypes: string[];
  /** Node index (not offset) → index of its first edge. */
  firstEdge: Uint32Array;
  count: number;
}

function load(path: string): Snapshot {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    snapshot: {
      meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] };
    };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const meta = raw.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const count = raw.nodes.length / nodeFields;
  const firstEdge = new Uint32Array(count + 1);
  const edgeCount = meta.node_fields.indexOf('edge_count');
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i]! + raw.nodes[i * nodeFields + edgeCount]!;
  return {
    nodes: raw.nodes,
    edges: raw.edges,
    strings: raw.strings,
    nodeFields,
    edgeFields: meta.edge_fields.length,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    firstEdge,
    count,
  };
}

// Node fields: type, name, id, self_size, edge_count, …; edge fields: type, name_or_index, to_node.
const typeOf = (s: Snapshot, i: number) => s.nodeTypes[s.nodes[i * s.nodeFields]!]!;
const nameOf = (s: Snapshot, i: number) => s.strings[s.nodes[i * s.nodeFields + 1]!]!;
const idOf = (s: Snapshot, i: number) => s.nodes[i * s.nodeFields + 2]!;
const sizeOf = (s: Snapshot, i: number) => s.nodes[i * s.nodeFields + 3]!;
const kindOf = (s: Snapshot, i: number) => {
  const type = typeOf(s, i);
  if (type === 'object' || type === 'closure' || type === 'native') return `${type} ${nameOf(s, i).slice(0, 60)}`;
  if (type === 'hidden' || type === 'code') return `${type} ${nameOf(s, i).replace(/\s.*/, '').slice(0, 40)}`;
  return type;
};
const edgeName = (s: Snapshot, e: number) => {
  const type = s.edgeTypes[s.edges[e]!]!;
  const nameOrIndex = s.edges[e + 1]!;
  return type === 'element' || type === 'hidden' ? `[${nameOrIndex}]` : (s.strings[nameOrIndex] ?? `?${nameOrIndex}`);
};

/** Count and bytes of every kind of object in a snapshot. */
const totals = (s: Snapshot): Map<string, { count: number; bytes: number }> => {
  const by = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.count; i++) {
    const k = kindOf(s, i);
    const row = by.get(k) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += sizeOf(s, i);
    by.set(k, row);
  }
  return by;
};

console.error('reading the first snapshot…');
const a = load(positionals[0]!);
const oldIds = new Set<number>();
for (let i = 0; i < a.count; i++) oldIds.add(idOf(a, i));
const aKinds = totals(a);
/** Entries of a collection: a Map's or Set's table, else the node's own element and property edges. */
const entriesOf = (s: Snapshot, i: number): number => {
  const name = nameOf(s, i);
  let n = 0;
  for (let e = s.firstEdge[i]! * s.edgeFields; e < s.firstEdge[i + 1]! * s.edgeFields; e += s.edgeFields) {
    const type = s.edgeTypes[s.edges[e]!];
    const to = s.edges[e + 2]! / s.nodeFields;
    if ((name === 'Map' || name === 'Set') && edgeName(s, e) === 'table')
      return s.firstEdge[to + 1]! - s.firstEdge[to]!;
    if (type === 'element' || type === 'property') n++;
  }
  return n;
};
const aEntries = new Map<number, number>();
for (let i = 0; i < a.count; i++) {
  const type = typeOf(a, i);
  if (type !== 'object' && type !== 'array') continue;
  const n = entriesOf(a, i);
  if (n >= 20) aEntries.set(idOf(a, i), n);
}
const aSize = Array.from({ length: a.count }, (_, i) => sizeOf(a, i)).reduce((x, y) => x + y, 0);
a.nodes = [];
a.edges = [];
console.error('reading the second snapshot…');
const b = load(positionals[1]!);

// The first strong retainer of every node of the second snapshot (node index and edge offset).
const retainer = new Int32Array(b.count).fill(-1);
const retainerEdge = new Int32Array(b.count).fill(-1);
for (let from = 0; from < b.count; from++) {
  for (let e = b.firstEdge[from]! * b.edgeFields; e < b.firstEdge[from + 1]! * b.edgeFields; e += b.edgeFields) {
    const type = b.edgeTypes[b.edges[e]!];
    if (type === 'weak' || type === 'shortcut') continue;
    const to = b.edges[e + 2]! / b.nodeFields;
    if (retainer[to] === -1) {
      retainer[to] = from;
      retainerEdge[to] = e;
    }
  }
}

const isNew = (i: number) => !oldIds.has(idOf(b, i));
// The nearest retainer present in both snapshots, and the edge from it into the new part.
const anchor = new Int32Array(b.count).fill(-2);
const anchorEdge = new Int32Array(b.count).fill(-1);
function anchorOf(start: number): number {
  const chain: number[] = [];
  let i = start;
  while (anchor[i] === -2 && isNew(i) && retainer[i] !== -1 && chain.length < 100_000) {
    chain.push(i);
    anchor[i] = -3; // on the path: a cycle among new objects ends here
    i = retainer[i]!;
  }
  let found: number;
  let edge: number;
  if (anchor[i]! >= 0) [found, edge] = [anchor[i]!, anchorEdge[i]!];
  else if (!isNew(i)) [found, edge] = [i, chain.length ? retainerEdge[chain[chain.length - 1]!]! : -1];
  else [found, edge] = [-1, -1];
  for (const c of chain) [anchor[c], anchorEdge[c]] = [found, edge];
  return found;
}

const byKind = new Map<string, { count: number; bytes: number }>();
const byAnchor = new Map<string, { count: number; bytes: number; node: number }>();
let newBytes = 0;
let newCount = 0;
let bSize = 0;
for (let i = 0; i < b.count; i++) {
  bSize += sizeOf(b, i);
  if (!isNew(i)) continue;
  const size = sizeOf(b, i);
  newBytes += size;
  newCount++;
  const k = kindOf(b, i);
  const kind = byKind.get(k) ?? { count: 0, bytes: 0 };
  kind.count++;
  kind.bytes += size;
  byKind.set(k, kind);
  const at = anchorOf(i);
  const key = at < 0 ? '(no retainer present in both)' : `${kindOf(b, at)} .${edgeName(b, anchorEdge[i]!)} #${at}`;
  const row = byAnchor.get(key) ?? { count: 0, bytes: 0, node: at };
  row.count++;
  row.bytes += size;
  byAnchor.set(key, row);
}

const mb = (n: number) => `${(n / 1_048_576).toFixed(2)} MB`;
const pathUp = (i: number): string => {
  const steps: string[] = [];
  for (let n = i, k = 0; n >= 0 && k < depth; k++) {
    const r = retainer[n]!;
    if (r < 0) break;
    steps.push(`${kindOf(b, r)}.${edgeName(b, retainerEdge[n]!)}`);
    n = r;
  }
  return steps.join(' ← ');
};

console.log(
  `self size: ${mb(aSize)} → ${mb(bSize)} (${mb(bSize - aSize)}); objects new in the second: ${newCount} (${mb(newBytes)})`,
);
const bKinds = totals(b);
const net = [...new Set([...aKinds.keys(), ...bKinds.keys()])].map((k) => ({
  k,
  count: (bKinds.get(k)?.count ?? 0) - (aKinds.get(k)?.count ?? 0),
  bytes: (bKinds.get(k)?.bytes ?? 0) - (aKinds.get(k)?.bytes ?? 0),
}));
console.log(`\nnet change by kind, second minus first (top ${top} by growth):`);
for (const { k, count, bytes } of net.sort((x, y) => y.bytes - x.bytes).slice(0, top))
  console.log(`  ${mb(bytes).padStart(10)}  ${String(count).padStart(8)}  ${k}`);
const grown: { i: number; before: number; after: number }[] = [];
for (let i = 0; i < b.count; i++) {
  const before = aEntries.get(idOf(b, i));
  if (before === undefined) continue;
  const after = entriesOf(b, i);
  if (after > before) grown.push({ i, before, after });
}
console.log(
  `\ncollections present in both that grew most (entries: a Map's or Set's table slots, else elements and properties):`,
);
for (const { i, before, after } of grown.sort((x, y) => y.after - y.before - (x.after - x.before)).slice(0, top)) {
  console.log(`  ${String(before).padStart(8)} → ${String(after).padEnd(8)} ${kindOf(b, i)} #${i}`);
  console.log(`      ${pathUp(i)}`);
}
console.log(`\nnew objects by kind (top ${top}):`);
for (const [k, v] of [...byKind].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, top))
  console.log(`  ${mb(v.bytes).padStart(10)}  ${String(v.count).padStart(8)}  ${k}`);
console.log(`\nnew objects by nearest retainer present in both (top ${top}), with that retainer's path up:`);
for (const [k, v] of [...byAnchor].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, top)) {
  console.log(`  ${mb(v.bytes).padStart(10)}  ${String(v.count).padStart(8)}  ${k}`);
  if (v.node >= 0) console.log(`      ${pathUp(v.node)}`);
}
