// The floor: a bare chain of no-op activities, with no harness code in the way.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(i: number): Promise<number> }>({ startToCloseTimeout: '10s' });

export async function noopChain(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await noop(i);
  return sum;
}
