/** The demo dataset: native records per system, the deterministic generator, and status inputs. */
export * from './records.js';
export * from './generate.js';
export { statusInputsFor } from './statusInputs.js';
export { Rng, weighted, type WeightedTable } from './rng.js';
export { SKUS as DEMO_CATALOGUE, NODES as DEMO_NODES, type Sku as DemoSku, type DemoNode } from './catalogue.js';
