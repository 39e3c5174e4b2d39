// Traces out, checked at a real OTLP/HTTP receiver: one pipeline run is one trace whose spans nest
// API request -> workflow -> activities -> GenAI model calls, with usage matching the run's events;
// metrics arrive; log lines carry the run and trace ids; a secret appears in no span, attribute or log.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/log.js';
import { processSecrets } from '../../core/secrets.js';
import { agentModel } from '../helpers/agent-model.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { echoModel } from '../helpers/echo-model.js';
import { spawnHarness, until } from '../helpers/processes.js';
import { newProjectDir, seedDiamond, startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fakes/otlp-receiver.js';
import type { FakeRequest } from '../fakes/script.js';

const CANARY = 'sk-test-canary-1234567890abcdef'; // the provider key seedDiamond stores

describe('traces, metrics and logs out', () => {
  let receiver: OtlpReceiver;
  let stack: TestStack;
  const lines: string[] = [];
  const dir = newProjectDir();

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const capture = { write: (s: string) => void lines.push(s) };
    const log = createLogger(processSecrets, 'info', capture as never, path.join(dir, 'logs', 'backend.jsonl'));
    const agent = agentModel({
      look: [{ tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } }, { finish: { answer: '{{last}}' } }],
    });
    stack = await startTestStack({
      dir,
      workspace: makeWorkspace({ 'notes.txt': 'traced\n' }),
      script: (req: FakeRequest) => (req.tools ? agent(req) : echoModel(req)),
      log,
      // The traced workflow bundle is built for this stack (the suite's prebuilt one has no interceptors).
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'vloop-test',
        VLOOP_OTEL_CAPTURE_CONTENT: 'true',
        VLOOP_WORKFLOW_BUNDLE: '',
      },
    });
    await seedDiamond(stack);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const flushed = async (check: () => boolean, what: string) =>
    until(async () => (await stack.backend.app.telemetry!.flush(), check()), what, 30_000);

  it('one pipeline run is one trace: API -> workflow -> activities -> model calls, with GenAI attributes and usage', async () => {
    const started = await stack.ok('POST', '/api/pipelines/diamond/runs', {
      inputs: { text: `mention ${CANARY} please` },
    });
    const run = await waitForRun(stack, started.id);
    expect(run.status).toBe('completed');
    expect(run.traceId).toMatch(/^[0-9a-f]{32}$/);
    const ofRun = () => receiver.spans.filter((s) => s.traceId === run.traceId);
    await flushed(
      () =>
        ofRun().filter((s) => s.name === 'chat fake-model').length === 3 &&
        ofRun().some((s) => s.name.startsWith('RunWorkflow')),
      "the run's spans",
    );

    const spans = ofRun();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const chain = (s: ReceivedSpan): string[] => [
      s.name,
      ...(s.parentSpanId && byId.has(s.parentSpanId) ? chain(byId.get(s.parentSpanId)!) : []),
    ];
    const root = spans.find((s) => !s.parentSpanId)!;
    expect(root.name).toBe('POST /api/pipelines/:id/runs');
    expect(root.attributes).toMatchObject({
      'http.route': '/api/pipelines/:id/runs',
      'http.response.status_code': 201,
    });

    const events = (await stack.ok('GET', `/api/runs/${run.id}/events`)).events;
    const responses = events.filter((e: any) => e.type === 'llm.response');
    const chats = spans.filter((s) => s.name === 'chat fake-model');
    for (const chat of chats) {
      const names = chain(chat);
      // model call -> its activity -> the run's GenAI span -> the workflow -> the start -> the request
      expect(names[1]).toBe('RunActivity:predict');
      expect(names.slice(2)).toEqual(
        expect.arrayContaining([
          'invoke_workflow diamond',
          'RunWorkflow:pipelineWorkflow',
          'POST /api/pipelines/:id/runs',
        ]),
      );
      expect(names.indexOf('invoke_workflow diamond')).toBeLessThan(names.indexOf('RunWorkflow:pipelineWorkflow'));
      expect(names.at(-1)).toBe('POST /api/pipelines/:id/runs');
      const response = responses.find((e: any) => e.data.callId === chat.attributes['vloop.call.id']);
      expect(chat.kind).toBe(3); // CLIENT
      expect(chat.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'fake-model',
        'gen_ai.response.model': expect.any(String),
        'gen_ai.usage.input_tokens': response.data.usage.inputTokens,
        'gen_ai.usage.output_tokens': response.data.usage.outputTokens,
        'vloop.run.id': run.id,
        'vloop.step.id': response.data.stepId,
      });
      expect(chat.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
      // Content was asked for: it is there, scrubbed.
      expect(String(chat.attributes['gen_ai.input.messages'])).toContain('[REDACTED]');
    }
    expect(spans.find((s) => s.name === 'invoke_workflow diamond')!.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.workflow.name': 'diamond',
      'vloop.run.id': run.id,
    });
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['vloop-test']));

    // Metrics: token usage and durations by the GenAI names, and run counts.
    await flushed(
      () =>
        ['gen_ai.client.token.usage', 'gen_ai.client.operation.duration', 'vloop.runs'].every((m) =>
          receiver.metricNames.has(m),
        ),
      'the metrics',
    );

    // Logs: each model call's line names the run and its trace.
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'model call' && l.runId === run.id);
    expect(logged).toHaveLength(3);
    expect(logged.every((l) => l.trace_id === run.traceId)).toBe(true);

    // The secret, sent to the provider as its key and written into the input, reached nothing.
    expect(receiver.raw.join('\n')).not.toContain(CANARY);
    expect(lines.join('\n')).not.toContain(CANARY);

    // Replay against the traced bundle works (its exporter sink is skipped on replay).
    expect(await stack.ok('POST', `/api/runs/${run.id}/replay`)).toEqual({ ok: true, executions: 1 });
  });

  it('an eval records its scores as gen_ai.evaluation.result events', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'otel' });
    await stack.ok('POST', '/api/datasets/otel/examples', {
      examples: [{ inputs: { text: 'ab' }, expected: { combined: 'AB|ba' }, split: 'dev' }],
    });
    const run = await waitForRun(
      stack,
      (
        await stack.ok('POST', '/api/evals', {
          dataset: 'otel',
          target: { pipeline: 'diamond' },
          metrics: [{ name: 'exact_match', field: 'combined' }],
        })
      ).id,
    );
    expect(run.status).toBe('completed');
    await flushed(
      () =>
        receiver.spans.some((s) =>
          s.events.some((e) => e.name === 'gen_ai.evaluation.result' && e.attributes['vloop.run.id'] === run.id),
        ),
      'the evaluation event',
    );
    const event = receiver.spans.flatMap((s) => s.events).find((e) => e.attributes['vloop.run.id'] === run.id)!;
    expect(event.attributes).toMatchObject({
      'gen_ai.evaluation.name': 'exact_match:combined',
      'gen_ai.evaluation.score.value': 1,
    });
    // One trace: the eval's own span (its target is diamond) and the one example's pipeline run.
    const runSpans = () =>
      receiver.spans.filter((s) => s.name === 'invoke_workflow diamond' && s.traceId === run.traceId);
    await flushed(() => runSpans().length >= 2, "the eval's and its pipeline run's spans");
    expect(
      runSpans()
        .map((s) => s.attributes['vloop.workflow.type'])
        .sort(),
    ).toEqual(['evalWorkflow', 'pipelineWorkflow']);
  });

  it('an agent run is an invoke_agent span over its model steps and execute_tool spans with the policy decision', async () => {
    await stack.ok('PUT', '/api/policy', {
      rules: [{ id: 'read-notes', tool: 'filesystem', action: 'allow', match: { op: 'read' } }],
    });
    await stack.ok('POST', '/api/components', {
      name: 'looker',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'fake',
      tools: ['filesystem'],
      maxSteps: 3,
    });
    const run = await waitForRun(
      stack,
      (await stack.ok('POST', '/api/components/looker/runs', { inputs: { task: 'look' } })).id,
    );
    expect(run.outputs.answer).toContain('traced');
    // The workflow's own spans (invoke_agent) are exported by its sink, after the activities' spans: wait for both.
    await flushed(
      () =>
        ['execute_tool filesystem', 'invoke_agent looker'].every((name) =>
          receiver.spans.some((s) => s.traceId === run.traceId && s.name === name),
        ),
      'the tool and agent spans',
    );
    const spans = receiver.spans.filter((s) => s.traceId === run.traceId);
    const tool = spans.find((s) => s.name === 'execute_tool filesystem')!;
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'filesystem',
      'gen_ai.tool.call.id': 'tool[0]',
      'vloop.policy.decision': 'allow',
      'vloop.policy.rule': 'read-notes',
      'vloop.run.id': run.id,
    });
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const up = (s: ReceivedSpan): string[] => [
      s.name,
      ...(s.parentSpanId && byId.has(s.parentSpanId) ? up(byId.get(s.parentSpanId)!) : []),
    ];
    expect(up(tool)).toEqual(expect.arrayContaining(['RunActivity:runTool', 'invoke_agent looker']));
    expect(spans.find((s) => s.name === 'invoke_agent looker')!.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'looker',
    });
    expect(spans.filter((s) => s.name === 'chat fake-model')).toHaveLength(2);
  });

  it("harness logs <run> shows the run's lines from the project's log files", async () => {
    const run = await waitForRun(
      stack,
      (await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'logs' } })).id,
    );
    expect(fs.readdirSync(path.join(dir, 'logs'))).toContain('backend.jsonl');
    const p = spawnHarness(['logs', run.id], {
      HARNESS_PORT: String(stack.backend.port),
      HARNESS_TOKEN: TOKEN,
      VLOOP_PROJECT_DIR: dir,
    });
    expect(await p.exitCode, p.output()).toBe(0);
    const shown = p
      .output()
      .trim()
      .split('\n')
      .filter((l) => l.includes('model call'));
    expect(shown).toHaveLength(3);
    expect(shown.every((l) => l.includes(`runId=${run.id}`) && l.includes(`trace_id=${run.traceId}`))).toBe(true);
    expect(p.output()).toContain('run started');
  });
});
