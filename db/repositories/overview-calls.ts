// One narrow row per model call, written in the transaction that appends its events (db/migrations/016_overview.ts):
// the overview and the runs list's provider/model filter read it instead of the events' JSON.
import type { Knex } from 'knex';
import type { NewRunEvent } from '../../core/run-story/events.js';

type Appended = Pick<NewRunEvent, 'type' | 'key' | 'data'>;

/** `<callId>:<attempt>`: the key an attempt's request and response share. */
const callKeyOf = (eventKey: string) => eventKey.slice(0, eventKey.lastIndexOf(':'));

/**
 * Record the model calls among freshly appended events: a request inserts its row (provider, model, the target's
 * name read from the run), a response fills in its usage. At most one statement per event of those types.
 */
export async function recordModelCalls(trx: Knex, runId: string, events: Appended[], at: string): Promise<void> {
  for (const e of events) {
    if (e.type === 'llm.request') {
      const d = e.data as { provider?: string; model?: string };
      await trx.raw(
        `insert into model_calls (run_id, call_key, at, provider, model, target_name)
         select ?, ?, ?, ?, ?, target_name from runs where id = ?`,
        [runId, callKeyOf(e.key), at, d.provider ?? '', d.model ?? '', runId],
      );
    } else if (e.type === 'llm.response') {
      const d = e.data as {
        usage?: { inputTokens?: number; outputTokens?: number };
        costUsd?: number;
        latencyMs?: number;
      };
      await trx('model_calls')
        .where({ runId, callKey: callKeyOf(e.key) })
        .update({
          inputTokens: d.usage?.inputTokens ?? 0,
          outputTokens: d.usage?.outputTokens ?? 0,
          costUsd: d.costUsd ?? 0,
          latencyMs: d.latencyMs === undefined ? null : Math.round(d.latencyMs),
        });
    }
  }
}

/** A run's answered model calls: how many, their summed latency and cost (none when every step came from the cache). */
export async function callTotals(
  knex: Knex,
  runId: string,
): Promise<{ calls: number; latencyMs: number; costUsd: number }> {
  const row = (await knex('model_calls')
    .where({ runId })
    .whereNotNull('latencyMs')
    .first(
      knex.raw('count(*) as calls'),
      knex.raw('coalesce(sum(latency_ms), 0) as latency_ms'),
      knex.raw('coalesce(sum(cost_usd), 0) as cost_usd'),
    )) as { calls: unknown; latencyMs: unknown; costUsd: unknown } | undefined;
  return { calls: Number(row?.calls ?? 0), latencyMs: Number(row?.latencyMs ?? 0), costUsd: Number(row?.costUsd ?? 0) };
}
