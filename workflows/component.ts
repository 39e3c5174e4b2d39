// Trying one component version is a one-step pipeline, so it gets the same events and durability.
import { pipelineWorkflow, type PipelineRunInput } from './pipeline.js';

export async function componentWorkflow(input: PipelineRunInput): Promise<Record<string, unknown>> {
  return pipelineWorkflow(input);
}
