// Sequence alignment (longest common subsequence), word-level text diffs and structured JSON diffs.
import { Diff } from 'diff';

export type Aligned<T> = { a?: T; b?: T; ai?: number; bi?: number };

/** Align two sequences by key: matched pairs in order, with unmatched items on either side between them. */
export function align<T>(a: T[], b: T[], key: (x: T) => string): Array<Aligned<T>> {
  const ka = a.map(key);
  const kb = b.map(key);
  // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = ka[i] === kb[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Array<Aligned<T>> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && ka[i] === kb[j]) out.push({ a: a[i], b: b[j], ai: i++, bi: j++ });
    else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push({ a: a[i], ai: i++ });
    else out.push({ b: b[j], bi: j++ });
  }
  return out;
}

export type WordOp = { op: 'same' | 'added' | 'removed'; text: string };

/** Words with the whitespace after them; a word is the same whatever whitespace follows it (the new text's is kept). */
class AttachedWords extends Diff<string, string> {
  override tokenize(value: string): string[] {
    return value.match(/\S+\s*|\s+/g) ?? [];
  }

  override equals(left: string, right: string): boolean {
    return left.trimEnd() === right.trimEnd();
  }
}
const attachedWords = new AttachedWords();

/**
 * Past this many words added or removed, the diff is one removal and one addition: finding the edits costs
 * about their number squared, and a text rewritten that much reads no better word by word.
 */
const MAX_EDITS = 500;

/** A word-level diff of two texts (jsdiff); whitespace stays attached so the pieces join back into each text. */
export function wordDiff(a: string, b: string): WordOp[] {
  if (a === b) return a ? [{ op: 'same', text: a }] : [];
  const changes = attachedWords.diff(a, b, { maxEditLength: MAX_EDITS });
  if (!changes)
    return [...(a ? [{ op: 'removed' as const, text: a }] : []), ...(b ? [{ op: 'added' as const, text: b }] : [])];
  return changes.map((c) => ({ op: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }));
}

export type JsonChange = {
  path: string;
  op: 'changed' | 'added' | 'removed';
  a?: unknown;
  b?: unknown;
  words?: WordOp[];
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A structured diff: one change per differing leaf (strings get a word diff too). */
export function jsonDiff(a: unknown, b: unknown, path = ''): JsonChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) return [{ path: p, op: 'added' as const, b: b[k] }];
      if (!(k in b)) return [{ path: p, op: 'removed' as const, a: a[k] }];
      return jsonDiff(a[k], b[k], p);
    });
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => {
      const p = `${path}[${i}]`;
      if (i >= a.length) return [{ path: p, op: 'added' as const, b: b[i] }];
      if (i >= b.length) return [{ path: p, op: 'removed' as const, a: a[i] }];
      return jsonDiff(a[i], b[i], p);
    }).flat();
  }
  return [
    { path, op: 'changed', a, b, ...(typeof a === 'string' && typeof b === 'string' ? { words: wordDiff(a, b) } : {}) },
  ];
}
