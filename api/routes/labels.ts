// Labels on component, pipeline and app versions: list them with their moves, and promote (move) one.
import Router from '@koa/router';
import { labelKinds } from '../../core/versions.js';
import { getRunVersions } from '../../db/repositories/labels.js';
import * as runs from '../../db/repositories/runs.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { listLabels, promote } from '../services/labels.js';

export function labelRoutes(app: AppContext): Router[] {
  const routers = labelKinds.map((kind) => {
    const r = new Router({ prefix: `/api/${kind}s` });
    r.get('/:id/labels', async (ctx) => (ctx.body = await listLabels(app, kind, ctx.params.id!)));
    r.post('/:id/labels/:label', async (ctx) => (ctx.body = await promote(app, kind, ctx.params.id!, ctx.params.label!, await readJson(ctx))));
    return r;
  });
  // The exact versions a run used: each step's component version, its target's, and every label read at its start.
  const r = new Router({ prefix: '/api/runs' });
  r.get('/:id/versions', async (ctx) => {
    const run = await runs.getRun(app.store, ctx.params.id!);
    const versions = await getRunVersions(app.store, run.id);
    if (!versions) throw new AppError(404, 'not_found', `run '${run.id}' recorded no versions (a ${run.kind} run, or one started before versions were recorded)`);
    ctx.body = versions;
  });
  return [...routers, r];
}
