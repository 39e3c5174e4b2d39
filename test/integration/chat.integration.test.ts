// A 3-turn chat survives a backend restart between turns and a SIGKILL of the worker mid-answer;
// the transcript holds each turn exactly once, and it continues as new with the transcript carried.
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freshStore, type TestStore } from '../helpers/db.js';
import { spawnHarness, until, type HarnessProcess } from '../helpers/processes.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

describe('durable chat', () => {
  let db: TestStore;
  let fake: FakeProvider;
  let stack: TestStack | undefined;
  let worker: HarnessProcess | undefined;
  const taskQueue = `tq-chat-${Date.now()}`;

  const script = (req: FakeRequest): FakeReply => {
    const last = req.messages.at(-1)!.content;
    const text = `echo(${last}) after ${req.messages.length - 1} earlier messages, told at a leisurely pace`;
    return last === 'two' ? { text, delayMs: 120 } : text;
  };

  afterAll(async () => {
    await worker?.kill();
    await stack?.close();
    await fake?.close();
    await db?.drop();
  });

  it('keeps every turn exactly once', async () => {
    db = await freshStore('sqlite');
    fake = await startFakeProvider('openai', script);
    const open = (dir?: string) =>
      startTestStack({ script, db, fake, taskQueue, withWorker: false, chatTurnsPerRun: 2, ...(dir ? { dir } : {}) });
    stack = await open();
    const dir = stack.dir;
    const startWorker = async () => {
      const p = spawnHarness(['worker'], {
        VLOOP_DB_URL: `sqlite:${db.url}`,
        VLOOP_PROJECT_DIR: dir,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: taskQueue,
      });
      await p.waitFor('worker polling');
      return p;
    };
    worker = await startWorker();
    await stack.api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    const created = await stack.api('POST', '/api/chats', { title: 'durable', provider: 'fake', system: 'You echo.' });
    expect(created.status).toBe(201);
    const chatId = created.body.id;

    const one = await stack.api('POST', `/api/chats/${chatId}/messages`, { content: 'one' });
    expect(one.body.content).toBe('echo(one) after 1 earlier messages, told at a leisurely pace');

    // Restart the backend between turns.
    await stack.close();
    stack = await open(dir);

    // SIGKILL the worker while the second answer is streaming.
    const sending = stack.api('POST', `/api/chats/${chatId}/messages`, { content: 'two', messageId: 'turn-two' });
    await until(() => fake.requests.some((r) => r.messages.at(-1)!.content === 'two'), 'turn two streaming');
    await until(() => fake.slowChunksWritten >= 2, 'turn two half streamed');
    await worker.kill('SIGKILL');
    worker = await startWorker();
    const two = await sending;
    expect(two.status).toBe(200);
    expect(two.body.content).toBe('echo(two) after 3 earlier messages, told at a leisurely pace');

    // The same messageId again (here after continue-as-new) is the same turn, not a new one.
    const again = await stack.api('POST', `/api/chats/${chatId}/messages`, { content: 'two', messageId: 'turn-two' });
    expect(again.body.content).toBe(two.body.content);

    const three = await stack.api('POST', `/api/chats/${chatId}/messages`, { content: 'three' });
    expect(three.body.content).toBe('echo(three) after 5 earlier messages, told at a leisurely pace');

    const { body: chat } = await stack.api('GET', `/api/chats/${chatId}`);
    expect(chat.messages.map((m: { role: string; content: string }) => `${m.role}:${m.content.split(' ')[0]}`)).toEqual(
      ['user:one', 'assistant:echo(one)', 'user:two', 'assistant:echo(two)', 'user:three', 'assistant:echo(three)'],
    );
    expect(chat.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // Turn two's provider call was interrupted once and made again; turn three saw the carried transcript.
    expect(fake.requests.filter((r) => r.messages.at(-1)!.content === 'two')).toHaveLength(2);
    expect(fake.requests.at(-1)!.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    const history = await stack.api('GET', `/api/runs/${chat.runId}/history`);
    expect(history.status).toBe(200);
    // Continue-as-new after two turns: the view holds both executions, the second continuing the first.
    const executions = history.body.executions as Array<{ runId: string; events: number }>;
    expect(executions.map((e) => e.runId)).toEqual([chat.run.temporal.runId, expect.any(String)]);
    const second = history.body.events[executions[0]!.events];
    expect(second.workflowExecutionStartedEventAttributes.continuedExecutionRunId).toBe(chat.run.temporal.runId);
    expect(history.body.events).toHaveLength(executions[0]!.events + executions[1]!.events);
    // The user's messages of both executions are in it (the first turn's update lives in the first execution).
    const text = JSON.stringify(history.body.events);
    for (const m of ['one', 'three']) expect(text).toContain(`"content":"${m}"`);
    const replayed = await stack.api('POST', `/api/runs/${chat.runId}/replay`);
    expect(replayed.body).toEqual({ ok: true, executions: 2 });

    const empty = await stack.api('POST', `/api/chats/${chatId}/messages`, { content: '' });
    expect(empty.status).toBe(400);
  }, 120_000);
});
