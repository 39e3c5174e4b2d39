// How a run looks to the API, the WebSocket and the CLI: the store writes the view (db/repositories/run-views.ts)
// of the one RunView type (core/run-story/view.ts); here is where the Temporal UI is.
import { runViewPage, runViewText, type RunViewContext } from '../../db/repositories/run-views.js';
import type { RunFilter } from '../../db/repositories/runs.js';
import type { RunView } from '../../core/run-story/view.js';
import type { AppContext } from '../context.js';

export const runViewContext = (ctx: AppContext): RunViewContext => ({
  workflowsUrl: `${ctx.temporal.uiUrl}/namespaces/${encodeURIComponent(ctx.temporal.namespace)}/workflows/`,
});

/** One run's view (404 when there is no such run). */
export async function runView(ctx: AppContext, id: string): Promise<RunView> {
  return JSON.parse(await runViewText(ctx.store, runViewContext(ctx), id)) as RunView;
}

/** A page of runs, newest first, as the JSON body GET /api/runs answers: no object is built for it. */
export function runViewPageBody(ctx: AppContext, q: RunFilter & { limit: number }): Promise<string> {
  // The dashboard asks for the same page again and again; until the store changes, the answer is the same text.
  return ctx.store.pages.get(`runs ${JSON.stringify(q)}`, async () => {
    const page = await runViewPage(ctx.store, runViewContext(ctx), q);
    return `{"runs":[${page.views.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`;
  });
}

/** A page of runs as objects (for answers that add to them). */
export async function runViews(ctx: AppContext, q: RunFilter & { limit: number }): Promise<RunView[]> {
  return (await runViewPage(ctx.store, runViewContext(ctx), q)).views.map((v) => JSON.parse(v) as RunView);
}
