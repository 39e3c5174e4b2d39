// GEPA across SIGKILLs of the worker, then the backend, then the Temporal dev server, each while one of the
// search's model calls is held at the fake: the run completes with the frontier and trajectory of an uninterrupted
// run with the same seed, and no prompt reached the fake twice except the one call the worker's death cut off.
import { describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';
import { promptFields } from '../helpers/echo-model.js';
import { IDEA, ideaModel, seedIdeaTask } from '../helpers/idea-model.js';
import { until } from '../helpers/processes.js';
import { scratchSuite, startKillableStack } from '../helpers/killable-stack.js';

const TOKEN = 'optimizer-chaos-token-0123456789';
const METRIC = { name: 'exact_match', field: 'answer', args: { caseSensitive: true } };
const question = (r: FakeRequest) => Number(/q(\d+)/.exec(promptFields(r).question ?? '')?.[1] ?? -1);
const system = (r: FakeRequest) => r.messages.find((m) => m.role === 'system')?.content ?? '';
/** A prompt as the fake saw it: the same prompt asked twice is a repeated call. */
const promptKey = (r: FakeRequest) => JSON.stringify(r.messages);

/** The calls the test holds, in order: GEPA's reflection, the new candidate on dev, then on the next train minibatch. */
const HOLDS: Array<{ name: string; kill: 'worker' | 'backend' | 'temporal'; matches: (r: FakeRequest) => boolean }> = [
  { name: 'the reflection', kill: 'worker', matches: (r) => system(r).includes('Read the feedback') },
  { name: 'the new candidate on dev', kill: 'backend', matches: (r) => system(r).includes(IDEA) && question(r) >= 12 },
  { name: 'the next minibatch', kill: 'temporal', matches: (r) => system(r).includes(IDEA) && question(r) < 12 },
];

describe('GEPA through the chaos', () => {
  const { dir, stops } = scratchSuite('vloop-optimizer-chaos-');

  it('completes after the worker, the backend and Temporal are killed, as an uninterrupted run does', async () => {
    let holding: { at: number; release?: () => void; held?: FakeRequest } | undefined;
    const fake: FakeProvider = await startFakeProvider('openai', async (req) => {
      const h = holding;
      if (h && !h.held && HOLDS[h.at]!.matches(req)) {
        h.held = req;
        await new Promise<void>((r) => (h.release = r));
      }
      return ideaModel(req);
    });
    stops.push(() => fake.close());
    const stack = await startKillableStack(dir, { token: TOKEN, queue: 'optimizer-chaos' });
    stops.push(() => stack.stop());
    const { api, backend, worker } = stack;
    // Two providers on the same fake: the two runs' calls have different cache keys, so neither answers the other's.
    for (const name of ['steady', 'chaos'])
      await api('POST', '/api/providers', {
        name,
        type: 'openai',
        baseUrl: fake.baseUrl,
        apiKey: 'sk-test-123456789012345678',
        defaultModel: 'fake-model',
      });
    for (const provider of ['steady', 'chaos'])
      await seedIdeaTask(api, { provider, name: `coder-${provider}`, dataset: provider === 'steady' });
    const optimize = (provider: string) =>
      api('POST', '/api/optimizations', {
        component: `coder-${provider}`,
        dataset: 'codes',
        metric: METRIC,
        optimizer: 'gepa',
        seed: 7,
        trials: 4,
      });
    const finished = async (id: string) => {
      let run: any;
      await until(
        async () => {
          run = await api('GET', `/api/runs/${id}`).catch(() => undefined);
          return ['completed', 'failed', 'cancelled'].includes(run?.status);
        },
        `optimization ${id} ended`,
        240_000,
      );
      return run;
    };
    const trajectory = async (id: string) =>
      ((await api('GET', `/api/runs/${id}/events`)).events as any[])
        .filter((e) => e.type === 'step.completed' && String(e.data.stepId).startsWith('trial:'))
        .map((e) => e.data.outputs);

    const steady = await finished((await optimize('steady')).id);
    expect(steady.status).toBe('completed');

    const from = fake.requests.length;
    const chaosRun = (await optimize('chaos')).id as string;
    for (const [at, hold] of HOLDS.entries()) {
      holding = { at };
      await until(() => holding!.held !== undefined, `${hold.name} held at the fake`, 120_000);
      if (hold.kill === 'worker') {
        await worker.kill();
        holding.release!();
        await worker.start();
      } else if (hold.kill === 'backend') {
        await backend.kill();
        await backend.start();
        holding.release!();
      } else {
        await stack.restartTemporal();
        holding.release!();
      }
    }
    holding = undefined;
    const chaos = await finished(chaosRun);
    expect(chaos.status, JSON.stringify(chaos.error)).toBe('completed');
    expect(chaos.outputs.frontier).toEqual(steady.outputs.frontier);
    expect(chaos.outputs.instruction).toBe(steady.outputs.instruction);
    expect(await trajectory(chaosRun)).toEqual(await trajectory(steady.id));

    // Each prompt reached the fake once; the reflection the worker's death cut off was asked again, and only it.
    const counts = new Map<string, number>();
    for (const r of fake.requests.slice(from)) counts.set(promptKey(r), (counts.get(promptKey(r)) ?? 0) + 1);
    const repeated = [...counts]
      .filter(([, n]) => n > 1)
      .map(([k]) => (k.includes('Read the feedback') ? 'reflection' : k));
    expect(repeated).toEqual(['reflection']);
  }, 600_000);
});
