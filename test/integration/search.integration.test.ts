// The command palette's search (GET /api/search): runs by a fragment of their id, components, pipelines, apps,
// datasets by name or id, evals by their target's name; exact answers and a 400 for bad input, on SQLite and
// PostgreSQL; a run id fragment stays an index lookup at 100k runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun } from '../../db/repositories/runs.js';
import { runIdPrefixQuery } from '../../db/repositories/search.js';
import { echoModel } from '../helpers/echo-model.js';
import { dialects } from '../helpers/db.js';
import { seedDiamond, startTestStack, type TestStack } from '../helpers/stack.js';

const diamond = { type: 'pipeline' as const, id: 'pl_x', name: 'diamond', version: 1 };
const upper = { type: 'component' as const, id: 'cmp_x', name: 'upper', version: 1 };
// Ids as newId spells them (time, then random), chosen so that fragments tell them apart.
const RUNS = {
  a: 'run_01kq7aaaa0000000000000000001',
  b: 'run_01kq7aaab0000000000000000002',
  c: 'run_01kq7bbbb0000000000000000003',
  eval: 'run_01kq7cccc0000000000000000004',
};

interface Result {
  kind: string;
  id: string;
  title: string;
  subtitle: string;
  to: string;
}

describe.each(dialects)('search (%s)', (dialect) => {
  let stack: TestStack;
  const search = async (q: string) =>
    (await stack.ok<{ results: Result[] }>('GET', `/api/search?q=${encodeURIComponent(q)}`)).results;
  const seen = (results: Result[]) => results.map((r) => `${r.kind} ${r.title} ${r.to}`);

  beforeAll(async () => {
    stack = await startTestStack({ dialect, script: echoModel, withWorker: false });
    await seedDiamond(stack);
    await stack.ok('POST', '/api/datasets', { name: 'upper-cases' });
    await stack.ok('POST', '/api/apps', {
      name: 'diamond-app',
      target: { kind: 'pipeline', name: 'diamond', version: 1 },
    });
    const store = stack.db.store;
    await createRun(store, { id: RUNS.a, kind: 'pipeline', target: diamond, inputs: { text: 'a' } });
    await createRun(store, { id: RUNS.b, kind: 'component', target: upper, inputs: { text: 'b' } });
    await createRun(store, { id: RUNS.c, kind: 'pipeline', target: diamond, inputs: { text: 'c' } });
    await createRun(store, {
      id: RUNS.eval,
      kind: 'eval',
      target: upper,
      inputs: { dataset: 'upper-cases', split: 'test', metrics: ['exact_match'] },
    });
  });
  afterAll(() => stack?.close());

  it('finds runs by the start of their id, with or without run_, newest first; an eval run opens as the eval', async () => {
    expect(seen(await search('01kq7aaa'))).toEqual([`run ${RUNS.b} /runs/${RUNS.b}`, `run ${RUNS.a} /runs/${RUNS.a}`]);
    expect(seen(await search('RUN_01KQ7AAAA'))).toEqual([`run ${RUNS.a} /runs/${RUNS.a}`]);
    const [run] = await search('01kq7bbbb');
    expect(run).toEqual({
      kind: 'run',
      id: RUNS.c,
      title: RUNS.c,
      subtitle: 'pipeline diamond@1 · queued',
      to: `/runs/${RUNS.c}`,
    });
    expect(seen(await search('01kq7cccc'))).toEqual([`eval ${RUNS.eval} /evals/${RUNS.eval}`]);
    expect(await search('01kq7zzzz')).toEqual([]);
  });

  it('finds components, pipelines, apps and datasets by name (exact, then the start, then within) and evals by their target', async () => {
    expect(seen(await search('upper'))).toEqual([
      'component upper /components/upper',
      'dataset upper-cases /datasets?dataset=upper-cases',
      `eval upper on upper-cases /evals/${RUNS.eval}`,
    ]);
    expect(seen(await search('Diamond'))).toEqual([
      'pipeline diamond /pipelines/diamond',
      'app diamond-app /apps/diamond-app',
    ]);
    expect(seen(await search('verse'))).toEqual(['component reverse /components/reverse']);
    // By id: a component's head id finds it.
    const [component] = await search('upper');
    expect(component).toMatchObject({ kind: 'component', subtitle: 'component · v1' });
    expect(seen(await search(component!.id))).toEqual([
      'component upper /components/upper',
      `eval upper on upper-cases /evals/${RUNS.eval}`,
    ]);
  });

  it('refuses a missing, empty, too long or extra parameter with the one error shape', async () => {
    for (const query of ['', '?q=', '?q=%20%20', `?q=${'x'.repeat(201)}`, '?q=a&limit=5', '?q=a&q=b']) {
      const r = await stack.api('GET', `/api/search${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.code, query).toBe('invalid_request');
    }
  });

  it('matches a fragment of a run id as a range of the primary key at 100k runs', async () => {
    const knex = stack.db.store.knex;
    const at = new Date().toISOString();
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      id: `run_01kq6${i.toString(36).padStart(8, '0')}0000000000000`,
      kind: 'pipeline',
      status: 'completed',
      target: JSON.stringify(diamond),
      inputs: '{}',
      workflowId: `wf-${i}`,
      createdAt: at,
      updatedAt: at,
    }));
    // SQLite writes in this process: yielding between batches lets the server close idle connections on time,
    // rather than all at once as the next request goes out on one of them.
    for (let i = 0; i < rows.length; i += 400) {
      await knex('runs').insert(rows.slice(i, i + 400));
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (dialect === 'postgres') await knex.raw('analyze runs');
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const fragment = `01kq6${(i * 3001).toString(36).padStart(8, '0')}`;
      const t0 = performance.now();
      const results = await search(fragment);
      times.push(performance.now() - t0);
      expect(results.map((r) => r.id)).toEqual([`run_${fragment}0000000000000`]);
    }
    const p95 = times.sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!;
    console.log(`search by a run id fragment at 100k runs (${dialect}): p95 ${p95.toFixed(1)} ms over HTTP`);
    // The plan, not a time, is what holds on a loaded machine: a range of the primary key, never a scan of the table.
    const sql = runIdPrefixQuery(knex, 'run_01kq6000', 5).toString();
    const plan = JSON.stringify(
      dialect === 'sqlite' ? await knex.raw(`explain query plan ${sql}`) : (await knex.raw(`explain ${sql}`)).rows,
    );
    expect(plan).toMatch(
      dialect === 'sqlite'
        ? /SEARCH runs USING INDEX sqlite_autoindex_runs_1 \(id>\? AND id<\?\)/
        : /Index Scan Backward using runs_pkey/,
    );
  });
});
