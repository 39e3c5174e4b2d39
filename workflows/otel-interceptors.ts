// The workflow side of tracing, bundled only when telemetry is on: Temporal's OpenTelemetry
// interceptors (spans exported through the worker's sink, never on replay), and inside them a
// GenAI span for the run itself: invoke_agent for agents and chats, invoke_workflow for the rest.
import { trace } from '@opentelemetry/api';
import { instrument } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { interceptors as temporalInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
import {
  ContinueAsNew,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
} from '@temporalio/workflow';

const AGENTS = new Set(['agentWorkflow', 'chatWorkflow']);

class RunSpanInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = workflowInfo();
    const arg = (input.args[0] ?? {}) as {
      runId?: string;
      target?: { name?: string; version?: number };
      component?: { name?: string };
    };
    const operation = AGENTS.has(info.workflowType) ? 'invoke_agent' : 'invoke_workflow';
    const name = arg.target?.name ?? arg.component?.name ?? info.workflowType;
    return instrument({
      tracer: trace.getTracer('vloop-harness'),
      spanName: `${operation} ${name}`,
      // Continuing as new ends this execution, not the run.
      acceptableErrors: (err) => err instanceof ContinueAsNew,
      fn: (span) => {
        span.setAttributes({
          'gen_ai.operation.name': operation,
          [operation === 'invoke_agent' ? 'gen_ai.agent.name' : 'gen_ai.workflow.name']: name,
          'vloop.run.id': arg.runId ?? info.workflowId,
          'vloop.workflow.type': info.workflowType,
          ...(arg.target?.version ? { 'vloop.target.version': arg.target.version } : {}),
        });
        return next(input) as Promise<unknown>;
      },
    });
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const base = temporalInterceptors();
  return { ...base, inbound: [...(base.inbound ?? []), new RunSpanInterceptor()] };
};
