import { describe, expect, it } from 'vitest';
import { checkRunInputs, planPipeline, resolveBinding, type ResolvedComponent } from '../../core/pipeline-plan.js';
import { pipelineSpec, type ComponentSpec } from '../../core/specs.js';

const comp = (name: string, signature: string): ResolvedComponent => ({ ref: name, version: 1, spec: { name, kind: 'predict', signature, provider: 'p' } as ComponentSpec });
const registry = new Map([
  ['split', comp('split', 'text: str -> parts: list[str], ok: bool')],
  ['upper', comp('upper', 'text: str -> result: str')],
  ['count', comp('count', 'items: list[str] -> n: int')],
  ['score', comp('score', 'x: float -> y: float')],
]);
const plan = (spec: unknown) => planPipeline(pipelineSpec.parse(spec), (ref) => registry.get(ref));

describe('planPipeline', () => {
  it('plans dependencies, foreach, when and widening int -> float', () => {
    const p = plan({
      name: 'p',
      inputs: { text: 'str', n: 'int' },
      steps: [
        { id: 's', component: 'split', inputs: { text: '$inputs.text' } },
        { id: 'u', component: 'upper', foreach: '$steps.s.outputs.parts', concurrency: 2, inputs: { text: '$item' }, when: '$steps.s.outputs.ok' },
        { id: 'c', component: 'count', inputs: { items: '$steps.u.outputs.result' } },
        { id: 'f', component: 'score', inputs: { x: '$inputs.n' } },
      ],
      outputs: { n: '$steps.c.outputs.n' },
    });
    expect(p.steps.map((s) => [s.id, s.deps])).toEqual([['s', []], ['u', ['s']], ['c', ['u']], ['f', []]]);
    expect(p.steps[1]!.concurrency).toBe(2);
  });

  it('reports every problem at once', () => {
    expect(() =>
      plan({
        name: 'p',
        inputs: { n: 'int', bad: 'strr' },
        steps: [
          { id: 'a', component: 'upper', inputs: { text: '$inputs.n', extra: 1 } },
          { id: 'b', component: 'count', foreach: '$inputs.n', inputs: { items: 'literal' } },
          { id: 'a', component: 'upper', inputs: { text: '$foo' } },
        ],
        outputs: { x: 'plain' },
      }),
    ).toThrow(/inputs\.bad: unknown type 'strr' \(use [^)]*\) at position 0[\s\S]*duplicate step id 'a'[\s\S]*type mismatch: \$inputs\.n is int but 'text' needs str[\s\S]*component 'upper' has no input 'extra'[\s\S]*foreach needs a list, got int[\s\S]*literal "literal" is not a list\[str\][\s\S]*bad binding '\$foo'[\s\S]*an output must be/);
  });

  it('finds cycles through several steps', () => {
    expect(() =>
      plan({
        name: 'p',
        steps: [
          { id: 'a', component: 'upper', inputs: { text: '$steps.c.outputs.result' } },
          { id: 'b', component: 'upper', inputs: { text: '$steps.a.outputs.result' } },
          { id: 'c', component: 'upper', inputs: { text: '$steps.b.outputs.result' } },
        ],
      }),
    ).toThrow(/cycle: a -> c -> b -> a/);
  });

  it('checks run inputs and resolves bindings', () => {
    expect(() => checkRunInputs({ a: 'list[int]' }, { a: [1, 'x'], b: 1 })).toThrow(/inputs\.a: expected list\[int\][\s\S]*unknown input 'b'/);
    const state = { inputs: { x: 1 }, outputs: { s: { y: 2 }, skipped: null }, item: 'it' };
    expect(resolveBinding('$inputs.x', state)).toBe(1);
    expect(resolveBinding('$steps.s.outputs.y', state)).toBe(2);
    expect(resolveBinding('$steps.skipped.outputs.y', state)).toBeNull();
    expect(resolveBinding('$item', state)).toBe('it');
    expect(resolveBinding({ literal: true }, state)).toEqual({ literal: true });
  });
});
