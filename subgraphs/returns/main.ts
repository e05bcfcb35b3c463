import { runSubgraphMain } from '../common/main.js';
import { MemoryReturns } from './adapters/memory.js';
import { start } from './server.js';

await runSubgraphMain('returns', (data, faults) => new MemoryReturns(data.returns, faults), start);
