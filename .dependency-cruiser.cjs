// The layers of this repository, checked by `npm run lint` (scripts/boundaries.ts runs dependency-cruiser).
//
// Imports run one way:
//
//   canonical ← runtime ← events ← store ← subgraphs/common ← subgraphs/<name> | gateway | connectors ← embedded
//   demo ← bench, scripts (and embedded, tests, and a subgraph's process entry point `main.ts`)
//
// A folder may import the folders to its left and nothing to its right; the three after
// subgraphs/common are siblings and never import each other. store/ and connectors/ are named before
// they exist so that the first file written there is already held to its place.

/** Folders a layer must not import, as path regexes. */
const ABOVE_RUNTIME = '^(events|store|subgraphs|gateway|connectors|embedded|demo|bench|scripts|tests)/';
const ABOVE_EVENTS = '^(store|subgraphs|gateway|connectors|embedded|demo|bench|scripts|tests)/';
const ABOVE_STORE = '^(subgraphs|gateway|connectors|embedded|demo|bench|scripts|tests)/';
const TOOLS = '^(bench|scripts|tests)/';

/** Node core modules that do I/O; canonical/ is pure. */
const IO_MODULES =
  '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|cluster|worker_threads|readline|process)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'canonical-is-the-bottom',
      comment: 'canonical/ is the shared model; it imports nothing of ours but itself.',
      severity: 'error',
      from: { path: '^canonical/' },
      to: { path: '^(runtime|events|store|subgraphs|gateway|connectors|embedded|demo|bench|scripts|tests)/' },
    },
    {
      name: 'canonical-is-pure',
      comment: 'canonical/ does no I/O (CANONICAL_MODEL.md): no file, network, process or thread modules.',
      severity: 'error',
      from: { path: '^canonical/' },
      to: { dependencyTypes: ['core'], path: IO_MODULES },
    },
    {
      name: 'runtime-above-canonical-only',
      comment: 'runtime/ (logging, config readers, project paths) may import canonical/ only.',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: ABOVE_RUNTIME },
    },
    {
      name: 'events-below-store',
      comment: 'events/ (the bus) may import canonical/ and runtime/ only.',
      severity: 'error',
      from: { path: '^events/' },
      to: { path: ABOVE_EVENTS },
    },
    {
      name: 'store-below-services',
      comment: 'store/ (the visibility store) may import canonical/, runtime/ and events/ only.',
      severity: 'error',
      from: { path: '^store/' },
      to: { path: ABOVE_STORE },
    },
    {
      name: 'subgraphs-common-below-subgraphs',
      comment:
        'subgraphs/common/ serves every subgraph and may not import any one of them, the gateway or connectors/.',
      severity: 'error',
      from: { path: '^subgraphs/common/' },
      to: { path: '^(subgraphs/(?!common/)|gateway/|connectors/|embedded/|bench/|scripts/|tests/)' },
    },
    {
      name: 'no-subgraph-imports-another',
      comment:
        'A subgraph imports only itself and subgraphs/common/; a shared need moves to subgraphs/common/ or canonical/.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/', pathNot: '^subgraphs/common/' },
      to: { path: '^subgraphs/([^/]+)/', pathNot: ['^subgraphs/$1/', '^subgraphs/common/'] },
    },
    {
      name: 'subgraphs-below-gateway-connectors-embedded',
      comment: 'A subgraph never imports the gateway, connectors/, embedded/ or the tools.',
      severity: 'error',
      from: { path: '^subgraphs/' },
      to: { path: '^(gateway|connectors|embedded|bench|scripts|tests)/' },
    },
    {
      name: 'gateway-never-imports-subgraphs',
      comment: 'The gateway knows subgraphs only through the supergraph and HTTP, never through their code.',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^(subgraphs|connectors|embedded|bench|scripts|tests)/' },
    },
    {
      name: 'connectors-beside-gateway',
      comment:
        'connectors/ (Salesforce, …) sit beside the gateway and the subgraphs: canonical, runtime, events, store, subgraphs/common only.',
      severity: 'error',
      from: { path: '^connectors/' },
      to: { path: '^(subgraphs/(?!common/)|gateway/|embedded/|bench/|scripts/|tests/)' },
    },
    {
      name: 'demo-only-from-entry-points',
      comment:
        'The demo world seeds memory adapters; only process entry points may import it. The exception this rule names: ' +
        'a subgraph process entry point `subgraphs/<name>/main.ts` (it seeds its memory adapter with demo data). ' +
        'embedded/, bench/, scripts/ and tests/ are entry points and are not covered by this rule.',
      severity: 'error',
      from: {
        path: '^(canonical|runtime|events|store|subgraphs|gateway|connectors)/',
        pathNot: '^subgraphs/[^/]+/main\\.ts$',
      },
      to: { path: '^demo/' },
    },
    {
      name: 'demo-imports-records-not-services',
      comment: 'demo/ builds native records (subgraphs/<name>/records.ts) from canonical/; it never imports a service.',
      severity: 'error',
      from: { path: '^demo/' },
      to: {
        path: '^(events|store|subgraphs|gateway|connectors|embedded|bench|scripts|tests)/',
        pathNot: '^subgraphs/[^/]+/records\\.ts$',
      },
    },
    {
      name: 'embedded-never-imports-tools',
      comment: 'embedded/ wires the product; bench/, scripts/ and tests/ build on it, not the reverse.',
      severity: 'error',
      from: { path: '^embedded/' },
      to: { path: TOOLS },
    },
    {
      name: 'no-unresolvable-relative-import',
      comment: 'A relative import names a file that exists.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^dist/|^bench/results/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
  },
};
