import { runSubgraphMain } from '../common/main.js';
import { MemoryCarrier } from './adapters/memory.js';
import { start } from './server.js';

await runSubgraphMain('carrier', (data, faults) => new MemoryCarrier(data.carrier, faults), start);
