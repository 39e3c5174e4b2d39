// Feedback on a run or its steps (POST, GET, DELETE under /api/runs/:id/feedback) and the project's labels.
import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import * as svc from '../services/feedback.js';
import { runRouter } from './resources.js';

export function feedbackRoutes(app: AppContext): Router[] {
  const r = runRouter(app, '/api/runs/:id/feedback');
  r.get('/', async (ctx) => (ctx.body = await svc.listFeedback(app, ctx.state.run)));
  r.post('/', async (ctx) => {
    ctx.body = await svc.addFeedback(app, ctx.state.run, await readJson(ctx));
    ctx.status = 201;
  });
  r.delete('/:feedbackId', async (ctx) => {
    await svc.deleteFeedback(app, ctx.state.run, ctx.params.feedbackId!);
    ctx.status = 204;
  });
  const labels = new Router({ prefix: '/api/feedback/labels' });
  labels.get('/', async (ctx) => (ctx.body = await svc.feedbackLabels(app)));
  labels.put('/', async (ctx) => (ctx.body = await svc.setFeedbackLabels(app, await readJson(ctx))));
  return [r, labels] as Router[];
}
