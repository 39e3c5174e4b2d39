// A separate process writing runs through the store's real paths (create, append the model calls, end) while a test
// refreshes the overview's rollups: SQLite's writers are processes. Usage: run-ts overview-writer.ts <dialect> <url> <prefix> <n>
import { openStore } from '../../db/knex.js';
import { appendEvents, createRun, updateRun } from '../../db/repositories/runs.js';

const [dialect, url, prefix, n] = process.argv.slice(2) as ['sqlite' | 'postgres', string, string, string];
const store = openStore({ dialect, url });
const models = [
  ['openai', 'gpt-4o'],
  ['anthropic', 'claude'],
] as const;
try {
  for (let i = 0; i < Number(n); i++) {
    const id = `run_${prefix}${String(i).padStart(5, '0')}`;
    const name = ['alpha', 'beta'][i % 2]!;
    const target = { type: 'pipeline' as const, id: `p_${name}`, name, version: 1 };
    await createRun(store, { id, kind: 'pipeline', target, inputs: {}, origin: i % 3 ? undefined : 'app:digest@3' });
    await appendEvents(store, id, [{ type: 'run.started', key: 'start', data: {} } as never], { status: 'running' });
    const [provider, model] = models[i % 2]!;
    const request = { callId: 'c', provider, model, messages: [], attempt: 1 };
    await appendEvents(store, id, [{ type: 'llm.request', key: 'c:1:request', data: request } as never]);
    const usage = { inputTokens: 10 + i, outputTokens: 3 };
    const response = { callId: 'c', text: 'ok', usage, latencyMs: 5, costUsd: 0.001, attempt: 1 };
    await appendEvents(store, id, [{ type: 'llm.response', key: 'c:1:response', data: response } as never], undefined, {
      ...usage,
      costUsd: 0.001,
    });
    await updateRun(store, id, { status: i % 4 ? 'completed' : 'failed' });
  }
} finally {
  await store.close();
}
