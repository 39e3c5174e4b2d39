// Labels on component, pipeline and app versions: list them with their moves, and promote (move) one.
import type Router from '@koa/router';
import { labelKinds } from '../../core/versions.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { listLabels, promote, recordedVersions } from '../services/labels.js';
import { headRouter, runRouter } from './resources.js';

export function labelRoutes(app: AppContext): Router[] {
  const routers = labelKinds.map((kind) => {
    const r = headRouter(app, kind);
    r.get('/labels', async (ctx) => (ctx.body = await listLabels(app, kind, ctx.state.head)));
    r.post(
      '/labels/:label',
      async (ctx) => (ctx.body = await promote(app, kind, ctx.state.head, ctx.params.label!, await readJson(ctx))),
    );
    return r;
  });
  // The exact versions a run used: each step's component version, its target's, and every label read at its start.
  const r = runRouter(app, '/api/runs/:id/versions');
  r.get('/', async (ctx) => (ctx.body = await recordedVersions(app, ctx.state.run)));
  return [...routers, r] as Router[];
}
