// A model answer larger than a run can carry fails its step at once and for good (the same prompt
// brings the same answer), before it is redacted, recorded, or passed through Temporal to later steps.
import { ApplicationFailure } from '@temporalio/activity';
import { sizeText } from '../../temporal/artifact-codec.js';
import type { CompletionResult } from '../../providers/provider.js';

/** Far above any real answer (100k tokens are ~400 KB), far below what a run's payloads may hold. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export function answerBytes(r: Pick<CompletionResult, 'text' | 'toolCalls'>): number {
  return Buffer.byteLength(r.text) + (r.toolCalls ? Buffer.byteLength(JSON.stringify(r.toolCalls)) : 0);
}

export function answerTooLarge(bytes: number, streamed = false): ApplicationFailure {
  const what = streamed
    ? `the model's answer passed ${sizeText(bytes)} while it streamed`
    : `the model's answer of ${sizeText(bytes)}`;
  return ApplicationFailure.nonRetryable(
    `${what}, larger than the ${sizeText(MAX_ANSWER_BYTES)} a step may produce; lower maxTokens or ask for less`,
    'PayloadTooLarge',
  );
}
