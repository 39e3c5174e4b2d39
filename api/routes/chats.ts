import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import * as svc from '../services/chats.js';

export function chatRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/chats' });
  r.get('/', async (ctx) => (ctx.body = await svc.chats(app)));
  r.post('/', async (ctx) => {
    ctx.body = await svc.createChat(app, await readJson(ctx));
    ctx.status = 201;
  });
  r.get('/:id', async (ctx) => (ctx.body = await svc.chatView(app, ctx.params.id!)));
  r.post('/:id/messages', async (ctx) => (ctx.body = await svc.sendChatMessage(app, ctx.params.id!, await readJson(ctx))));
  r.post('/:id/close', async (ctx) => (ctx.body = await svc.closeChat(app, ctx.params.id!)));
  r.delete('/:id', async (ctx) => {
    await svc.deleteChat(app, ctx.params.id!);
    ctx.status = 204;
  });
  return r;
}
