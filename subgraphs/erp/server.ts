import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import {
  identityCheckFromOptions,
  ingestFromOptions,
  startSubgraphServer,
  type SubgraphServiceOptions,
} from '../common/server.js';
import { erpIngest } from './ingest.js';
import { createLoaders, type ErpContext } from './loaders.js';
import type { ErpPort, ErpRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the erp subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: SubgraphServiceOptions<ErpPort>): Promise<RunningService> {
  return startSubgraphServer<ErpContext>({
    name: 'erp',
    resolvers,
    context: (identity) => ({ identity, loaders: createLoaders(opts.system) }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('erp', opts),
    ingest: ingestFromOptions(opts, () =>
      erpIngest(
        recorderOf<ErpRecorder>(opts.system, 'erp', [
          'acceptOrder',
          'placeHold',
          'releaseHold',
          'postInvoice',
          'postCreditMemo',
          'recordPayment',
        ]),
      ),
    ),
  });
}
