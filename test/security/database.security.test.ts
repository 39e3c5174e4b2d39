// Class 8 of issue 28: the database tool reaches only the connection the policy declares (never the
// harness's store through a planted symlink or hard link), and an unbounded read ends within its time,
// row, byte and memory limits without blocking the worker's event loop.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL, toolRunner, type ToolRunner } from '../helpers/tool-runner.js';

const PG_URL = process.env.VLOOP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The tool's time limit: 5 s of query after its process has started. */
const LIMIT_MS = 5_000;
/** Under this, a pause of the event loop says nothing: a loaded 2-core machine's scheduling alone, not a query. */
const GAP_MS = 1_000;

/** Run a call while a 10 ms timer ticks; the longest gap between ticks says whether the event loop was blocked. */
async function timed<T>(call: () => Promise<T>): Promise<{ result: T | Error; ms: number; gap: number }> {
  let last = Date.now();
  let gap = 0;
  const tick = setInterval(() => {
    gap = Math.max(gap, Date.now() - last);
    last = Date.now();
  }, 10);
  const start = Date.now();
  const result = await call().catch((e: Error) => e);
  clearInterval(tick);
  return { result, ms: Date.now() - start, gap: Math.max(gap, Date.now() - last) };
}

describe('database tool against the harness store and unbounded reads', () => {
  let t: ToolRunner;
  const query = (connection: string, sql: string, approved = false) =>
    t.run({ tool: 'database', args: { connection, sql } }, approved);
  /**
   * A query timed, and whether it ended by its limit: within the limit past what a trivial query on the same
   * connection costs just before and just after it (the tool's process started, under that moment's load; the
   * larger of the two, as load changes while it runs), with slack as large again; and the event loop kept ticking
   * (one blocked by the query pauses for all of it, so the longest pause is under half the query's time).
   */
  const endedByLimit = async (connection: string, sql: string) => {
    const before = await timed(() => query(connection, 'select 1'));
    const run = await timed(() => query(connection, sql));
    const after = await timed(() => query(connection, 'select 1'));
    expect(run.ms).toBeLessThan(LIMIT_MS + 2 * Math.max(before.ms, after.ms) + 2_000);
    expect(run.gap).toBeLessThan(Math.max(GAP_MS, run.ms / 2));
    return run.result;
  };

  beforeAll(() => {
    t = toolRunner();
    fs.rmSync(path.join(t.project, 'harness.db'));
    const store = new Database(path.join(t.project, 'harness.db'));
    store.exec(
      "create table provider_keys (name text, secret text); insert into provider_keys values ('openai', 'sk-stored-provider-key')",
    );
    store.close();
    fs.mkdirSync(path.join(t.ws, 'data'));
    fs.symlinkSync('../.vloop/harness.db', path.join(t.ws, 'data', 'app.db'));
    fs.linkSync(path.join(t.project, 'harness.db'), path.join(t.ws, 'data', 'copy.db'));
    const big = new Database(path.join(t.ws, 'big.db'));
    big.exec(
      'create table t (x integer); with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000) insert into t select x from c',
    );
    big.close();
    t.setPolicy({
      rules: ALLOW_ALL,
      connections: {
        app: { url: 'sqlite:data/app.db' },
        copy: { url: 'sqlite:data/copy.db' },
        store: { url: 'sqlite:.vloop/harness.db' },
        big: { url: 'sqlite:big.db' },
        pg: { url: PG_URL },
      },
    });
  });
  afterAll(() => fs.rmSync(t.ws, { recursive: true, force: true }));

  it.each(['app', 'copy', 'store'])('never reads the harness store through connection %s', async (connection) => {
    const out = await query(connection, 'select * from provider_keys').then(
      (r) => r.output,
      (e: Error) => `refused: ${e.message}`,
    );
    expect(out).not.toContain('sk-stored-provider-key');
    expect(out).toMatch(/harness directory|hard link/);
  });

  it('still reads a declared database, capped at 200 rows', async () => {
    const r = await query('big', 'select x from t order by x');
    expect(r.ok).toBe(true);
    expect(JSON.parse(r.output.split('\n')[0]!)).toHaveLength(200);
    expect(r.output).toMatch(/first 200 rows/);
  });

  it.each([
    [
      'a recursive CTE to 1e12',
      'with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000000) select count(*) from c',
    ],
    ['a 900 MB zeroblob', 'select zeroblob(900000000)'],
    ['a 900 MB printf', "select length(printf('%.*c', 900000000, 'x'))"],
    ['a huge cross join', 'select count(*) from t a, t b, t c, t d'],
    [
      'endless rows',
      'with recursive c(x) as (select 1 union all select x + 1 from c) select x, zeroblob(10000) from c',
    ],
  ])('SQLite: %s ends within the limit and the event loop keeps ticking', async (_what, sql) => {
    const result = await endedByLimit('big', sql);
    const output = result instanceof Error ? result.message : result.output;
    expect(output).toMatch(/time limit|memory limit|out of memory|too big|rows|bytes/);
    expect(output.length).toBeLessThan(400_000);
  });

  it.each([
    ['generate_series to 1e11 (rows, streamed)', 'select generate_series(1, 100000000000)', /first 200 rows/],
    [
      'generate_series to 1e11 in FROM (materialized by the server)',
      'select g from generate_series(1, 100000000000) g',
      /first 200 rows|time limit/,
    ],
    [
      'a count over generate_series to 1e11 (time)',
      'select count(*) from generate_series(1, 100000000000)',
      /time limit|statement timeout/,
    ],
    ['a 40 MB repeat (bytes, cut on the socket)', "select repeat('x', 40000000)", /passed 12000 bytes/],
    ['a 400 MB repeat (bytes or time)', "select repeat('x', 400000000)", /bytes|time limit/],
  ])('PostgreSQL: %s ends within the limit and the event loop keeps ticking', async (_what, sql, why) => {
    const result = await endedByLimit('pg', sql);
    expect(result instanceof Error ? result.message : result.output).toMatch(why);
  });

  it('PostgreSQL: functions with side effects are not reads', async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query('create or replace function vloop_touch() returns int language sql as $$ select 1 $$');
    await c.end();
    for (const sql of [
      'select pg_stat_statements_reset()',
      'select vloop_touch()',
      "select pg_catalog.pg_stat_reset_shared('bgwriter')",
      'select 1 from pg_class where pg_terminate_backend(1) is null',
    ]) {
      await expect(query('pg', sql), sql).rejects.toThrow(/builtin:read-only-connection/);
    }
    expect(
      (await query('pg', "select count(*)::int as n, lower('A') from pg_class where relname like 'pg_%'")).ok,
    ).toBe(true);
  });
});
