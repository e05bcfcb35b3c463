import { runSubgraphMain } from '../common/main.js';
import { MemoryWms } from './adapters/memory.js';
import { start } from './server.js';

await runSubgraphMain('wms', (data, faults) => new MemoryWms(data.wms, faults), start);
