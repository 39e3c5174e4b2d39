// The harness as an MCP server: every component and pipeline the user exposed is a tool whose
// input schema is its signature; calling one starts a durable run (origin `mcp`) and answers with
// its typed outputs, or, past the wait, with the run's id while progress keeps coming. A client that knows tasks
// starts the call as one (run-tasks.ts). Runs of exposed targets and exposed datasets are resources, and so is the
// app of an exposed target, as an MCP App view (app-resources.ts).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ErrorCode,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { outputsSchema, typeSchema, type JsonSchema } from '../../core/json-schema.js';
import { versionRef } from '../../core/run-story/ids.js';
import { parseSignature, parseTypeExpr } from '../../core/signature.js';
import type { ComponentSpec, PipelineSpec } from '../../core/specs.js';
import * as datasets from '../../db/repositories/datasets.js';
import { listExposures, type Exposure } from '../../db/repositories/mcp-exposures.js';
import * as runs from '../../db/repositories/runs.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { getRunView } from '../services/runs.js';
import { MCP_APP_MIME } from '../../mcp/client.js';
import { UI_META, appResourceUri, appsByTarget, readAppResource } from './app-resources.js';
import { RunTaskStore, TASK_POLL_MS } from './run-tasks.js';
import { serveTaskResults } from './task-results.js';
import { startToolRun, toolResult } from './tool-runs.js';

/** How long a tool call waits for its run before answering with the run id instead. */
const WAIT_MS = 120_000;

export interface ExposedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  target: Exposure & { kind: 'component' | 'pipeline' };
}

/** MCP tool names allow letters, digits, `_`, `-` and `.`. */
export function mcpToolName(kind: string, name: string): string {
  return `${kind}_${name}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
}

function objectSchema(
  fields: Array<{ name: string; schema: JsonSchema; description?: string | undefined }>,
): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(
      fields.map((f) => [f.name, { ...f.schema, ...(f.description ? { description: f.description } : {}) }]),
    ),
    required: fields.map((f) => f.name),
    additionalProperties: false,
  };
}

export async function exposedTools(ctx: AppContext): Promise<ExposedTool[]> {
  const out: ExposedTool[] = [];
  for (const e of await listExposures(ctx.store)) {
    if (e.kind === 'dataset') continue;
    try {
      if (e.kind === 'component') {
        const v = await components.getVersion(ctx.store, e.name, e.version);
        const spec = v.spec as ComponentSpec;
        const sig = parseSignature(spec.signature);
        out.push({
          name: mcpToolName('component', v.name),
          title: versionRef(v.name, e.version ?? 'latest'),
          description: spec.instructions ?? `The ${spec.kind} component ${v.name}: ${spec.signature}`,
          inputSchema: objectSchema(
            sig.inputs.map((f) => ({ name: f.name, schema: typeSchema(f.type), description: f.description })),
          ),
          outputSchema: outputsSchema(sig),
          target: { kind: 'component', name: v.name, ...(e.version ? { version: e.version } : {}) },
        });
      } else {
        const v = await pipelines.getVersion(ctx.store, e.name, e.version);
        const spec = v.spec as PipelineSpec;
        out.push({
          name: mcpToolName('pipeline', v.name),
          title: versionRef(v.name, e.version ?? 'latest'),
          description: spec.description ?? `The pipeline ${v.name} (${spec.steps.length} steps)`,
          inputSchema: objectSchema(
            Object.entries(spec.inputs).map(([name, type]) => ({ name, schema: typeSchema(parseTypeExpr(type)) })),
          ),
          target: { kind: 'pipeline', name: v.name, ...(e.version ? { version: e.version } : {}) },
        });
      }
    } catch {
      // an exposure whose target was deleted lists nothing
    }
  }
  return out;
}

type Progress = (progress: number, message: string) => Promise<void>;

const targetKey = (t: ExposedTool) => `${t.target.kind}:${t.target.name}`;

/** A tool whose target has an app names the app's view (and, for older hosts, by the flat key too). */
const appMeta = (app: string | undefined) =>
  app ? { _meta: { ui: { resourceUri: appResourceUri(app) }, 'ui/resourceUri': appResourceUri(app) } } : {};

/** Start the run and wait for its end (or WAIT_MS), reporting progress as its steps complete. */
async function callTool(
  ctx: AppContext,
  tool: ExposedTool,
  args: Record<string, unknown>,
  progress: Progress,
  signal: AbortSignal,
) {
  const run = await startToolRun(ctx, tool, args);
  await progress(0, `run ${run.id} started`);
  const handle = ctx.temporal.client.workflow.getHandle(run.id);
  let timer: NodeJS.Timeout | undefined;
  const waited = await Promise.race([
    handle.result().then(
      () => 'ended',
      () => 'ended',
    ),
    new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), WAIT_MS))),
    new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true })),
  ]);
  clearTimeout(timer);
  const view = await getRunView(ctx, run.id);
  if (waited !== 'ended')
    return {
      content: [
        {
          type: 'text' as const,
          text: `run ${run.id} is ${view.status}; read vloop://runs/${run.id} for its outputs when it ends`,
        },
      ],
      structuredContent: undefined,
    };
  await progress(1, `run ${run.id} ${view.status}`);
  return toolResult(view);
}

/** A server instance for one connection (the HTTP endpoint is stateless: one per request). */
export function harnessMcpServer(ctx: AppContext): Server {
  const findTool = async (name: string) => (await exposedTools(ctx)).find((t) => t.name === name);
  const tasks = new RunTaskStore(ctx, findTool);
  const server = new Server(
    { name: 'vloop-harness', version: '0.1.0' },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: {},
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      taskStore: tasks,
      defaultTaskPollInterval: TASK_POLL_MS,
    },
  );
  serveTools(server, ctx, findTool);
  serveTaskResults(server, ctx, tasks);
  serveResources(server, ctx);
  return server;
}

/** Exposed components and pipelines, listed and called as tools. */
function serveTools(
  server: Server,
  ctx: AppContext,
  findTool: (name: string) => Promise<ExposedTool | undefined>,
): void {
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const withApps = await appsByTarget(ctx);
    return {
      tools: (await exposedTools(ctx)).map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: t.inputSchema as never,
        ...(t.outputSchema ? { outputSchema: t.outputSchema as never } : {}),
        // A run can outlive any connection: a client that knows tasks may start it as one.
        execution: { taskSupport: 'optional' as const },
        ...appMeta(withApps.get(targetKey(t))?.name),
      })),
    };
  });
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    // As a task: the run starts and the task answers at once (bad inputs are a protocol error: there is no task).
    if (req.params.task) return { task: await extra.taskStore!.createTask({ ttl: req.params.task.ttl }) };
    const tool = await findTool(req.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `no exposed tool '${req.params.name}'`);
    const token = req.params._meta?.progressToken;
    const progress: Progress = async (p, message) => {
      if (token !== undefined)
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: p, total: 1, message },
        });
    };
    try {
      return await callTool(ctx, tool, req.params.arguments ?? {}, progress, extra.signal);
    } catch (err) {
      // Bad inputs are the caller's to fix: a tool error they can read, not a protocol failure.
      return { isError: true, content: [{ type: 'text' as const, text: (err as Error).message }] };
    }
  });
}

/** Runs of exposed targets and exposed datasets, listed and read as resources. */
function serveResources(server: Server, ctx: AppContext): void {
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      {
        uriTemplate: 'vloop://runs/{id}',
        name: 'run',
        description: 'A run of an exposed target: status, inputs, outputs, tokens',
        mimeType: 'application/json',
      },
      {
        uriTemplate: 'vloop://datasets/{name}',
        name: 'dataset',
        description: 'An exposed dataset and its examples',
        mimeType: 'application/json',
      },
    ],
  }));
  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const exposures = await listExposures(ctx.store);
    const targets = new Set(exposures.filter((e) => e.kind !== 'dataset').map((e) => `${e.kind}:${e.name}`));
    const recent = (await runs.listRuns(ctx.store, { limit: 200 })).runs
      .filter((r) => targets.has(`${r.target.type}:${r.target.name}`))
      .slice(0, 50);
    const withApps = await appsByTarget(ctx);
    const views = (await exposedTools(ctx)).flatMap((t) => {
      const app = withApps.get(targetKey(t));
      return app
        ? [{ uri: appResourceUri(app.name), name: `app ${app.name}`, mimeType: MCP_APP_MIME, _meta: UI_META }]
        : [];
    });
    return {
      resources: [
        ...views,
        ...exposures
          .filter((e) => e.kind === 'dataset')
          .map((e) => ({ uri: `vloop://datasets/${e.name}`, name: `dataset ${e.name}`, mimeType: 'application/json' })),
        ...recent.map((r) => ({
          uri: `vloop://runs/${r.id}`,
          name: `${r.target.name} run ${r.id} (${r.status})`,
          mimeType: 'application/json',
        })),
      ],
    };
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    const uri = req.params.uri;
    if (uri.startsWith('ui://')) {
      const tools = (await exposedTools(ctx)).map((t) => ({ name: t.name, key: targetKey(t) }));
      const view = await readAppResource(ctx, uri, tools);
      if (!view) throw new McpError(ErrorCode.InvalidParams, `no app of an exposed tool at ${uri}`);
      return { contents: [view] };
    }
    const body = await readResource(ctx, uri);
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
  });
}

/** The run or dataset at `uri`, only when its target or itself is exposed. */
async function readResource(ctx: AppContext, uri: string): Promise<unknown> {
  const run = /^vloop:\/\/runs\/([^/]+)$/.exec(uri);
  const dataset = /^vloop:\/\/datasets\/([^/]+)$/.exec(uri);
  const exposures = await listExposures(ctx.store);
  if (run) {
    const view = await getRunView(ctx, run[1]!).catch(() => undefined);
    if (!view || !exposures.some((e) => e.kind === view.target.type && e.name === view.target.name))
      throw new McpError(ErrorCode.InvalidParams, `no run of an exposed target at ${uri}`);
    return view;
  }
  if (dataset && exposures.some((e) => e.kind === 'dataset' && e.name === dataset[1])) {
    const d = await datasets.getDataset(ctx.store, dataset[1]!);
    return { ...d, examples: await datasets.listExamples(ctx.store, d.id) };
  }
  throw new McpError(ErrorCode.InvalidParams, `no exposed resource at ${uri}`);
}
