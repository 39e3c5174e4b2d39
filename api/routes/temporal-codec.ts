// Temporal's remote codec protocol (POST …/encode and …/decode, {payloads: [{metadata, data}]} in
// protobuf JSON), behind our token, so the Temporal Web UI can show decoded payloads to a person who
// opened the dashboard: its browser holds a decode-only cookie (never the API token) the dashboard asks for.
import crypto from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { narrowCookieValue } from '../gate/ticket.js';
import type { GateCookie } from '../security.js';
import { encryptedDataConverter, runCodecs } from '../../temporal/codec.js';
import { payloadStore } from '../../db/payload-store.js';

export const CODEC_PREFIX = '/api/temporal/codec';
/** Asked by the dashboard (with the token) to give its browser the codec cookie. */
export const CODEC_COOKIE_PATH = '/api/temporal/codec-cookie';
// A new cookie value with every start of the backend: a copied cookie dies with the process.
const SALT = crypto.randomBytes(16).toString('hex');
const decodePath = /^\/api\/temporal\/codec\/(?:[^/]+\/)?decode$/;

/**
 * The Temporal UI's credential, named for the dashboard's port: it decodes (POST …/decode) and does
 * nothing else; its value is derived from the token, not the token. Sent only under the codec's path.
 */
export function codecCookie(app: AppContext, dashboardPort: number): GateCookie {
  return {
    name: `harness_codec_${dashboardPort}`,
    value: narrowCookieValue(app.token, 'temporal codec cookie', SALT),
    admits: (method, p) => method === 'POST' && decodePath.test(p),
  };
}
const b64map = z.record(z.string(), z.string());
const body = z.strictObject({
  payloads: z.array(z.object({ metadata: b64map.optional(), data: z.string().optional() })).max(10_000),
});

const fromJson = (p: z.infer<typeof body>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The Temporal UI's origins (the managed one on 127.0.0.1 and localhost, or TEMPORAL_UI_URL's). */
export function temporalUiOrigins(app: AppContext): string[] {
  const u = new URL(app.temporal.uiUrl);
  const origins = new Set([u.origin]);
  if (['127.0.0.1', 'localhost'].includes(u.hostname))
    for (const h of ['127.0.0.1', 'localhost']) origins.add(`${u.protocol}//${h}:${u.port}`);
  return [...origins];
}

const corsFor = (app: AppContext, ctx: Koa.Context) =>
  ctx.path.toLowerCase().startsWith(`${CODEC_PREFIX}/`) && temporalUiOrigins(app).includes(ctx.get('origin'));

/**
 * CORS for the codec only, and only for the Temporal UI: credentials allowed, never a wildcard. Before
 * the gate, so the UI can read its refusal (a 401 without these headers is only a CORS error there).
 */
export function codecCors(app: AppContext): Koa.Middleware {
  return async (ctx, next) => {
    if (corsFor(app, ctx)) {
      ctx.set('access-control-allow-origin', ctx.get('origin'));
      ctx.set('access-control-allow-credentials', 'true');
      ctx.set('vary', 'Origin');
    }
    await next();
  };
}

/** After the gate: the UI's preflight (it carries no credentials) is answered here, reaching no handler. */
export function codecPreflight(app: AppContext): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'OPTIONS' || !corsFor(app, ctx)) return next();
    ctx.set('access-control-allow-methods', 'POST');
    ctx.set('access-control-allow-headers', 'content-type, x-namespace, authorization');
    ctx.status = 204;
  };
}

/** POST /api/temporal/codec-cookie (with the token): sets the codec cookie for this browser, HttpOnly, under the codec's path. */
export function codecCookieRoutes(app: AppContext): Router {
  const r = new Router();
  r.post(CODEC_COOKIE_PATH, (ctx) => {
    const c = codecCookie(app, ctx.req.socket.localPort ?? 0);
    ctx.cookies.set(c.name, c.value, { httpOnly: true, sameSite: 'strict', path: CODEC_PREFIX, overwrite: true });
    ctx.body = { ok: true, cookie: c.name, path: CODEC_PREFIX };
  });
  return r;
}

export function codecRoutes(app: AppContext): Router {
  const r = new Router({ prefix: CODEC_PREFIX });
  const { payloadCodecs } = encryptedDataConverter(app.keyring, payloadStore(app.store));
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
