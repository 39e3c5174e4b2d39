// An agent's turn bars show each turn's tokens exactly as the provider counted them (issue 30): the bars are
// the one fold of the run's events (core/run-story/fold.ts), where a model call `agent[N]` belongs to turn N.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentModel } from '../helpers/agent-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { countTokens, type FakeRequest } from '../fakes/script.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

describe("an agent's turn bars (e2e)", () => {
  let session: UpSession;
  let fake: FakeProvider;
  /** The tokens the fake reported for each model call, in the order it answered them (prompt + completion). */
  const reported: number[] = [];
  const read = { tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } };
  const model = agentModel({ tally: [read, read, { finish: { answer: '{{last}}' } }] });
  // The fake's own usage rule (test/fakes/openai.ts): words of the prompt's messages, words of the reply.
  const counting = (req: FakeRequest) => {
    const text = model(req);
    reported.push(countTokens(req.messages.map((m) => m.content).join(' ')) + countTokens(text));
    return text;
  };

  beforeAll(async () => {
    fake = await startFakeProvider('openai', counting);
    session = await startHarnessUp(fake.baseUrl);
    await session.api('PUT', '/api/policy', {
      rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }],
    });
    await session.api('POST', '/api/providers', {
      name: 'tallyfake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'm',
    });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it("shows each turn's tokens, the finishing turn's too, as the provider reported them", async () => {
    await session.api('POST', '/api/components', {
      name: 'tallier',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'tallyfake',
      tools: ['filesystem'],
    });
    const run = await session.api('POST', '/api/components/tallier/runs', { inputs: { task: 'tally' } });
    await expect
      .poll(async () => (await session.api('GET', `/api/runs/${run.id}`)).status, { timeout: 90_000 })
      .toBe('completed');
    expect(reported).toHaveLength(3);
    expect(new Set(reported).size).toBe(3); // each turn's prompt is longer than the last: a bar cannot pass for another
    const { page } = session;
    await page.goto(`${session.url}/ui/runs/${run.id}`);
    const bars = page.locator('[data-step^="turn["]');
    const shown = () =>
      bars.evaluateAll((els) =>
        els.map((e) => [
          e.getAttribute('data-step'),
          e.getAttribute('data-step-status'),
          Number(e.querySelector('.text-caption')?.textContent),
        ]),
      );
    const expected = reported.map((tokens, n) => [`turn[${n}]`, 'completed', tokens]);
    // The page loads the events after it renders: wait until the bars have them all.
    await expect.poll(shown, { timeout: 20_000 }).toEqual(expected);
    await session.shot('agent-turn-tokens-exact');
  });
});
