// Canonical JSON is RFC 8785 (JCS): object keys in UTF-16 code unit order whatever the locale, so the
// step cache's keys are the same on every machine; keys of calls whose objects have such keys only stay as they were.
import { describe, expect, it } from 'vitest';
import { stepCacheKey } from '../../activities/step-cache.js';
import { canonicalJson } from '../../core/canonical-json.js';
import type { ComponentSpec } from '../../core/specs.js';

describe('canonicalJson', () => {
  it('orders keys by UTF-16 code units (RFC 8785), not by the locale', () => {
    expect(
      canonicalJson({ b: 1, B: 2, a: { y: 1, X: 2 }, é: 4, _: 5, 1: 6, x_1: 7, x1: 8, '\u{1F600}': 9, '\uFB33': 10 }),
    ).toBe('{"1":6,"B":2,"_":5,"a":{"X":2,"y":1},"b":1,"x1":8,"x_1":7,"é":4,"\u{1F600}":9,"\uFB33":10}');
  });

  it('writes values as JSON does: numbers, escapes, dropped undefined, null for nothing', () => {
    expect(
      canonicalJson({
        n: [1e21, 0.1, -0, 1.5e-7],
        s: 'a"\\\n\u2028',
        u: undefined,
        d: new Date(0),
        list: [undefined, null],
      }),
    ).toBe('{"d":"1970-01-01T00:00:00.000Z","list":[null,null],"n":[1e+21,0.1,0,1.5e-7],"s":"a\\"\\\\\\n\u2028"}');
    expect(canonicalJson({ big: Infinity, nan: NaN, f: () => 1 })).toBe('{"big":null,"nan":null}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('x')).toBe('"x"');
  });
});

describe('the step cache key', () => {
  const spec = {
    name: 'qa',
    kind: 'predict',
    signature: 'question: str -> answer: str',
    instructions: 'Answer briefly.',
    provider: 'local',
    params: { temperature: 0, maxTokens: 64 },
    demos: [{ question: 'q', answer: 'a' }],
  } as unknown as ComponentSpec;
  it('is what it was before RFC 8785 for calls whose objects have lowercase ASCII keys', () => {
    expect(
      stepCacheKey({
        ref: 'qa@1',
        spec,
        model: 'm',
        adapter: 'chat',
        inputs: { question: 'why?', context: ['a', 'b'], meta: { source: 'x', rank: 2 } },
      }),
    ).toMatchInlineSnapshot(`"40cbe74b59b2d219956e71541687fb34d6c6009ea0a86479290ede82dc4cd27e"`);
    expect(
      stepCacheKey({
        ref: 'qa@2',
        spec: { ...spec, instructions: undefined, demos: undefined, params: undefined } as unknown as ComponentSpec,
        model: undefined,
        adapter: 'json',
        inputs: {},
      }),
    ).toMatchInlineSnapshot(`"2f03f44dccadf0aca57e4644c3328bb529eabddb38d1322db7a9b120e3afb830"`);
  });
});
