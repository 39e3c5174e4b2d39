// The workflow bundle's entry point: every workflow type the worker registers.
export { pipelineWorkflow } from './pipeline.js';
export { componentWorkflow } from './component.js';
export { chatWorkflow } from './chat.js';
export { agentWorkflow } from './agent.js';
export { evalWorkflow } from './eval.js';
export { optimizeWorkflow } from './optimize.js';
export { appGenerateWorkflow } from './app-generate.js';
