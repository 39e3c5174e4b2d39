// Temporal payloads encrypted with the project's keyring (AES-256-GCM), so histories hold ciphertext
// on the wire, in the dev server's database and in any cluster; the key id travels in the metadata.
import type { Payload, PayloadCodec } from '@temporalio/common';
// A CommonJS package: Node's ESM loader offers it as a default export only.
import proto from '@temporalio/proto';
import { open, seal, type Keyring } from '../keyring/index.js';
import type { PayloadStore } from './payload-store.js';
import { ArtifactCodec } from './artifact-codec.js';
import { ValueCodec } from './value-codec.js';

const { temporal } = proto;
export const ENCRYPTED = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return payloads.map((p) => ({
      metadata: { encoding: utf8(ENCRYPTED), [KEY_ID]: utf8(id) },
      data: seal(key, Buffer.from(temporal.api.common.v1.Payload.encode(p).finish())),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (text(p.metadata?.encoding) !== ENCRYPTED) return p;
      const id = text(p.metadata?.[KEY_ID]);
      const k = this.keys.byId.get(id);
      if (!k) throw new Error(`a payload is encrypted with key '${id}', which this keyring does not have`);
      return temporal.api.common.v1.Payload.decode(open(k.key, Buffer.from(p.data ?? new Uint8Array())));
    });
  }
}

/**
 * The data converter every client, worker and replay of this project uses. With the store at hand, large
 * strings are first sealed there once (keyed by their HMAC, so the same answer in a step's result, the run's
 * result and the events is one row); then payloads are encrypted, and any still large kept as artifacts
 * (ciphertext, like the history). Decoding runs in reverse, so histories written before read as they were.
 */
export const encryptedDataConverter = (keys: Keyring, store?: PayloadStore) => ({
  payloadCodecs: [
    ...(store ? [new ValueCodec(keys, store)] : []),
    new EncryptionCodec(keys),
    ...(store ? [new ArtifactCodec(store)] : []),
  ],
});

/** Payloads through a converter's codecs as the SDK runs them: encoding in order, decoding in reverse. */
export async function runCodecs(
  codecs: PayloadCodec[],
  op: 'encode' | 'decode',
  payloads: Payload[],
): Promise<Payload[]> {
  for (const codec of op === 'encode' ? codecs : [...codecs].reverse()) payloads = await codec[op](payloads);
  return payloads;
}
