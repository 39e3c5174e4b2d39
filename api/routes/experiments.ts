// Experiments: start one (or import a promptfoo config), read its grid and one example across its cells, resume it, export it.
import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import * as svc from '../services/experiments.js';
import { exportPromptfoo } from '../services/promptfoo-export.js';
import { importPromptfoo } from '../services/promptfoo.js';
import { runRouter } from './resources.js';

export function experimentRoutes(app: AppContext): Router[] {
  const list = new Router({ prefix: '/api' });
  list.post('/experiments', async (ctx) => {
    ctx.body = await svc.startExperiment(app, await readJson(ctx));
    ctx.status = 201;
  });
  // A promptfoo config: its dataset and components made, its experiment (or eval) started.
  list.post('/experiments/promptfoo', async (ctx) => {
    ctx.body = await importPromptfoo(app, await readJson(ctx));
    ctx.status = 201;
  });
  // An experiment or eval of text-template components as the promptfoo config that runs it again.
  const config = runRouter(app, '/api/runs/:id/promptfoo');
  config.get('/', async (ctx) => {
    ctx.body = await exportPromptfoo(app, ctx.state.run);
    ctx.type = 'text/yaml';
  });
  // An experiment is a run: its grid reads its cells, each an eval run.
  const one = runRouter(app, '/api/experiments/:id');
  one.use(async (ctx, next) => {
    if (ctx.state.run.kind !== 'experiment')
      throw new AppError(
        404,
        'not_found',
        `run '${ctx.state.run.id}' is a ${ctx.state.run.kind} run, not an experiment`,
      );
    await next();
  });
  one.get('/', async (ctx) => (ctx.body = await svc.experimentView(app, ctx.state.run)));
  one.get(
    '/examples/:exampleId',
    async (ctx) => (ctx.body = await svc.experimentExample(app, ctx.state.run, ctx.params.exampleId!)),
  );
  one.post('/resume', async (ctx) => {
    ctx.body = await svc.resumeExperiment(app, ctx.state.run);
    ctx.status = 201;
  });
  return [list, config, one] as Router[];
}
