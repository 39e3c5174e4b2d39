// An optimizer's budget ask in the dashboard (issue 33): a GEPA run with a small maxCostUsd waits for a person, is
// granted another budget from its run page, waits again, is stopped from the page, and keeps its best candidate;
// the page shows its trials, the best so far and the proposal against the current instruction meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { IDEA, ideaModel, seedIdeaTask } from '../helpers/idea-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';

describe('the optimizer budget ask (e2e)', () => {
  let session: UpSession;
  let fake: FakeProvider;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const run = (id: string) => api('GET', `/api/runs/${id}`);

  beforeAll(async () => {
    fake = await startFakeProvider('openai', ideaModel);
    session = await startHarnessUp(fake.baseUrl);
    // A dollar per thousand tokens: the first eval on dev alone passes the budget.
    await api('PUT', '/api/pricing', { 'priced-model': { input: 1000, output: 1000 } });
    await api('POST', '/api/providers', {
      name: 'priced',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'priced-model',
    });
    await seedIdeaTask(api, { provider: 'priced' });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('waits, is granted once from the page, waits again, is stopped from the page and keeps its best', async () => {
    const started = await api('POST', '/api/optimizations', {
      component: 'coder',
      dataset: 'codes',
      metric: { name: 'exact_match', field: 'answer', args: { caseSensitive: true } },
      optimizer: 'gepa',
      seed: 7,
      trials: 4,
      budget: { maxCostUsd: 0.05 },
    });
    const { page } = session;
    const waiting = async () => (await run(started.id)).status;
    await expect.poll(waiting, { timeout: 60_000 }).toBe('waiting_approval');
    await page.goto(`${session.url}/ui/runs/${started.id}`);
    const card = page.locator('[data-approval="budget-1"]');
    await card.waitFor();
    expect(await card.textContent()).toContain('the next candidate would pass maxCostUsd 0.05');
    await card.locator('[data-test="approve"]').click();

    // Granted: iteration 1 runs, finds the idea, and the second ask comes before iteration 2.
    await page.locator('[data-approval="budget-2"]').waitFor({ timeout: 60_000 });
    const search = page.locator('[data-test="search"]');
    await expect.poll(() => search.locator('[data-trial="1"]').textContent()).toContain('accepted as candidate 1');
    // The proposal against the current instruction: only the idea is new.
    const added = await search.locator('[data-proposal="1"] .text-success').allTextContents();
    expect(added.map((t) => t.trim())).toEqual([IDEA]);
    await session.shot('optimizer-budget-ask');
    await search.locator('[data-test="stop-search"]').click();

    await expect.poll(async () => (await run(started.id)).status, { timeout: 60_000 }).toBe('completed');
    const done = await run(started.id);
    expect(done.outputs).toMatchObject({ saved: true, after: 1, instruction: `Answer the question. ${IDEA}` });
    expect(done.outputs.spent.extended).toBe(1);
    const events = (await api('GET', `/api/runs/${started.id}/events`)).events as Array<{ type: string; data: any }>;
    expect(
      events.filter((e) => e.type === 'approval.resolved').map((e) => [e.data.approvalId, e.data.decision]),
    ).toEqual([
      ['budget-1', 'approve'],
      ['budget-2', 'deny'],
    ]);
    await expect.poll(() => search.locator('[data-test="search-result"]').textContent()).toContain('saved version 2');
    await session.shot('optimizer-search-done');

    // The saved version says where it came from, on its component's page.
    await page.goto(`${session.url}/ui/components/coder?version=2`);
    const provenance = page.locator('[data-test="provenance"]');
    await provenance.waitFor();
    expect((await provenance.textContent())!.replace(/\s+/g, ' ')).toMatch(
      new RegExp(
        `Saved by GEPA run ${started.id} from coder@1 on dataset codes \\(12 train, 8 dev, 8 test\\): exact_match:answer 0\\.250 \\[[\\d.]+, [\\d.]+\\] → 1\\.000 \\[[\\d.]+, 1\\.00\\] on test\\.`,
      ),
    );
    await session.shot('optimizer-provenance');
  });
});
