// A MIPROv2 or GEPA run's search, folded from its events: each trial as a row, the score over time with the best so
// far, the proposals (MIPROv2's instructions, GEPA's accepted candidates) and which one leads.
import type { RunEvent } from '../../../core/run-story/events.js';

export interface TrialRow {
  n: number;
  /** What the trial tried, in words. */
  tried: string;
  /** Its score: MIPROv2's minibatch mean, GEPA's proposal on the minibatch (its parent's when it skipped). */
  score: number | null;
  verdict: string;
  accepted?: boolean;
}

export interface Proposal {
  /** MIPROv2: the instruction's index; GEPA: the candidate's. */
  index: number;
  instruction: string;
  /** MIPROv2: the proposal failed or came back empty, so the current instruction stands in its slot. */
  failed?: boolean;
  /** GEPA: the candidate it came from, and its mean on dev. */
  parent?: number | null;
  dev?: number;
}

export interface SearchView {
  rows: TrialRow[];
  /** The best score so far after each trial (GEPA: on dev, among accepted candidates; MIPROv2: on a minibatch). */
  best: Array<number | null>;
  proposals: Proposal[];
}

type Outputs = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : null);
const f3 = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '–');

function gepaRow(n: number, o: Outputs): TrialRow {
  const tried = `reflect on candidate ${String(o.parent)} (${f3(o.old)} on its minibatch)`;
  if (o.skipped !== undefined) return { n, tried, score: num(o.old), verdict: `skipped: ${String(o.skipped)}` };
  const accepted = o.accepted === true;
  const verdict = accepted
    ? `accepted as candidate ${String(o.candidate)}, ${f3(o.val)} on dev`
    : 'rejected: no better';
  return { n, tried, score: num(o.new), verdict, accepted };
}

const miproRow = (n: number, o: Outputs): TrialRow => ({
  n,
  tried: `instruction ${String(o.instruction)} × demo set ${String(o.demoSet)}`,
  score: num(o.score),
  verdict: `on ${String(o.examples)} dev examples`,
});

/** The search as its events tell it so far; `current` is the component's instruction (MIPROv2's instruction 0). */
export function searchView(events: RunEvent[], current: string): SearchView {
  const rows: TrialRow[] = [];
  const best: Array<number | null> = [];
  const proposals: Proposal[] = [];
  let top: number | null = null;
  for (const e of events) {
    const propose = e.type === 'step.failed' ? /^propose\[(\d+)\]$/.exec(e.data.stepId) : null;
    // A proposal that failed leaves the current instruction in its slot (workflows/mipro.ts).
    if (propose) proposals.push({ index: Number(propose[1]), instruction: current, failed: true });
    if (e.type !== 'step.completed') continue;
    const { stepId } = e.data;
    const o = (e.data.outputs ?? {}) as Outputs;
    const proposed = /^propose\[(\d+)\]$/.exec(stepId);
    if (proposed) {
      const text = String(o.proposed_instruction ?? '').trim();
      proposals.push({ index: Number(proposed[1]), instruction: text || current, ...(text ? {} : { failed: true }) });
    }
    const trial = /^trial:(\d+)$/.exec(stepId);
    if (!trial) continue;
    const n = Number(trial[1]);
    const gepa = o.parent !== undefined;
    const row = gepa ? gepaRow(n, o) : miproRow(n, o);
    rows.push(row);
    const counted = gepa ? (row.accepted ? num(o.val) : null) : row.score;
    if (counted !== null) top = top === null ? counted : Math.max(top, counted);
    best.push(top);
    if (gepa && row.accepted)
      proposals.push({
        index: Number(o.candidate),
        instruction: String(o.instruction ?? ''),
        parent: num(o.parent),
        dev: num(o.val) ?? 0,
      });
  }
  // MIPROv2's instruction 0 is the current one: proposed by no one, chosen among the rest.
  if (proposals.some((p) => p.parent === undefined)) proposals.unshift({ index: 0, instruction: current });
  return { rows, best, proposals };
}
