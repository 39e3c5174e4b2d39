// The label flow in a real browser (issue 29): promote qa@3 to production on the component's page, a pipeline
// following qa@production runs qa@3 and its run page says so, and "edit prompt and rerun" saves qa@4 without
// moving the label or the pipeline.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

const qa = (op: string) => ({
  name: 'qa',
  signature: 'text: str -> result: str',
  instructions: `op: ${op}`,
  provider: 'fake',
});

describe('labels and pinned versions (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const completed = async (id: string) => {
    await until(async () => (await api('GET', `/api/runs/${id}`)).status === 'completed', `run ${id} to complete`);
    return api('GET', `/api/runs/${id}`);
  };

  beforeAll(async () => {
    fake = await startFakeProvider('openai', echoModel);
    session = await startHarnessUp(fake.baseUrl);
    page = session.page;
    await api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    await api('POST', '/api/components', qa('reverse'));
    await api('POST', '/api/components/qa/versions', qa('reverse'));
    await api('POST', '/api/components/qa/versions', qa('upper'));
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('promote qa@3 to production; a pipeline following qa@production runs qa@3; edit and rerun makes qa@4 and moves nothing', async () => {
    // Promote on the component's page: the latest (v3) is picked, the label defaults to production.
    await page.goto(`${session.url}/ui/components/qa`);
    const panel = page.locator('[data-test=labels-panel]');
    await panel.getByText('No labels yet').waitFor();
    await panel.locator('[data-test=promote]').click();
    await panel.locator('[data-label=production][data-version="3"]').waitFor();
    await panel.locator('[data-test=label-moves] [data-move=production]').getByText('from the dashboard').waitFor();
    expect(await panel.locator('[data-test=label-moves] [data-move=production]').textContent()).toContain('unset → v3');
    await session.shot('labels-promote');

    await api('POST', '/api/pipelines', {
      name: 'qa-live',
      inputs: { text: 'str' },
      steps: [{ id: 'answer', component: 'qa@production', inputs: { text: '$inputs.text' } }],
      outputs: { result: '$steps.answer.outputs.result' },
    });
    const run = await completed((await api('POST', '/api/pipelines/qa-live/runs', { inputs: { text: 'abc' } })).id);
    expect(run.outputs).toEqual({ result: 'ABC' });
    await page.goto(`${session.url}/ui/runs/${run.id}`);
    const versions = page.locator('[data-test=run-versions]');
    await versions.locator('[data-component="qa@3"]').getByText('(production)').waitFor();
    expect(await versions.locator('[data-test=run-version-target]').textContent()).toBe('qa-live@1');
    await session.shot('labels-run-versions');

    // Edit prompt and rerun from the step's model call.
    await page.locator('[data-type="llm.request"]').first().click();
    await page.click('[data-test=edit-prompt]');
    const dialog = page.locator('[data-test=edit-prompt-dialog]');
    await expect
      .poll(() => dialog.locator('textarea[name=edit-instructions]').inputValue(), { timeout: 20_000 })
      .toBe('op: upper');
    await dialog.locator('textarea[name=edit-instructions]').fill('op: reverse');
    await dialog.locator('[data-test=save-and-rerun]').click();
    await page.waitForURL((u) => /\/ui\/runs\/run_\w+$/.test(u.pathname) && !u.pathname.endsWith(run.id));
    const forkId = page.url().split('/').pop()!;
    await page.locator('[data-test=outputs]').getByText('cba').waitFor({ timeout: 30_000 });
    await page.locator('[data-test=run-versions] [data-component="qa@4"]').waitFor();

    // qa@4 exists; the label and the pipeline did not move; the pipeline still runs qa@3.
    expect((await api('GET', '/api/components/qa')).latestVersion).toBe(4);
    expect((await api('GET', '/api/components/qa/labels')).labels).toEqual([
      expect.objectContaining({ label: 'production', version: 3 }),
    ]);
    expect((await api('GET', '/api/pipelines/qa-live')).latestVersion).toBe(1);
    expect(await api('GET', `/api/runs/${forkId}/versions`)).toMatchObject({ steps: { answer: 'qa@4' } });
    const again = await completed((await api('POST', '/api/pipelines/qa-live/runs', { inputs: { text: 'abc' } })).id);
    expect(again.outputs).toEqual({ result: 'ABC' });
    expect((await api('GET', `/api/runs/${again.id}/versions`)).steps).toEqual({ answer: 'qa@3' });
    await page.goto(`${session.url}/ui/components/qa`);
    await page.locator('[data-test=labels-panel] [data-label=production][data-version="3"]').waitFor();
  });
});
