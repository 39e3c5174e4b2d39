// The workflow bundle's entry point: every workflow type the worker registers.
// Each type loads its own modules when one of its workflows starts, not every type's: the reusable
// V8 context evaluates a workflow's modules afresh for each workflow, and the agent's policy schemas
// and the A2UI catalog (zod) cost a pipeline start about 10 ms of CPU it never uses (bench/throughput).
// The bundle inlines these imports (dynamicImportMode 'eager' in temporal/bundle.ts): no chunk is loaded
// at run time, and the import resolves in the same activation, so no command changes.
import type { AgentRunInput } from './agent.js';
import type { AppGenerateInput, AppGenerateResult } from './app-generate.js';
import type { ChatRunInput } from './chat.js';
import type { EvalRunInput, EvalSummary } from './eval.js';
import type { ExperimentRunInput, ExperimentSummary } from './experiment.js';
import type { OptimizeRunInput } from './optimize.js';
import type { PipelineRunInput } from './pipeline.js';

type Outputs = Record<string, unknown>;

export const pipelineWorkflow = async (input: PipelineRunInput): Promise<Outputs> =>
  (await import('./pipeline.js')).pipelineWorkflow(input);
export const componentWorkflow = async (input: PipelineRunInput): Promise<Outputs> =>
  (await import('./component.js')).componentWorkflow(input);
export const chatWorkflow = async (input: ChatRunInput): Promise<{ turns: number }> =>
  (await import('./chat.js')).chatWorkflow(input);
export const agentWorkflow = async (input: AgentRunInput): Promise<Outputs> =>
  (await import('./agent.js')).agentWorkflow(input);
export const evalWorkflow = async (input: EvalRunInput): Promise<EvalSummary> =>
  (await import('./eval.js')).evalWorkflow(input);
export const experimentWorkflow = async (input: ExperimentRunInput): Promise<ExperimentSummary> =>
  (await import('./experiment.js')).experimentWorkflow(input);
export const optimizeWorkflow = async (input: OptimizeRunInput): Promise<Outputs> =>
  (await import('./optimize.js')).optimizeWorkflow(input);
export const appGenerateWorkflow = async (input: AppGenerateInput): Promise<AppGenerateResult> =>
  (await import('./app-generate.js')).appGenerateWorkflow(input);
