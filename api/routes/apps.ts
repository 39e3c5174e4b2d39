// Apps: manifests with immutable versions, runs under their permissions, the bridge's state, generation.
import Router from '@koa/router';
import { apps } from '../../db/repositories/versioned.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { pathTicket, TICKET_TTL_MS } from '../gate/ticket.js';
import * as svc from '../services/apps.js';

export function appRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/apps' });
  const created = (ctx: { status: number }) => (ctx.status = 201);
  r.get('/', async (ctx) => (ctx.body = await apps.list(app.store)));
  r.post('/', async (ctx) => {
    ctx.body = await svc.createApp(app, await readJson(ctx));
    created(ctx);
  });
  r.post('/generate', async (ctx) => {
    ctx.body = await svc.generateApp(app, await readJson(ctx));
    created(ctx);
  });
  r.get('/:id', async (ctx) => (ctx.body = await svc.appView(app, ctx.params.id!, ctx.host)));
  r.get('/:id/versions/:version', async (ctx) => (ctx.body = await svc.appVersion(app, ctx.params.id!, Number(ctx.params.version))));
  // The frame's URL for one version: a short-lived ticket opens that view on the apps origin (a frame there carries no credential).
  r.post('/:id/versions/:version/frame', async (ctx) => {
    const v = await svc.appVersion(app, ctx.params.id!, Number(ctx.params.version));
    const origin = svc.viewOrigin(app, ctx.host);
    if (!origin) throw new AppError(409, 'no_apps_origin', 'the apps origin is not running, so an HTML view cannot be shown');
    const path = `/view/${v.name}/${v.version}`;
    ctx.body = { src: `${origin}${path}?ticket=${pathTicket(app.token, path)}`, expiresInMs: TICKET_TTL_MS };
  });
  r.post('/:id/versions', async (ctx) => {
    ctx.body = await svc.addAppVersion(app, ctx.params.id!, await readJson(ctx));
    created(ctx);
  });
  r.post('/:id/refine', async (ctx) => {
    ctx.body = await svc.refineApp(app, ctx.params.id!, await readJson(ctx));
    created(ctx);
  });
  r.get('/:id/runs', async (ctx) => (ctx.body = { runs: await svc.appRuns(app, ctx.params.id!) }));
  r.post('/:id/runs', async (ctx) => {
    ctx.body = await svc.startAppRun(app, ctx.params.id!, await readJson(ctx));
    created(ctx);
  });
  r.get('/:id/state', async (ctx) => (ctx.body = await svc.getAppState(app, ctx.params.id!)));
  r.put('/:id/state', async (ctx) => (ctx.body = await svc.putAppState(app, ctx.params.id!, await readJson(ctx))));
  return r;
}
