import type { Identity } from '../canonical/index.js';

/**
 * Runs an operation through the federated graph (the gateway's own pipeline, in process), as
 * `identity` (the status tracker's internal identity, or a subscriber's): the same field and row
 * rules as over HTTP.
 */
export type ExecuteOperation = (
  query: string,
  variables: Record<string, unknown>,
  identity: Identity,
) => Promise<{
  data?: Record<string, unknown> | null;
  errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
}>;
