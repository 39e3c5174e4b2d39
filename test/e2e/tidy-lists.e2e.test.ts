// The runs list and the components list as a user keeps them (issue 29): the list pages past 100 runs and says
// when each started; a chat shows as the chat, idle while it waits, and the chat page links to its run; runs and
// components are archived and deleted from the dashboard, each delete confirmed first.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { openStore } from '../../db/knex.js';
import { createRun, updateRun } from '../../db/repositories/runs.js';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';

const script = (req: FakeRequest) =>
  promptOp(req) === 'unknown' ? `you said: ${req.messages.at(-1)!.content}` : echoModel(req);

describe('tidy lists (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const rows = () => page.locator('[data-test=runs-table] tbody tr[data-run]');

  beforeAll(async () => {
    fake = await startFakeProvider('openai', script);
    session = await startHarnessUp(fake.baseUrl);
    page = session.page;
    await api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    for (const c of DIAMOND_COMPONENTS) await api('POST', '/api/components', c);
    await api('POST', '/api/pipelines', DIAMOND_SPEC);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('pages the runs list past 100 runs and shows when each started', async () => {
    // 130 finished runs written straight into the project's store: the list's paging is what is tested, not 130 workflows.
    const store = openStore({ dialect: 'sqlite', url: path.join(session.dir, 'harness.db') });
    try {
      for (let i = 0; i < 130; i++) {
        const run = await createRun(store, {
          id: newId('run'),
          kind: 'component',
          target: { type: 'component', id: 'c', name: 'upper', version: 1 },
          inputs: { text: `n${i}` },
        });
        await updateRun(store, run.id, { status: 'running' });
        await updateRun(store, run.id, { status: 'completed', outputs: { result: `N${i}` } });
      }
    } finally {
      await store.close();
    }
    const total = (await api('GET', '/api/runs?limit=200')).runs.length as number;
    await page.goto(`${session.url}/ui/runs`);
    await until(async () => (await rows().count()) === 100, 'the first page of 100 runs');
    const started = await rows().first().locator('[data-test=run-started]').textContent();
    expect(started).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    await page.locator('[data-test=runs-page]').getByText('Page 1').waitFor();
    await page.click('[data-test=runs-older]');
    await page.locator('[data-test=runs-page]').getByText('Page 2').waitFor();
    await until(async () => (await rows().count()) === total - 100, 'the second page');
    expect(await page.locator('[data-test=runs-older]').isDisabled()).toBe(true);
    await page.click('[data-test=runs-newer]');
    await until(async () => (await rows().count()) === 100, 'back on the first page');
    await session.shot('runs-paged');
  });

  it('shows a chat as the chat, idle while it waits, and the chat page links to its run', async () => {
    const chat = await api('POST', '/api/chats', { title: 'Trip ideas', provider: 'fake' });
    await api('POST', `/api/chats/${chat.id}/messages`, { content: 'hello' });
    await page.goto(`${session.url}/ui/runs`);
    const row = page.locator(`[data-run="${chat.runId}"]`);
    await row.locator('[data-test=run-chat]').getByText('Trip ideas').waitFor();
    await row.locator('[data-status=idle]').waitFor();
    expect(await row.textContent()).not.toContain('fake@0');
    await row.locator('[data-test=run-chat]').click();
    await page.waitForURL(/\/ui\/chat\?chat=/);
    await page.locator('[data-test=chat-user]').getByText('hello').waitFor();
    await page.click('[data-test=chat-run-link]');
    await page.waitForURL(new RegExp(`/ui/runs/${chat.runId}$`));
  });

  it('archives and deletes a run and a component, each delete confirmed', async () => {
    const run = await api('POST', '/api/components/upper/runs', { inputs: { text: 'tidy' } });
    await until(async () => (await api('GET', `/api/runs/${run.id}`)).status === 'completed', 'the run to complete');
    await page.goto(`${session.url}/ui/runs`);
    const row = page.locator(`[data-run="${run.id}"]`);
    await row.locator('[data-test=archive-run]').click();
    await row.waitFor({ state: 'detached' });
    await page.click('[data-test=runs-show-archived]');
    await row.locator('[data-test=run-archived]').waitFor();
    await row.locator('[data-test=delete-run]').click();
    await page.locator('[data-test=confirm-delete-run]').getByText(run.id).waitFor();
    await page.click('[data-test=confirm-delete-run] [data-test=confirm]');
    await row.waitFor({ state: 'detached' });
    const gone = await fetch(`${session.url}/api/runs/${run.id}`, {
      headers: { authorization: `Bearer ${await page.evaluate(() => localStorage.getItem('vloop.token'))}` },
    });
    expect(gone.status).toBe(404);

    await api('POST', '/api/components', {
      name: 'scratch',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'fake',
    });
    await page.goto(`${session.url}/ui/components`);
    await page.locator('[data-component=reverse] [data-test=archive-component]').click();
    await page.locator('[data-component=reverse]').waitFor({ state: 'detached' });
    await page.click('[data-test=components-show-archived]');
    await page.locator('[data-component=reverse] [data-test=component-archived]').waitFor();
    await page.locator('[data-component=upper] [data-test=delete-component]').click();
    await page.click('[data-test=confirm-delete-component] [data-test=confirm]');
    await page
      .locator('[data-test=confirm-delete-component] [data-test=error]')
      .getByText("pipeline 'diamond' uses it")
      .waitFor();
    await session.shot('component-delete-refused');
    await page.click('[data-test=confirm-delete-component] [data-test=cancel]');
    await page.locator('[data-component=scratch] [data-test=delete-component]').click();
    await page.click('[data-test=confirm-delete-component] [data-test=confirm]');
    await page.locator('[data-component=scratch]').waitFor({ state: 'detached' });
    expect((await api('GET', '/api/components?archived=include')).map((c: { name: string }) => c.name)).not.toContain(
      'scratch',
    );
  });
});
