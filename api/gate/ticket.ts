// Credentials for what a browser loads on another port, where neither a header nor a cookie will do
// (cookies reach every port of a host): a short-lived capability for one path, and a narrow cookie
// value, each an HMAC keyed from the token, so neither ever is the token nor reveals it.
import crypto from 'node:crypto';

/** How long an app view's frame URL opens its view. */
export const TICKET_TTL_MS = 2 * 60_000;

const mac = (key: crypto.BinaryLike, text: string) => crypto.createHmac('sha256', key).update(text).digest('base64url');
const keyFor = (token: string, purpose: string) =>
  crypto.createHmac('sha256', token).update(`vloop ${purpose} v1`).digest();

/**
 * A ticket that opens exactly `path` until it expires.
 *
 * @example `${viewOrigin}/view/notes/2?ticket=${pathTicket(token, '/view/notes/2')}`
 */
export function pathTicket(token: string, path: string, now = Date.now()): string {
  const expires = now + TICKET_TTL_MS;
  return `${expires}.${mac(keyFor(token, 'path ticket'), `${path}\n${expires}`)}`;
}

export function pathTicketValid(
  token: string,
  path: string,
  ticket: string | null | undefined,
  now = Date.now(),
): boolean {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(ticket ?? '');
  if (!m || Number(m[1]) < now || Number(m[1]) > now + TICKET_TTL_MS) return false;
  const want = Buffer.from(mac(keyFor(token, 'path ticket'), `${path}\n${m[1]}`));
  const got = Buffer.from(m[2]!);
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

/** A cookie value for one purpose, new with every start of the backend (`salt`). */
export const narrowCookieValue = (token: string, purpose: string, salt: string): string =>
  mac(keyFor(token, purpose), salt);
