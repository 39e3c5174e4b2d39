// Every kind of run through the real stack on PostgreSQL, which (unlike SQLite) enforces column widths: an
// eval's example runs and an optimizer's trials have composed ids longer than a fresh run's, and must fit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { stepStarted } from '../../core/run-story/events.js';
import { exampleRunId, LONGEST_RUN_ID, trialEvalRunId } from '../../core/run-story/ids.js';
import { migrate } from '../../db/knex.js';
import { migrationSource } from '../../db/migrations/index.js';
import { appendEvents, createRun, getRun } from '../../db/repositories/runs.js';
import { freshStore } from '../helpers/db.js';
import { agentModel } from '../helpers/agent-model.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { echoModel } from '../helpers/echo-model.js';
import { evalModel, examples } from '../helpers/eval-model.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

const agent = agentModel({
  'read the notes': [
    { tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } },
    { finish: { answer: '{{last}}' } },
  ],
});

/** The agent when tools are offered, the eval model for `mode:` prompts, the echo model for `op:`, else a chat. */
function script(req: FakeRequest): FakeReply {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  if (req.tools) return agent(req);
  if (system.includes('mode: ')) return evalModel(req);
  if (system.includes('op: ')) return echoModel(req);
  return `chat says: ${req.messages.at(-1)!.content}`;
}

/** Columns that hold a run id: runs' own id and workflow id, and every `*run_id` / `*_run` elsewhere. */
const RUN_ID_COLUMNS = `
  select table_name, column_name, character_maximum_length as width
  from information_schema.columns
  where table_schema = current_schema() and data_type = 'character varying'
    and (column_name like '%run\\_id' or column_name like '%\\_run' or column_name = 'workflow_id'
      or (table_name = 'runs' and column_name = 'id'))
  order by table_name, column_name`;

describe('every kind of run on PostgreSQL', () => {
  let stack: TestStack;
  const ok = (method: string, path: string, body?: unknown) => stack.ok(method, path, body);
  const finished = async (run: { id: string }, timeoutMs?: number) => {
    const done = await waitForRun(stack, run.id, timeoutMs);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    return done;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      dialect: 'postgres',
      script,
      workspace: makeWorkspace({ 'notes.txt': 'the notes' }),
    });
    await seedDiamond(stack);
    await ok('PUT', '/api/policy', { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    await ok('POST', '/api/components', {
      name: 'helper',
      kind: 'react',
      signature: 'task: str -> answer: str',
      instructions: 'Help with the task.',
      provider: 'fake',
      tools: ['filesystem'],
      maxSteps: 4,
    });
    for (const [name, mode] of [
      ['qa', 'quarter'],
      ['learner', 'learner'],
    ])
      await ok('POST', '/api/components', {
        name,
        signature: 'question: str -> answer: str',
        instructions: `mode: ${mode}`,
        provider: 'fake',
      });
    await ok('POST', '/api/datasets', { name: 'qs' });
    await ok('POST', '/api/datasets/qs/examples', { examples: [...examples(2, 'train', 'train-'), ...examples(4)] });
  }, 120_000);
  afterAll(() => stack?.close());

  it('every column holding a run id is as wide as the longest id the harness composes', async () => {
    const { rows } = await stack.db.store.knex.raw(RUN_ID_COLUMNS);
    const columns = (rows as Array<{ table_name: string; column_name: string; width: number }>).map(
      (c) => `${c.table_name}.${c.column_name}: ${c.width}`,
    );
    expect(columns).toEqual(expect.arrayContaining(['runs.id: 80', 'run_events.run_id: 80']));
    expect(columns.filter((c) => Number(c.split(': ')[1]) < LONGEST_RUN_ID)).toEqual([]);
  });

  it('runs a pipeline, a component, an agent and a chat, and forks the pipeline run', async () => {
    const pipeline = await finished(await ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'abc' } }));
    expect(pipeline.outputs).toEqual({ combined: 'ABC|cba' });
    const component = await finished(await ok('POST', '/api/components/upper/runs', { inputs: { text: 'pg' } }));
    expect(component.outputs).toEqual({ result: 'PG' });
    const agentRun = await ok('POST', '/api/components/helper/runs', { inputs: { task: 'read the notes' } });
    expect(agentRun.kind).toBe('agent');
    expect((await finished(agentRun)).outputs).toMatchObject({ answer: expect.stringContaining('the notes') });
    const chat = await ok('POST', '/api/chats', { title: 'on pg', provider: 'fake', system: 'You chat.' });
    expect((await ok('POST', `/api/chats/${chat.id}/messages`, { content: 'hello' })).content).toBe('chat says: hello');
    const fork = await finished(await ok('POST', `/api/runs/${pipeline.id}/fork`, { fromStep: 'both' }));
    expect(fork.forkOf).toEqual({ runId: pipeline.id, step: 'both' });
    expect(fork.outputs).toEqual({ combined: 'ABC|cba' });
  });

  it('an eval completes with its results; an example run is rated and kept in a dataset', async () => {
    const run = await ok('POST', '/api/evals', {
      dataset: 'qs',
      split: 'dev',
      target: { component: 'qa@1' },
      metrics: [{ name: 'exact_match', field: 'answer' }],
    });
    const done = await finished(run, 90_000);
    expect(done.outputs.aggregates['exact_match:answer']).toMatchObject({ mean: 1 / 4, n: 4 });
    const { results } = await ok('GET', `/api/evals/${run.id}`);
    expect(results).toHaveLength(4);
    const child: string = results[0].childRunId;
    expect(child.length).toBeGreaterThan(40);
    expect(await ok('GET', `/api/runs/${child}`)).toMatchObject({ kind: 'component', status: 'completed' });
    await ok('POST', `/api/runs/${child}/feedback`, { thumbs: 'up' });
    const kept = await ok('POST', `/api/runs/${child}/dataset`, { dataset: 'qs', split: 'test' });
    expect(kept.examples.at(-1)).toMatchObject({ sourceRunId: child });
  });

  it('an optimizer completes, with its teacher runs and evals on dev', async () => {
    const run = await ok('POST', '/api/optimizations', {
      component: 'learner',
      dataset: 'qs',
      metric: { name: 'exact_match', field: 'answer' },
      k: 1,
    });
    const done = await finished(run, 120_000);
    expect(done.outputs).toMatchObject({ saved: true, demos: 1, after: 1 });
    const trials = (await ok('GET', `/api/runs?origin=optimize:${run.id}&limit=50`)).runs as Array<{ id: string }>;
    expect(trials.map((t) => t.id.replace(run.id, '').replace(/ex_\w+$/, 'ex')).sort()).toEqual([
      '-before',
      '-candidate',
      '-teacher-ex',
    ]);
    // The candidate's eval on dev ran its examples under the longest ids the harness composes.
    const { results } = await ok('GET', `/api/evals/${run.id}-candidate`);
    expect(results.map((r: { childRunId: string }) => r.childRunId.length)).toEqual([62, 62, 62, 62]);
    expect(LONGEST_RUN_ID).toBe(62);
  });
});

describe('019_run_id_width down and up again (postgres)', () => {
  it('keeps the runs and events stored at 40, then takes the longest composed id with its events', async () => {
    const db = await freshStore('postgres');
    try {
      const { store } = db;
      const target = { type: 'component' as const, id: 'c', name: 'qa', version: 1 };
      const width = async () =>
        (await store.knex.raw(RUN_ID_COLUMNS)).rows.find(
          (c: { table_name: string; column_name: string }) => `${c.table_name}.${c.column_name}` === 'runs.id',
        )?.width;
      await store.knex.migrate.down({ migrationSource, name: '019_run_id_width' });
      expect(await width()).toBe(40);
      const fresh = (await createRun(store, { id: newId('run'), kind: 'eval', target, inputs: {} })).id;
      await appendEvents(store, fresh, [stepStarted({ stepId: 'a' })]);
      await migrate(store);
      expect(await width()).toBe(80);
      const longest = exampleRunId(trialEvalRunId(fresh, 'candidate'), newId('ex'));
      expect(longest).toHaveLength(LONGEST_RUN_ID);
      await createRun(store, { id: longest, kind: 'component', target, inputs: {} });
      await appendEvents(store, longest, [stepStarted({ stepId: 'a' })]);
      expect([(await getRun(store, fresh)).lastSeq, (await getRun(store, longest)).lastSeq]).toEqual([1, 1]);
    } finally {
      await db.drop();
    }
  });
});
