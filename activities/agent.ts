// One ReAct model step as one activity: render the trajectory, ask for one action, parse it. The
// trajectory is the run's recorded turns, read from the store: the workflow does not carry it.
import { ApplicationFailure } from '@temporalio/activity';
import type { Usage } from '../core/messages.js';
import {
  actionGrammar,
  actionSchema,
  agentToolNames,
  nativeTools,
  parseAction,
  parseNativeAction,
  renderReact,
  type AgentAction,
  type McpToolInfo,
  type TrajectoryStep,
} from '../core/react.js';
import { agentCallId } from '../core/run-story/ids.js';
import { parseSignature } from '../core/signature.js';
import type { ComponentSpec } from '../core/specs.js';
import type { Store } from '../db/knex.js';
import { agentTurns } from '../db/repositories/runs.js';
import type { CallModel } from './llm/model-call.js';
import type { ResolvedProvider } from '../providers/registry.js';

export interface AgentStepInput {
  runId: string;
  step: number;
  component: ComponentSpec;
  inputs: Record<string, unknown>;
  /** Histories recorded before `agent-trajectory-in-store` carry the trajectory; newer steps read the run's turns. */
  trajectory?: TrajectoryStep[];
  /** The last step: only `finish` is offered, and any other answer is refused. */
  finishOnly?: boolean;
  /** The MCP tools discovered at the run's start, pinned for all its steps. */
  mcpTools?: McpToolInfo[];
}

export type AgentStepResult = ({ action: AgentAction } | { problem: string }) & { usage: Usage; costUsd: number };

export function createAgentStep(deps: {
  store: Store;
  callModel: CallModel;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
}) {
  return async function agentStep(input: AgentStepInput): Promise<AgentStepResult> {
    const { runId, component } = input;
    const resolved = await deps.resolveProvider(component.provider).catch((err: Error) => {
      throw ApplicationFailure.nonRetryable(
        `provider '${component.provider}' cannot be used: ${err.message}`,
        'ConfigError',
      );
    });
    const signature = parseSignature(component.signature);
    const trajectory = input.trajectory ?? (await agentTurns(deps.store, runId));
    const mcp = input.mcpTools ?? [];
    const tools = input.finishOnly ? [] : agentToolNames(component.tools ?? [], mcp);
    // Native tool calling where the provider has it; a JSON action under a grammar on the local model.
    const native = resolved.provider.type !== 'local' && component.adapter !== 'json';
    let parsed: { action: AgentAction } | { problem: string } = { problem: 'no answer' };
    const r = await deps.callModel(
      {
        runId,
        callId: agentCallId(input.step),
        provider: component.provider,
        model: component.model,
        messages: renderReact(
          { signature, instructions: component.instructions, tools, mcp, native, finishOnly: input.finishOnly },
          input.inputs,
          trajectory,
        ),
        adapter: native ? 'tools' : 'json',
        temperature: component.params?.temperature,
        maxTokens: component.params?.maxTokens,
        ...(native
          ? { tools: nativeTools(signature, tools, mcp) }
          : {
              jsonSchema:
                resolved.provider.type === 'local'
                  ? actionGrammar(signature, tools, mcp)
                  : actionSchema(signature, tools),
            }),
        stream: false,
      },
      (res) => {
        parsed = native
          ? parseNativeAction(signature, res.text, res.toolCalls, tools)
          : parseAction(signature, res.text, tools);
        return 'problem' in parsed ? { parseError: parsed.problem } : {};
      },
    );
    const problem = r.interpretation.parseError;
    return { ...(problem ? { problem } : parsed), usage: r.usage, costUsd: r.costUsd };
  };
}
