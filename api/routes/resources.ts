// The resource a path names (`:id`, `:version`) is loaded once per request by router.param into ctx.state, so a
// handler reads it typed; a missing one is a 404 and a malformed one a 400, both in the one error shape (api/errors.ts).
import Router from '@koa/router';
import type { LabelKind } from '../../core/versions.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { loadChat } from '../services/chats.js';
import { loadDataset, type Dataset } from '../services/datasets.js';
import { loadMcpServer, type McpServer } from '../services/mcp-servers.js';
import { loadProvider } from '../services/providers.js';
import { loadRun } from '../services/runs.js';
import { loadHead, type Head } from '../services/versioned.js';

export type Run = Awaited<ReturnType<typeof loadRun>>;
export type Chat = Awaited<ReturnType<typeof loadChat>>;
export type Provider = Awaited<ReturnType<typeof loadProvider>>;
export type { Dataset, Head, McpServer };

/** Load `:param` once per request into ctx.state[key] before any route of `r` that names it. */
function loading<S, K extends keyof S & string>(
  r: Router<S>,
  param: string,
  key: K,
  load: (value: string) => S[K] | Promise<S[K]>,
): Router<S> {
  return r.param(param, async (value, ctx, next) => {
    ctx.state[key] = await load(value);
    return next();
  });
}

/** A version number in a path: a positive whole number, else a 400. */
export function versionParam(value: string): number {
  const version = Number(value);
  if (!(Number.isInteger(version) && version > 0))
    throw new AppError(400, 'invalid_request', `version must be a positive whole number, got '${value}'`);
  return version;
}

/** Routes under one run: `prefix` ends in `:id`. */
export const runRouter = (app: AppContext, prefix = '/api/runs/:id') =>
  loading(new Router<{ run: Run }>({ prefix }), 'id', 'run', (id) => loadRun(app, id));

export const chatRouter = (app: AppContext) =>
  loading(new Router<{ chat: Chat }>({ prefix: '/api/chats/:id' }), 'id', 'chat', (id) => loadChat(app, id));

export const datasetRouter = (app: AppContext) =>
  loading(new Router<{ dataset: Dataset }>({ prefix: '/api/datasets/:id' }), 'id', 'dataset', (id) =>
    loadDataset(app, id),
  );

export const providerRouter = (app: AppContext) =>
  loading(new Router<{ provider: Provider }>({ prefix: '/api/providers/:id' }), 'id', 'provider', (id) =>
    loadProvider(app, id),
  );

export const mcpServerRouter = (app: AppContext) =>
  loading(new Router<{ server: McpServer }>({ prefix: '/api/mcp/servers/:name' }), 'name', 'server', (name) =>
    loadMcpServer(app, name),
  );

/** Routes under one component, pipeline or app (by id or name): its head is ctx.state.head. */
export const headRouter = (app: AppContext, kind: LabelKind) =>
  loading(new Router<{ head: Head }>({ prefix: `/api/${kind}s/:id` }), 'id', 'head', (id) => loadHead(app, kind, id));

/** Routes under one version of a component, pipeline or app: ctx.state.head and ctx.state.version. */
export function versionRouter(app: AppContext, kind: LabelKind): Router<{ head: Head; version: number }> {
  const r = new Router<{ head: Head; version: number }>({ prefix: `/api/${kind}s/:id/versions/:version` });
  return loading(
    loading(r, 'id', 'head', (id) => loadHead(app, kind, id)),
    'version',
    'version',
    versionParam,
  );
}
