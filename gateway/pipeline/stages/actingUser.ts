import { ErrorCode, SALESFORCE_USER_ID } from '../../../canonical/index.js';
import { RequestRefusal } from '../errors.js';
import type { Stage } from '../stage.js';

/** The header (and graphql-ws `connection_init` key) a Salesforce caller names the agent in. */
export const ACTING_USER_HEADER = 'x-acting-user';

export { SALESFORCE_USER_ID } from '../../../canonical/index.js';

/**
 * The acting user: a `salesforce` caller (the org's integration, one credential for every agent)
 * says which Salesforce user it acts for in `x-acting-user`. It is recorded — per-request context,
 * access log, trace attributes — as `{ actingUser, assertedBy: 'salesforce' }`, forwarded to the
 * subgraphs inside the signed identity (`au`, for the audit trail of actions), and never used for
 * an access decision (the credential decides). From any other consumer the header is ignored. A
 * malformed id from `salesforce` is refused 400 `BAD_USER_INPUT` saying what was expected.
 */
export function actingUserStage(): Stage {
  return {
    name: 'acting user',
    onRequest(call, context) {
      const raw = call.headers[ACTING_USER_HEADER];
      if (raw === undefined || context.identity.consumer !== 'salesforce') return undefined;
      const value = Array.isArray(raw) ? raw.join(',') : String(raw);
      if (!SALESFORCE_USER_ID.test(value)) {
        throw new RequestRefusal(
          400,
          ErrorCode.BAD_USER_INPUT,
          `${ACTING_USER_HEADER} must be a Salesforce user id (005 followed by 12 or 15 letters or digits); received ${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? '…' : ''} (${value.length} characters)`,
        );
      }
      context.actingUser = { actingUser: value, assertedBy: 'salesforce' };
      return undefined;
    },
  };
}
