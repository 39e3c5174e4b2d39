// The real backend for integration tests: Temporal dev server, a real store, fake providers over HTTP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dialect } from '../../config/index.js';
import { startBackend, type Backend, type BackendOptions } from '../../api/server.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { Script } from '../fakes/script.js';
import { apiClient } from './api-client.js';
import { testConfig } from './config.js';
import { freshStore, type TestStore } from './db.js';
import { seedTracedBundle } from './traced-bundle.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface TestStack {
  backend: Backend;
  db: TestStore;
  fake: FakeProvider;
  dir: string;
  taskQueue: string;
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** The answer's body, or an error naming the status and body when it is not a success. */
  ok<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** A fresh project directory for one test stack. */
export function newProjectDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-proj-'));
}

export async function startTestStack(o: {
  dialect?: Dialect;
  script: Script;
  withWorker?: boolean;
  address?: string;
  db?: TestStore;
  fake?: FakeProvider;
  dir?: string;
  taskQueue?: string;
  protocol?: 'openai' | 'anthropic' | 'ollama';
  chatTurnsPerRun?: number;
  continueAfterEvents?: number;
  /** The agents' workspace (HARNESS_WORKSPACE). */
  workspace?: string;
  /** More configuration, as environment variables. */
  env?: Record<string, string | undefined>;
  /** The backend's logger (default: pino, silent unless TEST_LOG is set). */
  log?: BackendOptions['log'];
  /** Activities' heartbeat timeout (default 3 s; the backend's own default is 10 s). */
  heartbeatTimeoutMs?: number;
}): Promise<TestStack> {
  const dir = o.dir ?? newProjectDir();
  seedTracedBundle(dir, o.env);
  const db = o.db ?? (await freshStore(o.dialect ?? 'sqlite'));
  const fake = o.fake ?? (await startFakeProvider(o.protocol ?? 'openai', o.script));
  const taskQueue = o.taskQueue ?? `tq-${Math.random().toString(36).slice(2)}`;
  const dialect = o.db ? o.db.store.dialect : (o.dialect ?? 'sqlite');
  const config = testConfig({
    dir,
    workspace: o.workspace,
    address: o.address,
    taskQueue,
    env: { VLOOP_DB_URL: dialect === 'postgres' ? db.url : `sqlite:${db.url}`, ...o.env },
  });
  const backend = await startBackend({
    config,
    token: TOKEN,
    store: db.store,
    withWorker: o.withWorker ?? true,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 3000,
    ...(o.chatTurnsPerRun ? { chatTurnsPerRun: o.chatTurnsPerRun } : {}),
    ...(o.continueAfterEvents ? { continueAfterEvents: o.continueAfterEvents } : {}),
    log: o.log ?? (await import('pino')).default({ level: process.env.TEST_LOG ?? 'silent' }),
  }).catch(async (err: unknown) => {
    // No stack is returned, so no afterAll can close it: what this call started ends here.
    if (!o.fake) await fake.close();
    if (!o.db) await db.drop();
    throw err;
  });
  const { api, ok } = apiClient(backend.url, TOKEN);
  return {
    backend,
    db,
    fake,
    dir,
    taskQueue,
    api,
    ok,
    async close() {
      await backend.close();
      if (!o.fake) await fake.close();
      if (!o.db) await db.drop();
    },
  };
}

/** Poll until the run reaches a terminal status. */
export async function waitForRun(stack: Pick<TestStack, 'api'>, runId: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await stack.api('GET', `/api/runs/${runId}`);
    if (['completed', 'failed', 'cancelled', 'timed_out'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The stack's fake server as the OpenAI provider `fake`, which the test's components name. */
export function addFakeProvider(stack: Pick<TestStack, 'ok' | 'fake'>, defaultModel = 'fake-model') {
  return stack.ok('POST', '/api/providers', {
    name: 'fake',
    type: 'openai',
    baseUrl: stack.fake.baseUrl,
    apiKey: 'sk-test-123456789012345678',
    defaultModel,
  });
}

/** What `harness` needs to talk to this stack's backend, as a user's shell would set it. */
export const cliEnv = (stack: Pick<TestStack, 'backend' | 'dir'>): Record<string, string> => ({
  HARNESS_PORT: String(stack.backend.port),
  HARNESS_TOKEN: TOKEN,
  VLOOP_PROJECT_DIR: stack.dir,
});

/** The chain the fork tests use: shout (upper), flip (reverse), finish (upper), each step reading the one before. */
export const CHAIN_SPEC = {
  name: 'chain',
  inputs: { text: 'str' },
  steps: [
    { id: 'a', component: 'shout', inputs: { text: '$inputs.text' } },
    { id: 'b', component: 'flip', inputs: { text: '$steps.a.outputs.result' } },
    { id: 'c', component: 'finish', inputs: { text: '$steps.b.outputs.result' } },
  ],
  outputs: { result: '$steps.c.outputs.result' },
};

/** The chain's components (on the provider `fake`) and the chain itself. */
export async function addChain(stack: Pick<TestStack, 'ok'>): Promise<void> {
  for (const [name, op] of [
    ['shout', 'upper'],
    ['flip', 'reverse'],
    ['finish', 'upper'],
  ])
    await stack.ok('POST', '/api/components', {
      name,
      signature: 'text: str -> result: str',
      instructions: `op: ${op}`,
      provider: 'fake',
    });
  await stack.ok('POST', '/api/pipelines', CHAIN_SPEC);
}

/** The components of the diamond: each names an operation the echo model applies. */
export const DIAMOND_COMPONENTS = [
  { name: 'upper', signature: 'text: str -> result: str', instructions: 'op: upper', provider: 'fake' },
  { name: 'reverse', signature: 'text: str -> result: str', instructions: 'op: reverse', provider: 'fake' },
  { name: 'join', signature: 'a: str, b: str -> combined: str', instructions: 'op: join', provider: 'fake' },
];

/** The 3-step pipeline the tests use: upper and reverse run in parallel, join waits for both. */
export const DIAMOND_SPEC = {
  name: 'diamond',
  inputs: { text: 'str' },
  steps: [
    { id: 'up', component: 'upper', inputs: { text: '$inputs.text' } },
    { id: 'rev', component: 'reverse', inputs: { text: '$inputs.text' } },
    { id: 'both', component: 'join', inputs: { a: '$steps.up.outputs.result', b: '$steps.rev.outputs.result' } },
  ],
  outputs: { combined: '$steps.both.outputs.combined' },
};

export async function seedDiamond(stack: Pick<TestStack, 'api' | 'fake'>, providerType = 'openai') {
  const ok = (r: { status: number; body: unknown }) => {
    if (r.status >= 300) throw new Error(`seed failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  ok(
    await stack.api('POST', '/api/providers', {
      name: 'fake',
      type: providerType,
      baseUrl: stack.fake.baseUrl,
      apiKey: 'sk-test-canary-1234567890abcdef',
      defaultModel: 'fake-model',
    }),
  );
  for (const c of DIAMOND_COMPONENTS) ok(await stack.api('POST', '/api/components', c));
  return ok(await stack.api('POST', '/api/pipelines', DIAMOND_SPEC));
}
