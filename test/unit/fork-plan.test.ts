import { describe, expect, it } from 'vitest';
import type { SpecError } from '../../core/errors.js';
import { forkRequest, planFork, type RecordedStep } from '../../core/fork.js';
import { planPipeline, type ResolvedComponent } from '../../core/pipeline-plan.js';
import type { PipelineSpec } from '../../core/specs.js';

const comp = (name: string, version: number, signature = 'text: str -> result: str'): ResolvedComponent => ({
  ref: name,
  version,
  spec: { name, kind: 'predict', adapter: 'auto', signature, provider: 'p' },
});
const components = new Map([
  ['f', comp('f', 1)],
  ['g', comp('g', 1)],
  ['pair', comp('pair', 1, 'a: str, b: str -> combined: str')],
  ['g@2', { ...comp('g', 2), ref: 'g@2' }],
  ['n@1', { ...comp('n', 1, 'text: str -> n: int'), ref: 'n@1' }],
]);
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
const records = new Map<string, RecordedStep>([
  ['root', done('R')],
  ['left', done('L')],
  ['right', done('RR')],
  ['join', { outputs: { combined: 'L|RR' } }],
  ['aside', done('A')],
]);
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
    const f = fork({
      fromStep: 'left',
      overrides: { steps: { left: { component: 'g@2', model: 'm2', params: { temperature: 0 } } } },
    });
    const left = f.plan.steps.find((s) => s.id === 'left')!;
    expect([left.component.version, left.component.spec.model, left.component.spec.params]).toEqual([
      2,
      'm2',
      { temperature: 0 },
    ]);
    expect(f.plan.steps.find((s) => s.id === 'right')!.component.version).toBe(1);
  });

  it('a step the source never completed runs, with everything after it', () => {
    const partial = new Map(records);
    partial.delete('right');
    partial.delete('join');
    expect(
      planFork({ ...source, records: partial }, forkRequest.parse({ fromStep: 'aside' }), (r) => components.get(r))
        .runs,
    ).toEqual(['right', 'join', 'aside']);
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
    expect(
      problems({ fromStep: 'root', overrides: { steps: { root: { outputs: { result: 1, extra: 2 } } } } }),
    ).toEqual([
      'overrides.steps.root.outputs.result: expected str, got 1',
      "overrides.steps.root.outputs.extra: step 'root' has no output 'extra'",
    ]);
    expect(problems({ fromStep: 'left', overrides: { steps: { left: { component: 'n@1' } } } })).toEqual([
      expect.stringMatching(/binding to nothing: step 'left' has no output 'result'/),
    ]);
  });

  describe('a foreach step', () => {
    const lens = comp('len', 1, 'text: str -> n: int');
    const each: PipelineSpec = {
      name: 'each',
      inputs: { texts: 'list[str]', text: 'str' },
      steps: [
        { id: 'len', component: 'len', foreach: '$inputs.texts', inputs: { text: '$item' } },
        { id: 'gate', component: 'f', inputs: { text: '$inputs.text' } },
        { id: 'skipped', component: 'len', foreach: '$inputs.texts', inputs: { text: '$item' } },
        { id: 'after', component: 'f', inputs: { text: '$steps.gate.outputs.result' } },
      ],
      outputs: {},
    };
    const eachPlan = planPipeline(each, (r) => (r === 'len' ? lens : components.get(r)));
    const recorded = new Map<string, RecordedStep>([
      ['len', { outputs: [{ n: 1 }, { n: 2 }, { n: 3 }] }],
      ['gate', { outputs: null, skipped: true }],
      ['skipped', { outputs: null, skipped: true }],
      ['after', done('A')],
    ]);
    const forkEach = (body: unknown) => {
      try {
        const f = planFork(
          { runId: 'run_e', plan: eachPlan, inputs: { texts: ['a', 'bb', 'ccc'], text: 't' }, records: recorded },
          forkRequest.parse(body),
          (r) => components.get(r),
        );
        return { runs: f.runs, reuse: f.reuse };
      } catch (err) {
        return (err as SpecError).problems.map((p) => `${p.path}: ${p.message}`);
      }
    };

    it('reruns one item, reuses the others, and takes an item counterfactual', () => {
      expect(forkEach({ fromStep: 'len[1]', overrides: { steps: { 'len[2]': { outputs: { n: 9 } } } } }))
        .toMatchInlineSnapshot(`
        {
          "reuse": {
            "after": {
              "outputs": {
                "result": "A",
              },
              "source": {
                "runId": "run_e",
                "stepId": "after",
              },
            },
            "gate": {
              "outputs": null,
              "skipped": true,
              "source": {
                "runId": "run_e",
                "stepId": "gate",
              },
            },
            "len": {
              "items": [
                {
                  "outputs": {
                    "n": 1,
                  },
                },
                null,
                {
                  "counterfactual": true,
                  "outputs": {
                    "n": 9,
                  },
                },
              ],
              "source": {
                "runId": "run_e",
                "stepId": "len",
              },
            },
            "skipped": {
              "outputs": null,
              "skipped": true,
              "source": {
                "runId": "run_e",
                "stepId": "skipped",
              },
            },
          },
          "runs": [
            "len",
          ],
        }
      `);
    });

    it('reuses a skipped step as skipped and a foreach step with only a counterfactual item as changed', () => {
      expect(forkEach({ fromStep: 'after', overrides: { steps: { 'len[0]': { outputs: { n: 7 } } } } }))
        .toMatchInlineSnapshot(`
        {
          "reuse": {
            "gate": {
              "outputs": null,
              "skipped": true,
              "source": {
                "runId": "run_e",
                "stepId": "gate",
              },
            },
            "len": {
              "items": [
                {
                  "counterfactual": true,
                  "outputs": {
                    "n": 7,
                  },
                },
                {
                  "outputs": {
                    "n": 2,
                  },
                },
                {
                  "outputs": {
                    "n": 3,
                  },
                },
              ],
              "source": {
                "runId": "run_e",
                "stepId": "len",
              },
            },
            "skipped": {
              "outputs": null,
              "skipped": true,
              "source": {
                "runId": "run_e",
                "stepId": "skipped",
              },
            },
          },
          "runs": [
            "after",
          ],
        }
      `);
    });

    it('refuses items past the end, items of a step without foreach, item overrides other than outputs and unknown versions', () => {
      expect(forkEach({ fromStep: 'len[5]' })).toMatchInlineSnapshot(`
        [
          "fromStep: step 'len' had 3 items; there is no item 5",
        ]
      `);
      expect(forkEach({ fromStep: 'gate[0]' })).toMatchInlineSnapshot(`
        [
          "fromStep: step 'gate' has no items (it has no foreach)",
        ]
      `);
      expect(
        forkEach({
          fromStep: 'len',
          overrides: {
            steps: {
              'gate[0]': { outputs: { result: 'x' } },
              'len[0]': { outputs: { n: 1 }, model: 'm' },
              'nope[1]': {},
              '1bad': {},
              after: { component: 'f@9' },
            },
          },
        }),
      ).toMatchInlineSnapshot(`
        [
          "overrides.steps.gate[0]: step 'gate' has no items (it has no foreach)",
          "overrides.steps.len[0]: an item takes only a counterfactual \`outputs\`",
          "overrides.steps.nope[1]: the run has no step 'nope[1]'",
          "overrides.steps.1bad: the run has no step '1bad'",
          "overrides.steps.after.component: unknown component version 'f@9'",
        ]
      `);
      expect(forkEach({ fromStep: 'len', overrides: { steps: { 'len[1]': { outputs: { n: 'x' } } } } }))
        .toMatchInlineSnapshot(`
        [
          "overrides.steps.len[1].outputs.n: expected int, got "x"",
        ]
      `);
    });
  });
});
