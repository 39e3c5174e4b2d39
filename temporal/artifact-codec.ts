// Large payloads go to the store and the history holds their hash (the claim-check pattern): a step's
// big output is an artifact referenced from the history, so no payload nears Temporal's 2 MB limit.
// Past a hard ceiling the step fails with a clear error rather than filling the store.
import { createHash } from 'node:crypto';
import { ApplicationFailure, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
// A CommonJS package: Node's ESM loader offers it as a default export only.
import proto from '@temporalio/proto';
import type { PayloadStore } from './payload-store.js';

const { temporal } = proto;
export const ARTIFACT = 'binary/vloop-artifact';
/** Payloads above this are stored as artifacts: far under Temporal's 2 MB limit, and its 256 KB warning. */
export const ARTIFACT_THRESHOLD_BYTES = 128 * 1024;
/** No single value a run passes between steps may be larger. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');
/** 41943040 -> '40.0 MB': how an error names a size. */
export const sizeText = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;

export class ArtifactCodec implements PayloadCodec {
  constructor(
    private readonly store: PayloadStore,
    private readonly o: { thresholdBytes?: number; maxBytes?: number } = {},
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const threshold = this.o.thresholdBytes ?? ARTIFACT_THRESHOLD_BYTES;
    const max = this.o.maxBytes ?? MAX_PAYLOAD_BYTES;
    const workflowId = context && 'workflowId' in context ? context.workflowId : undefined;
    return Promise.all(
      payloads.map(async (p) => {
        // Most payloads are far below the threshold: judged by their data and metadata sizes, they skip a second serialization.
        const metadataBytes = Object.entries(p.metadata ?? {}).reduce(
          (n, [k, v]) => n + k.length + (v?.byteLength ?? 0) + 8,
          0,
        );
        if ((p.data?.byteLength ?? 0) + metadataBytes + 16 <= threshold) return p;
        const bytes = temporal.api.common.v1.Payload.encode(p).finish();
        if (bytes.byteLength <= threshold) return p;
        // Thrown while an activity's result is encoded, this fails that step (not retried: the same step gives the same size).
        if (bytes.byteLength > max)
          throw ApplicationFailure.nonRetryable(
            `a value of ${sizeText(bytes.byteLength)} is larger than the ${sizeText(max)} a run may pass between steps; write it to a file or a dataset and pass its path or id`,
            'PayloadTooLarge',
          );
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        await this.store.putArtifact({ sha256, data: bytes, workflowId });
        return {
          metadata: { encoding: utf8(ARTIFACT), sha256: utf8(sha256), bytes: utf8(String(bytes.byteLength)) },
          data: utf8(sha256),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (p) => {
        if (text(p.metadata?.encoding) !== ARTIFACT) return p;
        const sha256 = text(p.metadata?.sha256);
        const bytes = await this.store.getArtifact(sha256);
        if (!bytes) throw new Error(`payload artifact ${sha256} is not in this project's store`);
        if (createHash('sha256').update(bytes).digest('hex') !== sha256)
          throw new Error(`payload artifact ${sha256} does not match its hash`);
        return temporal.api.common.v1.Payload.decode(bytes);
      }),
    );
  }
}
