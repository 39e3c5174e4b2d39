// How an eval comparison reads: which eval is the baseline, what each column is called, and whether
// each metric got better or worse, metric by metric (a row where one rose and another fell is mixed).
import { versionRef } from './run-story/ids.js';

export type Verdict = 'better' | 'worse' | 'same';
export type Direction = 'higher' | 'lower';
export type ChangeKind = 'regression' | 'improvement' | 'mixed';

export interface ComparedEval {
  id: string;
  createdAt: string;
  target: { type?: string; id?: string; name: string; version: number };
  inputs?: { override?: { provider: string; model?: string } } | Record<string, unknown>;
}

/** Metrics where a lower score is better; every metric today scores 0..1 with 1 best. */
const LOWER_IS_BETTER = new Set<string>();

/** Which way is up for a metric key such as `exact_match:answer`. */
export const directionOf = (metricKey: string): Direction =>
  LOWER_IS_BETTER.has(metricKey.split(':')[0]!) ? 'lower' : 'higher';

/** A change from the baseline in the metric's own direction; null where either side has no score. */
export function verdictOf(delta: number | null, direction: Direction): Verdict | null {
  if (delta === null) return null;
  if (Math.abs(delta) < 1e-9) return 'same';
  return delta > 0 === (direction === 'higher') ? 'better' : 'worse';
}

/** A row's kind from every metric's verdicts: only worse, only better, or both. */
export function changeKind(verdicts: Array<Verdict | null>): ChangeKind {
  const worse = verdicts.includes('worse');
  const better = verdicts.includes('better');
  return worse && better ? 'mixed' : worse ? 'regression' : 'improvement';
}

/** The label whose version is what runs now: the baseline a candidate is measured against. */
export const BASELINE_LABEL = 'production';

/**
 * The default baseline: the oldest eval of a version labelled production (what runs now), else the
 * oldest eval (what came before is what a change is measured from).
 */
export function defaultBaseline(
  evals: ComparedEval[],
  labelled: (e: ComparedEval) => boolean = () => false,
): { id: string; by: 'label' | 'oldest' } {
  const byAge = [...evals].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const inProduction = byAge.find(labelled);
  return inProduction ? { id: inProduction.id, by: 'label' } : { id: byAge[0]!.id, by: 'oldest' };
}

/**
 * Each column's name: the target's version (`qa@2`), with the provider and model an override ran it
 * on, and `#2`, `#3` on repeats of the same.
 */
export function columnNames(evals: ComparedEval[], labelled: (e: ComparedEval) => boolean = () => false): string[] {
  const base = evals.map((e) => {
    const inputs = e.inputs as { override?: { provider: string; model?: string }; fromStep?: string } | undefined;
    const o = inputs?.override;
    // A fork of a whole eval runs the same version with one step changed: say where.
    const forked = inputs?.fromStep ? ` fork at ${inputs.fromStep}` : '';
    return `${versionRef(e.target.name, e.target.version)}${labelled(e) ? ` (${BASELINE_LABEL})` : ''}${o ? ` on ${o.provider}${o.model ? `/${o.model}` : ''}` : ''}${forked}`;
  });
  const seen = new Map<string, number>();
  return base.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n > 1 ? `${name} #${n}` : name;
  });
}
