// The payloads a Temporal history holds, wherever in its events they sit (what limits apply to).
import type proto from '@temporalio/proto';

type Payload = proto.temporal.api.common.v1.IPayload;

export function payloadsOf(value: unknown, out: Payload[] = []): Payload[] {
  if (Array.isArray(value)) value.forEach((v) => payloadsOf(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.metadata && o.data instanceof Uint8Array) out.push(o as Payload);
    else Object.values(o).forEach((v) => payloadsOf(v, out));
  }
  return out;
}

export const payloadEncoding = (p: Payload) => Buffer.from(p.metadata!.encoding!).toString();
