import { describe, expect, it } from 'vitest';
import { checkRunInputs, planPipeline, resolveBinding, type ResolvedComponent } from '../../core/pipeline-plan.js';
import { SpecError } from '../../core/errors.js';
import { pipelineSpec, type ComponentSpec } from '../../core/specs.js';

const comp = (name: string, signature: string): ResolvedComponent => ({
  ref: name,
  version: 1,
  spec: { name, kind: 'predict', signature, provider: 'p' } as ComponentSpec,
});
const registry = new Map([
  ['split', comp('split', 'text: str -> parts: list[str], ok: bool')],
  ['upper', comp('upper', 'text: str -> result: str')],
  ['count', comp('count', 'items: list[str] -> n: int')],
  ['score', comp('score', 'x: float -> y: float')],
]);
registry.set('broken', comp('broken', 'text: str ->'));
const plan = (spec: unknown) => planPipeline(pipelineSpec.parse(spec), (ref) => registry.get(ref));
const problemsOf = (spec: unknown): string[] => {
  try {
    plan(spec);
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
};

describe('planPipeline', () => {
  it('plans dependencies, foreach, when and widening int -> float', () => {
    const p = plan({
      name: 'p',
      inputs: { text: 'str', n: 'int' },
      steps: [
        { id: 's', component: 'split', inputs: { text: '$inputs.text' } },
        {
          id: 'u',
          component: 'upper',
          foreach: '$steps.s.outputs.parts',
          concurrency: 2,
          inputs: { text: '$item' },
          when: '$steps.s.outputs.ok',
        },
        { id: 'c', component: 'count', inputs: { items: '$steps.u.outputs.result' } },
        { id: 'f', component: 'score', inputs: { x: '$inputs.n' } },
      ],
      outputs: { n: '$steps.c.outputs.n' },
    });
    expect(p.steps.map((s) => [s.id, s.deps])).toEqual([
      ['s', []],
      ['u', ['s']],
      ['c', ['u']],
      ['f', []],
    ]);
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
    ).toThrow(
      /inputs\.bad: unknown type 'strr' \(use [^)]*\) at position 0[\s\S]*duplicate step id 'a'[\s\S]*type mismatch: \$inputs\.n is int but 'text' needs str[\s\S]*component 'upper' has no input 'extra'[\s\S]*foreach needs a list, got int[\s\S]*literal "literal" is not a list\[str\][\s\S]*bad binding '\$foo'[\s\S]*an output must be/,
    );
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
    expect(() => checkRunInputs({ a: 'list[int]' }, { a: [1, 'x'], b: 1 })).toThrow(
      /inputs\.a: expected list\[int\][\s\S]*unknown input 'b'/,
    );
    const state = { inputs: { x: 1 }, outputs: { s: { y: 2 }, skipped: null }, item: 'it' };
    expect(resolveBinding('$inputs.x', state)).toBe(1);
    expect(resolveBinding('$steps.s.outputs.y', state)).toBe(2);
    expect(resolveBinding('$steps.skipped.outputs.y', state)).toBeNull();
    expect(resolveBinding('$item', state)).toBe('it');
    expect(resolveBinding({ literal: true }, state)).toEqual({ literal: true });
  });

  it('names each bad binding, control and component where it is, in order', () => {
    expect(
      problemsOf({
        name: 'p',
        inputs: { n: 'int', flag: 'bool' },
        steps: [
          { id: 'a', component: 'nowhere', inputs: { text: '$inputs.n' } },
          { id: 'b', component: 'broken', inputs: { text: 'x' } },
          { id: 'c', component: 'upper', foreach: '$item', when: 'yes', inputs: { text: '$item' } },
          { id: 'd', component: 'upper', when: '$inputs.n', inputs: { text: '$steps.d.outputs.result' } },
          { id: 'e', component: 'upper', foreach: '$inputs.missing', inputs: { text: '$item' } },
          { id: 'f', component: 'count', foreach: '$steps.s.outputs.parts', inputs: { items: '$steps.zz.outputs.x' } },
          { id: 'g', component: 'upper', when: '$inputs.flag', inputs: { text: '$steps.c.outputs.nothing' } },
          { id: 'h', component: 'count', foreach: '$steps.c.outputs.result', inputs: { items: '$item' } },
          { id: 'i', component: 'upper', inputs: { text: '$steps.h.outputs.n' } },
          { id: 'j', component: 'score', inputs: {} },
          { id: 'k', component: 'upper', inputs: { text: '$item' } },
        ],
        outputs: { ok: '$steps.c.outputs.result', item: '$item', gone: '$inputs.gone' },
      }),
    ).toMatchInlineSnapshot(`
      [
        "steps.a.component: unknown component 'nowhere'",
        "steps.b.component: component 'broken' has a bad signature: invalid signature: signature[12]: expected a field name in the outputs at position 12, found end of signature",
        "steps.c.foreach: foreach must be "$inputs.<field>" or "$steps.<id>.outputs.<field>"",
        "steps.c.when: when must be "$inputs.<field>" or "$steps.<id>.outputs.<field>"",
        "steps.d.when: type mismatch: when needs a bool, got int",
        "steps.d.inputs.text: step 'd' cannot bind to its own outputs (cycle)",
        "steps.e.foreach: binding to nothing: pipeline input 'missing' is not declared",
        "steps.e.inputs.text: type mismatch: $item is json but 'text' needs str",
        "steps.f.foreach: unknown step 's'",
        "steps.f.inputs.items: unknown step 'zz'",
        "steps.g.inputs.text: binding to nothing: step 'c' has no output 'nothing'",
        "steps.h.inputs.items: type mismatch: $item is str but 'items' needs list[str]",
        "steps.i.inputs.text: type mismatch: $steps.h.outputs.n is list[int] but 'text' needs str",
        "steps.j.inputs.x: input 'x' of component 'score' is not bound",
        "steps.k.inputs.text: '$item' is only bound inside a step with foreach",
        "outputs.item: an output must be "$steps.<id>.outputs.<field>" or "$inputs.<field>"",
        "outputs.gone: binding to nothing: pipeline input 'gone' is not declared",
      ]
    `);
  });
});
