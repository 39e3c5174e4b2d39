// Temporal's remote codec protocol (POST …/encode and …/decode, {payloads: [{metadata, data}]} in
// protobuf JSON), behind our token, so the Temporal Web UI can show decoded payloads to a person who
// has the token cookie and to nobody else.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { encryptedDataConverter, runCodecs } from '../../temporal/codec.js';

export const CODEC_PREFIX = '/api/temporal/codec';
const b64map = z.record(z.string(), z.string());
const body = z.strictObject({ payloads: z.array(z.object({ metadata: b64map.optional(), data: z.string().optional() })).max(10_000) });

const fromJson = (p: z.infer<typeof body>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The Temporal UI's origins (the managed one on 127.0.0.1 and localhost, or TEMPORAL_UI_URL's). */
export function temporalUiOrigins(app: AppContext): string[] {
  const u = new URL(app.temporal.uiUrl);
  const origins = new Set([u.origin]);
  if (['127.0.0.1', 'localhost'].includes(u.hostname)) for (const h of ['127.0.0.1', 'localhost']) origins.add(`${u.protocol}//${h}:${u.port}`);
  return [...origins];
}

/** CORS for the codec only, and only for the Temporal UI: credentials allowed, never a wildcard. */
export function codecCors(app: AppContext): Koa.Middleware {
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (!ctx.path.toLowerCase().startsWith(CODEC_PREFIX) || !temporalUiOrigins(app).includes(origin)) return next();
    ctx.set('access-control-allow-origin', origin);
    ctx.set('access-control-allow-credentials', 'true');
    ctx.set('vary', 'Origin');
    if (ctx.method === 'OPTIONS') {
      ctx.set('access-control-allow-methods', 'POST');
      ctx.set('access-control-allow-headers', 'content-type, x-namespace, authorization');
      ctx.status = 204;
      return;
    }
    await next();
  };
}

export function codecRoutes(app: AppContext): Router {
  const r = new Router({ prefix: CODEC_PREFIX });
  const { payloadCodecs } = encryptedDataConverter(app.keyring, app.store);
  // The CLI templates the namespace into the path; the UI does not: both are served.
  for (const op of ['encode', 'decode'] as const) {
    for (const p of [`/${op}`, `/:namespace/${op}`]) {
      r.post(p, async (ctx) => {
        const { payloads } = body.parse(await readJson(ctx));
        ctx.body = { payloads: (await runCodecs(payloadCodecs, op, payloads.map(fromJson))).map(toJson) };
      });
    }
  }
  return r;
}
