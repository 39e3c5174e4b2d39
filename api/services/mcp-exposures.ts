// What the harness's own MCP server exposes: only what exists can be exposed; an exposure is named by kind and name.
import { z } from 'zod';
import * as datasets from '../../db/repositories/datasets.js';
import { expose, listExposures, unexpose } from '../../db/repositories/mcp-exposures.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { exposedTools } from '../mcp/harness-server.js';

const exposedKind = z.enum(['component', 'pipeline', 'dataset']);
const exposureBody = z.strictObject({
  kind: exposedKind,
  name: z.string().min(1),
  version: z.int().positive().optional(),
});

/** Every exposure, and the tools the MCP server lists for them now. */
export async function listExposed(ctx: AppContext) {
  return {
    exposed: await listExposures(ctx.store),
    tools: (await exposedTools(ctx)).map((t) => ({ name: t.name, title: t.title, target: t.target })),
  };
}

/** Expose a component, pipeline or dataset; a pinned version must exist too. */
export async function exposeTarget(ctx: AppContext, body: unknown) {
  const e = exposureBody.parse(body);
  if (e.kind === 'component') await components.getVersion(ctx.store, e.name, e.version);
  else if (e.kind === 'pipeline') await pipelines.getVersion(ctx.store, e.name, e.version);
  else if (e.version) throw new AppError(400, 'invalid_request', 'a dataset has no versions');
  else await datasets.getDataset(ctx.store, e.name);
  await expose(ctx.store, e);
  return e;
}

/** Take an exposure away (a 404 when it was not exposed). */
export async function unexposeTarget(ctx: AppContext, kindParam: string, name: string): Promise<void> {
  const kind = exposedKind.parse(kindParam);
  if (!(await unexpose(ctx.store, kind, name)))
    throw new AppError(404, 'not_found', `${kind} '${name}' is not exposed`);
}
