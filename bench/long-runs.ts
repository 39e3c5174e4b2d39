// A 300-turn chat and a 200-step agent, against the fakes: the largest payload any of their executions'
// histories holds, and how many values had to be kept as artifacts (none, when transcripts and
// trajectories stay in the store as designed). Prints one JSON line.
// Usage: node bin/run-ts.js bench/long-runs.ts [turns=300] [steps=200]
import { createChat, sendChatMessage } from '../api/services/chats.js';
import { createProvider } from '../api/services/providers.js';
import { startComponentRun } from '../api/services/runs.js';
import { createComponent } from '../api/services/specs.js';
import { ARTIFACT } from '../temporal/artifact-codec.js';
import { runExecutions } from '../temporal/executions.js';
import { agentModel } from '../test/helpers/agent-model.js';
import { payloadEncoding, payloadsOf } from '../test/helpers/payloads.js';
import { startThrowawayStack } from '../test/helpers/throwaway-stack.js';

const TURNS = Number(process.argv[2] ?? 300);
const STEPS = Number(process.argv[3] ?? 200);
const MESSAGE = 'a line of a long conversation, '.repeat(32); // about 1 KB a message

const agent = agentModel({
  long: [
    ...Array.from({ length: STEPS - 1 }, () => ({ tool: 'filesystem', args: { op: 'read', path: 'README.md' } })),
    { finish: { answer: 'done' } },
  ],
});
const stack = await startThrowawayStack({
  taskQueue: 'bench-long',
  withWorker: true,
  script: (req) => (req.tools ? agent(req) : `${MESSAGE} (reply ${req.messages.length})`),
});
const { backend } = stack;

/** The run's executions and the payloads their histories hold. */
async function measure(workflowId: string) {
  const executions = await runExecutions(backend.app.temporal.client, workflowId);
  const payloads = executions.flatMap((e) => payloadsOf(e.history.events));
  return {
    executions: executions.length,
    largestHistoryEvents: Math.max(...executions.map((e) => e.history.events?.length ?? 0)),
    largestPayloadBytes: Math.max(...payloads.map((p) => p.data?.byteLength ?? 0)),
    artifacts: payloads.filter((p) => payloadEncoding(p) === ARTIFACT).length,
  };
}

try {
  const app = backend.app;
  await createProvider(app, {
    name: 'fake',
    type: 'openai',
    baseUrl: stack.fake!.baseUrl,
    apiKey: 'sk-bench',
    defaultModel: 'fake-model',
  });
  let t0 = performance.now();
  const chat = await createChat(app, { provider: 'fake' });
  for (let i = 0; i < TURNS; i++) await sendChatMessage(app, chat, { content: `${i}: ${MESSAGE}`, messageId: `m${i}` });
  const chatSeconds = (performance.now() - t0) / 1000;
  const lastPrompt = stack.fake!.requests.at(-1)!.messages.length;
  await app.temporal.client.workflow.getHandle(chat.runId).signal('closeChat');
  await app.temporal.client.workflow.getHandle(chat.runId).result();
  const chatFigures = {
    turns: TURNS,
    seconds: Math.round(chatSeconds * 10) / 10,
    lastPromptMessages: lastPrompt,
    ...(await measure(chat.runId)),
  };

  // Continue as new every 1,000 events, so the agent's turns cross several executions.
  app.continueAfterEvents = 1000;
  await createComponent(app, {
    name: 'reader',
    kind: 'react',
    signature: 'task: str -> answer: str',
    provider: 'fake',
    tools: ['filesystem'],
    maxSteps: STEPS,
  });
  t0 = performance.now();
  const run = await startComponentRun(app, 'reader', { inputs: { task: 'long' } });
  const outputs = await app.temporal.client.workflow.getHandle(run.id).result();
  const agentSeconds = (performance.now() - t0) / 1000;
  const lastCall = stack.fake!.requests.at(-1)!;
  const agentFigures = {
    steps: STEPS,
    seconds: Math.round(agentSeconds * 10) / 10,
    answer: (outputs as { answer?: string }).answer,
    lastPromptObservations: lastCall.messages.filter((m) => m.content.startsWith('Observation: ')).length,
    lastPromptBytes: JSON.stringify(lastCall.messages).length,
    ...(await measure(run.id)),
  };
  console.log(JSON.stringify({ bench: 'long-runs', chat: chatFigures, agent: agentFigures }));
} finally {
  await stack.close();
}
