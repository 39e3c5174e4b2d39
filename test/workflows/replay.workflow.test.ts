// The replay corpus: histories recorded (encrypted) from real runs of each kind replay against
// today's workflow code with the corpus key. A change that breaks a waiting run fails here first.
import fs from 'node:fs';
import path from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { loadKeyring } from '../../keyring/index.js';
import { encryptedDataConverter } from '../../temporal/codec.js';
import os from 'node:os';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { writeBundle } from '../../temporal/bundle.js';
import { describeReplay, replayHistory } from '../../temporal/replay.js';
import { CORPUS_KEY } from '../fixtures/histories/corpus-key.js';
import { spawnHarness } from '../helpers/processes.js';

const dir = 'test/fixtures/histories';
const corpus = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
      workflowId: string;
      history: string;
    };
    return {
      name: f,
      workflowId,
      history: proto.temporal.api.history.v1.History.decode(Buffer.from(history, 'base64')),
    };
  });
const replay = (key: string, h: (typeof corpus)[number]) =>
  Worker.runReplayHistory(
    {
      workflowBundle: { codePath: inject('workflowBundle') },
      dataConverter: encryptedDataConverter(loadKeyring('/nonexistent', key)),
    },
    h.history,
    h.workflowId,
  );

/**
 * Today's workflows with one deliberate non-deterministic change: a pipeline now sleeps before it records
 * its start. A copy inside the project, so its imports resolve as the real ones do.
 */
async function changedBundle(): Promise<string> {
  const dir = path.resolve('.vloop', 'cache', `changed-workflows-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ['workflows', 'core']) fs.cpSync(d, path.join(dir, d), { recursive: true });
  const file = path.join(dir, 'workflows', 'pipeline.ts');
  const source = fs.readFileSync(file, 'utf8');
  const start = 'return runLifecycle(';
  expect(source).toContain(start);
  fs.writeFileSync(
    file,
    `import { sleep as changedSleep } from '@temporalio/workflow';\n${source.replace(start, `await changedSleep(1);\n  ${start}`)}`,
  );
  const bundle = path.join(dir, 'bundle.js');
  await writeBundle(bundle, { from: path.join(dir, 'workflows', 'index.ts') });
  return bundle;
}

describe('the replay corpus', () => {
  it('has a history of each kind of run and waiting state, several taken after continue-as-new', () => {
    expect(corpus.map((c) => c.name).sort()).toEqual([
      'agent-browser-session.json',
      'agent-continued-waiting.json',
      'agent-fork.json',
      'agent-in-store-continued-waiting.json',
      'agent-mcp-echo.json',
      'agent-mcp-task-waiting.json',
      'agent-read-then-finish.json',
      'agent-terminal-approved.json',
      'agent-terminal-waiting.json',
      'app-generate.json',
      'chat-continued-waiting.json',
      'chat-in-store-continued-waiting.json',
      'chat-one-turn.json',
      'component-mid-step-carried.json',
      'component-upper-carried.json',
      'component-upper.json',
      'eval-fork.json',
      'eval-lanes-in-turn.json',
      'eval-repeats-cell.json',
      'eval-segment-first.json',
      'eval-segment-last.json',
      'eval-segment-waiting.json',
      'eval-two-examples.json',
      'experiment-cell-cancel-by-id.json',
      'experiment-repeats.json',
      'optimize-gepa.json',
      'optimize-kept.json',
      'optimize-mipro.json',
      'optimize-teacher-first.json',
      'optimize-teacher-last.json',
      'optimize-teacher-waiting.json',
      'pipeline-diamond-carried.json',
      'pipeline-diamond.json',
      'pipeline-fork-carried.json',
      'pipeline-fork.json',
      'pipeline-mid-step.json',
    ]);
    // The continued ones are what they say: executions that began by continuing another.
    const continues = (name: string) =>
      !!corpus.find((c) => c.name === name)!.history.events![0]!.workflowExecutionStartedEventAttributes!
        .continuedExecutionRunId;
    const continued = [
      'agent-continued-waiting.json',
      'agent-in-store-continued-waiting.json',
      'chat-continued-waiting.json',
      'chat-in-store-continued-waiting.json',
      'eval-segment-waiting.json',
      'eval-segment-last.json',
      'optimize-teacher-waiting.json',
      'optimize-teacher-last.json',
    ];
    expect(continued.filter(continues)).toEqual(continued);
    expect(continues('eval-segment-first.json') || continues('optimize-teacher-first.json')).toBe(false);
    // The carried ones were recorded by code that carries run.started and step.completed (its patch's marker); the others before it.
    const patches = (name: string) =>
      corpus
        .find((c) => c.name === name)!
        .history.events!.flatMap((e) => {
          const data =
            e.markerRecordedEventAttributes?.markerName === 'core_patch'
              ? e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data
              : undefined;
          return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
        });
    for (const name of ['pipeline-diamond', 'pipeline-fork', 'component-upper'])
      expect(patches(`${name}.json`), name).not.toContain('carried-run-events');
    for (const name of ['pipeline-diamond', 'pipeline-fork', 'component-upper', 'component-mid-step'])
      expect(patches(`${name}-carried.json`), name).toContain('carried-run-events');
    // The optimizer that scores its candidate before saving (issue 29) and one recorded before that patch.
    expect(patches('optimize-kept.json')).toContain('optimize-save-if-better');
    // An eval whose four lanes called their local activities one at a time.
    expect(patches('eval-lanes-in-turn.json')).toContain('eval-local-activities-in-turn');
    expect(patches('optimize-teacher-last.json')).not.toContain('optimize-save-if-better');
  });

  it.each(corpus.map((c) => [c.name, c]))("%s replays against today's code", async (_name, h) => {
    await replay(CORPUS_KEY, h as (typeof corpus)[number]);
  });

  it('replays against the traced bundle too: tracing adds headers, never commands', async () => {
    // Built by the global setup, as the plain bundle is.
    const file = inject('tracedWorkflowBundle');
    const spans = new InMemorySpanExporter();
    const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(spans), new Resource({})) };
    for (const h of corpus) {
      await Worker.runReplayHistory(
        {
          workflowBundle: { codePath: file },
          dataConverter: encryptedDataConverter(loadKeyring('/nonexistent', CORPUS_KEY)),
          sinks,
        },
        h.history,
        h.workflowId,
      ).catch((err: Error) => {
        // Which history parted: the failure names it.
        throw new Error(`${h.name}: ${err.message}`);
      });
    }
    // Replay exports nothing: the sink is not called for events already in the history.
    expect(spans.getFinishedSpans()).toEqual([]);
  }, 120_000);

  it('a deliberately non-deterministic change fails replay, naming the run and the event where it parts', async () => {
    const bundle = await changedBundle();
    const diamond = corpus.find((c) => c.name === 'pipeline-diamond.json')!;
    const options = {
      workflowBundle: { codePath: bundle },
      dataConverter: encryptedDataConverter(loadKeyring('/nonexistent', CORPUS_KEY)),
    };
    const result = await replayHistory(diamond.history, diamond.workflowId, options);
    // The first command the pipeline recorded (its start, a local activity's marker) is what the changed code no longer issues first.
    const firstCommand = diamond.history.events!.find(
      (e) => Number(e.eventType) === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED,
    )!;
    expect(result).toMatchObject({ ok: false, event: { id: Number(firstCommand.eventId), type: 'MarkerRecorded' } });
    expect(result.error).toMatch(/Nondeterminism/);
    expect(describeReplay(diamond.workflowId, result)).toBe(
      `✗ ${diamond.workflowId} does not replay at event ${Number(firstCommand.eventId)} (MarkerRecorded): ${result.error}`,
    );
    // A kind the change does not touch still replays.
    expect(await replayHistory(corpus.find((c) => c.name === 'chat-one-turn.json')!.history, 'chat', options)).toEqual({
      ok: true,
    });

    // `harness replay` says the same, and exits 1; against today's code the whole corpus replays, exit 0.
    const env = {
      HARNESS_SECRET_KEY: CORPUS_KEY,
      VLOOP_PROJECT_DIR: path.join(os.tmpdir(), `vloop-replay-${process.pid}`),
    };
    const changed = spawnHarness(['replay', path.join(dir, 'pipeline-diamond.json')], {
      ...env,
      VLOOP_WORKFLOW_BUNDLE: bundle,
    });
    expect(await changed.exitCode).toBe(1);
    expect(changed.output()).toContain(
      `✗ ${diamond.workflowId} does not replay at event ${Number(firstCommand.eventId)} (MarkerRecorded): [TMPRL1100] Nondeterminism error`,
    );
    const today = spawnHarness(['replay', dir], env);
    expect(await today.exitCode).toBe(0);
    expect(
      today
        .output()
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('✓')),
    ).toHaveLength(corpus.length);
    const notHistory = spawnHarness(['replay', 'package.json'], env);
    expect(await notHistory.exitCode).toBe(1);
    expect(notHistory.output()).toContain('package.json is not a history: expected {workflowId, history}');
    fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  }, 180_000);

  it('needs the key: its payloads are ciphertext', async () => {
    await expect(replay('0'.repeat(64), corpus[0]!)).rejects.toThrow(
      /encrypted with key '[0-9a-f]+', which this keyring does not have/,
    );
  });
});
