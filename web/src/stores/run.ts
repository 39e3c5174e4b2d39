// One run's live state: the run row, its events (stored then live), streamed text per LLM call.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ServerFrame } from '../../../core/events';
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
}

export const useRunStore = defineStore('run', () => {
  const run = ref<RunView>();
  const events = ref<EventLike[]>([]);
  const deltas = ref<Record<string, string>>({});
  let stream: RunStream | undefined;

  function onFrame(frame: ServerFrame) {
    if (frame.type === 'run') run.value = frame.run as unknown as RunView;
    else if (frame.type === 'event') events.value = mergeEvents(events.value, [frame.event as unknown as EventLike]);
    else if (frame.type === 'delta') deltas.value = { ...deltas.value, [frame.callId]: (frame.reset ? '' : (deltas.value[frame.callId] ?? '')) + frame.text };
  }

  async function open(id: string) {
    stream?.close();
    events.value = [];
    deltas.value = {};
    run.value = await http.get<RunView>(`/runs/${id}`);
    stream = streamRun(id, onFrame, () => events.value.at(-1)?.seq ?? 0);
  }

  function close() {
    stream?.close();
    stream = undefined;
  }

  return { run, events, deltas, open, close };
});
