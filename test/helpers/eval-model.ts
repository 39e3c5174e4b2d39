// A scripted model for evals: question "q<i>" has answer "a<i>"; the instructions' mode decides which
// questions it gets right, so the expected score is known before the run.
import { formatPredictReply } from '../../core/adapters.js';
import type { FakeRequest } from '../fakes/script.js';
import { promptFields } from './echo-model.js';

export const RIGHT: Record<string, (i: number) => boolean> = {
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
