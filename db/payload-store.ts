// The project's store as the Temporal codecs' payload store (temporal/payload-store.ts): artifacts and
// the runs that own sealed values.
import type { Store } from './knex.js';
import { getArtifact, putArtifact } from './repositories/artifacts.js';
import { ownValue } from './repositories/stored-values.js';

/** Structurally a temporal PayloadStore (db/ does not import temporal/; the call sites check the shape). */
export function payloadStore(store: Store) {
  return {
    putArtifact: (a: { sha256: string; data: Uint8Array; workflowId?: string | undefined }) => putArtifact(store, a),
    getArtifact: (sha256: string) => getArtifact(store, sha256),
    ownValue: (sha256: string, workflowId: string) => ownValue(store.knex, sha256, workflowId),
  };
}
