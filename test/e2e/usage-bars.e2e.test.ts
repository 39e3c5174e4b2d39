// Token counts where a person reads them (issue 29): an agent's turn bars and an optimizer's header,
// and an optimizer that found nothing better says so on its page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentModel } from '../helpers/agent-model.js';
import { evalModel, examples } from '../helpers/eval-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

describe('usage on the run page (e2e)', () => {
  let session: UpSession;
  let agentFake: FakeProvider;
  let evalFake: FakeProvider;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const waitEnded = async (id: string) => {
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const run = await api('GET', `/api/runs/${id}`);
      if (!['queued', 'running', 'waiting_approval'].includes(run.status)) return run;
    }
    throw new Error(`run ${id} did not end`);
  };

  beforeAll(async () => {
    const read = { tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } };
    agentFake = await startFakeProvider(
      'openai',
      agentModel({ look: [read, read, { finish: { answer: '{{last}}' } }] }),
    );
    evalFake = await startFakeProvider('openai', evalModel);
    session = await startHarnessUp(agentFake.baseUrl);
    await api('PUT', '/api/policy', { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    await api('POST', '/api/providers', {
      name: 'agentfake',
      type: 'openai',
      baseUrl: agentFake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'm',
    });
    await api('POST', '/api/providers', {
      name: 'evalfake',
      type: 'openai',
      baseUrl: evalFake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'm',
    });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await agentFake?.close();
    await evalFake?.close();
  });

  it("an agent's turn bars show each turn's tokens, the finishing turn's too", async () => {
    await api('POST', '/api/components', {
      name: 'looker',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'agentfake',
      tools: ['filesystem'],
    });
    const run = await api('POST', '/api/components/looker/runs', { inputs: { task: 'look' } });
    expect((await waitEnded(run.id)).status).toBe('completed');
    const { page } = session;
    await page.goto(`${session.url}/ui/runs/${run.id}`);
    const bars = page.locator('[data-step^="turn["]');
    // The page loads the events after it renders: wait until the bars have them all (each a count above 0).
    const shown = () =>
      bars.evaluateAll((els) =>
        els.map((e) => [
          e.getAttribute('data-step'),
          e.getAttribute('data-step-status'),
          Number(e.querySelector('.text-caption')?.textContent) > 0,
        ]),
      );
    await expect.poll(shown, { timeout: 20_000 }).toEqual([
      ['turn[0]', 'completed', true],
      ['turn[1]', 'completed', true],
      ['turn[2]', 'completed', true],
    ]);
    await session.shot('agent-turn-tokens');
  });

  it("an optimizer's header counts its trials' tokens, and it says when it kept the version it had", async () => {
    // "quarter" is right on q0 and q4 whatever the demos: no candidate beats it.
    await api('POST', '/api/components', {
      name: 'steady',
      signature: 'question: str -> answer: str',
      instructions: 'mode: quarter',
      provider: 'evalfake',
    });
    await api('POST', '/api/datasets', { name: 'steady-set' });
    await api('POST', '/api/datasets/steady-set/examples', {
      examples: [...examples(4, 'train', 'train-'), ...examples(4, 'dev')],
    });
    const run = await api('POST', '/api/optimizations', {
      component: 'steady',
      dataset: 'steady-set',
      metric: { name: 'exact_match', field: 'answer' },
      k: 2,
    });
    expect((await waitEnded(run.id)).status).toBe('completed');
    const { page } = session;
    await page.goto(`${session.url}/ui/runs/${run.id}`);
    await page.getByText('no improvement: kept steady@1').first().waitFor({ timeout: 20_000 });
    // Counted from the trials' events, which may arrive after the verdict.
    const promptTokens = async () =>
      Number(/^(\d+) \+/.exec(((await page.locator('[data-test=usage]').textContent()) ?? '').trim())?.[1]);
    await expect.poll(promptTokens, { timeout: 20_000 }).toBeGreaterThan(0);
    await session.shot('optimize-kept');
  });
});
