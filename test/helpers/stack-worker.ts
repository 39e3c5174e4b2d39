// A worker process of its own against a test stack (its store, Temporal and task queue): one a test can SIGKILL.
import { inject } from 'vitest';
import { spawnHarness, type HarnessProcess } from './processes.js';
import type { TestStack } from './stack.js';

/** Start `harness worker` for the stack, with `env` added, once it polls. */
export async function startStackWorker(
  stack: Pick<TestStack, 'db' | 'dir' | 'taskQueue'>,
  env: Record<string, string> = {},
): Promise<HarnessProcess> {
  const p = spawnHarness(['worker'], {
    VLOOP_DB_URL: `sqlite:${stack.db.url}`,
    VLOOP_PROJECT_DIR: stack.dir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    ...env,
  });
  await p.waitFor('worker polling');
  return p;
}
