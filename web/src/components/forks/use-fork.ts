// Forking from the dashboard: post the fork, then open it. The one way both fork dialogs do it.
import { useRouter } from 'vue-router';
import type { ForkRequest } from '../../../../core/fork';
import { http } from '../../api/http';

/** Returns `forkAndOpen(runId, request)`: the new run's page (an eval's own page for an eval) once the fork has started. */
export function useFork() {
  const router = useRouter();
  return async (runId: string, request: ForkRequest): Promise<void> => {
    const fork = await http.post<{ id: string; kind: string }>(`/runs/${runId}/fork`, request);
    await router.push(fork.kind === 'eval' ? `/evals/${fork.id}` : `/runs/${fork.id}`);
  };
}
