// Every LLM call an activity makes: heartbeats while it waits, and errors that leave scrubbed of
// secrets (they land in Temporal's history) and typed for the retry policy.
import { ApplicationFailure, type Context } from '@temporalio/activity';
import { redactText } from '../../core/redact.js';
import { ProviderRejected, type CompletionRequest, type CompletionResult, type LlmProvider } from './provider.js';
import type { SecretSet } from './registry.js';

export async function callProvider(provider: LlmProvider, ctx: Context, secrets: SecretSet, req: CompletionRequest): Promise<CompletionResult> {
  const heartbeat = setInterval(() => ctx.heartbeat(), 1000);
  try {
    return await provider.complete({ ...req, signal: ctx.cancellationSignal });
  } catch (err) {
    if (ctx.cancellationSignal.aborted) throw err;
    const message = redactText((err as Error).message ?? String(err), secrets.list());
    if (err instanceof ProviderRejected) throw ApplicationFailure.nonRetryable(message, 'ProviderRejected');
    throw ApplicationFailure.retryable(message, 'ProviderError');
  } finally {
    clearInterval(heartbeat);
  }
}
