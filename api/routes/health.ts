import Router from '@koa/router';
import type { AppContext } from '../context.js';

export function healthRoutes(app: AppContext): Router {
  const r = new Router();
  r.get('/api/health', async (ctx) => {
    const db = await app.store.knex.raw('select 1').then(
      () => true,
      () => false,
    );
    const temporal = await app.temporal.client.workflowService.getSystemInfo({}).then(
      () => true,
      () => false,
    );
    ctx.status = db && temporal ? 200 : 503;
    ctx.body = {
      ok: db && temporal,
      version: app.version,
      db: { ok: db, dialect: app.store.dialect },
      temporal: {
        ok: temporal,
        address: app.temporal.address,
        namespace: app.temporal.namespace,
        uiUrl: app.temporal.uiUrl,
      },
    };
  });
  return r;
}
