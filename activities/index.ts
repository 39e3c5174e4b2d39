// Every side effect a workflow may ask for, built from its dependencies (tests hand in their own).
import type { NewRunEvent } from '../core/events.js';
import type { EventBus } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import type { RunPatch } from '../db/repositories/runs.js';
import { createEventWriter } from './events.js';
import type { ResolvedProvider, SecretSet } from './llm/registry.js';
import { createAgentStep } from './agent.js';
import { createChatTurn } from './chat.js';
import { createEvalActivities } from './evals.js';
import { policyContext, readPolicy } from './tools/policy-file.js';
import { createRunTool, endToolSession } from './tools/registry.js';
import { createPredict } from './predict.js';
import { loadPrices } from './llm/price-table.js';

export interface ActivityDeps {
  store: Store;
  bus: EventBus;
  secrets: SecretSet;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
}

export function createActivities(deps: ActivityDeps) {
  const events = createEventWriter(deps.store, deps.bus, deps.secrets);
  return {
    /** Append events and optionally move the run's status (run as a local activity: cheap, idempotent). */
    async recordEvents(input: { runId: string; events: NewRunEvent[]; patch?: RunPatch }): Promise<number> {
      return events.append(input.runId, input.events, input.patch);
    },
    predict: createPredict({ ...deps, events, prices: () => loadPrices(deps.store) }),
    chatTurn: createChatTurn({ ...deps, events }),
    agentStep: createAgentStep({ ...deps, events }),
    runTool: createRunTool({ ...deps, events }),
    endToolSession,
    ...createEvalActivities(deps),
    /** The policy as the workflow sees it (a local activity, recorded in history). */
    async loadPolicy() {
      return { policy: readPolicy(), context: policyContext() };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { PredictInput, PredictResult } from './predict.js';
export type { ChatTurnInput, ChatTurnResult } from './chat.js';
export type { AgentStepInput, AgentStepResult } from './agent.js';
export type { RunToolInput, RunToolResult } from './tools/registry.js';
