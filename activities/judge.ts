// A model as a grader: it reads a rubric and an answer and replies with a JSON verdict, a score in 0..1 and its
// reasoning. The call is the eval run's own, traced and counted like any other (llm_judge, llm-rubric).
import { ApplicationFailure } from '@temporalio/activity';
import type { ChatMessage, Usage } from '../core/messages.js';
import { exampleRepeatId, judgeCallId } from '../core/run-story/ids.js';
import type { CallModel } from './llm/model-call.js';

const JUDGE_SCHEMA = {
  type: 'object',
  properties: { reasoning: { type: 'string' }, score: { type: 'number' } },
  required: ['reasoning', 'score'],
};

export type Verdict = { score: number; reasoning: string };

/** Which example (and repeat) of which eval is graded: the judge's call belongs to that eval run and example. */
export interface Graded {
  evalRunId: string;
  exampleId: string;
  repeat?: number | undefined;
}

/** The JSON verdict in a judge's reply, its score held to 0..1; undefined when there is none. */
function readVerdict(text: string): Verdict | undefined {
  try {
    const v = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
      score: unknown;
      reasoning: unknown;
    };
    return { score: Math.max(0, Math.min(1, Number(v.score) || 0)), reasoning: String(v.reasoning ?? '') };
  } catch {
    return undefined;
  }
}

/** Ask a judge for a verdict; `metric` names the call among the example's judgings (`judge:<example>:<metric>`). */
export async function askJudge(
  callModel: CallModel,
  graded: Graded,
  ask: { metric: string; provider?: string | undefined; model?: string | undefined; messages: ChatMessage[] },
): Promise<Verdict & { usage: Usage; costUsd: number }> {
  let verdict: Verdict | undefined;
  const example = exampleRepeatId(graded.exampleId, graded.repeat);
  const request = {
    runId: graded.evalRunId,
    callId: judgeCallId(example, ask.metric),
    stepId: `example:${example}`,
    provider: ask.provider ?? 'default',
    model: ask.model,
    adapter: 'json' as const,
    messages: ask.messages,
    jsonSchema: JUDGE_SCHEMA,
    stream: false,
  };
  const r = await callModel(request, (res) => {
    verdict = readVerdict(res.text);
    return verdict ? { outputs: verdict } : { parseError: 'the judge did not answer with a JSON verdict' };
  });
  if (!verdict) throw ApplicationFailure.retryable(r.interpretation.parseError ?? 'no verdict', 'OutputParseError');
  return { ...verdict, usage: r.usage, costUsd: r.costUsd };
}

/** A judge's instructions for a rubric: the reply format is the one every verdict is read in. */
export function rubricMessages(rubric: string, shown: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: `You grade answers. Rubric: ${rubric} Answer with JSON {"reasoning": "...", "score": <0..1>}.`,
    },
    { role: 'user', content: shown },
  ];
}

/** What judging one example cost, summed over its judges' calls. */
export type JudgedUsage = { inputTokens: number; outputTokens: number; costUsd: number };

export function addUsage(total: JudgedUsage, u: JudgedUsage): void {
  total.inputTokens += u.inputTokens;
  total.outputTokens += u.outputTokens;
  total.costUsd += u.costUsd;
}
