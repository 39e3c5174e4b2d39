import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import * as svc from '../services/chats.js';
import { chatRouter } from './resources.js';

export function chatRoutes(app: AppContext): Router[] {
  const r = new Router({ prefix: '/api/chats' });
  r.get('/', async (ctx) => (ctx.body = await svc.chats(app)));
  r.post('/', async (ctx) => {
    ctx.body = await svc.createChat(app, await readJson(ctx));
    ctx.status = 201;
  });
  const chat = chatRouter(app);
  chat.get('/', async (ctx) => (ctx.body = await svc.chatView(app, ctx.state.chat)));
  chat.post(
    '/messages',
    async (ctx) => (ctx.body = await svc.sendChatMessage(app, ctx.state.chat, await readJson(ctx))),
  );
  chat.post('/close', async (ctx) => (ctx.body = await svc.closeChat(app, ctx.state.chat)));
  chat.delete('/', async (ctx) => {
    await svc.deleteChat(app, ctx.state.chat);
    ctx.status = 204;
  });
  return [r, chat] as Router[];
}
