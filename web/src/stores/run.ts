// One run's live state: the run row, its events (stored then live), streamed text per LLM call.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { RunEvent, ServerFrame } from '../../../core/run-story/events';
import type { RunView } from '../../../core/run-story/view';
import { http } from '../api/http';
import { streamRun, type RunStream } from '../api/ws';
import { mergeEvents } from '../lib/timeline';

export const useRunStore = defineStore('run', () => {
  const run = ref<RunView>();
  // Events are many (50,000 on a long run) and never change: shallow, appended once per frame.
  const events = shallowRef<RunEvent[]>([]);
  const deltas = ref<Record<string, string>>({});
  let stream: RunStream | undefined;
  let buffer: RunEvent[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    events.value = mergeEvents(events.value, buffer);
    buffer = [];
  };

  function onFrame(frame: ServerFrame) {
    if (frame.type === 'run') run.value = frame.run;
    else if (frame.type === 'event' || frame.type === 'events') {
      if (frame.type === 'event') buffer.push(frame.event);
      else buffer.push(...frame.events);
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(flush);
      }
    } else if (frame.type === 'delta')
      deltas.value = {
        ...deltas.value,
        [frame.callId]: (frame.reset ? '' : (deltas.value[frame.callId] ?? '')) + frame.text,
      };
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
