// promptfoo configs in and out: what an import takes from one, everything it cannot carry refused by name before
// anything is written, and an export that parses back to the same prompts, providers, tests and assertions.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../core/errors.js';
import { parsePromptfoo, toPromptfoo } from '../../core/promptfoo.js';

const PARITY = fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/promptfoo/parity.yaml'), 'utf8');

/** The problems a refused config names, as `path: message`. */
function problems(text: string): string[] {
  try {
    parsePromptfoo(text);
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('the config was not refused');
}

const base = `
prompts: ['Q: {{q}}']
providers: [openai:chat:gpt-4o-mini]
tests:
  - vars: {q: hi}
    assert: [{type: contains, value: hello}]
`;

describe('a promptfoo config in', () => {
  it('takes prompts, providers with their params and base URL, tests with defaultTest merged in, and the grader', () => {
    const c = parsePromptfoo(PARITY);
    expect(c.prompts.map((p) => p.label)).toEqual(['terse', 'polite']);
    expect(c.prompts[1]!.template).toContain('Question: {{question}}');
    expect(c.providers).toEqual([
      {
        id: 'openai:chat:gpt-4o-mini',
        label: 'mini',
        type: 'openai',
        model: 'gpt-4o-mini',
        baseUrl: 'BASE_URL',
        params: { temperature: 0 },
      },
      { id: 'openai:chat:gpt-4o', label: 'full', type: 'openai', model: 'gpt-4o', baseUrl: 'BASE_URL' },
    ]);
    expect(c.tests).toHaveLength(9);
    expect(c.tests[0]).toMatchObject({
      description: 'the capital of France',
      vars: { question: 'capital of France', city: 'Paris' },
    });
    expect(c.defaultAssert).toEqual([{ type: 'not-icontains', value: 'as an ai' }]);
    expect(c.grader).toMatchObject({ type: 'openai', model: 'gpt-4o-mini' });
  });

  it('reads the short provider ids of each kind', () => {
    const c = parsePromptfoo(
      base.replace('[openai:chat:gpt-4o-mini]', '[openai:gpt-4o, anthropic:messages:claude-x, ollama:llama3]'),
    );
    expect(c.providers.map((p) => [p.type, p.model])).toEqual([
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-x'],
      ['ollama', 'llama3'],
    ]);
  });

  it('refuses, naming each, what it cannot carry over exactly', () => {
    expect(problems('prompts: [')).toEqual([expect.stringMatching(/^config: /)]);
    expect(problems(base.replace("'Q: {{q}}'", 'file://prompt.txt'))).toContain(
      "prompts[0]: prompts from files (file://prompt.txt) are not imported: put the prompt's text in the config",
    );
    expect(problems(base.replace('openai:chat:gpt-4o-mini', 'bedrock:claude'))[0]).toMatch(/^providers\[0\]\.id: /);
    expect(problems(base.replace('{q: hi}', '{q: [hi, ho]}'))[0]).toContain('one test per value');
    expect(problems(base.replace('{type: contains, value: hello}', '{type: similar, value: hello}'))[0]).toContain(
      'similar without a provider) needs a grader',
    );
    expect(
      problems(
        base.replace('{type: contains, value: hello}', '{type: similar, value: hello, provider: openai:chat:gpt-4o}'),
      ),
    ).toEqual([
      expect.stringMatching(/^tests\[0\]\.assert\[0\]\.provider\.id: 'openai:chat:gpt-4o' is not an embedding model/),
    ]);
    expect(problems(base.replace('{type: contains, value: hello}', '{type: rouge-n, value: hello}'))[0]).toMatch(
      /^tests\[0\]\.assert\[0\]\.type: an assertion type is one of/,
    );
    expect(problems(base.replace('{q: hi}', '{other: hi}'))).toContain(
      "tests[0].vars: has no 'q', which prompt 'prompt 1' uses",
    );
    expect(problems(base.replace('{type: contains, value: hello}', '{type: llm-rubric, value: polite}'))).toEqual([
      expect.stringMatching(
        /^defaultTest\.options\.provider: llm-rubric (\(and similar without a provider\) )?needs a grader/,
      ),
    ]);
    expect(
      problems(base.replace('[openai:chat:gpt-4o-mini]', '[{id: openai:chat:m, config: {apiKey: sk-x, top_p: 1}}]')),
    ).toEqual([expect.stringMatching(/^providers\[0\]\.config: apiKey, top_p cannot be imported/)]);
    expect(problems('tests: file://tests.csv\nprompts: [x]\nproviders: [openai:m]')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^tests: tests from files/)]),
    );
  });
});

describe('a promptfoo config out', () => {
  it('parses back to the same prompts, providers, tests, default assertions and grader', () => {
    const c = parsePromptfoo(PARITY);
    expect(parsePromptfoo(toPromptfoo(c))).toEqual(c);
  });
});
