// The chaos soak: runs of every kind against the fakes while a driver SIGKILLs the worker, the backend
// and the Temporal dev server at random and restarts them; at the end, the invariants durability
// promises are checked. bench/chaos.ts prints its figures; a two-minute soak runs in the test suite.
// It lives with the test helpers because bench/ may import test/, never the reverse (eslint.config.js).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../temporal/dev-server.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';
import { echoModel, promptFields, promptOp } from './echo-model.js';
import { freePort } from './ports.js';
import { trackProcess } from './process-groups.js';
import { restartable } from './restartable.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from './stack.js';

export interface SoakOptions {
  minutes: number;
  /** Runs of each kind kept in flight. */
  concurrency: number;
  cliPath: string;
  /** A prebuilt workflow bundle for the worker processes. */
  workflowBundle: string;
  /** Mean seconds between kills. */
  killEverySeconds?: number;
  log?: (line: string) => void;
  /** Where the soak keeps its project, workspace and Temporal history (default: a new temporary directory; removed at the end). */
  dir?: string;
  /** More configuration for the harness processes. */
  env?: Record<string, string>;
}

export interface SoakFigures {
  minutes: number;
  runs: Record<string, number>;
  statuses: Record<string, number>;
  kills: Record<'worker' | 'backend' | 'temporal', number>;
  modelCalls: number;
  toolCalls: number;
  chatTurns: number;
  violations: string[];
}

/** The API's answers, with the fields this driver reads (runs, events, chats, evals). */
interface Answer {
  id: string;
  kind: string;
  status: string;
  error?: unknown;
  origin?: string | null;
  runId: string;
  runs: Answer[];
  events: Array<{ seq: number; type: string; time: string; data: { stepId?: string; approvalId?: string } }>;
  messages: Array<{ key: string }>;
  results: unknown[];
}

const TOKEN = 'chaos-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const terminal = new Set(['completed', 'failed', 'cancelled']);

export async function soak(o: SoakOptions): Promise<SoakFigures> {
  // Whatever the outcome (a failed start too), everything started is stopped, last first.
  const started: Array<() => unknown> = [];
  try {
    return await soakWith(o, started);
  } finally {
    for (const stop of started.reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => {});
  }
}

async function soakWith(o: SoakOptions, running: Array<() => unknown>): Promise<SoakFigures> {
  const log = o.log ?? (() => {});
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-chaos-'));
  const workspace = path.join(dir, 'workspace');
  fs.mkdirSync(workspace);
  if (!o.dir) running.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const callsLog = path.join(workspace, 'calls.log');
  const violations: string[] = [];
  const kills = { worker: 0, backend: 0, temporal: 0 };

  // The fakes live in this process, so they count across every kill. Each answer takes a moment, so kills land mid-step.
  const requestTimes = new Map<string, number[]>();
  const script = async (req: FakeRequest) => {
    await sleep(20 + Math.random() * 80);
    if (req.tools) {
      // An agent appends its token to a file once (a write, so a person approves it), then finishes.
      const task = /\[\[ ## task ## \]\]\n([^\n]*)/.exec(req.messages[1]?.content ?? '')?.[1] ?? '';
      const observed = req.messages.some((m) => m.role === 'user' && m.content.startsWith('Observation: '));
      return observed
        ? JSON.stringify({ thought: 'done', finish: { answer: `appended ${task}` } })
        : JSON.stringify({ thought: 'append', tool: 'terminal', args: { command: `echo ${task} >> calls.log` } });
    }
    if (promptOp(req) === 'unknown') return `reply to ${req.messages.at(-1)!.content}`;
    // A pipeline step's identity: its op and its inputs, unique per run.
    const key = `${promptOp(req)}:${JSON.stringify(promptFields(req))}`;
    requestTimes.set(key, [...(requestTimes.get(key) ?? []), Date.now()]);
    return echoModel(req);
  };
  const fake: FakeProvider = await startFakeProvider('openai', script);
  running.push(() => fake.close());

  const ports = { port: await freePort(), uiPort: await freePort() };
  const serverOptions = {
    cliPath: o.cliPath,
    dbFile: path.join(dir, 'temporal.db'),
    ...ports,
    logFile: path.join(dir, 'temporal.log'),
  };
  const startTemporal = async () => {
    const server = await startDevServer(serverOptions);
    trackProcess(server.process, "the chaos soak's Temporal dev server");
    return server;
  };
  let temporal: DevServer = await startTemporal();
  running.push(() => temporal.stop('SIGKILL'));
  const apiPort = await freePort();
  const env = {
    VLOOP_PROJECT_DIR: path.join(dir, 'project'),
    HARNESS_PORT: String(apiPort),
    // Every port the soak's processes open is a free one (`npm start` may hold the defaults).
    HARNESS_APPS_PORT: String(await freePort()),
    HARNESS_TOKEN: TOKEN,
    HARNESS_WORKSPACE: workspace,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'chaos',
    VLOOP_WORKFLOW_BUNDLE: o.workflowBundle,
    ...o.env,
  };
  const backend = restartable('backend', ['backend', '--no-worker'], env, 'backend listening', log);
  const taskFailures: string[] = [];
  const worker = restartable('worker', ['worker'], env, 'worker polling', log, taskFailures);
  running.push(
    () => worker.kill(),
    () => backend.kill(),
  );
  await backend.start();
  await worker.start();

  const base = `http://127.0.0.1:${apiPort}`;
  /** One API call; null when the backend is down or the answer was lost. */
  const call = async (method: string, p: string, body?: unknown): Promise<{ status: number; body: Answer } | null> => {
    try {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch {
      return null;
    }
  };
  /** Retry until the backend answers with a success. */
  const must = async (method: string, p: string, body?: unknown) => {
    for (;;) {
      const r = await call(method, p, body);
      if (r && r.status < 300) return r.body;
      // A create whose answer was lost finds what it made already there.
      if (r?.status === 409) return r.body;
      if (r && r.status < 500) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
      await sleep(300);
    }
  };
  /** Start a run once: after a lost answer, the run is looked up by its unique token before starting again. */
  // A run found by its token whose workflow never reached Temporal (the backend died between storing the run and
  // starting it) was never acknowledged: its start answered nothing. The reconciler ends it failed; start again.
  const abandoned = new Set<string>();
  const neverStarted = async (id: string): Promise<boolean> => {
    const until = Date.now() + 120_000;
    let r = await call('GET', `/api/runs/${id}`);
    while (r?.status === 200 && r.body.status === 'queued' && Date.now() < until) {
      await sleep(500);
      r = await call('GET', `/api/runs/${id}`);
    }
    return r?.body.status === 'failed' && JSON.stringify(r.body.error ?? '').includes('workflow not found in Temporal');
  };
  const startOnce = async (p: string, body: unknown, token: string): Promise<string> => {
    for (;;) {
      const found = await call('GET', `/api/runs?q=${token}&limit=5`);
      const existing = found?.status === 200 ? found.body.runs.find((r) => !abandoned.has(r.id)) : undefined;
      if (existing && !(await neverStarted(existing.id))) return existing.id;
      if (existing) {
        abandoned.add(existing.id);
        continue;
      }
      const r = await call('POST', p, body);
      if (r && r.status < 300) return r.body.id;
      await sleep(300);
    }
  };

  await must('POST', '/api/providers', {
    name: 'fake',
    type: 'openai',
    baseUrl: fake.baseUrl,
    apiKey: 'sk-chaos-0123456789abcdef',
    defaultModel: 'fake-model',
  });
  for (const c of DIAMOND_COMPONENTS) await must('POST', '/api/components', c);
  await must('POST', '/api/pipelines', DIAMOND_SPEC);
  await must('POST', '/api/components', {
    name: 'appender',
    kind: 'react',
    signature: 'task: str -> answer: str',
    provider: 'fake',
    tools: ['terminal'],
    maxSteps: 3,
  });
  // Every command the agents run asks a person first: the approver below answers.
  await must('PUT', '/api/policy', { rules: [{ tool: 'terminal', action: 'ask' }] });
  await must('POST', '/api/datasets', { name: 'chaoseval' });
  const evalExamples = 40;
  await must('POST', '/api/datasets/chaoseval/examples', {
    examples: Array.from({ length: evalExamples }, (_, i) => ({
      inputs: { text: `ev${i}` },
      expected: { result: `EV${i}` },
      split: 'dev',
    })),
  });

  const deadline = Date.now() + o.minutes * 60_000;
  const started: Array<{ kind: string; token: string; id: string }> = [];
  const chats: Array<{ id: string; sent: string[] }> = [];
  let stopping = false;
  let counter = 0;

  const evalId = await startOnce(
    '/api/evals',
    {
      dataset: 'chaoseval',
      target: { component: 'upper' },
      metrics: [{ name: 'exact_match', field: 'result' }],
      concurrency: 4,
    },
    'chaoseval',
  );
  started.push({ kind: 'eval', token: 'chaoseval', id: evalId });

  /** The run once it ended; after `timeoutMs`, its last known state. */
  const waitTerminal = async (id: string, timeoutMs = Infinity) => {
    const until = Date.now() + timeoutMs;
    let last = { id, status: 'unknown' } as Answer;
    while (Date.now() < until) {
      const r = await call('GET', `/api/runs/${id}`);
      if (r?.status === 200) last = r.body;
      if (terminal.has(last.status)) return last;
      await sleep(500);
    }
    return last;
  };
  const lane = async (kind: 'pipeline' | 'agent' | 'chat') => {
    while (Date.now() < deadline) {
      // Unique words (run search matches prefixes): the z ends each one.
      const token = `chaos${kind}${counter++}z`;
      if (kind === 'chat') {
        const created = await must('POST', '/api/chats', { title: token, provider: 'fake' });
        const chat = { id: created.id as string, sent: [] as string[] };
        chats.push(chat);
        started.push({ kind, token, id: created.runId });
        for (let turn = 0; turn < 3; turn++) {
          const messageId = `${token}-m${turn}`;
          chat.sent.push(messageId);
          // The same messageId again after a lost answer is the same turn.
          await must('POST', `/api/chats/${chat.id}/messages`, { content: `${token} turn ${turn}`, messageId });
        }
        await must('POST', `/api/chats/${chat.id}/close`);
        await waitTerminal(created.runId);
        continue;
      }
      const id =
        kind === 'pipeline'
          ? await startOnce('/api/pipelines/diamond/runs', { inputs: { text: token } }, token)
          : await startOnce('/api/components/appender/runs', { inputs: { task: token } }, token);
      started.push({ kind, token, id });
      await waitTerminal(id);
    }
  };
  // A person answering approvals: approve whatever waits.
  const approver = async () => {
    while (!stopping) {
      const pending = await call('GET', '/api/approvals');
      for (const a of pending?.status === 200
        ? (pending.body as unknown as Array<{ runId: string; approvalId: string }>)
        : [])
        await call('POST', `/api/runs/${a.runId}/approvals/${a.approvalId}`, { decision: 'approve' });
      await sleep(300);
    }
  };
  const killer = async () => {
    const mean = (o.killEverySeconds ?? 8) * 1000;
    while (Date.now() < deadline) {
      await sleep(mean / 2 + Math.random() * mean);
      if (Date.now() >= deadline) break;
      // Round the three in turn (at random moments), so even a short soak kills each one.
      const target = (['worker', 'backend', 'temporal'] as const)[(kills.worker + kills.backend + kills.temporal) % 3]!;
      kills[target]++;
      log(`kill ${target}`);
      if (target === 'temporal') {
        await temporal.stop('SIGKILL');
        await sleep(500 + Math.random() * 1500);
        temporal = await startTemporal();
        log('temporal up');
      } else {
        const p = target === 'worker' ? worker : backend;
        await p.kill();
        await sleep(500 + Math.random() * 1500);
        await p.start();
      }
    }
  };

  const approving = approver();
  await Promise.all([
    killer(),
    ...(['pipeline', 'agent', 'chat'] as const).flatMap((k) => Array.from({ length: o.concurrency }, () => lane(k))),
  ]);
  log(`lanes done: ${started.length} runs started`);
  // Everything is up again: every run must end.
  const finals = new Map<string, Answer>();
  const drainUntil = Date.now() + 5 * 60_000;
  for (const s of started) finals.set(s.id, await waitTerminal(s.id, Math.max(1000, drainUntil - Date.now())));
  log(`drained: ${[...finals.values()].filter((r) => terminal.has(r.status)).length} of ${started.length} ended`);
  stopping = true;
  await approving;

  // Invariants.
  const statuses: Record<string, number> = {};
  for (const r of finals.values()) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  for (const [id, r] of finals)
    if (r.status !== 'completed')
      violations.push(
        `run ${id} (${r.kind}) ended ${r.status}: ${JSON.stringify(r.error)}`,
        // A run left running: the worker's last failed workflow tasks say why (a nondeterminism error, …).
        ...(terminal.has(r.status) ? [] : taskFailures.slice(-3).map((l) => `worker: ${l.slice(0, 600)}`)),
      );
  for (const s of started.filter((x) => x.kind !== 'chat')) {
    const found = await must('GET', `/api/runs?q=${s.token}&limit=5`);
    const same = found.runs.filter((r) => !r.origin && !abandoned.has(r.id));
    if (same.length !== 1) violations.push(`token ${s.token} has ${same.length} runs`);
  }
  for (const s of started) {
    const { events } = await must('GET', `/api/runs/${s.id}/events?limit=5000`);
    if (events.some((e, i) => e.seq !== i + 1)) violations.push(`run ${s.id}: seq has gaps or repeats`);
    if (events.filter((e) => e.type === 'run.started').length !== 1)
      violations.push(`run ${s.id}: ${events.filter((e) => e.type === 'run.started').length} run.started events`);
    const requested = events.filter((e) => e.type === 'approval.requested').map((e) => e.data.approvalId);
    const resolved = new Set(events.filter((e) => e.type === 'approval.resolved').map((e) => e.data.approvalId));
    for (const a of requested) if (!resolved.has(a)) violations.push(`run ${s.id}: approval ${a} never resolved`);
    if (s.kind === 'pipeline') {
      // A completed step is never asked of the model again.
      for (const e of events.filter((x) => x.type === 'step.completed')) {
        const op = e.data.stepId === 'up' ? 'upper' : e.data.stepId === 'rev' ? 'reverse' : 'join';
        const inputs =
          e.data.stepId === 'both'
            ? { a: s.token.toUpperCase(), b: [...s.token].reverse().join('') }
            : { text: s.token };
        const after = (requestTimes.get(`${op}:${JSON.stringify(inputs)}`) ?? []).filter((t) => t > Date.parse(e.time));
        if (after.length) violations.push(`run ${s.id}: step ${e.data.stepId} was asked again after it completed`);
      }
    }
  }
  // Each agent's command ran at most once (a tool is never retried), and ran for every agent whose call succeeded.
  const appended = fs.existsSync(callsLog) ? fs.readFileSync(callsLog, 'utf8').split('\n').filter(Boolean) : [];
  const counts = new Map<string, number>();
  for (const t of appended) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const [t, n] of counts) if (n > 1) violations.push(`tool call of ${t} ran ${n} times`);
  for (const s of started.filter((x) => x.kind === 'agent')) {
    // A recorded result means the command ran: its token must be in the file.
    const { events } = await must('GET', `/api/runs/${s.id}/events?limit=5000`);
    if (events.some((e) => e.type === 'tool.result') && !counts.has(s.token))
      violations.push(`agent ${s.id}: its tool result is recorded but the command never ran`);
  }
  // Each chat turn is one user and one assistant message.
  let chatTurns = 0;
  for (const c of chats) {
    const view = await must('GET', `/api/chats/${c.id}`);
    const keys = view.messages.map((m) => m.key);
    if (new Set(keys).size !== keys.length) violations.push(`chat ${c.id}: duplicate message rows`);
    for (const m of c.sent)
      if (!keys.includes(`${m}:user`) || !keys.includes(`${m}:assistant`))
        violations.push(`chat ${c.id}: turn ${m} is missing a message`);
    chatTurns += c.sent.length;
  }
  const evalView = await must('GET', `/api/evals/${evalId}`);
  if (evalView.results.length !== evalExamples)
    violations.push(`eval ${evalId}: ${evalView.results.length} results for ${evalExamples} examples`);

  await worker.kill();
  await backend.kill();
  await temporal.stop();
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const runs: Record<string, number> = {};
  for (const s of started) runs[s.kind] = (runs[s.kind] ?? 0) + 1;
  return {
    minutes: o.minutes,
    runs,
    statuses,
    kills,
    modelCalls: fake.requests.length,
    toolCalls: appended.length,
    chatTurns,
    violations,
  };
}
