// The version grammar (`qa`, `qa@3`, `qa@production`), how a step resolves given its pipeline version's pins, and a run's record.
import { describe, expect, it } from 'vitest';
import { stepSpec } from '../../core/specs.js';
import { LABEL, lookupOf, parseVersionRef, pinsOf, runVersions } from '../../core/versions.js';

describe('version references', () => {
  it('parses a name, a version and a label', () => {
    expect(parseVersionRef('qa')).toEqual({ name: 'qa' });
    expect(parseVersionRef('qa@3')).toEqual({ name: 'qa', version: 3 });
    expect(parseVersionRef('qa@production')).toEqual({ name: 'qa', label: 'production' });
    expect(parseVersionRef('qa@2024-q1')).toEqual({ name: 'qa', label: '2024-q1' });
    for (const bad of ['Qa', 'qa@', 'qa@Prod', 'qa@3@4', '@3', 'qa@pro duction'])
      expect(parseVersionRef(bad), bad).toBeUndefined();
  });

  it('a step may name a label; a bad reference is refused with the grammar', () => {
    expect(stepSpec.parse({ id: 'a', component: 'qa@production' }).component).toBe('qa@production');
    expect(stepSpec.safeParse({ id: 'a', component: 'qa@Prod' }).error?.issues[0]?.message).toBe(
      'a component is "name", "name@version" or "name@label"',
    );
  });

  it('a label is lowercase and not all digits', () => {
    expect(LABEL.safeParse('staging').success).toBe(true);
    expect(LABEL.safeParse('v2-rc').success).toBe(true);
    expect(LABEL.safeParse('42').error?.issues[0]?.message).toContain('cannot be all digits');
    expect(LABEL.safeParse('Prod').success).toBe(false);
  });

  it('a bare name is its pin (the latest only while saving), a number itself, a label followed', () => {
    const pins = { qa: 2 };
    expect(lookupOf('qa', pins)).toEqual({ name: 'qa', version: 2, via: 'pin' });
    expect(lookupOf('qa')).toEqual({ name: 'qa', via: 'latest' });
    expect(lookupOf('qa@4', pins)).toEqual({ name: 'qa', version: 4, via: 'exact' });
    expect(lookupOf('qa@production', pins)).toEqual({ name: 'qa', label: 'production', via: 'label' });
    expect(lookupOf('QA', pins)).toBeUndefined();
  });

  it('a saved version pins only its bare names', () => {
    expect(
      pinsOf([
        { ref: 'qa', version: 2 },
        { ref: 'join@1', version: 1 },
        { ref: 'judge@production', version: 5 },
      ]),
    ).toEqual({ qa: 2 });
  });

  it("a run records each step's version and every label it followed", () => {
    const steps = [
      { id: 'a', component: { ref: 'qa', version: 2 } },
      { id: 'b', component: { ref: 'judge@production', version: 5 } },
      { id: 'c', component: { ref: 'judge@production', version: 5 } },
    ];
    expect(
      runVersions({ type: 'pipeline', name: 'qa-chain', version: 1 }, steps, {
        origin: 'app:qa-app@3',
        labels: [{ kind: 'pipeline', name: 'qa-chain', label: 'live', version: 1 }],
      }),
    ).toEqual({
      target: 'pipeline:qa-chain@1',
      app: 'app:qa-app@3',
      steps: { a: 'qa@2', b: 'judge@5', c: 'judge@5' },
      labels: [
        { kind: 'pipeline', name: 'qa-chain', label: 'live', version: 1 },
        { kind: 'component', name: 'judge', label: 'production', version: 5 },
      ],
    });
    expect(runVersions({ type: 'component', name: 'qa', version: 2 }, [], { origin: 'eval:run_123456789' })).toEqual({
      target: 'component:qa@2',
      steps: {},
      labels: [],
    });
  });
});
