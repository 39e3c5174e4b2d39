// The dashboard defects a new user hit in the daily loop (issue 29), each in a real browser against `harness up`:
// version diffs, the pipeline editor, the run page's inspector and player, the approval card, the apps list, the theme.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOption } from '../helpers/browser.js';
import { A2UI_VERSION, VLOOP_CATALOG_ID } from '../../core/a2ui.js';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';

// The view the fake model drafts for an app bound to `upper`.
const upperView = {
  version: A2UI_VERSION,
  catalogId: VLOOP_CATALOG_ID,
  components: [
    { id: 'root', component: 'Column', children: ['text', 'go', 'result'] },
    { id: 'text', component: 'TextField', label: 'Text', value: { path: '/inputs/text' } },
    { id: 'go', component: 'Button', label: 'Shout', action: { event: { name: 'run' } } },
    { id: 'result', component: 'Text', text: { path: '/outputs/result' } },
  ],
};
const THOUGHT = 'The notes are untidy, so I append a line to done.txt first.';

/** A ReAct model that asks for one terminal call with a thought, then finishes with what it saw. */
function agentScript(req: FakeRequest): string {
  const observation = req.messages.find((m) => m.role === 'user' && m.content.startsWith('Observation: '));
  if (observation) return JSON.stringify({ thought: 'Done.', finish: { answer: observation.content } });
  return JSON.stringify({ thought: THOUGHT, tool: 'terminal', args: { command: 'echo tidy >> done.txt' } });
}

/** WCAG contrast of an element's text against what is behind it (its first opaque ancestor background). */
function contrastOf(el: Element): number {
  const rgba = (s: string) => s.match(/[\d.]+/g)!.map(Number) as [number, number, number, number?];
  const [r, g, b, a = 1] = rgba(getComputedStyle(el).color);
  let node: Element | null = el;
  let bg: number[] = [255, 255, 255];
  for (; node; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if ((c[3] ?? 1) === 1) {
      bg = [c[0], c[1], c[2]];
      break;
    }
  }
  const fg = [r, g, b].map((x, i) => x * a + bg[i]! * (1 - a));
  const lum = (c: number[]) =>
    c
      .map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4))
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i]!, 0);
  const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('daily loop pages (e2e)', () => {
  let session: UpSession;
  let url: string;
  let page: Page;
  let fake: FakeProvider;
  let agentFake: FakeProvider;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const shot = (name: string) => session.shot(name);
  const finished = (id: string) =>
    expect.poll(async () => (await api('GET', `/api/runs/${id}`)).status, { timeout: 30_000 }).toBe('completed');

  beforeAll(async () => {
    fake = await startFakeProvider('openai', (req) =>
      (req.messages[0]?.content ?? '').startsWith('You design small UIs') ? JSON.stringify(upperView) : echoModel(req),
    );
    agentFake = await startFakeProvider('openai', agentScript);
    session = await startHarnessUp(fake.baseUrl);
    ({ url, page } = session);
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
    await agentFake?.close();
  });

  it('a version diff keeps its lines in place, and a trailing comma alone is no change', async () => {
    await api('POST', '/api/components', {
      name: 'differ',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'fake',
      params: { maxTokens: 64 },
    });
    await api('POST', '/api/components/differ/versions', {
      name: 'differ',
      signature: 'text: str -> result: str',
      instructions: 'op: reverse',
      provider: 'fake',
      params: { maxTokens: 64, temperature: 0.3 },
    });
    await page.goto(`${url}/ui/components/differ`);
    await chooseOption(page, page.locator('.v-select', { hasText: 'Diff with' }), '1');
    // The diff drawn before it is read (evaluateAll does not wait).
    await page.locator('[data-test=diff] pre > span').first().waitFor();
    // Each line is its sign, a space and the line: ' ', '-' or '+'.
    const rows = await page
      .locator('[data-test=diff] pre > span')
      .evaluateAll((els) => els.map((e) => `${e.textContent![0]}${e.textContent!.slice(1).trim()}`));
    await shot('component-version-diff');
    expect(rows[0]).toBe(' {');
    expect(rows.at(-1)).toBe(' }');
    const removed = rows.indexOf('-"instructions": "op: upper",');
    expect(rows[removed + 1]).toBe('+"instructions": "op: reverse",');
    expect(rows.filter((r) => !r.startsWith(' '))).toEqual([
      '-"instructions": "op: upper",',
      '+"instructions": "op: reverse",',
      '+"temperature": 0.3',
    ]);
  });

  it('a pipeline page diffs two of its versions', async () => {
    await api('POST', '/api/pipelines/diamond/versions', { ...DIAMOND_SPEC, description: 'upper and reverse, joined' });
    await page.goto(`${url}/ui/pipelines/diamond`);
    await chooseOption(page, page.locator('[data-test=pipeline-diff-with]'), /^v1 ·/);
    const diff = page.locator('[data-test=diff]');
    await diff.getByText('v1 → v2').waitFor();
    const changed = (await diff.locator('pre > span').allTextContents())
      .map((l) => `${l[0]}${l.slice(1).trim()}`)
      .filter((l) => /^[+-]/.test(l));
    expect(changed).toEqual(['+"description": "upper and reverse, joined",']);
    await shot('pipeline-version-diff');
  });

  it("the pipeline editor shows its whole graph at 1440 px, and a failed save's error does not outlive it", async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      const chain = {
        name: 'chain',
        inputs: { text: 'str' },
        steps: ['a', 'b', 'c', 'd', 'e'].map((id, i, all) => ({
          id,
          component: 'upper',
          inputs: { text: i ? `$steps.${all[i - 1]}.outputs.result` : '$inputs.text' },
        })),
        outputs: { result: '$steps.e.outputs.result' },
      };
      await api('POST', '/api/pipelines', chain);
      await page.goto(`${url}/ui/pipelines/chain`);
      await page.click('[data-test=edit-pipeline]');
      const editor = page.locator('.v-row', { has: page.locator('[data-test=pipeline-spec]') });
      await editor.locator('[data-test=dag] [data-node=e]').waitFor();
      await shot('pipeline-editor-1440');
      // Every node is inside the editor's graph column and the window, not cut off at its edge.
      const outside = await editor.locator('[data-test=dag]').evaluate((svg) => {
        const box = svg.parentElement!.getBoundingClientRect();
        const right = Math.min(box.right, document.documentElement.clientWidth);
        return [...svg.querySelectorAll('[data-node]')]
          .filter((n) => n.getBoundingClientRect().right > right + 1)
          .map((n) => n.getAttribute('data-node'));
      });
      expect(outside).toEqual([]);

      const text = editor.locator('[data-test=pipeline-spec] textarea');
      const good = await text.inputValue();
      await text.fill(
        JSON.stringify({
          ...chain,
          steps: [...chain.steps, { id: 'loop', component: 'upper', inputs: { text: '$steps.loop.outputs.result' } }],
        }),
      );
      await page.click('[data-test=save-pipeline]');
      await editor.getByText(/cannot bind to its own outputs/).waitFor();
      // Closing the editor drops the failed attempt: opened again, it starts clean.
      await page.click('[data-test=edit-pipeline]');
      await page.click('[data-test=edit-pipeline]');
      await editor.locator('[data-test=pipeline-spec] textarea').waitFor();
      expect(await page.locator('[data-test=error]').count()).toBe(0);
      await text.fill(
        JSON.stringify({
          ...chain,
          steps: [...chain.steps, { id: 'loop', component: 'upper', inputs: { text: '$steps.loop.outputs.result' } }],
        }),
      );
      await page.click('[data-test=save-pipeline]');
      await editor.getByText(/cannot bind to its own outputs/).waitFor();
      // Editing the spec makes the error stale: it goes, and the good save shows none.
      await text.fill(good.replace('"name": "chain"', '"name": "chain", "description": "five shouts"'));
      await page.locator('[data-test=error]').waitFor({ state: 'detached' });
      await page.click('[data-test=save-pipeline]');
      await page.locator('[data-test=pipeline-description]').getByText('five shouts').waitFor();
      expect(await page.locator('[data-test=error]').count()).toBe(0);
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  it('the inspector stays in view beside the timeline, and the player never shows an event after the playhead', async () => {
    const run = await api('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'sticky' } });
    await finished(run.id);
    await page.setViewportSize({ width: 1400, height: 700 });
    try {
      await page.goto(`${url}/ui/runs/${run.id}`);
      await page.locator('[data-type="run.completed"]').waitFor();
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.locator('[data-type="run.completed"]').click();
      const inspector = page.locator('[data-test=inspector]');
      await inspector.getByText(/run\.completed · seq/).waitFor();
      const box = (await inspector.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeLessThan(700);
      await shot('run-inspector-sticky');
      // Back to the first event: the selected later event is not shown as if it had happened.
      await page.locator('[data-test=player] [role=slider]').focus();
      await page.keyboard.press('Home');
      await page.locator('[data-test=player-position]').getByText('at seq 1').waitFor();
      expect(await inspector.textContent()).not.toContain('run.completed');
      await page.keyboard.press('End');
      await inspector.getByText(/run\.completed · seq/).waitFor();
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  it('an approval card reads clearly, links its run and shows the thought behind the call', async () => {
    await api('PUT', '/api/policy', { rules: [] });
    await api('POST', '/api/providers', {
      name: 'agentfake',
      type: 'openai',
      baseUrl: agentFake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'm',
    });
    // The JSON adapter: the action and its thought come back as text (the fake's native tool call has no text beside it).
    await api('POST', '/api/components', {
      name: 'tidier',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'agentfake',
      tools: ['terminal'],
      adapter: 'json',
    });
    const run = await api('POST', '/api/components/tidier/runs', { inputs: { task: 'tidy' } });
    for (const where of ['/agents', `/runs/${run.id}`]) {
      await page.goto(`${url}/ui${where}`);
      const card = page.locator('[data-approval="tool[0]"]');
      await card.getByText('echo tidy >> done.txt').waitFor({ timeout: 20_000 });
      for (const part of ['.v-card-title', 'pre'])
        expect(await card.locator(part).first().evaluate(contrastOf)).toBeGreaterThanOrEqual(4.5);
      await card.locator(`a[href$="/runs/${run.id}"]`).waitFor();
      const thought = card.locator('[data-test=approval-thought]');
      await thought.getByText(THOUGHT).waitFor();
      expect(await thought.evaluate(contrastOf)).toBeGreaterThanOrEqual(4.5);
      await shot(`approval-card${where === '/agents' ? '-inbox' : '-run'}`);
    }
    await page.locator('[data-approval="tool[0]"] [data-test=approve]').click();
    await finished(run.id);
  });

  it('a generated app shows in the apps list once its generation ends', async () => {
    await page.goto(`${url}/ui/apps`);
    await page.locator('.v-main h1').waitFor();
    await page.click('[data-test=new-app]');
    await chooseOption(page, page.locator('[data-test=gen-target]'), 'component upper');
    await page.fill('[data-test=gen-prompt] textarea', 'a box to shout into');
    await page.fill('[data-test=gen-name] input', 'shouter-app');
    await page.click('[data-test=gen-submit]');
    await page.locator('[data-test=live-run] [data-status=completed]').waitFor({ timeout: 30_000 });
    await page.locator('[data-test=app-shouter-app]').waitFor({ timeout: 30_000 });
    await shot('apps-after-generate');
  });

  it("the app bar switches light and dark, remembered across reloads; without a choice the system's", async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.goto(`${url}/ui/`);
      await page.locator('.v-main h1').first().waitFor();
      expect(await page.locator('.v-application.v-theme--dark').count()).toBe(1);
      await page.click('[data-test=theme-toggle]');
      await page.locator('.v-application.v-theme--light').waitFor();
      await page.reload();
      await page.locator('.v-main h1').first().waitFor();
      expect(await page.locator('.v-application.v-theme--light').count()).toBe(1);
      await shot('theme-toggled-light');
      await page.click('[data-test=theme-toggle]');
      await page.locator('.v-application.v-theme--dark').waitFor();
    } finally {
      await page.evaluate(() => localStorage.removeItem('vloop.theme'));
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });
});
