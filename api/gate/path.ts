// The request path as every reader sees it: a path that a decoder, a dot-segment resolver or a slash
// collapser would read as another path is refused, so the gate and the router judge the same string.
import { AppError } from '../errors.js';

const refuse = (why: string) =>
  new AppError(400, 'non_canonical_path', `the request path is not in canonical form: ${why}`);

/**
 * The path of a request target (`req.url`), or a 400 when it is not already canonical: no backslash,
 * no empty segment (`//`), no `.` or `..` segment (also percent-encoded), no encoded `/`, `\`, `%` or
 * control character, no malformed percent-encoding. Case is left alone: the gate compares lower-cased.
 *
 * @example canonicalPath('/api/runs?limit=5') // '/api/runs'
 */
export function canonicalPath(target: string | undefined): string {
  const path = (target ?? '').split(/[?#]/)[0]!;
  if (!path.startsWith('/')) throw refuse('it must start with /');
  if (path.includes('\\')) throw refuse('it holds a backslash');
  if (path.includes('//')) throw refuse('it holds an empty segment (//)');
  for (const seg of path.split('/').slice(1)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      throw refuse('malformed percent-encoding');
    }
    if (decoded === '.' || decoded === '..') throw refuse('it holds a dot segment');
    if (/[/\\\u0000-\u001f\u007f]|%[0-9a-f]{2}/i.test(decoded))
      throw refuse('it encodes a slash, backslash, percent sign or control character');
  }
  return path;
}

/** The path lower-cased without a trailing slash: the routers match case-insensitively and ignore one. */
export function comparablePath(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}
