import { runSubgraphMain } from '../common/main.js';
import { MemoryErp } from './adapters/memory.js';
import { start } from './server.js';

await runSubgraphMain('erp', (data, faults) => new MemoryErp(data.erp, faults), start);
