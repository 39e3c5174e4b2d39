// The dashboard in a real browser against `harness up` (test port, the suite's Temporal, fake providers).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { agentModel } from '../helpers/agent-model.js';
import { chooseOption } from '../helpers/browser.js';
import { echoModel, promptFields, promptOp } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

describe('dashboard (e2e)', () => {
  let session: UpSession;
  let url: string;
  let page: Page;
  let fake: FakeProvider;
  let agentFake: FakeProvider;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const shot = (name: string) => session.shot(name);

  const script = (req: FakeRequest): FakeReply => {
    if (promptOp(req) === 'slowly')
      return { text: formatPredictReply({ answer: 'and then the tale went on '.repeat(40) }), delayMs: 200 };
    if (promptOp(req) === 'unknown')
      return {
        text: formatPredictReply({ answer: `Streaming an answer to: ${promptFields(req).question}` }),
        delayMs: 60,
      };
    return promptOp(req) === 'reverse' ? { text: echoModel(req), delayMs: 150 } : echoModel(req);
  };

  beforeAll(async () => {
    fake = await startFakeProvider('openai', script);
    agentFake = await startFakeProvider(
      'openai',
      agentModel({
        tidy: [{ tool: 'terminal', args: { command: 'echo tidy >> done.txt' } }, { finish: { answer: '{{last}}' } }],
      }),
    );
    session = await startHarnessUp(fake.baseUrl);
    ({ url, page } = session);
    await api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
    await agentFake?.close();
  });

  it('creates a component, tries it, and shows the answer as it streams', async () => {
    await page.goto(`${url}/ui/components`);
    await page.click('[data-test=new-component]');
    await page.fill('input[name=name]', 'ask');
    await page.fill('input[name=signature]', 'question: str -> answer: st');
    await page.getByText("unknown type 'st'").waitFor();
    await page.fill('input[name=signature]', 'question: str -> answer: str');
    await chooseOption(page, page.locator('[data-test=provider]'), 'fake');
    await page.click('[data-test=save-component]');
    await page.waitForURL(/\/ui\/components\/ask$/);
    await page.fill('textarea[name=input-question]', 'why durable?');
    await page.click('[data-test=submit-run]');
    // Part of the answer shows before the run is done, then the parsed outputs.
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-test=streamed]')?.textContent ?? '').length > 0 &&
        !document.querySelector('[data-test=run-outputs]'),
    );
    await page.locator('[data-test=run-outputs]').getByText('Streaming an answer to: why durable?').waitFor();
    expect(await page.locator('[data-test=streamed]').textContent()).toContain('Streaming an answer to: why durable?');
    await shot('component-try');
  });

  it('creates and runs a pipeline, and its steps complete live', async () => {
    for (const c of DIAMOND_COMPONENTS) await api('POST', '/api/components', c);
    const spec = DIAMOND_SPEC;
    await page.goto(`${url}/ui/pipelines`);
    await page.click('[data-test=new-pipeline]');
    await page.fill(
      '[data-test=pipeline-spec] textarea',
      JSON.stringify({
        ...spec,
        steps: [...spec.steps, { id: 'loop', component: 'upper', inputs: { text: '$steps.loop.outputs.result' } }],
      }),
    );
    await page.click('[data-test=save-pipeline]');
    await page.getByText(/cannot bind to its own outputs/).waitFor();
    await page.fill('[data-test=pipeline-spec] textarea', JSON.stringify(spec));
    await page.click('[data-test=save-pipeline]');
    await page.waitForURL(/\/ui\/pipelines\/diamond$/);
    await page.locator('[data-test=dag] [data-node=both]').waitFor();
    await page.fill('textarea[name=input-text]', 'live');
    await page.click('[data-test=submit-run]');
    await page.waitForURL(/\/ui\/runs\/run_/);
    await page.locator('[data-step=rev][data-step-status=running]').waitFor();
    await page.locator('[data-step=both][data-step-status=completed]').waitFor({ timeout: 30_000 });
    await page.locator('[data-status=completed]').first().waitFor();
    await page.locator('[data-test=outputs]').getByText('LIVE|evil').waitFor();
    await page.locator('[data-type="llm.request"]').first().click();
    await page.locator('[data-test=inspector]').getByText('op: upper').first().waitFor();
    await shot('pipeline-run');

    // The history player: at its first seq the header shows that moment (running, no tokens, no outputs); its right end is live again.
    const header = page.locator('.v-main h1').locator('..');
    const finalUsage = (await page.locator('[data-test=usage]').textContent())!;
    expect(finalUsage).not.toMatch(/^0 \+ 0 tok/);
    await page.locator('[data-test=player] [role=slider]').focus();
    await page.keyboard.press('Home');
    await page.locator('[data-test=player-position]').getByText('at seq 1').waitFor();
    expect(await header.locator('[data-status]').first().getAttribute('data-status')).toBe('running');
    expect(await page.locator('[data-test=usage]').textContent()).toMatch(/^0 \+ 0 tok/);
    expect(await page.locator('[data-test=outputs]').count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-test=player-position]').getByText('at seq 2').waitFor();
    await shot('run-history-player');
    await page.keyboard.press('End');
    await page.locator('[data-test=player-position]').getByText('live').waitFor();
    expect(await header.locator('[data-status]').first().getAttribute('data-status')).toBe('completed');
    expect(await page.locator('[data-test=usage]').textContent()).toBe(finalUsage);
    await page.locator('[data-test=outputs]').getByText('LIVE|evil').waitFor();
  });

  it('edits a prompt from the inspector of an LLM call: a new version, rerun on the same inputs as a fork', async () => {
    await api('POST', '/api/components', {
      name: 'shouter',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'fake',
    });
    const source = await api('POST', '/api/components/shouter/runs', { inputs: { text: 'hello' } });
    await expect
      .poll(async () => (await api('GET', `/api/runs/${source.id}`)).status, { timeout: 30_000 })
      .toBe('completed');
    await page.goto(`${url}/ui/runs/${source.id}`);
    await page.locator('[data-type="llm.request"]').first().click();
    await page.click('[data-test=edit-prompt]');
    const dialog = page.locator('[data-test=edit-prompt-dialog]');
    await expect
      .poll(() => dialog.locator('textarea[name=edit-instructions]').inputValue(), { timeout: 20_000 })
      .toBe('op: upper');
    await dialog.locator('textarea[name=edit-instructions]').fill('op: reverse');
    await shot('edit-prompt');
    await dialog.locator('[data-test=save-and-rerun]').click();
    await page.waitForURL((u) => /\/ui\/runs\/run_\w+$/.test(u.pathname) && !u.pathname.endsWith(source.id));
    const forkId = page.url().split('/').pop()!;
    await page.locator('[data-test=outputs]').getByText('olleh').waitFor({ timeout: 30_000 });
    const fork = await api('GET', `/api/runs/${forkId}`);
    expect(fork).toMatchObject({
      status: 'completed',
      inputs: { text: 'hello' },
      outputs: { result: 'olleh' },
      forkOf: { runId: source.id, step: 'shouter' },
    });
    const component = await api('GET', '/api/components/shouter');
    expect(component.latestVersion).toBe(2);
    expect((await api('GET', '/api/components/shouter/versions/2')).spec.instructions).toBe('op: reverse');
    expect((await api('GET', `/api/runs/${source.id}`)).outputs).toEqual({ result: 'HELLO' });
  });

  it("a component's new version takes params, adapter and demos; its page lists its runs", async () => {
    await page.goto(`${url}/ui/components/shouter`);
    await page.locator('[data-test=component-runs] tbody tr[data-run]').first().waitFor({ timeout: 20_000 });
    expect(
      await page.locator('[data-test=component-runs] tbody tr[data-run]', { hasText: 'shouter@' }).count(),
    ).toBeGreaterThan(0);
    // Exact: the open form's own 'Save new version' button matches the name as a substring.
    const newVersion = page.getByRole('button', { name: 'New version', exact: true });
    const form = page.locator('form', { has: page.locator('[data-test=save-component]') });
    await newVersion.click();
    await form.waitFor();
    await page.fill('input[name=temperature]', '0.3');
    await page.fill('input[name=max-tokens]', '64');
    await chooseOption(page, page.locator('[data-test=adapter]'), 'json');
    await page.fill('textarea[name=demos]', '[{"inputs": {"text": "hi"}, "outputs": {"result": "HI"}}]');
    await shot('component-new-version');
    await page.click('[data-test=save-component]');
    await expect
      .poll(async () => (await api('GET', '/api/components/shouter')).latestVersion, { timeout: 20_000 })
      .toBe(3);
    expect((await api('GET', '/api/components/shouter/versions/3')).spec).toMatchObject({
      adapter: 'json',
      params: { temperature: 0.3, maxTokens: 64 },
      demos: [{ inputs: { text: 'hi' }, outputs: { result: 'HI' } }],
      instructions: 'op: reverse',
    });
    // Bad demos are named, and nothing is saved. The saved form closes first (the button toggles it).
    await form.waitFor({ state: 'detached' });
    await newVersion.click();
    await page.fill('textarea[name=demos]', '[{oops');
    await page.click('[data-test=save-component]');
    await form.getByText(/demos: not JSON/).waitFor();
    expect((await api('GET', '/api/components/shouter')).latestVersion).toBe(3);
  });

  it("a pipeline's page shows its description and versions, edits a new version, and lists its runs", async () => {
    await page.goto(`${url}/ui/pipelines/diamond`);
    await page.locator('tbody tr[data-run]').first().waitFor({ timeout: 20_000 });
    await page.click('[data-test=edit-pipeline]');
    const editor = page.locator('[data-test=pipeline-spec] textarea');
    const spec = JSON.parse(await editor.inputValue());
    // The editor's label sits above its first line of text, not over it.
    const { labelBottom, firstLineTop } = await page.locator('[data-test=pipeline-spec]').evaluate((field) => {
      // The label shown: Vuetify keeps a resting copy, hidden once the field has text.
      const label = [...field.querySelectorAll('label')].find(
        (l) =>
          l.getBoundingClientRect().height > 0 &&
          getComputedStyle(l).visibility !== 'hidden' &&
          getComputedStyle(l).opacity !== '0',
      )!;
      const area = field.querySelector('textarea')!;
      return {
        labelBottom: label.getBoundingClientRect().bottom,
        firstLineTop: area.getBoundingClientRect().top + parseFloat(getComputedStyle(area).paddingTop),
      };
    });
    expect(labelBottom).toBeLessThanOrEqual(firstLineTop);
    await editor.fill(JSON.stringify({ ...spec, description: 'upper and reverse, joined' }, null, 2));
    await page.click('[data-test=save-pipeline]');
    await page.locator('[data-test=pipeline-description]').getByText('upper and reverse, joined').waitFor();
    expect((await api('GET', '/api/pipelines/diamond')).latestVersion).toBe(2);
    // The first version is still there to look at and run.
    await chooseOption(page, page.locator('[data-test=pipeline-version]'), /^v1 ·/);
    await page.locator('[data-test=pipeline-description]').getByText('No description').waitFor();
    await shot('pipeline-versions');
  });

  it('finds a run on the runs page by a word of its output', async () => {
    // reverse('akkouq') is 'quokka': the word is only in the run's outputs.
    const run = await api('POST', '/api/components/reverse/runs', { inputs: { text: 'akkouq' } });
    await expect
      .poll(async () => (await api('GET', `/api/runs/${run.id}`)).status, { timeout: 30_000 })
      .toBe('completed');
    await page.goto(`${url}/ui/runs`);
    await page.fill('input[name=run-search]', 'quokka');
    await page.locator(`[data-run="${run.id}"]`).waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-test=runs-table] tbody tr[data-run]').length === 1,
    );
    await shot('runs-search');
    await page.fill('input[name=run-search]', 'quokka zebra');
    await page.locator('[data-test=no-runs]').getByText('No run matches').waitFor();
  });

  it('wraps a long output inside its card and the inspector, never wider than the page', async () => {
    // One 400-character word and a long sentence: neither may push the page sideways.
    const text = `${'x'.repeat(400)} ${'a long line of words '.repeat(20)}`;
    const run = await api('POST', '/api/components/reverse/runs', { inputs: { text } });
    await expect
      .poll(async () => (await api('GET', `/api/runs/${run.id}`)).status, { timeout: 30_000 })
      .toBe('completed');
    await page.goto(`${url}/ui/runs/${run.id}`);
    await page.locator('[data-test=outputs]').waitFor();
    await page.locator('[data-type="llm.response"]').first().click();
    await page.locator('[data-test=inspector]').getByText('Parsed outputs').waitFor();
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      outputs:
        document.querySelector('[data-test=outputs]')!.scrollWidth -
        document.querySelector('[data-test=outputs]')!.clientWidth,
      inspector:
        document.querySelector('[data-test=inspector]')!.scrollWidth -
        document.querySelector('[data-test=inspector]')!.clientWidth,
    }));
    expect(overflow).toEqual({ page: 0, outputs: 0, inspector: 0 });
  });

  it('lists only forks when the runs page is filtered by that origin', async () => {
    const forks = (await api('GET', '/api/runs?origin=fork&limit=100')).runs as Array<{ id: string }>;
    expect(forks.length).toBeGreaterThan(0); // the edit-prompt rerun above is one
    await page.goto(`${url}/ui/runs`);
    await chooseOption(page, page.locator('[data-test=run-origin]'), 'Forks');
    const shown = async () =>
      page
        .locator('[data-test=runs-table] tbody tr[data-run]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')).sort());
    await expect.poll(shown, { timeout: 20_000 }).toEqual(forks.map((f) => f.id).sort());
    expect(await page.locator('[data-test=runs-table] tbody tr[data-run]', { hasNotText: 'fork from' }).count()).toBe(
      0,
    );
  });

  it('imports a dataset (a bad file names its line), shows an eval and a comparison', async () => {
    await page.goto(`${url}/ui/datasets`);
    await page.getByLabel('New dataset').fill('shout');
    // Exact names: 'Add' is in every 'Add …' button, 'Import' in the panel's title.
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    // The panel's own button: the empty list's hint ("…then import examples.") matches the text too, before the list reloads.
    await page.getByRole('button', { name: 'Import examples', exact: true }).click();
    const importer = page.locator('.v-expansion-panel', { hasText: 'Import examples' });
    const good = ['ab', 'cd']
      .map((t) => JSON.stringify({ inputs: { text: t }, expected: { result: t.toUpperCase() }, split: 'dev' }))
      .join('\n');
    await importer.locator('textarea').fill(`${good}\n{oops`);
    await importer.getByRole('button', { name: 'Import', exact: true }).click();
    await importer.locator('[data-test=error]').getByText('line 3').waitFor();
    await importer.locator('textarea').fill(good);
    await importer.getByRole('button', { name: 'Import', exact: true }).click();
    await importer.getByText('Imported 2 examples.', { exact: true }).waitFor();
    const evals: Array<{ id: string }> = [];
    const evalId = (i: number) => evals[i]!.id;
    for (let i = 0; i < 2; i++)
      evals.push(
        await api('POST', '/api/evals', {
          dataset: 'shout',
          target: { component: 'upper' },
          metrics: [{ name: 'exact_match', field: 'result' }],
        }),
      );
    await page.goto(`${url}/ui/evals/${evalId(0)}`);
    await page
      .locator('[data-metric="exact_match:result"]')
      .getByText('1.000', { exact: true })
      .waitFor({ timeout: 30_000 });
    // Each example shows what it was asked and what was expected, beside what came out.
    const ab = page.locator('[data-example]', {
      has: page.locator('[data-test=example-inputs]', { hasText: '{"text":"ab"}' }),
    });
    expect(await ab.locator('[data-test=example-expected]').textContent()).toBe('{"result":"AB"}');
    await shot('eval-detail');
    await expect
      .poll(async () => (await api('GET', `/api/runs/${evalId(1)}`)).status, { timeout: 30_000 })
      .toBe('completed');
    await page.goto(`${url}/ui/evals`);
    await page.getByText(evalId(1)).waitFor({ timeout: 30_000 });
    // The two runs of the same eval are grouped, with the spread of their means.
    await page
      .locator('[data-test=repeat-spread]')
      .getByText('exact_match:result: 1.000 ± 0.000 (sd over 2)')
      .waitFor();
    // Started from the page at a chosen version.
    await chooseOption(page, page.locator('.v-select', { hasText: 'Dataset' }).first(), 'shout');
    await chooseOption(page, page.locator('[data-test=eval-target]'), 'component upper');
    await chooseOption(page, page.locator('[data-test=eval-version]'), 'v1');
    await page.getByLabel('Metrics: name[:field], comma-separated').fill('exact_match:result');
    await page.click('[data-test=start-eval]');
    await page.waitForURL(/\/ui\/evals\/run_\w+$/);
    const started = await api('GET', `/api/runs/${page.url().split('/').pop()}`);
    expect(started).toMatchObject({ kind: 'eval', target: { name: 'upper', version: 1 } });
    await page.goto(`${url}/ui/evals`);
    await page.goto(`${url}/ui/evals/compare?runs=${evalId(0)},${evalId(1)}`);
    await page.getByText('Changed examples (0; 2 unchanged)').waitFor({ timeout: 30_000 });
    await shot('eval-compare');

    // Only the second metric tells these two apart; picked newest first, the older eval is still the baseline, and a chosen one decides the sign.
    const metrics = [
      { name: 'regex', field: 'result', args: { pattern: '.' } },
      { name: 'exact_match', field: 'result' },
    ];
    const right = await api('POST', '/api/evals', { dataset: 'shout', target: { component: 'upper' }, metrics });
    const worse = await api('POST', '/api/evals', { dataset: 'shout', target: { component: 'reverse' }, metrics });
    for (const e of [right, worse])
      await expect
        .poll(async () => (await api('GET', `/api/runs/${e.id}`)).status, { timeout: 30_000 })
        .toBe('completed');
    await page.goto(`${url}/ui/evals/compare?runs=${worse.id},${right.id}`);
    await page.getByText('Changed examples (2; 0 unchanged)').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-change=regression]').count()).toBe(2);
    await chooseOption(page, page.locator('[data-test=baseline]'), new RegExp(worse.id));
    await page.waitForURL(new RegExp(`baseline=${worse.id}`));
    await page.locator('[data-change=improvement]').first().waitFor();
    expect(await page.locator('[data-change=improvement]').count()).toBe(2);
    const row = page.locator('[data-change=improvement]', { hasText: '"text":"ab"' });
    expect(await row.locator('[data-scores="exact_match:result"]').textContent()).toBe('0.00 → 1.00');
    expect(await row.locator('[data-scores="regex:result"]').textContent()).toBe('1.00 → 1.00');
    expect(await row.textContent()).toContain('{"result":"AB"}');
    expect(await row.textContent()).toContain('{"result":"ba"}');
    await shot('eval-compare-baseline');
  });

  it('approves a pending tool call from the approvals inbox and the run finishes', async () => {
    await api('PUT', '/api/policy', { rules: [] });
    await api('POST', '/api/providers', {
      name: 'agentfake',
      type: 'openai',
      baseUrl: agentFake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'm',
    });
    await api('POST', '/api/components', {
      name: 'tidier',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'agentfake',
      tools: ['terminal'],
    });
    const run = await api('POST', '/api/components/tidier/runs', { inputs: { task: 'tidy' } });
    await page.goto(`${url}/ui/agents`);
    const card = page.locator(`[data-approval="tool[0]"]`);
    await card.getByText('echo tidy >> done.txt').waitFor({ timeout: 20_000 });
    await shot('approvals-inbox');
    await card.locator('[data-test=approve]').click();
    await page.goto(`${url}/ui/runs/${run.id}`);
    await page.locator('[data-status=completed]').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-test=outputs]').textContent()).toContain('exit code 0');
    await shot('agent-run');
  });

  it('starts an agent with the inputs its signature declares, not a fixed "task"', async () => {
    await api('POST', '/api/components', {
      name: 'planner',
      kind: 'react',
      signature: 'goal: str, budget: int -> plan: str',
      provider: 'agentfake',
      tools: ['terminal'],
    });
    await page.goto(`${url}/ui/agents`);
    await chooseOption(page, page.locator('[data-test=agent]'), 'planner');
    await page.fill('textarea[name=input-goal]', 'tidy');
    await page.fill('input[name=input-budget]', '3');
    expect(await page.locator('textarea[name=input-task]').count()).toBe(0);
    await shot('agent-start');
    await page.click('[data-test=submit-run]');
    await page.waitForURL(/\/ui\/runs\/run_\w+$/);
    const runId = page.url().split('/').pop()!;
    expect((await api('GET', `/api/runs/${runId}`)).inputs).toEqual({ goal: 'tidy', budget: 3 });
  });

  it('a chat with max tokens set stops each reply there; a chat can be closed and deleted', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i + 1}`).join(' ');
    const talker = await startFakeProvider('openai', () => words);
    try {
      await api('POST', '/api/providers', {
        name: 'talker',
        type: 'openai',
        baseUrl: talker.baseUrl,
        apiKey: 'sk-test-123456789012345678',
        defaultModel: 'chatty',
      });
      await page.goto(`${url}/ui/chat`);
      await chooseOption(page, page.locator('.v-select', { hasText: 'Talk to' }), 'provider talker');
      await page.fill('input[name=max-tokens]', '5');
      await page.click('[data-test=new-chat]');
      await page.locator('[data-test=chat-target]').getByText('replies stop at 5 tokens').waitFor();
      await page.getByLabel('Message').fill('tell me everything');
      await page.keyboard.press('Enter');
      await page.locator('[data-test=chat-assistant]').first().waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-test=chat-assistant]').first().textContent()).toBe(
        'word1 word2 word3 word4 word5',
      );
      expect(talker.requests.at(-1)!.maxTokens).toBe(5);
      await shot('chat-max-tokens');
      // The call's record says why it stopped.
      const chat = (await api('GET', '/api/chats')).find(
        (c: { target: { provider: string } }) => c.target.provider === 'talker',
      );
      const { events } = await api('GET', `/api/runs/${chat.runId}/events`);
      expect(events.find((e: { type: string }) => e.type === 'llm.response').data.finishReason).toBe('length');
      await expect(api('POST', '/api/chats', { provider: 'talker', maxTokens: 0 })).rejects.toThrow(
        /"code":"invalid_request".*maxTokens/,
      );

      // Closing ends the chat's workflow: the run completes and the chat takes no more messages.
      await page.click('[data-test=close-chat]');
      await page.locator('[data-test=chat-closed]').waitFor({ timeout: 20_000 });
      await expect
        .poll(async () => (await api('GET', `/api/runs/${chat.runId}`)).status, { timeout: 20_000 })
        .toBe('completed');
      // Deleting asks once more, then the chat, its transcript and its run are gone.
      await page.click('[data-test=delete-chat]');
      await page.click('[data-test=confirm-delete-chat]');
      await page.locator(`[data-chat="${chat.id}"]`).waitFor({ state: 'detached' });
      await expect(api('GET', `/api/chats/${chat.id}`)).rejects.toThrow(/"code":"not_found"/);
      await expect(api('GET', `/api/runs/${chat.runId}`)).rejects.toThrow(/"code":"not_found"/);
      // An open chat can be deleted too: its workflow is terminated first.
      const open = await api('POST', '/api/chats', { provider: 'talker' });
      expect(
        await page.evaluate(
          async (p) =>
            (
              await fetch(p, {
                method: 'DELETE',
                headers: { authorization: `Bearer ${localStorage.getItem('vloop.token')}` },
              })
            ).status,
          `/api/chats/${open.id}`,
        ),
      ).toBe(204);
      await expect(api('GET', `/api/runs/${open.runId}`)).rejects.toThrow(/"code":"not_found"/);
    } finally {
      await talker.close();
    }
  });

  it('every page has breadcrumbs, a title and a screenshot, in the light and the dark theme; / searches, j and k walk a run', async () => {
    const pages = [
      '/',
      '/runs',
      '/components',
      '/pipelines',
      '/pipelines/diamond',
      '/apps',
      '/datasets',
      '/evals',
      '/chat',
      '/agents',
      '/providers',
      '/policy',
    ];
    // How light a DAG node's box is (0 black, 1 white): it follows the theme.
    const nodeLightness = () =>
      page
        .locator('[data-test=dag] [data-node] rect')
        .first()
        .evaluate((r) => {
          const [red, green, blue] = getComputedStyle(r)
            .fill.match(/\d+(\.\d+)?/g)!
            .map(Number);
          return (0.2126 * red! + 0.7152 * green! + 0.0722 * blue!) / 255;
        });
    // What each page shows only once its data arrived: the absence checks below would also pass on a page still loading.
    await api('POST', '/api/apps', { name: 'pages-tour', target: { kind: 'pipeline', name: 'diamond', version: 1 } });
    const chat = await api('POST', '/api/chats', { provider: 'fake', title: 'pages tour' });
    const main = page.locator('.v-main');
    const loaded: Record<string, () => Promise<unknown>> = {
      '/': () => main.getByText('fake (openai)').first().waitFor(),
      '/runs': () => main.locator('[data-run]').first().waitFor(),
      '/components': () => main.locator('[data-component="upper"]').waitFor(),
      '/pipelines': () => main.getByText('diamond').first().waitFor(),
      '/pipelines/diamond': () => main.locator('[data-test=dag] [data-node]').first().waitFor(),
      '/apps': () => main.locator('[data-test="app-pages-tour"]').waitFor(),
      '/datasets': () => main.locator('[data-dataset="shout"]').waitFor(),
      '/evals': () => main.locator('tbody a[href*="/evals/"]').first().waitFor(),
      '/chat': () => main.locator(`[data-chat="${chat.id}"]`).waitFor(),
      '/agents': () => main.getByText('Pick an agent').waitFor(),
      '/providers': () => main.locator('td', { hasText: 'agentfake' }).waitFor(),
      '/policy': () =>
        expect.poll(() => main.locator('textarea').first().inputValue(), { timeout: 15_000 }).toContain('"rules"'),
    };
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const p of pages) {
        await page.goto(`${url}/ui${p}`);
        await page.locator('.v-main h1').first().waitFor();
        await loaded[p]!();
        expect(await page.locator(`.v-application.v-theme--${scheme}`).count()).toBe(1);
        const crumbs = (await page.locator('[data-test=breadcrumbs]').textContent())!;
        expect(crumbs.startsWith('Overview')).toBe(true);
        expect(await page.locator('.v-main').textContent()).not.toMatch(/undefined|NaN|\[object Object\]/);
        if (p === '/pipelines/diamond')
          expect(scheme === 'dark' ? (await nodeLightness()) < 0.3 : (await nodeLightness()) > 0.8).toBe(true);
        await shot(`page${p === '/' ? '-overview' : p.replaceAll('/', '-')}-${scheme}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // "/" focuses the app bar's search; Enter lists the runs with that word.
    const run = await api('POST', '/api/components/reverse/runs', { inputs: { text: 'ognid' } });
    await expect
      .poll(async () => (await api('GET', `/api/runs/${run.id}`)).status, { timeout: 30_000 })
      .toBe('completed');
    await page.goto(`${url}/ui/components`);
    // The keys are the mounted app's: wait for its page before typing.
    await page.locator('.v-main h1').first().waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('dingo');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/runs\?q=dingo$/);
    await page.locator(`[data-run="${run.id}"]`).waitFor();
    expect(await page.locator('input[name=run-search]').inputValue()).toBe('dingo');
    // On a run, j and k move through its events into the inspector.
    await page.goto(`${url}/ui/runs/${run.id}`);
    await page.locator('[data-type="run.completed"]').waitFor();
    await page.keyboard.press('j');
    await page.locator('[data-seq="1"].row-highlight').waitFor();
    await page.keyboard.press('j');
    await page.locator('[data-seq="2"].row-highlight').waitFor();
    await page.keyboard.press('k');
    await page.locator('[data-seq="1"].row-highlight').waitFor();
    await page.locator('[data-test=inspector]').getByText('run.started').first().waitFor();
    expect((await page.locator('[data-test=breadcrumbs]').textContent())!.replace(/\s+/g, ' ')).toMatch(
      new RegExp(`Overview.*Runs.*${run.id}`),
    );
  });

  it('edits and deletes a dataset row in place', async () => {
    const d = await api('POST', '/api/datasets', { name: 'rows' });
    await api('POST', `/api/datasets/${d.id}/examples`, {
      examples: [
        { inputs: { text: 'one' }, expected: { result: 'ONE' }, split: 'dev' },
        { inputs: { text: 'two' }, expected: { result: 'TWO' }, split: 'dev' },
      ],
    });
    const [first, second] = (await api('GET', `/api/datasets/${d.id}`)).examples;
    await page.goto(`${url}/ui/datasets`);
    await page.click('[data-dataset=rows]');
    const row = page.locator(`[data-example="${first.id}"]`);
    await row.locator('[data-test=edit-example]').click();
    await row.locator('textarea[name=example-expected]').fill('{"result": "');
    await row.locator('[data-test=save-example]').click();
    await row.getByText(/expected: not JSON/).waitFor();
    await row.locator('textarea[name=example-expected]').fill('{"result": "Uno"}');
    await row.locator('[data-test=save-example]').click();
    await row.getByText('{"result":"Uno"}').waitFor();
    expect(
      (await api('GET', `/api/datasets/${d.id}`)).examples.find((e: { id: string }) => e.id === first.id).expected,
    ).toEqual({ result: 'Uno' });
    await page.locator(`[data-example="${second.id}"] [data-test=delete-example]`).click();
    await page.locator(`[data-example="${second.id}"]`).waitFor({ state: 'detached' });
    expect((await api('GET', `/api/datasets/${d.id}`)).examples).toHaveLength(1);
    await shot('dataset-rows');
  });

  it('the policy dry run names what is wrong with a call, and its verdict belongs to the call it judged', async () => {
    await api('PUT', '/api/policy', { rules: [] });
    await page.goto(`${url}/ui/policy`);
    const call = page.locator('textarea[name=dry-run-call]');
    await call.fill('{"tool": "terminal", "args": {}}');
    await page.click('[data-test=dry-run]');
    const error = page.locator('[data-test=error]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/not a tool call: .*args\.command: /);
    expect(await error.textContent()).not.toContain('"code"');
    await call.fill('{"tool": "terminal", "args": {"command": "ls"}}');
    await page.click('[data-test=dry-run]');
    await page.locator('[data-test=verdict]').waitFor();
    expect(await page.locator('[data-test=error]').count()).toBe(0);
    await call.fill('{"tool": "terminal", "args": {"command": "ls -la"}}');
    await page.locator('[data-test=verdict]').waitFor({ state: 'detached' });
  });

  it('the policy dry run lists every reason that applies, the network included', async () => {
    await api('PUT', '/api/policy', {
      rules: [{ id: 'allow-ls', tool: 'terminal', action: 'allow', match: { command: 'ls *' } }],
    });
    await page.goto(`${url}/ui/policy`);
    await page
      .locator('textarea[name=dry-run-call]')
      .fill('{"tool": "terminal", "args": {"command": "ls -la; curl https://example.com"}}');
    await page.click('[data-test=dry-run]');
    const reasons = page.locator('[data-test=verdict] [data-test=verdict-reason]');
    await reasons.filter({ hasText: 'example.com' }).waitFor();
    expect(await reasons.filter({ hasText: 'allow-ls' }).count()).toBe(1);
    expect(await reasons.filter({ hasText: 'curl' }).count()).toBeGreaterThan(0);
    await shot('policy-dry-run');
  });

  it('cancelling a run from its page stops the answer, and its streaming card goes', async () => {
    await api('POST', '/api/components', {
      name: 'storyteller',
      signature: 'question: str -> answer: str',
      instructions: 'op: slowly',
      provider: 'fake',
    });
    const run = await api('POST', '/api/components/storyteller/runs', { inputs: { question: 'a long tale' } });
    await page.goto(`${url}/ui/runs/${run.id}`);
    const card = page.locator('[data-stream]');
    await card.getByText('the tale went on').waitFor();
    await page.click('[data-test=cancel]');
    await page.locator('[data-status=cancelled]').first().waitFor();
    await card.waitFor({ state: 'detached', timeout: 20_000 });
  });

  it("says so when the token is missing, and when a page's run does not exist", async () => {
    const stranger = await session.browser.newPage();
    await stranger.goto(`${url}/ui/runs`);
    await stranger.locator('[data-test=unauthorized]', { hasText: 'The dashboard needs its token' }).waitFor();
    expect(await stranger.locator('[data-test=unauthorized]').textContent()).toContain('npx harness open');
    await stranger.screenshot({ path: '.vloop/screenshots/unauthorized.png', fullPage: true });
    await stranger.close();
    await page.goto(`${url}/ui/runs/run_does_not_exist`);
    await page.locator('[data-test=not-found]', { hasText: "run 'run_does_not_exist'" }).waitFor();
    await shot('not-found');
  });

  it('asks for each DSPy type with its own field, and refuses a value that is not of its type', async () => {
    await api('POST', '/api/components', {
      name: 'typed',
      signature: "tags: set[str], limit: Optional[int], mode: Literal['fast', 'slow'] -> answer: str",
      provider: 'fake',
    });
    await page.goto(`${url}/ui/components/typed`);
    await page.fill('textarea[name=input-tags]', "['a', 'a']");
    await page.click('[data-test=submit-run]');
    await page.getByText('expected set[str]').waitFor();
    await page.fill('textarea[name=input-tags]', "['a', 'b']"); // a Python literal, as DSPy users write it
    await chooseOption(page, page.locator('.v-select', { hasText: "mode (Literal['fast', 'slow'])" }), 'slow');
    await shot('typed-form');
    await page.click('[data-test=submit-run]');
    await page.locator('[data-test=run-outputs]').waitFor();
    const runs = (await api('GET', '/api/runs?kind=component&limit=20')).runs.filter(
      (r: { target: { name: string } }) => r.target.name === 'typed',
    );
    expect(runs[0].inputs).toEqual({ tags: ['a', 'b'], limit: null, mode: 'slow' });
  });
});
