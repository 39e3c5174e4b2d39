// Run streams over /ws: stored events first, then live ones; on reconnect, resume after the last seq.
import type { ServerFrame } from '../../../core/run-story/events';
import { wsProtocols } from './token';

export interface RunStream {
  close(): void;
}

export function streamRun(runId: string, onFrame: (frame: ServerFrame) => void, lastSeq = () => 0): RunStream {
  let ws: WebSocket | undefined;
  let closed = false;
  let retry = 250;
  const open = () => {
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, wsProtocols());
    ws.onopen = () => {
      retry = 250;
      ws!.send(JSON.stringify({ type: 'subscribe', runId, after: lastSeq(), batch: true }));
    };
    ws.onmessage = (m) => onFrame(JSON.parse(String(m.data)) as ServerFrame);
    ws.onclose = () => {
      if (closed) return;
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  open();
  return {
    close() {
      closed = true;
      ws?.close();
    },
  };
}
