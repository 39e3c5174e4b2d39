// Large strings inside a Temporal payload are sealed once in the store, keyed by an HMAC of their text with
// the project key (no content leaks through the key), and the payload refers to them: a step's result, the
// run's result and the events that carry the same answer share one encrypted copy (ADR 0015).
import { createHmac } from 'node:crypto';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { open, seal, type Keyring } from '../keyring/index.js';
import { largeStrings, replaced, STORED_VALUE_THRESHOLD } from '../core/large-strings.js';
import type { PayloadStore } from './payload-store.js';

export const SEALED_VALUES = 'json/vloop-sealed-values';
const JSON_PLAIN = 'json/plain';
const MARK = '$vloopSealed';
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

interface SealedRef {
  [MARK]: string;
  bytes: number;
}

const isSealedRef = (v: unknown): v is SealedRef =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  typeof (v as Record<string, unknown>)[MARK] === 'string' &&
  Object.keys(v).length === 2;

function sealedRefs(v: unknown, found: SealedRef[]): SealedRef[] {
  if (isSealedRef(v)) found.push(v);
  else if (Array.isArray(v)) for (const x of v) sealedRefs(x, found);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) sealedRefs(x, found);
  return found;
}

function unsealed(v: unknown, strings: Map<string, string>): unknown {
  if (isSealedRef(v)) return strings.get(v[MARK]) ?? v;
  if (Array.isArray(v)) return v.map((x) => unsealed(x, strings));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsealed(x, strings)]));
  return v;
}

export class ValueCodec implements PayloadCodec {
  constructor(
    private readonly keys: Keyring,
    private readonly store: PayloadStore,
  ) {}

  /** The store's key of a value: HMAC-SHA256 with the current key, named with that key's id. */
  private keyOf(s: string): { hmac: string; ref: string } {
    const hmac = createHmac('sha256', this.keys.current.key).update(s).digest('hex');
    return { hmac, ref: `${this.keys.current.id}:${hmac}` };
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const workflowId = context && 'workflowId' in context ? context.workflowId : undefined;
    return Promise.all(
      payloads.map(async (p) => {
        if ((p.data?.byteLength ?? 0) <= STORED_VALUE_THRESHOLD || text(p.metadata?.encoding) !== JSON_PLAIN) return p;
        const json = text(p.data);
        // A value that already holds something shaped like a reference is left whole (the artifact codec keeps it).
        if (json.includes(`"${MARK}"`)) return p;
        const value: unknown = JSON.parse(json);
        const strings = [...largeStrings(value, new Set())];
        if (!strings.length) return p;
        const refs = new Map<string, SealedRef>();
        for (const s of strings) {
          const { hmac, ref } = this.keyOf(s);
          await this.store.putArtifact({
            sha256: hmac,
            data: seal(this.keys.current.key, Buffer.from(s, 'utf8')),
            workflowId,
          });
          if (workflowId) await this.store.ownValue(hmac, workflowId);
          refs.set(s, { [MARK]: ref, bytes: Buffer.byteLength(s) });
        }
        return {
          metadata: { ...p.metadata, encoding: utf8(SEALED_VALUES) },
          data: utf8(JSON.stringify(replaced(value, refs))),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (p) => {
        if (text(p.metadata?.encoding) !== SEALED_VALUES) return p;
        const value: unknown = JSON.parse(text(p.data));
        const strings = new Map<string, string>();
        for (const r of sealedRefs(value, [])) {
          const [id, hmac] = r[MARK].split(':') as [string, string];
          const k = this.keys.byId.get(id);
          if (!k) throw new Error(`a payload value is sealed with key '${id}', which this keyring does not have`);
          const sealed = await this.store.getArtifact(hmac);
          if (!sealed) throw new Error(`payload value ${hmac} is not in this project's store`);
          const s = open(k.key, Buffer.from(sealed)).toString('utf8');
          if (createHmac('sha256', k.key).update(s).digest('hex') !== hmac)
            throw new Error(`payload value ${hmac} does not match its key`);
          strings.set(r[MARK], s);
        }
        return {
          metadata: { ...p.metadata, encoding: utf8(JSON_PLAIN) },
          data: utf8(JSON.stringify(unsealed(value, strings))),
        };
      }),
    );
  }
}
