// The API on a big store: GET /api/runs (a page, and a page deep in with a cursor) and
// GET /api/runs/:id/events (a page in the middle of a 100,000-event run) on SQLite with 100,000 runs
// and 1,000,000 events, and full-text searches of its runs, next to a bare Koa handler answering a body of the same size, in the same
// process. Each page is measured as the store keeps it while nothing changes, and computed on every request (`…Computed`). Prints one JSON line. Usage: node bin/run-ts.js bench/api.ts [secondsPerEndpoint=5] [clients=8]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { newId } from '../core/ids.js';
import type { Store } from '../db/knex.js';
import { uncachedPages } from '../db/page-cache.js';
import { THROWAWAY_TOKEN as TOKEN, startThrowawayStack } from '../test/helpers/throwaway-stack.js';

const SECONDS = Number(process.argv[2] ?? 5);
const CLIENTS = Number(process.argv[3] ?? 8);
const RUNS = 100_000;
const BIG_RUN_EVENTS = 100_000;
const q = (xs: number[], p: number) =>
  Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! * 10) / 10;

async function hammer(url: string, headers: Record<string, string>, seconds = SECONDS) {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let bytes = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const s = performance.now();
        const res = await fetch(url, { headers });
        bytes = (await res.text()).length;
        if (!res.ok) throw new Error(`${url}: ${res.status}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return {
    reqPerSec: Math.round(latencies.length / ((performance.now() - t0) / 1000)),
    p50Ms: q(latencies, 0.5),
    p95Ms: q(latencies, 0.95),
    bodyBytes: bytes,
  };
}

// 100,000 runs, nine events each, and one run of 100,000 events: 1,000,000 events in all.
const at = new Date().toISOString();
const target = JSON.stringify({ type: 'pipeline', id: 'p', name: 'digest', version: 1 });
const ids: string[] = [];
const seed = (store: Store) =>
  store.knex.transaction(async (trx) => {
    for (let i = 0; i < RUNS; i += 25) {
      const rows = Array.from({ length: Math.min(25, RUNS - i) }, (_, j) => {
        const id = newId('run');
        ids.push(id);
        // One run in a thousand mentions a zeppelin: a rare word for the search, next to one every run has.
        const inputs = JSON.stringify({ text: (i + j) % 1000 === 0 ? 'a review of a zeppelin' : 'a review' });
        return {
          id,
          kind: 'pipeline',
          status: 'completed',
          target,
          inputs,
          outputs: '{"summary":"short"}',
          workflowId: id,
          inputTokens: 10,
          outputTokens: 5,
          costUsd: 0,
          lastSeq: 9,
          createdAt: at,
          updatedAt: at,
        };
      });
      await trx('runs').insert(rows);
    }
    const big = ids[ids.length - 1]!;
    await trx('runs').where('id', big).update({ lastSeq: BIG_RUN_EVENTS });
    const event = (runId: string, seq: number) => ({
      runId,
      seq,
      key: `k${seq}`,
      type: 'log',
      data: '{"level":"info","message":"a line of a long run"}',
      time: at,
    });
    let batch: ReturnType<typeof event>[] = [];
    const flush = async () => {
      if (batch.length) await trx('run_events').insert(batch);
      batch = [];
    };
    for (const id of ids.slice(0, -1)) {
      for (let s = 1; s <= 9; s++) {
        batch.push(event(id, s));
        if (batch.length >= 80) await flush();
      }
    }
    for (let s = 1; s <= BIG_RUN_EVENTS; s++) {
      batch.push(event(big, s));
      if (batch.length >= 80) await flush();
    }
    await flush();
  });
const t0 = performance.now();
const stack = await startThrowawayStack({ taskQueue: 'api', withWorker: false, seed });
// Seeding the store and starting the dev server and backend.
const setupSeconds = Math.round((performance.now() - t0) / 100) / 10;
const { backend, store } = stack;
const eventCount = Number((await store.knex('run_events').count({ n: '*' }))[0]!.n);
const auth = { authorization: `Bearer ${TOKEN}` };
try {
  const cursor = ids[Math.floor(RUNS / 2)]!;
  const big = ids[ids.length - 1]!;
  const endpoints = {
    runsFirstPage: `${backend.url}/api/runs?limit=50`,
    runsDeepPage: `${backend.url}/api/runs?limit=50&cursor=${cursor}`,
    eventsMiddlePage: `${backend.url}/api/runs/${big}/events?after=${BIG_RUN_EVENTS / 2}&limit=1000`,
    // Full-text search (issue 15: under 100 ms at 100,000 runs): a word in 100 runs, and one in all of them.
    searchRareWord: `${backend.url}/api/runs?q=zeppelin&limit=50`,
    searchCommonWord: `${backend.url}/api/runs?q=review&limit=50`,
  };
  const results: Record<string, Awaited<ReturnType<typeof hammer>>> = {};
  // Each endpoint (and the bare handler) is warmed up first, so no figure carries the JIT's first second.
  for (const [name, url] of Object.entries(endpoints)) {
    await hammer(url, auth, 1);
    results[name] = await hammer(url, auth);
  }
  // The same pages computed by the database on every request, as when runs are being written between requests.
  const kept = store.pages;
  store.pages = uncachedPages;
  for (const name of [
    'runsFirstPage',
    'runsDeepPage',
    'eventsMiddlePage',
    'searchRareWord',
    'searchCommonWord',
  ] as const) {
    await hammer(endpoints[name], auth, 1);
    results[`${name}Computed`] = await hammer(endpoints[name], auth);
  }
  store.pages = kept;

  // Bare Koa: the same body as the runs page, with nothing in between.
  const body = await (await fetch(endpoints.runsFirstPage, { headers: auth })).text();
  const koa = new Koa();
  koa.use((ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  });
  const bare = http.createServer(koa.callback());
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
  await hammer(bareUrl, {}, 1);
  const bareKoa = await hammer(bareUrl, {});
  bare.close();
  console.log(
    JSON.stringify({
      bench: 'api',
      store: { dialect: 'sqlite', runs: RUNS, events: eventCount, setupSeconds },
      clients: CLIENTS,
      secondsPerEndpoint: SECONDS,
      ...results,
      bareKoa,
      runsFirstPageVsBareKoa: Math.round((results.runsFirstPage!.reqPerSec / bareKoa.reqPerSec) * 100) / 100,
      runsFirstPageComputedVsBareKoa:
        Math.round((results.runsFirstPageComputed!.reqPerSec / bareKoa.reqPerSec) * 100) / 100,
      goals: { vsBareKoa: 0.5, p95Ms: 20, searchP95Ms: 100 },
    }),
  );
} finally {
  await stack.close();
}
