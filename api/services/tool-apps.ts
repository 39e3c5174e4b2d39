// Another server's MCP App, shown with its tool's answer in a run: the view is read from that server when the frame
// loads, and every call the app makes is judged by our policy (an `ask` waits for the person at the page) and goes
// to that server only.
import { z } from 'zod';
import { MCP_TOOL, type McpServerSpec, type Policy, type PolicyDecision } from '../../core/policy.js';
import { redactText } from '../../core/redact.js';
import { readPolicy } from '../../db/policy-file.js';
import { audit } from '../../db/repositories/audit.js';
import { eventsOfTypes } from '../../db/repositories/runs.js';
import { components } from '../../db/repositories/versioned.js';
import type { RunRow } from '../../db/models/run.js';
import { judgeToolCall } from '../../judge/index.js';
import { callToolForApp, NotForApps } from '../../mcp/client.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { pathTicket, TICKET_TTL_MS } from '../gate/ticket.js';
import { isLoopbackHost, toolAppHost } from '../app-views/tool-app-host.js';
import { hostname } from '../security.js';

/** One tool call of a run whose answer carries an MCP App. */
export interface ToolAppCall {
  runId: string;
  callId: string;
  server: string;
  /** The policy as it stands now, and the server as it declares it. */
  policy: Policy;
  spec: McpServerSpec;
  tool: string;
  args: Record<string, unknown>;
  /** The tool's answer as the run recorded it (redacted, as the model read it). */
  output: string;
  resourceUri: string;
}

/** The call `callId` of a run and its app; a 404 when the run has no such call with an app. */
export async function toolAppCall(ctx: AppContext, runId: string, callId: string): Promise<ToolAppCall> {
  const events = await eventsOfTypes(ctx.store, runId, ['tool.call', 'tool.result']);
  const call = events.find((e) => e.type === 'tool.call' && e.data.callId === callId);
  const result = events.find((e) => e.type === 'tool.result' && e.data.callId === callId);
  const named = call?.type === 'tool.call' ? MCP_TOOL.exec(call.data.tool) : null;
  if (!named || call?.type !== 'tool.call' || result?.type !== 'tool.result' || !result.data.app)
    throw new AppError(404, 'not_found', `run ${runId} has no MCP tool call '${callId}' with an app`);
  const [, server, tool] = named as unknown as [string, string, string];
  const policy = readPolicy(ctx.config.tools.policyPath);
  const spec = policy.mcpServers[server];
  if (!spec) throw new AppError(409, 'mcp_server_gone', `MCP server '${server}' is no longer declared in the policy`);
  const args = (call.data.args ?? {}) as Record<string, unknown>;
  return {
    runId,
    callId,
    server,
    policy,
    spec,
    tool,
    args,
    output: result.data.output,
    resourceUri: result.data.app.resourceUri,
  };
}

/** Where the apps origin serves a call's app (the path a ticket opens). */
export const toolAppPath = (runId: string, callId: string) => `/tool-app/${runId}/${encodeURIComponent(callId)}`;

/** The frame's URL (with a short-lived ticket) and what the app is told first: the tool's input and its answer. */
export async function toolAppFrame(ctx: AppContext, run: RunRow, callId: string, host: string) {
  const c = await toolAppCall(ctx, run.id, callId);
  if (!ctx.appViewsPort)
    throw new AppError(409, 'no_apps_origin', 'the apps origin is not running, so an app cannot be shown');
  const dashboardHost = hostname(host) ?? '';
  if (!isLoopbackHost(dashboardHost))
    throw new AppError(
      409,
      'tool_apps_need_loopback',
      `an MCP App is served on a .localhost name of its own, which reaches the harness only from this machine; open the dashboard at 127.0.0.1 or localhost, not '${dashboardHost}'`,
    );
  const path = toolAppPath(run.id, callId);
  return {
    src: `http://${toolAppHost(c.server)}:${ctx.appViewsPort}${path}?ticket=${pathTicket(ctx.token, path)}`,
    expiresInMs: TICKET_TTL_MS,
    server: c.server,
    tool: c.tool,
    resourceUri: c.resourceUri,
    input: c.args,
    result: { content: [{ type: 'text', text: c.output }] },
  };
}

const appCallBody = z.strictObject({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
  /** The person at the page approved this call (the policy asked). */
  approved: z.boolean().default(false),
});

/** Every text the answer carries, secrets redacted (structured content through its JSON). */
function redactAnswer<T extends { content?: unknown; structuredContent?: unknown }>(answer: T, secrets: string[]): T {
  const content = ((answer.content ?? []) as Array<Record<string, unknown>>).map((c) =>
    c.type === 'text' ? { ...c, text: redactText(String(c.text), secrets) } : c,
  );
  if (answer.structuredContent === undefined) return { ...answer, content };
  let structuredContent: unknown;
  try {
    structuredContent = JSON.parse(redactText(JSON.stringify(answer.structuredContent), secrets));
  } catch {
    structuredContent = undefined; // redaction broke its JSON: the app gets the text parts only
  }
  return { ...answer, content, ...(structuredContent === undefined ? {} : { structuredContent }) };
}

/** Whether the run's agent was given this tool (`mcp:<server>` or `mcp:<server>/<tool>`): an app does no more. */
async function agentOffered(ctx: AppContext, run: RunRow, server: string, tool: string): Promise<boolean> {
  if (run.target.type !== 'component') return false;
  const { spec } = await components.getVersion(ctx.store, run.target.name, run.target.version);
  return (spec.tools ?? []).some((t) => t === `mcp:${server}` || t === `mcp:${server}/${tool}`);
}

/**
 * A call the app makes (`tools/call` on its bridge): only to a tool of the app's own server, judged by the policy as
 * an agent's call is. A deny refuses; an ask answers 409 `approval_needed` until the person approves it at the page.
 */
export async function callFromToolApp(ctx: AppContext, run: RunRow, callId: string, body: unknown) {
  const c = await toolAppCall(ctx, run.id, callId);
  const req = appCallBody.parse(body);
  const call = { tool: `mcp:${c.server}/${req.name}`, args: req.arguments };
  if (!MCP_TOOL.test(call.tool)) throw new AppError(400, 'bad_request', `'${req.name}' is not an MCP tool name`);
  if (!(await agentOffered(ctx, run, c.server, req.name)))
    throw new AppError(409, 'not_offered', `the run's agent was not given ${call.tool}, so its app may not call it`);
  const { decision } = await judgeToolCall(c.policy, call, ctx.config.tools);
  const record = (d: PolicyDecision, outcome: string) =>
    audit(ctx.store, {
      actor: 'app',
      action: 'tool_app.call',
      subject: run.id,
      details: { callId, tool: call.tool, decision: d.decision, rule: d.rule, approved: req.approved, outcome },
    });
  if (decision.decision === 'deny') {
    await record(decision, 'refused');
    throw new AppError(409, 'policy_denied', `${decision.rule}: ${decision.reason}`);
  }
  if (decision.decision === 'ask' && !req.approved) {
    await record(decision, 'asked the person');
    throw new AppError(409, 'approval_needed', `the policy asks before ${call.tool} runs (${decision.rule})`, {
      tool: call.tool,
      args: call.args,
      rule: decision.rule,
      reason: decision.reason,
    });
  }
  const secrets = ctx.secrets.list();
  try {
    const answer = await callToolForApp(c.server, c.spec, req.name, req.arguments, ctx.config.tools);
    await record(decision, answer.isError ? 'tool error' : 'called');
    return redactAnswer(answer, secrets);
  } catch (err) {
    await record(decision, err instanceof NotForApps ? 'refused: model only' : 'failed');
    if (err instanceof NotForApps) throw new AppError(409, 'not_for_apps', err.message);
    throw new AppError(502, 'mcp_call_failed', redactText((err as Error).message, secrets));
  }
}
