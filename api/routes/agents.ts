import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import * as svc from '../services/agents.js';
import { runRouter } from './resources.js';

export function agentRoutes(app: AppContext): Router[] {
  const r = new Router({ prefix: '/api' });
  r.get('/approvals', async (ctx) => (ctx.body = await svc.listApprovals(app)));
  r.get('/policy', (ctx) => (ctx.body = svc.getPolicy(app)));
  r.post('/policy/check', async (ctx) => (ctx.body = await svc.checkPolicy(app, await readJson(ctx))));
  r.put('/policy', async (ctx) => (ctx.body = await svc.putPolicy(app, await readJson(ctx))));
  const run = runRouter(app, '/api/runs/:id/approvals/:approvalId');
  run.post(
    '/',
    async (ctx) =>
      (ctx.body = await svc.resolveApproval(app, ctx.state.run, ctx.params.approvalId!, await readJson(ctx))),
  );
  return [r, run] as Router[];
}
