// Host allow-list (DNS rebinding), Origin check, and the token as bearer or cookie.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import { AppError } from './errors.js';

export interface SecurityOptions {
  token: string;
  allowedHosts: string[];
}

export const COOKIE = 'harness_token';

function hostname(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader) ?? /^([^:]+)(?::\d+)?$/.exec(hostHeader);
  return m?.[1]?.toLowerCase();
}

export function hostAllowed(o: SecurityOptions, hostHeader: string | undefined): boolean {
  const name = hostname(hostHeader);
  return !!name && o.allowedHosts.includes(name);
}

/** No Origin (CLI, curl) is fine; a browser's Origin must name an allowed host. */
export function originAllowed(o: SecurityOptions, origin: string | undefined): boolean {
  if (!origin) return true;
  try {
    return o.allowedHosts.includes(new URL(origin).hostname.replace(/^\[|\]$/g, '').toLowerCase());
  } catch {
    return false;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function cookieToken(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function requestToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return cookieToken(req.headers.cookie);
}

export function tokenValid(o: SecurityOptions, token: string | undefined): boolean {
  return !!token && safeEqual(token, o.token);
}

const OPEN_PATHS = new Set(['/api/health']);

export function security(o: SecurityOptions): Koa.Middleware {
  return async (ctx, next) => {
    if (!hostAllowed(o, ctx.get('host'))) throw new AppError(403, 'forbidden_host', `host '${ctx.get('host')}' is not allowed (add it to HARNESS_ALLOWED_HOSTS)`);
    if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method) && !originAllowed(o, ctx.get('origin') || undefined)) {
      throw new AppError(403, 'forbidden_origin', `origin '${ctx.get('origin')}' may not change state here`);
    }
    const needsToken = (ctx.path.startsWith('/api/') && !OPEN_PATHS.has(ctx.path)) || ctx.path === '/mcp' || ctx.path.startsWith('/mcp/');
    if (needsToken && !tokenValid(o, requestToken(ctx.req))) {
      throw new AppError(401, 'unauthorized', 'a valid token is required (Authorization: Bearer <token> or the harness_token cookie)');
    }
    await next();
  };
}
