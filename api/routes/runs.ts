import Router from '@koa/router';
import { z } from 'zod';
import { runListQuery } from '../../core/specs.js';
import type { AppContext } from '../context.js';
import { readJson } from '../body.js';
import { archiveRun, deleteRun } from '../services/archive.js';
import { compareRunsById } from '../services/compare.js';
import { forkRun, forkTree, runDefinition } from '../services/forks.js';
import { exportRun } from '../services/run-export.js';
import * as svc from '../services/runs.js';
import { callFromToolApp, toolAppFrame } from '../services/tool-apps.js';
import { runRouter } from './resources.js';

const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

function runListRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/runs' });
  r.get('/', async (ctx) => {
    const q = runListQuery.parse(ctx.query);
    ctx.type = 'application/json';
    // An eval's examples and an optimizer's trials are listed under their parent (origin=eval:<id>), not at the top.
    const { q: text, ...filters } = q;
    ctx.body = await svc.runViewPageBody(app, { ...filters, text, topLevel: !q.origin });
  });
  r.get('/compare', async (ctx) => (ctx.body = await compareRunsById(app, ctx.query)));
  return r;
}

/** Everything under one run: the run is loaded once (a 404 when there is none) and read from ctx.state.run. */
function oneRunRoutes(app: AppContext) {
  const r = runRouter(app);
  r.get('/', async (ctx) => (ctx.body = await svc.runView(app, ctx.state.run.id)));
  r.post('/fork', async (ctx) => {
    ctx.body = await forkRun(app, ctx.state.run, await readJson(ctx));
    ctx.status = 201;
  });
  r.get('/forks', async (ctx) => (ctx.body = await forkTree(app, ctx.state.run)));
  r.get('/definition', async (ctx) => (ctx.body = await runDefinition(app, ctx.state.run)));
  r.get('/events', async (ctx) => {
    const q = eventsQuery.parse(ctx.query);
    ctx.type = 'application/json';
    ctx.body = await svc.eventPage(app, ctx.state.run, q.after, q.limit);
  });
  r.get('/history', async (ctx) => (ctx.body = await svc.runHistory(app, ctx.state.run)));
  r.get('/export', async (ctx) => (ctx.body = await exportRun(app, ctx.state.run)));
  r.post('/cancel', async (ctx) => (ctx.body = await svc.cancelRun(app, ctx.state.run)));
  r.get('/artifacts/:name', async (ctx) => {
    const artifact = svc.runArtifact(app, ctx.state.run, ctx.params.name!);
    ctx.type = artifact.type;
    ctx.body = artifact.body;
  });
  // Another server's MCP App named by one of the run's tool calls: its frame, and the calls it makes (policy-judged).
  r.post('/tool-apps/:callId/frame', async (ctx) => {
    ctx.body = await toolAppFrame(app, ctx.state.run, ctx.params.callId!, ctx.host);
  });
  r.post('/tool-apps/:callId/calls', async (ctx) => {
    ctx.body = await callFromToolApp(app, ctx.state.run, ctx.params.callId!, await readJson(ctx));
  });
  r.post('/replay', async (ctx) => (ctx.body = await svc.replay(app, ctx.state.run)));
  r.post('/archive', async (ctx) => (ctx.body = await archiveRun(app, ctx.state.run, true)));
  r.post('/unarchive', async (ctx) => (ctx.body = await archiveRun(app, ctx.state.run, false)));
  r.delete('/', async (ctx) => {
    await deleteRun(app, ctx.state.run);
    ctx.status = 204;
  });
  return r;
}

export function runRoutes(app: AppContext): Router[] {
  return [runListRoutes(app), oneRunRoutes(app)] as Router[];
}
