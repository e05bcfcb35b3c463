/** The canonical model: vocabularies, quantities, status rules, policies, events. Pure, no I/O. */
export * from './vocabularies.js';
export * from './errors.js';
export * from './quantities.js';
export * from './status.js';
export * from './carrier.js';
export * from './returnPolicy.js';
export * from './cloudevents.js';
export * from './money.js';
export * from './eventTypes.js';
export * from './validation.js';
export * from './access.js';
export * from './identityHeader.js';
export * from './systems.js';
export * from './dimensions.js';
export * from './refunds.js';
export * from './ingestFindings.js';
