// The two-minute chaos soak: runs of every kind while the worker, the backend and the Temporal dev
// server are SIGKILLed in turn and restarted; every durability invariant holds at the end.
import { describe, expect, inject, it } from 'vitest';
import { soak } from '../helpers/chaos-soak.js';

describe('the chaos soak', () => {
  it('ends every run once, with no step, tool call, message or approval lost or doubled', async () => {
    const figures = await soak({
      minutes: 2,
      concurrency: 2,
      killEverySeconds: 8,
      cliPath: inject('temporalCli'),
      workflowBundle: inject('workflowBundle'),
    });
    expect(figures.violations).toEqual([]);
    expect(figures.kills.worker).toBeGreaterThan(0);
    expect(figures.kills.backend).toBeGreaterThan(0);
    expect(figures.kills.temporal).toBeGreaterThan(0);
    for (const kind of ['pipeline', 'agent', 'chat', 'eval']) expect(figures.runs[kind], kind).toBeGreaterThan(0);
    expect(figures.statuses).toEqual({ completed: Object.values(figures.runs).reduce((a, b) => a + b, 0) });
    // The agents' commands were approved and ran.
    expect(figures.toolCalls).toBeGreaterThan(0);
  }, 600_000);
});
