// Every side effect a workflow may ask for, built from its dependencies (tests hand in their own).
import type { NewRunEvent } from '../core/run-story/events.js';
import type { EventBus } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import { createEventWriter } from '../db/event-writer.js';
import type { ResolvedProvider } from '../providers/registry.js';
import type { SecretSet } from '../core/secrets.js';
import { createAgentStep } from './agent.js';
import { createChatReply, createChatTurn } from './chat.js';
import { createAppActivities } from './apps.js';
import { createEvalActivities } from './evals.js';
import { createOptimizerActivities } from './optimizer.js';
import type { ToolsConfig } from '../config/index.js';
import { policyContext, readPolicy } from '../db/policy-file.js';
import { judgeToolCall } from '../judge/index.js';
import { discoverMcpTools, UnknownMcpServer } from '../mcp/client.js';
import { ApplicationFailure } from '@temporalio/activity';
import { toolCall, type ToolCall } from '../core/policy.js';
import { createMcpTaskActivities } from './tools/mcp-tasks.js';
import { createRunTool, endToolSession } from './tools/registry.js';
import { sessionWorkerPolled } from './session-worker.js';
import { createPredict } from './predict.js';
import { loadPrices } from '../db/price-table.js';
import { createModelCall } from './llm/model-call.js';
import { countRun, type ActivityLog, type ActivityTelemetry } from './telemetry.js';
import { getRun } from '../db/repositories/runs.js';
import { terminalStatuses, type RunPatch } from '../core/run-story/status.js';

const runKind = async (store: Store, runId: string) => (await getRun(store, runId)).kind;

export interface ActivityDeps {
  store: Store;
  bus: EventBus;
  secrets: SecretSet;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
  /** The workspace, the policy file and how tools run: from the one configuration. */
  tools: ToolsConfig;
  /** OpenTelemetry export, when configured: GenAI spans and metrics. */
  telemetry?: ActivityTelemetry | undefined;
  /** A line per model call and tool call, with the run's id (and trace ids when tracing). */
  log?: ActivityLog | undefined;
  /** This process's own task queue, where a run's browser calls follow the browser it opened. */
  sessionQueue?: string | undefined;
}

export function createActivities(deps: ActivityDeps) {
  const events = createEventWriter(deps.store, deps.bus, deps.secrets);
  // One model-call path for every kind of run, priced from the user's table.
  const callModel = createModelCall({
    events,
    bus: deps.bus,
    secrets: deps.secrets,
    resolveProvider: deps.resolveProvider,
    prices: () => loadPrices(deps.store),
    telemetry: deps.telemetry,
    log: deps.log,
  });
  return {
    /** Append events and optionally move the run's status (run as a local activity: cheap, idempotent). */
    async recordEvents(input: { runId: string; events: NewRunEvent[]; patch?: RunPatch }): Promise<number> {
      const seq = await events.append(input.runId, input.events, input.patch);
      // A run's end is counted once it is stored (a replayed append of it stores nothing new).
      if (deps.telemetry && input.patch?.status && terminalStatuses.includes(input.patch.status))
        countRun(await runKind(deps.store, input.runId), input.patch.status);
      return seq;
    },
    predict: createPredict({ store: deps.store, events, callModel, resolveProvider: deps.resolveProvider }),
    chatTurn: createChatTurn({ store: deps.store, callModel }),
    chatReply: createChatReply({ store: deps.store }),
    agentStep: createAgentStep({ store: deps.store, callModel, resolveProvider: deps.resolveProvider }),
    runTool: createRunTool({ events, secrets: deps.secrets, tools: deps.tools, log: deps.log }),
    ...createMcpTaskActivities({ events, secrets: deps.secrets, tools: deps.tools }),
    endToolSession,
    /** The session queue of the worker that takes this task: the run's browser will live there. */
    async browserSessionQueue(): Promise<string | null> {
      return deps.sessionQueue ?? null;
    },
    sessionWorkerPolled,
    ...createEvalActivities({ store: deps.store, callModel, tools: deps.tools, resolveProvider: deps.resolveProvider }),
    ...createAppActivities({ store: deps.store, callModel }),
    ...createOptimizerActivities({ store: deps.store }),
    /** The policy as the workflow sees it (a local activity, recorded in history). */
    async loadPolicy() {
      return { policy: readPolicy(deps.tools.policyPath), context: policyContext(deps.tools) };
    },
    /** The MCP tools a component names, listed by their servers; recorded in history, so the run keeps this list. */
    async discoverMcpTools(input: { tools: string[] }) {
      const policy = readPolicy(deps.tools.policyPath);
      try {
        return await discoverMcpTools(input.tools, policy.mcpServers, deps.tools);
      } catch (err) {
        if (err instanceof UnknownMcpServer) throw ApplicationFailure.nonRetryable(err.message, 'ConfigError');
        throw err;
      }
    },
    /** The decision on one tool call, by the parsers and the policy (a local activity: recorded, so later judges never change a past decision). */
    async judgeToolCall(input: { call: ToolCall }) {
      const policy = readPolicy(deps.tools.policyPath);
      const { decision, shape } = await judgeToolCall(policy, toolCall.parse(input.call), deps.tools);
      return { decision, shape, approvalTimeoutMs: policy.approvalTimeoutMs };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { PredictInput, PredictResult } from './predict.js';
export type { ChatTurnInput, ChatTurnResult } from './chat.js';
export type { AgentStepInput, AgentStepResult } from './agent.js';
export type { RunToolInput, RunToolResult } from './tools/registry.js';
