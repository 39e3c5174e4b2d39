// The edges of promptfoo's and the OpenAI Evals API's semantics, found by an outside review: each case is what
// promptfoo (0.123.1) or the Evals API does with the same input, or a refusal where the import cannot do the same.
import { describe, expect, it } from 'vitest';
import { checkPlain, functionBody, testPassed } from '../../core/assertions.js';
import { SpecError } from '../../core/errors.js';
import { metricSpec } from '../../core/metrics.js';
import { parseEvalsApi, toEvalsApi } from '../../core/openai-evals-api.js';
import { parsePromptfoo, toPromptfoo } from '../../core/promptfoo.js';

const facts = (output: string, vars: Record<string, unknown> = {}) => ({ output, vars });

/** The problems a refused config names; [] when it was taken. */
function problems(text: string): string[] {
  try {
    parsePromptfoo(text);
    return [];
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
}

const head = `prompts: ['Q: {{q}}']\nproviders: [openai:chat:gpt-4o-mini]\n`;

describe('assertions as promptfoo checks them', () => {
  it("a one-line javascript assertion with ';' inside a string keeps its return (promptfoo's buildFunctionBody)", () => {
    expect(functionBody("const s = output; s === 'a;b'")).toBe("const s = output; return s === 'a;b'");
  });

  it('contains-all reads a quoted field with a comma as one value (parseCommaSeparatedValues)', () => {
    expect(checkPlain({ type: 'contains-all', value: '"a, b", c' }, facts('a, b and c')).pass).toBe(true);
  });

  it("each string in a list value is rendered with the example's vars", () => {
    expect(checkPlain({ type: 'contains-any', value: ['{{city}}'] }, facts('Paris', { city: 'Paris' })).pass).toBe(
      true,
    );
  });

  it('an assertion of weight 0 never fails the test', () => {
    const a = { type: 'contains', value: 'zzz', weight: 0 };
    const r = checkPlain(a, facts('Paris'));
    expect(r.pass).toBe(false);
    expect(testPassed([a], [r])).toBe(true);
    expect(testPassed([{ ...a, weight: 1 }], [r])).toBe(false);
  });
});

describe("the assertions metric's own assertions", () => {
  it('are checked when the eval is started (a 400), as an import checks them, not failed on every example', () => {
    const bad = [{ type: 'regex', value: '(' }, { type: 'cost' }, { type: 'javascript', value: 42 }];
    for (const a of bad)
      expect(metricSpec.safeParse({ name: 'assertions', args: { assert: [a] } }).success).toBe(false);
  });
});

describe('a promptfoo config in: what it cannot carry is refused, not approximated', () => {
  it('a prompt placeholder that no test defines is refused, whatever its name', () => {
    expect(
      problems(`prompts: ['Q: {{constructor}}']\nproviders: [openai:chat:gpt-4o-mini]\ntests:\n  - vars: {q: hi}\n`),
    ).not.toEqual([]);
  });

  it('assertion values read from files or packages are refused', () => {
    const p = problems(
      `${head}tests:\n  - vars: {q: hi}\n    assert:\n      - {type: contains, value: 'file://expected.txt'}\n      - {type: javascript, value: 'file://check.js'}\n      - {type: javascript, value: 'package:mypkg:check'}\n`,
    );
    expect(p).toHaveLength(3);
  });

  it('a template construct in an assertion value that is not rendered is refused', () => {
    expect(
      problems(`${head}tests:\n  - vars: {q: hi}\n    assert:\n      - {type: contains, value: '{{ q | upper }}'}\n`),
    ).not.toEqual([]);
  });

  it('providers the import cannot run as a chat model are refused by id', () => {
    expect(
      problems(`prompts: ['Q: {{q}}']\nproviders: ['openai:responses:gpt-4o']\ntests:\n  - vars: {q: hi}\n`),
    ).not.toEqual([]);
  });

  it("YAML merge keys are applied, as promptfoo's loader does", () => {
    expect(problems(`base: &b {q: hi}\n${head}tests:\n  - vars:\n      <<: *b\n`)).toEqual([]);
  });

  it('keys the import does not know in defaultTest or at the top level are refused, as unknown test keys are', () => {
    expect(
      problems(`${head}defaultTest:\n  options: {transform: output.trim()}\ntests:\n  - vars: {q: hi}\n`),
    ).not.toEqual([]);
    expect(
      problems(`${head}scenarios: [{config: [{vars: {q: a}}], tests: [{}]}]\ntests:\n  - vars: {q: hi}\n`),
    ).not.toEqual([]);
  });
});

describe('a promptfoo config out', () => {
  it("a date-like var stays text for promptfoo's YAML loader (it reads 2024-01-01 as a Date)", () => {
    const yaml = toPromptfoo({
      prompts: [{ label: 'p', template: 'Q: {{d}}' }],
      providers: [{ id: 'openai:chat:gpt-4o-mini', type: 'openai', model: 'gpt-4o-mini' }],
      tests: [{ vars: { d: '2024-01-01' }, assert: [] }],
      defaultAssert: [],
      embedders: new Map(),
    });
    expect(yaml).toMatch(/d: ["']2024-01-01["']/);
  });
});

describe('the OpenAI Evals API in and out', () => {
  it("refuses to export examples whose assertions differ (an eval's graders are the same for every item)", () => {
    const examples = [
      { inputs: { q: 'two plus two' }, expected: {}, metadata: { assert: [{ type: 'equals', value: '4' }] } },
      {
        inputs: { q: 'capital of France' },
        expected: {},
        metadata: { assert: [{ type: 'contains', value: 'Paris' }] },
      },
    ];
    expect(() => toEvalsApi('d', examples)).toThrow(/differ from the first/);
  });

  it('an export of items whose fields differ reads back', () => {
    const examples = [
      {
        inputs: { q: 'a', n: 1 },
        expected: { answer: 'x' },
        metadata: { assert: [{ type: 'equals', value: '{{answer}}' }] },
      },
      {
        inputs: { q: 'b', n: 'two', tag: 't' },
        expected: { answer: 'y' },
        metadata: { assert: [{ type: 'equals', value: '{{answer}}' }] },
      },
    ];
    expect(parseEvalsApi(undefined, toEvalsApi('d', examples), 'dev')).toHaveLength(2);
  });

  const def = (item_schema: unknown, reference = '{{ item.a }}') => ({
    data_source_config: { type: 'custom', item_schema },
    testing_criteria: [
      { type: 'string_check', name: 'x', input: '{{ sample.output_text }}', reference, operation: 'eq' },
    ],
  });

  it('an item_schema that is not a JSON schema is a refusal naming it (a 400), not a crash', () => {
    expect(() => parseEvalsApi(def({ type: 'foo' }), '{"a":"1"}', 'dev')).toThrow(SpecError);
  });

  it('an item that is not an object is a refusal naming its line', () => {
    expect(() => parseEvalsApi(def({}), 'null', 'dev')).toThrow(SpecError);
  });

  it('a reference this import cannot render ({{ item.a.b }}, {{ sample.output_json.x }}) is refused', () => {
    expect(() => parseEvalsApi(def({}, '{{ item.meta.answer }}'), '{"meta":{"answer":"1"}}', 'dev')).toThrow(SpecError);
  });
});
