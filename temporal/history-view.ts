// A run's Temporal history as JSON people can read: json/plain payloads decoded in place.
// A CommonJS package: Node's ESM loader offers it as a default export only.
import proto from '@temporalio/proto';

const { temporal } = proto;

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function decodePayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodePayloads);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const meta = obj.metadata as Record<string, string> | undefined;
  if (meta?.encoding && typeof obj.data === 'string' && b64(meta.encoding) === 'json/plain') {
    try {
      return { encoding: 'json/plain', value: JSON.parse(b64(obj.data)) };
    } catch {
      return obj;
    }
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decodePayloads(v)]));
}

export function historyView(history: proto.temporal.api.history.v1.IHistory): { events: unknown[] } {
  // protobufjs's JSON form: enums as names, 64-bit ints as strings, bytes as base64.
  const json = temporal.api.history.v1.History.fromObject(history).toJSON() as { events?: unknown[] };
  return { events: decodePayloads(json.events ?? []) as unknown[] };
}
