// Append run events to the store (redacted, idempotent by key) and announce them on the bus.
import type { NewRunEvent } from '../core/run-story/events.js';
import { redact } from '../core/redact.js';
import type { EventBus } from './event-bus.js';
import type { Store } from './knex.js';
import type { RunPatch } from '../core/run-story/status.js';
import { appendEvents } from './repositories/runs.js';
import type { SecretSet } from '../core/secrets.js';

export type Usage = { inputTokens: number; outputTokens: number; costUsd: number };

export interface EventWriter {
  append(runId: string, events: NewRunEvent[], patch?: RunPatch, usage?: Usage): Promise<number>;
}

export function createEventWriter(store: Store, bus: EventBus, secrets: SecretSet): EventWriter {
  return {
    async append(runId, events, patch, usage) {
      const clean = redact(events, secrets.list());
      const cleanPatch = patch ? redact(patch, secrets.list()) : undefined;
      const { lastSeq } = await appendEvents(store, runId, clean, cleanPatch, usage);
      bus.publish({ type: 'events', runId, lastSeq });
      if (patch?.status) bus.publish({ type: 'run', runId, status: patch.status });
      return lastSeq;
    },
  };
}
