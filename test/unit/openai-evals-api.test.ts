// The OpenAI Evals API's eval definition in and out: string_check graders map to exact assertions, score_model and
// label_model to llm-rubric judges, what has no counterpart (text_similarity) is refused by name, items are checked
// against the item schema, and an export reads back to the same examples.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../core/errors.js';
import { parseEvalsApi, toEvalsApi } from '../../core/openai-evals-api.js';

const fixture = (name: string) =>
  fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/formats', name), 'utf8');
const definition = JSON.parse(fixture('openai-eval.json')) as { testing_criteria: unknown[] };
const items = fixture('openai-eval-items.jsonl');
const withCriteria = (criteria: unknown[]) => ({ ...definition, testing_criteria: criteria });

function problems(def: unknown, text = items): string[] {
  try {
    parseEvalsApi(def, text, 'dev');
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('not refused');
}

describe('an OpenAI Evals API eval in', () => {
  it("splits each item into inputs and the graders' reference, and carries the graders as assertions", () => {
    const examples = parseEvalsApi(definition, items, 'dev');
    expect(examples).toHaveLength(4);
    expect(examples[0]).toEqual({
      inputs: { question: 'q0' },
      expected: { answer: 'a0' },
      split: 'dev',
      metadata: {
        assert: [
          { type: 'equals', value: '{{answer}}', metric: 'exact answer' },
          { type: 'not-equals', value: 'wrong', metric: 'never wrong' },
        ],
      },
    });
  });

  it('makes score_model and label_model judges, the pass threshold scaled to 0..1', () => {
    const [e] = parseEvalsApi(
      withCriteria([
        {
          type: 'score_model',
          name: 'helpful',
          input: [
            { role: 'system', content: 'Rate 1 to 5 how well it answers {{ item.question }}.' },
            { role: 'user', content: '{{ sample.output_text }}' },
          ],
          range: [1, 5],
          pass_threshold: 4,
        },
        {
          type: 'label_model',
          name: 'tone',
          input: [{ role: 'user', content: 'The tone of: {{ sample.output_text }}' }],
          labels: ['polite', 'rude'],
          passing_labels: ['polite'],
        },
      ]),
      items,
      'dev',
    );
    const [score, label] = e!.metadata!.assert as Array<{ type: string; value: string; threshold?: number }>;
    expect(score).toEqual({
      type: 'llm-rubric',
      value: 'Rate 1 to 5 how well it answers {{question}}.\n(the answer below)',
      threshold: 0.75,
      metric: 'helpful',
    });
    expect(label!.value).toContain('Score 1 when the label is one of: polite');
  });

  it('refuses, naming each, what it cannot carry and items that break the schema', () => {
    expect(problems(withCriteria([{ type: 'text_similarity', name: 's', evaluation_metric: 'bleu' }]))).toEqual([
      expect.stringMatching(/^definition\.testing_criteria\[0\]\.type: text_similarity is not imported yet/),
    ]);
    expect(
      problems(
        withCriteria([
          { type: 'string_check', name: 'j', input: '{{ sample.output_json.x }}', reference: 'a', operation: 'eq' },
        ]),
      ),
    ).toEqual(['definition.testing_criteria[0].input: only {{ sample.output_text }} is graded here']);
    expect(problems(definition, '{"item": {"question": "q0"}}\nnot json')).toEqual([
      "line 1: does not match the item_schema: must have required property 'answer'",
      expect.stringMatching(/^line 2: not valid JSON/),
    ]);
    expect(problems(undefined, items)[0]).toMatch(/^definition: give the eval definition/);
  });
});

describe('an OpenAI Evals API eval out', () => {
  it('gives back the graders and items it was imported from, as one document that imports again', () => {
    const examples = parseEvalsApi(definition, items, 'dev');
    const doc = JSON.parse(toEvalsApi('answers', examples));
    expect(doc.eval.testing_criteria).toEqual(definition.testing_criteria);
    expect(doc.items[0]).toEqual({ item: { question: 'q0', answer: 'a0' } });
    expect(parseEvalsApi(undefined, JSON.stringify(doc), 'dev')).toEqual(examples);
  });
});
