// Payload artifacts: bytes by their SHA-256, written once (the same bytes twice are one row).
import type { Store } from '../knex.js';

export async function putArtifact(
  store: Store,
  a: { sha256: string; data: Uint8Array; workflowId?: string | undefined },
): Promise<void> {
  await store
    .knex('payload_artifacts')
    .insert({
      sha256: a.sha256,
      workflowId: a.workflowId ?? null,
      bytes: a.data.byteLength,
      data: Buffer.from(a.data),
      createdAt: new Date().toISOString(),
    })
    .onConflict('sha256')
    .ignore();
}

export async function getArtifact(store: Store, sha256: string): Promise<Uint8Array | undefined> {
  const row = (await store.knex('payload_artifacts').where('sha256', sha256).first('data')) as
    { data: Buffer } | undefined;
  return row ? new Uint8Array(row.data) : undefined;
}
