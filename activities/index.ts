// Every side effect a workflow may ask for, built from its dependencies (tests hand in their own).
import type { NewRunEvent } from '../core/events.js';
import type { EventBus } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import type { RunPatch } from '../db/repositories/runs.js';
import { createEventWriter } from '../db/event-writer.js';
import type { ResolvedProvider } from './llm/registry.js';
import type { SecretSet } from '../core/secrets.js';
import { createAgentStep } from './agent.js';
import { createChatTurn } from './chat.js';
import { createAppActivities } from './apps.js';
import { createEvalActivities } from './evals.js';
import type { ToolsConfig } from '../config/index.js';
import { policyContext, readPolicy } from '../db/policy-file.js';
import { createRunTool, endToolSession } from './tools/registry.js';
import { createPredict } from './predict.js';
import { loadPrices } from '../db/price-table.js';
import { createModelCall } from './llm/model-call.js';

export interface ActivityDeps {
  store: Store;
  bus: EventBus;
  secrets: SecretSet;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
  /** The workspace, the policy file and how tools run: from the one configuration. */
  tools: ToolsConfig;
}

export function createActivities(deps: ActivityDeps) {
  const events = createEventWriter(deps.store, deps.bus, deps.secrets);
  // One model-call path for every kind of run, priced from the user's table.
  const callModel = createModelCall({ events, bus: deps.bus, secrets: deps.secrets, resolveProvider: deps.resolveProvider, prices: () => loadPrices(deps.store) });
  return {
    /** Append events and optionally move the run's status (run as a local activity: cheap, idempotent). */
    async recordEvents(input: { runId: string; events: NewRunEvent[]; patch?: RunPatch }): Promise<number> {
      return events.append(input.runId, input.events, input.patch);
    },
    predict: createPredict({ store: deps.store, events, callModel, resolveProvider: deps.resolveProvider }),
    chatTurn: createChatTurn({ store: deps.store, callModel }),
    agentStep: createAgentStep({ callModel, resolveProvider: deps.resolveProvider }),
    runTool: createRunTool({ events, secrets: deps.secrets, tools: deps.tools }),
    endToolSession,
    ...createEvalActivities({ store: deps.store, callModel }),
    ...createAppActivities({ store: deps.store, callModel }),
    /** The policy as the workflow sees it (a local activity, recorded in history). */
    async loadPolicy() {
      return { policy: readPolicy(deps.tools.policyPath), context: policyContext(deps.tools) };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { PredictInput, PredictResult } from './predict.js';
export type { ChatTurnInput, ChatTurnResult } from './chat.js';
export type { AgentStepInput, AgentStepResult } from './agent.js';
export type { RunToolInput, RunToolResult } from './tools/registry.js';
