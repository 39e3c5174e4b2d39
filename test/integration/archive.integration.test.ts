// Keeping the lists tidy (issue 29): a chat's run shows as the chat and is idle between messages; runs and
// components are archived (hidden, a filter shows them, reversible) and deleted (a run with everything it
// stored; a component only when no pipeline or app uses it), through the API and the CLI, on SQLite and PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { storeLargeValues } from '../../db/repositories/stored-values.js';
import { dialects } from '../helpers/db.js';
import { spawnHarness, until } from '../helpers/processes.js';
import { seedDiamond, startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';
import type { FakeRequest } from '../fakes/script.js';

const script = (req: FakeRequest) =>
  promptOp(req) === 'unknown' ? `you said: ${req.messages.at(-1)!.content}` : echoModel(req);

describe.each(dialects)('archive and delete (%s)', (dialect) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ dialect, script });
    await seedDiamond(stack);
  });
  afterAll(() => stack?.close());

  const listed = async (query = '') =>
    ((await stack.ok('GET', `/api/runs?limit=200${query}`)).runs as Array<{ id: string }>).map((r) => r.id);
  const finishedRun = async (text: string) => {
    const run = await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text } });
    await until(
      async () => (await stack.ok('GET', `/api/runs/${run.id}`)).status === 'completed',
      'the run to complete',
    );
    return run.id as string;
  };

  it('lists a chat as the chat, idle while it waits for the next message', async () => {
    const chat = await stack.ok('POST', '/api/chats', { title: 'Trip ideas', provider: 'fake' });
    await until(
      async () => (await stack.ok('GET', `/api/runs/${chat.runId}`)).status !== 'queued',
      'the chat to start',
    );
    const view = async () =>
      (await stack.ok('GET', '/api/runs?kind=chat')).runs.find((r: { id: string }) => r.id === chat.runId);
    expect(await view()).toMatchObject({ status: 'idle', chat: { id: chat.id, title: 'Trip ideas' } });
    expect((await stack.ok('POST', `/api/chats/${chat.id}/messages`, { content: 'hello' })).content).toBe(
      'you said: hello',
    );
    expect((await view()).status).toBe('idle');
    expect((await view()).startedAt).not.toBeNull();
    expect((await stack.ok('GET', '/api/runs?status=idle')).runs.map((r: { id: string }) => r.id)).toContain(
      chat.runId,
    );
    // An idle chat is not finished: it cannot be deleted as a run (delete the chat, or close it first).
    const refused = await stack.api('DELETE', `/api/runs/${chat.runId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/is idle; close the chat .*first/);
    expect((await stack.api('POST', `/api/runs/${chat.runId}/archive`)).status).toBe(409);
    await stack.ok('POST', `/api/chats/${chat.id}/close`);
    await until(
      async () => (await stack.ok('GET', `/api/runs/${chat.runId}`)).status === 'completed',
      'the chat to close',
    );
    expect((await stack.api('DELETE', `/api/runs/${chat.runId}`)).status).toBe(204);
    expect((await stack.api('GET', `/api/chats/${chat.id}`)).status).toBe(404);
    // Deleting an open chat ends its workflow and deletes its run the same way.
    const open = await stack.ok('POST', '/api/chats', { title: 'Scratch', provider: 'fake' });
    await until(async () => (await stack.ok('GET', `/api/runs/${open.runId}`)).status === 'idle', 'the chat to start');
    expect((await stack.api('DELETE', `/api/chats/${open.id}`)).status).toBe(204);
    expect((await stack.api('GET', `/api/runs/${open.runId}`)).status).toBe(404);
  });

  it('archives a run: gone from the list, shown by the filter, and back', async () => {
    const id = await finishedRun('tidy');
    const { archivedAt } = await stack.ok('POST', `/api/runs/${id}/archive`);
    expect(Date.parse(archivedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await listed()).not.toContain(id);
    expect(await listed('&archived=only')).toEqual([id]);
    expect(await listed('&archived=include')).toContain(id);
    expect((await stack.ok('GET', `/api/runs/${id}`)).archivedAt).toBe(archivedAt);
    expect((await stack.ok('POST', `/api/runs/${id}/unarchive`)).archivedAt).toBeNull();
    expect(await listed()).toContain(id);
    expect((await stack.api('GET', '/api/runs?archived=yes')).status).toBe(400);
  });

  it('deletes a finished run with its events, stored values, cache rows and artifacts; refuses an unknown one', async () => {
    const id = await finishedRun('delete me');
    const knex = stack.db.store.knex;
    // A value over 64 K characters is kept once in stored_values, with the runs that refer to it.
    await storeLargeValues(knex, id, { text: 'y'.repeat(70_000) });
    const dir = path.join(stack.backend.app.config.paths.artifacts, id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'shot.png'), 'png');
    const count = async (table: string, column = 'run_id') =>
      Number((await knex(table).where(column, id).count({ n: '*' }).first())!.n);
    expect(await count('run_events')).toBeGreaterThan(0);
    expect(await count('step_cache')).toBeGreaterThan(0);
    expect(await count('stored_value_runs')).toBeGreaterThan(0);
    const values = Number((await knex('stored_values').count({ n: '*' }).first())!.n);

    expect((await stack.api('DELETE', `/api/runs/${id}`)).status).toBe(204);
    expect((await stack.api('GET', `/api/runs/${id}`)).status).toBe(404);
    for (const table of ['run_events', 'step_cache', 'stored_value_runs', 'run_definitions'])
      expect(await count(table), table).toBe(0);
    expect(Number((await knex('stored_values').count({ n: '*' }).first())!.n)).toBeLessThan(values);
    expect(fs.existsSync(dir)).toBe(false);
    expect((await stack.api('DELETE', `/api/runs/${id}`)).status).toBe(404);
  });

  it('archives components and deletes one only when no pipeline uses it', async () => {
    const names = async (query = '') =>
      ((await stack.ok('GET', `/api/components${query}`)) as Array<{ name: string }>).map((c) => c.name);
    await stack.ok('POST', '/api/components/reverse/archive');
    expect(await names()).not.toContain('reverse');
    expect(await names('?archived=include')).toContain('reverse');
    expect(await names('?archived=only')).toEqual(['reverse']);
    // An archived component still runs where a pipeline names it.
    await finishedRun('still');
    await stack.ok('POST', '/api/components/reverse/unarchive');
    expect(await names()).toContain('reverse');

    const refused = await stack.api('DELETE', '/api/components/upper');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'in_use', details: { pipelines: ['diamond'] } });
    expect(refused.body.error.message).toMatch(/pipeline 'diamond' uses it/);
    await stack.ok('POST', '/api/components', {
      name: 'scratch',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'fake',
    });
    expect((await stack.api('DELETE', '/api/components/scratch')).status).toBe(204);
    expect((await stack.api('GET', '/api/components/scratch')).status).toBe(404);
  });

  it('deletes a component version only when it is not the latest and nothing pins it', async () => {
    const spec = (instructions: string) => ({
      name: 'drafts',
      signature: 'text: str -> result: str',
      instructions,
      provider: 'fake',
    });
    await stack.ok('POST', '/api/components', spec('op: upper'));
    await stack.ok('POST', '/api/components/drafts/versions', spec('op: reverse'));
    // Saved while drafts@2 is the latest: the pipeline version pins drafts@2.
    await stack.ok('POST', '/api/pipelines', {
      name: 'uses-drafts',
      inputs: { text: 'str' },
      steps: [{ id: 'd', component: 'drafts', inputs: { text: '$inputs.text' } }],
      outputs: { result: '$steps.d.outputs.result' },
    });
    await stack.ok('POST', '/api/components/drafts/versions', spec('op: upper'));
    const latest = await stack.api('DELETE', '/api/components/drafts/versions/3');
    expect(latest.status).toBe(409);
    expect(latest.body.error.message).toMatch(/drafts@3 is the latest version/);
    const pinned = await stack.api('DELETE', '/api/components/drafts/versions/2');
    expect(pinned.status).toBe(409);
    expect(pinned.body.error).toMatchObject({ code: 'in_use', details: { pipelines: ['uses-drafts'] } });
    expect((await stack.api('DELETE', '/api/components/drafts/versions/1')).status).toBe(204);
    expect(
      (await stack.ok('GET', '/api/components/drafts')).versions.map((v: { version: number }) => v.version),
    ).toEqual([2, 3]);
    expect((await stack.api('GET', '/api/components/drafts/versions/1')).status).toBe(404);
  });

  // The CLI opens the project's SQLite store: one run of it, not one per dialect.
  if (dialect === 'sqlite')
    it('does the same from the CLI: harness runs archive|unarchive|delete, harness component archive|delete', async () => {
      const env = { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir };
      const harness = async (args: string[]) => {
        const p = spawnHarness(args, env);
        return { code: await p.exitCode, out: p.output() };
      };
      const id = await finishedRun('cli');
      expect(await harness(['runs', 'archive', id])).toMatchObject({
        code: 0,
        out: expect.stringContaining(`archived ${id}`),
      });
      expect(await listed()).not.toContain(id);
      expect((await harness(['runs', 'list', '--archived', 'only'])).out).toMatch(
        new RegExp(`${id}  \\d{4}-\\d{2}-\\d{2} [\\d:]{8}  pipeline\\s+completed\\s+diamond@1  \\(archived\\)`),
      );
      expect(await harness(['runs', 'delete', id])).toMatchObject({
        code: 0,
        out: expect.stringContaining(`deleted ${id}`),
      });
      expect((await stack.api('GET', `/api/runs/${id}`)).status).toBe(404);
      const refused = await harness(['component', 'delete', 'join']);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/error: .*pipeline 'diamond' uses it/);
      expect(await harness(['component', 'archive', 'join'])).toMatchObject({
        code: 0,
        out: expect.stringContaining('archived join'),
      });
    });
});
