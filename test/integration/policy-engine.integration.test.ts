// What the judge decided is a read runs read-only at the engine, even on a connection that
// permits writes: a statement that writes anyway fails at the database and changes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runQuery } from '../../activities/tools/database.js';

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-engine-'));
const pgUrl = inject('pgUrl');
const table = `engine_${Date.now().toString(36)}`;

beforeAll(async () => {
  const db = new Database(path.join(ws, 'scratch.db'));
  db.exec("create table t (a text); insert into t values ('one')");
  db.close();
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`create table ${table} (a text); insert into ${table} values ('one')`);
  await client.end();
});
afterAll(async () => {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`drop table if exists ${table}`);
  await client.end();
  fs.rmSync(ws, { recursive: true, force: true });
});

const count = async () => {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  const r = await client.query(`select count(*)::int as n from ${table}`);
  await client.end();
  return r.rows[0].n as number;
};

describe('reads run read-only at the engine', () => {
  const sqlite = { url: 'sqlite:scratch.db', write: true };
  const postgres = () => ({ url: pgUrl, write: true });

  it('SQLite: a write run as a read fails at the database; the same write runs when judged a write', async () => {
    await expect(
      runQuery(sqlite, "insert into t values ('sneaky')", { workspace: ws, protectedPaths: [] }, { readOnly: true }),
    ).rejects.toThrow(/readonly|query_only/i);
    await expect(
      runQuery(sqlite, 'pragma query_only = 0', { workspace: ws, protectedPaths: [] }, { readOnly: true }).then(() =>
        runQuery(sqlite, "insert into t values ('sneaky')", { workspace: ws, protectedPaths: [] }, { readOnly: true }),
      ),
    ).rejects.toThrow(/readonly|query_only/i);
    expect(
      await runQuery(sqlite, 'select count(*) as n from t', { workspace: ws, protectedPaths: [] }, { readOnly: true }),
    ).toBe('[{"n":1}]');
    expect(
      await runQuery(
        sqlite,
        "insert into t values ('two')",
        { workspace: ws, protectedPaths: [] },
        { readOnly: false },
      ),
    ).toBe('{"changes":1}');
  });

  it('PostgreSQL: a write run as a read fails, even after COMMIT or a SET that tries to lift read-only', async () => {
    await expect(
      runQuery(
        postgres(),
        `insert into ${table} values ('sneaky')`,
        { workspace: ws, protectedPaths: [] },
        { readOnly: true },
      ),
    ).rejects.toThrow(/read-only transaction/);
    await expect(
      runQuery(
        postgres(),
        `commit; insert into ${table} values ('sneaky')`,
        { workspace: ws, protectedPaths: [] },
        { readOnly: true },
      ),
    ).rejects.toThrow(/read-only transaction/);
    await expect(
      runQuery(
        postgres(),
        `select 1 from ${table}; with x as (delete from ${table} returning *) select * from x`,
        { workspace: ws, protectedPaths: [] },
        { readOnly: true },
      ),
    ).rejects.toThrow(/read-only transaction/);
    expect(await count()).toBe(1);
    expect(
      await runQuery(postgres(), `select a from ${table}`, { workspace: ws, protectedPaths: [] }, { readOnly: true }),
    ).toBe('[{"a":"one"}]');
    expect(
      await runQuery(
        postgres(),
        `insert into ${table} values ('two')`,
        { workspace: ws, protectedPaths: [] },
        { readOnly: false },
      ),
    ).toBe('{"changes":1}');
    expect(await count()).toBe(2);
  });
});
