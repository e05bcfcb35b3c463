import { runSubgraphMain } from '../common/main.js';
import { MemoryOms } from './adapters/memory.js';
import { start } from './server.js';

await runSubgraphMain('oms', (data, faults) => new MemoryOms(data.oms, faults), start);
