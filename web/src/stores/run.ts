// One run's live state: the run row, its events (stored then live), streamed text per LLM call.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ServerFrame } from '../../../core/run-story/events';
import { http } from '../api/http';
import { streamRun, type RunStream } from '../api/ws';
import { mergeEvents, type EventLike } from '../lib/timeline';

export interface RunView {
  id: string;
  kind: string;
  status: string;
  target: { name: string; version: number };
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  error: { message: string } | null;
  startedAt: string | null;
  endedAt: string | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  temporal: { workflowId: string; runId: string | null; uiUrl: string };
  /** Where it was started from: app:<name>@<version>. */
  origin?: string | null;
  /** The run and step this one was forked from. */
  forkOf?: { runId: string; step: string } | null;
  /** The OpenTelemetry trace it ran in (when tracing was on). */
  traceId?: string | null;
}

export const useRunStore = defineStore('run', () => {
  const run = ref<RunView>();
  // Events are many (50,000 on a long run) and never change: shallow, appended once per frame.
  const events = shallowRef<EventLike[]>([]);
  const deltas = ref<Record<string, string>>({});
  let stream: RunStream | undefined;
  let buffer: EventLike[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    events.value = mergeEvents(events.value, buffer);
    buffer = [];
  };

  function onFrame(frame: ServerFrame) {
    if (frame.type === 'run') run.value = frame.run as unknown as RunView;
    else if (frame.type === 'event' || frame.type === 'events') {
      if (frame.type === 'event') buffer.push(frame.event as unknown as EventLike);
      else buffer.push(...(frame.events as unknown as EventLike[]));
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(flush);
      }
    } else if (frame.type === 'delta') deltas.value = { ...deltas.value, [frame.callId]: (frame.reset ? '' : (deltas.value[frame.callId] ?? '')) + frame.text };
  }

  async function open(id: string) {
    stream?.close();
    events.value = [];
    buffer = [];
    deltas.value = {};
    run.value = await http.get<RunView>(`/runs/${id}`);
    stream = streamRun(id, onFrame, () => buffer.at(-1)?.seq ?? events.value.at(-1)?.seq ?? 0);
  }

  function close() {
    stream?.close();
    stream = undefined;
  }

  return { run, events, deltas, open, close };
});
