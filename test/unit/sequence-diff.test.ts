// The word diff (jsdiff underneath): whitespace kept with the word before it, no cap on length,
// and a bound on edits so a wholly rewritten long text costs little.
import { describe, expect, it } from 'vitest';
import { wordDiff } from '../../core/sequence-diff.js';

describe('wordDiff', () => {
  it('diffs words however long the texts, down to the one word that changed', () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}`);
    const a = words.join(' ');
    const b = words.map((w) => (w === 'w4000' ? 'changed' : w)).join(' ');
    const ops = wordDiff(a, b);
    expect(ops.map((o) => [o.op, o.op === 'same' ? o.text.length : o.text])).toEqual([
      ['same', a.indexOf('w4000')],
      ['removed', 'w4000 '],
      ['added', 'changed '],
      ['same', a.length - a.indexOf('w4001')],
    ]);
    expect(
      ops
        .filter((o) => o.op !== 'added')
        .map((o) => o.text)
        .join(''),
    ).toBe(a);
    expect(
      ops
        .filter((o) => o.op !== 'removed')
        .map((o) => o.text)
        .join(''),
    ).toBe(b);
  });

  it("keeps whitespace with the word before it (a same word takes the new text's)", () => {
    expect(wordDiff('a  b\nc', 'a b c d')).toEqual([
      { op: 'same', text: 'a b c ' },
      { op: 'added', text: 'd' },
    ]);
    expect(wordDiff('old words', 'new words')).toEqual([
      { op: 'removed', text: 'old ' },
      { op: 'added', text: 'new ' },
      { op: 'same', text: 'words' },
    ]);
    expect(wordDiff('', 'x')).toEqual([{ op: 'added', text: 'x' }]);
    expect(wordDiff('x', '')).toEqual([{ op: 'removed', text: 'x' }]);
    expect(wordDiff('', '')).toEqual([]);
  });

  it('gives a text rewritten past the edit limit as one removal and one addition', () => {
    const a = Array.from({ length: 600 }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: 600 }, (_, i) => `b${i}`).join(' ');
    expect(wordDiff(a, b)).toEqual([
      { op: 'removed', text: a },
      { op: 'added', text: b },
    ]);
  });
});
