// The dataset loop (issue 29): runs kept as examples (one or in bulk, by ids or by the runs list's filter),
// one default split from import to eval, and eval comparisons that read forwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalModel, examples } from '../helpers/eval-model.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

describe('the dataset loop', () => {
  let stack: TestStack;
  const qa = (mode: string) => ({
    name: 'qa',
    signature: 'question: str -> answer: str',
    instructions: `mode: ${mode}`,
    provider: 'fake',
  });
  beforeAll(async () => {
    stack = await startTestStack({ script: evalModel });
    await addFakeProvider(stack);
    await stack.ok('POST', '/api/components', qa('quarter'));
  });
  afterAll(() => stack?.close());

  it('adds runs to a dataset in bulk, by ids (an expected answer edited) or all that match a filter, each keeping its source run', async () => {
    const runs = [];
    for (const q of ['q4', 'q5', 'q8'])
      runs.push(await stack.ok('POST', '/api/components/qa/runs', { inputs: { question: q } }));
    for (const r of runs) expect((await waitForRun(stack, r.id)).status).toBe('completed');
    const [r4, r5, r8] = runs.map((r) => r.id as string);

    await stack.ok('POST', '/api/datasets', { name: 'picked' });
    const picked = await stack.ok('POST', '/api/datasets/picked/runs', {
      runs: [{ id: r4 }, { id: r5, expected: { answer: 'a5' } }],
    });
    expect(picked).toMatchObject({ added: 2, skipped: [] });
    const kept = (await stack.ok('GET', '/api/datasets/picked')).examples;
    expect(kept.map((e: { sourceRunId: string }) => e.sourceRunId).sort()).toEqual([r4, r5].sort());
    // The run's outputs are the expected answer unless one was given instead (q5's run answered "wrong").
    expect(kept.find((e: { sourceRunId: string }) => e.sourceRunId === r4)).toMatchObject({
      inputs: { question: 'q4' },
      expected: { answer: 'a4' },
      split: 'dev',
    });
    expect(kept.find((e: { sourceRunId: string }) => e.sourceRunId === r5)).toMatchObject({
      inputs: { question: 'q5' },
      expected: { answer: 'a5' },
    });

    // "All matching the filter": the same filter the runs list sends, resolved on the server (not only the rows on screen).
    await stack.ok('POST', '/api/datasets', { name: 'filtered' });
    const all = await stack.ok('POST', '/api/datasets/filtered/runs', {
      filter: { target: 'qa', kind: 'component' },
      split: 'test',
    });
    expect(all.added).toBe(3);
    const fromFilter = (await stack.ok('GET', '/api/datasets/filtered')).examples;
    expect(fromFilter.map((e: { sourceRunId: string }) => e.sourceRunId).sort()).toEqual([r4, r5, r8].sort());
    expect(new Set(fromFilter.map((e: { split: string }) => e.split))).toEqual(new Set(['test']));

    // A run that is not there refuses the whole request; nothing is added.
    const missing = await stack.api('POST', '/api/datasets/picked/runs', {
      runs: [{ id: r8 }, { id: 'run_0000000000' }],
    });
    expect(missing.status).toBe(404);
    expect((await stack.ok('GET', '/api/datasets/picked')).examples).toHaveLength(2);
    const neither = await stack.api('POST', '/api/datasets/picked/runs', {});
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toContain('runs or filter');
  });

  it('one default split: examples imported, added or kept from a run without a split are what an eval reads by default', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'first' });
    const content = examples(4)
      .map(({ inputs, expected }) => JSON.stringify({ inputs, expected }))
      .join('\n');
    const imported = await stack.ok('POST', '/api/datasets/first/import', { format: 'jsonl', content });
    expect(imported.splits).toEqual({ train: 0, dev: 4, test: 0 });
    await stack.ok('POST', '/api/datasets/first/examples', {
      examples: [{ inputs: { question: 'q4' }, expected: { answer: 'a4' } }],
    });
    const run = await stack.ok('POST', '/api/components/qa/runs', { inputs: { question: 'q0' } });
    await waitForRun(stack, run.id);
    expect((await stack.ok('POST', `/api/runs/${run.id}/dataset`, { dataset: 'first' })).splits).toEqual({
      train: 0,
      dev: 6,
      test: 0,
    });

    // A first eval, without naming a split, runs on what was imported.
    const started = await stack.api('POST', '/api/evals', {
      dataset: 'first',
      target: { component: 'qa' },
      metrics: [{ name: 'exact_match', field: 'answer' }],
    });
    expect(started.status).toBe(201);
    expect((await waitForRun(stack, started.body.id, 90_000)).outputs.aggregates['exact_match:answer'].n).toBe(6);

    // An empty split is refused with the splits there are.
    const empty = await stack.api('POST', '/api/evals', {
      dataset: 'first',
      split: 'test',
      target: { component: 'qa' },
      metrics: [{ name: 'exact_match' }],
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.problems[0].message).toBe("dataset 'first' has no test examples; it has dev (6)");
    const optimize = await stack.api('POST', '/api/optimizations', {
      component: 'qa',
      dataset: 'first',
      metric: { name: 'exact_match' },
    });
    expect(optimize.status).toBe(400);
    expect(optimize.body.error.details.problems[0].message).toBe(
      "dataset 'first' needs train and dev examples; it has dev (6)",
    );
  });

  it('compares evals forwards: the older is the baseline, columns are named by version, and each metric is judged on its own', async () => {
    await stack.ok('POST', '/api/components/qa/versions', qa('even'));
    await stack.ok('POST', '/api/datasets', { name: 'cmp' });
    await stack.ok('POST', '/api/datasets/cmp/examples', { examples: examples(8) });
    // exact_match rises where the other falls: an answer is either right or "wrong".
    const metrics = [
      { name: 'exact_match', field: 'answer' },
      { name: 'regex', field: 'answer', args: { pattern: '^wrong$' } },
    ];
    const older = await stack.ok('POST', '/api/evals', { dataset: 'cmp', target: { component: 'qa@1' }, metrics });
    await waitForRun(stack, older.id, 90_000);
    const newer = await stack.ok('POST', '/api/evals', { dataset: 'cmp', target: { component: 'qa@2' }, metrics });
    await waitForRun(stack, newer.id, 90_000);

    // Picked newest first, as the evals list shows them.
    const body = await stack.ok('GET', `/api/evals/compare?runs=${newer.id},${older.id}`);
    expect(body.baseline).toBe(older.id);
    expect(body.runs.map((r: { id: string }) => r.id)).toEqual([older.id, newer.id]);
    expect(body.columns).toEqual(['qa@1', 'qa@2']);
    // quarter (v1) is right on q0 and q4; even (v2) on q0, q2, q4 and q6.
    // Two of eight examples moved, both the same way: a paired test does not call that a difference yet.
    expect(body.aggregates['exact_match:answer']).toMatchObject({
      means: [0.25, 0.5],
      deltas: [0, 0.25],
      verdicts: [null, 'no detectable difference'],
      tests: [null, { n: 8, delta: 0.25, pValue: 0.5 }],
    });
    expect(body.aggregates['exact_match:answer'].intervals[0]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(body.aggregates['regex:answer']).toMatchObject({
      means: [0.75, 0.5],
      verdicts: [null, 'no detectable difference'],
    });
    const q2 = body.changes.find((c: { inputs: { question: string } }) => c.inputs.question === 'q2');
    expect(q2).toMatchObject({
      kind: 'mixed',
      scores: { 'exact_match:answer': [0, 1], 'regex:answer': [1, 0] },
      verdicts: { 'exact_match:answer': [null, 'better'], 'regex:answer': [null, 'worse'] },
    });
    // The baseline named outright still wins.
    expect(
      (await stack.ok('GET', `/api/evals/compare?runs=${older.id},${newer.id}&baseline=${newer.id}`)).columns,
    ).toEqual(['qa@2', 'qa@1']);
    // The version in production is the baseline when neither is named: a candidate is measured against what runs now.
    await stack.ok('POST', '/api/components/qa/labels/production', { version: 2 });
    const labelled = await stack.ok('GET', `/api/evals/compare?runs=${older.id},${newer.id}`);
    expect(labelled).toMatchObject({ baseline: newer.id, baselineBy: 'label', columns: ['qa@2 (production)', 'qa@1'] });
    expect(labelled.aggregates['exact_match:answer']).toMatchObject({
      means: [0.5, 0.25],
      tests: [null, { delta: -0.25 }],
    });
    expect(
      (await stack.ok('GET', `/api/evals/compare?runs=${older.id},${newer.id}&baseline=${older.id}`)).baselineBy,
    ).toBe('named');
  });

  it('calls a real gain better and noise no detectable difference, by a paired test on the same examples', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'hundred' });
    await stack.ok('POST', '/api/datasets/hundred/examples', { examples: examples(100) });
    const metrics = [{ name: 'exact_match', field: 'answer' }];
    const ids: string[] = [];
    for (const [version, mode] of ['sixty', 'noisy', 'better'].entries()) {
      const spec = { ...qa(mode), name: 'skill' };
      await stack.ok('POST', version ? '/api/components/skill/versions' : '/api/components', spec);
      const run = await stack.ok('POST', '/api/evals', {
        dataset: 'hundred',
        target: { component: `skill@${version + 1}` },
        metrics,
        concurrency: 16,
      });
      expect((await waitForRun(stack, run.id, 90_000)).status).toBe('completed');
      ids.push(run.id);
    }
    const body = await stack.ok('GET', `/api/evals/compare?runs=${ids.join(',')}&baseline=${ids[0]}`);
    const row = body.aggregates['exact_match:answer'];
    // The noise moved examples both ways; the gain only up.
    expect(body.changes.some((c: { kind: string }) => c.kind === 'regression')).toBe(true);
    expect(row.deltas[1]).toBeCloseTo(0.03, 9);
    expect(row.verdicts).toEqual([null, 'no detectable difference', 'better']);
    expect(row.tests[1].pValue).toBeGreaterThan(0.05);
    expect(row.tests[2]).toMatchObject({ n: 100, pValue: expect.any(Number) });
    expect(row.tests[2].pValue).toBeLessThan(0.001);
    expect(row.tests[2].ci95[0]).toBeGreaterThan(0);
  });
});
