import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { AppError } from '../errors.js';
import { z } from 'zod';
import { runListQuery } from '../../core/specs.js';
import { eventPageText } from '../../db/repositories/run-views.js';
import * as runs from '../../db/repositories/runs.js';
import type { AppContext } from '../context.js';
import { readJson } from '../body.js';
import { archiveRun, deleteRun } from '../services/archive.js';
import { compareRunsById } from '../services/compare.js';
import { forkRun, forkTree, runDefinition } from '../services/forks.js';
import * as svc from '../services/runs.js';

const eventsQuery = z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(5000).default(1000) });

export function runRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/runs' });
  r.get('/', async (ctx) => {
    const q = runListQuery.parse(ctx.query);
    ctx.type = 'application/json';
    // An eval's examples and an optimizer's trials are listed under their parent (origin=eval:<id>), not at the top.
    const { q: text, ...filters } = q;
    ctx.body = await svc.runViewPageBody(app, { ...filters, text, topLevel: !q.origin });
  });
  r.get('/compare', async (ctx) => (ctx.body = await compareRunsById(app, ctx.query)));
  r.get('/:id', async (ctx) => (ctx.body = await svc.getRunView(app, ctx.params.id!)));
  r.post('/:id/fork', async (ctx) => {
    ctx.body = await forkRun(app, ctx.params.id!, await readJson(ctx));
    ctx.status = 201;
  });
  r.get('/:id/forks', async (ctx) => (ctx.body = await forkTree(app, ctx.params.id!)));
  r.get('/:id/definition', async (ctx) => (ctx.body = await runDefinition(app, ctx.params.id!)));
  r.get('/:id/events', async (ctx) => {
    const q = eventsQuery.parse(ctx.query);
    const id = ctx.params.id!;
    ctx.type = 'application/json';
    ctx.body = await app.store.pages.get(`events ${id} ${q.after} ${q.limit}`, async () => {
      await runs.getRun(app.store, id);
      return `{"events":${await eventPageText(app.store, id, q.after, q.limit)}}`;
    });
  });
  r.get('/:id/history', async (ctx) => (ctx.body = await svc.runHistory(app, ctx.params.id!)));
  r.post('/:id/cancel', async (ctx) => (ctx.body = await svc.cancelRun(app, ctx.params.id!)));
  r.get('/:id/artifacts/:name', async (ctx) => {
    const run = await runs.getRun(app.store, ctx.params.id!);
    const name = ctx.params.name!;
    const file = path.join(app.config.paths.artifacts, run.id, name);
    if (!/^[\w.-]+$/.test(name) || !fs.existsSync(file)) throw new AppError(404, 'not_found', `run '${run.id}' has no artifact '${name}'`);
    ctx.type = path.extname(name) === '.png' ? 'image/png' : 'application/octet-stream';
    ctx.body = fs.createReadStream(file);
  });
  r.post('/:id/replay', async (ctx) => (ctx.body = await svc.replay(app, ctx.params.id!)));
  r.post('/:id/archive', async (ctx) => (ctx.body = await archiveRun(app, ctx.params.id!, true)));
  r.post('/:id/unarchive', async (ctx) => (ctx.body = await archiveRun(app, ctx.params.id!, false)));
  r.delete('/:id', async (ctx) => {
    await deleteRun(app, ctx.params.id!);
    ctx.status = 204;
  });
  return r;
}
