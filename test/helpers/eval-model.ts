// A scripted model for evals: question "q<i>" has answer "a<i>"; the instructions' mode decides which
// questions it gets right, so the expected score is known before the run.
import { formatPredictReply } from '../../core/adapters.js';
import { seededRandom } from '../../core/seeded-random.js';
import type { FakeRequest } from '../fakes/script.js';
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
