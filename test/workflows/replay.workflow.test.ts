// The replay corpus: histories recorded (encrypted) from real runs of each kind replay against
// today's workflow code with the corpus key. A change that breaks a waiting run fails here first.
import fs from 'node:fs';
import path from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { loadKeyring } from '../../db/crypto.js';
import { encryptedDataConverter } from '../../temporal/codec.js';
import os from 'node:os';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { writeBundle } from '../../temporal/bundle.js';
import { CORPUS_KEY } from '../fixtures/histories/corpus-key.js';

const dir = 'test/fixtures/histories';
const corpus = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { workflowId: string; history: string };
    return { name: f, workflowId, history: proto.temporal.api.history.v1.History.decode(Buffer.from(history, 'base64')) };
  });
const replay = (key: string, h: (typeof corpus)[number]) =>
  Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundle') }, dataConverter: encryptedDataConverter(loadKeyring('/nonexistent', key)) }, h.history, h.workflowId);

describe('the replay corpus', () => {
  it('has a history of each kind of run recorded so far', () => {
    expect(corpus.map((c) => c.name).sort()).toEqual(['agent-fork.json', 'agent-mcp-echo.json', 'agent-read-then-finish.json', 'agent-terminal-approved.json', 'agent-terminal-waiting.json', 'app-generate.json', 'chat-one-turn.json', 'component-upper.json', 'eval-two-examples.json', 'pipeline-diamond.json', 'pipeline-fork.json']);
  });

  it.each(corpus.map((c) => [c.name, c]))('%s replays against today\'s code', async (_name, h) => {
    await replay(CORPUS_KEY, h as (typeof corpus)[number]);
  });

  it('replays against the traced bundle too: tracing adds headers, never commands', async () => {
    const file = path.join(os.tmpdir(), `vloop-traced-${process.pid}.js`);
    await writeBundle(file, { traced: true });
    const spans = new InMemorySpanExporter();
    const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(spans), new Resource({})) };
    for (const h of corpus) {
      await Worker.runReplayHistory({ workflowBundle: { codePath: file }, dataConverter: encryptedDataConverter(loadKeyring('/nonexistent', CORPUS_KEY)), sinks }, h.history, h.workflowId);
    }
    // Replay exports nothing: the sink is not called for events already in the history.
    expect(spans.getFinishedSpans()).toEqual([]);
  }, 120_000);

  it('needs the key: its payloads are ciphertext', async () => {
    await expect(replay('0'.repeat(64), corpus[0]!)).rejects.toThrow(/encrypted with key '[0-9a-f]+', which this keyring does not have/);
  });
});
