// Trends where the object lives: a component's and a pipeline's score per version, cost and latency per version and
// runs per day, and an eval against the previous one, checked against numbers this test computes from the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalModel, examples } from '../helpers/eval-model.js';
import { targetRuns } from '../../db/repositories/trends.js';
import { dialects } from '../helpers/db.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const METRIC = 'exact_match:answer';
const qa = (mode: string) => ({
  name: 'qa',
  signature: 'question: str -> answer: str',
  instructions: `mode: ${mode}`,
  provider: 'fake',
});

interface StoredRun {
  id: string;
  kind: string;
  status: string;
  target: string;
  costUsd: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** Nearest rank: the smallest value with at least q of the values at or below it. */
const rank = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.ceil(q * xs.length) - 1] ?? null;

/** What the trends should say of one version, from the runs table as stored. */
function expectedVersion(rows: StoredRun[], type: string, name: string, version: number) {
  const mine = rows.filter((r) => {
    const t = JSON.parse(r.target) as { type: string; name: string; version: number };
    return t.type === type && t.name === name && t.version === version && !['eval', 'optimize'].includes(r.kind);
  });
  const walls = mine
    .filter((r) => r.status === 'completed')
    .map((r) => Date.parse(r.endedAt!) - Date.parse(r.startedAt!));
  return {
    version,
    runs: mine.length,
    costUsdAvg: mine.length ? mine.reduce((s, r) => s + Number(r.costUsd), 0) / mine.length : null,
    p50Ms: rank(walls, 0.5),
    p95Ms: rank(walls, 0.95),
  };
}

// SQLite: an eval's example runs have ids of 60 characters, over PostgreSQL's varchar(40) runs.id (reported, not ours).
describe('trends of real runs and evals (sqlite)', () => {
  const dialect = 'sqlite';
  let stack: TestStack;
  const evalOf = async (target: Record<string, string>) => {
    const run = await stack.ok('POST', '/api/evals', {
      dataset: 'qs',
      target,
      metrics: [{ name: 'exact_match', field: 'answer' }],
    });
    const done = await waitForRun(stack, run.id, 90_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    return run.id as string;
  };
  const tryIt = async (version: number, question: string) => {
    const run = await stack.ok('POST', '/api/components/qa/runs', { inputs: { question }, version });
    expect((await waitForRun(stack, run.id)).status).toBe('completed');
  };
  const evals: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startTestStack({ dialect, script: evalModel });
    await addFakeProvider(stack);
    await stack.ok('POST', '/api/components', qa('quarter'));
    await stack.ok('POST', '/api/datasets', { name: 'qs' });
    await stack.ok('POST', '/api/datasets/qs/examples', { examples: examples(8) });
    // quarter answers q0 and q4 of q0..q7 (0.25); even answers q0, q2, q4, q6 (0.5).
    evals.v1 = await evalOf({ component: 'qa@1' });
    await stack.ok('POST', '/api/components/qa/versions', qa('even'));
    evals.v2 = await evalOf({ component: 'qa@2' });
    await tryIt(1, 'q1');
    await tryIt(2, 'q2');
    await tryIt(2, 'q3');
    await stack.ok('POST', '/api/pipelines', {
      name: 'chain',
      inputs: { question: 'str' },
      steps: [{ id: 'ask', component: 'qa', inputs: { question: '$inputs.question' } }],
      outputs: { answer: '$steps.ask.outputs.answer' },
    });
    evals.chain = await evalOf({ pipeline: 'chain@1' });
  }, 400_000);
  afterAll(() => stack?.close());

  const storedRuns = () =>
    stack.db.store
      .knex('runs')
      .select('id', 'kind', 'status', 'target', 'costUsd', 'createdAt', 'startedAt', 'endedAt') as Promise<StoredRun[]>;

  it("a component's page: score per version from each eval, cost and latency per version, runs per day", async () => {
    const trends = await stack.ok('GET', '/api/components/qa/trends');
    const rows = await storedRuns();
    expect(trends.versions).toHaveLength(2);
    for (const [i, v] of trends.versions.entries()) {
      expect(v).toMatchObject(expectedVersion(rows, 'component', 'qa', i + 1));
      expect(v.evals).toEqual([
        expect.objectContaining({ runId: evals[`v${i + 1}`], dataset: 'qs', scores: { [METRIC]: [0.25, 0.5][i] } }),
      ]);
    }
    // Each version ran its 8 examples; v1 was tried once, v2 twice. The pipeline's eval is not the component's.
    expect(trends.versions.map((v: { runs: number }) => v.runs)).toEqual([9, 10]);
    expect(trends.runsPerDay).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    const ofComponent = rows.filter((r) => r.target.includes('"type":"component"') && !['eval'].includes(r.kind));
    expect(trends.runsPerDay.at(-1)).toEqual({
      day: today,
      runs: ofComponent.filter((r) => r.createdAt.startsWith(today)).length,
      failed: 0,
    });
    expect(trends.runsPerDay.slice(0, -1).every((d: { runs: number }) => d.runs === 0)).toBe(true);
  });

  it("a pipeline's page: its own evals and runs only", async () => {
    const trends = await stack.ok('GET', '/api/pipelines/chain/trends');
    const rows = await storedRuns();
    expect(trends.versions).toEqual([
      {
        ...expectedVersion(rows, 'pipeline', 'chain', 1),
        evals: [expect.objectContaining({ runId: evals.chain, dataset: 'qs', scores: { [METRIC]: 0.5 } })],
      },
    ]);
    expect(trends.versions[0].runs).toBe(8);
    expect(trends.runsPerDay.at(-1).runs).toBe(8);
  });

  it('an eval against the previous eval of the same dataset and target', async () => {
    const second = await stack.ok('GET', `/api/evals/${evals.v2}/previous`);
    expect(second.previous).toMatchObject({ runId: evals.v1, version: 1, scores: { [METRIC]: 0.25 } });
    expect(second.deltas).toEqual({ [METRIC]: 0.25 });
    // The first eval of qa has none before it; the pipeline's is another target.
    expect(await stack.ok('GET', `/api/evals/${evals.v1}/previous`)).toEqual({ previous: null, deltas: {} });
    expect(await stack.ok('GET', `/api/evals/${evals.chain}/previous`)).toEqual({ previous: null, deltas: {} });
  });

  it('names what is missing: an unknown component, a run that is not an eval', async () => {
    const missing = await stack.api('GET', '/api/components/nope/trends');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const run = (await stack.ok('GET', '/api/runs?kind=component&limit=1')).runs[0];
    const notEval = await stack.api('GET', `/api/evals/${run.id}/previous`);
    expect(notEval.status).toBe(404);
    expect(notEval.body.error.message).toContain('not an eval');
  });
});

// Runs stored with known times, costs and outcomes over several days, on each store: the figures are written out here.
describe.each(dialects)('trends of stored runs on %s', (dialect) => {
  let stack: TestStack;
  const DAY = 86_400_000;
  const today = new Date();
  const at = (daysAgo: number, ms = 0) => new Date(today.getTime() - daysAgo * DAY + ms).toISOString();
  const id = (n: number) => `run_stored${String(n).padStart(4, '0')}`;
  let n = 0;
  const store = async (o: {
    kind?: string;
    type?: string;
    version: number;
    status: string;
    daysAgo: number;
    wallMs?: number;
    costUsd?: number;
    inputs?: Record<string, unknown>;
    outputs?: unknown;
    archived?: boolean;
  }) => {
    const runId = id(++n);
    const created = at(o.daysAgo);
    await stack.db.store.knex('runs').insert({
      id: runId,
      kind: o.kind ?? 'component',
      status: o.status,
      target: JSON.stringify({ type: o.type ?? 'component', id: 'v', name: 'sum', version: o.version }),
      inputs: JSON.stringify(o.inputs ?? {}),
      outputs: o.outputs === undefined ? null : JSON.stringify(o.outputs),
      workflowId: runId,
      costUsd: o.costUsd ?? 0,
      createdAt: created,
      startedAt: created,
      endedAt: o.wallMs === undefined ? null : at(o.daysAgo, o.wallMs),
      updatedAt: created,
      archivedAt: o.archived ? created : null,
    });
    return runId;
  };
  const scored = (mean: number) => ({ aggregates: { [METRIC]: { mean, n: 5 } }, errors: 0 });
  const evalRuns: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startTestStack({ dialect, script: evalModel, withWorker: false });
    await stack.ok('POST', '/api/providers', { name: 'fake', type: 'openai', baseUrl: stack.fake.baseUrl });
    await stack.ok('POST', '/api/components', { ...qa('quarter'), name: 'sum' });
    await stack.ok('POST', '/api/components/sum/versions', { ...qa('even'), name: 'sum' });
    for (const [wallMs, costUsd] of [
      [100, 0.01],
      [300, 0.03],
      [200, 0.02],
    ])
      await store({ version: 1, status: 'completed', daysAgo: 2, wallMs, costUsd });
    await store({ version: 1, status: 'failed', daysAgo: 2, wallMs: 5, costUsd: 0.04 });
    await store({ version: 2, status: 'completed', daysAgo: 0, wallMs: 150, costUsd: 0.1 });
    await store({ version: 2, status: 'completed', daysAgo: 0, wallMs: 50, costUsd: 0.1 });
    await store({ version: 2, status: 'timed_out', daysAgo: 0, wallMs: 9000 });
    // Not counted: older than 30 days, archived, a pipeline of the same name.
    await store({ version: 2, status: 'completed', daysAgo: 40, wallMs: 1, costUsd: 9 });
    await store({ version: 2, status: 'completed', daysAgo: 0, wallMs: 1, costUsd: 9, archived: true });
    await store({ type: 'pipeline', kind: 'pipeline', version: 1, status: 'failed', daysAgo: 0, wallMs: 1 });
    const evalOn = (version: number, daysAgo: number, dataset: string, outputs?: unknown) =>
      store({
        kind: 'eval',
        version,
        status: outputs ? 'completed' : 'failed',
        daysAgo,
        wallMs: 10,
        inputs: { dataset, split: 'dev' },
        outputs,
      });
    evalRuns.v1 = await evalOn(1, 2, 'd', scored(0.4));
    evalRuns.other = await evalOn(2, 1, 'other', scored(0.9));
    evalRuns.v2 = await evalOn(2, 0, 'd', scored(0.7));
    evalRuns.failed = await evalOn(2, 0, 'd');
  }, 120_000);
  afterAll(() => stack?.close());

  it('counts each version in the window: runs, mean cost, p50 and p95 of completed wall times, evals oldest first', async () => {
    const trends = await stack.ok('GET', '/api/components/sum/trends');
    expect(trends.versions.map((v: { costUsdAvg: number }) => v.costUsdAvg)).toEqual([
      expect.closeTo(0.025, 12),
      expect.closeTo(0.2 / 3, 12),
    ]);
    expect(trends.versions).toMatchObject([
      {
        version: 1,
        runs: 4,
        p50Ms: 200,
        p95Ms: 300,
        evals: [{ runId: evalRuns.v1, dataset: 'd', split: 'dev', createdAt: at(2), scores: { [METRIC]: 0.4 } }],
      },
      {
        version: 2,
        runs: 3,
        p50Ms: 50,
        p95Ms: 150,
        evals: [
          { runId: evalRuns.other, dataset: 'other', scores: { [METRIC]: 0.9 } },
          { runId: evalRuns.v2, dataset: 'd', scores: { [METRIC]: 0.7 } },
        ],
      },
    ]);
    const days = trends.runsPerDay as Array<{ day: string; runs: number; failed: number }>;
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toEqual({ day: at(0).slice(0, 10), runs: 3, failed: 1 });
    expect(days.at(-3)).toEqual({ day: at(2).slice(0, 10), runs: 4, failed: 1 });
    expect(days.reduce((sum, d) => sum + d.runs, 0)).toBe(7);
  });

  it('finds the previous eval of the same dataset, skipping other datasets and failed evals', async () => {
    expect(await stack.ok('GET', `/api/evals/${evalRuns.v2}/previous`)).toEqual({
      previous: { runId: evalRuns.v1, version: 1, createdAt: at(2), scores: { [METRIC]: 0.4 } },
      deltas: { [METRIC]: 0.7 - 0.4 },
    });
    // A failed eval has no scores of its own: its previous is found, with no deltas.
    expect((await stack.ok('GET', `/api/evals/${evalRuns.failed}/previous`)).previous.runId).toBe(evalRuns.v2);
    expect(await stack.ok('GET', `/api/evals/${evalRuns.other}/previous`)).toEqual({ previous: null, deltas: {} });
  });

  it('reads runs of one target through an index, never the whole table', async () => {
    const { knex } = stack.db.store;
    const { sql, bindings } = targetRuns(stack.db.store, 'component', 'sum', ['component', 'agent'])
      .where('createdAt', '>=', at(30))
      .toSQL();
    const plan = await knex.transaction(async (trx) => {
      // A handful of rows: PostgreSQL would rather read them all, unless told a scan is dear.
      if (dialect === 'postgres') await trx.raw('set local enable_seqscan = off');
      return trx.raw(`${dialect === 'sqlite' ? 'explain query plan' : 'explain'} ${sql}`, bindings);
    });
    expect(JSON.stringify(plan)).toContain('runs_target_name_kind_created');
  });
});
