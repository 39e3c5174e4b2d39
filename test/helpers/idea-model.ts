// A task where one idea wins: answers are upper-case codes ("A7"), and the model writes them in upper case only
// when its instruction says so. Without it, it is right on every fourth question, or every second one with demos
// (so BootstrapFewShot helps, but less). The optimizers' own calls are scripted too: the summary notes the case
// when the examples show it, a proposer grounded in that summary proposes the idea (unless its tip is none or
// creative), and a reflection that reads a case-only mismatch in the feedback proposes it.
import { formatPredictReply } from '../../core/adapters.js';
import type { FakeRequest } from '../fakes/script.js';
import { promptFields } from './echo-model.js';

export const IDEA = 'Write the answer in upper case.';
const system = (req: FakeRequest) => req.messages.find((m) => m.role === 'system')?.content ?? '';

/** Which of the scripted callers this is, by the instruction it carries. */
function role(req: FakeRequest): 'summary' | 'propose' | 'reflect' | 'answer' {
  const s = system(req);
  if (s.includes('Describe in a few sentences what the task is')) return 'summary';
  if (s.includes('write a new instruction')) return 'propose';
  if (s.includes('Read the feedback')) return 'reflect';
  return 'answer';
}

/** A reflection's proposal: the idea when some feedback shows an answer wrong only in its letter case. */
function reflect(f: Record<string, string>): string {
  const base = (f.current_instruction ?? '').trim();
  const re = /the answer "([^"]*)" differs from the expected "([^"]*)"/g;
  const caseOnly = [...(f.traces ?? '').matchAll(re)].some((m) => m[1] !== m[2] && m[1]!.toUpperCase() === m[2]);
  return `${base} ${caseOnly ? IDEA : 'Be precise.'}`.trim();
}

function propose(f: Record<string, string>): string {
  const grounded = /upper case/.test(f.dataset_summary ?? '');
  const tip = f.tip ?? '';
  const plain = tip === '(none)' || /creative/.test(tip);
  const persona = /persona/.test(tip) ? 'You are a careful quiz master. ' : '';
  return `${persona}Answer the question with its code.${grounded && !plain ? ` ${IDEA}` : ''}`;
}

export function ideaModel(req: FakeRequest): string {
  const f = promptFields(req);
  switch (role(req)) {
    case 'summary': {
      const answers = [...(f.examples ?? '').matchAll(/answer: (\S+)/g)].map((m) => m[1]!);
      const upper = answers.length > 0 && answers.every((a) => a === a.toUpperCase());
      return formatPredictReply({
        summary: `Short quiz questions answered by a code${upper ? ', always in upper case' : ''}.`,
      });
    }
    case 'propose':
      return formatPredictReply({ proposed_instruction: propose(f) });
    case 'reflect':
      return formatPredictReply({ new_instruction: reflect(f) });
    case 'answer': {
      const i = Number(/q(\d+)/.exec(f.question ?? '')?.[1] ?? -1);
      const fewShot = req.messages.some((m) => m.role === 'assistant');
      const right = system(req).includes(IDEA) || (fewShot ? i % 2 === 0 : i % 4 === 0);
      return formatPredictReply({ answer: right ? `A${i}` : `a${i}` });
    }
  }
}

/** q0..q{n-1} split train / dev / test by position: the answers are upper-case codes. */
export const ideaExamples = (train: number, dev: number, test: number) =>
  Array.from({ length: train + dev + test }, (_, i) => ({
    inputs: { question: `q${i}` },
    expected: { answer: `A${i}` },
    split: i < train ? 'train' : i < train + dev ? 'dev' : 'test',
  }));

/** The task's component (`coder`, or `name`) on `provider`, and its dataset `codes` (12 train, 8 dev, 8 test), through `ok`. */
export async function seedIdeaTask(
  ok: (method: string, path: string, body?: unknown) => Promise<unknown>,
  o: { provider?: string; name?: string; dataset?: boolean } = {},
): Promise<void> {
  await ok('POST', '/api/components', {
    name: o.name ?? 'coder',
    signature: 'question: str -> answer: str',
    instructions: 'Answer the question.',
    provider: o.provider ?? 'fake',
  });
  if (o.dataset === false) return;
  await ok('POST', '/api/datasets', { name: 'codes' });
  await ok('POST', '/api/datasets/codes/examples', { examples: ideaExamples(12, 8, 8) });
}
