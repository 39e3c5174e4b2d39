// Forking from the dashboard: post the fork, then open it. The one way both fork dialogs do it.
import { useRouter } from 'vue-router';
import type { ForkRequest } from '../../../../core/fork';
import { http } from '../../api/http';

/** Returns `forkAndOpen(runId, request)`: the new run's page is shown once the fork has started. */
export function useFork() {
  const router = useRouter();
  return async (runId: string, request: ForkRequest): Promise<void> => {
    const fork = await http.post<{ id: string }>(`/runs/${runId}/fork`, request);
    await router.push(`/runs/${fork.id}`);
  };
}
