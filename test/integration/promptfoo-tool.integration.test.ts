// The parity tests' promptfoo runs: the installed 0.123.1 on Node 24 evaluates a config against a fake OpenAI
// server in this process, and its results come back row by row.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { runPromptfoo } from '../helpers/promptfoo.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider('openai', () => 'Paris', ['gpt-4o-mini']);
});
afterAll(() => fake.close());

it('runs promptfoo on a config against the fake provider and reads back each test pass or fail', async () => {
  const config = `
prompts:
  - 'Answer briefly: {{question}}'
providers:
  - id: openai:chat:gpt-4o-mini
    config:
      apiBaseUrl: ${fake.baseUrl}
tests:
  - vars: { question: What is the capital of France? }
    assert:
      - type: icontains
        value: paris
  - vars: { question: What is 2 + 3? }
    assert:
      - type: equals
        value: '5'
`;
  const rows = await runPromptfoo(config);

  expect(rows.map((r) => r.success)).toEqual([true, false]);
  expect(rows.map((r) => r.assertions.map((a) => [a.type, a.pass]))).toEqual([
    [['icontains', true]],
    [['equals', false]],
  ]);
  expect(rows[0]).toMatchObject({ testIdx: 0, promptIdx: 0, provider: 'openai:chat:gpt-4o-mini' });
  expect(rows[1]!.vars).toEqual({ question: 'What is 2 + 3?' });
  expect(fake.requests).toHaveLength(2);
  expect(fake.requests.map((r) => r.messages.at(-1)?.content).sort()).toEqual([
    'Answer briefly: What is 2 + 3?',
    'Answer briefly: What is the capital of France?',
  ]);
});
