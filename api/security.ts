// The one gate every request passes before routing (the API, /mcp, /ws, the codec, the apps origin):
// Host allow-list (DNS rebinding), a canonical path, deny by default, and a cookie that changes
// anything only from the dashboard's exact origin.
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type Koa from 'koa';
import { AppError } from './errors.js';
import { canonicalPath, comparablePath } from './gate/path.js';

export interface SecurityOptions {
  token: string;
  allowedHosts: string[];
}

/** The dashboard's cookie, named for its port: another harness on another port has its own. */
export const cookieName = (dashboardPort: number): string => `harness_token_${dashboardPort}`;

function hostname(hostHeader: string | undefined): string | undefined {
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

export interface GateRules {
  /** The cookie this server accepts (cookieName of the dashboard's port). */
  cookie: string;
  /** Paths open without the token; everything else needs it. Gets the lower-cased canonical path. */
  isPublic?: (method: string, path: string) => boolean;
  /** The request changes something or opens a channel (a WebSocket): a cookie must come from the dashboard. */
  changes?: boolean;
  /** Origins besides the dashboard's that may send such a request to this path (the Temporal UI to the codec). */
  otherOrigins?: (path: string) => string[];
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Admit a request or throw the AppError that refuses it; returns its canonical path.
 * A bearer token needs no Origin (the CLI); a cookie that changes anything needs the dashboard's exact
 * Origin or `Sec-Fetch-Site: same-origin`, and any Origin a changing request names must be allowed.
 */
export function admit(o: SecurityOptions, req: GateRequest, rules: GateRules): string {
  const host = header(req.headers, 'host');
  if (!hostAllowed(o, host)) throw new AppError(403, 'forbidden_host', `host '${host ?? ''}' is not allowed (add it to HARNESS_ALLOWED_HOSTS)`);
  const path = canonicalPath(req.url);
  const method = req.method.toUpperCase();
  if (rules.isPublic?.(method, comparablePath(path))) return path;

  const auth = header(req.headers, 'authorization');
  const bearer = auth !== undefined;
  const token = bearer ? (/^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] ?? '') : cookieValue(header(req.headers, 'cookie'), rules.cookie);
  if (!tokenValid(o, token)) throw new AppError(401, 'unauthorized', `a valid token is required (Authorization: Bearer <token>, or the dashboard's cookie from its /ui/?token= link)`);

  if (rules.changes || !SAFE.has(method)) {
    const origin = header(req.headers, 'origin');
    if (origin !== undefined) {
      if (!sameOrigin(origin, host!) && !(rules.otherOrigins?.(comparablePath(path)) ?? []).includes(origin)) {
        throw new AppError(403, 'forbidden_origin', `origin '${origin}' may not change anything here (only the dashboard's own origin may)`);
      }
    } else if (!bearer && header(req.headers, 'sec-fetch-site') !== 'same-origin') {
      throw new AppError(403, 'forbidden_origin', 'a cookie request that changes anything must come from the dashboard (no Origin and not Sec-Fetch-Site: same-origin)');
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
export function security(o: SecurityOptions, rules: Omit<GateRules, 'cookie'> = {}): Koa.Middleware {
  return async (ctx, next) => {
    admit(o, ctx.req as GateRequest, { isPublic: dashboardPublic, ...rules, cookie: cookieName(ctx.req.socket.localPort ?? 0) });
    await next();
  };
}
