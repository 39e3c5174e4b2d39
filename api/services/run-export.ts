// A run as one JSON document, so what people said about it leaves with it (issue 35): its view, every event in
// order, and its feedback on the run and its steps. `harness runs export` writes it to a file.
import type { RunEvent } from '../../core/run-story/events.js';
import { listFeedback } from '../../db/repositories/feedback.js';
import type { RunRow } from '../../db/models/run.js';
import { listEvents } from '../../db/repositories/runs.js';
import type { AppContext } from '../context.js';
import { runView } from './run-view.js';

export const RUN_EXPORT_FORMAT = 'vloop.run/1';
const PAGE = 1000;

/** Every event of a run, in seq order, a page at a time. */
async function allEvents(ctx: AppContext, runId: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for (;;) {
    const page = await listEvents(ctx.store, runId, events.at(-1)?.seq ?? 0, PAGE);
    events.push(...page);
    if (page.length < PAGE) return events;
  }
}

export async function exportRun(ctx: AppContext, run: RunRow) {
  return {
    format: RUN_EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    run: await runView(ctx, run.id),
    events: await allEvents(ctx, run.id),
    feedback: await listFeedback(ctx.store.knex, run.id),
  };
}
