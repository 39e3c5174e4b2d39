// Starting a run from an app and following it to its end (one client layer: http).
import { http } from '../api/http';

export interface AppRun {
  id: string;
  status: string;
  outputs: Record<string, unknown> | null;
  error: { message: string } | null;
}

const ENDED = ['completed', 'failed', 'cancelled', 'timed_out'];

export const startAppRun = (app: string, version: number, inputs: Record<string, unknown>) =>
  http.post<AppRun>(`/apps/${app}/runs`, { inputs, version });

/** Poll until the run ends, reporting each change of status. */
export async function followAppRun(id: string, onChange: (r: AppRun) => void): Promise<AppRun> {
  let last = '';
  for (;;) {
    const r = await http.get<AppRun>(`/runs/${id}`);
    if (r.status !== last) onChange(r);
    last = r.status;
    if (ENDED.includes(r.status)) return r;
    await new Promise((res) => setTimeout(res, 400));
  }
}
