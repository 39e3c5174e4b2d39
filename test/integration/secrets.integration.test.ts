// A canary API key planted in a provider never shows in an API answer, log line, event, history or /ws frame.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { formatPredictReply } from '../../core/adapters.js';
import { startBackend } from '../../api/server.js';
import { freshStore, type TestStore } from '../helpers/db.js';
import { testConfig } from '../helpers/config.js';
import { until } from '../helpers/processes.js';
import { newProjectDir, TOKEN, waitForRun } from '../helpers/stack.js';
import { collectFrames, untilEvent } from '../helpers/ws.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

const CANARY = 'sk-canary-7f3a9c1e5b2d4f6a8c0e';

describe('secret canary', () => {
  let db: TestStore;
  let fake: FakeProvider;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  const seen: string[] = [];
  const logs: string[] = [];
  const stderrWrite = process.stderr.write.bind(process.stderr);

  // The fake model repeats the Authorization header it got, and its errors quote it too.
  const script = (req: FakeRequest): FakeReply => {
    const auth = String(req.headers.authorization);
    if (req.messages.some((m) => m.content.includes('fail please')))
      return { status: 401, error: `invalid key ${auth.slice(7)}` };
    return formatPredictReply({ answer: `I was called with ${auth} and key ${auth.slice(7)}.` });
  };

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${backend.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    seen.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    db = await freshStore('sqlite');
    fake = await startFakeProvider('openai', script);
    const sink = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => (
      logs.push(String(chunk)),
      stderrWrite(chunk as string, ...(rest as []))
    )) as typeof process.stderr.write;
    backend = await startBackend({
      config: testConfig({
        dir: newProjectDir(),
        taskQueue: `tq-canary-${Date.now()}`,
        env: { VLOOP_DB_URL: `sqlite:${db.url}` },
      }),
      token: TOKEN,
      store: db.store,
      withWorker: true,
      heartbeatTimeoutMs: 3000,
      log: pino({ level: 'trace' }, sink),
    });
  });
  afterAll(async () => {
    process.stderr.write = stderrWrite;
    await backend?.close();
    await fake?.close();
    await db?.drop();
  });

  it('is nowhere to be found', async () => {
    expect(
      (
        await api('POST', '/api/providers', {
          name: 'canary',
          type: 'openai',
          baseUrl: fake.baseUrl,
          apiKey: CANARY,
          defaultModel: 'm',
        })
      ).status,
    ).toBe(201);
    await api('POST', '/api/components', {
      name: 'echo',
      signature: 'question: str -> answer: str',
      provider: 'canary',
    });

    const ok = await api('POST', '/api/components/echo/runs', { inputs: { question: 'who are you?' } });
    const frames = await collectFrames(backend.url, ok.body.id, 0, untilEvent('run.completed'));
    seen.push(...frames.map((f) => JSON.stringify(f)));
    const done = await waitForRun({ api }, ok.body.id);
    expect(done.status).toBe('completed');
    expect(done.outputs.answer).toContain('[REDACTED]');
    expect(frames.some((f) => f.type === 'delta')).toBe(true);

    const bad = await api('POST', '/api/components/echo/runs', { inputs: { question: 'fail please' } });
    const failed = await waitForRun({ api }, bad.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toMatch(/invalid key \[REDACTED\]/);

    for (const id of [ok.body.id, bad.body.id]) {
      await api('GET', `/api/runs/${id}`);
      await api('GET', `/api/runs/${id}/events`);
      const history = await api('GET', `/api/runs/${id}/history`);
      expect(history.status).toBe(200);
      expect(JSON.stringify(history.body)).toMatch(/EVENT_TYPE_ACTIVITY_TASK_(COMPLETED|FAILED)/);
    }
    await api('GET', '/api/providers');
    await api('GET', '/api/providers/canary');
    await api('GET', '/api/runs');
    // The SDK's log lines arrive from its own thread: wait for the one this test caused.
    await until(() => /Activity failed/.test(logs.join('')), 'the Temporal SDK to log the failed activity', 10_000);

    // The fake really received the key: the canary is live, not a typo.
    expect(fake.requests.some((r) => r.headers.authorization === `Bearer ${CANARY}`)).toBe(true);
    const everything = [...seen, ...logs].join('\n');
    expect(seen.length).toBeGreaterThan(10);
    expect(logs.join('')).toMatch(/Activity failed/);
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain(CANARY.slice(3, 20));
    const rows = await db.store.knex('run_events').select('data');
    expect(JSON.stringify(rows)).not.toContain(CANARY);
  });
});
