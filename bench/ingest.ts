// Ingest: run events appended through the store's one append path (idempotent keys, gap-free seq,
// one transaction per batch), on SQLite and PostgreSQL. Prints one JSON line.
// Usage: node bin/run-ts.js bench/ingest.ts [events=200000] [batch=500]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import type { NewRunEvent } from '../core/run-story/events.js';
import { migrate, openStore, type Store } from '../db/knex.js';
import { appendEvents, createRun } from '../db/repositories/runs.js';
import { benchPgUrl } from './edge.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 500);
const target = { type: 'pipeline' as const, id: 'p', name: 'p', version: 1 };

async function ingest(store: Store): Promise<{ rowsPerSec: number; seconds: number }> {
  // Ten runs filled in turn, as a worker's activities would.
  const runs = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      createRun(store, { id: `run_ingest_${i}`, kind: 'pipeline', target, inputs: {} }),
    ),
  );
  const t0 = performance.now();
  for (let done = 0, b = 0; done < EVENTS; done += BATCH, b++) {
    const events: NewRunEvent[] = Array.from({ length: Math.min(BATCH, EVENTS - done) }, (_, i) => ({
      type: 'log',
      key: `b${b}:${i}`,
      data: { level: 'info', message: `event ${done + i} of a long run, with a line of text like a model's` },
    }));
    await appendEvents(store, runs[b % runs.length]!.id, events);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { rowsPerSec: Math.round(EVENTS / seconds), seconds: Math.round(seconds * 100) / 100 };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-ingest-'));
const sqlite = openStore({ dialect: 'sqlite', url: path.join(dir, 'harness.db') });
await migrate(sqlite);
const sqliteResult = await ingest(sqlite);
await sqlite.close();
fs.rmSync(dir, { recursive: true, force: true });

// PostgreSQL: a throwaway database on the configured server, dropped afterwards.
const admin = knexFactory({ client: 'pg', connection: benchPgUrl });
const name = `vloop_bench_${Date.now().toString(36)}`;
let pgResult: { rowsPerSec: number; seconds: number } | { error: string };
try {
  await admin.raw(`create database ${name}`);
  const url = new URL(benchPgUrl);
  url.pathname = `/${name}`;
  const pg = openStore({ dialect: 'postgres', url: url.toString() });
  try {
    await migrate(pg);
    pgResult = await ingest(pg);
  } finally {
    await pg.close();
    await admin.raw(`drop database if exists ${name}`);
  }
} catch (err) {
  pgResult = { error: (err as Error).message };
} finally {
  await admin.destroy();
}
console.log(
  JSON.stringify({
    bench: 'ingest',
    events: EVENTS,
    batch: BATCH,
    sqlite: sqliteResult,
    postgres: pgResult,
    goalSqliteRowsPerSec: 50_000,
  }),
);
