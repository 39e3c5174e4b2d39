// A /ws client for tests: subscribe from a seq and collect frames until a condition holds.
import WebSocket from 'ws';
import { TOKEN } from './stack.js';

export interface Frame {
  type: string;
  seq?: number;
  event?: { type: string; seq: number; data: any };
  [k: string]: unknown;
}

export function collectFrames(
  baseUrl: string,
  runId: string,
  after: number,
  done: (frames: Frame[]) => boolean,
  timeoutMs = 30_000,
  batch = false,
): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const frames: Frame[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`ws timed out after frames ${frames.map((f) => f.seq ?? f.type).join(',')}`));
    }, timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', runId, after, batch })));
    ws.on('message', (raw) => {
      frames.push(JSON.parse(String(raw)));
      if (done(frames)) {
        clearTimeout(timer);
        ws.close();
        resolve(frames);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export const untilEvent = (type: string) => (frames: Frame[]) =>
  frames.some((f) => f.type === 'event' && f.event?.type === type);
export const eventSeqs = (frames: Frame[]) => frames.filter((f) => f.type === 'event').map((f) => f.seq!);
