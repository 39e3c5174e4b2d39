// Driven from the keyboard, shareable by link (issue 35): Ctrl-K opens a run by a fragment of its id and a component
// by name, keys only; a copied URL of a filtered runs list opens the same view in a new page; `?` lists the
// shortcuts (not while typing); the theme switches, follows the system again, and is remembered.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOption } from '../helpers/browser.js';
import { newId } from '../../core/ids.js';
import { openStore } from '../../db/knex.js';
import { createRun, updateRun } from '../../db/repositories/runs.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from '../helpers/stack.js';

const upper = { type: 'component' as const, id: 'c', name: 'upper', version: 1 };
const diamond = { type: 'pipeline' as const, id: 'p', name: 'diamond', version: 1 };

describe('keyboard and links (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;
  /** The runs written for the test, by what they are. */
  const runs: Record<string, string> = {};
  const created: Record<string, string> = {};
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const shownRuns = (p: Page) =>
    p
      .locator('[data-test=runs-table] tbody tr[data-run]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
  const focused = (p: Page) => p.evaluate(() => document.activeElement?.getAttribute('name') ?? null);
  /** Ctrl-K, then the palette's field has the cursor (keys typed before that would be lost). */
  async function openPalette() {
    await page.keyboard.press('Control+k');
    await until(async () => (await focused(page)) === 'palette-input', 'the palette to take the cursor');
  }

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
    for (const c of DIAMOND_COMPONENTS) await api('POST', '/api/components', c);
    await api('POST', '/api/pipelines', DIAMOND_SPEC);
    // Runs written straight into the project's store, a minute apart (their ids' starts and creation times differ).
    const store = openStore({ dialect: 'sqlite', url: path.join(session.dir, 'harness.db') });
    const plan = [
      ['upperFailedA', upper, 'failed'],
      ['upperDone', upper, 'completed'],
      ['diamondFailed', diamond, 'failed'],
      ['upperFailedB', upper, 'failed'],
      ['diamondDone', diamond, 'completed'],
    ] as const;
    try {
      for (const [i, [key, target, status]] of plan.entries()) {
        const at = Date.now() - (plan.length - i) * 60_000;
        const id = newId('run', at);
        await createRun(store, { id, kind: target.type, target, inputs: { text: key } });
        await store
          .knex('runs')
          .where({ id })
          .update({ createdAt: new Date(at).toISOString() });
        created[key] = new Date(at).toISOString();
        await updateRun(store, id, { status: 'running' });
        await updateRun(
          store,
          id,
          status === 'failed' ? { status, error: { message: 'no' } } : { status, outputs: {} },
        );
        runs[key] = id;
      }
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('Ctrl-K opens a run by a fragment of its id, keys only', async () => {
    await page.goto(`${session.url}/ui/`);
    await page.locator('.v-main h1').first().waitFor();
    const id = runs.diamondFailed!;
    await openPalette();
    // The start of the id after run_: its time and two characters of its random part.
    await page.keyboard.type(id.slice(4, 16));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/ui/runs/${id}`);
    await page.getByRole('heading', { name: 'pipeline · diamond@1' }).waitFor();
  });

  it('Ctrl-K opens a component by name, and on its page puts the cursor in its inputs', async () => {
    await openPalette();
    await page.keyboard.type('reverse');
    await page.locator('[data-test=palette-item][data-to="/components/reverse"]').waitFor();
    await session.shot('palette-component');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/ui/components/reverse');
    await page.getByRole('heading', { name: 'reverse' }).waitFor();
    await page.locator('.v-main form [name="input-text"]').waitFor();
    await openPalette();
    await page.keyboard.type('try rev');
    await page.keyboard.press('Enter');
    await until(async () => (await focused(page)) === 'input-text', "the cursor in the component's input");
    // Arrows move through the list; Enter takes the one highlighted.
    await openPalette();
    await page.keyboard.type('go to eva');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/ui/evals');
  });

  it('a copied URL of a filtered runs list opens the same view in a new page', async () => {
    await page.goto(`${session.url}/ui/runs`);
    await until(async () => (await shownRuns(page)).length === 5, 'every run listed');
    await chooseOption(page, page.locator('[data-test=run-status]'), 'failed');
    await page.fill('[name=run-target]', 'upper');
    await chooseOption(page, page.locator('[data-test=run-period]'), 'Last 24 hours');
    const wanted = [runs.upperFailedB, runs.upperFailedA];
    await until(
      async () => JSON.stringify(await shownRuns(page)) === JSON.stringify(wanted),
      'the failed runs of upper',
    );
    await until(
      async () => /status=failed/.test(page.url()) && /target=upper/.test(page.url()),
      'the filters in the URL',
    );
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ status: 'failed', target: 'upper', within: '24h' });

    // A new page of the same browser: its storage (the token) as this page's, nothing else carried over.
    const context = await session.browser.newContext({
      viewport: { width: 1400, height: 1000 },
      storageState: await page.context().storageState(),
    });
    const other = await context.newPage();
    try {
      await other.goto(url.toString());
      await until(async () => JSON.stringify(await shownRuns(other)) === JSON.stringify(wanted), 'the same rows');
      expect(await other.locator('[data-test=run-status] .v-select__selection-text').textContent()).toBe('failed');
      expect(await other.inputValue('[name=run-target]')).toBe('upper');
      expect(await other.locator('[data-test=run-period] .v-select__selection-text').textContent()).toBe(
        'Last 24 hours',
      );
      // Clearing a filter takes it out of the URL, and back restores nothing stale: the list follows the URL.
      await other.locator('[data-test=run-status] .mdi-close-circle').click();
      await until(async () => !/status=/.test(other.url()), 'status gone from the URL');
      await until(async () => (await shownRuns(other)).length === 3, 'every run of upper');
    } finally {
      await context.close();
    }
    // A window from a link (as the overview's charts make them) shows as a chip and filters by creation time.
    const span = `since=${encodeURIComponent(created.diamondFailed!)}&until=${encodeURIComponent(created.diamondDone!)}`;
    await page.goto(`${session.url}/ui/runs?${span}&status=failed`);
    await page.locator('[data-test=run-window]').waitFor();
    const failures = [runs.upperFailedB, runs.diamondFailed];
    await until(
      async () => JSON.stringify(await shownRuns(page)) === JSON.stringify(failures),
      'the failures in the window',
    );
    await page.locator('[data-test=run-window] .v-chip__close').click();
    await until(async () => !/since=/.test(page.url()), 'the window gone from the URL');
    await until(async () => (await shownRuns(page)).length === 3, 'every failure');
    // A hand-edited link: a status no list offers is dropped, a date without a time is read as one.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.goto(`${session.url}/ui/runs?status=nope&until=${tomorrow}`);
    await until(async () => (await shownRuns(page)).length === 5, 'every run, before tomorrow');
    await until(async () => !/status=/.test(page.url()), 'the unknown status gone from the URL');
  });

  it("a pipeline's versions and the dataset open are in the URL: a link opens the same view", async () => {
    await api('POST', '/api/pipelines/diamond/versions', { ...DIAMOND_SPEC, description: 'second' });
    await api('POST', '/api/datasets', { name: 'first-set' });
    await api('POST', '/api/datasets', { name: 'second-set' });
    await page.goto(`${session.url}/ui/pipelines/diamond`);
    await page.locator('[data-test=pipeline-description]', { hasText: 'second' }).waitFor();
    // Each option inside its own menu's list: the version menu may still be closing when the diff menu opens.
    await page.click('[data-test=pipeline-version]');
    await page.getByRole('listbox', { name: 'Version' }).getByRole('option', { name: /^v1 / }).click();
    await page.click('[data-test=pipeline-diff-with]');
    await page.getByRole('listbox', { name: 'Diff with' }).getByRole('option', { name: /^v2 / }).click();
    await page.locator('[data-test=diff]').waitFor();
    await until(async () => /version=1/.test(page.url()) && /diff=2/.test(page.url()), 'the versions in the URL');
    const pipelineUrl = page.url();
    await page.goto(`${session.url}/ui/datasets`);
    await page.click('[data-dataset=second-set]');
    await until(async () => /dataset=second-set/.test(page.url()), 'the dataset in the URL');
    const datasetUrl = page.url();

    const context = await session.browser.newContext({ storageState: await page.context().storageState() });
    const other = await context.newPage();
    try {
      await other.goto(pipelineUrl);
      await other.locator('[data-test=diff]').waitFor();
      expect(await other.locator('[data-test=pipeline-version] .v-select__selection-text').textContent()).toMatch(
        /^v1 /,
      );
      expect(await other.locator('[data-test=pipeline-diff-with] .v-select__selection-text').textContent()).toMatch(
        /^v2 /,
      );
      expect(await other.locator('[data-test=pipeline-description]').textContent()).not.toContain('second');
      await other.goto(datasetUrl);
      await other.locator('[data-dataset=second-set].v-list-item--active').waitFor();
      // Back and forward walk the views, as the URL says.
      await other.goBack();
      await other.locator('[data-test=diff]').waitFor();
    } finally {
      await context.close();
    }
  });

  it("a run's selected event and the history player's position are in the URL", async () => {
    const run = await api('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'link me' }, version: 1 });
    await until(async () => (await api('GET', `/api/runs/${run.id}`)).status === 'completed', 'the run to complete');
    await page.goto(`${session.url}/ui/runs/${run.id}`);
    await page.locator('[data-test=timeline] [data-seq="3"]').waitFor();
    for (const key of ['j', 'j', 'j']) await page.keyboard.press(key);
    await page.locator('[data-seq="3"].row-highlight').waitFor();
    await until(async () => new URL(page.url()).searchParams.get('event') === '3', 'the event in the URL');
    const context = await session.browser.newContext({ storageState: await page.context().storageState() });
    const other = await context.newPage();
    try {
      await other.goto(`${page.url()}&at=3`);
      await other.locator('[data-seq="3"].row-highlight').waitFor();
      // The player at seq 3: the timeline shows nothing after it.
      await other.locator('[data-test=timeline] [data-seq="3"]').waitFor();
      expect(await other.locator('[data-test=timeline] [data-seq="4"]').count()).toBe(0);
      await other.keyboard.press('l');
      await until(async () => !new URL(other.url()).searchParams.has('at'), 'live again: at gone from the URL');
      await other.locator('[data-test=timeline] [data-seq="4"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it('? lists the shortcuts, but not while typing in a field', async () => {
    await page.goto(`${session.url}/ui/runs`);
    await page.locator('[data-test=runs-table]').waitFor();
    await page.click('[name=app-search]');
    await page.keyboard.type('?');
    expect(await page.inputValue('[name=app-search]')).toBe('?');
    expect(await page.locator('[data-test=shortcuts]').count()).toBe(0);
    await page.locator('.v-main h1').click();
    await page.keyboard.press('?');
    const dialog = page.locator('[data-test=shortcuts]');
    await dialog.waitFor();
    for (const what of ['Command palette', 'Search runs', 'The next / previous event', 'Score the run'])
      await dialog.getByText(what, { exact: false }).first().waitFor();
    await session.shot('shortcuts');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('the theme toggle switches and is remembered; following the system again forgets the pick', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.goto(`${session.url}/ui/`);
      await page.locator('.v-application.v-theme--dark').waitFor();
      expect(await page.getAttribute('[data-test=theme-system]', 'data-choice')).toBe('system');
      await page.click('[data-test=theme-toggle]');
      await page.locator('.v-application.v-theme--light').waitFor();
      await page.reload();
      await page.locator('.v-application.v-theme--light').waitFor();
      expect(await page.getAttribute('[data-test=theme-system]', 'data-choice')).toBe('light');
      await page.click('[data-test=theme-system]');
      await page.locator('.v-application.v-theme--dark').waitFor();
      expect(await page.evaluate(() => localStorage.getItem('vloop.theme'))).toBeNull();
      // From the palette too: keys only.
      await openPalette();
      await page.keyboard.type('light theme');
      await page.keyboard.press('Enter');
      await page.locator('.v-application.v-theme--light').waitFor();
      await page.reload();
      await page.locator('.v-application.v-theme--light').waitFor();
    } finally {
      await page.evaluate(() => localStorage.removeItem('vloop.theme'));
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });
});
