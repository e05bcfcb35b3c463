/**
 * Runs an operation through the federated graph (the gateway's own pipeline, in process), as the
 * caller's visibility scope (e.g. `internal:status-tracker`, or a subscriber's).
 */
export type ExecuteOperation = (
  query: string,
  variables: Record<string, unknown>,
  scope: string,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }>;
