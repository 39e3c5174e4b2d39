// Side effects of app generation: the model drafting a view (through the one model-call path), and
// saving the new version once, keyed by the generation run.
import { ApplicationFailure } from '@temporalio/activity';
import type { AppManifest } from '../core/apps.js';
import type { ChatMessage } from '../core/messages.js';
import type { Store } from '../db/knex.js';
import { apps } from '../db/repositories/versioned.js';
import type { CallModel } from './llm/model-call.js';

export interface DraftViewInput {
  runId: string;
  callId: string;
  provider: string;
  model?: string | undefined;
  messages: ChatMessage[];
  jsonSchema: Record<string, unknown>;
}

export function createAppActivities(deps: { store: Store; callModel: CallModel }) {
  return {
    /** The model's draft of a view: the JSON it answered, or why it is not JSON (the workflow validates). */
    async draftAppView(
      input: DraftViewInput,
    ): Promise<{ text: string; spec?: unknown; parseError?: string; model: string }> {
      let spec: unknown;
      const r = await deps.callModel(
        {
          runId: input.runId,
          callId: input.callId,
          stepId: input.callId,
          provider: input.provider,
          model: input.model,
          messages: input.messages,
          adapter: 'json',
          jsonSchema: input.jsonSchema,
          stream: true,
        },
        (res) => {
          try {
            spec = JSON.parse(res.text.slice(res.text.indexOf('{'), res.text.lastIndexOf('}') + 1));
            return { outputs: { spec } };
          } catch {
            return { parseError: 'the answer is not a JSON object' };
          }
        },
      );
      return {
        text: r.text,
        model: r.model,
        ...(spec !== undefined ? { spec } : { parseError: r.interpretation.parseError ?? 'no JSON' }),
      };
    },

    /** Save the manifest as the app's next version (its first when new), once per generation run. */
    async saveAppVersion(input: { manifest: AppManifest; idempotencyKey: string }): Promise<{ version: number }> {
      try {
        return {
          version: await apps.addVersionOnce(deps.store, input.manifest.name, input.manifest, input.idempotencyKey),
        };
      } catch (err) {
        throw ApplicationFailure.nonRetryable(
          `the app version could not be saved: ${(err as Error).message}`,
          'ConfigError',
        );
      }
    },
  };
}
