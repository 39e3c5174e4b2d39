import Router from '@koa/router';
import * as ds from '../../db/repositories/datasets.js';
import { body, readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { addRunsToDataset } from '../services/dataset-runs.js';
import * as svc from '../services/evals.js';

export function evalRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api' });
  r.get('/datasets', async (ctx) => (ctx.body = await ds.listDatasets(app.store)));
  r.post('/datasets', async (ctx) => {
    ctx.body = await ds.createDataset(app.store, await body(ctx, svc.datasetBody));
    ctx.status = 201;
  });
  r.get('/datasets/:id', async (ctx) => (ctx.body = await svc.datasetView(app, ctx.params.id!)));
  r.delete('/datasets/:id', async (ctx) => {
    await ds.deleteDataset(app.store, ctx.params.id!);
    ctx.status = 204;
  });
  r.post('/datasets/:id/examples', async (ctx) => (ctx.body = await svc.addExamples(app, ctx.params.id!, await readJson(ctx))));
  r.patch('/datasets/:id/examples/:exampleId', async (ctx) => (ctx.body = await svc.updateExample(app, ctx.params.id!, ctx.params.exampleId!, await readJson(ctx))));
  r.delete('/datasets/:id/examples/:exampleId', async (ctx) => {
    const d = await ds.getDataset(app.store, ctx.params.id!);
    await ds.deleteExample(app.store, d.id, ctx.params.exampleId!);
    ctx.status = 204;
  });
  r.post('/datasets/:id/import', async (ctx) => (ctx.body = await svc.importExamples(app, ctx.params.id!, await readJson(ctx))));
  r.get('/datasets/:id/export', async (ctx) => {
    ctx.type = 'application/x-ndjson';
    ctx.body = await svc.exportDataset(app, ctx.params.id!);
  });
  r.post('/datasets/:id/runs', async (ctx) => (ctx.body = await addRunsToDataset(app, ctx.params.id!, await readJson(ctx))));
  r.post('/runs/:id/dataset', async (ctx) => (ctx.body = await svc.addRunToDataset(app, ctx.params.id!, await readJson(ctx))));
  r.post('/evals', async (ctx) => {
    ctx.body = await svc.startEval(app, await readJson(ctx));
    ctx.status = 201;
  });
  r.get('/evals/compare', async (ctx) => (ctx.body = await svc.compareEvals(app, String(ctx.query.runs ?? '').split(',').filter(Boolean), ctx.query.baseline ? String(ctx.query.baseline) : undefined)));
  r.get('/evals/:id', async (ctx) => (ctx.body = await svc.evalView(app, ctx.params.id!)));
  r.post('/optimizations', async (ctx) => {
    ctx.body = await svc.startOptimization(app, await readJson(ctx));
    ctx.status = 201;
  });
  return r;
}
