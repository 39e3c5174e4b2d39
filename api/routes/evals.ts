import Router from '@koa/router';
import { body, readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { addRunsToDataset } from '../services/dataset-runs.js';
import * as datasets from '../services/datasets.js';
import * as svc from '../services/evals.js';
import { startOptimization, stopOptimization } from '../services/optimizations.js';
import { datasetRouter, runRouter } from './resources.js';

function evalListRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api' });
  r.get('/datasets', async (ctx) => (ctx.body = await datasets.listDatasets(app)));
  r.post('/datasets', async (ctx) => {
    ctx.body = await datasets.createDataset(app, await body(ctx, svc.datasetBody));
    ctx.status = 201;
  });
  r.post('/evals', async (ctx) => {
    ctx.body = await svc.startEval(app, await readJson(ctx));
    ctx.status = 201;
  });
  r.get(
    '/evals/compare',
    async (ctx) =>
      (ctx.body = await svc.compareEvals(
        app,
        String(ctx.query.runs ?? '')
          .split(',')
          .filter(Boolean),
        ctx.query.baseline ? String(ctx.query.baseline) : undefined,
      )),
  );
  r.post('/optimizations', async (ctx) => {
    ctx.body = await startOptimization(app, await readJson(ctx));
    ctx.status = 201;
  });
  return r;
}

/** One dataset (by id or name), read from ctx.state.dataset. */
function datasetRoutes(app: AppContext) {
  const r = datasetRouter(app);
  r.get('/', async (ctx) => (ctx.body = await svc.datasetView(app, ctx.state.dataset)));
  r.delete('/', async (ctx) => {
    await datasets.deleteDataset(app, ctx.state.dataset);
    ctx.status = 204;
  });
  r.post('/examples', async (ctx) => (ctx.body = await svc.addExamples(app, ctx.state.dataset, await readJson(ctx))));
  r.patch(
    '/examples/:exampleId',
    async (ctx) =>
      (ctx.body = await svc.updateExample(app, ctx.state.dataset, ctx.params.exampleId!, await readJson(ctx))),
  );
  r.delete('/examples/:exampleId', async (ctx) => {
    await datasets.deleteExample(app, ctx.state.dataset, ctx.params.exampleId!);
    ctx.status = 204;
  });
  r.post('/import', async (ctx) => (ctx.body = await svc.importExamples(app, ctx.state.dataset, await readJson(ctx))));
  r.get('/export', async (ctx) => {
    ctx.type = 'application/x-ndjson';
    ctx.body = await svc.exportDataset(app, ctx.state.dataset, ctx.query);
  });
  r.post('/runs', async (ctx) => (ctx.body = await addRunsToDataset(app, ctx.state.dataset, await readJson(ctx))));
  return r;
}

export function evalRoutes(app: AppContext): Router[] {
  // An eval is a run: its view is the run's and each example's result.
  const evalRun = runRouter(app, '/api/evals/:id');
  evalRun.get('/', async (ctx) => {
    if (ctx.state.run.kind !== 'eval')
      throw new AppError(404, 'not_found', `run '${ctx.state.run.id}' is a ${ctx.state.run.kind} run, not an eval`);
    ctx.body = await svc.evalView(app, ctx.state.run);
  });
  evalRun.post('/resume', async (ctx) => {
    ctx.body = await svc.resumeEval(app, ctx.state.run);
    ctx.status = 201;
  });
  const keep = runRouter(app, '/api/runs/:id/dataset');
  keep.post('/', async (ctx) => (ctx.body = await svc.addRunToDataset(app, ctx.state.run, await readJson(ctx))));
  const optimization = runRouter(app, '/api/optimizations/:id');
  optimization.post(
    '/stop',
    async (ctx) => (ctx.body = await stopOptimization(app, ctx.state.run, await readJson(ctx))),
  );
  return [evalListRoutes(app), datasetRoutes(app), evalRun, keep, optimization] as Router[];
}
