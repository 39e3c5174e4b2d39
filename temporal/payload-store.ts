// Where the codecs keep what leaves a payload (artifacts, sealed values): injected, so temporal/ never
// imports the store; db/payload-store.ts gives the project's store this shape.
export interface PayloadStore {
  /** Bytes by their hash, written once (the same bytes twice are one row). */
  putArtifact(a: { sha256: string; data: Uint8Array; workflowId?: string | undefined }): Promise<void>;
  getArtifact(sha256: string): Promise<Uint8Array | undefined>;
  /** Record that a workflow's run refers to a sealed value, so deleting the run frees it. */
  ownValue(sha256: string, workflowId: string): Promise<void>;
}
