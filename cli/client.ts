// The CLI talks to a running backend over HTTP and WebSocket, with the project's token.
import type { ServerFrame } from '../core/run-story/events.js';
import { loadOrCreateToken } from '../config/token.js';
import { config } from './config.js';
import { readStackRecord } from './stack-record.js';

export class CliError extends Error {}

export function backendUrl(): string {
  const { host, port } = config().api;
  // No port configured: the backend this project's `harness up` (or `harness backend`) runs, on whatever port it took.
  const running = process.env.HARNESS_PORT ? undefined : readStackRecord(config().paths.run);
  if (running) return running.url;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers read the JSON answers they asked for
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const token = loadOrCreateToken(config().paths.token, config().api.token);
  let res: Response;
  try {
    res = await fetch(`${backendUrl()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new CliError(
      `the backend is not running at ${backendUrl()}: start it with 'npm start' or 'harness services start'`,
    );
  }
  const text = await res.text();
  // A file the API writes (a promptfoo config as YAML) comes back as its text.
  const json = !text || (res.headers.get('content-type') ?? '').includes('json');
  const data = !text ? null : json ? JSON.parse(text) : text;
  if (!res.ok) {
    const problems = data?.error?.details?.problems as Array<{ path: string; message: string }> | undefined;
    throw new CliError(
      `${data?.error?.message ?? `HTTP ${res.status}`}${problems?.length ? `\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}` : ''}`,
    );
  }
  return data as T;
}

/** Follow a run over /ws: calls onFrame for each frame until the run ends. */
export async function followRun(runId: string, onFrame: (frame: ServerFrame) => void): Promise<void> {
  const token = loadOrCreateToken(config().paths.token, config().api.token);
  // Loaded here: only following a run needs it, and every command's start pays for what it imports.
  const { default: WebSocket } = await import('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${backendUrl().replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', runId, after: 0 })));
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as ServerFrame;
      onFrame(frame);
      if (frame.type === 'event' && ['run.completed', 'run.failed', 'run.cancelled'].includes(frame.event.type)) {
        ws.close();
        resolve();
      }
    });
    ws.on('error', reject);
  });
}

/** Subscribe to a run's frames until the returned function is called. */
export async function subscribeRun(runId: string, onFrame: (frame: ServerFrame) => void): Promise<() => void> {
  const token = loadOrCreateToken(config().paths.token, config().api.token);
  const { default: WebSocket } = await import('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${backendUrl().replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe', runId, after: Number.MAX_SAFE_INTEGER }));
      resolve(() => ws.close());
    });
    ws.on('message', (raw) => onFrame(JSON.parse(String(raw)) as ServerFrame));
    ws.on('error', reject);
  });
}
