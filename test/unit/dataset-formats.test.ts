// OpenAI Evals JSONL and Langfuse items, in and out: each line or item becomes an example with the fields named,
// a bad file is refused whole naming every problem, and an export gives back what was imported.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLangfuse, parseOpenAiEvals, toLangfuse, toOpenAiEvals } from '../../core/dataset-formats.js';
import { SpecError } from '../../core/errors.js';
import { scoreExample } from '../../core/metrics.js';

const fixture = (name: string) =>
  fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/formats', name), 'utf8');
const fields = { input: 'question', expected: 'answer' };
const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

describe('OpenAI Evals JSONL', () => {
  it("takes the user messages' text as the input and ideal (one answer or a list) as the expected answer", () => {
    const examples = parseOpenAiEvals(fixture('openai-evals.jsonl'), 'dev', fields);
    expect(examples.map((e) => [e.inputs, e.expected])).toEqual([
      [{ question: 'q0' }, { answer: 'a0' }],
      [{ question: 'q1' }, { answer: ['a1', 'A1'] }],
      [{ question: 'q2' }, { answer: 'a2' }],
    ]);
    expect(examples.every((e) => e.split === 'dev')).toBe(true);
  });

  it('exports the messages it imported as they were, and a plain input as a user message', () => {
    const text = fixture('openai-evals.jsonl');
    const out = lines(toOpenAiEvals(parseOpenAiEvals(text, 'dev', fields)));
    const source = lines(text);
    expect(out.slice(0, 2)).toEqual(source.slice(0, 2));
    expect(out[2]).toEqual({ input: [{ role: 'user', content: 'q2' }], ideal: 'a2' });
    expect(() => toOpenAiEvals([{ inputs: { a: 1, b: 2 }, expected: { x: 1 } }])).toThrow(/name the one to export/);
  });

  it('refuses a bad file whole, naming every line', () => {
    const bad = [
      '{"input": [{"role": "system", "content": "x"}], "ideal": "a"}',
      'not json',
      '{"input": "q", "ideal": 3}',
    ];
    try {
      parseOpenAiEvals(bad.join('\n'), 'dev', fields);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).problems.map((p) => p.path)).toEqual(['line 2', 'line 1.input', 'line 3.ideal']);
    }
  });

  it('scores a text answer against a list of acceptable ones by its best match', () => {
    const m = { name: 'exact_match' as const, field: 'answer' };
    expect(scoreExample(m, { answer: 'A1' }, { answer: ['a1x', 'a1'] })).toBe(1);
    expect(scoreExample(m, { answer: 'b' }, { answer: ['a1x', 'a1'] })).toBe(0);
  });
});

describe('Langfuse dataset items', () => {
  it('takes object inputs and outputs as they are, wraps the rest, and keeps id, metadata and source trace', () => {
    const examples = parseLangfuse(fixture('langfuse-items.json'), 'test', fields);
    expect(examples.map((e) => [e.inputs, e.expected, e.split])).toEqual([
      [{ question: 'q0' }, { answer: 'a0' }, 'test'],
      [{ question: 'q1' }, { answer: 'a1' }, 'test'],
      [{ question: 'q2' }, {}, 'test'],
    ]);
    expect(examples[0]!.metadata).toMatchObject({
      langfuse: { id: 'item-1', sourceTraceId: '4bf92f3577b34da6a3ce929d0e0e4736', metadata: { source: 'prod' } },
    });
  });

  it('exports every item as it was imported', () => {
    const source = JSON.parse(fixture('langfuse-items.json')) as unknown[];
    expect(lines(toLangfuse(parseLangfuse(fixture('langfuse-items.json'), 'dev', fields)))).toEqual(source);
  });

  it('refuses an item without an input, and a file that is not JSON', () => {
    expect(() => parseLangfuse('[{"expectedOutput": 1}]', 'dev', fields)).toThrow(SpecError);
    expect(() => parseLangfuse('[{"input": 1}', 'dev', fields)).toThrow(/not a valid JSON array/);
  });
});
