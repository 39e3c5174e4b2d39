// A run's Temporal history as JSON people can read: json/plain payloads decoded in place.
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

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

export function historyView(history: temporal.api.history.v1.IHistory): { events: unknown[] } {
  const json = JSON.parse(historyToJSON(history as never)) as { events?: unknown[] };
  return { events: (decodePayloads(json.events ?? []) as unknown[]) ?? [] };
}
