import { describe, expect, it } from 'vitest';
import type { SpecError } from '../../core/errors.js';
import { forkRequest, planFork, type RecordedStep } from '../../core/fork.js';
import { planPipeline, type ResolvedComponent } from '../../core/pipeline-plan.js';
import type { PipelineSpec } from '../../core/specs.js';

const comp = (name: string, version: number, signature = 'text: str -> result: str'): ResolvedComponent => ({ ref: name, version, spec: { name, kind: 'predict', adapter: 'auto', signature, provider: 'p' } });
const components = new Map([['f', comp('f', 1)], ['g', comp('g', 1)], ['pair', comp('pair', 1, 'a: str, b: str -> combined: str')], ['g@2', { ...comp('g', 2), ref: 'g@2' }], ['n@1', { ...comp('n', 1, 'text: str -> n: int'), ref: 'n@1' }]]);
const spec: PipelineSpec = {
  name: 'p',
  inputs: { text: 'str', other: 'str' },
  steps: [
    { id: 'root', component: 'f', inputs: { text: '$inputs.text' } },
    { id: 'left', component: 'g', inputs: { text: '$steps.root.outputs.result' } },
    { id: 'right', component: 'f', inputs: { text: '$steps.root.outputs.result' } },
    { id: 'join', component: 'pair', inputs: { a: '$steps.left.outputs.result', b: '$steps.right.outputs.result' } },
    { id: 'aside', component: 'g', inputs: { text: '$inputs.other' } },
  ],
  outputs: { combined: '$steps.join.outputs.combined' },
};
const plan = planPipeline(spec, (r) => components.get(r));
const done = (result: string): RecordedStep => ({ outputs: { result } });
const records = new Map<string, RecordedStep>([['root', done('R')], ['left', done('L')], ['right', done('RR')], ['join', { outputs: { combined: 'L|RR' } }], ['aside', done('A')]]);
const source = { runId: 'run_src', plan, inputs: { text: 't', other: 'o' }, records };
const fork = (body: unknown) => planFork(source, forkRequest.parse(body), (r) => components.get(r));

describe('planning a fork', () => {
  it('reruns the fork step and what depends on it; reuses what is before or beside it', () => {
    const f = fork({ fromStep: 'left' });
    expect(f.runs).toEqual(['left', 'join']);
    expect(Object.keys(f.reuse).sort()).toEqual(['aside', 'right', 'root']);
    expect(f.reuse.root).toEqual({ source: { runId: 'run_src', stepId: 'root' }, outputs: { result: 'R' } });
  });

  it('a counterfactual answers for its step and makes every dependant run', () => {
    const f = fork({ fromStep: 'root', overrides: { steps: { root: { outputs: { result: 'X' } } } } });
    expect(f.runs).toEqual(['left', 'right', 'join']);
    expect(f.reuse.root).toMatchObject({ outputs: { result: 'X' }, counterfactual: true });
  });

  it('a changed run input reruns only the steps that read it, and a new component version is planned', () => {
    expect(fork({ fromStep: 'join', overrides: { inputs: { other: 'new' } } }).runs).toEqual(['join', 'aside']);
    const f = fork({ fromStep: 'left', overrides: { steps: { left: { component: 'g@2', model: 'm2', params: { temperature: 0 } } } } });
    const left = f.plan.steps.find((s) => s.id === 'left')!;
    expect([left.component.version, left.component.spec.model, left.component.spec.params]).toEqual([2, 'm2', { temperature: 0 }]);
    expect(f.plan.steps.find((s) => s.id === 'right')!.component.version).toBe(1);
  });

  it('a step the source never completed runs, with everything after it', () => {
    const partial = new Map(records);
    partial.delete('right');
    partial.delete('join');
    expect(planFork({ ...source, records: partial }, forkRequest.parse({ fromStep: 'aside' }), (r) => components.get(r)).runs).toEqual(['right', 'join', 'aside']);
  });

  it('refuses unknown steps, wrong counterfactual types and a component whose outputs no longer fit', () => {
    const problems = (body: unknown) => {
      try {
        fork(body);
      } catch (err) {
        return (err as SpecError).problems.map((p) => `${p.path}: ${p.message}`);
      }
      throw new Error('no error');
    };
    expect(problems({ fromStep: 'nope' })).toEqual([expect.stringMatching(/^fromStep: the run has no step 'nope'/)]);
    expect(problems({ fromStep: 'root', overrides: { steps: { root: { outputs: { result: 1, extra: 2 } } } } })).toEqual(['overrides.steps.root.outputs.result: expected str, got 1', "overrides.steps.root.outputs.extra: step 'root' has no output 'extra'"]);
    expect(problems({ fromStep: 'left', overrides: { steps: { left: { component: 'n@1' } } } })).toEqual([expect.stringMatching(/binding to nothing: step 'left' has no output 'result'/)]);
  });
});
