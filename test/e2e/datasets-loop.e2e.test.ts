// The dataset loop in a real browser (issue 29): keep a run as an example from its page (its expected
// answer edited first), keep runs in bulk from the runs list (ticked, or all that match the filters), and
// read an eval comparison forwards (the older eval the baseline, columns by version, a verdict per metric),
// resume an eval whose examples errored in a provider outage from its page, and fork a whole eval from a step there
// and open its comparison against its source.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakes/script.js';
import { echoModel, promptFields } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

describe('the dataset loop (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;
  /** While set, the provider is down for the text "zz". */
  let outage = false;
  const script = (req: FakeRequest) =>
    outage && promptFields(req).text === 'zz' ? { status: 503, error: 'the provider is overloaded' } : echoModel(req);
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const completedRun = async (text: string) => {
    const run = await api('POST', '/api/components/upper/runs', { inputs: { text } });
    await until(
      async () => (await api('GET', `/api/runs/${run.id}`)).status === 'completed',
      `the run of ${text} to complete`,
    );
    return run.id as string;
  };
  const sources = async (dataset: string) =>
    ((await api('GET', `/api/datasets/${dataset}`)).examples as Array<{ sourceRunId: string }>)
      .map((e) => e.sourceRunId)
      .sort();
  /** Pick a dataset in the open "Add to dataset" dialog and add. */
  const addTo = async (dataset: string) => {
    const dialog = page.locator('[data-test=add-to-dataset-dialog]');
    await dialog.locator('[data-test=dataset-pick]').click();
    await page.getByRole('option', { name: dataset, exact: true }).click();
    await dialog.locator('[data-test=add-to-dataset-save]').click();
    return dialog.locator('[data-test=added]');
  };

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
    await api('POST', '/api/components', {
      name: 'upper',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'fake',
    });
    for (const name of ['kept', 'picked', 'matching']) await api('POST', '/api/datasets', { name });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('adds a run to a dataset from its run page, its expected answer edited first', async () => {
    // The Datasets page's promise names the control and links to the runs.
    await page.goto(`${session.url}/ui/datasets`);
    await page.click('[data-dataset=kept]');
    await page.locator('[data-test=no-examples]').getByRole('link', { name: 'Runs' }).waitFor();

    const runId = await completedRun('ab');
    await page.goto(`${session.url}/ui/runs/${runId}`);
    await page.click('[data-test=add-to-dataset]');
    const dialog = page.locator('[data-test=add-to-dataset-dialog]');
    expect(await dialog.locator('[data-test=example-inputs]').textContent()).toBe('{"text":"ab"}');
    expect(JSON.parse(await dialog.locator('textarea[name=expected]').inputValue())).toEqual({ result: 'AB' });
    await dialog.locator('textarea[name=expected]').fill('{"result": "AB!"}');
    const added = await addTo('kept');
    await added.getByText('Added 1 to kept').waitFor();
    await session.shot('add-run-to-dataset');
    const [example] = (await api('GET', '/api/datasets/kept')).examples;
    expect(example).toMatchObject({
      inputs: { text: 'ab' },
      expected: { result: 'AB!' },
      split: 'dev',
      sourceRunId: runId,
    });
    // The answer links to the dataset, whose row links back to the run.
    await added.getByRole('link', { name: 'kept' }).click();
    await page.locator(`[data-example="${example.id}"]`).getByRole('link', { name: runId }).waitFor();
  });

  it('adds runs in bulk from the runs list: the ones ticked, then all that match the filter', async () => {
    const [cd, ef] = [await completedRun('cd'), await completedRun('ef')];
    const upperRuns = ((await api('GET', '/api/runs?target=upper&limit=50')).runs as Array<{ id: string }>)
      .map((r) => r.id)
      .sort();
    expect(upperRuns).toHaveLength(3);
    await page.goto(`${session.url}/ui/runs`);
    await page.locator('input[name=run-target]').fill('upper');
    await page.click(`[data-select="${cd}"]`);
    await page.click(`[data-select="${ef}"]`);
    await page.getByRole('button', { name: 'Add 2 selected to dataset', exact: true }).click();
    await (await addTo('picked')).getByText('Added 2 to picked').waitFor();
    expect(await sources('picked')).toEqual([cd, ef].sort());
    const dialog = page.locator('[data-test=add-to-dataset-dialog]');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    // Both buttons have a dialog of their own: while this one fades out, a second would match it too.
    await dialog.waitFor({ state: 'detached' });

    await page.click('[data-test=add-matching]');
    await (await addTo('matching')).getByText('Added 3 to matching').waitFor();
    await session.shot('add-matching-runs');
    expect(await sources('matching')).toEqual(upperRuns);
  });

  it('compares evals forwards: the older eval is the baseline, columns named by version, each metric labelled on its own', async () => {
    await api('POST', '/api/components/upper/versions', {
      name: 'upper',
      signature: 'text: str -> result: str',
      instructions: 'op: reverse',
      provider: 'fake',
    });
    await api('POST', '/api/datasets', { name: 'shout' });
    await api('POST', '/api/datasets/shout/examples', {
      examples: ['ab', 'cd'].map((t) => ({ inputs: { text: t }, expected: { result: t.toUpperCase() } })),
    });
    // exact_match falls from v1 (upper) to v2 (reverse) while the check for the reversed text rises.
    const metrics = [
      { name: 'exact_match', field: 'result' },
      { name: 'regex', field: 'result', args: { pattern: '^(ba|dc)$' } },
    ];
    const done = async (id: string) =>
      until(async () => (await api('GET', `/api/runs/${id}`)).status === 'completed', `eval ${id} to complete`);
    const older = await api('POST', '/api/evals', { dataset: 'shout', target: { component: 'upper@1' }, metrics });
    await done(older.id);
    const newer = await api('POST', '/api/evals', { dataset: 'shout', target: { component: 'upper@2' }, metrics });
    await done(newer.id);

    // Picked newest first, as the evals list shows them.
    await page.goto(`${session.url}/ui/evals/compare?runs=${newer.id},${older.id}`);
    await page.getByText('Changed examples (2; 0 unchanged)').waitFor();
    expect(await page.locator('[data-test=output-column]').allInnerTexts()).toEqual([
      'upper@1 (baseline) output',
      'upper@2 output',
    ]);
    expect(await page.locator('[data-test=column]').allTextContents()).toEqual(['upper@1', 'upper@2']);
    const row = page.locator('[data-change]', { hasText: '"text":"ab"' });
    expect(await row.getAttribute('data-change')).toBe('mixed');
    const regex = row.locator('[data-metric-cell="regex:result"]');
    expect(await regex.locator('[data-scores]').textContent()).toBe('0.00 → 1.00');
    expect(await regex.locator('[data-verdict]').textContent()).toBe('▲ better');
    expect(await row.locator('[data-metric-cell="exact_match:result"] [data-verdict]').textContent()).toBe('▼ worse');
    // Both examples rose, but two examples cannot show a difference beyond chance: the metric's finding says so.
    const finding = page.locator('[data-metric="regex:result"] [data-test=metric-test]');
    expect(await finding.locator('[data-test=metric-verdict]').textContent()).toBe('≈ no detectable difference');
    expect(await finding.textContent()).toContain('Δ +1.000 [+1.000, +1.000], p = 0.500');
    expect(await finding.textContent()).toContain('n 2');
    await session.shot('eval-compare-forwards');
  });

  it('resumes an eval whose example errored in an outage from its page, running only that example', async () => {
    await api('POST', '/api/datasets', { name: 'flaky' });
    await api('POST', '/api/datasets/flaky/examples', {
      examples: ['mn', 'zz', 'pq'].map((t) => ({ inputs: { text: t }, expected: { result: t.toUpperCase() } })),
    });
    outage = true;
    const source = await api('POST', '/api/evals', {
      dataset: 'flaky',
      target: { component: 'upper@1' },
      metrics: [{ name: 'exact_match', field: 'result' }],
    });
    const ended = async (id: string) => {
      await until(async () => (await api('GET', `/api/runs/${id}`)).status === 'completed', `eval ${id} to complete`);
      return api('GET', `/api/runs/${id}`);
    };
    expect((await ended(source.id)).outputs.errors).toBe(1);
    outage = false;
    await page.goto(`${session.url}/ui/evals/${source.id}`);
    await page.locator('[data-test=resume-eval]').click();
    // The resumed eval opens in its place, saying which eval it resumes.
    await page.locator(`a:has-text("resumes ${source.id}")`).waitFor();
    const resumed = page.url().split('/').pop()!;
    expect(resumed).toMatch(/^run_\w+$/);
    expect(resumed).not.toBe(source.id);
    expect((await ended(resumed)).outputs).toMatchObject({ examples: 3, errors: 0 });
    await page.getByText('3 scored').waitFor();
    await page.locator('[data-test=resume-eval]').waitFor({ state: 'detached' });
    const calls = (text: string) => fake.requests.filter((r) => promptFields(r).text === text).length;
    expect([calls('mn'), calls('pq')]).toEqual([1, 1]);
    await session.shot('eval-resumed');
  });

  it('forks a whole eval from a step on its page, calling only that step, and opens the comparison with its source', async () => {
    for (const name of ['first', 'last'])
      await api('POST', '/api/components', {
        name,
        signature: 'text: str -> result: str',
        instructions: 'op: upper',
        provider: 'fake',
      });
    await api('POST', '/api/pipelines', {
      name: 'twice',
      inputs: { text: 'str' },
      steps: [
        { id: 'a', component: 'first', inputs: { text: '$inputs.text' } },
        { id: 'b', component: 'last', inputs: { text: '$steps.a.outputs.result' } },
      ],
      outputs: { result: '$steps.b.outputs.result' },
    });
    // Saved after the pipeline, which pinned last@1: the fork tries it.
    await api('POST', '/api/components/last/versions', {
      name: 'last',
      signature: 'text: str -> result: str',
      instructions: 'op: reverse',
      provider: 'fake',
    });
    const source = await api('POST', '/api/evals', {
      dataset: 'shout',
      target: { pipeline: 'twice@1' },
      metrics: [{ name: 'exact_match', field: 'result' }],
    });
    await until(
      async () => (await api('GET', `/api/runs/${source.id}`)).status === 'completed',
      `eval ${source.id} to complete`,
    );
    await page.goto(`${session.url}/ui/evals/${source.id}`);
    await page.locator('[data-test=fork-eval]').click();
    await page.locator('[data-step=b]').click();
    const dialog = page.locator('[data-test=fork-dialog]');
    await dialog.getByText('For every example').waitFor();
    await dialog.locator('[data-test=fork-component]').click();
    await page.getByRole('option', { name: 'last@2', exact: true }).click();
    const requests = fake.requests.length;
    await dialog.locator('[data-test=fork-submit]').click();

    // The fork opens on its own eval page, naming its source and what it took from it.
    await page.waitForURL((u) => /\/ui\/evals\/run_/.test(u.pathname) && !u.pathname.endsWith(source.id));
    await page.locator('[data-test=fork-source]').getByText(`fork of ${source.id} at b`).waitFor();
    await page.locator('[data-test=reused-steps]').getByText('2 steps reused from it').waitFor();
    await session.shot('eval-fork');
    // Two examples, one call each: step b's new version; step a came from the source's runs.
    expect(fake.requests.slice(requests).map((r) => promptFields(r).text)).toEqual(
      expect.arrayContaining(['AB', 'CD']),
    );
    expect(fake.requests.length - requests).toBe(2);
    await page.locator('[data-test=compare-source]').click();
    await page.waitForURL((u) => u.pathname.endsWith('/evals/compare'));
    expect(new URL(page.url()).searchParams.get('baseline')).toBe(source.id);
    await page.getByText('Changed examples (2; 0 unchanged)').waitFor();
    expect(await page.locator('[data-test=column]').allTextContents()).toEqual(['twice@1', 'twice@1 fork at b']);
    const row = page.locator('[data-change]', { hasText: '"text":"ab"' });
    expect(await row.locator('[data-metric-cell="exact_match:result"] [data-scores]').textContent()).toBe(
      '1.00 → 0.00',
    );
    await session.shot('eval-fork-compare');
  });

  it('shows an experiment as a grid of its variants, and one example side by side across them', async () => {
    const started = await api('POST', '/api/experiments', {
      dataset: 'shout',
      variants: [{ target: { component: 'upper@1' } }, { target: { component: 'upper@2' } }],
      metrics: [{ name: 'exact_match', field: 'result' }],
    });
    await until(
      async () => (await api('GET', `/api/runs/${started.id}`)).status === 'completed',
      `experiment ${started.id} to complete`,
    );
    await page.goto(`${session.url}/ui/evals`);
    await page.locator('[data-test=experiments]').getByRole('link', { name: started.id }).click();
    await page.waitForURL((u) => u.pathname.endsWith(`/experiments/${started.id}`));
    const grid = page.locator('[data-test=grid]');
    await grid.locator('[data-metric="exact_match:result"] [data-cell="upper@2"] [data-test=mean]').waitFor();
    expect((await grid.locator('[data-test=variant]').allInnerTexts()).map((t) => t.split('\n')[0]!.trim())).toEqual([
      'upper@1',
      'upper@2',
    ]);
    const cell = (label: string) => grid.locator(`[data-metric="exact_match:result"] [data-cell="${label}"]`);
    expect((await cell('upper@1').locator('[data-test=mean]').textContent())!.trim()).toMatch(/^1\.000/);
    expect((await cell('upper@1').locator('[data-test=verdict]').textContent())!.trim()).toBe('baseline');
    expect((await cell('upper@2').locator('[data-test=mean]').textContent())!.trim()).toMatch(/^0\.000/);
    // Two examples that both fell cannot show a difference beyond chance.
    expect(await cell('upper@2').locator('[data-test=verdict]').textContent()).toContain('≈ no detectable difference');
    expect(await grid.locator('[data-row=tokens] td').count()).toBe(2);
    await session.shot('experiment-grid');
    await page.locator('[data-example]', { hasText: '"text":"ab"' }).locator('[data-test=side-by-side]').click();
    const dialog = page.locator('[data-test=side-by-side-dialog]');
    await dialog.locator('[data-column="upper@2"] [data-test=output]').waitFor();
    expect(await dialog.locator('[data-column="upper@1"] [data-test=output]').textContent()).toContain(
      '{"result":"AB"}',
    );
    expect(await dialog.locator('[data-column="upper@2"] [data-test=output]').textContent()).toContain(
      '{"result":"ba"}',
    );
  });

  it('says on an eval page which assertion failed on which example', async () => {
    const run = await api('POST', '/api/evals', {
      dataset: 'shout',
      target: { component: 'upper@2' },
      metrics: [{ name: 'assertions', args: { assert: [{ type: 'icontains', value: '{{text}}' }] } }],
    });
    await until(
      async () => (await api('GET', `/api/runs/${run.id}`)).status === 'completed',
      `eval ${run.id} to complete`,
    );
    await page.goto(`${session.url}/ui/evals/${run.id}`);
    // upper@2 reverses: "ab" comes back "ba", which does not contain "ab".
    const failed = page.locator('[data-example]', { hasText: '"text":"ab"' }).locator('[data-test=failed-assertion]');
    await failed.waitFor();
    expect((await failed.textContent())!.trim()).toBe('✗ icontains: expected the answer to contain (any case) ab');
    await session.shot('eval-failed-assertions');
  });
});
