// A line diff of two specs as canonical pretty JSON (keys sorted), lines in their place: what a new version changed.
import { canonicalJson } from '../../../core/canonical-json.js';
import { align } from '../../../core/sequence-diff.js';

export interface DiffLine {
  sign: ' ' | '-' | '+';
  text: string;
}

const pretty = (value: unknown) => JSON.stringify(JSON.parse(canonicalJson(value)), null, 2).split('\n');

/**
 * Removed lines sit just before the lines that replaced them; a line that only gained or lost its
 * trailing comma (a key added after it) is no change and shows as it is on the right.
 * @example specDiff({ a: 1 }, { a: 1, b: 2 }) // [' {', ' "a": 1,', '+"b": 2', ' }'] as lines
 */
export function specDiff(left: unknown, right: unknown): DiffLine[] {
  return align(pretty(left), pretty(right), (l) => l.replace(/,$/, '')).map((p) =>
    p.a !== undefined && p.b !== undefined
      ? { sign: ' ', text: p.b }
      : p.a !== undefined
        ? { sign: '-', text: p.a }
        : { sign: '+', text: p.b! },
  );
}
