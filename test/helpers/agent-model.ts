// A scripted ReAct model: the task names a plan (a list of actions); the n-th model call answers the
// n-th action. `{{last}}` in a finish is replaced by the last observation (it really reached the model).
import type { FakeRequest } from '../fakes/script.js';

export type PlannedAction = { tool: string; args: Record<string, unknown> } | { finish: Record<string, unknown> };

export function agentModel(plans: Record<string, PlannedAction[]>) {
  return (req: FakeRequest): string => {
    const task = /\[\[ ## task ## \]\]\n([^\n]*)/.exec(req.messages[1]?.content ?? '')?.[1] ?? '';
    const plan = plans[task];
    if (!plan) throw new Error(`agent model: no plan for task '${task}'`);
    const observations = req.messages.filter((m) => m.role === 'user' && m.content.startsWith('Observation: '));
    const step = plan[observations.length];
    if (!step) throw new Error(`agent model: plan '${task}' has no step ${observations.length}`);
    const last = observations.at(-1)?.content.slice('Observation: '.length) ?? '';
    if ('finish' in step) {
      const finish = Object.fromEntries(Object.entries(step.finish).map(([k, v]) => [k, v === '{{last}}' ? last : v]));
      return JSON.stringify({ thought: 'I can answer now.', finish });
    }
    return JSON.stringify({ thought: `use ${step.tool}`, tool: step.tool, args: step.args });
  };
}
