// A run's Temporal history as JSON people can read: payloads decrypted with the project's keys,
// json/plain payloads decoded in place, large ones shown as the artifact references the history holds.
// A CommonJS package: Node's ESM loader offers it as a default export only.
import proto from '@temporalio/proto';
import { open, type Keyring } from '../keyring/index.js';
import { ARTIFACT } from './artifact-codec.js';
import { ENCRYPTED } from './codec.js';
import { SEALED_VALUES } from './value-codec.js';

const { temporal } = proto;

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function decodePayloads(value: unknown, keys: Keyring): unknown {
  if (Array.isArray(value)) return value.map((v) => decodePayloads(v, keys));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const meta = obj.metadata as Record<string, string> | undefined;
  if (meta?.encoding && typeof obj.data === 'string' && b64(meta.encoding) === ENCRYPTED) {
    const key = keys.byId.get(b64(meta['encryption-key-id'] ?? ''));
    if (!key) return { encoding: ENCRYPTED, value: '(encrypted with a key this project does not have)' };
    const inner = temporal.api.common.v1.Payload.decode(open(key.key, Buffer.from(obj.data, 'base64')));
    return decodePayloads(temporal.api.common.v1.Payload.toObject(inner, { bytes: String }), keys);
  }
  // A large payload kept in the store: the history holds its reference, and so does this view.
  if (meta?.encoding && b64(meta.encoding) === ARTIFACT)
    return { encoding: ARTIFACT, artifact: { sha256: b64(meta.sha256 ?? ''), bytes: Number(b64(meta.bytes ?? '')) } };
  // json/plain, or JSON whose large strings are sealed in the store (shown as the references the history holds).
  if (
    meta?.encoding &&
    typeof obj.data === 'string' &&
    (b64(meta.encoding) === 'json/plain' || b64(meta.encoding) === SEALED_VALUES)
  ) {
    try {
      return { encoding: b64(meta.encoding), value: JSON.parse(b64(obj.data)) };
    } catch {
      return obj;
    }
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decodePayloads(v, keys)]));
}

export function historyView(history: proto.temporal.api.history.v1.IHistory, keys: Keyring): { events: unknown[] } {
  // protobufjs's JSON form: enums as names, 64-bit ints as strings, bytes as base64.
  const json = temporal.api.history.v1.History.fromObject(history).toJSON() as { events?: unknown[] };
  return { events: decodePayloads(json.events ?? [], keys) as unknown[] };
}
