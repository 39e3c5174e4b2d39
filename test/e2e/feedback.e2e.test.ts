// Feedback on runs in a real browser (issue 35): rate a run and a step from the run page, see it in the runs list and
// under the negative filter, make a dataset of the negative runs in two clicks, and walk an annotation queue of five
// runs with the keyboard alone (each score stored exactly as typed, a retyped one replaced, a note saved with Enter).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

interface Feedback {
  stepId: string | null;
  thumbs: string | null;
  score: number | null;
  note: string | null;
  label?: string | null;
  negative?: boolean;
}

describe('feedback on runs (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const completedRun = async (text: string) => {
    const run = await api('POST', '/api/components/upper/runs', { inputs: { text } });
    await until(
      async () => (await api('GET', `/api/runs/${run.id}`)).status === 'completed',
      `the run of ${text} to complete`,
    );
    return run.id as string;
  };
  const feedbackOf = async (id: string) => (await api('GET', `/api/runs/${id}/feedback`)).feedback as Feedback[];
  /** The run ids the runs table shows now. */
  const shownRuns = async () =>
    (await page
      .locator('[data-test=runs-table] tr[data-run]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')!))) as string[];

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
    await api('POST', '/api/components', {
      name: 'upper',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'fake',
    });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('rates a run and a step from the run page, shows it in the list and the negative filter, and makes a dataset of the negative runs in two clicks', async () => {
    const [rated, disliked, liked] = [await completedRun('ab'), await completedRun('cd'), await completedRun('ef')];
    await api('POST', `/api/runs/${disliked}/feedback`, { score: 1 });
    await api('POST', `/api/runs/${liked}/feedback`, { thumbs: 'up' });

    await page.goto(`${session.url}/ui/runs/${rated}`);
    const panel = page.locator('[data-test=feedback-panel]');
    await panel.locator('[data-test=feedback-down]').click();
    await panel.locator('textarea[name=feedback-note]').fill('Shouted the wrong words');
    await panel.locator('[data-test=feedback-save]').click();
    await panel.locator('[data-test=feedback-text]', { hasText: 'thumbs down · “Shouted the wrong words”' }).waitFor();
    // A step's own rate control, beside the step.
    const rate = page.locator('[data-rate-step]').first();
    const stepId = (await rate.getAttribute('data-rate-step'))!;
    await rate.click();
    const stepForm = page.locator(`[data-step-feedback="${stepId}"]`);
    await stepForm.locator('[data-score="2"]').click();
    await stepForm.locator('[data-test=feedback-save]').click();
    await panel.locator('[data-test=feedback-text]', { hasText: `step ${stepId}: 2/5` }).waitFor();
    // The project's labels, edited from the panel, then one given.
    await panel.locator('[data-test=edit-labels]').click();
    const labels = page.locator('[data-test=labels-dialog]');
    await labels.locator('[data-test=add-label]').click();
    const added = (await labels.locator('[data-label-row]').count()) - 1;
    await labels.locator(`input[name=label-${added}]`).fill('off-topic');
    await labels.locator('[data-test=labels-save]').click();
    await labels.waitFor({ state: 'hidden' });
    expect((await api('GET', '/api/feedback/labels')).labels).toContainEqual({ name: 'off-topic', negative: true });
    await panel.locator('[data-test=feedback-label]').click();
    await page.getByRole('option', { name: 'off-topic (negative)' }).click();
    await panel.locator('[data-test=feedback-save]').click();
    await panel.locator('[data-test=feedback-text]', { hasText: /^off-topic$/ }).waitFor();
    await session.shot('feedback-run-page');
    expect(await feedbackOf(rated)).toMatchObject([
      { stepId: null, thumbs: 'down', score: null, note: 'Shouted the wrong words' },
      { stepId, thumbs: null, score: 2, note: null },
      { stepId: null, label: 'off-topic', negative: true },
    ]);

    // The list's compact column, then the negative filter.
    await page.goto(`${session.url}/ui/runs?target=upper`);
    const cell = (id: string) => page.locator(`tr[data-run="${id}"] [data-test=run-feedback-cell] > span`);
    await until(async () => (await cell(rated).getAttribute('data-feedback-negative')) === '3', 'the rated run');
    expect(await cell(liked).getAttribute('data-feedback-positive')).toBe('1');
    expect(await cell(disliked).getAttribute('data-feedback-negative')).toBe('1');
    await page.click('[data-test=run-feedback]');
    await page.getByRole('option', { name: 'Negative feedback' }).click();
    const negative = [rated, disliked].sort();
    await until(async () => JSON.stringify((await shownRuns()).sort()) === JSON.stringify(negative), 'the filter');
    expect(new URL(page.url()).searchParams.get('feedback')).toBe('negative');
    await session.shot('feedback-negative-filter');

    // Two clicks: "Add all matching", then Add (the dialog offers the negative-feedback dataset).
    await page.click('[data-test=add-matching]');
    const dialog = page.locator('[data-test=add-to-dataset-dialog]');
    await dialog.locator('[data-test=add-to-dataset-save]').click();
    await dialog.locator('[data-test=added]').getByText('Added 2 to negative-feedback').waitFor();
    const examples = (await api('GET', '/api/datasets/negative-feedback')).examples as Array<{ sourceRunId: string }>;
    expect(examples.map((e) => e.sourceRunId).sort()).toEqual(negative);
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('walks an annotation queue of five runs with the keyboard alone', async () => {
    const queued: string[] = [];
    for (const t of ['gh', 'ij', 'kl', 'mn', 'op']) queued.push(await completedRun(t));
    await page.goto(`${session.url}/ui/runs?target=upper&feedback=none`);
    await until(async () => (await shownRuns()).length === 5, 'the five runs without feedback');
    await page.click('[data-test=annotate-these]');
    const card = page.locator('[data-test=annotate-card]');
    const position = page.locator('[data-test=annotate-position]');
    await position.getByText('1 of 5').waitFor();
    const saved = async () =>
      until(async () => {
        const s = page.locator('[data-test=annotate-saved]');
        return (await s.getAttribute('data-saving')) === 'false' && (await s.textContent())?.trim() === 'saved';
      }, 'the score to be saved');

    const typed = ['3', '1', '5', '2', '4'];
    const scored = new Map<string, number>();
    for (const [i, key] of typed.entries()) {
      const id = (await card.getAttribute('data-annotate-run'))!;
      // The fourth run's score is typed twice: the second replaces the first.
      if (i === 3) await page.keyboard.press('5');
      await page.keyboard.press(key);
      await saved();
      if (i === 1) {
        await page.keyboard.press('n');
        await page.keyboard.type('Lost the second letter');
        await page.keyboard.press('Enter');
        await until(async () => (await feedbackOf(id))[0]?.note === 'Lost the second letter', 'the note');
      }
      scored.set(id, Number(key));
      if (i < typed.length - 1) {
        await page.keyboard.press('ArrowRight');
        await position.getByText(`${i + 2} of 5`).waitFor();
      }
    }
    // Back one with ←: the run shows what was given.
    await page.keyboard.press('ArrowLeft');
    await position.getByText('4 of 5').waitFor();
    expect(await page.locator('[data-chosen=true]').evaluateAll((b) => b.map((x) => x.textContent!.trim()))).toEqual([
      '2',
    ]);
    await session.shot('feedback-annotation-queue');

    expect([...scored.keys()].sort()).toEqual([...queued].sort());
    for (const [id, score] of scored) {
      const got = await feedbackOf(id);
      expect(got, id).toHaveLength(1);
      expect(got[0]!.score, id).toBe(score);
    }
    const second = [...scored.keys()][1]!;
    expect((await feedbackOf(second))[0]).toMatchObject({ score: 1, note: 'Lost the second letter' });
  });
});
