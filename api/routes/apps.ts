// Apps: manifests with immutable versions, runs under their permissions, the bridge's state, generation.
import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { pathTicket, TICKET_TTL_MS } from '../gate/ticket.js';
import * as svc from '../services/apps.js';
import { headRouter, versionRouter } from './resources.js';

const created = (ctx: { status: number }) => (ctx.status = 201);

function appListRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/apps' });
  r.get('/', async (ctx) => (ctx.body = await svc.listApps(app)));
  r.post('/', async (ctx) => {
    ctx.body = await svc.createApp(app, await readJson(ctx));
    created(ctx);
  });
  r.post('/generate', async (ctx) => {
    ctx.body = await svc.generateApp(app, await readJson(ctx));
    created(ctx);
  });
  return r;
}

/** One app (by id or name), read from ctx.state.head. */
function oneAppRoutes(app: AppContext) {
  const r = headRouter(app, 'app');
  r.get('/', async (ctx) => (ctx.body = await svc.appView(app, ctx.state.head, ctx.host)));
  r.post('/versions', async (ctx) => {
    ctx.body = await svc.addAppVersion(app, ctx.state.head, await readJson(ctx));
    created(ctx);
  });
  r.post('/refine', async (ctx) => {
    ctx.body = await svc.refineApp(app, ctx.state.head, await readJson(ctx));
    created(ctx);
  });
  r.get('/runs', async (ctx) => (ctx.body = { runs: await svc.appRuns(app, ctx.state.head) }));
  r.post('/runs', async (ctx) => {
    ctx.body = await svc.startAppRun(app, ctx.state.head, await readJson(ctx));
    created(ctx);
  });
  r.get('/state', async (ctx) => (ctx.body = await svc.getAppState(app, ctx.state.head)));
  r.put('/state', async (ctx) => (ctx.body = await svc.putAppState(app, ctx.state.head, await readJson(ctx))));
  return r;
}

function appVersionRoutes(app: AppContext) {
  const r = versionRouter(app, 'app');
  r.get('/', async (ctx) => (ctx.body = await svc.appVersion(app, ctx.state.head, ctx.state.version)));
  // The frame's URL for one version: a short-lived ticket opens that view on the apps origin (a frame there carries no credential).
  r.post('/frame', async (ctx) => {
    const v = await svc.appVersion(app, ctx.state.head, ctx.state.version);
    const origin = svc.viewOrigin(app, ctx.host);
    if (!origin)
      throw new AppError(409, 'no_apps_origin', 'the apps origin is not running, so an HTML view cannot be shown');
    const path = `/view/${v.name}/${v.version}`;
    ctx.body = { src: `${origin}${path}?ticket=${pathTicket(app.token, path)}`, expiresInMs: TICKET_TTL_MS };
  });
  return r;
}

export function appRoutes(app: AppContext): Router[] {
  return [appListRoutes(app), appVersionRoutes(app), oneAppRoutes(app)] as Router[];
}
