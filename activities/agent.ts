// One ReAct model step as one activity: render the trajectory, ask for a JSON action, record it.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Usage } from '../core/messages.js';
import { actionSchema, nativeTools, parseAction, parseNativeAction, renderReact, type AgentAction, type TrajectoryStep } from '../core/react.js';
import { redact, redactText } from '../core/redact.js';
import { parseSignature } from '../core/signature.js';
import type { ComponentSpec } from '../core/specs.js';
import type { EventWriter } from './events.js';
import { costUsd } from './llm/pricing.js';
import { callProvider } from './llm/call.js';
import type { ResolvedProvider, SecretSet } from './llm/registry.js';

export interface AgentStepInput {
  runId: string;
  step: number;
  component: ComponentSpec;
  inputs: Record<string, unknown>;
  trajectory: TrajectoryStep[];
}

export type AgentStepResult = ({ action: AgentAction } | { problem: string }) & { usage: Usage; costUsd: number };

export function createAgentStep(deps: { events: EventWriter; secrets: SecretSet; resolveProvider: (name: string) => Promise<ResolvedProvider> }) {
  return async function agentStep(input: AgentStepInput): Promise<AgentStepResult> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const { runId, component } = input;
    const resolved = await deps.resolveProvider(component.provider);
    const model = component.model ?? resolved.defaultModel;
    if (!model) throw ApplicationFailure.nonRetryable(`component '${component.name}' names no model`, 'ConfigError');
    const signature = parseSignature(component.signature);
    const tools = component.tools ?? [];
    // Native tool calling where the provider has it; a JSON action under a grammar on the local model.
    const native = resolved.provider.type !== 'local' && component.adapter !== 'json';
    const messages = redact(renderReact({ signature, instructions: component.instructions, tools, native }, input.inputs, input.trajectory), deps.secrets.list());
    const callId = `agent[${input.step}]`;
    await deps.events.append(runId, [{ type: 'llm.request', key: `${callId}:${attempt}:request`, data: { callId, provider: resolved.name, model, adapter: native ? 'tools' : 'json', messages, attempt } }]);
    const result = await callProvider(resolved.provider, ctx, deps.secrets, {
      model,
      messages,
      temperature: component.params?.temperature,
      maxTokens: component.params?.maxTokens,
      ...(native ? { tools: nativeTools(signature, tools) } : { jsonSchema: actionSchema(signature, tools) }),
    });
    const text = redactText(result.text, deps.secrets.list());
    const toolCalls = result.toolCalls ? redact(result.toolCalls, deps.secrets.list()) : undefined;
    const parsed = native ? parseNativeAction(signature, text, toolCalls?.[0], tools) : parseAction(signature, text, tools);
    const cost = costUsd(model, result.usage, resolved.pricing);
    await deps.events.append(
      runId,
      [{ type: 'llm.response', key: `${callId}:${attempt}:response`, data: { callId, text, ...(toolCalls ? { toolCalls } : {}), ...('problem' in parsed ? { parseError: parsed.problem } : {}), usage: result.usage, latencyMs: result.latencyMs, costUsd: cost, attempt } }],
      undefined,
      { ...result.usage, costUsd: cost },
    );
    return { ...parsed, usage: result.usage, costUsd: cost };
  };
}
