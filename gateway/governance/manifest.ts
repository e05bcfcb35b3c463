import { createHash } from 'node:crypto';
import { print } from 'graphql';
import type { ClientName, OperationFile } from './operations.js';

/** One operation of Apollo's persisted query manifest, with the client it belongs to. */
export interface ManifestOperation {
  /** sha256 (hex) of `body`: what clients send as `extensions.persistedQuery.sha256Hash`. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The document as clients send it: the file normalized with graphql-js `print(parse(text))`. */
  body: string;
  clientName: ClientName;
}

/** Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`'s format). */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

/** The sha256 hex digest of a body, as `extensions.persistedQuery.sha256Hash` carries it. */
export function sha256Hex(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * The manifest of the operations: body = `print` of the parsed document (comments and
 * formatting dropped, so the id only changes when the operation does), id = sha256 of that body,
 * sorted by client, then operation name.
 */
export function buildManifest(operations: readonly OperationFile[]): PersistedQueryManifest {
  const entries = operations.map((op): ManifestOperation => {
    const body = print(op.document);
    return { id: sha256Hex(body), name: op.name, type: op.type, body, clientName: op.client };
  });
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  entries.sort((a, b) => cmp(a.clientName, b.clientName) || cmp(a.name, b.name));
  return { format: 'apollo-persisted-query-manifest', version: 1, operations: entries };
}

/** The manifest file's text: two-space JSON with a final newline. */
export function serializeManifest(manifest: PersistedQueryManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
