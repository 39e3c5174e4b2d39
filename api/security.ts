// The one gate every request passes before routing (the API, /mcp, /ws, the codec, the apps origin):
// Host allow-list (DNS rebinding), a canonical path, deny by default. The token comes only as a header
// (or a WebSocket subprotocol): never as a cookie, which a browser hands to every port of the host.
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type Koa from 'koa';
import { AppError } from './errors.js';
import { canonicalPath, comparablePath } from './gate/path.js';

export interface SecurityOptions {
  token: string;
  allowedHosts: string[];
}

/** The WebSocket subprotocol the dashboard speaks, and the prefix of the one that carries its token. */
export const WS_PROTOCOL = 'vloop.v1';
const WS_TOKEN_PREFIX = 'vloop.token.';

export function hostname(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader) ?? /^([^:]+)(?::\d+)?$/.exec(hostHeader);
  return m?.[1]?.toLowerCase();
}

export function hostAllowed(o: SecurityOptions, hostHeader: string | undefined): boolean {
  const name = hostname(hostHeader);
  return !!name && o.allowedHosts.includes(name);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function tokenValid(o: SecurityOptions, token: string | undefined): boolean {
  return !!token && safeEqual(token, o.token);
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The scheme, host and port a browser on the dashboard sends as its Origin. */
function sameOrigin(origin: string, hostHeader: string): boolean {
  try {
    return new URL(origin).origin === new URL(`http://${hostHeader}`).origin;
  } catch {
    return false;
  }
}

export interface GateRequest {
  method: string;
  url: string | undefined;
  headers: IncomingHttpHeaders;
}

/** A narrow cookie a path accepts instead of the token (the codec's decode cookie); never the API token. */
export interface GateCookie {
  name: string;
  value: string;
  /** Gets the method and the lower-cased canonical path. */
  admits: (method: string, path: string) => boolean;
}

export interface GateRules {
  cookie?: GateCookie;
  /** The token may come as the subprotocol `vloop.token.<base64url of the token>` (a browser's WebSocket sets no headers). */
  subprotocol?: boolean;
  /** A capability in the URL admits this canonical path (an app view's frame, which carries no credential). */
  ticket?: (path: string) => boolean;
  /** Paths open without the token; everything else needs it. Gets the lower-cased canonical path. */
  isPublic?: (method: string, path: string) => boolean;
  /** The request changes something or opens a channel (a WebSocket): it must come from the dashboard (or otherOrigins). */
  changes?: boolean;
  /** Origins besides the dashboard's that may send such a request to this path (the Temporal UI to the codec). */
  otherOrigins?: (path: string) => string[];
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The token in a `vloop.token.<base64url>` subprotocol, if one is offered. */
function subprotocolToken(h: IncomingHttpHeaders): string | undefined {
  for (const p of (header(h, 'sec-websocket-protocol') ?? '').split(',')) {
    const v = p.trim();
    if (v.startsWith(WS_TOKEN_PREFIX))
      return Buffer.from(v.slice(WS_TOKEN_PREFIX.length), 'base64url').toString('utf8');
  }
  return undefined;
}

/**
 * Admit a request or throw the AppError that refuses it; returns its canonical path.
 * A bearer token needs no Origin (the CLI); a narrow cookie that changes anything needs an allowed exact
 * Origin or `Sec-Fetch-Site: same-origin`, and any Origin a changing request names must be allowed.
 */
export function admit(o: SecurityOptions, req: GateRequest, rules: GateRules): string {
  const host = header(req.headers, 'host');
  if (!hostAllowed(o, host))
    throw new AppError(403, 'forbidden_host', `host '${host ?? ''}' is not allowed (add it to HARNESS_ALLOWED_HOSTS)`);
  const path = canonicalPath(req.url);
  const method = req.method.toUpperCase();
  if (rules.isPublic?.(method, comparablePath(path))) return path;
  if (rules.ticket?.(path)) return path;

  const auth = header(req.headers, 'authorization');
  const offered = rules.subprotocol ? subprotocolToken(req.headers) : undefined;
  const cookie =
    auth === undefined && offered === undefined && rules.cookie?.admits(method, comparablePath(path))
      ? rules.cookie
      : undefined;
  const bearer = !cookie;
  const valid = cookie
    ? safeEqual(cookieValue(header(req.headers, 'cookie'), cookie.name) ?? '', cookie.value)
    : tokenValid(o, auth !== undefined ? (/^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] ?? '') : offered);
  if (!valid)
    throw new AppError(
      401,
      'unauthorized',
      'a valid token is required (Authorization: Bearer <token>; the dashboard keeps it from its /ui/?token= link)',
    );

  if (rules.changes || !SAFE.has(method)) {
    const origin = header(req.headers, 'origin');
    if (origin !== undefined) {
      if (!sameOrigin(origin, host!) && !(rules.otherOrigins?.(comparablePath(path)) ?? []).includes(origin)) {
        throw new AppError(
          403,
          'forbidden_origin',
          `origin '${origin}' may not change anything here (only the dashboard's own origin may)`,
        );
      }
    } else if (!bearer && header(req.headers, 'sec-fetch-site') !== 'same-origin') {
      throw new AppError(
        403,
        'forbidden_origin',
        'a cookie request that changes anything must come from the dashboard (no Origin and not Sec-Fetch-Site: same-origin)',
      );
    }
  }
  return path;
}

/** The dashboard server's public paths: the health check, the UI shell and its assets, the icon, `/`. */
export function dashboardPublic(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/' || path === '/favicon.ico' || path === '/api/health' || path === '/ui' || path.startsWith('/ui/');
}

/** The gate as the first Koa middleware after the error handler. */
export function security(
  o: SecurityOptions,
  rules: Omit<GateRules, 'cookie'> & { cookie?: (port: number) => GateCookie } = {},
): Koa.Middleware {
  return async (ctx, next) => {
    admit(o, ctx.req as GateRequest, {
      isPublic: dashboardPublic,
      ...rules,
      cookie: rules.cookie?.(ctx.req.socket.localPort ?? 0),
    });
    await next();
  };
}
