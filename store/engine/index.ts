/** The business-exception engine: facts from events, rules, SLAs (issue 11, item 2). */
export * from './engine.js';
export * from './facts.js';
export * from './rules.js';
export * from './sla.js';
