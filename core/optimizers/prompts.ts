// The optimizers' own model calls, as Predict components so they take the one call path (events, step cache,
// pricing): MIPROv2's dataset summary and grounded instruction proposer, and GEPA's reflection on failures.
// No zod here: workflows build these specs.
import type { ComponentSpec } from '../specs.js';

type Demo = { inputs: Record<string, unknown>; outputs: Record<string, unknown> };

/** Where the optimizer's own calls go: the component's provider and model unless a proposer is named. */
export interface Proposer {
  provider: string;
  model?: string | undefined;
}

// DSPy's proposal tips (dspy/propose/grounded_proposer.py), one drawn per proposal so the proposals differ.
export const PROPOSAL_TIPS = {
  none: '',
  creative: "Don't be afraid to be creative when creating the new instruction!",
  simple: 'Keep the instruction clear and concise.',
  description: 'Make sure your instruction is very informative and descriptive.',
  high_stakes: 'The instruction should include a high stakes scenario in which the LM must solve the task!',
  persona: 'Include a persona that is relevant to the task in the instruction (ie. "You are a ...")',
} as const;
export const TIP_NAMES = Object.keys(PROPOSAL_TIPS) as Array<keyof typeof PROPOSAL_TIPS>;

const spec = (name: string, signature: string, instructions: string, p: Proposer): ComponentSpec => ({
  name,
  kind: 'predict',
  adapter: 'chat',
  signature,
  instructions,
  provider: p.provider,
  ...(p.model ? { model: p.model } : {}),
});

/** The step ids (and call ids) of the optimizer's own calls on its run. */
export const SUMMARY_STEP = 'summarize';
export const proposeStep = (n: number): string => `propose[${n}]`;
export const reflectStep = (n: number): string => `reflect[${n}]`;

export const summarizer = (p: Proposer): ComponentSpec =>
  spec(
    'dataset_summary',
    'examples: str -> summary: str',
    'You are given examples of a task (its inputs and the expected outputs). Describe in a few sentences what the ' +
      'task is and any patterns the expected outputs follow (their form, length, style, case, units).',
    p,
  );

export const proposer = (p: Proposer): ComponentSpec =>
  spec(
    'propose_instruction',
    'dataset_summary: str, program: str, demos: str, tip: str -> proposed_instruction: str',
    'Use the summary of the dataset, the program and its signature, and the example traces to write a new ' +
      'instruction for the language model so it does the task well. Follow the tip when one is given. Answer with ' +
      'the instruction alone.',
    p,
  );

export const reflector = (p: Proposer): ComponentSpec =>
  spec(
    'reflect_instruction',
    'current_instruction: str, program: str, traces: str -> new_instruction: str',
    "I gave an assistant the current instruction. Each trace below shows an input, the assistant's answer and " +
      'feedback on it. Read the feedback and work out what the instruction lacks: the facts, conventions and ' +
      'strategies the task needs. Write a better instruction that keeps what works. Answer with the instruction alone.',
    p,
  );

/** The program as a proposer reads it: its signature and its current instruction. */
export const programText = (c: Pick<ComponentSpec, 'signature' | 'instructions'>): string =>
  `signature: ${c.signature}\ninstruction: ${c.instructions ?? '(none)'}`;

const fields = (r: Record<string, unknown>) =>
  Object.entries(r)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');

/** Demos (or examples) as lines a model reads: inputs, then outputs. */
export const demosText = (demos: Demo[]): string =>
  demos.length ? demos.map((d, i) => `${i + 1}. ${fields(d.inputs)} => ${fields(d.outputs)}`).join('\n') : '(none)';

/** An instruction out of a proposer's reply: trimmed, out of a code fence or the quotes a model wraps it in. */
export function cleanInstruction(text: unknown): string {
  let s = String(text ?? '').trim();
  const fenced = /^```[\w-]*\n?([\s\S]*?)\n?```$/.exec(s);
  if (fenced) s = fenced[1]!.trim();
  const q = s[0];
  // Only quotes around the whole text: `"yes" or "no"` keeps its own.
  if (s.length > 1 && (q === '"' || q === "'" || q === '`') && s.endsWith(q) && !s.slice(1, -1).includes(q))
    s = s.slice(1, -1).trim();
  return s;
}
