// A scripted model for evals: question "q<i>" has answer "a<i>"; the instructions' mode decides which
// questions it gets right, so the expected score is known before the run.
import { formatPredictReply } from '../../core/adapters.js';
import { seededRandom } from '../../core/seeded-random.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';
import { promptFields } from './echo-model.js';

/** A fixed draw in [0, 1) per question and purpose: the same on every run. */
const draw = (i: number, purpose: number) => seededRandom(purpose * 100_003 + i)();
/** Right on about 60% of questions, drawn with a pinned seed. */
const sixty = (i: number) => draw(i, 1) < 0.6;

export const RIGHT: Record<string, (i: number) => boolean> = {
  sixty,
  // The same skill with noise: 5% of its right answers turn wrong and as many wrong ones, on average, turn right.
  // Draw 33 nets +0.03 on q0..q99: a rise a comparison of means alone would call a win.
  noisy: (i) => (sixty(i) ? draw(i, 33) >= 0.05 : draw(i, 33) < 0.075),
  // A real gain: half of the wrong answers turn right (about 60% -> 80%).
  better: (i) => sixty(i) || draw(i, 3) < 0.5,
  // A planted regression: half of the right answers turn wrong (about 60% -> 30%).
  worse: (i) => sixty(i) && draw(i, 4) >= 0.5,
  quarter: (i) => i % 4 === 0,
  even: (i) => i % 2 === 0,
  low: (i) => i < 10,
  never: () => false,
};

export function evalModel(req: FakeRequest): string {
  const mode = /mode: (\w+)/.exec(req.messages[0]?.content ?? '')?.[1] ?? 'never';
  const q = promptFields(req).question ?? '';
  const i = Number(/q(\d+)/.exec(q)?.[1] ?? -1);
  const fewShot = req.messages.some((m) => m.role === 'assistant');
  // "learner": right on training questions, and on dev questions only once it has seen demos.
  const right = mode === 'learner' ? q.startsWith('train') || fewShot : (RIGHT[mode] ?? RIGHT.never!)(i);
  return formatPredictReply({ answer: right ? `a${i}` : 'wrong' });
}

export const examples = (n: number, split = 'dev', prefix = '') =>
  Array.from({ length: n }, (_, i) => ({
    inputs: { question: `${prefix}q${i}` },
    expected: { answer: `a${i}` },
    split,
  }));

/**
 * How often a sampling model is right on question i, per call: a hard question (about 40%) is right 20% of
 * the time, an easy one 90% (about 62% in all).
 */
const SKILL: Record<string, (i: number) => number> = {
  base: (i) => (sixty(i) ? 0.9 : 0.2),
  // The same skill with a known 5% noise: one answer in twenty flipped (right to wrong or wrong to right).
  jitter: (i) => {
    const p = sixty(i) ? 0.9 : 0.2;
    return p * 0.95 + (1 - p) * 0.05;
  },
  // A real gain of about 20 points: easy questions 95%, hard ones 60%.
  gain: (i) => (sixty(i) ? 0.95 : 0.6),
};

/**
 * A model that samples, as a real one at a temperature does: each call of the same question is a fresh draw,
 * pinned by how many times that mode was asked it before, so a run's answers to each question are the same
 * whatever order its calls arrive in. `asked` counts the calls per mode and question; `down` makes a question's
 * calls fail (a provider outage) from its `down.get(q)`-th call on.
 */
export function samplingModel() {
  const asked = new Map<string, number>();
  const down = new Map<string, number>();
  const reply = (req: FakeRequest): FakeReply => {
    const mode = /mode: (\w+)/.exec(req.messages[0]?.content ?? '')?.[1] ?? 'base';
    const q = promptFields(req).question ?? '';
    const i = Number(/q(\d+)/.exec(q)?.[1] ?? -1);
    const n = asked.get(`${mode}:${q}`) ?? 0;
    if (n >= (down.get(q) ?? Infinity)) return { status: 503, error: 'the provider is overloaded' };
    asked.set(`${mode}:${q}`, n + 1);
    // Each mode draws on its own: two variants are independent samples, as two prompts on a real model are.
    const modes = Object.keys(SKILL);
    const right =
      draw(i, 1_000 + n * modes.length + Math.max(0, modes.indexOf(mode))) < (SKILL[mode] ?? SKILL.base!)(i);
    return formatPredictReply({ answer: right ? `a${i}` : 'wrong' });
  };
  return { reply, asked, down };
}

/** `<mode>:<question>`: which variant was asked which question (what a test counts calls by). */
export const modeQuestion = (req: FakeRequest): string =>
  `${/mode: (\w+)/.exec(req.messages[0]?.content ?? '')?.[1]}:${promptFields(req).question ?? ''}`;
